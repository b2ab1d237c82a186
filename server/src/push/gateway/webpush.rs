//! Web Push, as UnifiedPush distributors take it: the message encrypted for the device
//! (RFC 8291, `aes128gcm` content coding of RFC 8188) and the sender identified by a
//! VAPID token (RFC 8292). The push service (the distributor's server) sees only
//! ciphertext; the device decrypts with the key pair and secret it made when it
//! subscribed.
//!
//! Endpoints come from devices, so they are arbitrary URLs: only https ones are used
//! (plain http only when the configuration allows it, for the local sink), redirects
//! are not followed, and the key material is checked before anything is sent.

use super::{
    Gateway, Message, Outcome, SendFuture, Target, check_size, http_client, is_retryable, jwt,
    network_failure, retry_after, unix_now,
};
use reqwest::StatusCode;
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey};
use ring::hkdf::{HKDF_SHA256, KeyType, Salt};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::EcdsaKeyPair;
use serde_json::json;
use std::fmt;
use std::time::Duration;

/// The record size written in every message's header. One record holds the whole
/// message ([`super::MAX_PAYLOAD`] is below it).
pub(crate) const RECORD_SIZE: u32 = 4096;
/// salt (16) || rs (4) || idlen (1) || keyid: the sender's public key (65).
pub(crate) const HEADER_LEN: usize = 16 + 4 + 1 + 65;
/// The AES-GCM tag.
pub(crate) const TAG_LEN: usize = 16;
/// The padding delimiter of the last (here: only) record.
pub(crate) const LAST_RECORD: u8 = 0x02;
/// A VAPID token is valid this long; push services refuse more than 24 hours.
const VAPID_LIFETIME: u64 = 12 * 3600;

/// What the Web Push gateway needs.
#[derive(Clone)]
pub struct WebPushConfig {
    /// The VAPID key (PEM PKCS#8, P-256). Its public half is the
    /// `applicationServerKey` devices subscribe with: changing it strands every
    /// subscription.
    pub vapid_key_pem: String,
    /// Who to contact about our pushes: `mailto:...` or an https URL.
    pub subject: String,
    /// Send to plain `http://` endpoints too. Only for a local push service (the
    /// sink); a real subscription is always https.
    pub allow_http: bool,
}

impl WebPushConfig {
    pub fn new(vapid_key_pem: String, subject: String) -> WebPushConfig {
        WebPushConfig {
            vapid_key_pem,
            subject,
            allow_http: false,
        }
    }

    /// A new VAPID key (for tests and first set-up; keep it afterwards).
    pub fn generate(subject: String) -> Result<WebPushConfig, String> {
        let pem = jwt::generate_ec_pem().map_err(|e| e.to_string())?;
        Ok(WebPushConfig::new(pem, subject))
    }
}

impl fmt::Debug for WebPushConfig {
    // The key stays out of logs and test failure messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebPushConfig")
            .field("subject", &self.subject)
            .field("allow_http", &self.allow_http)
            .finish_non_exhaustive()
    }
}

/// Sends Web Push messages.
pub struct WebPush {
    client: reqwest::Client,
    key: EcdsaKeyPair,
    /// base64url of the VAPID public key, the `k=` of every request.
    public_key: String,
    subject: String,
    allow_http: bool,
    rng: SystemRandom,
}

impl WebPush {
    pub fn new(config: WebPushConfig) -> Result<WebPush, String> {
        let key = jwt::ec_key(&config.vapid_key_pem).map_err(|e| format!("the VAPID key: {e}"))?;
        if !(config.subject.starts_with("mailto:") || config.subject.starts_with("https://")) {
            return Err(format!(
                "the VAPID subject {:?} must be a mailto: or https: URL",
                config.subject
            ));
        }
        Ok(WebPush {
            client: http_client(false)?,
            public_key: jwt::b64url(&jwt::ec_public(&key)),
            key,
            subject: config.subject,
            allow_http: config.allow_http,
            rng: SystemRandom::new(),
        })
    }

