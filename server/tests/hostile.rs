//! Hostile bodies on the sync route, over real HTTP: decompression bombs in both
//! encodings the server reads, JSON nested far past any real document, invalid UTF-8
//! and lone surrogates in strings, encodings that are not what they claim. Each is
//! refused with the status and JSON error shape a client can act on, quickly, and the
//! server keeps serving. (Plain over-limit bodies, the gzip bomb on sign-in, an unknown
//! encoding and an oversized photo chunk are covered in `ops.rs` and `photos.rs`.)

mod common;

use common::{Backend, PHONE, Reply, Server};
use flate2::Compression;
use flate2::write::GzEncoder;
use pasar_core::sync::wire::PROTOCOL_HEADER;
use std::io::Write;
use std::time::{Duration, Instant};

on_both!(deep_json_and_broken_text_are_clear_400s);

const PROTOCOL: (&str, &str) = (PROTOCOL_HEADER, "2");

async fn token(server: &Server) -> String {
    server.sign_in(PHONE, PHONE).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn push(server: &Server, token: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut all = vec![PROTOCOL];
    all.extend_from_slice(headers);
    server
        .send("POST", "/v1/sync/push", Some(token), &all, body)
        .await
}

fn assert_error(reply: &Reply, status: u16, code: &str) -> String {
    assert_eq!(reply.status, status, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"], code, "{body}");
    body["message"].as_str().expect("a message").to_owned()
}

/// 50 MB of zeros, packed by a client that wants to fill the server's memory.
const BOMB_BYTES: usize = 50 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decompression_bombs_stop_at_the_body_limit() {
    let server = Server::start(Backend::Sqlite).await.expect("server");
    let token = token(&server).await;
    let zeros = vec![0u8; BOMB_BYTES];
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&zeros).expect("gzip");
    let gzip_bomb = gz.finish().expect("gzip");
    let zstd_bomb = zstd::encode_all(zeros.as_slice(), 19).expect("zstd");
    assert!(gzip_bomb.len() < 100 * 1024, "{} bytes", gzip_bomb.len());
    assert!(zstd_bomb.len() < 10 * 1024, "{} bytes", zstd_bomb.len());
    for (encoding, bomb) in [("gzip", &gzip_bomb), ("zstd", &zstd_bomb)] {
        let started = Instant::now();
        let reply = push(&server, &token, &[("Content-Encoding", encoding)], bomb).await;
        let message = assert_error(&reply, 413, "too_large");
        assert!(!message.is_empty());
        // Cut off at 1 MiB of output, not inflated to 50 MB and then measured.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{encoding}: {:?}",
            started.elapsed()
        );
    }
    // A plain body over the limit on the sync route too.
    let big = vec![b' '; 2 * 1024 * 1024];
    assert_error(&push(&server, &token, &[], &big).await, 413, "too_large");
    // Still serving, and still syncing.
    assert_eq!(server.call("GET", "/health", None, "").await.0, 200);
    let reply = push(
        &server,
        &token,
        &[],
        br#"{"device_id":"d1","mutations":[]}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_their_encoding_are_400() {
    let server = Server::start(Backend::Sqlite).await.expect("server");
    let token = token(&server).await;
    let body = br#"{"device_id":"d1","mutations":[]}"#;
    // Not zstd at all; a zstd frame cut short; a gzip member cut short.
    let zst = zstd::encode_all(&body[..], 3).expect("zstd");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&body.repeat(100)).expect("gzip");
    let gz = gz.finish().expect("gzip");
    for (encoding, sent) in [
        ("zstd", &b"not zstd"[..]),
        ("zstd", &zst[..zst.len() / 2]),
        ("gzip", &gz[..gz.len() / 2]),
    ] {
        let reply = push(&server, &token, &[("Content-Encoding", encoding)], sent).await;
        assert_error(&reply, 400, "bad_request");
    }
    // An encoding the server does not read, even in a list: 415, naming those it does.
    for encoding in ["deflate", "gzip, br", "x-gzip;q=1"] {
        let reply = push(&server, &token, &[("Content-Encoding", encoding)], body).await;
        assert_error(&reply, 415, "unsupported_media_type");
    }
    assert_eq!(server.call("GET", "/health", None, "").await.0, 200);
    server.finish().await;
}

async fn deep_json_and_broken_text_are_clear_400s(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let token = token(&server).await;
    // 10,000 levels: a recursive reader without a limit would overflow its stack.
    // Where a type is expected, the second level is already the wrong type: a 400
    // saying so. Under a key the server does not know, serde_json skips the value
    // without recursing: read in linear time, ignored, and the push goes through.
    let depth = 10_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    for deep in [&arrays, &objects] {
        let body = format!(r#"{{"device_id":"d1","mutations":{deep}}}"#);
        let message = assert_error(
            &push(&server, &token, &[], body.as_bytes()).await,
            400,
            "bad_request",
        );
        assert!(message.contains("invalid type"), "{message}");
        let body = format!(r#"{{"device_id":"d1","extra":{deep},"mutations":[]}}"#);
        let reply = push(&server, &token, &[], body.as_bytes()).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["last_applied"], 0);
    }
    // The same on a route outside sync (sign-in reads its own JSON).
    let body = format!(r#"{{"phone":{arrays}}}"#);
    let reply = server
        .send("POST", "/v1/auth/code", None, &[], body.as_bytes())
        .await;
    assert_error(&reply, 400, "bad_request");

    // Invalid UTF-8 inside a string, and a lone surrogate escape.
    let mut bad = br#"{"device_id":"d"#.to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(br#"","mutations":[]}"#);
    let message = assert_error(&push(&server, &token, &[], &bad).await, 400, "bad_request");
    assert!(message.contains("not a push request"), "{message}");
    let surrogate = br#"{"device_id":"d1","mutations":[{"id":1,"at":0,"op":{"put_profile":{"name":"\ud800"}}}]}"#;
    let message = assert_error(
        &push(&server, &token, &[], surrogate).await,
        400,
        "bad_request",
    );
    assert!(message.contains("escape"), "{message}");
    // Nothing was stored: the device never pushed, so its first real push is id 1.
    let reply = push(
        &server,
        &token,
        &[],
        br#"{"device_id":"d1","mutations":[{"id":1,"at":0,"op":{"put_profile":{"name":"Rina"}}}]}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["last_applied"], 1);
    server.finish().await;
}
