//! A fault-injecting HTTP/1.1 proxy for the end-to-end tests: it sits between the
//! phones' cores and the server and, at a rate the test sets, drops connections, loses
//! or cuts answers, cuts requests half-way, stalls, answers 503, 429 and 502, sends a
//! request twice, replays an old request late (reordering), and serves a stale cached
//! answer to a GET. Everything else passes through byte for byte.
//!
//! Plain threads and blocking sockets: the phones' HTTP client is blocking too, and a
//! proxy this small is easier to trust without a runtime under it.

// Each test crate compiles this file and uses part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy can do to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Closes the connection before the request reaches the server.
    Drop,
    /// The server applies the request; the connection closes before the answer.
    LoseAnswer,
    /// The server applies the request; half the answer arrives, then the connection
    /// closes.
    CutAnswer,
    /// Half the request body reaches the server, then both connections close.
    CutRequest,
    /// A slow network: the answer comes 0.2–1.2 s late.
    Stall,
    /// 503 without asking the server.
    Unavailable,
    /// 429 with `Retry-After: 1`, without asking the server.
    TooMany,
    /// The server applies the request; the client gets 502 (a gateway timing out).
    BadGatewayAfter,
    /// The request reaches the server twice; the client gets one of the answers.
    Duplicate,
    /// An older request (kept from earlier) reaches the server again, after newer ones,
    /// then this one passes.
    Replay,
    /// A GET is answered from the proxy's cache with an earlier answer to the same
    /// request, or else the first answer it kept for the same path (an old page of the
    /// feed, to a cursor the phone has moved past).
    Stale,
}

pub const FAULTS: [Fault; 11] = [
    Fault::Drop,
    Fault::LoseAnswer,
    Fault::CutAnswer,
    Fault::CutRequest,
    Fault::Stall,
    Fault::Unavailable,
    Fault::TooMany,
    Fault::BadGatewayAfter,
    Fault::Duplicate,
    Fault::Replay,
    Fault::Stale,
];

/// A small deterministic generator (splitmix64): a failing run is repeated with its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// Called with the request line once the server has answered and before the client
/// gets the answer: a crash test kills a process there.
pub type Hook = Box<dyn Fn(&str) + Send + Sync>;

struct Shared {
    upstream: Mutex<String>,
    hook: Mutex<Option<Arc<Hook>>>,
    /// Faulty requests per thousand.
    rate: AtomicU32,
    rng: Mutex<Rng>,
    counts: [AtomicU64; FAULTS.len()],
    requests: AtomicU64,
    held: Mutex<Vec<Vec<u8>>>,
    cache: Mutex<HashMap<String, Vec<u8>>>,
    stop: AtomicBool,
}

/// The proxy, listening on a loopback port until dropped.
pub struct FaultProxy {
    pub url: String,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    addr: std::net::SocketAddr,
}

impl FaultProxy {
    /// A proxy to `upstream` (`http://host:port`), passing everything until
    /// [`FaultProxy::set_rate`].
    pub fn start(upstream: &str, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream.trim_start_matches("http://").to_owned()),
            hook: Mutex::new(None),
            rate: AtomicU32::new(0),
            rng: Mutex::new(Rng::new(seed)),
            counts: Default::default(),
            requests: AtomicU64::new(0),
            held: Mutex::new(Vec::new()),
            cache: Mutex::new(HashMap::new()),
            stop: AtomicBool::new(false),
        });
        let accepting = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let shared = Arc::clone(&accepting);
                std::thread::spawn(move || serve(conn, &shared));
            }
        });
        FaultProxy {
            url: format!("http://{addr}"),
            shared,
            thread: Some(thread),
            addr,
        }
    }

    /// Sends what comes next to another server (`http://host:port`): one restarted on
    /// another port.
    pub fn set_upstream(&self, upstream: &str) {
        *self
            .shared
            .upstream
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = upstream.trim_start_matches("http://").to_owned();
    }

    /// Runs `hook` between the server's answer and the client's (see [`Hook`]).
    pub fn on_answered(&self, hook: impl Fn(&str) + Send + Sync + 'static) {
        *self.shared.hook.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Arc::new(Box::new(hook)));
    }

    /// Faulty requests per thousand (0 passes everything).
    pub fn set_rate(&self, per_mille: u32) {
        self.shared.rate.store(per_mille, Ordering::SeqCst);
    }

    /// Faults injected so far, by kind.
    pub fn counts(&self) -> Vec<(Fault, u64)> {
        FAULTS
            .iter()
            .zip(&self.shared.counts)
            .map(|(f, c)| (*f, c.load(Ordering::SeqCst)))
            .collect()
    }

    pub fn faults(&self) -> u64 {
        self.counts().iter().map(|(_, n)| n).sum()
    }

    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One request, as read from the client: the head (with `Connection: close` for the
/// server, so its answer ends with the connection) and the body.
struct Request {
    head: Vec<u8>,
    body: Vec<u8>,
    line: String,
    /// Request line and authorization: what a cache would key on.
    key: String,
    /// Method, path without the query, and authorization: a cache that ignores the
    /// query answers an older pull's page.
    loose_key: String,
    is_get: bool,
}

impl Request {
    fn bytes(&self) -> Vec<u8> {
        let mut b = self.head.clone();
        b.extend_from_slice(&self.body);
        b
    }
}

fn read_request(conn: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let mut length = 0usize;
    let mut authorization = String::new();
    let mut kept = vec![request_line.clone()];
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            // The phones' client never streams a body; a proxy that met one could not
            // cut it at a known half.
            "transfer-encoding" => return None,
            "connection" | "keep-alive" => continue,
            "authorization" => authorization = value.trim().to_owned(),
            _ => {}
        }
        kept.push(line.to_owned());
    }
    kept.push("Connection: close".into());
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Request {
        head: format!("{}\r\n\r\n", kept.join("\r\n")).into_bytes(),
        body,
        is_get: request_line.starts_with("GET "),
        loose_key: format!(
            "{}|{authorization}",
            request_line.split('?').next().unwrap_or_default()
        ),
        key: format!("{request_line}|{authorization}"),
        line: request_line,
    })
}

