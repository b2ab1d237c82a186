//! FCM HTTP v1: a data message per push, sent with an OAuth2 access token that a
//! service account's RS256-signed assertion buys from Google (the JWT bearer grant,
//! RFC 7523), cached until a minute before it expires.
//!
//! Data messages only, no `notification` block: the app builds any text itself from
//! what it syncs, so no order detail passes through Google.

use super::{
    Gateway, Message, Outcome, SendFuture, Target, check_size, http_client, is_retryable, jwt,
    network_failure, retry_after, unix_now,
};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use ring::signature::RsaKeyPair;
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt;
use std::time::{Duration, Instant};

const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
const DEFAULT_BASE_URL: &str = "https://fcm.googleapis.com";
/// FCM keeps a message at most four weeks; a longer TTL is refused.
const MAX_TTL: Duration = Duration::from_secs(28 * 24 * 3600);

/// The fields of a Google service-account JSON file this gateway uses (the file has
/// more; they are ignored).
#[derive(Clone, Deserialize)]
pub struct ServiceAccount {
    pub client_email: String,
    /// PEM PKCS#8 RSA key.
    pub private_key: String,
    pub project_id: String,
    pub token_uri: String,
}

impl fmt::Debug for ServiceAccount {
    // The private key stays out of logs and test failure messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .field("project_id", &self.project_id)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

/// What the FCM gateway needs.
#[derive(Clone, Debug)]
pub struct FcmConfig {
    pub service_account: ServiceAccount,
    /// `https://fcm.googleapis.com` unless pointed elsewhere (the local sink).
    pub base_url: String,
    /// Where to buy access tokens; `None`: the service account's `token_uri`.
    pub token_url: Option<String>,
}

impl FcmConfig {
    /// From the service-account JSON Google hands out, aimed at the real FCM.
    pub fn from_json(json: &str) -> Result<FcmConfig, String> {
        let service_account: ServiceAccount =
            serde_json::from_str(json).map_err(|e| format!("the FCM service account JSON: {e}"))?;
        Ok(FcmConfig {
            service_account,
            base_url: DEFAULT_BASE_URL.to_owned(),
            token_url: None,
        })
    }
}

/// An access token and when to stop using it.
struct AccessToken {
    token: String,
    refresh_at: Instant,
}

/// Sends to FCM. One per server: it keeps the access token and the connections.
pub struct Fcm {
    client: reqwest::Client,
    key: RsaKeyPair,
    client_email: String,
    token_url: String,
    send_url: String,
    /// Held across the token request so only one refresh runs at a time; the others
    /// wait and then use what it bought.
    token: tokio::sync::Mutex<Option<AccessToken>>,
}

impl Fcm {
    pub fn new(config: FcmConfig) -> Result<Fcm, String> {
        let account = config.service_account;
        let key = jwt::rsa_key(&account.private_key)
            .map_err(|e| format!("the FCM service account's private_key: {e}"))?;
        if account.project_id.is_empty()
            || !account
                .project_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!(
                "the FCM service account's project_id {:?} is not a project id",
                account.project_id
            ));
        }
        Ok(Fcm {
            client: http_client(false)?,
            key,
            client_email: account.client_email,
            token_url: config.token_url.unwrap_or(account.token_uri),
            send_url: format!(
                "{}/v1/projects/{}/messages:send",
                config.base_url.trim_end_matches('/'),
                account.project_id
            ),
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// The signed assertion the token endpoint takes: valid one hour from now.
    fn assertion(&self) -> Result<String, jwt::JwtError> {
        let iat = unix_now();
        jwt::sign_rs256(
            &self.key,
            &json!({"alg": "RS256", "typ": "JWT"}),
            &json!({
                "iss": self.client_email,
                "scope": SCOPE,
                "aud": self.token_url,
                "iat": iat,
                "exp": iat + 3600,
            }),
        )
    }

    /// The cached access token, or a new one. `Err` is the outcome to give the push.
    async fn access_token(&self) -> Result<String, Outcome> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok(t.token.clone());
        }
        let assertion = self
            .assertion()
            .map_err(|e| Outcome::Rejected(format!("FCM assertion: {e}")))?;
        // Every character of a JWT is unreserved in a form body; only the grant type's
        // colons need escaping.
        let form = format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
        );
        let answer = self
            .client
            .post(&self.token_url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| network_failure("fcm-token", &e))?;
        let status = answer.status();
        let after = retry_after(answer.headers());
        let body = answer
            .bytes()
            .await
            .map_err(|e| network_failure("fcm-token", &e))?;
        if !status.is_success() {
            if is_retryable(status) {
                return Err(Outcome::Retry { after });
            }
            let why = String::from_utf8_lossy(&body);
            tracing::error!(%status, answer = %why, "the OAuth2 token endpoint refused our service account");
            return Err(Outcome::Rejected(format!(
                "FCM token endpoint said {status}: {why}"
            )));
        }
        #[derive(Deserialize)]
        struct TokenAnswer {
            access_token: String,
            expires_in: u64,
            token_type: String,
        }
        let t: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|e| Outcome::Rejected(format!("FCM token answer: {e}")))?;
        if !t.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Outcome::Rejected(format!(
                "FCM token answer has token_type {:?}, not Bearer",
                t.token_type
            )));
        }
        tracing::debug!(expires_in = t.expires_in, "new FCM access token");
        // A minute early, so a token never expires between our check and Google's.
        let refresh_at = Instant::now() + Duration::from_secs(t.expires_in.saturating_sub(60));
        *cached = Some(AccessToken {
            token: t.access_token.clone(),
            refresh_at,
        });
        Ok(t.access_token)
    }

    /// Drops `stale` if it is still the cached token (another send may already have
    /// replaced it).
    async fn forget(&self, stale: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.token == stale) {
            *cached = None;
        }
    }

    async fn push(&self, target: &Target, msg: &Message) -> Outcome {
        let Target::Fcm { token } = target else {
            return Outcome::Rejected("the FCM gateway sends only to FCM tokens".into());
        };
        let body = request_body(token, msg).to_string();
        if let Some(too_big) = check_size("FCM", body.len()) {
            return too_big;
        }
        let mut retried = false;
        loop {
            let access = match self.access_token().await {
                Ok(t) => t,
                Err(outcome) => return outcome,
            };
            let answer = match self
                .client
                .post(&self.send_url)
                .header(AUTHORIZATION, format!("Bearer {access}"))
                .header(CONTENT_TYPE, "application/json; charset=UTF-8")
                .body(body.clone())
                .send()
                .await
            {
                Ok(a) => a,
                Err(e) => return network_failure("fcm", &e),
            };
            let status = answer.status();
            let after = retry_after(answer.headers());
            // An unreadable error body still has its status.
            let text = answer.bytes().await.unwrap_or_default();
            if status == StatusCode::UNAUTHORIZED && !retried {
                // Revoked or expired early: a new token, once.
                tracing::info!("FCM refused the access token; fetching a new one");
                self.forget(&access).await;
                retried = true;
                continue;
            }
            return outcome(status, after, &text);
        }
    }
}

