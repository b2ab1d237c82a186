//! Sync over the FFI: the apps bring the HTTP client (OkHttp / HttpURLConnection,
//! URLSession) and the secure token storage (Keystore, Keychain); the core does the
//! rest — the outbox, batching, retries, merging, compression.
//!
//! The platform's own HTTP keeps the library small (no second TLS stack in the app) and
//! follows the phone's proxy, certificate and metered-network rules.

use crate::catalog::ListenerHandle;
use crate::error::PasarError;
use pasar_core::sync as core;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

/// A request for the app's HTTP client to send as it is. The body is already
/// compressed when it says so (`content-encoding`); do not add or undo compression.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// `GET`, `POST` or `PUT` (`PUT` carries photo chunks: send `body` as it is).
    pub method: String,
    pub url: String,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

/// The answer, with its status, headers and body bytes as received.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

/// The request got no answer (offline, refused, timed out, cut off). The core retries.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HttpError {
    #[error("network: {reason}")]
    Network { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HttpError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpError::Network { reason: e.reason }
    }
}

/// Implemented by the apps: send one request, blocking, and return the whole answer.
/// Called on a background thread. Do not follow redirects; do not decompress.
#[uniffi::export(callback_interface)]
pub trait HttpClient: Send + Sync {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// Implemented by the apps over the platform's secure storage (Android Keystore, iOS
/// Keychain): the session token never sits in the core's database.
#[uniffi::export(callback_interface)]
pub trait TokenStore: Send + Sync {
    fn load(&self) -> Option<String>;
    /// `None`: forget the token (signed out, or the server ended the session).
    fn save(&self, token: Option<String>);
}

struct Http(Box<dyn HttpClient>);

impl core::HttpClient for Http {
    fn send(&self, r: core::HttpRequest) -> Result<core::HttpResponse, core::TransportError> {
        let request = HttpRequest {
            method: r.method,
            url: r.url,
            headers: r
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            body: r.body,
        };
        match self.0.send(request) {
            Ok(a) => Ok(core::HttpResponse {
                status: a.status,
                headers: a.headers.into_iter().map(|h| (h.name, h.value)).collect(),
                body: a.body,
            }),
            Err(HttpError::Network { reason }) => Err(core::TransportError(reason)),
        }
    }
}

struct Tokens(Box<dyn TokenStore>);

impl core::TokenStore for Tokens {
    fn load(&self) -> Option<String> {
        self.0.load()
    }
    fn save(&self, token: Option<String>) {
        self.0.save(token)
    }
}

/// What a sync round did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    pub pushed: u64,
    pub rejected: u64,
    pub pulled: u64,
    pub pending: u64,
    /// Photos sent this round (not counting those the server had already).
    pub photos_uploaded: u64,
    /// Photos the server refused for good or that are gone from this phone.
    pub photos_refused: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// False when the time budget ran out first; the next round goes on.
    pub complete: bool,
    /// Order moves to show as notifications: each change once, whether it came by
    /// push or by this sync.
    pub notices: Vec<Notice>,
}

/// A notification to show, in the language the app registered for pushes.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Notice {
    pub order_id: String,
    /// The order's version it tells of.
    pub version: i64,
    pub title: String,
    pub body: String,
    /// `pasar://order/<id>`: the screen a tap opens.
    pub deep_link: String,
    /// One per order: post with it as the tag (Android) / thread id (iOS) so a newer
    /// notice of the same order replaces the shown one.
    pub collapse_key: String,
}

impl From<core::Notice> for Notice {
    fn from(n: core::Notice) -> Self {
        Notice {
            order_id: n.order_id,
            version: n.version,
            title: n.title,
            body: n.body,
            deep_link: n.deep_link,
            collapse_key: n.collapse_key,
        }
    }
}

