//! The push sender: takes due pushes from the queue ([`super::queue`]), sends each
//! through its service, and settles it by what the service said: delivered pushes go,
//! dead tokens take their device with them, the services' trouble is retried with
//! backoff, our own mistakes are logged and dropped.
//!
//! Started by `serve_state` when a push service is configured, stopped by its graceful
//! shutdown. Woken by every sync push (pushes go out within milliseconds of the change)
//! and every [`super::PushState::poll_interval`] for retries and for pushes another
//! server instance queued. Several instances on one PostgreSQL share the queue: a row
//! is sent by whoever claims it first (a lease in `due_at`); a sender that dies
//! mid-send leaves the row to be claimed again when the lease runs out.

use super::{Gateways, Message, Outcome, Target};
use crate::store::sql::{SqlTx, Value};
use crate::store::{Store, StoreError};
use crate::{AppState, Clock, Metrics};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

/// Pushes sent, by platform and what the service answered
/// (`delivered`, `gone`, `retry`, `rejected`).
pub const SENT: &str = "pasar_push_sent_total";
/// Pushes dropped unsent, by reason (`expired`, `gave_up`, `no_device`, `no_gateway`,
/// `unreadable`).
pub const DROPPED: &str = "pasar_push_dropped_total";
/// Rounds of the worker that failed on the database (see the log).
pub const FAILURES: &str = "pasar_push_failures_total";

/// Pushes claimed per round; a full round is followed at once by another.
const BATCH: i64 = 50;
/// Sends in flight at once: enough to hide the services' latency, few enough not to
/// open a connection storm after an outage.
const CONCURRENCY: usize = 8;
/// How long a claimed push is this sender's: past the gateways' request timeout (30 s
/// after a 10 s connect), so a slow send is not claimed twice.
const LEASE_MS: i64 = 60_000;
/// Failed sends before a push is given up.
const MAX_ATTEMPTS: i64 = 10;
/// The longest wait between two tries.
const BACKOFF_CAP_MS: i64 = 3_600_000;

/// Starts the worker unless no push service is configured. It stops when `stop` turns
/// true or its sender is dropped.
pub(crate) fn spawn(state: &AppState, stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    if !state.push.configured() {
        return None;
    }
    let m = &state.metrics;
    m.describe(SENT, "Pushes sent, by platform and the service's answer.");
    m.describe(DROPPED, "Pushes dropped without a send, by reason.");
    m.describe(FAILURES, "Push worker rounds that failed (see the log).");
    let worker = Worker {
        store: state.store.clone(),
        gateways: Arc::clone(&state.push.gateways),
        wake: Arc::clone(&state.push.wake),
        clock: state.clock.clone(),
        metrics: state.metrics.clone(),
        poll: state.push.poll_interval,
    };
    Some(tokio::spawn(run(worker, stop)))
}

struct Worker {
    store: Store,
    gateways: Arc<Gateways>,
    wake: Arc<Notify>,
    clock: Clock,
    metrics: Metrics,
    poll: Duration,
}

async fn run(worker: Worker, mut stop: watch::Receiver<bool>) {
    loop {
        // A shutdown stops a round between sends: rows claimed and not settled are sent
        // again once their lease runs out (a repeated hint is harmless to the app).
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            () = worker.drain() => {}
        }
        // A wake-up that came during the round is kept by `Notify`: the next round
        // starts at once, so no push waits for the poll.
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            () = worker.wake.notified() => {}
            () = tokio::time::sleep(worker.poll) => {}
        }
    }
    tracing::debug!("push worker stopped");
}

/// Completes when `stop` turns true or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// One claimed push, ready to send.
struct Job {
    id: String,
    device_id: String,
    platform: &'static str,
    target: Target,
    message: Message,
    attempts: i64,
    expires_at: i64,
}

impl Job {
    /// The token or endpoint, for pruning and to keep it out of the log.
    fn token(&self) -> &str {
        match &self.target {
            Target::Fcm { token } | Target::Apns { token } => token,
            Target::WebPush { endpoint, .. } => endpoint,
        }
    }
}

/// Which platforms have a gateway (a push for another is dropped, not sent).
#[derive(Clone, Copy)]
struct Configured {
    fcm: bool,
    apns: bool,
    web_push: bool,
}

impl Worker {
    /// Rounds until one finds fewer due pushes than a full batch.
    async fn drain(&self) {
        loop {
            match self.round().await {
                Ok(due) if due >= BATCH as usize => {}
                Ok(_) => return,
                Err(e) => {
                    self.metrics.counter(FAILURES, &[]).inc();
                    tracing::error!(error = %e, "push round failed");
                    return;
                }
            }
        }
    }

