//! The sink's APNs side: `POST /3/device/{token}` over HTTP/2 only, the ES256 provider
//! token checked against the key it knows, Apple's header rules, our body shapes, and
//! Apple's `{"reason": ...}` answers.

use super::{
    APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPIC, GatewayKind, Inner, Received, header_str, only_keys,
    read_body, strings_only, version_name, with_retry_after,
};
use crate::push::gateway::{MAX_PAYLOAD, jwt, unix_now};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A refusal: the status and Apple's reason word, and the longer why for the test.
struct No(StatusCode, &'static str, String);

fn no(status: StatusCode, reason: &'static str, why: impl Into<String>) -> No {
    No(status, reason, why.into())
}

/// `POST /3/device/{token}`.
pub(super) async fn send(
    State(sink): State<Arc<Inner>>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_owned();
    match check(&sink, &token, request).await {
        Err(No(status, reason, why)) => sink.refuse(&path, status, json!({"reason": reason}), why),
        Ok(received) => {
            if let Some(status) = sink.take_failure() {
                let reason = match status.as_u16() {
                    403 => "ExpiredProviderToken",
                    410 => "Unregistered",
                    413 => "PayloadTooLarge",
                    429 => "TooManyRequests",
                    500 => "InternalServerError",
                    503 => "ServiceUnavailable",
                    _ => "BadRequest",
                };
                return with_retry_after(
                    status,
                    (status, Json(json!({"reason": reason}))).into_response(),
                );
            }
            if sink.is_dead(&token) {
                let ms = unix_now() * 1000;
                return (
                    StatusCode::GONE,
                    Json(json!({"reason": "Unregistered", "timestamp": ms})),
                )
                    .into_response();
            }
            sink.record(received).await;
            let mut ok = StatusCode::OK.into_response();
            let id = sink.random_hex(16);
            // apns-id is a UUID in the 8-4-4-4-12 form.
            let uuid = format!(
                "{}-{}-{}-{}-{}",
                &id[0..8],
                &id[8..12],
                &id[12..16],
                &id[16..20],
                &id[20..32]
            )
            .to_uppercase();
            if let Ok(v) = HeaderValue::from_str(&uuid) {
                ok.headers_mut().insert("apns-id", v);
            }
            ok
        }
    }
}

async fn check(sink: &Inner, token: &str, request: Request) -> Result<Received, No> {
    if request.version() != Version::HTTP_2 {
        return Err(no(
            StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            "BadRequest",
            format!(
                "APNs takes HTTP/2 only, this came as {:?}",
                request.version()
            ),
        ));
    }
    let headers = request.headers().clone();
    check_provider_token(sink, &headers)?;
    if token.is_empty() {
        return Err(no(
            StatusCode::BAD_REQUEST,
            "MissingDeviceToken",
            "no device token",
        ));
    }
    if !token.len().is_multiple_of(2) || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(no(
            StatusCode::BAD_REQUEST,
            "BadDeviceToken",
            format!("device token {token:?} is not hex"),
        ));
    }
    let kept = check_headers(&headers)?;
    let push_type = kept.get("apns-push-type").cloned().unwrap_or_default();
    let version = version_name(request.version());
    let body = read_body(request)
        .await
        .map_err(|why| no(StatusCode::BAD_REQUEST, "BadRequest", why))?;
    if body.is_empty() {
        return Err(no(StatusCode::BAD_REQUEST, "PayloadEmpty", "empty body"));
    }
    if body.len() > MAX_PAYLOAD {
        return Err(no(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            format!("body is {} bytes, over {MAX_PAYLOAD}", body.len()),
        ));
    }
    let whole: Value = serde_json::from_slice(&body).map_err(|e| {
        no(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("not JSON: {e}"),
        )
    })?;
    let payload = check_body(&whole, &push_type)
        .map_err(|why| no(StatusCode::BAD_REQUEST, "BadRequest", why))?;
    Ok(Received {
        gateway: GatewayKind::Apns,
        token: token.to_owned(),
        http_version: version,
        headers: kept,
        payload,
        body: whole,
        wire_bytes: body.len(),
    })
}

