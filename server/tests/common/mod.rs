//! What the server's integration tests share: a database per test (SQLite in a temp
//! dir, or a schema of its own on `PASAR_TEST_POSTGRES_URL`), a server on a free
//! loopback port with a recording sender and a clock the test moves, and a small
//! HTTP/1.1 client that can send and read compressed bodies.
//!
//! Each test file uses a part of it; the rest would warn as unused in that file.
#![allow(dead_code)]

use pasar_server::{AppState, AuthSettings, Clock, Database, RecordingSender, Store};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const PHONE: &str = "+6281234567890";
pub const MINUTE: i64 = 60_000;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where one test's database lives; each test gets its own.
pub enum Db {
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
    pub async fn new(backend: Backend) -> Option<Db> {
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

    pub fn database(&self) -> Database {
        match self {
            Db::Sqlite { path, .. } => Database::Sqlite(path.clone()),
            Db::Postgres { url, .. } => Database::Postgres(url.clone()),
        }
    }

    /// Every value of a text column, read straight from the database, not via the server.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
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

    /// Runs one statement straight on the database, not via the server (a state the
    /// server would be in half-way through something).
    pub async fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).expect("open sqlite");
                conn.execute_batch(sql).expect("execute");
            }
            Db::Postgres { url, .. } => {
                pg_connect(url)
                    .await
                    .batch_execute(sql)
                    .await
                    .expect("execute");
            }
        }
    }

    /// Drops a PostgreSQL test schema (SQLite's temp dir goes by itself).
    pub async fn finish(self) {
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

pub fn postgres_url() -> Option<String> {
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

pub async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PASAR_TEST_POSTGRES_URL");
    tokio::spawn(conn);
    client
}

pub fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("random");
    b
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A response as the client received it, body decoded from chunked transfer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads a whole HTTP/1.1 response from a connection the server closes after it.
pub async fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    parse_reply(&raw)
}

pub fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

/// One request on a fresh connection (`Connection: close`).
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).await.expect("send head");
    s.write_all(body).await.expect("send body");
    read_reply(&mut s).await
}

/// A server on a free port with a recording sender and a clock the test moves.
pub struct Server {
    pub addr: SocketAddr,
    pub sender: Arc<RecordingSender>,
    pub now: Arc<AtomicI64>,
    pub db: Db,
    /// A clone of what the server runs with (same store, metrics and clock).
    pub state: AppState,
    stop: tokio::sync::oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(backend: Backend) -> Option<Server> {
        Server::start_with(backend, |_| {}).await
    }

    /// Starts a server after `adjust` changed its state (limits, intervals).
    pub async fn start_with(
        backend: Backend,
        adjust: impl FnOnce(&mut AppState),
    ) -> Option<Server> {
        let db = Db::new(backend).await?;
        Some(Server::start_on(db, adjust).await)
    }

    /// Starts a server on a database a test made (or kept from an earlier server).
    pub async fn start_on(db: Db, adjust: impl FnOnce(&mut AppState)) -> Server {
        let store = Store::open(&db.database()).await.expect("open store");
        let sender = Arc::new(RecordingSender::default());
        let now = Arc::new(AtomicI64::new(1_700_000_000_000));
        let clock_now = now.clone();
        let mut state = AppState::new(store, sender.clone());
        state.clock = Clock::from_fn(move || clock_now.load(Ordering::SeqCst));
        state.auth = AuthSettings::default();
        // Tests run the cleanup themselves unless they say otherwise.
        state.cleanup_interval = std::time::Duration::ZERO;
        adjust(&mut state);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(pasar_server::serve_state(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            sender,
            now,
            db,
            state,
            stop,
            task,
        }
    }

    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    /// One request with optional bearer token and extra headers.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut all: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
        if let Some(auth) = &auth {
            all.push(("Authorization", auth));
        }
        all.extend_from_slice(headers);
        request(self.addr, method, path, &all, body).await
    }

    /// Status and JSON body (`Null` when empty).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Value) {
        let reply = self.send(method, path, token, &[], body.as_bytes()).await;
        (reply.status, reply.json())
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, None, &body.to_string()).await
    }

    pub async fn ask_code(&self, phone: &str) -> (u16, Value) {
        self.post("/v1/auth/code", json!({ "phone": phone })).await
    }

    pub async fn verify(&self, phone: &str, code: &str) -> (u16, Value) {
        self.post("/v1/auth/verify", json!({ "phone": phone, "code": code }))
            .await
    }

    pub fn code(&self, e164: &str) -> String {
        self.sender.last_code(e164).expect("a code was sent")
    }

    /// Asks for a code and signs in with it; returns the verify answer.
    pub async fn sign_in(&self, phone: &str, e164: &str) -> Value {
        assert_eq!(self.ask_code(phone).await.0, 200);
        let (status, body) = self.verify(phone, &self.code(e164)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Signals the shutdown without waiting for it.
    pub fn stop(self) -> (tokio::task::JoinHandle<std::io::Result<()>>, Db) {
        let _ = self.stop.send(());
        (self.task, self.db)
    }

    pub async fn finish(self) {
        let (task, db) = self.stop();
        task.await.expect("server task").expect("server ran");
        db.finish().await;
    }
}

/// Runs one scenario as two tests, `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await;
            }
        }
    )*};
}
