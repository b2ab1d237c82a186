//! Accounts by phone number and one-time code, and the sessions they open.
//!
//! `POST /v1/auth/code {"phone"}` sends a 6-digit code; `POST /v1/auth/verify
//! {"phone","code"}` trades it for a bearer token (creating the account on first
//! sign-in); `GET /v1/me` names the token's account; `POST /v1/auth/logout` revokes it.
//!
//! Codes and tokens are stored only as SHA-256 hashes, so a leaked database or backup
//! opens no session. Phone numbers go to the log masked; codes and tokens never do.
//! A refused code request (429) says in `Retry-After` when the next one will be allowed.

use crate::AppState;
use crate::error::ApiError;
use crate::ops::http::ClientAddr;
use crate::store::{Account, CodeCheck, RateDecision, RateLimit};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pasar_core::phone::PhoneNumber;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MINUTE_MS: i64 = 60 * 1000;

/// The limits of sign-in. [`Default`] is what production runs.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// How long a code stays valid.
    pub code_ttl_ms: i64,
    /// Wrong tries before a code is refused even when right.
    pub max_attempts: i64,
    /// Codes per number per window: bounds the SMS bill and guessing across codes.
    pub per_number: (u32, i64),
    /// Codes per client address per window: one client cannot spray many numbers.
    pub per_address: (u32, i64),
    /// How long a session lasts.
    pub session_ttl_ms: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            code_ttl_ms: 5 * MINUTE_MS,
            max_attempts: 5,
            per_number: (3, 10 * MINUTE_MS),
            per_address: (20, 60 * MINUTE_MS),
            session_ttl_ms: 30 * 24 * 60 * MINUTE_MS,
        }
    }
}

/// A boxed future, so [`CodeSender`] can be used as `dyn`.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Delivers a code to a phone: the console in development; an SMS or WhatsApp gateway
/// plugs in here later.
pub trait CodeSender: Send + Sync {
    /// `phone` is E.164. The error text goes to the server log (it must not contain the
    /// number or the code).
    fn send<'a>(&'a self, phone: &'a PhoneNumber, code: &'a str) -> SendFuture<'a>;
}

/// Development sender: writes the code to the server's stderr, the number masked.
///
/// This is the code's delivery, standing in for the SMS, not a log line: it bypasses
/// `tracing` on purpose, so the log (which may be shipped and kept) never holds a code.
/// `serve` warns at start that codes go to the console.
pub struct ConsoleSender;

impl CodeSender for ConsoleSender {
    fn send<'a>(&'a self, phone: &'a PhoneNumber, code: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            eprintln!(
                "pasar-server: code for {} is {code}",
                mask_phone(phone.e164())
            );
            Ok(())
        })
    }
}

/// Test sender: remembers every code sent, for the test to type in.
#[derive(Default)]
pub struct RecordingSender {
    sent: Mutex<Vec<(String, String)>>,
}

impl RecordingSender {
    /// The last code sent to `phone` (E.164).
    pub fn last_code(&self, phone: &str) -> Option<String> {
        let sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.iter()
            .rev()
            .find(|(p, _)| p == phone)
            .map(|(_, c)| c.clone())
    }

    /// How many codes were sent, to anyone.
    pub fn count(&self) -> usize {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl CodeSender for RecordingSender {
    fn send<'a>(&'a self, phone: &'a PhoneNumber, code: &'a str) -> SendFuture<'a> {
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.push((phone.e164().to_owned(), code.to_owned()));
        Box::pin(async { Ok(()) })
    }
}

/// `+6281234567890` → `+62*******7890`: enough to tell numbers apart in a log, not
/// enough to call anyone.
pub fn mask_phone(e164: &str) -> String {
    let chars: Vec<char> = e164.chars().collect();
    let keep_head = if e164.starts_with('+') { 3 } else { 0 };
    let keep_tail = 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_head || i + keep_tail >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/code", post(request_code))
        .route("/v1/auth/verify", post(verify))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/me", get(me))
}

#[derive(Deserialize)]
struct CodeRequest {
    phone: String,
}

#[derive(Serialize)]
struct CodeSent {
    expires_at_ms: i64,
}

#[derive(Deserialize)]
struct VerifyRequest {
    phone: String,
    code: String,
}

#[derive(Serialize)]
struct SignedIn {
    token: String,
    account_id: String,
    expires_at_ms: i64,
}