    /// Claims up to [`BATCH`] due pushes, sends them a few at a time and settles each;
    /// returns how many were due.
    async fn round(&self) -> Result<usize, StoreError> {
        let now = self.clock.now_ms();
        let configured = Configured {
            fcm: self.gateways.fcm.is_some(),
            apns: self.gateways.apns.is_some(),
            web_push: self.gateways.web_push.is_some(),
        };
        // A look first, without the write lock: most polls find nothing, and on SQLite
        // a write transaction a second would queue behind (and hold up) the requests.
        let any_due = self
            .store
            .read(move |tx| {
                tx.query_opt(
                    "SELECT id FROM push_queue WHERE due_at <= ?1 LIMIT 1",
                    &[now.into()],
                )
            })
            .await?
            .is_some();
        if !any_due {
            return Ok(0);
        }
        let (due, jobs, dropped) = self
            .store
            .transaction(move |tx| claim(tx, now, configured))
            .await?;
        for reason in dropped {
            self.metrics.counter(DROPPED, &[("reason", reason)]).inc();
        }
        let mut jobs = jobs.into_iter();
        let mut sending = JoinSet::new();
        loop {
            while sending.len() < CONCURRENCY {
                let Some(job) = jobs.next() else { break };
                let gateways = Arc::clone(&self.gateways);
                sending.spawn(async move {
                    let outcome = gateways.send(&job.target, &job.message).await;
                    (job, outcome)
                });
            }
            match sending.join_next().await {
                None => break,
                Some(Ok((job, outcome))) => {
                    if let Err(e) = self.settle(job, outcome).await {
                        // The row keeps its lease and is tried again after it.
                        self.metrics.counter(FAILURES, &[]).inc();
                        tracing::error!(error = %e, "cannot record a push's outcome");
                    }
                }
                // A send that panicked: its row is tried again after the lease.
                Some(Err(e)) => tracing::error!(error = %e, "a push send failed"),
            }
        }
        Ok(due)
    }

    /// Records what the service said about one push.
    async fn settle(&self, job: Job, outcome: Outcome) -> Result<(), StoreError> {
        let now = self.clock.now_ms();
        let label = match &outcome {
            Outcome::Delivered => "delivered",
            Outcome::Gone => "gone",
            Outcome::Retry { .. } => "retry",
            Outcome::Rejected(_) => "rejected",
        };
        self.metrics
            .counter(SENT, &[("platform", job.platform), ("outcome", label)])
            .inc();
        let dropped = match outcome {
            Outcome::Delivered => {
                // By id: a newer push of the same order that replaced this row meanwhile
                // has another id and stays to be sent.
                let id = job.id;
                self.store
                    .transaction(move |tx| delete(tx, &id).map(|_| None))
                    .await?
            }
            Outcome::Gone => {
                tracing::info!(platform = job.platform, "push token gone; device removed");
                let (device, token, id) = (job.device_id.clone(), job.token().to_owned(), job.id);
                self.store
                    .transaction(move |tx| prune(tx, &device, &token, &id, now).map(|()| None))
                    .await?
            }
            Outcome::Retry { after } => {
                let attempts = job.attempts + 1;
                let wait = retry_after_ms(after, job.attempts)?;
                let due_at = now.saturating_add(wait);
                let id = job.id;
                let reason = if attempts >= MAX_ATTEMPTS {
                    Some("gave_up")
                } else if due_at >= job.expires_at {
                    Some("expired")
                } else {
                    None
                };
                self.store
                    .transaction(move |tx| match reason {
                        Some(_) => delete(tx, &id).map(|_| reason),
                        None => tx
                            .execute(
                                "UPDATE push_queue SET attempts = ?2, due_at = ?3 WHERE id = ?1",
                                &[id.as_str().into(), attempts.into(), due_at.into()],
                            )
                            .map(|_| None),
                    })
                    .await?
            }
            Outcome::Rejected(why) => {
                // The reason may quote what we sent; the token stays out of the log.
                let why: String = why
                    .replace(job.token(), "<token>")
                    .chars()
                    .take(300)
                    .collect();
                tracing::warn!(platform = job.platform, reason = %why, "push rejected; dropped");
                let id = job.id;
                self.store
                    .transaction(move |tx| delete(tx, &id).map(|_| None))
                    .await?
            }
        };
        if let Some(reason) = dropped {
            self.metrics.counter(DROPPED, &[("reason", reason)]).inc();
        }
        Ok(())
    }
}

