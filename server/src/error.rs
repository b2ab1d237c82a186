//! The one error shape of the API: a status and `{"error": "<code>", "message": "..."}`.
//! The code is for programs (stable), the message for people (may change).
//!
//! Our handlers answer with [`ApiError`]; [`normalize`] gives the same shape to the
//! answers the framework and the HTTP layers make themselves (404, 405, 408, 413, 415,
//! an extractor's rejection), and a `Retry-After` to every 429.

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;

/// `Retry-After` of a 429 that did not say when (a limit of a layer, not ours).
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 60;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Sent as `Retry-After` (whole seconds, rounded up).
    pub retry_after: Option<Duration>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in again: the session token is missing, unknown, expired or revoked",
        )
    }

    /// 429, to be tried again after `retry_after`.
    pub fn rate_limited(message: impl Into<String>, retry_after: Duration) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            .with_retry_after(retry_after)
    }

    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// A failure of ours. The detail goes to the server's log; the client learns only
    /// that it may retry.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server; try again",
        )
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

/// Whole seconds, rounded up, at least 1: "retry after 0 seconds" invites a hot loop.
fn seconds(d: Duration) -> u64 {
    d.as_secs()
        .saturating_add(u64::from(d.subsec_nanos() > 0))
        .max(1)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody {
                error: self.code,
                message: &self.message,
            }),
        )
            .into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED && self.code == "unauthorized" {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(after) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds(after)));
        }
        response
    }
}

/// The error code for a status the framework answered with.
fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "error",
    }
}

fn message_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "no such route",
        StatusCode::METHOD_NOT_ALLOWED => "this route does not take that method (see Allow)",
        StatusCode::REQUEST_TIMEOUT => "the request took too long; try again",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "the request body's encoding or type is not accepted (gzip and zstd are)"
        }
        StatusCode::TOO_MANY_REQUESTS => "too many requests; wait and try again",
        s if s.is_server_error() => "something went wrong on the server; try again",
        _ => "the request was not accepted",
    }
}

/// Error answers not already in our shape (not JSON) get it, keeping their status and
/// headers (`Allow`, `Accept-Encoding`); a framework's plain-text reason, such as a
/// JSON extractor's, becomes the message. Every 429 gets a `Retry-After`.
pub(crate) async fn normalize(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut response = if is_json {
        response
    } else {
        let (mut parts, body) = response.into_parts();
        // A framework's reason is a short line; anything longer is not worth keeping.
        let text = axum::body::to_bytes(body, 1024)
            .await
            .ok()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty() && !status.is_server_error());
        let message = text.unwrap_or_else(|| message_for(status).to_owned());
        let body = serde_json::to_vec(&ErrorBody {
            error: code_for(status),
            message: &message,
        })
        .unwrap_or_default();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, Body::from(body))
    };
    if status == StatusCode::TOO_MANY_REQUESTS
        && !response.headers().contains_key(header::RETRY_AFTER)
    {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(DEFAULT_RETRY_AFTER_SECS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::ZERO), 1);
        assert_eq!(seconds(Duration::from_millis(420_000)), 420);
        assert_eq!(seconds(Duration::from_millis(420_001)), 421);
    }

    #[tokio::test]
    async fn framework_errors_get_our_shape_and_429s_a_retry_after() {
        let plain = Response::builder()
            .status(StatusCode::PAYLOAD_TOO_LARGE)
            .body(Body::from(
                "Failed to buffer the request body: length limit exceeded",
            ))
            .expect("response");
        let r = normalize(plain).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body = axum::body::to_bytes(r.into_body(), 4096)
            .await
            .expect("body");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["error"], "too_large");
        assert!(
            v["message"]
                .as_str()
                .is_some_and(|m| m.contains("length limit"))
        );

        let bare = Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .body(Body::empty())
            .expect("response");
        let r = normalize(bare).await;
        assert_eq!(r.headers()[header::RETRY_AFTER], "60");

        let ours = ApiError::rate_limited("slow down", Duration::from_secs(7)).into_response();
        let r = normalize(ours).await;
        assert_eq!(r.headers()[header::RETRY_AFTER], "7");
    }
}
