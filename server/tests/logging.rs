//! The log of a whole sign-in and a session's work (a sync push that adds a member by
//! number, a pull, a photo upload, a push registration, failed sign-ins), at the most
//! verbose level, in both formats, holds no phone number, code, session token or push
//! token, and does hold the request lines (so the check is not passing on an empty log).

mod common;

use common::{Backend, PHONE, Server};
use pasar_server::{LogFormat, LogSettings};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// A log destination the test reads back.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the server logged during the flow, and the secrets the flow handled.
struct Run {
    log: String,
    code: String,
    token: String,
}

/// Runs a sign-in flow with a subscriber writing into a buffer. The runtime is
/// single-threaded so every task of the server runs on this thread, under the
/// thread's default subscriber (no process-wide logger to clash with other tests).
fn run_flow(format: LogFormat) -> Run {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let settings = LogSettings {
        format,
        filter: "trace".to_owned(),
    };
    let subscriber = pasar_server::ops::logging::subscriber(&settings, move || writer.clone())
        .expect("subscriber");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (code, token) = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = Server::start(Backend::Sqlite).await.expect("server");
            assert_eq!(server.ask_code("0812-3456-7890").await.0, 200);
            let code = server.code(PHONE);
            // A wrong code first, then the right one.
            let wrong = format!(
                "{:06}",
                (code.parse::<u32>().expect("digits") + 1) % 1_000_000
            );
            assert_eq!(server.verify(PHONE, &wrong).await.0, 401);
            let (status, body) = server.verify(PHONE, &code).await;
            assert_eq!(status, 200, "{body}");
            let token = body["token"].as_str().expect("token").to_owned();
            assert_eq!(server.call("GET", "/v1/me", Some(&token), "").await.0, 200);
            work(&server, &token).await;
            // Asked too often: a 429 is logged too.
            for _ in 0..3 {
                server
                    .post("/v1/auth/code", json!({ "phone": PHONE }))
                    .await;
            }
            assert_eq!(server.ask_code(PHONE).await.0, 429);
            assert_eq!(
                server
                    .call("POST", "/v1/auth/logout", Some(&token), "")
                    .await
                    .0,
                204
            );
            // A query string is never logged either.
            let path = format!("/v1/me?phone={PHONE}&token={token}");
            assert_eq!(server.call("GET", &path, Some(&token), "").await.0, 401);
            server.finish().await;
            (code, token)
        })
    });
    let bytes = buffer.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let log = String::from_utf8(bytes).expect("utf-8 log");
    Run { log, code, token }
}

/// Another number, added to a group by the signed-in account and then failing to sign in.
const OTHER: &str = "0813-1111-2222";
const OTHER_E164: &str = "+6281311112222";
const PUSH_TOKEN: &str = "dGVzdC1waG9uZQ:APA91bFsecretPushToken";
const PROTOCOL: (&str, &str) = ("pasar-protocol", "2");

