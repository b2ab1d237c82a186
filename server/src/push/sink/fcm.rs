//! The sink's Google side: the OAuth2 token endpoint (JWT bearer grant, RFC 7523) and
//! FCM HTTP v1 `messages:send`, with Google's error shapes.

use super::{
    GatewayKind, Inner, Received, check_payload_size, header_str, only_keys, read_body,
    strings_only, version_name, with_retry_after,
};
use crate::push::gateway::{jwt, unix_now};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// Google's tokens last an hour; the sink says so the way Google does.
const EXPIRES_IN: u64 = 3599;

/// `POST /token`.
pub(super) async fn token(State(sink): State<Arc<Inner>>, request: Request) -> Response {
    sink.state().token_requests += 1;
    let refuse = |why: String| {
        sink.refuse(
            "/token",
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": why}),
            why,
        )
    };
    let form_type = header_str(request.headers(), header::CONTENT_TYPE.as_str()).unwrap_or("");
    if !form_type.starts_with("application/x-www-form-urlencoded") {
        return refuse(format!("content-type {form_type:?} is not a form"));
    }
    let body = match read_body(request).await {
        Ok(b) => b,
        Err(why) => return refuse(why),
    };
    let form = match parse_form(&body) {
        Ok(f) => f,
        Err(why) => return refuse(why),
    };
    if form.get("grant_type").map(String::as_str) != Some(GRANT_TYPE) {
        return refuse(format!("grant_type is {:?}", form.get("grant_type")));
    }
    let Some(assertion) = form.get("assertion") else {
        return refuse("no assertion".into());
    };
    if let Err(why) = check_assertion(&sink, assertion) {
        return refuse(why);
    }
    let access_token = format!("ya29.sink-{}", sink.random_hex(24));
    sink.state().access_tokens.insert(access_token.clone());
    Json(json!({
        "access_token": access_token,
        "expires_in": EXPIRES_IN,
        "token_type": "Bearer",
    }))
    .into_response()
}

fn check_assertion(sink: &Inner, assertion: &str) -> Result<(), String> {
    let v = jwt::verify_rs256(assertion, &sink.keys.rsa_public)
        .map_err(|e| format!("assertion: {e}"))?;
    if v.header != json!({"alg": "RS256", "typ": "JWT"}) {
        return Err(format!("assertion header is {}", v.header));
    }
    let c = &v.claims;
    let account = &sink.keys.service_account;
    if c["iss"] != json!(account.client_email) {
        return Err(format!("iss is {}, not the service account", c["iss"]));
    }
    if c["scope"]
        .as_str()
        .is_none_or(|s| !s.split(' ').any(|s| s == SCOPE))
    {
        return Err(format!("scope {} lacks {SCOPE}", c["scope"]));
    }
    if c["aud"] != json!(sink.token_url()) {
        return Err(format!("aud is {}, not {}", c["aud"], sink.token_url()));
    }
    let (Some(iat), Some(exp)) = (c["iat"].as_u64(), c["exp"].as_u64()) else {
        return Err("iat and exp must be integers".into());
    };
    if exp.checked_sub(iat) != Some(3600) {
        return Err(format!("exp - iat is not 3600 (iat {iat}, exp {exp})"));
    }
    if iat.abs_diff(unix_now()) > 300 {
        return Err(format!("iat {iat} is more than 5 minutes off the clock"));
    }
    Ok(())
}

/// `application/x-www-form-urlencoded`: `+` is a space, `%XX` a byte. A repeated key is
/// refused (the token endpoint takes each once).
fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the form is not UTF-8".to_owned())?;
    let mut form = HashMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(k)?;
        if form.insert(k.clone(), percent_decode(v)?).is_some() {
            return Err(format!("form key {k} given twice"));
        }
    }
    Ok(form)
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad %-escape in {text:?}"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "the form is not UTF-8".to_owned())
}

/// Google's error body.
fn google_error(status: StatusCode, message: &str) -> Value {
    let name = match status.as_u16() {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        _ => "INTERNAL",
    };
    json!({"error": {"code": status.as_u16(), "message": message, "status": name}})
}

