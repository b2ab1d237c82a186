//! Push gateways: FCM HTTP v1 (Android with Google services), the APNs provider API
//! (iOS) and Web Push with VAPID (UnifiedPush on Android without Google). Each speaks
//! its service's real wire protocol; [`crate::push::sink`] stands in for all three in
//! tests and checks that wire format.
//!
//! A push carries hints, never data: "something changed, sync". The app syncs and
//! builds any text itself, so nothing of an order travels through Google or Apple.
//! What a gateway says back is an [`Outcome`]: the caller prunes dead tokens, retries
//! later, or logs our bug; no gateway retries on its own beyond a stale credential.

pub mod apns;
pub mod fcm;
pub mod jwt;
pub mod webpush;

pub use apns::{Apns, ApnsConfig};
pub use fcm::{Fcm, FcmConfig, ServiceAccount};
pub use webpush::{WebPush, WebPushConfig};

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where one device receives pushes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An FCM registration token.
    Fcm { token: String },
    /// An APNs device token (hex).
    Apns { token: String },
    /// A Web Push subscription (a UnifiedPush distributor gives the same three).
    WebPush {
        endpoint: String,
        /// base64url, the 65-byte uncompressed P-256 point of the device's key.
        p256dh: String,
        /// base64url, the 16-byte authentication secret.
        auth: String,
    },
}

/// One push: hints, never data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Small string hints for the app (what changed, not its content).
    pub data: BTreeMap<String, String>,
    /// A newer push with the same key replaces an undelivered older one.
    pub collapse_key: String,
    /// How long the service keeps it for an offline device.
    pub ttl: Duration,
    /// Wake the device now (an order moved) rather than when convenient.
    pub urgent: bool,
    /// Visible to the user (order moves) rather than a silent background sync.
    pub alert: bool,
}

/// What became of one push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The token is dead: prune it (FCM UNREGISTERED/404, APNs 410 or 400
    /// BadDeviceToken, Web Push 404/410).
    Gone,
    /// Try again later (429, 5xx, network); `after` is the service's Retry-After.
    Retry {
        after: Option<Duration>,
    },
    /// Refused for something on our side (a bad request, bad credentials, too big):
    /// retrying the same push would fail the same way.
    Rejected(String),
}

/// The future a [`Gateway`] returns (boxed so the trait stays object-safe without a
/// macro crate).
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// Something that delivers a [`Message`] to a [`Target`].
pub trait Gateway: Send + Sync {
    fn send<'a>(&'a self, target: &'a Target, msg: &'a Message) -> SendFuture<'a>;
}

/// The gateways this server has credentials for; a push goes to the one its target
/// needs.
#[derive(Default)]
pub struct Gateways {
    pub fcm: Option<Fcm>,
    pub apns: Option<Apns>,
    pub web_push: Option<WebPush>,
}

impl Gateways {
    pub async fn send(&self, target: &Target, msg: &Message) -> Outcome {
        match target {
            Target::Fcm { .. } => match &self.fcm {
                Some(g) => g.send(target, msg).await,
                None => Outcome::Rejected("no FCM configured".into()),
            },
            Target::Apns { .. } => match &self.apns {
                Some(g) => g.send(target, msg).await,
                None => Outcome::Rejected("no APNs configured".into()),
            },
            Target::WebPush { .. } => match &self.web_push {
                Some(g) => g.send(target, msg).await,
                None => Outcome::Rejected("no Web Push configured".into()),
            },
        }
    }
}

impl Gateway for Gateways {
    fn send<'a>(&'a self, target: &'a Target, msg: &'a Message) -> SendFuture<'a> {
        Box::pin(Gateways::send(self, target, msg))
    }
}

/// The most any gateway sends as payload: APNs and FCM refuse more, and a Web Push
/// body (header and one record) this size is what every push service must take
/// (RFC 8030 §7.2).
pub const MAX_PAYLOAD: usize = 4096;

/// `Some(Rejected)` when an encoded payload is over [`MAX_PAYLOAD`]: refused here,
/// before any request, since the service would refuse it anyway.
pub(crate) fn check_size(gateway: &str, len: usize) -> Option<Outcome> {
    (len > MAX_PAYLOAD).then(|| {
        Outcome::Rejected(format!(
            "{gateway} payload is {len} bytes, over the {MAX_PAYLOAD}-byte limit"
        ))
    })
}

/// Seconds since 1970 by the machine's clock (JWT `iat`/`exp`, APNs expiration).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A `Retry-After` in seconds; the HTTP-date form is not used by these services.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// 429 and 5xx are the service's trouble, worth a later try.
pub(crate) fn is_retryable(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The HTTP client of one gateway. `http2_only`: HTTP/2 from the first byte (APNs
/// accepts nothing else); over TLS that is also the only protocol offered by ALPN.
pub(crate) fn http_client(http2_only: bool) -> Result<reqwest::Client, String> {
    // reqwest is built without a TLS crypto provider of its own (no aws-lc C build);
    // ring is ours. Installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = reqwest::Client::builder()
        // A push service never redirects; following one would send our credentials
        // somewhere we did not choose.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30));
    let builder = if http2_only {
        builder.http2_prior_knowledge()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| format!("cannot make the HTTP client: {e}"))
}

/// The outcome of a request that never got an answer (refused connection, timeout,
/// reset): the service may be fine a moment later.
pub(crate) fn network_failure(gateway: &str, error: &reqwest::Error) -> Outcome {
    tracing::warn!(gateway, error = %error, "push request failed");
    Outcome::Retry { after: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            data: BTreeMap::new(),
            collapse_key: "k".into(),
            ttl: Duration::from_secs(60),
            urgent: false,
            alert: false,
        }
    }

    #[tokio::test]
    async fn a_target_without_its_gateway_is_rejected() {
        let none = Gateways::default();
        for (target, want) in [
            (Target::Fcm { token: "t".into() }, "no FCM configured"),
            (Target::Apns { token: "t".into() }, "no APNs configured"),
            (
                Target::WebPush {
                    endpoint: "https://push.example/x".into(),
                    p256dh: String::new(),
                    auth: String::new(),
                },
                "no Web Push configured",
            ),
        ] {
            assert_eq!(
                none.send(&target, &msg()).await,
                Outcome::Rejected(want.into())
            );
        }
    }

    #[test]
    fn sizes_up_to_the_limit_pass() {
        assert_eq!(check_size("FCM", MAX_PAYLOAD), None);
        assert!(matches!(
            check_size("FCM", MAX_PAYLOAD + 1),
            Some(Outcome::Rejected(_))
        ));
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().expect("value"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("value"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
