//! The sync engine: sign-in, then rounds of push (the outbox, oldest first, in
//! batches) and pull (pages after the cursor), retried with backoff within a time
//! budget. One round at a time per store.
//!
//! The steps that decide things are small functions over data (`outcome_of`,
//! `backoff`, [`apply::page`], the outbox); this file only moves bytes between them
//! and the [`HttpClient`].

use super::apply;
use super::http::{self, HttpClient, HttpRequest, HttpResponse, TransportError};
use super::outbox::{self, CURSOR_KEY, DEVICE_KEY, PULLED_KEY};
use super::wire::{
    self, CodeRequest, ErrorBody, Op, PROTOCOL, PROTOCOL_HEADER, PullResponse, PushRequest,
    PushResponse, Rejection, SignedIn, VerifyRequest,
};
use crate::catalog::Catalog;
use crate::error::{Error, Problem, ValidationError};
use crate::i18n::Text;
use crate::observe::{Observers, Subscription};
use crate::order::Orders;
use crate::store::{Database, StoreError};
use crate::{ErrorKind, PhoneNumber, Result, UserError, time};
use rusqlite::params;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why a sync could not go on. Network trouble is retried inside a round; these are
/// what is left when the budget runs out or retrying cannot help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("network: {0}")]
    Network(String),
    /// The session is gone (expired, revoked, signed out elsewhere): sign in again.
    #[error("signed out by the server")]
    Unauthorized,
    /// This app is older than the server accepts.
    #[error("the app must be updated")]
    UpgradeRequired,
    #[error("not signed in")]
    NotSignedIn,
    /// The server refused the request itself (not one mutation): a bug on one side.
    #[error("server answered {status}: {code}")]
    Server { status: u16, code: String },
    /// The phone's own storage failed mid-round (full, damaged): not the network's
    /// fault, and not fixed by waiting for one. What the screen says comes with it.
    #[error("phone storage: {}", .0.en)]
    Store(Text),
}

impl SyncError {
    pub(crate) fn store(e: impl Into<Error>) -> SyncError {
        SyncError::Store(e.into().to_user().message)
    }

    pub fn to_user(&self) -> UserError {
        if let SyncError::Store(message) = self {
            return UserError {
                kind: ErrorKind::Storage,
                field: None,
                message: message.clone(),
            };
        }
        let (kind, field, id, en) = match self {
            SyncError::Network(_) => (
                ErrorKind::Network,
                None,
                "Tidak bisa terhubung ke server. Perubahan tersimpan di HP dan akan dikirim nanti.",
                "Cannot reach the server. Your changes are saved on the phone and will be sent later.",
            ),
            SyncError::Unauthorized | SyncError::NotSignedIn => (
                ErrorKind::Unauthorized,
                None,
                "Silakan masuk lagi dengan nomor HP kamu.",
                "Please sign in again with your phone number.",
            ),
            SyncError::UpgradeRequired => (
                ErrorKind::Validation,
                Some("app_version".to_owned()),
                "Versi aplikasi ini sudah terlalu lama. Perbarui aplikasi untuk lanjut sinkron.",
                "This version of the app is too old. Update the app to keep syncing.",
            ),
            SyncError::Server { .. } | SyncError::Store(_) => (
                ErrorKind::Internal,
                None,
                "Server sedang bermasalah. Perubahan tetap tersimpan di HP.",
                "The server has a problem. Your changes stay saved on the phone.",
            ),
        };
        UserError {
            kind,
            field,
            message: Text::new(id, en),
        }
    }
}

/// Where the apps keep the session token: Android Keystore, iOS Keychain.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> Option<String>;
    fn save(&self, token: Option<String>);
}

/// A token kept in memory only (command line, tests).
#[derive(Default)]
pub struct MemoryTokens(Mutex<Option<String>>);

impl TokenStore for MemoryTokens {
    fn load(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn save(&self, token: Option<String>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = token;
    }
}

/// Retry timing: doubling from `initial` up to `max`, each wait randomised to between
/// half and all of it, so a thousand phones back online at once do not knock together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (0-based), given a random `unit` in [0, 1).
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let full = self
            .initial
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max);
        full.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
    }
}

pub struct SyncConfig {
    /// `https://pasar.example.id` (no trailing path).
    pub server_url: String,
    pub http: Arc<dyn HttpClient>,
    pub tokens: Arc<dyn TokenStore>,
    pub backoff: Backoff,
}