fn check_provider_token(sink: &Inner, headers: &HeaderMap) -> Result<(), No> {
    let auth = header_str(headers, "authorization").ok_or_else(|| {
        no(
            StatusCode::FORBIDDEN,
            "MissingProviderToken",
            "no authorization header",
        )
    })?;
    let (scheme, token) = auth.split_once(' ').unwrap_or((auth, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(no(
            StatusCode::FORBIDDEN,
            "MissingProviderToken",
            format!("authorization scheme {scheme:?} is not bearer"),
        ));
    }
    let invalid = |why: String| no(StatusCode::FORBIDDEN, "InvalidProviderToken", why);
    let v = jwt::verify_es256(token, &sink.keys.apns_public)
        .map_err(|e| invalid(format!("provider token: {e}")))?;
    if v.header != json!({"alg": "ES256", "kid": APNS_KEY_ID}) {
        return Err(invalid(format!("provider token header is {}", v.header)));
    }
    if v.claims["iss"] != json!(APNS_TEAM_ID) {
        return Err(invalid(format!("iss is {}, not the team", v.claims["iss"])));
    }
    let iat = v.claims["iat"]
        .as_u64()
        .ok_or_else(|| invalid("iat is not an integer".into()))?;
    let now = unix_now();
    if iat > now + 300 {
        return Err(invalid(format!("iat {iat} is in the future")));
    }
    if now - iat > 3600 {
        return Err(no(
            StatusCode::FORBIDDEN,
            "ExpiredProviderToken",
            format!("the provider token is {} s old", now - iat),
        ));
    }
    Ok(())
}

/// Checks the `apns-*` headers; returns them (lower-case) for the record.
fn check_headers(headers: &HeaderMap) -> Result<BTreeMap<String, String>, No> {
    let bad = |reason: &'static str, why: String| no(StatusCode::BAD_REQUEST, reason, why);
    let mut kept = BTreeMap::new();
    for (name, value) in headers {
        if name.as_str().starts_with("apns-") {
            let value = value
                .to_str()
                .map_err(|_| bad("BadRequest", format!("{name} is not text")))?;
            if headers.get_all(name).iter().count() > 1 {
                return Err(bad("DuplicateHeaders", format!("{name} given twice")));
            }
            kept.insert(name.as_str().to_owned(), value.to_owned());
        }
    }
    match kept.get("apns-topic").map(String::as_str) {
        None => return Err(bad("MissingTopic", "no apns-topic".into())),
        Some(APNS_TOPIC) => {}
        Some(other) => {
            return Err(bad(
                "TopicDisallowed",
                format!("apns-topic {other:?} is not {APNS_TOPIC}"),
            ));
        }
    }
    let push_type = kept.get("apns-push-type").map(String::as_str);
    if !matches!(push_type, Some("alert" | "background")) {
        return Err(bad(
            "InvalidPushType",
            format!("apns-push-type is {push_type:?}, not alert or background"),
        ));
    }
    // APNs takes a missing priority as 10.
    let priority = kept.get("apns-priority").map_or("10", String::as_str);
    match (push_type, priority) {
        (Some("background"), "5") | (Some("alert"), "5" | "10") => {}
        _ => {
            return Err(bad(
                "BadPriority",
                format!("apns-priority {priority} with push type {push_type:?}"),
            ));
        }
    }
    if let Some(exp) = kept.get("apns-expiration")
        && exp.parse::<u64>().is_err()
    {
        return Err(bad(
            "BadExpirationDate",
            format!("apns-expiration {exp:?} is not unix seconds"),
        ));
    }
    if let Some(id) = kept.get("apns-collapse-id")
        && (id.is_empty() || id.len() > 64)
    {
        return Err(bad(
            "BadCollapseId",
            format!("apns-collapse-id is {} bytes (1 to 64)", id.len()),
        ));
    }
    Ok(kept)
}

/// The `pasar` object of a body shaped exactly as our gateway sends it for `push_type`.
fn check_body(whole: &Value, push_type: &str) -> Result<Value, String> {
    let top = whole.as_object().ok_or("the body is not an object")?;
    only_keys(top, &["aps", "pasar"], "")?;
    let aps = top
        .get("aps")
        .and_then(Value::as_object)
        .ok_or("no aps object")?;
    let pasar = top.get("pasar").ok_or("no pasar object")?;
    strings_only(pasar, "pasar")?;
    if push_type == "background" {
        if Value::Object(aps.clone()) != json!({"content-available": 1}) {
            return Err(format!(
                "a background push's aps must be exactly {{\"content-available\":1}}, not {}",
                Value::Object(aps.clone())
            ));
        }
    } else {
        only_keys(aps, &["alert", "mutable-content", "sound"], "aps")?;
        let alert = aps.get("alert").ok_or("an alert push without aps.alert")?;
        let alert_map = alert.as_object().ok_or("aps.alert is not an object")?;
        only_keys(alert_map, &["title-loc-key", "loc-key"], "aps.alert")?;
        strings_only(alert, "aps.alert")?;
        if aps.get("mutable-content") != Some(&json!(1)) {
            // Without it the Notification Service Extension never runs and the
            // placeholder text would show.
            return Err("an alert push without mutable-content: 1".into());
        }
        if aps.get("sound").is_some_and(|s| !s.is_string()) {
            return Err("aps.sound is not a string".into());
        }
    }
    Ok(pasar.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("a header value"));
        }
        h
    }

    #[test]
    fn header_rules() {
        let ok = [
            ("apns-topic", APNS_TOPIC),
            ("apns-push-type", "background"),
            ("apns-priority", "5"),
            ("apns-expiration", "1700000000"),
            ("apns-collapse-id", "orders"),
        ];
        assert!(check_headers(&headers(&ok)).is_ok());
        let reason = |pairs: &[(&'static str, &str)]| match check_headers(&headers(pairs)) {
            Err(No(_, reason, _)) => reason,
            Ok(_) => "ok",
        };
        // Background at priority 10 (or by default) is refused.
        assert_eq!(
            reason(&[("apns-topic", APNS_TOPIC), ("apns-push-type", "background")]),
            "BadPriority"
        );
        assert_eq!(reason(&[("apns-push-type", "alert")]), "MissingTopic");
        assert_eq!(
            reason(&[("apns-topic", "other.app"), ("apns-push-type", "alert")]),
            "TopicDisallowed"
        );
        assert_eq!(
            reason(&[("apns-topic", APNS_TOPIC), ("apns-push-type", "voip")]),
            "InvalidPushType"
        );
        let long = "c".repeat(65);
        assert_eq!(
            reason(&[
                ("apns-topic", APNS_TOPIC),
                ("apns-push-type", "alert"),
                ("apns-collapse-id", &long)
            ]),
            "BadCollapseId"
        );
        assert_eq!(
            reason(&[
                ("apns-topic", APNS_TOPIC),
                ("apns-topic", APNS_TOPIC),
                ("apns-push-type", "alert")
            ]),
            "DuplicateHeaders"
        );
    }

    #[test]
    fn body_rules() {
        let bg = json!({"aps": {"content-available": 1}, "pasar": {"k": "v"}});
        assert_eq!(check_body(&bg, "background"), Ok(json!({"k": "v"})));
        assert!(check_body(&bg, "alert").is_err());
        let alert = json!({
            "aps": {
                "alert": {"title-loc-key": "t", "loc-key": "b"},
                "mutable-content": 1,
                "sound": "default",
            },
            "pasar": {},
        });
        assert!(check_body(&alert, "alert").is_ok());
        assert!(check_body(&alert, "background").is_err());
        let mut plain = alert.clone();
        plain["aps"]["mutable-content"] = json!(0);
        assert!(check_body(&plain, "alert").is_err());
        let mut extra = alert;
        extra["order"] = json!({"total": 5});
        assert!(check_body(&extra, "alert").is_err());
    }
}