/// Which push service delivers to this install.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android with Google Play services).
    Fcm,
    /// Apple Push Notification service.
    Apns,
    /// A UnifiedPush distributor (Web Push, RFC 8291): Android without Google.
    UnifiedPush,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        SyncReport {
            pushed: r.pushed,
            rejected: r.rejected,
            pulled: r.pulled,
            pending: r.pending,
            photos_uploaded: r.photos_uploaded,
            photos_refused: r.photos_refused,
            bytes_sent: r.bytes_sent,
            bytes_received: r.bytes_received,
            complete: r.complete,
            notices: r.notices.into_iter().map(Notice::from).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    Waiting { retry_in_ms: u64 },
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub pushed: u64,
    pub pending: u64,
    pub pulled: u64,
}

impl From<&core::SyncProgress> for SyncProgress {
    fn from(p: &core::SyncProgress) -> Self {
        SyncProgress {
            phase: match p.phase {
                core::SyncPhase::Pushing => SyncPhase::Pushing,
                core::SyncPhase::Pulling => SyncPhase::Pulling,
                core::SyncPhase::Waiting { retry_in_ms } => SyncPhase::Waiting { retry_in_ms },
                core::SyncPhase::Done => SyncPhase::Done,
            },
            pushed: p.pushed,
            pending: p.pending,
            pulled: p.pulled,
        }
    }
}

/// Why the server refused a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RefusalKind {
    OutOfStock,
    NotAllowed,
    NotFound,
    Conflict,
    Invalid,
}

/// A change the server refused for good (out of stock, not allowed), with the message
/// the screen that made it shows.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RejectedChange {
    pub mutation_id: u64,
    /// `product:<id>`, `order:<id>`, `group:<id>`, `profile`.
    pub entity: String,
    pub kind: RefusalKind,
    /// The form field at fault, when there is one (`stock`, `price`).
    pub field: Option<String>,
    pub indonesian: String,
    pub english: String,
    pub at_ms: i64,
}

impl From<core::RejectedChange> for RejectedChange {
    fn from(r: core::RejectedChange) -> Self {
        use pasar_core::ErrorKind as K;
        RejectedChange {
            mutation_id: r.mutation_id,
            entity: r.entity,
            kind: match r.error.kind {
                K::OutOfStock => RefusalKind::OutOfStock,
                K::Unauthorized => RefusalKind::NotAllowed,
                K::NotFound => RefusalKind::NotFound,
                K::Conflict => RefusalKind::Conflict,
                _ => RefusalKind::Invalid,
            },
            field: r.error.field,
            indonesian: r.error.message.id,
            english: r.error.message.en,
            at_ms: r.at,
        }
    }
}

#[uniffi::export(callback_interface)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
    fn on_rejected(&self, change: RejectedChange);
}

/// Sign-in and sync with one server.
#[derive(uniffi::Object)]
pub struct SyncService {
    inner: core::SyncClient,
}

impl SyncService {
    pub(crate) fn new(
        pasar: &pasar_core::Pasar,
        server_url: String,
        http: Box<dyn HttpClient>,
        tokens: Box<dyn TokenStore>,
    ) -> Arc<Self> {
        Arc::new(SyncService {
            inner: pasar.sync(core::SyncConfig {
                server_url,
                http: Arc::new(Http(http)),
                tokens: Arc::new(Tokens(tokens)),
                backoff: core::Backoff::default(),
            }),
        })
    }
}

