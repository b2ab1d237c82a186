//! A local stand-in for FCM, APNs and a Web Push service, on one port, for tests, the
//! demo and the Kotlin/Swift tests. It checks the wire format as strictly as the real
//! services (stricter where our format is fixed): credentials are verified against the
//! keys it knows, APNs must arrive over HTTP/2, Web Push bodies are decrypted with the
//! subscription's private key as a phone would. Every accepted push is kept as a
//! [`Received`], every refused request as a [`Refusal`], so a test can assert both.
//!
//! - `POST /token`: Google's OAuth2 token endpoint (JWT bearer grant).
//! - `POST /v1/projects/{project}/messages:send`: FCM HTTP v1.
//! - `POST /3/device/{token}`: the APNs provider API (HTTP/2 only).
//! - `POST /wp/{id}`: a Web Push endpoint (what a UnifiedPush distributor gives).
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! use pasar_server::push::sink::{self, SinkKeys};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
//! let sink = sink::start(listener, SinkKeys::generate()?).await.map_err(|e| e.to_string())?;
//! let gateways = sink.gateways()?; // FCM, APNs and Web Push, all aimed at the sink
//! # Ok(()) }
//! ```

mod apns;
mod export;
mod fcm;
mod webpush;

use super::gateway::{
    Apns, ApnsConfig, Fcm, FcmConfig, Gateways, MAX_PAYLOAD, ServiceAccount, WebPush,
    WebPushConfig, jwt,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The FCM service account the sink accepts. A TEST-ONLY key made for the local sink:
/// never registered with Google, worth nothing. Its `token_uri` is replaced by the
/// sink's own `/token` at start.
pub const TEST_SERVICE_ACCOUNT: &str = include_str!("../test-service-account.json");
/// The APNs key id, team id and topic the sink expects.
pub const APNS_KEY_ID: &str = "SINKKEY001";
pub const APNS_TEAM_ID: &str = "SINKTEAM01";
pub const APNS_TOPIC: &str = "id.pasar.app";
/// The VAPID subject of [`Sink::web_push_config`].
pub const VAPID_SUBJECT: &str = "mailto:push-sink@pasar.invalid";
/// Bodies past this are not even read (the services' limits are far lower).
const READ_LIMIT: usize = 64 * 1024;

/// The keys the sink checks credentials against, and the private halves it hands to
/// the gateway configs aimed at it.
#[derive(Clone)]
pub struct SinkKeys {
    service_account: ServiceAccount,
    rsa_public: Vec<u8>,
    apns_key_pem: String,
    apns_public: Vec<u8>,
    vapid_key_pem: String,
    vapid_public: Vec<u8>,
    /// If set, every received push is also written there as `NNNN-gateway.json` (a
    /// [`Received`]) and `NNNN-gateway.payload` (its payload alone, compact JSON), for
    /// tests in other languages to read.
    pub out_dir: Option<PathBuf>,
}

impl SinkKeys {
    /// The test service account, and a fresh APNs key and VAPID key.
    pub fn generate() -> Result<SinkKeys, String> {
        let apns = jwt::generate_ec_pem().map_err(|e| e.to_string())?;
        let vapid = jwt::generate_ec_pem().map_err(|e| e.to_string())?;
        SinkKeys::new(TEST_SERVICE_ACCOUNT, apns, vapid)
    }

    /// Given keys: a service-account JSON, an APNs .p8 and a VAPID key (PEM PKCS#8).
    pub fn new(
        service_account_json: &str,
        apns_key_pem: String,
        vapid_key_pem: String,
    ) -> Result<SinkKeys, String> {
        let service_account: ServiceAccount = serde_json::from_str(service_account_json)
            .map_err(|e| format!("the service account JSON: {e}"))?;
        let rsa = jwt::rsa_key(&service_account.private_key).map_err(|e| e.to_string())?;
        let apns = jwt::ec_key(&apns_key_pem).map_err(|e| format!("APNs key: {e}"))?;
        let vapid = jwt::ec_key(&vapid_key_pem).map_err(|e| format!("VAPID key: {e}"))?;
        Ok(SinkKeys {
            rsa_public: jwt::rsa_public(&rsa),
            apns_public: jwt::ec_public(&apns),
            vapid_public: jwt::ec_public(&vapid),
            service_account,
            apns_key_pem,
            vapid_key_pem,
            out_dir: None,
        })
    }

    /// Also write each received push into `dir` (created if missing).
    pub fn with_out_dir(mut self, dir: impl Into<PathBuf>) -> SinkKeys {
        self.out_dir = Some(dir.into());
        self
    }
}

/// Which service a push was sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayKind {
    Fcm,
    Apns,
    WebPush,
}