#[derive(Serialize)]
struct Me {
    id: String,
    phone: String,
    name: Option<String>,
    created_at_ms: i64,
}

/// Reads a JSON body ourselves, so a malformed one gets our error shape, not axum's text.
fn json_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the request body is not the expected JSON: {e}"))
    })
}

/// Codes go by SMS or WhatsApp, so only Indonesian mobile numbers (+628...) sign in.
fn mobile_number(input: &str) -> Result<PhoneNumber, ApiError> {
    let invalid = |why: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_phone",
            format!("{why}; write an Indonesian mobile number such as 0812-3456-7890"),
        )
    };
    let phone = PhoneNumber::parse(input).map_err(|e| invalid(&e.to_string()))?;
    if !phone.is_mobile() {
        return Err(invalid("not an Indonesian mobile number"));
    }
    Ok(phone)
}

/// The rate-limit key of a client: its IPv4 address, or its IPv6 /64 (one customer's
/// network hands out a whole /64, so single addresses would be free to rotate).
fn address_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => format!("addr:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The stored form of a code. The number is mixed in so equal codes for different
/// numbers hash differently. (Six digits are easy to brute-force from a hash: hashing
/// keeps codes out of plain sight in dumps; their short life is the real protection.)
fn code_hash(phone: &PhoneNumber, code: &str) -> String {
    sha256_hex(format!("{}:{code}", phone.e164()).as_bytes())
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| ApiError::internal(format!("getrandom: {e}")))?;
    Ok(buf)
}

/// A uniformly random 6-digit code, leading zeros kept.
fn random_code() -> Result<String, ApiError> {
    // Rejection sampling: values at or above the last whole million would make low
    // codes slightly likelier.
    const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
    loop {
        let n = u32::from_le_bytes(random_bytes::<4>()?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// The token from `Authorization: Bearer TOKEN`, if it has the shape of one of ours.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && token.len() == 64
        && token.bytes().all(|b| b.is_ascii_hexdigit()))
    .then_some(token)
}

pub(crate) fn token_hash(token: &str) -> String {
    sha256_hex(token.to_ascii_lowercase().as_bytes())
}

async fn request_code(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Bytes,
) -> Result<Json<CodeSent>, ApiError> {
    let request: CodeRequest = json_body(&body)?;
    let phone = mobile_number(&request.phone)?;
    let settings = &state.auth;
    let now = state.clock.now_ms();
    let limits = vec![
        RateLimit {
            key: format!("phone:{}", phone.e164()),
            max: settings.per_number.0,
            since: now - settings.per_number.1,
        },
        RateLimit {
            key: address_key(client),
            max: settings.per_address.0,
            since: now - settings.per_address.1,
        },
    ];
    if let RateDecision::Limited { retry_after_ms } = state.store.take_rate(limits, now).await? {
        return Err(ApiError::rate_limited(
            "too many codes asked for; wait a few minutes and try again",
            Duration::from_millis(u64::try_from(retry_after_ms).unwrap_or(1)),
        ));
    }
    let code = random_code()?;
    let expires_at = now + settings.code_ttl_ms;
    state
        .store
        .put_code(phone.e164(), &code_hash(&phone, &code), expires_at, now)
        .await?;
    if let Err(e) = state.sender.send(&phone, &code).await {
        tracing::error!(phone = %mask_phone(phone.e164()), error = %e, "could not send a code");
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "send_failed",
            "the code could not be sent; try again",
        ));
    }
    tracing::info!(phone = %mask_phone(phone.e164()), "code sent");
    Ok(Json(CodeSent {
        expires_at_ms: expires_at,
    }))
}

