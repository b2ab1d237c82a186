//! Crashes: processes killed with SIGKILL at any point, restarted, and nothing an app
//! said was saved is lost or doubled.
//!
//! - A phone (`pasar-crash-client`, the core in a process of its own) writes and syncs
//!   for ever and is killed: at a random moment (mid local transaction, mid-push,
//!   mid-pull, mid-page-apply), or just after the server applied a push and before its
//!   answer arrived, or a few milliseconds into applying a pulled page. Restarted on the
//!   same store each time; afterwards every change it acknowledged is on the server once,
//!   with its last edit, and the phone's copy equals the server's.
//! - The server (`pasar-server`, on an SQLite file and on PostgreSQL) is killed while five
//!   phones work through it (see `workload.rs`), at random moments and between applying
//!   a push and answering it, and started again on the same database.
//!
//! `PASAR_CRASH_RUNS` sets the kills (the test command: 40 of the phone, 12 of the
//! server; the soak, `tests/soak`, 1,000 of each).

mod proxy;
mod support;
mod workload;

use proxy::{FaultProxy, Rng};
use support::{Phone, Server, phone, sign_in};
use workload::{all_products, check, market, setting, settle, work};

use pasar_core::sync::TokenStore;
use pasar_core::sync::http::ReqwestClient;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SELLER: &str = "+6281311112222";
const BUYERS: [&str; 3] = ["+6281233334444", "+6285755556666", "+6281977778888"];

/// Where the kill lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KillAt {
    /// A random moment: inside a local transaction, mid-push, mid-pull, mid-apply.
    Moment,
    /// The server applied a push; its answer has not left the proxy.
    AfterApplied,
    /// A pulled page arrived and is being applied.
    MidApply,
}

/// The process the hooks and timers kill, and how it is to die.
#[derive(Default)]
struct Victim {
    child: Mutex<Option<Child>>,
    armed: AtomicBool,
    mode: Mutex<Option<KillAt>>,
}

impl Victim {
    fn kill(&self) {
        if let Some(c) = self.child.lock().expect("victim").as_mut() {
            let _ = c.kill();
        }
    }