/// One push the sink accepted.
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    pub gateway: GatewayKind,
    /// The FCM or APNs token, or the Web Push subscription id.
    pub token: String,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    /// The headers that matter for the service (APNs `apns-*`, Web Push `ttl`,
    /// `urgency`, `topic`, `content-encoding`), lower-case names.
    pub headers: BTreeMap<String, String>,
    /// What the app gets: FCM's `message.data`, APNs's `pasar` object, the decrypted
    /// Web Push JSON.
    pub payload: Value,
    /// The whole body: the request JSON for FCM and APNs, the decrypted plaintext's
    /// JSON for Web Push.
    pub body: Value,
    /// The body's size on the wire (encrypted, for Web Push).
    pub wire_bytes: usize,
}

/// One request the sink refused, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Refusal {
    pub path: String,
    pub why: String,
}

struct Subscription {
    secret: SecretKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    refusals: Vec<Refusal>,
    dead: HashSet<String>,
    /// The next `n` sends get this status.
    fail: Option<(usize, StatusCode)>,
    access_tokens: HashSet<String>,
    token_requests: usize,
    subscriptions: HashMap<String, Subscription>,
}

/// What the handlers share.
struct Inner {
    url: String,
    keys: SinkKeys,
    state: Mutex<State>,
    changed: Notify,
    rng: SystemRandom,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave State half-updated in a way that matters to a
        // test stand-in; keep serving.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn token_url(&self) -> String {
        format!("{}/token", self.url)
    }

    fn random_hex(&self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        // The system generator does not fail on the platforms we run on; a zero id
        // would still be an id.
        let _ = self.rng.fill(&mut buf);
        buf.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Records a refusal and answers `status` with `body`.
    fn refuse(&self, path: &str, status: StatusCode, body: Value, why: String) -> Response {
        tracing::info!(path, %status, why, "push sink refused a request");
        self.state().refusals.push(Refusal {
            path: path.to_owned(),
            why,
        });
        self.changed.notify_waiters();
        (status, axum::Json(body)).into_response()
    }

    /// A new Web Push subscription: see [`Sink::new_web_push_subscription`].
    fn subscribe(&self) -> (String, String, String) {
        let secret = loop {
            let mut bytes = [0u8; 32];
            let _ = self.rng.fill(&mut bytes);
            // Almost every 32 bytes are a valid scalar; zero and values past the
            // curve order are not.
            if let Ok(secret) = SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        let public = secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        let mut auth = [0u8; 16];
        let _ = self.rng.fill(&mut auth);
        let id = self.random_hex(16);
        let subscription = (
            format!("{}/wp/{id}", self.url),
            jwt::b64url(&public),
            jwt::b64url(&auth),
        );
        self.state().subscriptions.insert(
            id,
            Subscription {
                secret,
                public,
                auth,
            },
        );
        subscription
    }

    /// The status of the next send, if [`Sink::fail_next`] asked for one.
    fn take_failure(&self) -> Option<StatusCode> {
        let mut state = self.state();
        let (left, status) = state.fail?;
        state.fail = (left > 1).then_some((left - 1, status));
        Some(status)
    }

    fn is_dead(&self, token: &str) -> bool {
        self.state().dead.contains(token)
    }

    async fn record(&self, received: Received) {
        let seq = {
            let mut state = self.state();
            state.received.push(received.clone());
            state.received.len()
        };
        if let Some(dir) = &self.keys.out_dir {
            let name = format!("{seq:04}-{}.json", kind_name(received.gateway));
            let write = async {
                tokio::fs::create_dir_all(dir).await?;
                let json = serde_json::to_vec_pretty(&received).map_err(std::io::Error::other)?;
                // The payload alone, as the app hands it to the core, written first:
                // a reader that sees the record finds its payload there too.
                let payload =
                    serde_json::to_vec(&received.payload).map_err(std::io::Error::other)?;
                let stem = name.trim_end_matches(".json");
                tokio::fs::write(dir.join(format!("{stem}.payload")), payload).await?;
                tokio::fs::write(dir.join(&name), json).await
            };
            if let Err(e) = write.await {
                tracing::warn!(dir = %dir.display(), error = %e, "push sink cannot write a received push");
            }
        }
        self.changed.notify_waiters();
    }
}

fn kind_name(kind: GatewayKind) -> &'static str {
    match kind {
        GatewayKind::Fcm => "fcm",
        GatewayKind::Apns => "apns",
        GatewayKind::WebPush => "webpush",
    }
}

