//! Sign-in by phone number and one-time code, over real HTTP, run once on SQLite and once
//! on PostgreSQL (`PASAR_TEST_POSTGRES_URL`, see tests/postgres.sh). Without that URL the
//! PostgreSQL runs say so loudly and pass, unless `PASAR_REQUIRE_POSTGRES=1` (CI).

mod common;

use common::{Backend, Db, MINUTE, PHONE, Server, hex};
use pasar_server::Store;
use pasar_server::store::LATEST_VERSION;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

on_both!(
    code_verify_me_logout,
    wrong_codes_lock_the_code,
    codes_expire,
    code_requests_are_rate_limited_per_number,
    code_requests_are_rate_limited_per_address,
    forwarded_for_counts_only_behind_a_trusted_proxy,
    bad_input_is_400,
    codes_and_tokens_are_stored_hashed,
    migrations_are_idempotent,
    cleanup_deletes_dead_codes_sessions_and_rate_events,
    the_cleanup_runs_periodically_and_stops_with_the_server,
);

async fn code_verify_me_logout(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    // Typed the Indonesian way; stored and answered in E.164.
    let (status, body) = server.ask_code("0812-3456-7890").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_at_ms"], server.now() + 5 * MINUTE);
    let code = server.code(PHONE);
    let (status, body) = server.verify("+62 812 3456 7890", &code).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 64);
    let account_id = body["account_id"].as_str().expect("account_id").to_owned();
    assert_eq!(body["expires_at_ms"], server.now() + 30 * 24 * 60 * MINUTE);

    let (status, me) = server.call("GET", "/v1/me", Some(&token), "").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], account_id.as_str());
    assert_eq!(me["phone"], PHONE);
    assert_eq!(me["name"], Value::Null);

    // A code works once.
    let (status, body) = server.verify(PHONE, &code).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("no_code")));

    // Signing in again (another phone of the same person) finds the same account.
    let second = server.sign_in("6281234567890", PHONE).await;
    assert_eq!(second["account_id"], account_id.as_str());
    let second_token = second["token"].as_str().expect("token").to_owned();
    assert_ne!(second_token, token);

    // A pull remembers the session for a few seconds (one statement less per poll)...
    let pull = |token: String| {
        let server = &server;
        async move {
            server
                .send(
                    "GET",
                    "/v1/sync/pull?cursor=",
                    Some(&token),
                    &[("pasar-protocol", "2")],
                    b"",
                )
                .await
                .status
        }
    };
    assert_eq!(pull(token.clone()).await, 200);
    let (status, body) = server
        .call("POST", "/v1/auth/logout", Some(&token), "")
        .await;
    assert_eq!((status, body), (204, Value::Null));
    // ...but signing out ends it at once.
    assert_eq!(pull(token.clone()).await, 401);
    let (status, body) = server.call("GET", "/v1/me", Some(&token), "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    assert!(body["message"].is_string());
    let (status, _) = server
        .call("POST", "/v1/auth/logout", Some(&token), "")
        .await;
    assert_eq!(status, 401, "a revoked token cannot be revoked again");
    // The other session lives on.
    assert_eq!(
        server
            .call("GET", "/v1/me", Some(&second_token), "")
            .await
            .0,
        200
    );

    // No token, a malformed one, an unknown one.
    assert_eq!(server.call("GET", "/v1/me", None, "").await.0, 401);
    assert_eq!(server.call("GET", "/v1/me", Some("nope"), "").await.0, 401);
    let unknown = "0".repeat(64);
    assert_eq!(
        server.call("GET", "/v1/me", Some(&unknown), "").await.0,
        401
    );

    // Sessions end after 30 days.
    server.advance(30 * 24 * 60 * MINUTE);
    let (status, body) = server.call("GET", "/v1/me", Some(&second_token), "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    server.finish().await;
}

async fn wrong_codes_lock_the_code(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    let code = server.code(PHONE);
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    for attempt in 1..=5 {
        let (status, body) = server.verify(PHONE, &wrong).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("wrong_code")),
            "attempt {attempt}"
        );
    }
    // The sixth try is refused even with the right code.
    let (status, body) = server.verify(PHONE, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("too_many_attempts"))
    );
    // A new code starts over.
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    let (status, body) = server.verify(PHONE, &server.code(PHONE)).await;
    assert_eq!(status, 200, "{body}");
    server.finish().await;
}

async fn codes_expire(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    let code = server.code(PHONE);
    server.advance(5 * MINUTE);
    let (status, body) = server.verify(PHONE, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("code_expired"))
    );
    let (status, body) = server.verify(PHONE, &code).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("no_code")));
    // Just inside the five minutes still works.
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    server.advance(5 * MINUTE - 1);
    assert_eq!(server.verify(PHONE, &server.code(PHONE)).await.0, 200);
    server.finish().await;
}

