//! The APNs provider API: HTTP/2 only, authenticated by an ES256 provider token signed
//! with the team's .p8 key. An alert push carries placeholder text that the app's
//! Notification Service Extension replaces with the core's own (built from synced
//! data, so no order detail passes through Apple); a background push only wakes the
//! app to sync.

use super::{
    Gateway, Message, Outcome, SendFuture, Target, check_size, http_client, is_retryable, jwt,
    network_failure, retry_after, unix_now,
};
use reqwest::StatusCode;
use ring::signature::EcdsaKeyPair;
use serde_json::{Value, json};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const DEFAULT_BASE_URL: &str = "https://api.push.apple.com";
/// APNs refuses a provider token older than an hour and one refreshed more often than
/// every 20 minutes (TooManyProviderTokenUpdates); 40 minutes is well inside both.
const TOKEN_LIFETIME: Duration = Duration::from_secs(40 * 60);
/// The longest `apns-collapse-id` APNs takes.
const MAX_COLLAPSE_ID: usize = 64;

/// What the APNs gateway needs.
#[derive(Clone)]
pub struct ApnsConfig {
    /// The .p8 file's text (PEM PKCS#8, P-256).
    pub key_pem: String,
    /// The key's 10-character id from the developer account.
    pub key_id: String,
    pub team_id: String,
    /// The app's bundle id.
    pub topic: String,
    /// `https://api.push.apple.com` (or the sandbox, or the local sink).
    pub base_url: String,
}

impl ApnsConfig {
    /// Aimed at Apple's production service.
    pub fn new(key_pem: String, key_id: String, team_id: String, topic: String) -> ApnsConfig {
        ApnsConfig {
            key_pem,
            key_id,
            team_id,
            topic,
            base_url: DEFAULT_BASE_URL.to_owned(),
        }
    }
}

impl fmt::Debug for ApnsConfig {
    // The key stays out of logs and test failure messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApnsConfig")
            .field("key_id", &self.key_id)
            .field("team_id", &self.team_id)
            .field("topic", &self.topic)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

struct ProviderToken {
    jwt: String,
    made: Instant,
}

/// Sends to APNs. One per server: it keeps the provider token and the HTTP/2
/// connection (APNs wants a few long-lived connections, not one per push).
pub struct Apns {
    client: reqwest::Client,
    key: EcdsaKeyPair,
    key_id: String,
    team_id: String,
    topic: String,
    base_url: String,
    /// Never held across an await.
    token: Mutex<Option<ProviderToken>>,
}

impl Apns {
    pub fn new(config: ApnsConfig) -> Result<Apns, String> {
        let key = jwt::ec_key(&config.key_pem).map_err(|e| format!("the APNs .p8 key: {e}"))?;
        if config.topic.is_empty() || config.key_id.is_empty() || config.team_id.is_empty() {
            return Err("APNs needs a key id, a team id and a topic (the bundle id)".into());
        }
        Ok(Apns {
            // HTTP/2 from the first byte: over TLS, ALPN then offers only h2; over plain
            // http (the local sink) it is h2c with prior knowledge.
            client: http_client(true)?,
            key,
            key_id: config.key_id,
            team_id: config.team_id,
            topic: config.topic,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            token: Mutex::new(None),
        })
    }

    /// The provider token: reused for [`TOKEN_LIFETIME`], remade when older or when
    /// `stale` (the one APNs just called expired) is still the current one.
    fn provider_token(&self, stale: Option<&str>) -> Result<String, Outcome> {
        let mut cached = self
            .token
            .lock()
            .map_err(|_| Outcome::Rejected("the APNs token lock is poisoned".into()))?;
        if let Some(t) = cached.as_ref()
            && t.made.elapsed() < TOKEN_LIFETIME
            && stale != Some(t.jwt.as_str())
        {
            return Ok(t.jwt.clone());
        }
        let jwt = jwt::sign_es256(
            &self.key,
            &json!({"alg": "ES256", "kid": self.key_id}),
            &json!({"iss": self.team_id, "iat": unix_now()}),
        )
        .map_err(|e| Outcome::Rejected(format!("APNs provider token: {e}")))?;
        *cached = Some(ProviderToken {
            jwt: jwt.clone(),
            made: Instant::now(),
        });
        Ok(jwt)
    }

