//! The HTTP layers and operations routes over real HTTP: metrics, compression both
//! ways, body limits (also after decompression), the request timeout, and graceful
//! shutdown. They do not depend on the database, so they run on SQLite only.

mod common;

use common::{Backend, PHONE, Server, request};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;
use std::io::Write;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut d = flate2::write::GzDecoder::new(&mut out);
    d.write_all(data).expect("gunzip");
    d.finish().expect("gunzip");
    out
}

async fn start() -> Server {
    Server::start(Backend::Sqlite).await.expect("sqlite server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_status_class() {
    let server = start().await;
    for _ in 0..2 {
        assert_eq!(server.call("GET", "/health", None, "").await.0, 200);
    }
    // A 404's route is not its path: scanners cannot make up series.
    assert_eq!(server.call("GET", "/wp-admin/x.php", None, "").await.0, 404);
    assert_eq!(server.ask_code("12").await.0, 400);
    // Other modules add their own counters through the state.
    server
        .state
        .metrics
        .counter("pasar_test_things_total", &[("kind", "a")])
        .add(5);

    let reply = server.send("GET", "/metrics", None, &[], b"").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = reply.text();
    for line in [
        "# HELP pasar_http_requests_total HTTP requests answered, by method, route template and status class.",
        "# TYPE pasar_http_requests_total counter",
        "pasar_http_requests_total{method=\"GET\",route=\"/health\",status=\"2xx\"} 2",
        "pasar_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"4xx\"} 1",
        "pasar_http_requests_total{method=\"POST\",route=\"/v1/auth/code\",status=\"4xx\"} 1",
        "# TYPE pasar_http_request_duration_seconds histogram",
        "pasar_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 2",
        "pasar_http_request_duration_seconds_count{route=\"/health\"} 2",
        "# TYPE pasar_http_requests_in_flight gauge",
        // The /metrics request itself is being answered.
        "pasar_http_requests_in_flight 1",
        "pasar_test_things_total{kind=\"a\"} 5",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(!text.contains("wp-admin"), "{text}");
    // Every sample line is `name{labels} number` or `name number`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').expect("value");
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_compressed_as_the_client_allows() {
    let server = start().await;
    let document = pasar_server::ops::openapi::DOCUMENT.as_bytes();
    assert!(document.len() > 1024);

    let plain = server.send("GET", "/openapi.json", None, &[], b"").await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, document);

    let gz = server
        .send(
            "GET",
            "/openapi.json",
            None,
            &[("Accept-Encoding", "gzip")],
            b"",
        )
        .await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(
        gz.header("vary")
            .is_some_and(|v| v.contains("accept-encoding"))
    );
    assert!(gz.body.len() < document.len() / 2);
    assert_eq!(gunzip(&gz.body), document);

    let zst = server
        .send(
            "GET",
            "/openapi.json",
            None,
            &[("Accept-Encoding", "zstd, gzip;q=0.5")],
            b"",
        )
        .await;
    assert_eq!(zst.header("content-encoding"), Some("zstd"));
    assert_eq!(
        zstd::decode_all(zst.body.as_slice()).expect("unzstd"),
        document
    );

    // Tiny answers are not worth it.
    let small = server
        .send(
            "GET",
            "/health",
            None,
            &[("Accept-Encoding", "gzip, zstd")],
            b"",
        )
        .await;
    assert_eq!(small.header("content-encoding"), None);
    assert_eq!(small.text(), r#"{"status":"ok"}"#);
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_request_bodies_are_read() {
    let server = start().await;
    let body = json!({ "phone": PHONE }).to_string();
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[("Content-Encoding", "gzip")],
            &gzip(body.as_bytes()),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let zst = zstd::encode_all(
        json!({ "phone": "+6281299990000" }).to_string().as_bytes(),
        3,
    )
    .expect("zstd");
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[("Content-Encoding", "zstd")],
            &zst,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    // An encoding we do not read is refused, saying which we do.
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[("Content-Encoding", "br")],
            b"xx",
        )
        .await;
    assert_eq!(reply.status, 415);
    assert_eq!(reply.json()["error"], "unsupported_media_type");
    assert!(
        reply
            .header("accept-encoding")
            .is_some_and(|v| v.contains("gzip"))
    );
    // A body that is not the gzip it claims is a bad request, not a crash.
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[("Content-Encoding", "gzip")],
            b"not gzip",
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["error"], "bad_request");
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_is_cut_off_at_the_body_limit() {
    let server = start().await; // the default limit: 1 MiB
    let inflated = vec![b' '; 8 * 1024 * 1024];
    let bomb = gzip(&inflated);
    assert!(bomb.len() < 64 * 1024, "{} bytes on the wire", bomb.len());
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[("Content-Encoding", "gzip")],
            &bomb,
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["error"], "too_large");
    // The server is fine afterwards.
    assert_eq!(server.call("GET", "/health", None, "").await.0, 200);
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_above_the_limit_are_413() {
    let server = Server::start_with(Backend::Sqlite, |s| s.http.body_limit = 4096)
        .await
        .expect("server");
    // Valid JSON with padding: only its size is wrong.
    let big = format!(r#"{{"phone":"{PHONE}","pad":"{}"}}"#, "x".repeat(8000));
    let reply = server
        .send("POST", "/v1/auth/code", None, &[], big.as_bytes())
        .await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["error"], "too_large");
    let fits = format!(r#"{{"phone":"{PHONE}","pad":"{}"}}"#, "x".repeat(3000));
    let reply = server
        .send("POST", "/v1/auth/code", None, &[], fits.as_bytes())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.finish().await;
}

/// Sends the head of a POST whose body never fully arrives.
async fn half_sent_request(server: &Server, body_prefix: &[u8], total: usize) -> TcpStream {
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let head = format!(
        "POST /v1/auth/code HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(body_prefix).await.expect("body prefix");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_too_slow_to_arrive_gets_408() {
    let server = Server::start_with(Backend::Sqlite, |s| {
        s.http.request_timeout = Duration::from_millis(300);
    })
    .await
    .expect("server");
    let mut s = half_sent_request(&server, b"{", 20).await;
    let reply = tokio::time::timeout(Duration::from_secs(10), common::read_reply(&mut s))
        .await
        .expect("answered in time");
    assert_eq!(reply.status, 408);
    assert_eq!(reply.json()["error"], "timeout");
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    let server = start().await;
    let addr = server.addr;
    let body = json!({ "phone": PHONE }).to_string();
    let (first, rest) = body.as_bytes().split_at(5);
    // The request is in the handler, waiting for the rest of its body...
    let mut s = half_sent_request(&server, first, body.len()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // ...when the stop signal comes.
    let (task, db) = server.stop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !task.is_finished(),
        "the server stopped with a request in flight"
    );
    // New connections are no longer taken.
    let refused = match TcpStream::connect(addr).await {
        Err(_) => true,
        Ok(mut c) => {
            let _ = c
                .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                .await;
            let reply = tokio::time::timeout(Duration::from_secs(2), async {
                let mut buf = Vec::new();
                tokio::io::AsyncReadExt::read_to_end(&mut c, &mut buf)
                    .await
                    .ok();
                buf
            })
            .await;
            reply.is_err() || matches!(reply, Ok(ref buf) if buf.is_empty())
        }
    };
    assert!(refused, "a new connection was served during shutdown");
    // The request in flight completes normally, then the server stops.
    s.write_all(rest).await.expect("rest of the body");
    let reply = common::read_reply(&mut s).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the server stops once the request is done")
        .expect("task")
        .expect("serve");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_past_the_grace_period() {
    let server = Server::start_with(Backend::Sqlite, |s| {
        s.http.shutdown_grace = Duration::from_millis(300);
        s.http.request_timeout = Duration::from_secs(600);
    })
    .await
    .expect("server");
    let _stuck = half_sent_request(&server, b"{", 1000).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (task, db) = server.stop();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("stopped after the grace period")
        .expect("task")
        .expect("serve");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_errors_have_our_shape() {
    let server = start().await;
    let reply = request(server.addr, "DELETE", "/v1/me", &[], b"").await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.json()["error"], "method_not_allowed");
    assert!(reply.header("allow").is_some_and(|a| a.contains("GET")));
    let reply = request(server.addr, "GET", "/nowhere", &[], b"").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"], "not_found");
    server.finish().await;
}