    /// The VAPID public key, base64url: the `applicationServerKey` a device
    /// subscribes with (UnifiedPush apps hand it to their distributor).
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    async fn push(&self, target: &Target, msg: &Message) -> Outcome {
        let Target::WebPush {
            endpoint,
            p256dh,
            auth,
        } = target
        else {
            return Outcome::Rejected("the Web Push gateway sends only to subscriptions".into());
        };
        let url = match reqwest::Url::parse(endpoint) {
            Ok(u) if u.scheme() == "https" || (self.allow_http && u.scheme() == "http") => u,
            _ => {
                return Outcome::Rejected(format!(
                    "the Web Push endpoint {endpoint:?} is not an https URL"
                ));
            }
        };
        let (Ok(ua_public), Ok(auth)) = (jwt::b64url_decode(p256dh), jwt::b64url_decode(auth))
        else {
            return Outcome::Rejected("the subscription's keys are not base64url".into());
        };
        if msg.data.contains_key("collapse_key") {
            return Outcome::Rejected("collapse_key is a reserved data key for Web Push".into());
        }
        let mut payload = json!(msg.data);
        payload["collapse_key"] = json!(msg.collapse_key);
        let plaintext = payload.to_string();
        if let Some(too_big) = check_size("Web Push", HEADER_LEN + plaintext.len() + 1 + TAG_LEN) {
            return too_big;
        }
        let body = match encrypt(&ua_public, &auth, plaintext.as_bytes(), &self.rng) {
            Ok(b) => b,
            Err(why) => return Outcome::Rejected(why),
        };
        let origin = url.origin().ascii_serialization();
        let vapid = match jwt::sign_es256(
            &self.key,
            &json!({"typ": "JWT", "alg": "ES256"}),
            &json!({"aud": origin, "exp": unix_now() + VAPID_LIFETIME, "sub": self.subject}),
        ) {
            Ok(t) => t,
            Err(e) => return Outcome::Rejected(format!("VAPID token: {e}")),
        };
        let mut request = self
            .client
            .post(url)
            .header("content-encoding", "aes128gcm")
            .header("content-type", "application/octet-stream")
            .header("ttl", msg.ttl.as_secs().to_string())
            .header("urgency", if msg.urgent { "high" } else { "normal" })
            .header(
                "authorization",
                format!("vapid t={vapid}, k={}", self.public_key),
            )
            .body(body);
        if !msg.collapse_key.is_empty() {
            request = request.header("topic", topic(&msg.collapse_key));
        }
        let answer = match request.send().await {
            Ok(a) => a,
            Err(e) => return network_failure("webpush", &e),
        };
        let status = answer.status();
        let after = retry_after(answer.headers());
        let text = answer.bytes().await.unwrap_or_default();
        outcome(status, after, &String::from_utf8_lossy(&text))
    }
}

impl Gateway for WebPush {
    fn send<'a>(&'a self, target: &'a Target, msg: &'a Message) -> SendFuture<'a> {
        Box::pin(self.push(target, msg))
    }
}

/// The `Topic` header: the collapse key in base64url when that fits the 32 characters
/// RFC 8030 allows, else the start of its hash (the same key, the same topic).
fn topic(key: &str) -> String {
    let plain = jwt::b64url(key.as_bytes());
    if plain.len() <= 32 {
        return plain;
    }
    let mut hashed =
        jwt::b64url(ring::digest::digest(&ring::digest::SHA256, key.as_bytes()).as_ref());
    hashed.truncate(32);
    hashed
}

fn outcome(status: StatusCode, after: Option<Duration>, text: &str) -> Outcome {
    if status.is_success() {
        return Outcome::Delivered;
    }
    if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
        return Outcome::Gone;
    }
    if is_retryable(status) {
        return Outcome::Retry { after };
    }
    tracing::warn!(%status, answer = text, "the Web Push service refused a push");
    Outcome::Rejected(format!("Web Push {status}: {text}"))
}

/// An HKDF output length for ring.
struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<(), String> {
    Salt::new(HKDF_SHA256, salt)
        .extract(ikm)
        .expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| "HKDF failed".to_owned())
}

/// The keys of one message (RFC 8291 §3.3-3.4, RFC 8188 §2.2-2.3).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ContentKeys {
    /// The input keying material: the ECDH secret mixed with the auth secret.
    pub ikm: [u8; 32],
    /// The AES-128-GCM key.
    pub cek: [u8; 16],
    pub nonce: [u8; 12],
}