async fn verify(State(state): State<AppState>, body: Bytes) -> Result<Json<SignedIn>, ApiError> {
    let request: VerifyRequest = json_body(&body)?;
    let phone = mobile_number(&request.phone)?;
    // People paste "123 456" from the message.
    let code: String = request
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request("the code is 6 digits"));
    }
    let settings = &state.auth;
    let now = state.clock.now_ms();
    let check = state
        .store
        .check_code(
            phone.e164(),
            &code_hash(&phone, &code),
            now,
            settings.max_attempts,
        )
        .await?;
    let refuse = |code, message: &str| Err(ApiError::new(StatusCode::UNAUTHORIZED, code, message));
    match check {
        CodeCheck::Accepted => {}
        CodeCheck::Wrong => return refuse("wrong_code", "the code is not right"),
        CodeCheck::Expired => return refuse("code_expired", "the code expired; ask for a new one"),
        CodeCheck::Missing => return refuse("no_code", "no code is waiting; ask for one"),
        CodeCheck::Locked => {
            return refuse(
                "too_many_attempts",
                "too many wrong codes; ask for a new one",
            );
        }
    }
    let token = hex(&random_bytes::<32>()?);
    let expires_at = now + settings.session_ttl_ms;
    let account_id = state
        .store
        .sign_in(
            phone.e164(),
            &pasar_core::id::new_id(),
            &token_hash(&token),
            now,
            expires_at,
        )
        .await?;
    Ok(Json(SignedIn {
        token,
        account_id,
        expires_at_ms: expires_at,
    }))
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, ApiError> {
    let token = bearer(&headers).ok_or_else(ApiError::unauthorized)?;
    let account = state
        .store
        .session_account(&token_hash(token), state.clock.now_ms())
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(Me {
        id: account.id,
        phone: account.phone,
        name: account.name,
        created_at_ms: account.created_at,
    }))
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let token = bearer(&headers).ok_or_else(ApiError::unauthorized)?;
    state.sessions.forget(&token_hash(token));
    if !state
        .store
        .revoke_session(&token_hash(token), state.clock.now_ms())
        .await?
    {
        return Err(ApiError::unauthorized());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sessions checked in the last few seconds, so a phone polling for news costs the
/// database one statement per pull rather than two. A sign-out on this instance drops
/// its entry at once; another instance behind the same balancer may still honour a
/// revoked or just-expired token for at most [`SESSION_CACHE_MS`].
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Account, i64)>>,
}

/// How long a checked session is trusted without asking the database again.
pub const SESSION_CACHE_MS: i64 = 10_000;
/// Entries kept at most; past that the cache starts empty again (a flood of distinct
/// tokens must not grow memory).
const SESSION_CACHE_MAX: usize = 50_000;

impl SessionCache {
    pub(crate) fn get(&self, token_hash: &str, now: i64) -> Option<Account> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(token_hash)
            .filter(|(_, until)| now < *until)
            .map(|(account, _)| account.clone())
    }

    pub(crate) fn put(&self, token_hash: &str, account: &Account, now: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= SESSION_CACHE_MAX {
            entries.clear();
        }
        entries.insert(
            token_hash.to_owned(),
            (account.clone(), now + SESSION_CACHE_MS),
        );
    }

    pub(crate) fn forget(&self, token_hash: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token_hash);
    }
}

/// Shared by the router's clock: milliseconds since the epoch, replaceable in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(crate::store::wall_clock_ms))
    }

    /// Any source of time, such as a test's hand-moved clock.
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_but_the_last_four_digits() {
        assert_eq!(mask_phone("+6281234567890"), "+62*******7890");
        assert_eq!(mask_phone("123"), "123");
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = random_code().expect("code");
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn only_indonesian_mobile_numbers_sign_in() {
        for ok in ["0812-3456-7890", "+62 812 3456 7890", "6281234567890"] {
            assert_eq!(
                mobile_number(ok)
                    .map(|p| p.e164().to_owned())
                    .ok()
                    .as_deref(),
                Some("+6281234567890"),
                "{ok}"
            );
        }
        for bad in ["", "021 555 1234", "+1 415 555 2671", "08x", "0812"] {
            assert!(mobile_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bearer_tokens_are_read_strictly() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        let token = "ab".repeat(32);
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        assert_eq!(bearer(&h), Some(token.as_str()));
        h.insert(
            header::AUTHORIZATION,
            "Bearer short".parse().expect("header"),
        );
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {token}").parse().expect("header"),
        );
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn addresses_are_limited_per_ipv4_and_per_ipv6_64() {
        assert_eq!(
            address_key("10.1.2.3".parse().expect("ip")),
            "addr:10.1.2.3"
        );
        assert_eq!(
            address_key("2001:db8:1:2:3:4:5:6".parse().expect("ip")),
            "addr:2001:db8:1:2::/64"
        );
        assert_eq!(
            address_key("::ffff:10.0.0.1".parse().expect("ip")),
            "addr:10.0.0.1"
        );
    }
}