impl Gateway for Fcm {
    fn send<'a>(&'a self, target: &'a Target, msg: &'a Message) -> SendFuture<'a> {
        Box::pin(self.push(target, msg))
    }
}

/// `{"message": {...}}` as FCM v1 takes it: every data value a string (FCM's rule),
/// Android options for priority, collapsing and lifetime.
fn request_body(token: &str, msg: &Message) -> Value {
    let mut android = json!({
        "priority": if msg.urgent { "HIGH" } else { "NORMAL" },
        "ttl": format!("{}s", msg.ttl.min(MAX_TTL).as_secs()),
    });
    if !msg.collapse_key.is_empty() {
        android["collapse_key"] = json!(msg.collapse_key);
    }
    json!({
        "message": {
            "token": token,
            "data": msg.data,
            "android": android,
        }
    })
}

/// What FCM's answer means for the token.
fn outcome(status: StatusCode, after: Option<Duration>, body: &[u8]) -> Outcome {
    if status.is_success() {
        return Outcome::Delivered;
    }
    let error: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let error = &error["error"];
    let unregistered = error["details"].as_array().is_some_and(|details| {
        details
            .iter()
            .any(|d| d["errorCode"].as_str() == Some("UNREGISTERED"))
    });
    if status == StatusCode::NOT_FOUND || unregistered {
        return Outcome::Gone;
    }
    if is_retryable(status) {
        return Outcome::Retry { after };
    }
    // A malformed token is INVALID_ARGUMENT too, but so is a bug of ours; only
    // UNREGISTERED (above) is sure enough to drop a token on.
    let why = error["message"]
        .as_str()
        .or_else(|| error["status"].as_str())
        .map_or_else(|| String::from_utf8_lossy(body).into_owned(), str::to_owned);
    tracing::warn!(%status, %why, "FCM refused a push");
    Outcome::Rejected(format!("FCM {status}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_body_is_a_data_message_with_android_options() {
        let msg = Message {
            data: BTreeMap::from([("kind".into(), "order".into())]),
            collapse_key: "orders".into(),
            ttl: Duration::from_secs(86_400),
            urgent: true,
            alert: true,
        };
        assert_eq!(
            request_body("tok", &msg),
            json!({"message": {
                "token": "tok",
                "data": {"kind": "order"},
                "android": {"priority": "HIGH", "collapse_key": "orders", "ttl": "86400s"},
            }})
        );
        let quiet = Message {
            urgent: false,
            ttl: Duration::from_secs(365 * 86_400),
            collapse_key: String::new(),
            ..msg
        };
        assert_eq!(
            request_body("tok", &quiet)["message"]["android"],
            json!({"priority": "NORMAL", "ttl": "2419200s"})
        );
    }

    #[test]
    fn answers_map_to_outcomes() {
        let unregistered = br#"{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}"#;
        let invalid = br#"{"error":{"code":400,"message":"The registration token is not a valid FCM registration token","status":"INVALID_ARGUMENT","details":[{"errorCode":"INVALID_ARGUMENT"}]}}"#;
        let none = None;
        assert_eq!(outcome(StatusCode::OK, none, b"{}"), Outcome::Delivered);
        assert_eq!(outcome(StatusCode::NOT_FOUND, none, b""), Outcome::Gone);
        assert_eq!(
            outcome(StatusCode::BAD_REQUEST, none, unregistered),
            Outcome::Gone
        );
        assert!(matches!(
            outcome(StatusCode::BAD_REQUEST, none, invalid),
            Outcome::Rejected(why) if why.contains("not a valid FCM registration token")
        ));
        let later = Some(Duration::from_secs(3));
        assert_eq!(
            outcome(StatusCode::TOO_MANY_REQUESTS, later, b""),
            Outcome::Retry { after: later }
        );
        assert_eq!(
            outcome(StatusCode::SERVICE_UNAVAILABLE, none, b"<html>"),
            Outcome::Retry { after: None }
        );
        assert!(matches!(
            outcome(StatusCode::FORBIDDEN, none, b"nope"),
            Outcome::Rejected(why) if why.contains("nope")
        ));
    }

    #[test]
    fn a_bad_service_account_is_refused_at_setup() {
        assert!(FcmConfig::from_json("{}").is_err());
        let mut config = FcmConfig::from_json(crate::push::sink::TEST_SERVICE_ACCOUNT)
            .expect("the fixture reads");
        config.service_account.project_id = "../evil".into();
        assert!(Fcm::new(config.clone()).is_err());
        config.service_account.project_id = "p".into();
        config.service_account.private_key =
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----".into();
        assert!(Fcm::new(config).is_err());
        // The key never shows in Debug output.
        let debug = format!(
            "{:?}",
            FcmConfig::from_json(crate::push::sink::TEST_SERVICE_ACCOUNT).expect("reads")
        );
        assert!(!debug.contains("PRIVATE"));
    }
}
