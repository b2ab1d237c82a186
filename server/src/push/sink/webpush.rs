//! The sink's Web Push side: `POST /wp/{id}` checks RFC 8030's headers and the VAPID
//! token (RFC 8292) as a push service does, then decrypts the body (RFC 8291) with the
//! subscription's private key as the phone would, so a test sees exactly what the app
//! would get.

use super::{
    GatewayKind, Inner, Received, Subscription, check_payload_size, header_str, read_body,
    strings_only, version_name, with_retry_after,
};
use crate::push::gateway::webpush::{HEADER_LEN, LAST_RECORD, TAG_LEN, derive};
use crate::push::gateway::{jwt, unix_now};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use p256::{PublicKey, SecretKey};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `POST /wp/{id}`.
pub(super) async fn receive(
    State(sink): State<Arc<Inner>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_owned();
    match check(&sink, &id, request).await {
        Err((status, why)) => sink.refuse(&path, status, json!({"error": why}), why),
        Ok(received) => {
            if let Some(status) = sink.take_failure() {
                return with_retry_after(
                    status,
                    (status, "failing as asked (fail_next)").into_response(),
                );
            }
            if sink.is_dead(&id) {
                return (StatusCode::GONE, "push subscription expired").into_response();
            }
            let ttl = received.headers.get("ttl").cloned().unwrap_or_default();
            sink.record(received).await;
            let mut created = StatusCode::CREATED.into_response();
            let location = format!("{}/m/{}", sink.url, sink.random_hex(12));
            for (name, value) in [(header::LOCATION.as_str(), location), ("ttl", ttl)] {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    created.headers_mut().insert(name, v);
                }
            }
            created
        }
    }
}

type No = (StatusCode, String);

async fn check(sink: &Inner, id: &str, request: Request) -> Result<Received, No> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let headers = request.headers().clone();
    let mut kept = BTreeMap::new();
    for name in ["content-encoding", "ttl", "urgency", "topic"] {
        if let Some(v) = header_str(&headers, name) {
            kept.insert(name.to_owned(), v.to_owned());
        }
    }
    match kept.get("content-encoding").map(String::as_str) {
        Some("aes128gcm") => {}
        other => {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("content-encoding {other:?} is not aes128gcm"),
            ));
        }
    }
    // RFC 8030 §5.2: TTL is required.
    if kept.get("ttl").is_none_or(|t| t.parse::<u64>().is_err()) {
        return Err(bad(format!("TTL {:?} is not seconds", kept.get("ttl"))));
    }
    if let Some(u) = kept.get("urgency")
        && !matches!(u.as_str(), "very-low" | "low" | "normal" | "high")
    {
        return Err(bad(format!("Urgency {u:?} is not one of RFC 8030's")));
    }
    if let Some(t) = kept.get("topic")
        && (t.is_empty()
            || t.len() > 32
            || !t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(bad(format!(
            "Topic {t:?} is not 1 to 32 base64url characters"
        )));
    }
    check_vapid(sink, &headers)?;
    let version = version_name(request.version());
    let body = read_body(request).await.map_err(bad)?;
    check_payload_size(body.len()).map_err(|why| (StatusCode::PAYLOAD_TOO_LARGE, why))?;
    let plaintext = {
        let state = sink.state();
        let sub = state
            .subscriptions
            .get(id)
            .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no subscription {id}")))?;
        decrypt(sub, &body).map_err(bad)?
    };
    let payload: Value = serde_json::from_slice(&plaintext)
        .map_err(|e| bad(format!("the decrypted message is not JSON: {e}")))?;
    strings_only(&payload, "the decrypted message").map_err(bad)?;
    Ok(Received {
        gateway: GatewayKind::WebPush,
        token: id.to_owned(),
        http_version: version,
        headers: kept,
        payload: payload.clone(),
        body: payload,
        wire_bytes: body.len(),
    })
}