/// `POST /v1/projects/{project}/messages:send`.
pub(super) async fn send(
    State(sink): State<Arc<Inner>>,
    Path(project): Path<String>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_owned();
    let refuse = |status: StatusCode, why: String| {
        sink.refuse(&path, status, google_error(status, &why), why)
    };
    let bearer = header_str(request.headers(), header::AUTHORIZATION.as_str())
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::to_owned);
    match bearer {
        Some(t) if sink.state().access_tokens.contains(&t) => {}
        Some(_) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "the access token is not one the sink issued (or it was expired)".into(),
            );
        }
        None => return refuse(StatusCode::UNAUTHORIZED, "no Bearer authorization".into()),
    }
    if project != sink.keys.service_account.project_id {
        return refuse(
            StatusCode::FORBIDDEN,
            format!("project {project} is not the service account's"),
        );
    }
    let json_type = header_str(request.headers(), header::CONTENT_TYPE.as_str()).unwrap_or("");
    if !json_type.starts_with("application/json") {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("content-type {json_type:?} is not JSON"),
        );
    }
    let version = version_name(request.version());
    let body = match read_body(request).await {
        Ok(b) => b,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, why),
    };
    if let Err(why) = check_payload_size(body.len()) {
        return refuse(StatusCode::BAD_REQUEST, why);
    }
    let whole: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("not JSON: {e}")),
    };
    let (token, data) = match check_message(&whole) {
        Ok(found) => found,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, why),
    };
    if let Some(status) = sink.take_failure() {
        return with_retry_after(
            status,
            (
                status,
                Json(google_error(status, "failing as asked (fail_next)")),
            )
                .into_response(),
        );
    }
    if sink.is_dead(&token) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {
                "code": 404,
                "message": "Requested entity was not found.",
                "status": "NOT_FOUND",
                "details": [{
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": "UNREGISTERED",
                }],
            }})),
        )
            .into_response();
    }
    sink.record(Received {
        gateway: GatewayKind::Fcm,
        token,
        http_version: version,
        headers: BTreeMap::new(),
        payload: data,
        body: whole,
        wire_bytes: body.len(),
    })
    .await;
    let id = sink.random_hex(8);
    Json(json!({"name": format!("projects/{project}/messages/{id}")})).into_response()
}

/// The token and `data` of a request shaped exactly as our gateway sends it.
fn check_message(whole: &Value) -> Result<(String, Value), String> {
    let top = whole.as_object().ok_or("the body is not an object")?;
    only_keys(top, &["message"], "")?;
    let message = top
        .get("message")
        .and_then(Value::as_object)
        .ok_or("no message object")?;
    only_keys(message, &["token", "data", "android"], "message")?;
    let token = message
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("message.token is not a non-empty string")?;
    if message.contains_key("notification") {
        return Err("a notification block (we send data messages only)".into());
    }
    let data = message.get("data").ok_or("no message.data")?;
    strings_only(data, "message.data")?;
    if let Some(map) = data.as_object()
        && let Some(k) = map.keys().find(|k| {
            matches!(k.as_str(), "from" | "notification" | "message_type")
                || k.starts_with("google")
                || k.starts_with("gcm")
        })
    {
        return Err(format!("message.data.{k} is a key FCM reserves"));
    }
    let android = message
        .get("android")
        .and_then(Value::as_object)
        .ok_or("no message.android object")?;
    only_keys(
        android,
        &["priority", "collapse_key", "ttl"],
        "message.android",
    )?;
    match android.get("priority").and_then(Value::as_str) {
        Some("HIGH" | "NORMAL") => {}
        other => return Err(format!("message.android.priority is {other:?}")),
    }
    let ttl = android
        .get("ttl")
        .and_then(Value::as_str)
        .ok_or("no message.android.ttl")?;
    let secs = ttl
        .strip_suffix('s')
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| format!("message.android.ttl {ttl:?} is not like \"86400s\""))?;
    if secs > 28 * 24 * 3600 {
        return Err(format!("message.android.ttl {ttl} is over four weeks"));
    }
    if let Some(k) = android.get("collapse_key")
        && !k.is_string()
    {
        return Err("message.android.collapse_key is not a string".into());
    }
    Ok((token.to_owned(), data.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        let form = parse_form(b"grant_type=urn%3Aietf%3Aa+b&assertion=x.y-z_").expect("form");
        assert_eq!(form["grant_type"], "urn:ietf:a b");
        assert_eq!(form["assertion"], "x.y-z_");
        assert!(parse_form(b"a=%zz").is_err());
        assert!(parse_form(b"a=%4").is_err());
        assert!(parse_form(b"a=1&a=2").is_err());
    }

    #[test]
    fn only_our_message_shape_passes() {
        let good = json!({"message": {
            "token": "t",
            "data": {"k": "v"},
            "android": {"priority": "HIGH", "collapse_key": "c", "ttl": "60s"},
        }});
        assert_eq!(
            check_message(&good),
            Ok(("t".to_owned(), json!({"k": "v"})))
        );
        let mut bad = good.clone();
        bad["message"]["data"]["n"] = json!(1);
        assert!(check_message(&bad).is_err());
        let mut bad = good.clone();
        bad["message"]["notification"] = json!({"title": "x"});
        assert!(check_message(&bad).is_err());
        let mut bad = good.clone();
        bad["message"]["android"]["ttl"] = json!("60");
        assert!(check_message(&bad).is_err());
        let mut bad = good.clone();
        bad["message"]["android"]["priority"] = json!("high");
        assert!(check_message(&bad).is_err());
        let mut bad = good.clone();
        bad["message"]["data"]["google.x"] = json!("v");
        assert!(check_message(&bad).is_err());
        let mut bad = good;
        bad["validate_only"] = json!(true);
        assert!(check_message(&bad).is_err());
    }
}