    async fn push(&self, target: &Target, msg: &Message) -> Outcome {
        let Target::Apns { token } = target else {
            return Outcome::Rejected("the APNs gateway sends only to APNs tokens".into());
        };
        // The token goes into the path: anything but hex would change the request.
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Outcome::Gone;
        }
        let body = request_body(msg).to_string();
        if let Some(too_big) = check_size("APNs", body.len()) {
            return too_big;
        }
        let url = format!("{}/3/device/{token}", self.base_url);
        let mut stale: Option<String> = None;
        loop {
            let jwt = match self.provider_token(stale.as_deref()) {
                Ok(j) => j,
                Err(outcome) => return outcome,
            };
            let mut request = self
                .client
                .post(&url)
                .header("authorization", format!("bearer {jwt}"))
                .header("apns-topic", &self.topic)
                .header(
                    "apns-push-type",
                    if msg.alert { "alert" } else { "background" },
                )
                // Background pushes must be 5; APNs refuses 10 for them.
                .header(
                    "apns-priority",
                    if msg.alert && msg.urgent { "10" } else { "5" },
                )
                .header(
                    "apns-expiration",
                    (unix_now() + msg.ttl.as_secs()).to_string(),
                )
                .header("content-type", "application/json")
                .body(body.clone());
            if !msg.collapse_key.is_empty() {
                request = request.header("apns-collapse-id", collapse_id(&msg.collapse_key));
            }
            let answer = match request.send().await {
                Ok(a) => a,
                Err(e) => return network_failure("apns", &e),
            };
            let status = answer.status();
            let after = retry_after(answer.headers());
            let text = answer.bytes().await.unwrap_or_default();
            let reason = serde_json::from_slice::<Value>(&text)
                .ok()
                .and_then(|v| v["reason"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if status == StatusCode::FORBIDDEN
                && reason == "ExpiredProviderToken"
                && stale.is_none()
            {
                // Our clock and Apple's disagree on its age: a new one, once.
                tracing::info!("APNs called the provider token expired; making a new one");
                stale = Some(jwt);
                continue;
            }
            return outcome(status, after, &reason);
        }
    }
}

impl Gateway for Apns {
    fn send<'a>(&'a self, target: &'a Target, msg: &'a Message) -> SendFuture<'a> {
        Box::pin(self.push(target, msg))
    }
}

/// The collapse key as APNs takes it: at most 64 bytes, so a longer one is replaced by
/// its hash (the same key still gives the same id).
fn collapse_id(key: &str) -> String {
    if key.len() <= MAX_COLLAPSE_ID {
        key.to_owned()
    } else {
        jwt::b64url(ring::digest::digest(&ring::digest::SHA256, key.as_bytes()).as_ref())
    }
}

/// The JSON body: generic localized text for an alert (the extension replaces it), or
/// only `content-available` for a background push; the hints under `pasar`.
fn request_body(msg: &Message) -> Value {
    let aps = if msg.alert {
        json!({
            "alert": {"title-loc-key": "pasar_order_title", "loc-key": "pasar_order_body"},
            "mutable-content": 1,
            "sound": "default",
        })
    } else {
        json!({"content-available": 1})
    };
    json!({"aps": aps, "pasar": msg.data})
}