/// What a round is doing, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    /// Waiting before a retry.
    Waiting {
        retry_in_ms: u64,
    },
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Mutations the server confirmed (applied or refused) so far this round.
    pub pushed: u64,
    /// Mutations still queued.
    pub pending: u64,
    /// Changes pulled and applied so far this round.
    pub pulled: u64,
}

/// What a round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub rejected: u64,
    pub pulled: u64,
    /// Pulled changes held back because the phone's own newer edits are still queued.
    pub deferred: u64,
    /// Pulled documents this build could not read (a newer server): skipped.
    pub unreadable: u64,
    pub pending: u64,
    /// Photos sent to the server this round (not counting those it had already).
    pub photos_uploaded: u64,
    /// Photos the server refused for good or that are gone from this phone.
    pub photos_refused: u64,
    pub requests: u64,
    pub retries: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Everything was pushed and pulled; false when the budget ran out first.
    pub complete: bool,
    /// Order moves to tell the user of, each once whether it came by push or by sync
    /// (see [`super::push`]).
    pub notices: Vec<super::Notice>,
}

/// A change the server refused for good, for the screen that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedChange {
    pub mutation_id: u64,
    /// `product:<id>`, `order:<id>`, `group:<id>`, `profile`.
    pub entity: String,
    pub op: String,
    pub error: UserError,
    pub at: i64,
}

/// A request body.
#[derive(Clone, Copy)]
pub(crate) enum Payload<'a> {
    /// JSON, gzip-compressed when large.
    Json(&'a [u8]),
    /// A file as it is (photos are compressed already).
    Bytes(&'a [u8]),
}

/// Bytes on the wire since the client was made (compressed, as sent and received).
#[derive(Default)]
struct Traffic {
    sent: AtomicU64,
    received: AtomicU64,
}

/// One signed-in phone talking to one server. Cheap to clone.
#[derive(Clone)]
pub struct SyncClient {
    db: Arc<Database>,
    catalog: Catalog,
    orders: Orders,
    config: Arc<SyncConfig>,
    round: Arc<Mutex<()>>,
    progress: Arc<Observers<SyncProgress>>,
    rejections: Arc<Observers<RejectedChange>>,
    traffic: Arc<Traffic>,
}

fn rejection_kind(kind: &str) -> ErrorKind {
    match kind {
        "out_of_stock" => ErrorKind::OutOfStock,
        "not_allowed" => ErrorKind::Unauthorized,
        "not_found" => ErrorKind::NotFound,
        "conflict" => ErrorKind::Conflict,
        _ => ErrorKind::Validation,
    }
}

/// What to do with an answer.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// Try again after a wait (the server asked for one, or it is having trouble).
    Retry {
        after: Option<Duration>,
    },
    Fail(SyncError),
}

fn outcome_of(response: &HttpResponse) -> Outcome {
    let code = || {
        http::decoded_body(response)
            .ok()
            .and_then(|b| serde_json::from_slice::<ErrorBody>(&b).ok())
            .map(|e| e.error)
            .unwrap_or_default()
    };
    match response.status {
        200..=299 => Outcome::Ok,
        401 => Outcome::Fail(SyncError::Unauthorized),
        426 => Outcome::Fail(SyncError::UpgradeRequired),
        408 | 429 | 500..=599 => Outcome::Retry {
            after: response
                .header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(300))),
        },
        status => Outcome::Fail(SyncError::Server {
            status,
            code: code(),
        }),
    }
}