#[uniffi::export]
impl SyncService {
    /// Asks the server to send a one-time code to `phone` ("0812-3456-7890").
    pub async fn request_code(&self, phone: String) -> Result<(), PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || inner.request_code_blocking(&phone)).await
    }

    /// Signs in with the code; returns the account id. `name` is shown to others.
    pub async fn sign_in(
        &self,
        phone: String,
        code: String,
        name: Option<String>,
    ) -> Result<String, PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || inner.sign_in_blocking(&phone, &code, name.as_deref())).await
    }

    pub async fn sign_out(&self) -> Result<(), PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || inner.sign_out_blocking()).await
    }

    /// The account signed in on this phone, if any.
    pub async fn account_id(&self) -> Result<Option<String>, PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || inner.account_id_blocking()).await
    }

    /// Pushes what is queued and pulls what is new, within `budget_ms`. Call from
    /// WorkManager / BGTaskScheduler with the time you have, after a push
    /// notification, and when a screen opens.
    pub async fn sync(&self, budget_ms: u64) -> Result<SyncReport, PasarError> {
        let inner = self.inner.clone();
        let budget = std::time::Duration::from_millis(budget_ms.clamp(1, 15 * 60 * 1000));
        crate::blocking(move || inner.sync_blocking(budget).map(SyncReport::from)).await
    }

    /// Where this install receives pushes: the FCM or APNs token, or the UnifiedPush
    /// endpoint with its Web Push keys (`p256dh`, `auth`, base64url). Call whenever the
    /// platform hands over a token; it reaches the server with the next sync. `lang`
    /// (`id` or `en`) is the language of the notices.
    pub async fn register_push(
        &self,
        platform: PushPlatform,
        token: String,
        p256dh: Option<String>,
        auth: Option<String>,
        app_version: String,
        lang: String,
    ) -> Result<(), PasarError> {
        let inner = self.inner.clone();
        let platform = match platform {
            PushPlatform::Fcm => "fcm",
            PushPlatform::Apns => "apns",
            PushPlatform::UnifiedPush => "webpush",
        };
        let doc = pasar_core::sync::wire::PushDeviceDoc {
            platform: platform.to_owned(),
            token,
            p256dh,
            auth,
            app_version,
            lang,
        };
        crate::blocking(move || inner.register_push_blocking(doc)).await
    }

    /// A push arrived: `payload` is its data as JSON (FCM's data map, the APNs
    /// `userInfo`, the UnifiedPush message). Pulls the order within `budget_ms` and
    /// returns what to show — usually one notice; none when the change is known
    /// already or was the user's own. A malformed payload is an error, never obeyed.
    pub async fn handle_push(
        &self,
        payload: String,
        budget_ms: u64,
    ) -> Result<Vec<Notice>, PasarError> {
        let inner = self.inner.clone();
        let budget = std::time::Duration::from_millis(budget_ms.clamp(1, 60 * 1000));
        crate::blocking(move || {
            inner
                .handle_push_blocking(payload.as_bytes(), budget)
                .map(|v| v.into_iter().map(Notice::from).collect())
        })
        .await
    }

    /// Where the app's image loader fetches a photo (`thumbnail`: its small version)
    /// by its hash (`Photo.hash`): no token needed, cacheable for ever.
    pub fn photo_url(&self, hash: String, thumbnail: bool) -> String {
        self.inner.photo_url(&hash, thumbnail)
    }

    /// Changes saved on this phone and not yet confirmed by the server.
    pub async fn pending(&self) -> Result<u64, PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || inner.pending_blocking()).await
    }

    /// Refusals not yet dismissed, newest first.
    pub async fn rejections(&self) -> Result<Vec<RejectedChange>, PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || {
            inner
                .rejections_blocking()
                .map(|v| v.into_iter().map(RejectedChange::from).collect())
        })
        .await
    }

    pub async fn dismiss_rejection(&self, mutation_id: u64) -> Result<(), PasarError> {
        let inner = self.inner.clone();
        crate::blocking(move || inner.dismiss_rejection_blocking(mutation_id)).await
    }

    /// Progress and refusals, until the handle is dropped or cancelled.
    pub fn observe(&self, listener: Box<dyn SyncListener>) -> Arc<ListenerHandle> {
        let listener: Arc<dyn SyncListener> = Arc::from(listener);
        let on_progress = Arc::clone(&listener);
        let progress = self
            .inner
            .observe_progress(move |p| on_progress.on_progress(p.into()));
        let rejected = self
            .inner
            .observe_rejections(move |r| listener.on_rejected(r.clone().into()));
        ListenerHandle::new(progress.join(rejected))
    }
}
