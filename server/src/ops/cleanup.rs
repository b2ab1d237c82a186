//! The periodic cleanup: expired one-time codes, expired or revoked sessions, old
//! rate-limit events, photo uploads abandoned for a day and pushes past their time are
//! deleted every `cleanup.interval_secs`, so the tables hold what is live rather than
//! everything ever asked for. Started by `serve_state`, stopped by its graceful
//! shutdown (a cleanup under way finishes first: each is one short transaction).

use crate::AppState;
use crate::store::{Cleaned, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

pub const RUNS: &str = "pasar_cleanup_runs_total";
pub const FAILURES: &str = "pasar_cleanup_failures_total";
pub const DELETED: &str = "pasar_cleanup_deleted_total";
/// Unpaid orders the server cancelled when their payment window closed.
pub const EXPIRED: &str = "pasar_orders_expired_total";

/// Starts the cleanup loop unless the interval is zero. It stops when `stop` turns true
/// or its sender is dropped.
pub(crate) fn spawn(state: &AppState, stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    if state.cleanup_interval.is_zero() {
        return None;
    }
    let m = &state.metrics;
    m.describe(
        RUNS,
        "Periodic cleanups of expired codes and sessions done.",
    );
    m.describe(FAILURES, "Periodic cleanups that failed (see the log).");
    m.describe(DELETED, "Rows the periodic cleanup deleted, by kind.");
    Some(tokio::spawn(run(state.clone(), stop)))
}

async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(state.cleanup_interval);
    // After a long stall (a suspended VM), one cleanup catches up; no burst.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // Stop first: a shutdown that arrives with a tick due starts no new cleanup.
            biased;
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            _ = ticker.tick() => {
                // The first tick is immediate: a restart cleans what piled up meanwhile.
                match once(&state).await {
                    Ok(cleaned) => tracing::debug!(
                        codes = cleaned.codes,
                        sessions = cleaned.sessions,
                        rate_events = cleaned.rate_events,
                        "cleanup done"
                    ),
                    Err(e) => tracing::error!(error = %e, "cleanup failed"),
                }
            }
        }
    }
    tracing::debug!("cleanup stopped");
}

/// One cleanup by the state's clock, counted in the metrics.
pub async fn once(state: &AppState) -> Result<Cleaned, StoreError> {
    let now = state.clock.now_ms();
    // Rate-limit events count for the longest window; older ones are dead weight.
    let window = state.auth.per_number.1.max(state.auth.per_address.1);
    let m = &state.metrics;
    let run = async {
        let cleaned = state.store.cleanup(now, now - window).await?;
        let photo_uploads =
            crate::photos::forget_abandoned(state, now - crate::photos::ABANDONED_AFTER_MS).await?;
        let photos =
            crate::photos::refs::collect_unused(state, now - crate::photos::refs::UNUSED_FOR_MS)
                .await?;
        let pushes = crate::push::queue::purge_expired(&state.store, now).await?;
        // Unpaid orders past their window: the stock goes back to the shelf.
        let expired = crate::sync::expire_unpaid(state, now).await?;
        Ok::<_, StoreError>((cleaned, photo_uploads, photos, pushes, expired))
    };
    match run.await {
        Ok((cleaned, photo_uploads, photos, pushes, expired)) => {
            m.counter(EXPIRED, &[]).add(expired);
            m.counter(RUNS, &[]).inc();
            m.counter(DELETED, &[("kind", "photo_uploads")])
                .add(photo_uploads);
            m.counter(DELETED, &[("kind", "photos")]).add(photos);
            m.counter(DELETED, &[("kind", "codes")]).add(cleaned.codes);
            m.counter(DELETED, &[("kind", "sessions")])
                .add(cleaned.sessions);
            m.counter(DELETED, &[("kind", "rate_events")])
                .add(cleaned.rate_events);
            m.counter(DELETED, &[("kind", "pushes")]).add(pushes);
            Ok(cleaned)
        }
        Err(e) => {
            m.counter(FAILURES, &[]).inc();
            Err(e)
        }
    }
}
