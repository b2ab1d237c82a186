//! bench/run server: how many pulls a second `pasar-server` answers on this machine, and
//! how fast, with 200 phones polling at once, on SQLite and on PostgreSQL, against
//! `GET /health` on the same server and clients (the cost of HTTP alone).
//!
//! The server runs in this process (the `speed` build, 2 async workers, as on a 2-core
//! machine) on a loopback port, with the 10,000-product group catalog of `bench/run
//! sync` put on it over HTTP. Each client is a signed-in seller of the group on its own
//! keep-alive connection, sending the phone's headers (`accept-encoding: gzip`), one
//! request after another for `PASAR_BENCH_SECONDS` (default 10) after a second of
//! warm-up. Two kinds of pull: the steady-state "anything new?" poll with the cursor at
//! the head (an empty page), and a full first page (500 products).
//!
//! Two ways to load it. Saturated: every client sends its next request the moment the
//! last answer arrives, which gives the most pulls a second the server can answer — and
//! a p99 that is mostly queueing (200 requests always waiting on 2 cores), reported as
//! `p99_ms_saturated_*`. Paced: the 200 clients together send 2,000 polls a second (the
//! goal's rate, each client every 100 ms, their phases spread), the way phones poll;
//! each latency is counted from when the request was *due*, not when it left, so a
//! server that falls behind is charged for the wait (no coordinated omission). That
//! p99 is `p99_ms_*`: what a phone sees while the server carries the goal's load.
//! Paced on a busy feed: the same while a seller changes a price every 100 ms, so nearly
//! every poll finds news (`busy_feed_pulls_per_s_*`, `p99_ms_busy_feed_*`); a quiet
//! feed's polls are answered from the server's memory of the feed head.
//!
//! `--postgres URL` adds the PostgreSQL run, in a fresh schema dropped at the end.

use pasar_bench::synccat::{self, Api, Member, Server};
use pasar_bench::{percentile, report};
use pasar_server::Database;
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;
/// The paced load: the goal's pulls a second, from all clients together.
const PACED_RATE: f64 = 2_000.0;

/// What one load run measured, client side.
struct Load {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    bytes_per_answer: f64,
}

/// One request kind: its path and headers, per client.
struct Target {
    path: String,
    headers: reqwest::header::HeaderMap,
}

fn headers(token: Option<&str>) -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    let mut put = |k: &'static str, v: String| {
        h.insert(k, v.parse().expect("a header value"));
    };
    put(
        pasar_core::sync::wire::PROTOCOL_HEADER,
        pasar_core::sync::wire::PROTOCOL.to_string(),
    );
    put("accept", "application/json".into());
    put("accept-encoding", "gzip".into());
    if let Some(token) = token {
        put("authorization", format!("Bearer {token}"));
    }
    h
}

/// `targets.len()` clients, each on its own keep-alive connection, for `seconds` after a
/// second of warm-up. Saturated (`rate` None): each sends the next request the moment
/// the last answer arrives. Paced: together they send `rate` requests a second, each at
/// a fixed interval with phases spread evenly, and each latency is counted from the
/// request's due time, so a server that falls behind is charged for the wait.
fn load(
    rt: &tokio::runtime::Runtime,
    base: &str,
    targets: Vec<Target>,
    seconds: f64,
    rate: Option<f64>,
) -> Load {
    let warm = Duration::from_secs(1);
    let measured = Duration::from_secs_f64(seconds);
    let n = targets.len();
    let interval = rate.map(|r| Duration::from_secs_f64(n as f64 / r));
    rt.block_on(async move {
        let start = tokio::time::Instant::now();
        let (from, until) = (start + warm, start + warm + measured);
        let mut tasks = Vec::new();
        for (i, target) in targets.into_iter().enumerate() {
            let url = format!("{base}{}", target.path);
            let phase = interval.map(|d| d.mul_f64(i as f64 / n as f64));
            tasks.push(tokio::spawn(async move {
                // A phone: its own client, one connection kept alive.
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(60))
                    .build()
                    .expect("client");
                let (mut latencies, mut errors, mut bytes) = (Vec::new(), 0usize, 0usize);
                let mut due = start + phase.unwrap_or_default();
                loop {
                    match interval {
                        Some(_) => tokio::time::sleep_until(due).await,
                        None => due = tokio::time::Instant::now(),
                    }
                    if due >= until {
                        break;
                    }
                    let answer = client
                        .get(&url)
                        .headers(target.headers.clone())
                        .send()
                        .await;
                    let got = match answer {
                        Ok(r) if r.status().is_success() => r.bytes().await.ok(),
                        _ => None,
                    };
                    if due >= from {
                        match got {
                            Some(body) => {
                                latencies.push(due.elapsed().as_secs_f64() * 1000.0);
                                bytes += body.len();
                            }
                            None => errors += 1,
                        }
                    }
                    due += interval.unwrap_or_default();
                }
                (latencies, errors, bytes)
            }));
        }
        let (mut all, mut errors, mut bytes) = (Vec::new(), 0, 0);
        for task in tasks {
            let (l, e, b) = task.await.expect("client task");
            all.extend(l);
            errors += e;
            bytes += b;
        }
        // Answers a second over the time they took to arrive: a paced load the server
        // cannot keep up with finishes late and shows a lower rate.
        let took = (tokio::time::Instant::now() - from)
            .as_secs_f64()
            .max(seconds);
        all.sort_by(f64::total_cmp);
        Load {
            per_second: all.len() as f64 / took,
            p50_ms: percentile(&all, 0.50),
            p99_ms: percentile(&all, 0.99),
            errors,
            bytes_per_answer: bytes as f64 / all.len().max(1) as f64,
        }
    })
}

