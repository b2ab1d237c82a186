//! Sessions that must end: an expired session on every signed-in route (which trust a
//! checked token for a few seconds, see `auth::SessionCache`), a sign-out on one server
//! instance honoured by a second instance on the same database within the documented
//! window, and a number's one-time codes guessed at across fresh codes running into
//! the per-number limit. (A token replayed after sign-out on every route is a role of
//! the matrix in authz.rs; a code reused after sign-in and the lock on one code are in
//! auth.rs.)

mod common;

use common::{Backend, MINUTE, PHONE, Server};
use pasar_server::auth::SESSION_CACHE_MS;
use pasar_server::{AppState, Store};
use std::net::SocketAddr;
use std::sync::Arc;

on_both!(
    an_expired_session_opens_nothing,
    a_sign_out_reaches_every_instance_within_the_cache_window,
    guessing_across_fresh_codes_hits_the_number_limit,
);

const PROTOCOL: (&str, &str) = ("pasar-protocol", "2");
const DAY: i64 = 24 * 60 * MINUTE;

/// The statuses of one call to each signed-in route, in a fixed order.
async fn statuses(addr: SocketAddr, token: &str) -> Vec<(&'static str, u16)> {
    let auth = format!("Bearer {token}");
    let photo = "ab".repeat(32);
    let routes: [(&'static str, &str, String, &[u8]); 5] = [
        ("me", "GET", "/v1/me".to_owned(), b""),
        ("pull", "GET", "/v1/sync/pull?cursor=".to_owned(), b""),
        (
            "push",
            "POST",
            "/v1/sync/push".to_owned(),
            br#"{"device_id":"phone-1","mutations":[]}"#,
        ),
        ("photo", "GET", format!("/v1/photos/{photo}/upload"), b""),
        (
            "push device",
            "PUT",
            "/v1/push/devices/phone-1".to_owned(),
            br#"{"platform":"fcm","token":"t:APA91b","app_version":"1.4.0","lang":"id"}"#,
        ),
    ];
    let mut out = Vec::new();
    for (name, method, path, body) in routes {
        let reply = common::request(
            addr,
            method,
            &path,
            &[
                ("Authorization", &auth),
                PROTOCOL,
                ("Content-Type", "application/json"),
            ],
            body,
        )
        .await;
        out.push((name, reply.status));
    }
    out
}

fn all(status: u16) -> Vec<(&'static str, u16)> {
    ["me", "pull", "push", "photo", "push device"]
        .into_iter()
        .map(|name| (name, status))
        .collect()
}

/// Thirty days after sign-in the token opens nothing, though it was used (and so
/// remembered) moments before it ran out.
async fn an_expired_session_opens_nothing(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let signed = server.sign_in(PHONE, PHONE).await;
    let token = signed["token"].as_str().expect("token").to_owned();
    let expires = signed["expires_at_ms"].as_i64().expect("expiry");
    assert_eq!(expires, server.now() + 30 * DAY);
    let ok = statuses(server.addr, &token).await;
    assert_eq!(
        ok,
        [
            ("me", 200),
            ("pull", 200),
            ("push", 200),
            ("photo", 200),
            ("push device", 204)
        ]
    );
    // Used just before it ends: remembered for a few seconds past the end at most.
    server.advance(expires - server.now() - 1);
    assert_eq!(statuses(server.addr, &token).await, ok);
    server.advance(SESSION_CACHE_MS);
    assert_eq!(statuses(server.addr, &token).await, all(401));
    server.finish().await;
}

/// Two servers behind one balancer on one database: a sign-out through the first ends
/// the session at once there and within `SESSION_CACHE_MS` on the second, even though
/// the second had just checked (and remembered) the token.
async fn a_sign_out_reaches_every_instance_within_the_cache_window(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    // The second instance: its own connections and session cache, the same clock.
    let store = Store::open(&server.db.database())
        .await
        .expect("second store");
    let state = AppState {
        store,
        sessions: Arc::default(),
        feed_head: Arc::default(),
        ..server.state.clone()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let second = listener.local_addr().expect("addr");
    tokio::spawn(pasar_server::serve_state(
        listener,
        state,
        std::future::pending(),
    ));

    let signed = server.sign_in(PHONE, PHONE).await;
    let token = signed["token"].as_str().expect("token").to_owned();
    assert_eq!(statuses(second, &token).await[1], ("pull", 200));
    assert_eq!(
        server
            .call("POST", "/v1/auth/logout", Some(&token), "")
            .await
            .0,
        204
    );
    assert_eq!(statuses(server.addr, &token).await, all(401));
    // The second instance asks the database again once its memory of the token is
    // older than the window: by then the token is refused everywhere.
    server.advance(SESSION_CACHE_MS);
    assert_eq!(statuses(second, &token).await, all(401));
    server.finish().await;
}

/// Someone guessing a number's code: five wrong tries lock a code, asking for a new one
/// starts over, but only three codes per ten minutes: fifteen guesses at most, then
/// every try is refused, the right code included, until the window moves on.
async fn guessing_across_fresh_codes_hits_the_number_limit(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let mut guesses = 0;
    let mut last_code = String::new();
    for round in 0..3 {
        assert_eq!(server.ask_code(PHONE).await.0, 200, "code {round}");
        last_code = server.code(PHONE);
        let real: u32 = last_code.parse().expect("digits");
        for i in 1..=6u32 {
            let guess = format!("{:06}", (real + i) % 1_000_000);
            let (status, body) = server.verify(PHONE, &guess).await;
            assert_eq!(status, 401);
            match body["error"].as_str() {
                Some("wrong_code") => guesses += 1,
                Some("too_many_attempts") => {}
                other => panic!("round {round}: {other:?}"),
            }
        }
        server.advance(MINUTE);
    }
    assert_eq!(guesses, 15);
    let (status, body) = server.ask_code(PHONE).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limited"))
    );
    assert_eq!(server.sender.count(), 3, "no fourth code was sent");
    // The locked last code stays refused, even when right.
    let (status, body) = server.verify(PHONE, &last_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("too_many_attempts"))
    );
    // The owner of the number gets in once the first code's ten minutes are over.
    server.advance(7 * MINUTE);
    let signed = server.sign_in(PHONE, PHONE).await;
    assert!(signed["token"].is_string());
    server.finish().await;
}
