//! Arbitrary bytes as the server's answer to `GET /v1/sync/pull`, taken by the phone's
//! real sync round (`SyncClient::sync_blocking`) on a real store: unpacking by
//! `content-encoding` with its size bound, reading the `PullResponse`, turning its
//! documents into products, groups, orders and terms, and applying the page.
//!
//! The first byte picks how the rest arrives: as it is, with `gzip` claimed (bytes the
//! fuzzer shapes itself), gzip-compressed here (so JSON mutations still pass through
//! the inflater), or with `zstd` claimed (not read by the phone: refused). Whatever
//! comes, the round must end in a typed answer, never a panic, and never in a failure
//! of the phone's own storage: a page the store cannot take would fail again on every
//! round, and sync would be stuck for good.
//!
//! One store per process (opened once, in a temporary folder), renewed every few
//! thousand runs so its growth does not slow the fuzzer down; signed in once through
//! the same fake server.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::sync::{
    Backoff, HttpClient, HttpRequest, HttpResponse, MemoryTokens, SyncClient, SyncConfig,
    SyncError, TokenStore, TransportError,
};
use pasar_core::{Error, Pasar};
use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ACCOUNT: &str = "0190a3e0-7d2c-7cc0-8000-00000000ac01";
/// Runs per store before a fresh one.
const RENEW_EVERY: u32 = 5_000;

/// The fake server: answers the sign-in, then the next pull with the fuzzer's bytes and
/// every later pull with an empty last page.
#[derive(Default)]
struct FakeServer {
    next_pull: Mutex<Option<HttpResponse>>,
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

impl HttpClient for FakeServer {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.url.ends_with("/v1/auth/verify") {
            return Ok(json(
                200,
                &format!(
                    r#"{{"token":"t","account_id":"{ACCOUNT}","expires_at_ms":4102444800000}}"#
                ),
            ));
        }
        if request.url.contains("/v1/sync/pull") {
            let next = self
                .next_pull
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            return Ok(
                next.unwrap_or_else(|| json(200, r#"{"changes":[],"cursor":"end","more":false}"#))
            );
        }
        // Nothing else is queued on this phone; a request elsewhere is a surprise.
        Ok(json(404, r#"{"error":"not_found","message":""}"#))
    }
}

struct Phone {
    _dir: tempfile::TempDir,
    _pasar: Pasar,
    sync: SyncClient,
    server: Arc<FakeServer>,
    tokens: Arc<MemoryTokens>,
    runs: u32,
}

fn phone() -> Phone {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("store");
    let server = Arc::new(FakeServer::default());
    let tokens = Arc::new(MemoryTokens::default());
    let sync = pasar.sync(SyncConfig {
        server_url: "http://pasar.invalid".into(),
        http: server.clone(),
        tokens: tokens.clone(),
        // Never wait: a retry would sleep longer than the round's budget, so a bad
        // answer ends the round at once.
        backoff: Backoff {
            initial: Duration::from_secs(3600),
            max: Duration::from_secs(3600),
        },
    });
    sync.sign_in_blocking("+6281234567890", "123456", None)
        .expect("sign in");
    Phone {
        _dir: dir,
        _pasar: pasar,
        sync,
        server,
        tokens,
        runs: 0,
    }
}

thread_local! {
    static PHONE: RefCell<Option<Phone>> = const { RefCell::new(None) };
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let (encoding, body) = match mode % 4 {
        0 => (None, body.to_vec()),
        1 => (Some("gzip"), body.to_vec()),
        2 => (Some("gzip"), gzip(body)),
        _ => (Some("zstd"), body.to_vec()),
    };
    let mut answer = json(200, "");
    answer.body = body;
    if let Some(e) = encoding {
        answer.headers.push(("content-encoding".into(), e.into()));
    }
    PHONE.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|p| p.runs >= RENEW_EVERY) {
            *slot = None;
            *slot = Some(phone());
        }
        let Some(p) = slot.as_mut() else { return };
        p.runs += 1;
        // A 401 from a round would have dropped it.
        p.tokens.save(Some("t".into()));
        *p.server.next_pull.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
        match p.sync.sync_blocking(Duration::from_secs(10)) {
            Ok(_) => {}
            Err(Error::Sync(SyncError::Store(message))) => {
                panic!("a pulled page failed the phone's store: {}", message.en)
            }
            Err(Error::Sync(_)) => {}
            Err(other) => panic!("not a sync error: {other:?}"),
        }
    });
});