/// The server's own view: (requests, seconds spent answering) per route so far, from
/// `/metrics` (time until the response headers; compressing the body comes after).
fn server_time(api: &Api, route: &str) -> (f64, f64) {
    let r = api.send(api.request("GET", "/metrics", None, None, None));
    let text = String::from_utf8_lossy(&r.body);
    let read = |name: &str| {
        text.lines()
            .filter(|l| l.starts_with(name) && l.contains(&format!("route=\"{route}\"")))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    (
        read("pasar_http_request_duration_seconds_count"),
        read("pasar_http_request_duration_seconds_sum"),
    )
}

fn run(name: &str, server: Server, catalog: &[synccat::Seller], group_id: &str, seconds: f64) {
    let api = Api::new(&server.url);
    let t = Instant::now();
    let mut seeded = synccat::seed(&server, catalog, group_id, &[], 7);
    // The busy-feed run's writer: a seller who is not among the clients.
    let mut writer = seeded.sellers.pop().expect("a seller");
    let written = catalog
        .iter()
        .find(|s| s.phone == writer.phone)
        .and_then(|s| s.products.first().cloned())
        .expect("the writer's product");
    eprintln!(
        "server bench ({name}): {} products put on the server in {:.1} s",
        catalog.iter().map(|s| s.products.len()).sum::<usize>(),
        t.elapsed().as_secs_f64()
    );
    let clients: Vec<&Member> = seeded.sellers.iter().take(CLIENTS).collect();
    // The head of the feed as a phone reaches it: every page, from the start.
    let mut head = String::new();
    loop {
        let (_, r) = api.pull(&clients[0].token, &head, Some("gzip"));
        let page = synccat::page_of(&r);
        head = page.cursor;
        if !page.more {
            break;
        }
    }
    // The cursor is valid for every member who joined as this one did; check that it is
    // the head for each of them, as their own phone's would be.
    for c in &clients {
        let page = synccat::page_of(&api.pull(&c.token, &head, Some("gzip")).1);
        assert!(
            page.changes.is_empty() && !page.reset && !page.more,
            "the head cursor is not the head for every client"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let run_one = |what: &str, route: &str, targets: Vec<Target>, rate: Option<f64>| {
        let before = server_time(&api, route);
        let l = load(&rt, &server.url, targets, seconds, rate);
        let after = server_time(&api, route);
        let served_ms = 1000.0 * (after.1 - before.1) / (after.0 - before.0).max(1.0);
        eprintln!(
            "server bench ({name}) {what}: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, {:.0} B per answer, {} errors; server-side mean {:.2} ms until headers",
            l.per_second, l.p50_ms, l.p99_ms, l.bytes_per_answer, l.errors, served_ms
        );
        assert_eq!(l.errors, 0, "{what}: requests failed");
        l
    };
    let health_targets = || -> Vec<Target> {
        (0..CLIENTS)
            .map(|_| Target {
                path: "/health".into(),
                headers: headers(None),
            })
            .collect()
    };
    let poll_targets = || -> Vec<Target> {
        clients
            .iter()
            .map(|c| Target {
                path: synccat::pull_path(&head),
                headers: headers(Some(&c.token)),
            })
            .collect()
    };
    let health = run_one("GET /health", "/health", health_targets(), None);
    let poll = run_one("head poll", "/v1/sync/pull", poll_targets(), None);
    let health_paced = run_one(
        "GET /health, paced",
        "/health",
        health_targets(),
        Some(PACED_RATE),
    );
    let poll_paced = run_one(
        "head poll, paced",
        "/v1/sync/pull",
        poll_targets(),
        Some(PACED_RATE),
    );
    // The same poll while the market is busy: a seller changes a price every 100 ms
    // (10 changes a second, each seen by every client), so most polls find news and
    // take the full path (the head read, the page query, a patch back).
    let busy = {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = std::sync::Arc::clone(&stop);
        let url = server.url.clone();
        let thread = std::thread::spawn(move || {
            let api = Api::new(&url);
            let mut doc = written;
            let mut changes = 0u64;
            while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
                doc.price_idr += 500;
                let op = writer.put_product(&doc, &["price_idr"]);
                writer.push(&api, vec![op]);
                changes += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            changes
        });
        let l = run_one(
            "head poll, paced, busy feed",
            "/v1/sync/pull",
            clients
                .iter()
                .map(|c| Target {
                    // The head from before the run: every poll finds the changed
                    // product, as a phone polling as often as the feed changes would.
                    path: synccat::pull_path(&head),
                    headers: headers(Some(&c.token)),
                })
                .collect(),
            Some(PACED_RATE),
        );
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let changes = thread.join().expect("writer");
        eprintln!("server bench ({name}) busy feed: {changes} price changes during the run");
        l
    };
    let first = run_one(
        "first page",
        "/v1/sync/pull",
        clients
            .iter()
            .map(|c| Target {
                path: synccat::pull_path(""),
                headers: headers(Some(&c.token)),
            })
            .collect(),
        None,
    );
    let health_rate = Some((health.per_second, "get_health"));
    let health_p99 = Some((health.p99_ms, "get_health"));
    report(
        "server",
        &format!("pulls_per_s_{name}"),
        "pulls/s",
        poll.per_second,
        health_rate,
        true,
    );
    report(
        "server",
        &format!("p99_ms_{name}"),
        "ms",
        poll_paced.p99_ms,
        Some((health_paced.p99_ms, "get_health_paced")),
        false,
    );
    report(
        "server",
        &format!("paced_pulls_per_s_{name}"),
        "pulls/s",
        poll_paced.per_second,
        Some((health_paced.per_second, "get_health_paced")),
        true,
    );
    report(
        "server",
        &format!("p99_ms_busy_feed_{name}"),
        "ms",
        busy.p99_ms,
        Some((health_paced.p99_ms, "get_health_paced")),
        false,
    );
    report(
        "server",
        &format!("busy_feed_pulls_per_s_{name}"),
        "pulls/s",
        busy.per_second,
        Some((health_paced.per_second, "get_health_paced")),
        true,
    );
    report(
        "server",
        &format!("p99_ms_saturated_{name}"),
        "ms",
        poll.p99_ms,
        health_p99,
        false,
    );
    report(
        "server",
        &format!("first_page_pulls_per_s_{name}"),
        "pulls/s",
        first.per_second,
        health_rate,
        true,
    );
    report(
        "server",
        &format!("first_page_p99_ms_{name}"),
        "ms",
        first.p99_ms,
        health_p99,
        false,
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut postgres = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--postgres" => postgres = Some(args.next().expect("--postgres URL")),
            other => panic!("unknown argument {other}; usage: server [--postgres URL]"),
        }
    }
    let env = |k: &str, default: f64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = env("PASAR_BENCH_SECONDS", 10.0);
    let products = env("PASAR_BENCH_PRODUCTS", 10_000.0) as usize;
    let group_id = pasar_core::id::new_id();
    let catalog = synccat::catalog(42, products, &group_id);

    run("sqlite", Server::sqlite(2), &catalog, &group_id, seconds);

    if let Some(admin) = postgres {
        let schema = format!("bench_{}", pasar_core::id::new_id().replace('-', ""));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let sql = |statement: String| {
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                    .await
                    .expect("connect to PostgreSQL");
                let conn = tokio::spawn(conn);
                client
                    .batch_execute(&statement)
                    .await
                    .expect("schema statement");
                drop(client);
                let _ = conn.await;
            })
        };
        sql(format!("CREATE SCHEMA {schema}"));
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-c%20search_path%3D{schema}");
        run(
            "postgres",
            Server::start(Database::Postgres(url), 2, None),
            &catalog,
            &group_id,
            seconds,
        );
        sql(format!("DROP SCHEMA {schema} CASCADE"));
    }
}