    /// Called by the proxy between the server's answer and the client's.
    fn on_answered(self: &Arc<Self>, line: &str) {
        let mode = *self.mode.lock().expect("mode");
        let hit = match mode {
            Some(KillAt::AfterApplied) => line.starts_with("POST /v1/sync/push"),
            Some(KillAt::MidApply) => line.starts_with("GET /v1/sync/pull"),
            _ => false,
        };
        if !hit || !self.armed.swap(false, Ordering::SeqCst) {
            return;
        }
        if mode == Some(KillAt::MidApply) {
            // The answer goes out; the kill lands while the page is being applied.
            let me = Arc::clone(self);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(2));
                me.kill();
            });
        } else {
            self.kill();
        }
    }

    /// Waits for the process to end; its exit status.
    fn wait(&self, limit: Duration) -> std::process::ExitStatus {
        let until = Instant::now() + limit;
        loop {
            {
                let mut child = self.child.lock().expect("victim");
                let c = child.as_mut().expect("a process");
                if let Some(status) = c.try_wait().expect("wait") {
                    *child = None;
                    return status;
                }
                if Instant::now() > until {
                    let _ = c.kill();
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// What the phone process said it did, from its stdout.
#[derive(Default)]
struct Said {
    /// Acknowledged products: id → name.
    products: BTreeMap<String, String>,
    /// Per product, each edit in the order it was begun: (description, acknowledged).
    edits: HashMap<String, Vec<(String, bool)>>,
    acks: u64,
}

impl Said {
    fn read(&mut self, line: &str) {
        let words: Vec<&str> = line.splitn(4, ' ').collect();
        match words.as_slice() {
            ["ack", "product", id, name] => {
                self.products.insert((*id).into(), (*name).into());
                self.acks += 1;
            }
            ["doing", "edit", id, description] => self
                .edits
                .entry((*id).into())
                .or_default()
                .push(((*description).into(), false)),
            ["ack", "edit", id, description] => {
                if let Some(e) = self.edits.get_mut(*id).and_then(|v| v.last_mut())
                    && e.0 == *description
                {
                    e.1 = true;
                }
                self.acks += 1;
            }
            _ => {}
        }
    }
}

fn client() -> &'static str {
    env!("CARGO_BIN_EXE_pasar-crash-client")
}

fn start_client(
    victim: &Victim,
    dir: &Path,
    url: &str,
    token: &str,
    tag: &str,
) -> std::process::ChildStdout {
    let mut child = Command::new(client())
        .args([dir.to_str().expect("utf-8 dir"), url, token, tag])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the phone process");
    let out = child.stdout.take().expect("stdout");
    *victim.child.lock().expect("victim") = Some(child);
    out
}

fn a_phone_killed_anywhere(server: &Server) {
    let runs = setting("PASAR_CRASH_RUNS", 40);
    let seed = setting("PASAR_CRASH_SEED", 0xC8A5_0001);
    let started = Instant::now();
    let proxy = FaultProxy::start(&server.url, seed);
    let victim = Arc::new(Victim::default());
    let hooked = Arc::clone(&victim);
    proxy.on_answered(move |line| hooked.on_answered(line));

    let Phone {
        dir,
        pasar,
        sync,
        tokens,
        ..
    } = phone(&server.via(&proxy.url), SELLER, "Dapur Bu Rina");
    let token = tokens.load().expect("signed in");
    // The process opens the store from now on.
    drop(sync);
    drop(pasar);

    let mut rng = Rng::new(seed);
    let mut said = Said::default();
    let mut kills: BTreeMap<KillAt, u64> = BTreeMap::new();
    for run in 0..runs {
        let mode = match rng.below(3) {
            0 => KillAt::Moment,
            1 => KillAt::AfterApplied,
            _ => KillAt::MidApply,
        };
        *victim.mode.lock().expect("mode") = Some(mode);
        victim.armed.store(mode != KillAt::Moment, Ordering::SeqCst);
        let out = start_client(&victim, dir.path(), &proxy.url, &token, &format!("r{run}"));
        let reader = std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        // A moment's kill comes by the clock; a hook's, when its request passes (or by
        // the clock, if none did in time).
        let wait = if mode == KillAt::Moment {
            10 + rng.below(400)
        } else {
            1_500
        };
        std::thread::sleep(Duration::from_millis(wait));
        let by_hook = !victim.armed.swap(false, Ordering::SeqCst) && mode != KillAt::Moment;
        victim.kill();
        let status = victim.wait(Duration::from_secs(10));
        assert_eq!(
            status.signal(),
            Some(9),
            "run {run}: the phone stopped by itself ({status}): it must open its store after any kill"
        );
        *kills
            .entry(if by_hook { mode } else { KillAt::Moment })
            .or_default() += 1;
        for line in reader.join().expect("reader") {
            said.read(&line);
        }
    }

    // The app opens once more and syncs with nobody killing it.
    let mut settle = Command::new(client())
        .args([
            dir.path().to_str().expect("utf-8 dir"),
            &proxy.url,
            &token,
            "settle",
            "--settle",
        ])
        .spawn()
        .expect("start the phone");
    assert!(
        settle.wait().expect("settle").success(),
        "the phone settles"
    );

    // The server's truth, read by a new phone from nothing; the killed phone's copy.
    let truth = phone(server, SELLER, "Dapur Bu Rina");
    workload::settle(&truth);
    let on_server = all_products(&truth);
    let reopened = pasar_core::Pasar::open(dir.path()).expect("the phone's store opens");
    let mine = support::products_of(&reopened);
    let ids: BTreeMap<&str, &pasar_core::catalog::Product> =
        on_server.iter().map(|p| (p.id.as_str(), p)).collect();
    let lost: Vec<&String> = said
        .products
        .keys()
        .filter(|id| !ids.contains_key(id.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged products lost: {lost:?}");
    let mut names: Vec<&str> = on_server.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "a product made twice");
    // The last acknowledged edit of each product holds, unless an edit begun after it
    // committed before its kill (done, just not yet said).
    let mut edits = 0;
    for (id, begun) in &said.edits {
        let Some(last_ack) = begun.iter().rposition(|(_, acked)| *acked) else {
            continue;
        };
        edits += 1;
        let product = ids.get(id.as_str()).expect("edited product on the server");
        assert!(
            begun[last_ack..]
                .iter()
                .any(|(d, _)| *d == product.description),
            "{id}: the server says {:?}, the phone acknowledged {:?}",
            product.description,
            begun[last_ack].0
        );
    }
    let view = |ps: &[pasar_core::catalog::Product]| {
        ps.iter()
            .map(|p| (p.id.clone(), p.name.clone(), p.description.clone(), p.stock))
            .collect::<Vec<_>>()
    };
    assert_eq!(view(&mine), view(&on_server), "the phone equals the server");
    eprintln!(
        "crash (phone): {runs} runs, kills {kills:?}, {} changes acknowledged ({} products, \
         {edits} edited), {} products on the server; 0 lost, 0 doubled; {:.1} s",
        said.acks,
        said.products.len(),
        on_server.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_phone_killed_anywhere_loses_nothing() {
    a_phone_killed_anywhere(&Server::sqlite(|s| {
        s.auth.per_number = (100, 60 * 60 * 1000)
    }));
}

/// `pasar-server` as a process, killed and started again on the same database; killed
/// for good when dropped.
struct ServerProcess {
    exe: PathBuf,
    env: Vec<(String, String)>,
    codes: tempfile::TempDir,
    victim: Arc<Victim>,
}

impl ServerProcess {
    /// The server binary beside this test's (`cargo test` builds it with the
    /// workspace: the server's own tests run it).
    fn exe() -> PathBuf {
        let me = std::env::current_exe().expect("test binary");
        let exe = me
            .parent()
            .and_then(Path::parent)
            .expect("target dir")
            .join("pasar-server");
        assert!(
            exe.exists(),
            "{} is missing: build it first (cargo build -p pasar-server)",
            exe.display()
        );
        exe
    }

    /// Starts it; its URL.
    fn start(&self) -> String {
        let mut child = Command::new(&self.exe)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PASAR_ADDR", "127.0.0.1:0")
            .env("PASAR_DEV_CODES_DIR", self.codes.path())
            .env("PASAR_LOG", "error")
            .env("PASAR_PHOTOS_URL", "memory:")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pasar-server");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("first line");
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("pasar-server said {first:?}"))
            .to_owned();
        *self.victim.child.lock().expect("victim") = Some(child);
        format!("http://{addr}")
    }

    fn code(&self, number: &str) -> String {
        // A code sent to a server killed after: the file stays.
        let path = self.codes.path().join(format!("{number}.code"));
        std::fs::read_to_string(&path).expect("code file")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.victim.kill();
        if let Ok(mut child) = self.victim.child.lock()
            && let Some(c) = child.as_mut()
        {
            let _ = c.wait();
        }
    }
}

fn a_server_killed_anywhere(env: Vec<(String, String)>) {
    let runs = setting("PASAR_CRASH_SERVER_RUNS", 12);
    let mutations = setting("PASAR_CRASH_MUTATIONS", 1_200);
    let seed = setting("PASAR_CRASH_SEED", 0xC8A5_0002);
    let started = Instant::now();
    let server = ServerProcess {
        exe: ServerProcess::exe(),
        env,
        codes: tempfile::tempdir().expect("codes dir"),
        victim: Arc::new(Victim::default()),
    };
    let first = server.start();
    let proxy = FaultProxy::start(&first, seed);
    let hooked = Arc::clone(&server.victim);
    proxy.on_answered(move |line| hooked.on_answered(line));
    let new_phone = |number: &str, name: &str| {
        sign_in(
            &proxy.url,
            number,
            name,
            Arc::new(ReqwestClient::new().expect("client")),
            |n| server.code(n),
        )
    };
    let seller = new_phone(SELLER, "Dapur Bu Rina");
    let seller2 = new_phone(SELLER, "Dapur Bu Rina");
    let buyers: Vec<Phone> = BUYERS
        .iter()
        .enumerate()
        .map(|(i, n)| new_phone(n, &format!("Pembeli {i}")))
        .collect();
    let group = market(&seller, &BUYERS);
    settle(&seller2);

    // The phones work; meanwhile the server dies `runs` times and comes back.
    let done = AtomicBool::new(false);
    let restarts = AtomicU64::new(0);
    let mut kills: BTreeMap<KillAt, u64> = BTreeMap::new();
    let (seller_logs, buyer_logs, totals) = std::thread::scope(|s| {
        let killer = s.spawn(|| {
            let mut rng = Rng::new(seed);
            for _ in 0..runs {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                let mode = if rng.below(2) == 0 {
                    KillAt::Moment
                } else {
                    KillAt::AfterApplied
                };
                *server.victim.mode.lock().expect("mode") = Some(mode);
                server
                    .victim
                    .armed
                    .store(mode == KillAt::AfterApplied, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(50 + rng.below(400)));
                let by_hook = mode == KillAt::AfterApplied
                    && !server.victim.armed.swap(false, Ordering::SeqCst);
                server.victim.kill();
                let status = server.victim.wait(Duration::from_secs(10));
                assert_eq!(status.signal(), Some(9), "the server stopped by itself");
                *kills
                    .entry(if by_hook { mode } else { KillAt::Moment })
                    .or_default() += 1;
                // Down a moment, as a supervisor restarting it would leave it.
                std::thread::sleep(Duration::from_millis(rng.below(100)));
                proxy.set_upstream(&server.start());
                restarts.fetch_add(1, Ordering::SeqCst);
            }
        });
        let result = work(seed, mutations, [&seller, &seller2], &group, &buyers);
        done.store(true, Ordering::SeqCst);
        killer.join().expect("killer");
        result
    });
    *server.victim.mode.lock().expect("mode") = None;
    let everyone: Vec<&Phone> = [&seller, &seller2].into_iter().chain(&buyers).collect();
    for _ in 0..2 {
        for p in &everyone {
            settle(p);
        }
    }
    let truth = new_phone(SELLER, "Dapur Bu Rina");
    settle(&truth);
    let checked = check(
        &truth,
        &seller_logs,
        &buyers,
        &buyer_logs,
        [&seller, &seller2],
        &everyone,
    );
    eprintln!(
        "crash (server): {} kills {kills:?}, {} mutations ({} products, {} orders, {} cancels) \
         from {} phones, {} syncs ({} ended early), {} retries; 0 lost, 0 doubled; {:.1} s",
        restarts.load(Ordering::SeqCst),
        totals.mutations,
        checked.products,
        checked.orders,
        checked.cancels,
        everyone.len(),
        totals.syncs,
        totals.sync_errors,
        totals.retries,
        started.elapsed().as_secs_f64()
    );
    assert!(
        restarts.load(Ordering::SeqCst) > 0,
        "the server was never killed"
    );
}

#[test]
fn a_server_killed_anywhere_loses_nothing_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite:{}", dir.path().join("server.sqlite3").display());
    a_server_killed_anywhere(vec![("PASAR_DATABASE_URL".into(), url)]);
}

#[test]
fn a_server_killed_anywhere_loses_nothing_on_postgres() {
    if let Some(url) = support::postgres_schema_url("crash") {
        a_server_killed_anywhere(vec![("PASAR_DATABASE_URL".into(), url)]);
    }
}