/// What APNs's answer means for the token.
fn outcome(status: StatusCode, after: Option<Duration>, reason: &str) -> Outcome {
    if status.is_success() {
        return Outcome::Delivered;
    }
    if status == StatusCode::GONE
        || (status == StatusCode::BAD_REQUEST
            && matches!(reason, "BadDeviceToken" | "DeviceTokenNotForTopic"))
    {
        return Outcome::Gone;
    }
    if is_retryable(status) {
        return Outcome::Retry { after };
    }
    tracing::warn!(%status, reason, "APNs refused a push");
    Outcome::Rejected(format!("APNs {status}: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn msg(alert: bool, urgent: bool) -> Message {
        Message {
            data: BTreeMap::from([("kind".into(), "order".into())]),
            collapse_key: "orders".into(),
            ttl: Duration::from_secs(60),
            urgent,
            alert,
        }
    }

    #[test]
    fn alert_and_background_bodies() {
        assert_eq!(
            request_body(&msg(true, true)),
            json!({
                "aps": {
                    "alert": {"title-loc-key": "pasar_order_title", "loc-key": "pasar_order_body"},
                    "mutable-content": 1,
                    "sound": "default",
                },
                "pasar": {"kind": "order"},
            })
        );
        assert_eq!(
            request_body(&msg(false, true)),
            json!({"aps": {"content-available": 1}, "pasar": {"kind": "order"}})
        );
    }

    #[test]
    fn long_collapse_keys_are_hashed_under_64_bytes() {
        assert_eq!(collapse_id("orders"), "orders");
        let long = "x".repeat(65);
        assert_eq!(collapse_id(&long).len(), 43);
        assert_eq!(collapse_id(&long), collapse_id(&long));
        assert_eq!(collapse_id(&"x".repeat(64)), "x".repeat(64));
    }

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(StatusCode::OK, None, ""), Outcome::Delivered);
        assert_eq!(
            outcome(StatusCode::GONE, None, "Unregistered"),
            Outcome::Gone
        );
        assert_eq!(
            outcome(StatusCode::BAD_REQUEST, None, "BadDeviceToken"),
            Outcome::Gone
        );
        assert_eq!(
            outcome(StatusCode::BAD_REQUEST, None, "DeviceTokenNotForTopic"),
            Outcome::Gone
        );
        assert_eq!(
            outcome(StatusCode::BAD_REQUEST, None, "BadCollapseId"),
            Outcome::Rejected("APNs 400 Bad Request: BadCollapseId".into())
        );
        assert_eq!(
            outcome(StatusCode::FORBIDDEN, None, "InvalidProviderToken"),
            Outcome::Rejected("APNs 403 Forbidden: InvalidProviderToken".into())
        );
        let later = Some(Duration::from_secs(1));
        assert_eq!(
            outcome(StatusCode::SERVICE_UNAVAILABLE, later, "ServiceUnavailable"),
            Outcome::Retry { after: later }
        );
        assert_eq!(
            outcome(StatusCode::TOO_MANY_REQUESTS, None, "TooManyRequests"),
            Outcome::Retry { after: None }
        );
    }

    #[test]
    fn the_provider_token_is_reused_until_called_stale() {
        let apns = Apns::new(ApnsConfig::new(
            jwt::generate_ec_pem().expect("key"),
            "KEY1234567".into(),
            "TEAM123456".into(),
            "id.pasar.app".into(),
        ))
        .expect("apns");
        let first = apns.provider_token(None).expect("token");
        assert_eq!(apns.provider_token(None).expect("token"), first);
        let v = jwt::verify_es256(&first, &jwt::ec_public(&apns.key)).expect("verifies");
        assert_eq!(v.header, json!({"alg": "ES256", "kid": "KEY1234567"}));
        assert_eq!(v.claims["iss"], "TEAM123456");
        // Remade only when the stale one is still current; an already-replaced one
        // does not make another (APNs limits how often tokens change).
        let second = apns.provider_token(Some(&first)).expect("token");
        assert_ne!(second, first);
        assert_eq!(apns.provider_token(Some(&first)).expect("token"), second);
    }
}