/// A cheap random number in [0, 1) for jitter; no need for a cryptographic source.
fn jitter_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl SyncClient {
    pub(crate) fn new(
        db: Arc<Database>,
        catalog: Catalog,
        orders: Orders,
        config: SyncConfig,
        round: Arc<Mutex<()>>,
    ) -> Self {
        SyncClient {
            db,
            catalog,
            orders,
            config: Arc::new(config),
            round,
            progress: Arc::new(Observers::default()),
            rejections: Arc::new(Observers::default()),
            traffic: Arc::new(Traffic::default()),
        }
    }

    /// Hears how a round goes.
    pub fn observe_progress(
        &self,
        listener: impl Fn(&SyncProgress) + Send + Sync + 'static,
    ) -> Subscription {
        self.progress.subscribe(listener)
    }

    /// Hears of each change the server refused, as the refusal arrives.
    pub fn observe_rejections(
        &self,
        listener: impl Fn(&RejectedChange) + Send + Sync + 'static,
    ) -> Subscription {
        self.rejections.subscribe(listener)
    }

    /// (sent, received) bytes on the wire since this client was made.
    pub fn traffic(&self) -> (u64, u64) {
        (
            self.traffic.sent.load(Ordering::Relaxed),
            self.traffic.received.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn server_url(&self) -> &str {
        &self.config.server_url
    }

    pub(crate) fn database(&self) -> &Database {
        &self.db
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.server_url.trim_end_matches('/'))
    }

    /// Sends one request: compresses a large JSON body, counts bytes, unpacks the answer.
    fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<Payload<'_>>,
        token: Option<&str>,
    ) -> std::result::Result<(HttpResponse, Vec<u8>), TransportError> {
        let mut headers = vec![
            (PROTOCOL_HEADER.to_owned(), PROTOCOL.to_string()),
            ("accept-encoding".to_owned(), "gzip".to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
        ];
        if let Some(token) = token {
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        let body = match body {
            Some(Payload::Json(body)) => {
                headers.push(("content-type".to_owned(), "application/json".to_owned()));
                if body.len() > http::COMPRESS_ABOVE {
                    headers.push(("content-encoding".to_owned(), "gzip".to_owned()));
                    http::gzip(body)
                } else {
                    body.to_vec()
                }
            }
            // Photos are compressed already: gzip would only cost the phone time.
            Some(Payload::Bytes(body)) => {
                headers.push((
                    "content-type".to_owned(),
                    "application/octet-stream".to_owned(),
                ));
                body.to_vec()
            }
            None => Vec::new(),
        };
        // Headers and the request line count too: on a phone plan they are bytes.
        let overhead = (method.len() + path.len() + 12)
            + headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 4)
                .sum::<usize>();
        self.traffic
            .sent
            .fetch_add((body.len() + overhead) as u64, Ordering::Relaxed);
        let response = self.config.http.send(HttpRequest {
            method: method.to_owned(),
            url: self.url(path),
            headers,
            body,
        })?;
        let overhead = 17
            + response
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 4)
                .sum::<usize>();
        self.traffic
            .received
            .fetch_add((response.body.len() + overhead) as u64, Ordering::Relaxed);
        let body = http::decoded_body(&response)?;
        Ok((response, body))
    }

    /// One request with retries until it succeeds, fails for good, or `deadline`.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        token: Option<&str>,
        deadline: Instant,
        report: &mut SyncReport,
    ) -> std::result::Result<Vec<u8>, SyncError> {
        self.call_with(
            method,
            path,
            body.map(Payload::Json),
            token,
            deadline,
            report,
            &[],
        )
        .map(|(_, body)| body)
    }

    /// [`Self::call`] with any body, where the statuses in `also_ok` are answers to
    /// read (the upload's 409 "resume from here") rather than failures.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Payload<'_>>,
        token: Option<&str>,
        deadline: Instant,
        report: &mut SyncReport,
        also_ok: &[u16],
    ) -> std::result::Result<(u16, Vec<u8>), SyncError> {
        let mut attempt = 0u32;
        loop {
            report.requests += 1;
            let wait = match self.exchange(method, path, body, token) {
                Ok((response, body)) if also_ok.contains(&response.status) => {
                    return Ok((response.status, body));
                }
                Ok((response, body)) => match outcome_of(&response) {
                    Outcome::Ok => return Ok((response.status, body)),
                    Outcome::Fail(e) => return Err(e),
                    Outcome::Retry { after } => after,
                },
                // The same answer would come again, bomb or not: downloading it until
                // the budget runs out would only spend the buyer's data.
                Err(TransportError(e)) if e == http::TOO_LARGE => {
                    return Err(SyncError::Server {
                        status: 200,
                        code: e,
                    });
                }
                Err(TransportError(_)) => None,
            };
            let wait = wait.unwrap_or_else(|| self.config.backoff.delay(attempt, jitter_unit()));
            if Instant::now() + wait >= deadline {
                return Err(SyncError::Network(
                    "no answer within the time budget".into(),
                ));
            }
            self.progress.notify(&SyncProgress {
                phase: SyncPhase::Waiting {
                    retry_in_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                },
                pushed: report.pushed,
                pending: report.pending,
                pulled: report.pulled,
            });
            std::thread::sleep(wait);
            attempt += 1;
            report.retries += 1;
        }
    }

    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        body: &[u8],
    ) -> std::result::Result<T, SyncError> {
        serde_json::from_slice(body).map_err(|e| SyncError::Server {
            status: 200,
            code: format!("unreadable answer: {e}"),
        })
    }

    /// Asks the server to send a one-time code to `phone` (SMS / WhatsApp).
    pub fn request_code_blocking(&self, phone: &str) -> Result<()> {
        let phone = PhoneNumber::parse(phone)?;
        let body = serde_json::to_vec(&CodeRequest {
            phone: phone.e164().to_owned(),
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let mut report = SyncReport::default();
        let deadline = Instant::now() + Duration::from_secs(30);
        match self.call(
            "POST",
            "/v1/auth/code",
            Some(&body),
            None,
            deadline,
            &mut report,
        ) {
            Ok(_) => Ok(()),
            Err(SyncError::Server { status: 400, .. }) => {
                Err(ValidationError::new("phone", Problem::Invalid).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Signs in with the code the server sent. The token goes to the app's secure
    /// storage; this phone's changes by that account sync from now on.
    pub fn sign_in_blocking(&self, phone: &str, code: &str, name: Option<&str>) -> Result<String> {
        let phone = PhoneNumber::parse(phone)?;
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new("code", Problem::Invalid).into());
        }
        let body = serde_json::to_vec(&VerifyRequest {
            phone: phone.e164().to_owned(),
            code: code.to_owned(),
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let mut report = SyncReport::default();
        let deadline = Instant::now() + Duration::from_secs(30);
        let answer = match self.call(
            "POST",
            "/v1/auth/verify",
            Some(&body),
            None,
            deadline,
            &mut report,
        ) {
            Ok(b) => b,
            Err(SyncError::Server { status: 400, .. }) | Err(SyncError::Unauthorized) => {
                return Err(ValidationError::new("code", Problem::Invalid).into());
            }
            Err(e) => return Err(e.into()),
        };
        let signed: SignedIn = Self::json(&answer)?;
        if crate::catalog::check_id("account_id", &signed.account_id).is_err() {
            return Err(Error::Sync(SyncError::Server {
                status: 200,
                code: "bad account id".into(),
            }));
        }
        let now = time::now_ms();
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        self.db.write(|tx| {
            let bound = outbox::bound_account(tx)?;
            if bound.as_deref().is_some_and(|b| b != signed.account_id)
                && outbox::count(tx)? > 0
            {
                // Another account's changes still wait: they must not go up as this one's.
                return Err(Error::Validation(ValidationError::new(
                    "account",
                    Problem::InUse,
                )));
            }
            tx.execute(
                "INSERT INTO accounts (id, name, phone, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (id) DO UPDATE SET phone = excluded.phone,
                     name = CASE WHEN ?2 = '' THEN accounts.name ELSE ?2 END,
                     updated_at = excluded.updated_at",
                params![signed.account_id, name.unwrap_or(""), phone.e164(), now],
            )
            .map_err(StoreError::from)?;
            if bound.as_deref() != Some(signed.account_id.as_str()) {
                outbox::meta_set(tx, outbox::ACCOUNT_KEY, &signed.account_id)?;
                outbox::meta_set(tx, DEVICE_KEY, &crate::id::new_id())?;
                outbox::meta_delete(tx, CURSOR_KEY)?;
                // A new account on this phone: its past is not news either.
                outbox::meta_delete(tx, PULLED_KEY)?;
            }
            if let Some(name) = name {
                outbox::record(
                    tx,
                    "profile",
                    &Op::PutProfile {
                        name: name.to_owned(),
                    },
                    now,
                )?;
            }
            Ok::<_, Error>(())
        })?;
        self.config.tokens.save(Some(signed.token));
        Ok(signed.account_id)
    }

    /// Forgets the session here (the server's is revoked when reachable). Queued
    /// changes stay: they go up when the same account signs in again.
    pub fn sign_out_blocking(&self) -> Result<()> {
        if let Some(token) = self.config.tokens.load() {
            self.unregister_push(&token);
            let mut report = SyncReport::default();
            let deadline = Instant::now() + Duration::from_secs(5);
            // Best effort: offline, the token simply expires on the server.
            let _ = self.call(
                "POST",
                "/v1/auth/logout",
                None,
                Some(&token),
                deadline,
                &mut report,
            );
        }
        self.config.tokens.save(None);
        Ok(())
    }

    /// The account signed in on this phone.
    pub fn account_id_blocking(&self) -> Result<Option<String>> {
        Ok(self.db.read(outbox::bound_account)?)
    }

    /// Changes waiting to go up.
    pub fn pending_blocking(&self) -> Result<u64> {
        Ok(self.db.read(outbox::count)?)
    }

    /// Refusals the user has not dismissed, newest first.
    pub fn rejections_blocking(&self) -> Result<Vec<RejectedChange>> {
        Ok(self.db.read(|c| {
            let mut stmt = c.prepare(
                "SELECT mutation_id, entity, op, kind, field, indonesian, english, at
                   FROM sync_rejections WHERE seen = 0 ORDER BY mutation_id DESC",
            )?;
            let rows = stmt.query_map([], |r| {
                let kind: String = r.get(3)?;
                Ok(RejectedChange {
                    mutation_id: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    entity: r.get(1)?,
                    op: r.get(2)?,
                    error: UserError {
                        kind: rejection_kind(&kind),
                        field: r.get(4)?,
                        message: Text::new(r.get::<_, String>(5)?, r.get::<_, String>(6)?),
                    },
                    at: r.get(7)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(StoreError::from)
        })?)
    }

    pub fn dismiss_rejection_blocking(&self, mutation_id: u64) -> Result<()> {
        self.db.write(|tx| {
            tx.execute(
                "UPDATE sync_rejections SET seen = 1 WHERE mutation_id = ?1",
                [i64::try_from(mutation_id).unwrap_or(i64::MAX)],
            )
            .map_err(StoreError::from)?;
            Ok(())
        })
    }

    /// One round: push everything queued, then pull everything new, within `budget`.
    /// The apps call this from WorkManager / BGTaskScheduler with the time they have,
    /// and after a push notification.
    pub fn sync_blocking(&self, budget: Duration) -> Result<SyncReport> {
        let _round = self.round.lock().unwrap_or_else(|p| p.into_inner());
        let deadline = Instant::now() + budget;
        let token = self.config.tokens.load().ok_or(SyncError::NotSignedIn)?;
        let (account, device) = self.db.read(|c| {
            Ok::<_, StoreError>((outbox::bound_account(c)?, outbox::meta_get(c, DEVICE_KEY)?))
        })?;
        let (Some(_account), Some(device)) = (account, device) else {
            return Err(SyncError::NotSignedIn.into());
        };
        let (sent0, received0) = self.traffic();
        let mut report = SyncReport {
            pending: self.pending_blocking()?,
            ..SyncReport::default()
        };
        // Photos first: a product must not reach buyers before its pictures.
        let pushed = self
            .send_push_registration(&token, deadline, &mut report)
            .and_then(|()| self.upload_photos(&token, deadline, &mut report))
            .and_then(|()| self.push_all(&token, &device, deadline, &mut report))
            // The server lacked photos of a product it took (deleted while unused, or
            // lost): they are sent now, in the same round.
            .and_then(|resent| match resent {
                0 => Ok(()),
                _ => self.upload_photos(&token, deadline, &mut report),
            });
        let pulled = pushed.and_then(|()| self.pull_all(&token, deadline, &mut report));
        let (sent1, received1) = self.traffic();
        report.bytes_sent = sent1 - sent0;
        report.bytes_received = received1 - received0;
        report.pending = self.pending_blocking()?;
        match pulled {
            Ok(()) => {
                report.complete = true;
                self.progress.notify(&SyncProgress {
                    phase: SyncPhase::Done,
                    pushed: report.pushed,
                    pending: report.pending,
                    pulled: report.pulled,
                });
                Ok(report)
            }
            // Out of time with work left is not an error: the next round goes on.
            Err(SyncError::Network(_)) if Instant::now() >= deadline => Ok(report),
            Err(SyncError::Unauthorized) => {
                self.config.tokens.save(None);
                Err(SyncError::Unauthorized.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn push_all(
        &self,
        token: &str,
        device: &str,
        deadline: Instant,
        report: &mut SyncReport,
    ) -> std::result::Result<usize, SyncError> {
        let mut batch = wire::PUSH_BATCH;
        // Photos the server said it lacks, queued again for upload.
        let mut resent = 0;
        loop {
            if Instant::now() >= deadline {
                return Err(SyncError::Network("out of time".into()));
            }
            let queued = self
                .db
                .read(|c| outbox::oldest(c, batch))
                .map_err(SyncError::store)?;
            if queued.is_empty() {
                return Ok(resent);
            }
            self.progress.notify(&SyncProgress {
                phase: SyncPhase::Pushing,
                pushed: report.pushed,
                pending: report.pending,
                pulled: report.pulled,
            });
            let request = PushRequest {
                device_id: device.to_owned(),
                mutations: queued.iter().map(|q| q.mutation.clone()).collect(),
            };
            let body = serde_json::to_vec(&request)
                .map_err(|e| SyncError::Network(format!("encode: {e}")))?;
            let answer = match self.call(
                "POST",
                "/v1/sync/push",
                Some(&body),
                Some(token),
                deadline,
                report,
            ) {
                Ok(a) => a,
                // A batch the server cannot read: find the one mutation at fault by
                // sending them one at a time, so it cannot hold up the others.
                Err(SyncError::Server {
                    status: 400 | 413, ..
                }) if batch > 1 => {
                    batch = 1;
                    continue;
                }
                Err(SyncError::Server {
                    status: 400 | 413,
                    code,
                }) => {
                    let q = &queued[0];
                    self.settle(
                        &[(
                            q.clone(),
                            Some(Rejection {
                                kind: "invalid".into(),
                                field: None,
                                indonesian: "Perubahan ini tidak bisa dikirim ke server.".into(),
                                english: format!("The server could not read this change ({code})."),
                            }),
                        )],
                        report,
                    )?;
                    batch = wire::PUSH_BATCH;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let response: PushResponse = Self::json(&answer)?;
            let mut settled = Vec::new();
            let mut missing = Vec::new();
            for result in response.results {
                if let Some(q) = queued.iter().find(|q| q.mutation.id == result.id) {
                    settled.push((q.clone(), result.rejected));
                    missing.extend(result.missing_photos);
                }
            }
            resent += self.photos_missing_on_server(&missing)?;
            if settled.is_empty() {
                return Err(SyncError::Server {
                    status: 200,
                    code: "push answer confirms nothing".into(),
                });
            }
            self.settle(&settled, report)?;
        }
    }

    /// Takes confirmed mutations off the queue; refusals are kept for their screens
    /// and undone here (a refused order is cancelled on the phone).
    fn settle(
        &self,
        settled: &[(outbox::Queued, Option<Rejection>)],
        report: &mut SyncReport,
    ) -> std::result::Result<(), SyncError> {
        let now = time::now_ms();
        let (refused, cancelled) = self
            .db
            .write(|tx| {
                let mut refused = Vec::new();
                let mut cancelled = Vec::new();
                let mut resync = false;
                for (q, rejection) in settled {
                    let id = i64::try_from(q.mutation.id).unwrap_or(i64::MAX);
                    tx.execute("DELETE FROM outbox WHERE id = ?1", [id])
                        .map_err(StoreError::from)?;
                    let Some(r) = rejection else { continue };
                    tx.execute(
                        "INSERT INTO sync_rejections (mutation_id, entity, op, kind, field, indonesian, english, at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (mutation_id) DO NOTHING",
                        params![id, q.entity, q.mutation.op.name(), r.kind, r.field, r.indonesian, r.english, now],
                    )
                    .map_err(StoreError::from)?;
                    match &q.mutation.op {
                        Op::PlaceOrder { order } => {
                            if let Some(change) = crate::order::service::refused_by_server(
                                tx,
                                &order.id,
                                &r.indonesian,
                                now,
                            )? {
                                cancelled.push(change);
                            }
                            // The stock given back just now is right only if no pull
                            // landed between the checkout and this refusal (a round
                            // running while the buyer checked out): such a pull put the
                            // server's count, which never had the order, in place of the
                            // phone's, and the units would be given back twice. The
                            // server does not move the product for a refused order, so
                            // no later pull would correct it: fetch its version again.
                            // Only then: a flash sale's hundreds of refused buyers must
                            // not each pull the whole catalog again.
                            let pulled_at = outbox::meta_get(tx, outbox::PULLED_AT_KEY)?
                                .and_then(|v| v.parse::<i64>().ok())
                                .unwrap_or(0);
                            if pulled_at >= q.mutation.at {
                                resync = true;
                            }
                        }
                        // The phone showed a change the server did not take: fetch the
                        // server's version of everything again (rare; idempotent).
                        _ => resync = true,
                    }
                    refused.push(RejectedChange {
                        mutation_id: q.mutation.id,
                        entity: q.entity.clone(),
                        op: q.mutation.op.name().to_owned(),
                        error: UserError {
                            kind: rejection_kind(&r.kind),
                            field: r.field.clone(),
                            message: Text::new(r.indonesian.clone(), r.english.clone()),
                        },
                        at: now,
                    });
                }
                if resync {
                    outbox::meta_delete(tx, CURSOR_KEY)?;
                }
                Ok::<_, Error>((refused, cancelled))
            })
            .map_err(SyncError::store)?;
        report.pushed += settled.len() as u64;
        report.rejected += refused.len() as u64;
        report.pending = report.pending.saturating_sub(settled.len() as u64);
        self.orders.notify_synced(&cancelled);
        for r in &refused {
            self.rejections.notify(r);
        }
        Ok(())
    }

    fn pull_all(
        &self,
        token: &str,
        deadline: Instant,
        report: &mut SyncReport,
    ) -> std::result::Result<(), SyncError> {
        let mut previous: Option<String> = None;
        let mut restarted = false;
        // The first pull of an install is the account's whole past, not news: nothing
        // is told until it is done.
        let quiet = self
            .db
            .read(|c| outbox::meta_get(c, PULLED_KEY))
            .map_err(SyncError::store)?
            .is_none();
        loop {
            if Instant::now() >= deadline {
                return Err(SyncError::Network("out of time".into()));
            }
            self.progress.notify(&SyncProgress {
                phase: SyncPhase::Pulling,
                pushed: report.pushed,
                pending: report.pending,
                pulled: report.pulled,
            });
            let cursor = self
                .db
                .read(|c| outbox::meta_get(c, CURSOR_KEY))
                .map_err(SyncError::store)?
                .unwrap_or_default();
            let path = format!(
                "/v1/sync/pull?cursor={}&limit={}",
                percent_encode(&cursor),
                wire::PULL_PAGE
            );
            let answer = match self.call("GET", &path, None, Some(token), deadline, report) {
                Ok(a) => a,
                Err(SyncError::Server { status: 400, .. }) if !cursor.is_empty() => {
                    // A cursor the server no longer knows: start again from the top.
                    self.db
                        .write(|tx| outbox::meta_delete(tx, CURSOR_KEY))
                        .map_err(SyncError::store)?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let page: PullResponse = Self::json(&answer)?;
            // "More" without moving on would pull the same page for ever.
            if page.more && previous.as_deref() == Some(page.cursor.as_str()) {
                return Err(SyncError::Server {
                    status: 200,
                    code: "the pull cursor does not move".into(),
                });
            }
            previous = Some(page.cursor.clone());
            let now = time::now_ms();
            let applied = self
                .db
                .write(|tx| apply::page(tx, &page, now, quiet))
                .map_err(SyncError::store)?;
            report.notices.extend(applied.notices);
            report.pulled += page.changes.len() as u64;
            report.deferred += applied.deferred as u64;
            report.unreadable += applied.unreadable as u64;
            if !applied.products.is_empty() {
                self.catalog.notify_synced(&applied.products);
            }
            self.orders.notify_synced(&applied.orders);
            if applied.restart {
                // The phone lacked a product the server patched: pull again from the top.
                // Once: a server that patches again what it sent whole from the top
                // would have the phone pull its whole past for ever.
                if restarted {
                    return Err(SyncError::Server {
                        status: 200,
                        code: "the server sent changes to a product this phone never had".into(),
                    });
                }
                restarted = true;
                previous = None;
                continue;
            }
            if !page.more {
                if quiet {
                    self.db
                        .write(|tx| outbox::meta_set(tx, PULLED_KEY, "1"))
                        .map_err(SyncError::store)?;
                }
                return Ok(());
            }
        }
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        assert_eq!(
            b.delay(0, 0.999_999),
            Duration::from_millis(100).mul_f64(0.999_999_5)
        );
        assert_eq!(b.delay(0, 0.0), Duration::from_millis(50));
        assert_eq!(b.delay(3, 0.0), Duration::from_millis(400));
        assert_eq!(b.delay(10, 0.0), Duration::from_secs(1));
        assert_eq!(b.delay(40, 0.0), Duration::from_secs(1));
        for _ in 0..100 {
            let u = jitter_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    /// A server that signs anyone in and answers every pull with 65 MB of zeros
    /// gzipped to a few dozen KB.
    #[derive(Default)]
    struct Bomber {
        pulls: std::sync::atomic::AtomicUsize,
    }

    impl HttpClient for Bomber {
        fn send(&self, request: HttpRequest) -> std::result::Result<HttpResponse, TransportError> {
            if request.url.ends_with("/v1/auth/verify") {
                let body = r#"{"token":"t","account_id":"0190a3e0-7d2c-7cc0-8000-00000000ac01","expires_at_ms":4102444800000}"#;
                return Ok(answer(200, &[], body));
            }
            if request.url.contains("/v1/sync/pull") {
                self.pulls.fetch_add(1, Ordering::SeqCst);
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                let zeros = vec![0u8; 1 << 20];
                for _ in 0..65 {
                    std::io::Write::write_all(&mut gz, &zeros)
                        .map_err(|e| TransportError(e.to_string()))?;
                }
                let mut bomb = answer(200, &[("content-encoding", "gzip")], "");
                bomb.body = gz.finish().map_err(|e| TransportError(e.to_string()))?;
                return Ok(bomb);
            }
            Ok(answer(404, &[], r#"{"error":"not_found","message":""}"#))
        }
    }

    #[test]
    fn an_answer_that_unpacks_too_large_is_refused_once_not_fetched_again() {
        let dir = tempfile::tempdir().expect("dir");
        let pasar = crate::Pasar::open(dir.path()).expect("open");
        let bomber = Arc::new(Bomber::default());
        let sync = pasar.sync(SyncConfig {
            server_url: "http://pasar.test".into(),
            http: bomber.clone(),
            tokens: Arc::new(MemoryTokens::default()),
            backoff: Backoff {
                initial: Duration::from_millis(1),
                max: Duration::from_millis(5),
            },
        });
        sync.sign_in_blocking("081233334444", "123456", None)
            .expect("sign in");
        let err = sync
            .sync_blocking(Duration::from_secs(20))
            .expect_err("refused");
        assert!(err.to_string().contains(http::TOO_LARGE), "{err}");
        assert_eq!(bomber.pulls.load(Ordering::SeqCst), 1, "downloaded once");
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_store_failure_mid_round_is_told_as_the_phones_storage_not_the_network() {
        let e = SyncError::store(StoreError::Corrupt("page".into()));
        let user = e.to_user();
        assert_eq!(user.kind, ErrorKind::Storage);
        assert!(user.message.en.contains("damaged"), "{:?}", user.message);
        assert_ne!(e, SyncError::Network(String::new()));
    }

    #[test]
    fn answers_are_sorted_into_ok_retry_and_fail() {
        assert_eq!(outcome_of(&answer(200, &[], "{}")), Outcome::Ok);
        assert_eq!(
            outcome_of(&answer(503, &[], "")),
            Outcome::Retry { after: None }
        );
        assert_eq!(
            outcome_of(&answer(429, &[("Retry-After", "7")], "")),
            Outcome::Retry {
                after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            outcome_of(&answer(401, &[], "")),
            Outcome::Fail(SyncError::Unauthorized)
        );
        assert_eq!(
            outcome_of(&answer(426, &[], "")),
            Outcome::Fail(SyncError::UpgradeRequired)
        );
        assert_eq!(
            outcome_of(&answer(
                400,
                &[],
                r#"{"error":"bad_request","message":"x"}"#
            )),
            Outcome::Fail(SyncError::Server {
                status: 400,
                code: "bad_request".into()
            })
        );
    }

    #[test]
    fn cursors_are_escaped_for_the_query() {
        assert_eq!(percent_encode("e1.25"), "e1.25");
        assert_eq!(percent_encode("a b&c=d"), "a%20b%26c%3Dd");
    }
}