async fn code_requests_are_rate_limited_per_number(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    for _ in 0..3 {
        assert_eq!(server.ask_code(PHONE).await.0, 200);
        server.advance(MINUTE);
    }
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[],
            json!({ "phone": "0812 3456 7890" }).to_string().as_bytes(),
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()["error"].as_str()),
        (429, Some("rate_limited"))
    );
    // The first of the three, 3 minutes ago, leaves the 10-minute window in 7.
    assert_eq!(reply.header("retry-after"), Some("420"));
    assert_eq!(server.sender.count(), 3, "a refused request sends nothing");
    // Another number is not held back by this one.
    assert_eq!(server.ask_code("+6281299998888").await.0, 200);
    // Ten minutes after the first request, one more is allowed.
    server.advance(7 * MINUTE);
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    assert_eq!(server.ask_code(PHONE).await.0, 429);
    server.finish().await;
}

async fn code_requests_are_rate_limited_per_address(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    for i in 0..20 {
        let (status, body) = server.ask_code(&format!("+62812555500{i:02}")).await;
        assert_eq!(status, 200, "request {i}: {body}");
    }
    server.advance(MINUTE);
    let reply = server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[],
            json!({ "phone": "+6281255550099" }).to_string().as_bytes(),
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()["error"].as_str()),
        (429, Some("rate_limited"))
    );
    assert_eq!(reply.header("retry-after"), Some("3540"));
    server.advance(59 * MINUTE);
    assert_eq!(server.ask_code("+6281255550099").await.0, 200);
    server.finish().await;
}

/// One code request from the same socket, claiming `forwarded` as its origin.
async fn ask_forwarded(server: &Server, phone: &str, forwarded: &str) -> u16 {
    server
        .send(
            "POST",
            "/v1/auth/code",
            None,
            &[("X-Forwarded-For", forwarded)],
            json!({ "phone": phone }).to_string().as_bytes(),
        )
        .await
        .status
}

async fn forwarded_for_counts_only_behind_a_trusted_proxy(backend: Backend) {
    // Not trusted (the default): a client writing the header gains nothing.
    let Some(server) = Server::start(backend).await else {
        return;
    };
    for i in 0..20 {
        let status = ask_forwarded(
            &server,
            &format!("+62812555500{i:02}"),
            &format!("1.2.3.{i}"),
        )
        .await;
        assert_eq!(status, 200, "request {i}");
    }
    assert_eq!(
        ask_forwarded(&server, "+6281255550099", "9.9.9.9").await,
        429
    );
    server.finish().await;

    // Behind one trusted proxy: the address it appended is the client's.
    let Some(server) = Server::start_with(backend, |s| s.http.trusted_proxies = 1).await else {
        return;
    };
    for i in 0..25 {
        // What the client wrote itself ("6.6.6.6") is ignored: each request counts for
        // the address the proxy appended.
        let status = ask_forwarded(
            &server,
            &format!("+62812666600{i:02}"),
            &format!("6.6.6.6, 1.2.3.{i}"),
        )
        .await;
        assert_eq!(status, 200, "request {i}");
    }
    for i in 0..19 {
        let status =
            ask_forwarded(&server, &format!("+62812777700{i:02}"), "6.6.6.6, 1.2.3.0").await;
        assert_eq!(status, 200, "request {i} from 1.2.3.0");
    }
    assert_eq!(
        ask_forwarded(&server, "+6281277770099", "1.2.3.0").await,
        429
    );
    server.finish().await;
}

async fn bad_input_is_400(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    for phone in ["", "12", "0812-34x", "+1 415 555 2671", "021 555 1234"] {
        let (status, body) = server.ask_code(phone).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_phone")),
            "{phone:?}: {body}"
        );
        assert!(body["message"].is_string());
    }
    let (status, body) = server
        .call("POST", "/v1/auth/code", None, "{not json")
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
    let (status, body) = server.post("/v1/auth/code", json!({ "phon": PHONE })).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
    let (status, body) = server.verify(PHONE, "12a456").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
    let (status, body) = server.verify("12", "123456").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_phone"))
    );
    assert_eq!(server.sender.count(), 0);
    server.finish().await;
}

async fn codes_and_tokens_are_stored_hashed(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    let code = server.code(PHONE);
    let stored = server.db.texts("SELECT code_hash FROM otp_codes").await;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], code);
    assert_eq!(stored[0].len(), 64);

    let (status, body) = server.verify(PHONE, &code).await;
    assert_eq!(status, 200);
    let token = body["token"].as_str().expect("token");
    let sha = hex(&Sha256::digest(token.as_bytes()));
    let hashes = server.db.texts("SELECT token_hash FROM sessions").await;
    assert_eq!(hashes, vec![sha]);
    // Nowhere in the sessions or accounts is the token itself.
    for sql in [
        "SELECT token_hash FROM sessions",
        "SELECT account_id FROM sessions",
        "SELECT id FROM accounts",
        "SELECT phone FROM accounts",
    ] {
        for value in server.db.texts(sql).await {
            assert!(!value.contains(token), "{sql} holds the raw token");
        }
    }
    server.finish().await;
}