/// Derives the message keys from the ECDH secret, both public keys (the device's,
/// `ua_public`, and the sender's one-message key, `as_public`), the device's auth
/// secret and the message's salt. The device does the same from the other side.
pub(crate) fn derive(
    ecdh_secret: &[u8],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8],
) -> Result<ContentKeys, String> {
    let mut keys = ContentKeys {
        ikm: [0; 32],
        cek: [0; 16],
        nonce: [0; 12],
    };
    hkdf(
        auth,
        ecdh_secret,
        &[b"WebPush: info\0", ua_public, as_public],
        &mut keys.ikm,
    )?;
    hkdf(
        salt,
        &keys.ikm,
        &[b"Content-Encoding: aes128gcm\0"],
        &mut keys.cek,
    )?;
    hkdf(
        salt,
        &keys.ikm,
        &[b"Content-Encoding: nonce\0"],
        &mut keys.nonce,
    )?;
    Ok(keys)
}

/// The `aes128gcm` body for a given ECDH secret and salt: the header, then one record
/// (the plaintext, the last-record delimiter, the tag). Split from [`encrypt`] so the
/// RFC's worked example, whose sender key ring cannot take, tests all but the ECDH.
pub(crate) fn encrypt_with(
    ecdh_secret: &[u8],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8; 16],
    plaintext: &[u8],
) -> Result<Vec<u8>, String> {
    let keys = derive(ecdh_secret, auth, ua_public, as_public, salt)?;
    let key = LessSafeKey::new(
        UnboundKey::new(&AES_128_GCM, &keys.cek).map_err(|_| "bad AES key".to_owned())?,
    );
    let mut record = Vec::with_capacity(plaintext.len() + 1 + TAG_LEN);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(keys.nonce),
        Aad::empty(),
        &mut record,
    )
    .map_err(|_| "AES-GCM sealing failed".to_owned())?;
    let as_len = u8::try_from(as_public.len()).map_err(|_| "sender key too long".to_owned())?;
    let mut body = Vec::with_capacity(HEADER_LEN + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_len);
    body.extend_from_slice(as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// Encrypts `plaintext` for a device: a fresh sender key pair and salt for every
/// message (a repeated key and nonce would break AES-GCM).
fn encrypt(
    ua_public: &[u8],
    auth: &[u8],
    plaintext: &[u8],
    rng: &SystemRandom,
) -> Result<Vec<u8>, String> {
    if ua_public.len() != 65 || ua_public[0] != 0x04 {
        return Err("the subscription's p256dh is not an uncompressed P-256 point".into());
    }
    if auth.len() != 16 {
        return Err("the subscription's auth secret is not 16 bytes".into());
    }
    let mut salt = [0u8; 16];
    rng.fill(&mut salt)
        .map_err(|_| "the system random generator failed".to_owned())?;
    let private = EphemeralPrivateKey::generate(&ECDH_P256, rng)
        .map_err(|_| "cannot make a P-256 key".to_owned())?;
    let public = private
        .compute_public_key()
        .map_err(|_| "cannot make a P-256 key".to_owned())?;
    agreement::agree_ephemeral(
        private,
        &UnparsedPublicKey::new(&ECDH_P256, ua_public),
        |secret| encrypt_with(secret, auth, ua_public, public.as_ref(), &salt, plaintext),
    )
    .map_err(|_| "the subscription's p256dh is not a point on P-256".to_owned())?
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ring::hmac;

    /// RFC 8291 §5 and Appendix A, base64url.
    pub(crate) mod rfc8291 {
        pub const PLAINTEXT: &str = "When I grow up, I want to be a watermelon";
        pub const AS_PUBLIC: &str = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
        pub const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
        pub const UA_PUBLIC: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        pub const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
        pub const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
        pub const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
        pub const ECDH_SECRET: &str = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs";
        pub const PRK_KEY: &str = "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k";
        pub const IKM: &str = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg";
        pub const PRK: &str = "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc";
        pub const CEK: &str = "oIhVW04MRdy2XN9CiKLxTg";
        pub const NONCE: &str = "4h_95klXJ5E_qnoN";
        pub const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";
    }

    pub(crate) fn d(text: &str) -> Vec<u8> {
        jwt::b64url_decode(text).expect("test vector is base64url")
    }

    /// HKDF-Extract is HMAC(salt, ikm): pins the RFC's PRK values, which ring's HKDF
    /// keeps inside.
    fn extract(salt: &[u8], ikm: &[u8]) -> Vec<u8> {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm)
            .as_ref()
            .to_vec()
    }

    #[test]
    fn key_derivation_matches_rfc_8291_appendix_a() {
        use rfc8291::*;
        let keys = derive(
            &d(ECDH_SECRET),
            &d(AUTH),
            &d(UA_PUBLIC),
            &d(AS_PUBLIC),
            &d(SALT),
        )
        .expect("derive");
        assert_eq!(keys.ikm.to_vec(), d(IKM));
        assert_eq!(keys.cek.to_vec(), d(CEK));
        assert_eq!(keys.nonce.to_vec(), d(NONCE));
        // The two extract steps in between.
        assert_eq!(extract(&d(AUTH), &d(ECDH_SECRET)), d(PRK_KEY));
        assert_eq!(extract(&d(SALT), &d(IKM)), d(PRK));
    }

    #[test]
    fn the_body_matches_rfc_8291_section_5() {
        use rfc8291::*;
        let salt: [u8; 16] = d(SALT).try_into().expect("16 bytes");
        let body = encrypt_with(
            &d(ECDH_SECRET),
            &d(AUTH),
            &d(UA_PUBLIC),
            &d(AS_PUBLIC),
            &salt,
            PLAINTEXT.as_bytes(),
        )
        .expect("encrypt");
        assert_eq!(jwt::b64url(&body), BODY);
        assert_eq!(body.len(), HEADER_LEN + PLAINTEXT.len() + 1 + TAG_LEN);
    }

    #[test]
    fn hkdf_matches_rfc_5869_case_1() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let mut okm = [0u8; 42];
        hkdf(&salt, &ikm, &[&info], &mut okm).expect("hkdf");
        let want =
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
        let got: String = okm.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn fresh_keys_and_salt_for_every_message() {
        let rng = SystemRandom::new();
        let ua = d(rfc8291::UA_PUBLIC);
        let auth = d(rfc8291::AUTH);
        let a = encrypt(&ua, &auth, b"one", &rng).expect("encrypt");
        let b = encrypt(&ua, &auth, b"one", &rng).expect("encrypt");
        assert_ne!(a[..16], b[..16], "salt");
        assert_ne!(a[21..HEADER_LEN], b[21..HEADER_LEN], "sender key");
        assert_eq!(a[16..21], [0, 0, 0x10, 0, 65]);
        // Keys of the wrong shape are refused before anything is made.
        assert!(encrypt(&ua[..64], &auth, b"x", &rng).is_err());
        assert!(encrypt(&ua, &auth[..8], b"x", &rng).is_err());
        let mut off_curve = ua.clone();
        off_curve[40] ^= 0xff;
        assert!(encrypt(&off_curve, &auth, b"x", &rng).is_err());
    }

    #[test]
    fn topics_are_at_most_32_url_safe_characters() {
        assert_eq!(topic("orders"), "b3JkZXJz");
        let long = topic("shop-42/orders/updates/with-a-long-name");
        assert_eq!(long.len(), 32);
        assert!(
            long.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(long, topic("shop-42/orders/updates/with-a-long-name"));
    }

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(StatusCode::CREATED, None, ""), Outcome::Delivered);
        assert_eq!(outcome(StatusCode::GONE, None, ""), Outcome::Gone);
        assert_eq!(outcome(StatusCode::NOT_FOUND, None, ""), Outcome::Gone);
        assert!(matches!(
            outcome(StatusCode::PAYLOAD_TOO_LARGE, None, ""),
            Outcome::Rejected(_)
        ));
        assert_eq!(
            outcome(StatusCode::BAD_GATEWAY, None, ""),
            Outcome::Retry { after: None }
        );
    }
}