/// `Authorization: vapid t=<JWT>, k=<key>`: the key must be the one the sink's
/// subscriptions were made for (403 otherwise, RFC 8292 §4.2), the token signed by it
/// for this origin and at most a day ahead (401 otherwise).
fn check_vapid(sink: &Inner, headers: &HeaderMap) -> Result<(), No> {
    let unauthorized = |why: String| (StatusCode::UNAUTHORIZED, why);
    let auth = header_str(headers, "authorization")
        .ok_or_else(|| unauthorized("no Authorization header".into()))?;
    let (t, k) = parse_vapid(auth).map_err(unauthorized)?;
    let key = jwt::b64url_decode(&k).map_err(|e| unauthorized(format!("k: {e}")))?;
    if key != sink.keys.vapid_public {
        return Err((
            StatusCode::FORBIDDEN,
            "k is not the application server key of the subscription".into(),
        ));
    }
    let v = jwt::verify_es256(&t, &key).map_err(|e| unauthorized(format!("VAPID token: {e}")))?;
    if v.header.get("typ").is_some_and(|t| t != "JWT") {
        return Err(unauthorized(format!("VAPID header is {}", v.header)));
    }
    let c = &v.claims;
    if c["aud"] != json!(sink.url) {
        return Err(unauthorized(format!(
            "aud is {}, not {}",
            c["aud"], sink.url
        )));
    }
    let exp = c["exp"]
        .as_u64()
        .ok_or_else(|| unauthorized("exp is not an integer".into()))?;
    let now = unix_now();
    if exp <= now || exp > now + 24 * 3600 {
        return Err(unauthorized(format!(
            "exp {exp} is not within the next 24 hours (now {now})"
        )));
    }
    match c["sub"].as_str() {
        Some(s) if s.starts_with("mailto:") || s.starts_with("https:") => Ok(()),
        other => Err(unauthorized(format!(
            "sub {other:?} is not a mailto: or https: contact"
        ))),
    }
}

/// `(t, k)` of a `vapid t=..., k=...` header.
fn parse_vapid(auth: &str) -> Result<(String, String), String> {
    let (scheme, params) = auth.split_once(' ').unwrap_or((auth, ""));
    if !scheme.eq_ignore_ascii_case("vapid") {
        return Err(format!("authorization scheme {scheme:?} is not vapid"));
    }
    let (mut t, mut k) = (None, None);
    for param in params.split(',') {
        let (name, value) = param
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("bad vapid parameter {param:?}"))?;
        let slot = match name {
            "t" => &mut t,
            "k" => &mut k,
            _ => return Err(format!("unknown vapid parameter {name:?}")),
        };
        if slot.replace(value.to_owned()).is_some() {
            return Err(format!("vapid parameter {name} given twice"));
        }
    }
    match (t, k) {
        (Some(t), Some(k)) => Ok((t, k)),
        _ => Err("vapid needs both t= and k=".into()),
    }
}

/// Opens an `aes128gcm` body the way the phone does: the sender's key from the header,
/// ECDH with the subscription's private key, the keys of RFC 8291, one record ending
/// in the last-record delimiter (zero padding after it allowed).
fn decrypt(sub: &Subscription, body: &[u8]) -> Result<Vec<u8>, String> {
    decrypt_with(&sub.secret, &sub.public, &sub.auth, body)
}