async fn migrations_are_idempotent(backend: Backend) {
    let Some(db) = Db::new(backend).await else {
        return;
    };
    let store = Store::open(&db.database()).await.expect("open");
    assert_eq!(
        store.schema_version().await.expect("version"),
        LATEST_VERSION
    );
    assert_eq!(store.migrate().await.expect("migrate again"), 0);
    // A second server starting on the same database changes nothing either.
    let again = Store::open(&db.database()).await.expect("reopen");
    assert_eq!(again.migrate().await.expect("migrate"), 0);
    assert_eq!(
        again.schema_version().await.expect("version"),
        LATEST_VERSION
    );
    let versions = db
        .texts("SELECT CAST(version AS TEXT) FROM schema_version ORDER BY version")
        .await;
    let expected: Vec<String> = (1..=LATEST_VERSION).map(|v| v.to_string()).collect();
    assert_eq!(versions, expected, "each migration recorded once");
    drop((store, again));
    db.finish().await;
}

async fn count(db: &Db, table: &str) -> usize {
    db.texts(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .first()
        .and_then(|n| n.parse().ok())
        .expect("count")
}

async fn cleanup_deletes_dead_codes_sessions_and_rate_events(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let (abandoned, revoked, expiring) = ("+6281200000001", "+6281200000002", "+6281200000003");
    assert_eq!(server.ask_code(abandoned).await.0, 200);
    let token = server.sign_in(revoked, revoked).await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        server
            .call("POST", "/v1/auth/logout", Some(&token), "")
            .await
            .0,
        204
    );
    let live = server.sign_in(expiring, expiring).await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    server.advance(6 * MINUTE);
    assert_eq!(server.ask_code(PHONE).await.0, 200); // a code still live

    let cleaned = pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(
        (cleaned.codes, cleaned.sessions, cleaned.rate_events),
        (1, 1, 0)
    );
    assert_eq!(
        server.db.texts("SELECT phone FROM otp_codes").await,
        vec![PHONE]
    );
    assert_eq!(count(&server.db, "sessions").await, 1);
    assert_eq!(
        server.call("GET", "/v1/me", Some(&live), "").await.0,
        200,
        "a live session survives"
    );
    assert_eq!(
        server
            .call("POST", "/v1/auth/logout", Some(&token), "")
            .await
            .0,
        401,
        "a deleted revoked session is as dead as before"
    );

    // An hour later every code request has left the longest window (two events each:
    // the number and the address), and the last code has expired.
    server.advance(61 * MINUTE);
    let cleaned = pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(
        (cleaned.codes, cleaned.sessions, cleaned.rate_events),
        (1, 0, 8)
    );
    assert_eq!(count(&server.db, "otp_codes").await, 0);
    assert_eq!(count(&server.db, "otp_requests").await, 0);

    server.advance(30 * 24 * 60 * MINUTE);
    let cleaned = pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(
        (cleaned.codes, cleaned.sessions, cleaned.rate_events),
        (0, 1, 0)
    );
    assert_eq!(count(&server.db, "sessions").await, 0);
    // Again: nothing left to do.
    let cleaned = pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(cleaned, pasar_server::store::Cleaned::default());
    let metrics = server.state.metrics.render();
    assert!(
        metrics.contains("pasar_cleanup_runs_total 4\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("pasar_cleanup_deleted_total{kind=\"sessions\"} 2\n"),
        "{metrics}"
    );
    server.finish().await;
}

async fn the_cleanup_runs_periodically_and_stops_with_the_server(backend: Backend) {
    let Some(server) = Server::start_with(backend, |s| {
        s.cleanup_interval = Duration::from_millis(50);
    })
    .await
    else {
        return;
    };
    assert_eq!(server.ask_code(PHONE).await.0, 200);
    server.advance(5 * MINUTE); // the code expires; the next cleanup deletes it
    let runs = server
        .state
        .metrics
        .counter("pasar_cleanup_runs_total", &[]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while count(&server.db, "otp_codes").await > 0 || runs.get() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no cleanup ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // serve_state returns only once the cleanup task has ended; after that, no more runs.
    let (task, db) = server.stop();
    task.await.expect("server task").expect("server ran");
    let after = runs.get();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs.get(), after, "the cleanup went on after the shutdown");
    db.finish().await;
}
