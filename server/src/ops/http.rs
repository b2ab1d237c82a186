//! The HTTP layers every route sits behind, and the client's address.
//!
//! From the outside in: [`observe`] (a log span and metrics per request), response
//! compression (gzip or zstd, as the client's `Accept-Encoding` allows, only above
//! `http.compression_min_bytes`), the error shape (`error::normalize`: every error
//! answer is our JSON, every 429 has `Retry-After`), the request timeout (408), request
//! decompression (`Content-Encoding: gzip` or `zstd`), and the body limit.
//!
//! The body limit is axum's [`DefaultBodyLimit`]: axum's body extractors (`Bytes`,
//! `Json`, `String`) stop reading past it and answer 413. It counts the bytes the
//! handler sees, after decompression, so a 1 KiB gzip that inflates to gigabytes is cut
//! off at the limit instead of filling memory. A route that takes uploads sets its own,
//! inner limit, which wins over the default:
//! `.route("/v1/photos", post(upload).layer(DefaultBodyLimit::max(20 << 20)))`.

use super::metrics::Metrics;
use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;
use tracing::field::Empty;

pub const REQUESTS: &str = "pasar_http_requests_total";
pub const DURATION: &str = "pasar_http_request_duration_seconds";
pub const IN_FLIGHT: &str = "pasar_http_requests_in_flight";
/// The route label of requests no route matched (404s): never the raw path, which a
/// scanner could make into unbounded series.
pub const UNMATCHED: &str = "unmatched";

/// Wraps `routes` (all of them: layers only apply to routes added before) in the layers
/// described above, configured by `state.http`.
pub(crate) fn layers(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    let http = &state.http;
    describe(&state.metrics);
    let compress_when = SizeAbove::new(u64::from(http.compression_min_bytes))
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE);
    routes
        .layer(DefaultBodyLimit::max(http.body_limit))
        .layer(RequestDecompressionLayer::new().gzip(true).zstd(true))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            http.request_timeout,
        ))
        .layer(axum::middleware::map_response(crate::error::normalize))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .zstd(true)
                .compress_when(compress_when),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            observe,
        ))
}

fn describe(metrics: &Metrics) {
    metrics.describe(
        REQUESTS,
        "HTTP requests answered, by method, route template and status class.",
    );
    metrics.describe(
        DURATION,
        "Time to answer (until the response headers), by route template.",
    );
    metrics.describe(IN_FLIGHT, "HTTP requests being answered now.");
}

/// Lowers the in-flight gauge however the request ends, even when the client hangs up
/// and the handler's future is dropped half-way.
struct InFlight(super::metrics::Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// One span per request (method, route template, then status and latency), one
/// "finished" event in it, and the request metrics.
pub(crate) async fn observe(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        status = Empty,
        latency_ms = Empty,
    );
    let gauge = metrics.gauge(IN_FLIGHT, &[]);
    gauge.inc();
    let _in_flight = InFlight(gauge);
    let start = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    let status = response.status();
    // Rounded to microseconds: more digits are noise.
    let latency_ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3;
    span.record("status", status.as_u16());
    span.record("latency_ms", latency_ms);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!("request finished");
        } else {
            tracing::info!("request finished");
        }
    });
    let class = format!("{}xx", status.as_u16() / 100);
    metrics
        .counter(
            REQUESTS,
            &[("method", method), ("route", &route), ("status", &class)],
        )
        .inc();
    metrics
        .histogram(DURATION, &[("route", &route)])
        .observe(elapsed);
    response
}

/// Methods as a label from a fixed set: clients can send any token as a method.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The address of the client a request is from, for rate limits: the socket's peer,
/// or, behind `http.trusted_proxies` reverse proxies, the address the outermost of them
/// put into `X-Forwarded-For`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or_else(|| {
                ApiError::internal(
                    "no client address: serve the router with \
                     into_make_service_with_connect_info::<SocketAddr>()",
                )
            })?;
        Ok(ClientAddr(client_ip(
            socket,
            &parts.headers,
            state.http.trusted_proxies,
        )))
    }
}

/// Each proxy appends the address it received the request from, so behind `n` trusted
/// proxies the client is the `n`-th entry from the right; anything left of it was
/// written by the client and proves nothing. With no trusted proxies, or a header that
/// is missing, short or unreadable, the socket's peer is the client.
pub fn client_ip(socket: IpAddr, headers: &HeaderMap, trusted_proxies: usize) -> IpAddr {
    if trusted_proxies == 0 {
        return socket;
    }
    // Several headers count as one comma-separated list, in order (RFC 9110, 5.3).
    let mut entries = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(value) = value.to_str() else {
            return socket;
        };
        entries.extend(value.split(',').map(str::trim));
    }
    let Some(entry) = entries
        .len()
        .checked_sub(trusted_proxies)
        .and_then(|i| entries.get(i))
    else {
        return socket;
    };
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .unwrap_or(socket)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().expect("header"));
        }
        h
    }

    #[test]
    fn forwarded_for_is_ignored_unless_proxies_are_trusted() {
        let socket: IpAddr = "10.0.0.9".parse().expect("ip");
        let h = headers(&["1.2.3.4"]);
        assert_eq!(client_ip(socket, &h, 0), socket);
        assert_eq!(
            client_ip(socket, &h, 1),
            "1.2.3.4".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn a_client_cannot_choose_its_address_behind_a_proxy() {
        let socket: IpAddr = "10.0.0.9".parse().expect("ip");
        // The client wrote "6.6.6.6"; the proxy appended the real address.
        let h = headers(&["6.6.6.6, 1.2.3.4"]);
        assert_eq!(
            client_ip(socket, &h, 1),
            "1.2.3.4".parse::<IpAddr>().expect("ip")
        );
        // Two proxies: the outer one appended the client, the inner one the outer one.
        let h = headers(&["6.6.6.6, 1.2.3.4", "10.0.0.2"]);
        assert_eq!(
            client_ip(socket, &h, 2),
            "1.2.3.4".parse::<IpAddr>().expect("ip")
        );
        // Fewer entries than proxies, garbage, or no header: the socket.
        assert_eq!(client_ip(socket, &headers(&["1.2.3.4"]), 2), socket);
        assert_eq!(client_ip(socket, &headers(&["nonsense"]), 1), socket);
        assert_eq!(client_ip(socket, &HeaderMap::new(), 1), socket);
        // A port is tolerated.
        assert_eq!(
            client_ip(socket, &headers(&["[2001:db8::1]:443"]), 1),
            "2001:db8::1".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"PROBE").expect("method");
        assert_eq!(method_label(&odd), "other");
    }
}