type Claimed = (usize, Vec<Job>, Vec<&'static str>);

/// Takes the due pushes: each claimed with a lease (one `UPDATE` that only one sender
/// can win), read with its device; those that cannot be sent are deleted and named in
/// the third list.
fn claim(tx: &mut dyn SqlTx, now: i64, configured: Configured) -> Result<Claimed, StoreError> {
    let rows = tx.query(
        "SELECT id, device_id, data, alert, urgent, expires_at, attempts, collapse_key
         FROM push_queue WHERE due_at <= ?1 ORDER BY due_at, device_id LIMIT ?2",
        &[now.into(), BATCH.into()],
    )?;
    let due = rows.len();
    let mut jobs = Vec::new();
    let mut dropped = Vec::new();
    for row in rows {
        let mut row = row.into_iter();
        let mut text = || row.next().and_then(Value::into_text).unwrap_or_default();
        let (id, device_id, data) = (text(), text(), text());
        let mut int = || row.next().and_then(|v| v.int()).unwrap_or_default();
        let (alert, urgent, expires_at, attempts) = (int(), int(), int(), int());
        let collapse_key = row.next().and_then(Value::into_text).unwrap_or_default();
        let won = tx.execute(
            "UPDATE push_queue SET due_at = ?2 WHERE id = ?1 AND due_at <= ?3",
            &[id.as_str().into(), (now + LEASE_MS).into(), now.into()],
        )?;
        if won == 0 {
            // Another sender claimed it (or a newer push replaced it) meanwhile.
            continue;
        }
        if expires_at <= now {
            delete(tx, &id)?;
            dropped.push("expired");
            continue;
        }
        let device = tx.query_opt(
            "SELECT platform, token, p256dh, auth FROM push_devices WHERE device_id = ?1",
            &[device_id.as_str().into()],
        )?;
        let Some(device) = device else {
            // Unregistered since: nobody to tell.
            delete(tx, &id)?;
            dropped.push("no_device");
            continue;
        };
        let mut device = device.into_iter().map(Value::into_text);
        let mut field = || device.next().flatten();
        let (platform, token, p256dh, auth) = (field(), field(), field(), field());
        let target = match (platform.as_deref(), token) {
            (Some("fcm"), Some(token)) => Some(("fcm", configured.fcm, Target::Fcm { token })),
            (Some("apns"), Some(token)) => Some(("apns", configured.apns, Target::Apns { token })),
            (Some("webpush"), Some(endpoint)) => match (p256dh, auth) {
                (Some(p256dh), Some(auth)) => Some((
                    "webpush",
                    configured.web_push,
                    Target::WebPush {
                        endpoint,
                        p256dh,
                        auth,
                    },
                )),
                _ => None,
            },
            _ => None,
        };
        let data = serde_json::from_str::<BTreeMap<String, String>>(&data).ok();
        let (Some((platform, has_gateway, target)), Some(data)) = (target, data) else {
            delete(tx, &id)?;
            dropped.push("unreadable");
            continue;
        };
        if !has_gateway {
            // This server has no credentials for the device's service: nothing will
            // ever send it, and the phone still syncs when opened.
            delete(tx, &id)?;
            dropped.push("no_gateway");
            continue;
        }
        let ttl_ms = u64::try_from(expires_at - now).unwrap_or(0);
        jobs.push(Job {
            id,
            device_id,
            platform,
            target,
            message: Message {
                data,
                collapse_key,
                ttl: Duration::from_millis(ttl_ms),
                urgent: urgent != 0,
                alert: alert != 0,
            },
            attempts,
            expires_at,
        });
    }
    Ok((due, jobs, dropped))
}

fn delete(tx: &mut dyn SqlTx, id: &str) -> Result<u64, StoreError> {
    tx.execute("DELETE FROM push_queue WHERE id = ?1", &[id.into()])
}

/// A dead token: its device goes, with everything queued for it. If the device
/// registered a new token since, only this push is sent again (to the new one).
fn prune(
    tx: &mut dyn SqlTx,
    device_id: &str,
    token: &str,
    id: &str,
    now: i64,
) -> Result<(), StoreError> {
    let removed = tx.execute(
        "DELETE FROM push_devices WHERE device_id = ?1 AND token = ?2",
        &[device_id.into(), token.into()],
    )?;
    if removed > 0 {
        tx.execute(
            "DELETE FROM push_queue WHERE device_id = ?1",
            &[device_id.into()],
        )?;
    } else {
        tx.execute(
            "UPDATE push_queue SET due_at = ?2 WHERE id = ?1",
            &[id.into(), now.into()],
        )?;
    }
    Ok(())
}

/// How long to wait before try number `failures + 2`: the service's `Retry-After` if it
/// asks for longer, else 1 s doubling per failure up to an hour, plus up to a quarter
/// more at random so devices failed together do not retry together.
fn retry_after_ms(after: Option<Duration>, failures: i64) -> Result<i64, StoreError> {
    let base = (1000_i64 << failures.clamp(0, 20)).min(BACKOFF_CAP_MS);
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| StoreError::new(format!("getrandom: {e}")))?;
    let jitter = i64::try_from(u64::from_le_bytes(random) % (base as u64 / 4 + 1)).unwrap_or(0);
    let asked = after.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Ok(asked.max(base + jitter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour_and_respects_retry_after() {
        for failures in 0..15 {
            let wait = retry_after_ms(None, failures).expect("wait");
            let base = (1000_i64 << failures).min(BACKOFF_CAP_MS);
            assert!(
                (base..=base + base / 4).contains(&wait),
                "{failures}: {wait}"
            );
        }
        let asked = retry_after_ms(Some(Duration::from_secs(30)), 0).expect("wait");
        assert_eq!(asked, 30_000);
        // A short Retry-After does not undercut the backoff.
        let wait = retry_after_ms(Some(Duration::from_secs(1)), 3).expect("wait");
        assert!(wait >= 8_000, "{wait}");
    }
}