/// What a signed-in phone does in a day, with numbers and tokens in the bodies.
async fn work(server: &Server, token: &str) {
    let push = json!({
        "device_id": "phone-1",
        "mutations": [
            {"id": 1, "at": 1, "op": {"put_profile": {"name": "Bu Rina"}}},
            {"id": 2, "at": 2, "op": {"put_group": {"group_id": "melati", "name": "Pasar Melati"}}},
            {"id": 3, "at": 3, "op": {"add_member": {"group_id": "melati", "phone": OTHER, "role": "member"}}},
            // Refused (not her group to add to): a rejection is logged no more than a success.
            {"id": 4, "at": 4, "op": {"add_member": {"group_id": "elsewhere", "phone": OTHER_E164, "role": "member"}}},
        ]
    });
    let reply = server
        .send(
            "POST",
            "/v1/sync/push",
            Some(token),
            &[PROTOCOL],
            push.to_string().as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = server
        .send(
            "GET",
            "/v1/sync/pull?cursor=",
            Some(token),
            &[PROTOCOL],
            b"",
        )
        .await;
    assert_eq!(reply.status, 200);
    // The admin's own number comes back in the group: the answer has it, the log not.
    assert!(reply.text().contains(PHONE), "{}", reply.text());
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.extend((0..2_000u32).map(|i| (i * 7 % 251) as u8));
    let hash = common::hex(&Sha256::digest(&photo));
    let path = format!("/v1/photos/{hash}/upload?offset=0&total={}", photo.len());
    let reply = server
        .send("PUT", &path, Some(token), &[PROTOCOL], &photo)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let device =
        json!({"platform": "fcm", "token": PUSH_TOKEN, "app_version": "1.4.0", "lang": "id"});
    let reply = server
        .send(
            "PUT",
            "/v1/push/devices/phone-1",
            Some(token),
            &[PROTOCOL],
            device.to_string().as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    // Failed sign-ins: no code was asked for the other number; a number that is not one.
    assert_eq!(server.verify(OTHER, "123456").await.0, 401);
    assert_eq!(server.ask_code("0812-34").await.0, 400);
    assert_eq!(server.ask_code("+1 415 555 2671").await.0, 400);
}

/// The log without its timestamps, whose digits could match a code by chance.
fn without_timestamps(run: &Run, format: LogFormat) -> String {
    run.log
        .lines()
        .map(|line| match format {
            LogFormat::Text => line.split_once(' ').map_or("", |(_, rest)| rest).to_owned(),
            LogFormat::Json => {
                let mut v: Value = serde_json::from_str(line).expect("a JSON line");
                if let Some(map) = v.as_object_mut() {
                    map.remove("timestamp");
                }
                v.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(format: LogFormat) {
    let run = run_flow(format);
    let log = without_timestamps(&run, format);
    // Not vacuous: the requests are there, by route template and status.
    assert!(log.contains("request finished"), "{log}");
    assert!(log.contains("/v1/auth/verify"), "{log}");
    assert!(log.contains("429"), "{log}");
    // The number in every spelling: +6281234567890, 6281234567890, 081234567890.
    assert!(
        !log.contains("81234567890"),
        "a phone number in the log:\n{log}"
    );
    assert!(
        !log.contains("812-3456"),
        "a phone number in the log:\n{log}"
    );
    assert!(
        !log.contains(&run.code),
        "the code {} in the log:\n{log}",
        run.code
    );
    assert!(!log.contains(&run.token), "the token in the log:\n{log}");
    assert!(
        !log.contains(&run.token[..16]),
        "part of the token in the log:\n{log}"
    );
    assert!(!log.contains("?phone"), "a query string in the log:\n{log}");
    // The other number in every spelling, the refused ones, the push token.
    for secret in [
        "81311112222",
        "0813-1111",
        "1111-2222",
        "4155552671",
        "555 2671",
        PUSH_TOKEN,
        &PUSH_TOKEN[..12],
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    // Not vacuous: the session's work is in the log too.
    for route in [
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/photos/{hash}/upload",
        "/v1/push/devices/{device_id}",
    ] {
        assert!(log.contains(route), "no {route} line:\n{log}");
    }
}

#[test]
fn a_sign_in_logs_no_number_code_or_token_as_text() {
    check(LogFormat::Text);
}

#[test]
fn a_sign_in_logs_no_number_code_or_token_as_json() {
    check(LogFormat::Json);
}

#[test]
fn json_lines_carry_the_request_fields() {
    let run = run_flow(LogFormat::Json);
    let finished: Vec<Value> = run
        .log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .filter(|v: &Value| v["message"] == "request finished")
        .collect();
    let verify = finished
        .iter()
        .find(|v| v["span"]["route"] == "/v1/auth/verify" && v["span"]["status"] == 200)
        .unwrap_or_else(|| panic!("no verify line in {finished:?}"));
    assert_eq!(verify["span"]["method"], "POST");
    assert!(verify["span"]["latency_ms"].is_number(), "{verify}");
    assert_eq!(verify["level"], "INFO");
}
