//! Sign-in by phone number and one-time code, over real HTTP, run once on SQLite and once
//! on PostgreSQL (`PASAR_TEST_POSTGRES_URL`, see tests/postgres.sh). Without that URL the
//! PostgreSQL runs say so loudly and pass, unless `PASAR_REQUIRE_POSTGRES=1` (CI).

use pasar_server::store::LATEST_VERSION;
use pasar_server::{AppState, AuthSettings, Clock, Database, RecordingSender, Store};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PHONE: &str = "+6281234567890";
const MINUTE: i64 = 60_000;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Where one test's database lives; each test gets its own.
enum Db {
    Sqlite {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        admin_url: String,
        url: String,
        schema: String,
    },
}

impl Db {
    async fn new(backend: Backend) -> Option<Db> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let path = dir.path().join("server.sqlite3");
                Some(Db::Sqlite { _dir: dir, path })
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let schema = format!("t_{}", hex(&random16()));
                let client = pg_connect(&admin_url).await;
                client
                    .batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create schema");
                // The server finds its tables through search_path, so the store needs
                // no notion of schemas.
                let sep = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
                Some(Db::Postgres {
                    admin_url,
                    url,
                    schema,
                })
            }
        }
    }

    fn database(&self) -> Database {
        match self {
            Db::Sqlite { path, .. } => Database::Sqlite(path.clone()),
            Db::Postgres { url, .. } => Database::Postgres(url.clone()),
        }
    }

    /// Every value of a text column, read straight from the database, not via the server.
    async fn texts(&self, sql: &str) -> Vec<String> {
        match self {
            Db::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).expect("open sqlite");
                let mut stmt = conn.prepare(sql).expect("prepare");
                stmt.query_map([], |r| r.get::<_, String>(0))
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("rows")
            }
            Db::Postgres { url, .. } => pg_connect(url)
                .await
                .query(sql, &[])
                .await
                .expect("query")
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect(),
        }
    }

    /// Drops a PostgreSQL test schema (SQLite's temp dir goes by itself).
    async fn finish(self) {
        if let Db::Postgres {
            admin_url, schema, ..
        } = self
        {
            pg_connect(&admin_url)
                .await
                .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .expect("drop schema");
        }
    }
}

fn postgres_url() -> Option<String> {
    match std::env::var("PASAR_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("PASAR_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("PASAR_REQUIRE_POSTGRES=1 but PASAR_TEST_POSTGRES_URL is not set");
            }
            eprintln!(
                "\n!!! NOTE: PostgreSQL test SKIPPED: PASAR_TEST_POSTGRES_URL is not set.\n\
                 !!! Run `export PASAR_TEST_POSTGRES_URL=$(tests/postgres.sh)` to run it.\n"
            );
            None
        }
    }
}

async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PASAR_TEST_POSTGRES_URL");
    tokio::spawn(conn);
    client
}

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("random");
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A server on a free port with a recording sender and a clock the test moves.
struct Server {
    addr: SocketAddr,
    sender: Arc<RecordingSender>,
    now: Arc<AtomicI64>,
    db: Db,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(backend: Backend) -> Option<Server> {
        let db = Db::new(backend).await?;
        let store = Store::open(&db.database()).await.expect("open store");
        let sender = Arc::new(RecordingSender::default());
        let now = Arc::new(AtomicI64::new(1_700_000_000_000));
        let clock_now = now.clone();
        let state = AppState {
            store,
            sender: sender.clone(),
            clock: Clock::from_fn(move || clock_now.load(Ordering::SeqCst)),
            auth: AuthSettings::default(),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(pasar_server::serve_state(listener, state, async {
            let _ = stopped.await;
        }));
        Some(Server {
            addr,
            sender,
            now,
            db,
            stop,
            task,
        })
    }

    fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    /// One HTTP/1.1 request on a fresh connection; returns the status and the JSON body
    /// (`Null` when empty).
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Value) {
        let mut s = TcpStream::connect(self.addr).await.expect("connect");
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        s.write_all(request.as_bytes()).await.expect("send");
        let mut response = String::new();
        s.read_to_string(&mut response).await.expect("read");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
        };
        (status, json)
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, None, &body.to_string()).await
    }

    async fn ask_code(&self, phone: &str) -> (u16, Value) {
        self.post("/v1/auth/code", json!({ "phone": phone })).await
    }

    async fn verify(&self, phone: &str, code: &str) -> (u16, Value) {
        self.post("/v1/auth/verify", json!({ "phone": phone, "code": code }))
            .await
    }

    fn code(&self, e164: &str) -> String {
        self.sender.last_code(e164).expect("a code was sent")
    }

    /// Asks for a code and signs in with it; returns the verify answer.
    async fn sign_in(&self, phone: &str, e164: &str) -> Value {
        assert_eq!(self.ask_code(phone).await.0, 200);
        let (status, body) = self.verify(phone, &self.code(e164)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.db.finish().await;
    }
}

/// Runs one scenario as two tests, `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await;
            }
        }
    )*};
}

on_both!(
    code_verify_me_logout,
    wrong_codes_lock_the_code,
    codes_expire,
    code_requests_are_rate_limited_per_number,
    code_requests_are_rate_limited_per_address,
    bad_input_is_400,
    codes_and_tokens_are_stored_hashed,
    migrations_are_idempotent,
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

    let (status, body) = server
        .call("POST", "/v1/auth/logout", Some(&token), "")
        .await;
    assert_eq!((status, body), (204, Value::Null));
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
    let (status, body) = server.ask_code("0812 3456 7890").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limited"))
    );
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
    let (status, body) = server.ask_code("+6281255550099").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limited"))
    );
    server.advance(60 * MINUTE);
    assert_eq!(server.ask_code("+6281255550099").await.0, 200);
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