/// A header's text, if present and text.
fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `HTTP/1.1`, `HTTP/2.0`, ...
fn version_name(version: axum::http::Version) -> String {
    format!("{version:?}")
}

/// Reads a request's body up to [`READ_LIMIT`].
async fn read_body(request: Request) -> Result<Bytes, String> {
    axum::body::to_bytes(request.into_body(), READ_LIMIT)
        .await
        .map_err(|e| format!("cannot read the body: {e}"))
}

/// Adds `Retry-After: 1` to 429 and 5xx answers (what [`Sink::fail_next`] tests).
fn with_retry_after(status: StatusCode, mut response: Response) -> Response {
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// The running sink. Dropping it stops the server.
pub struct Sink {
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the sink on `listener` (HTTP/1.1 and HTTP/2 with prior knowledge, on the
/// same port) until the returned [`Sink`] is dropped.
pub async fn start(listener: TcpListener, keys: SinkKeys) -> std::io::Result<Sink> {
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let mut keys = keys;
    keys.service_account.token_uri = format!("{url}/token");
    let inner = Arc::new(Inner {
        url,
        keys,
        state: Mutex::default(),
        changed: Notify::new(),
        rng: SystemRandom::new(),
    });
    let app = Router::new()
        .route("/token", post(fcm::token))
        .route("/v1/projects/{project}/messages:send", post(fcm::send))
        .route("/3/device/{token}", post(apns::send))
        .route("/wp/{id}", post(webpush::receive))
        .route("/subscriptions", post(export::subscribe))
        .fallback(unknown)
        .with_state(Arc::clone(&inner));
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the push sink stopped");
        }
    });
    tracing::info!(url = %inner.url, "push sink listening");
    Ok(Sink { inner, task })
}

async fn unknown(
    axum::extract::State(sink): axum::extract::State<Arc<Inner>>,
    request: Request,
) -> Response {
    let why = format!("no such endpoint: {} {}", request.method(), request.uri());
    sink.refuse(
        request.uri().path(),
        StatusCode::NOT_FOUND,
        serde_json::json!({"error": "not found"}),
        why,
    )
}