/// Sends `bytes` to the server and reads its whole answer (it closes the connection).
fn forward(shared: &Shared, bytes: &[u8]) -> Option<Vec<u8>> {
    let upstream = shared
        .upstream
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let mut up = TcpStream::connect(upstream).ok()?;
    up.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    up.write_all(bytes).ok()?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).ok()?;
    (!answer.is_empty()).then_some(answer)
}

fn is_ok(answer: &[u8]) -> bool {
    answer.starts_with(b"HTTP/1.1 200")
}

fn canned(status: &str, extra: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

fn pick(shared: &Shared) -> Option<(Fault, u64)> {
    let mut rng = shared.rng.lock().unwrap_or_else(|p| p.into_inner());
    let rate = u64::from(shared.rate.load(Ordering::SeqCst));
    if rng.below(1000) >= rate {
        return None;
    }
    let i = rng.below(FAULTS.len() as u64) as usize;
    Some((FAULTS[i], rng.next_u64()))
}

fn count(shared: &Shared, fault: Fault) {
    if let Some(i) = FAULTS.iter().position(|f| *f == fault) {
        shared.counts[i].fetch_add(1, Ordering::SeqCst);
    }
}

fn serve(mut conn: TcpStream, shared: &Shared) {
    let Some(request) = read_request(&mut conn) else {
        return;
    };
    let n = shared.requests.fetch_add(1, Ordering::SeqCst);
    let bytes = request.bytes();
    // Every eighth write is kept, to be sent again late by a later [`Fault::Replay`].
    if !request.is_get && n.is_multiple_of(8) {
        let mut held = shared.held.lock().unwrap_or_else(|p| p.into_inner());
        if held.len() < 64 {
            held.push(bytes.clone());
        }
    }
    let answer = match pick(shared) {
        None => forward(shared, &bytes),
        Some((fault, dice)) => {
            // Counted when it happens: a replay with nothing held yet, or a stale answer
            // with nothing cached, passes unharmed and is not counted.
            if !matches!(fault, Fault::Replay | Fault::Stale) {
                count(shared, fault);
            }
            match fault {
                Fault::Drop => None,
                Fault::LoseAnswer => {
                    let _ = forward(shared, &bytes);
                    None
                }
                Fault::CutAnswer => {
                    if let Some(answer) = forward(shared, &bytes) {
                        let _ = conn.write_all(&answer[..answer.len() / 2]);
                    }
                    None
                }
                Fault::CutRequest => {
                    let cut = request.head.len() + request.body.len() / 2;
                    let upstream = shared
                        .upstream
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .clone();
                    if let Ok(mut up) = TcpStream::connect(upstream) {
                        let _ = up.write_all(&bytes[..cut]);
                        let _ = up.shutdown(Shutdown::Both);
                    }
                    None
                }
                Fault::Stall => {
                    std::thread::sleep(Duration::from_millis(200 + dice % 1000));
                    forward(shared, &bytes)
                }
                Fault::Unavailable => Some(canned("503 Service Unavailable", "")),
                Fault::TooMany => Some(canned("429 Too Many Requests", "Retry-After: 1\r\n")),
                Fault::BadGatewayAfter => {
                    let _ = forward(shared, &bytes);
                    Some(canned("502 Bad Gateway", ""))
                }
                Fault::Duplicate => {
                    let first = forward(shared, &bytes);
                    let second = forward(shared, &bytes);
                    if dice % 2 == 0 { first } else { second }
                }
                Fault::Replay => {
                    let old = {
                        let mut held = shared.held.lock().unwrap_or_else(|p| p.into_inner());
                        if held.is_empty() {
                            None
                        } else {
                            let i = dice as usize % held.len();
                            Some(held.swap_remove(i))
                        }
                    };
                    if let Some(old) = old {
                        count(shared, fault);
                        let _ = forward(shared, &old);
                    }
                    forward(shared, &bytes)
                }
                Fault::Stale => {
                    let cached = if request.is_get {
                        let cache = shared.cache.lock().unwrap_or_else(|p| p.into_inner());
                        cache
                            .get(&request.key)
                            .or_else(|| cache.get(&request.loose_key))
                            .cloned()
                    } else {
                        None
                    };
                    match cached {
                        Some(old) => {
                            count(shared, fault);
                            let _ = conn.write_all(&old);
                            return;
                        }
                        // Nothing to serve stale: passes, and is not counted.
                        None => {
                            let answer = forward(shared, &bytes);
                            if let Some(a) = &answer {
                                remember(shared, &request, a);
                            }
                            if let Some(a) = answer {
                                let _ = conn.write_all(&a);
                            }
                            return;
                        }
                    }
                }
            }
        }
    };
    if let Some(answer) = answer {
        remember(shared, &request, &answer);
        let hook = shared
            .hook
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(hook) = hook {
            hook(&request.line);
        }
        let _ = conn.write_all(&answer);
    }
    let _ = conn.shutdown(Shutdown::Both);
}

/// Keeps a GET's good answer, for [`Fault::Stale`].
fn remember(shared: &Shared, request: &Request, answer: &[u8]) {
    if request.is_get && is_ok(answer) {
        let mut cache = shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert(request.key.clone(), answer.to_vec());
        cache
            .entry(request.loose_key.clone())
            .or_insert_with(|| answer.to_vec());
    }
}