pub(super) fn decrypt_with(
    secret: &SecretKey,
    ua_public: &[u8],
    auth: &[u8],
    body: &[u8],
) -> Result<Vec<u8>, String> {
    if body.len() < HEADER_LEN + TAG_LEN + 1 {
        return Err(format!("a body of {} bytes is too short", body.len()));
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let id_len = body[20] as usize;
    if id_len != 65 {
        return Err(format!(
            "keyid is {id_len} bytes, not a 65-byte P-256 point"
        ));
    }
    let as_public = &body[21..HEADER_LEN];
    let mut record = body[HEADER_LEN..].to_vec();
    if rs < TAG_LEN + 2 {
        return Err(format!("record size {rs} is too small"));
    }
    if record.len() > rs {
        return Err(format!(
            "{} bytes of records with rs {rs}: more than one record",
            record.len()
        ));
    }
    let sender = PublicKey::from_sec1_bytes(as_public)
        .map_err(|_| "the sender key in the header is not a P-256 point".to_owned())?;
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), sender.as_affine());
    let keys = derive(
        shared.raw_secret_bytes().as_slice(),
        auth,
        ua_public,
        as_public,
        salt,
    )?;
    let key = LessSafeKey::new(
        UnboundKey::new(&AES_128_GCM, &keys.cek).map_err(|_| "bad AES key".to_owned())?,
    );
    let opened = key
        .open_in_place(
            Nonce::assume_unique_for_key(keys.nonce),
            Aad::empty(),
            &mut record,
        )
        .map_err(|_| "the record does not decrypt (wrong keys, or tampered)".to_owned())?;
    // RFC 8188 §2: data, then the delimiter, then any number of zero bytes.
    let end = opened
        .iter()
        .rposition(|&b| b != 0)
        .ok_or("the record is all padding")?;
    if opened[end] != LAST_RECORD {
        return Err(format!(
            "the padding delimiter is {:#04x}, not 0x02 (last record)",
            opened[end]
        ));
    }
    Ok(opened[..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::gateway::webpush::tests::{d, rfc8291};
    use p256::elliptic_curve::sec1::ToEncodedPoint as _;

    fn ua_secret() -> SecretKey {
        SecretKey::from_slice(&d(rfc8291::UA_PRIVATE)).expect("the RFC's key")
    }

    #[test]
    fn the_rfc_8291_example_decrypts() {
        let secret = ua_secret();
        let ua_public = secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        assert_eq!(ua_public, d(rfc8291::UA_PUBLIC));
        let plaintext = decrypt_with(&secret, &ua_public, &d(rfc8291::AUTH), &d(rfc8291::BODY))
            .expect("decrypts");
        assert_eq!(plaintext, rfc8291::PLAINTEXT.as_bytes());

        // One flipped ciphertext bit, or the wrong auth secret, and it does not.
        let mut body = d(rfc8291::BODY);
        let last = body.len() - 1;
        body[last] ^= 1;
        assert!(decrypt_with(&secret, &ua_public, &d(rfc8291::AUTH), &body).is_err());
        assert!(decrypt_with(&secret, &ua_public, &[0; 16], &d(rfc8291::BODY)).is_err());
    }

    #[test]
    fn ecdh_matches_the_rfc_from_both_sides() {
        let as_secret = SecretKey::from_slice(&d(rfc8291::AS_PRIVATE)).expect("the RFC's key");
        let ua_public = PublicKey::from_sec1_bytes(&d(rfc8291::UA_PUBLIC)).expect("point");
        let shared =
            p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua_public.as_affine());
        assert_eq!(shared.raw_secret_bytes().to_vec(), d(rfc8291::ECDH_SECRET));
        let as_public = PublicKey::from_sec1_bytes(&d(rfc8291::AS_PUBLIC)).expect("point");
        let shared =
            p256::ecdh::diffie_hellman(ua_secret().to_nonzero_scalar(), as_public.as_affine());
        assert_eq!(shared.raw_secret_bytes().to_vec(), d(rfc8291::ECDH_SECRET));
    }

    #[test]
    fn padding_after_the_delimiter_is_accepted_and_a_wrong_delimiter_is_not() {
        use crate::push::gateway::webpush::{derive, encrypt_with};
        let secret = ua_secret();
        let ua_public = d(rfc8291::UA_PUBLIC);
        let salt: [u8; 16] = d(rfc8291::SALT).try_into().expect("16 bytes");
        let seal = |record: &[u8]| {
            // encrypt_with appends the delimiter itself: build the record by hand here.
            let keys = derive(
                &d(rfc8291::ECDH_SECRET),
                &d(rfc8291::AUTH),
                &ua_public,
                &d(rfc8291::AS_PUBLIC),
                &salt,
            )
            .expect("derive");
            let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &keys.cek).expect("key"));
            let mut sealed = record.to_vec();
            key.seal_in_place_append_tag(
                Nonce::assume_unique_for_key(keys.nonce),
                Aad::empty(),
                &mut sealed,
            )
            .expect("seal");
            let mut body = d(rfc8291::BODY)[..HEADER_LEN].to_vec();
            body.extend_from_slice(&sealed);
            body
        };
        let auth = d(rfc8291::AUTH);
        let padded = seal(b"hi\x02\x00\x00\x00");
        assert_eq!(
            decrypt_with(&secret, &ua_public, &auth, &padded).expect("padded"),
            b"hi"
        );
        let not_last = seal(b"hi\x01");
        assert!(
            decrypt_with(&secret, &ua_public, &auth, &not_last)
                .expect_err("0x01 says more records follow")
                .contains("0x01")
        );
        // And what the gateway's own function makes opens.
        let body = encrypt_with(
            &d(rfc8291::ECDH_SECRET),
            &auth,
            &ua_public,
            &d(rfc8291::AS_PUBLIC),
            &salt,
            b"{}",
        )
        .expect("encrypt");
        assert_eq!(
            decrypt_with(&secret, &ua_public, &auth, &body).expect("opens"),
            b"{}"
        );
    }

    #[test]
    fn vapid_headers_parse() {
        assert_eq!(
            parse_vapid("vapid t=a.b.c, k=KEY"),
            Ok(("a.b.c".to_owned(), "KEY".to_owned()))
        );
        assert_eq!(
            parse_vapid("vapid k=KEY,t=a.b.c"),
            Ok(("a.b.c".to_owned(), "KEY".to_owned()))
        );
        assert!(parse_vapid("WebPush a.b.c").is_err());
        assert!(parse_vapid("vapid t=a.b.c").is_err());
        assert!(parse_vapid("vapid t=a, t=b, k=c").is_err());
    }
}