impl Sink {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Every push accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.inner.state().received.clone()
    }

    /// Every request refused so far, in order.
    pub fn refusals(&self) -> Vec<Refusal> {
        self.inner.state().refusals.clone()
    }

    /// How many access tokens were asked for at `/token` (refused requests included).
    pub fn token_requests(&self) -> usize {
        self.inner.state().token_requests
    }

    /// Waits until at least `n` pushes were received or `timeout` passed; returns what
    /// was received either way.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            // Registered before looking, so a push between the look and the wait
            // still wakes us.
            changed.as_mut().enable();
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.received();
            }
        }
    }

    /// From now on, pushes to `token` (an FCM or APNs token, or a Web Push
    /// subscription id) get the service's "gone" answer.
    pub fn mark_dead(&self, token: &str) {
        self.inner.state().dead.insert(token.to_owned());
    }

    /// The next `n` sends (not token requests) are answered with `status` (e.g. 503;
    /// 429 and 5xx carry `Retry-After: 1`; APNs 403 says `ExpiredProviderToken`).
    pub fn fail_next(&self, n: usize, status: u16) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        self.inner.state().fail = (n > 0).then_some((n, status));
    }

    /// Forgets every access token issued: the next FCM send gets 401, as after a
    /// revocation.
    pub fn expire_access_tokens(&self) {
        self.inner.state().access_tokens.clear();
    }

    /// A new Web Push subscription, as a phone would make it: `(endpoint, p256dh,
    /// auth)`, the keys base64url. The sink keeps the private key to decrypt.
    pub fn new_web_push_subscription(&self) -> (String, String, String) {
        self.inner.subscribe()
    }

    /// An FCM config aimed at the sink with the test service account.
    pub fn fcm_config(&self) -> FcmConfig {
        FcmConfig {
            service_account: self.inner.keys.service_account.clone(),
            base_url: self.inner.url.clone(),
            token_url: None,
        }
    }

    /// An APNs config aimed at the sink with the key it checks tokens against.
    pub fn apns_config(&self) -> ApnsConfig {
        ApnsConfig {
            key_pem: self.inner.keys.apns_key_pem.clone(),
            key_id: APNS_KEY_ID.to_owned(),
            team_id: APNS_TEAM_ID.to_owned(),
            topic: APNS_TOPIC.to_owned(),
            base_url: self.inner.url.clone(),
        }
    }

    /// A Web Push config with the VAPID key the sink's subscriptions are bound to
    /// (plain http allowed: the sink has no TLS).
    pub fn web_push_config(&self) -> WebPushConfig {
        WebPushConfig {
            vapid_key_pem: self.inner.keys.vapid_key_pem.clone(),
            subject: VAPID_SUBJECT.to_owned(),
            allow_http: true,
        }
    }

    /// All three gateways aimed at the sink.
    pub fn gateways(&self) -> Result<Gateways, String> {
        Ok(Gateways {
            fcm: Some(Fcm::new(self.fcm_config())?),
            apns: Some(Apns::new(self.apns_config())?),
            web_push: Some(WebPush::new(self.web_push_config())?),
        })
    }
}

/// Every value of `value` is a string (FCM data, our APNs `pasar` object, our Web Push
/// payload).
fn strings_only(value: &Value, what: &str) -> Result<(), String> {
    let map = value
        .as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))?;
    match map.iter().find(|(_, v)| !v.is_string()) {
        Some((k, v)) => Err(format!("{what}.{k} is {v}, not a string")),
        None => Ok(()),
    }
}

/// `Err` naming the first key of `map` outside `allowed`.
fn only_keys(
    map: &serde_json::Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> Result<(), String> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unexpected key {what}.{k}")),
        None => Ok(()),
    }
}

/// `Err` when a payload is over the services' limit.
fn check_payload_size(len: usize) -> Result<(), String> {
    if len > MAX_PAYLOAD {
        Err(format!("payload is {len} bytes, over {MAX_PAYLOAD}"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_test_service_account_reads() {
        let keys = SinkKeys::generate().expect("keys");
        assert_eq!(keys.service_account.project_id, "pasar-test");
        assert_eq!(
            keys.service_account.client_email,
            "pasar-test@pasar-test.iam.gserviceaccount.com"
        );
    }

    #[test]
    fn shape_helpers() {
        assert!(strings_only(&json!({"a": "b"}), "data").is_ok());
        assert_eq!(
            strings_only(&json!({"a": 1}), "data"),
            Err("data.a is 1, not a string".into())
        );
        assert!(strings_only(&json!([]), "data").is_err());
        let map = json!({"a": 1, "b": 2});
        let map = map.as_object().expect("object");
        assert!(only_keys(map, &["a", "b", "c"], "m").is_ok());
        assert_eq!(
            only_keys(map, &["a"], "m"),
            Err("unexpected key m.b".into())
        );
        assert!(check_payload_size(MAX_PAYLOAD).is_ok());
        assert!(check_payload_size(MAX_PAYLOAD + 1).is_err());
    }
}
