//! Arbitrary bytes as the body of `POST /v1/sync/push`: the server's own reading of it
//! (`pasar_server::sync::check_push_body`, which the handler calls) must refuse or
//! accept without panicking, and what it accepts must keep the handler's promises
//! (a good device id, at most `PUSH_BATCH` mutations, ids positive and increasing).
//!
//! An accepted body then goes through the whole router (layers, sign-in, the per-
//! mutation rules of `sync/rules.rs`) against an in-memory SQLite store, signed in as
//! one account: the answer must be 200 with one result per mutation, never a 500 (a
//! mutation the rules cannot read is refused, not a server failure). Two rewrites make
//! that reach the rules: each body gets a fresh device id (a device's ids only go up,
//! so a repeated one would be skipped as already applied), and the text `@me` becomes
//! the account's id, so seeds can name the signed-in seller or buyer. A refused body is
//! sent as it came and must get our 400 JSON error.

#![no_main]

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use pasar_core::sync::wire::{PUSH_BATCH, PushResponse};
use pasar_server::sync::check_push_body;
use pasar_server::{AppState, Database, RecordingSender, Store};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const PHONE: &str = "+6281234567890";

struct Server {
    rt: tokio::runtime::Runtime,
    app: Router,
    token: String,
    account: String,
    devices: AtomicU64,
}

impl Server {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .header("pasar-protocol", "2")
            .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(Body::from(body)).expect("request");
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .expect("body");
        (status, body.to_vec())
    }
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let sender = Arc::new(RecordingSender::default());
        let app = rt.block_on(async {
            let store = Store::open(&Database::Memory).await.expect("store");
            pasar_server::router(AppState::new(store, sender.clone()))
        });
        let mut s = Server {
            rt,
            app,
            token: String::new(),
            account: String::new(),
            devices: AtomicU64::new(0),
        };
        let signed: serde_json::Value = s.rt.block_on(async {
            let code = format!(r#"{{"phone":"{PHONE}"}}"#).into_bytes();
            let (status, _) = s.call("POST", "/v1/auth/code", None, code).await;
            assert_eq!(status, StatusCode::OK);
            let code = sender.last_code(PHONE).expect("code sent");
            let verify = format!(r#"{{"phone":"{PHONE}","code":"{code}"}}"#).into_bytes();
            let (status, body) = s.call("POST", "/v1/auth/verify", None, verify).await;
            assert_eq!(status, StatusCode::OK);
            serde_json::from_slice(&body).expect("signed in")
        });
        s.token = signed["token"].as_str().expect("token").to_owned();
        s.account = signed["account_id"].as_str().expect("account").to_owned();
        s
    })
}

fuzz_target!(|data: &[u8]| {
    let s = server();
    match check_push_body(data) {
        Ok(mut request) => {
            let d = &request.device_id;
            assert!(!d.is_empty() && d.len() <= 64);
            assert!(d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            assert!(request.mutations.len() <= PUSH_BATCH);
            assert!(request.mutations.windows(2).all(|w| w[0].id < w[1].id));
            assert!(
                request
                    .mutations
                    .iter()
                    .all(|m| m.id > 0 && m.id <= i64::MAX as u64)
            );
            let n = s.devices.fetch_add(1, Ordering::Relaxed);
            request.device_id = format!("fuzz-{n}");
            let body = serde_json::to_string(&request)
                .expect("a read request writes back")
                .replace("@me", &s.account);
            let (status, answer) =
                s.rt.block_on(s.call("POST", "/v1/sync/push", Some(&s.token), body.into_bytes()));
            assert_eq!(
                status,
                StatusCode::OK,
                "{}",
                String::from_utf8_lossy(&answer)
            );
            let answer: PushResponse = serde_json::from_slice(&answer).expect("a push answer");
            let sent: Vec<u64> = request.mutations.iter().map(|m| m.id).collect();
            let got: Vec<u64> = answer.results.iter().map(|r| r.id).collect();
            assert_eq!(sent, got, "one result per mutation, in order");
        }
        Err(e) => {
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(!e.message.is_empty());
            let (status, answer) =
                s.rt.block_on(s.call("POST", "/v1/sync/push", Some(&s.token), data.to_vec()));
            assert_eq!(status, StatusCode::BAD_REQUEST);
            let answer: serde_json::Value =
                serde_json::from_slice(&answer).expect("our JSON error");
            assert_eq!(answer["error"], "bad_request");
        }
    }
});
