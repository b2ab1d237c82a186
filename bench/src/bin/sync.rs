//! bench/run sync: what syncing a 10,000-product community group costs a phone, side by
//! side with a baseline in the same run: the first sync's bytes against the same pull
//! pages as plain JSON, the next sync after 10 edits, and 1,000 queued edits pushed in
//! one round against one mutation per request. A real server in-process on SQLite, real
//! phone cores (`Pasar` + `SyncClient` + `ReqwestClient`), loopback HTTP.
//!
//! `PASAR_BENCH_PRODUCTS` (default 10,000) makes a smaller world for a quick look.

use pasar_bench::generate::Rng;
use pasar_bench::report;
use pasar_bench::synccat::{self, Api, Member, Server};
use pasar_core::Pasar;
use pasar_core::catalog::{PriceInput, ProductPatch, Stock};
use pasar_core::sync::convert;
use pasar_core::sync::http::ReqwestClient;
use pasar_core::sync::wire::{Mutation, Op, PRODUCT_FIELDS, PushRequest};
use pasar_core::sync::{
    Backoff, MemoryTokens, SyncClient, SyncConfig, SyncPhase, SyncReport, TokenStore,
};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BUYER: &str = "+6281399990001";
const PUSHER: &str = "+6285612340001";
const PUSHED: usize = 1_000;
const PUSHER_PRODUCTS: usize = 200;

/// A phone: its own store, its own sync client, signed in by code.
struct Phone {
    _dir: tempfile::TempDir,
    pasar: Pasar,
    sync: SyncClient,
    tokens: Arc<MemoryTokens>,
}

fn phone(server: &Server, number: &str, name: &str) -> Phone {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open the phone's store");
    let tokens = Arc::new(MemoryTokens::default());
    let sync = pasar.sync(SyncConfig {
        server_url: server.url.clone(),
        http: Arc::new(ReqwestClient::new().expect("http client")),
        tokens: tokens.clone(),
        backoff: Backoff::default(),
    });
    sync.request_code_blocking(number).expect("code");
    let code = server.codes.last_code(number).expect("code sent");
    sync.sign_in_blocking(number, &code, Some(name))
        .expect("sign in");
    Phone {
        _dir: dir,
        pasar,
        sync,
        tokens,
    }
}

fn sync(p: &Phone) -> SyncReport {
    let report = p
        .sync
        .sync_blocking(Duration::from_secs(600))
        .expect("sync");
    assert!(report.complete, "{report:?}");
    assert_eq!((report.unreadable, report.rejected), (0, 0), "{report:?}");
    report
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Every page from the start as plain JSON, as the phone pulls them: (bytes received,
/// the bodies, the cursor each page was asked after, the last cursor).
fn fetch_plain(api: &Api, token: &str) -> (u64, Vec<Vec<u8>>, Vec<String>, String) {
    let (mut bytes, mut bodies, mut asked, mut cursor) = (0, Vec::new(), Vec::new(), String::new());
    loop {
        let (_, r) = api.pull(token, &cursor, None);
        bytes += synccat::received_bytes(&r);
        let page = synccat::page_of(&r);
        bodies.push(r.body);
        asked.push(std::mem::replace(&mut cursor, page.cursor));
        if !page.more {
            return (bytes, bodies, asked, cursor);
        }
    }
}

/// The same pages again in another encoding: bytes received.
fn fetch_encoded(api: &Api, token: &str, asked: &[String], encoding: &str) -> u64 {
    asked
        .iter()
        .map(|c| synccat::received_bytes(&api.pull(token, c, Some(encoding)).1))
        .sum()
}

/// Field names of a product document, and the parts of its photos and variants that
/// cannot compress (random hashes, UUIDs).
fn strip(doc: &mut Value, what: &str) {
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    match what.split_once('.') {
        Some((outer, inner)) => {
            if let Some(items) = obj.get_mut(outer).and_then(Value::as_array_mut) {
                for item in items {
                    if let Some(o) = item.as_object_mut() {
                        o.remove(inner);
                    }
                }
            }
        }
        None => {
            obj.remove(what);
        }
    }
}

/// Bytes of the keys (quoted, with the colon) in a JSON value, all levels.
fn key_bytes(v: &Value) -> usize {
    match v {
        Value::Object(o) => o.iter().map(|(k, v)| k.len() + 3 + key_bytes(v)).sum(),
        Value::Array(a) => a.iter().map(key_bytes).sum(),
        _ => 0,
    }
}

fn short_keys(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let taken = std::mem::take(o);
            for (i, (k, mut v)) in taken.into_iter().enumerate() {
                short_keys(&mut v);
                // One letter per key position keeps keys distinct within an object.
                let _ = k;
                o.insert(((b'a' + i as u8) as char).to_string(), v);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(short_keys),
        _ => {}
    }
}

/// What the bytes of the catalog are: per field of a product document, its share of
/// the plain JSON and of the gzip-compressed JSON (by taking the field out and
/// compressing again), printed to stderr.
fn breakdown(bodies: &[Vec<u8>]) {
    let mut products: Vec<Value> = Vec::new();
    for body in bodies {
        let page: Value = serde_json::from_slice(body).expect("page");
        for change in page["changes"].as_array().into_iter().flatten() {
            if let Some(doc) = change.get("product") {
                products.push(doc.clone());
            }
        }
    }
    let n = products.len().max(1) as f64;
    let all = serde_json::to_vec(&products).expect("json");
    let level = 6;
    let whole = synccat::gzip(&all, level).len() as f64;
    eprintln!(
        "sync bench: {} products, plain JSON {:.0} B/product, gzip-{level} {:.0} B/product, JSON keys {:.0} B/product plain",
        products.len(),
        all.len() as f64 / n,
        whole / n,
        products.iter().map(key_bytes).sum::<usize>() as f64 / n
    );
    let mut parts: Vec<String> = products
        .first()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    parts.extend(
        [
            "photos.hash",
            "photos.blurhash",
            "variants.id",
            "variants.price_idr",
            "variants.stock",
        ]
        .map(str::to_owned),
    );
    eprintln!(
        "{:<20} {:>10} {:>8} {:>10} {:>8}",
        "field", "plain B", "plain %", "gzip B", "gzip %"
    );
    let mut rows = Vec::new();
    for part in &parts {
        let mut without = products.clone();
        without.iter_mut().for_each(|d| strip(d, part));
        let plain = all.len() - serde_json::to_vec(&without).expect("json").len();
        let packed =
            whole - synccat::gzip(&serde_json::to_vec(&without).expect("json"), level).len() as f64;
        rows.push((part.clone(), plain as f64 / n, packed / n));
    }
    rows.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (part, plain, packed) in rows {
        eprintln!(
            "{part:<20} {plain:>10.1} {:>7.1}% {packed:>10.1} {:>7.1}%",
            100.0 * plain / (all.len() as f64 / n),
            100.0 * packed / (whole / n)
        );
    }
    let mut short = products.clone();
    short.iter_mut().for_each(short_keys);
    let short = synccat::gzip(&serde_json::to_vec(&short).expect("json"), level).len() as f64;
    let best = synccat::gzip(&all, 9).len() as f64;
    eprintln!(
        "sync bench: with one-letter keys gzip-{level} {:.0} B/product; gzip-9 {:.0} B/product",
        short / n,
        best / n
    );
}

fn main() {
    let products: usize = std::env::var("PASAR_BENCH_PRODUCTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let server = Server::sqlite(2);
    let api = Api::new(&server.url);
    let group_id = pasar_core::id::new_id();
    let catalog = synccat::catalog(42, products, &group_id);
    let t = Instant::now();
    let mut seeded = synccat::seed(&server, &catalog, &group_id, &[BUYER], 7);
    eprintln!(
        "sync bench: {products} products of {} sellers put on the server in {:.1} s",
        seeded.sellers.len(),
        t.elapsed().as_secs_f64()
    );

    // The buyer's first sync of the group's catalog, against the same pages as plain JSON.
    let buyer = phone(&server, BUYER, "Ibu Sari");
    let t = Instant::now();
    let first = sync(&buyer);
    let initial_ms = ms(t);
    assert!(first.pulled as usize > products, "{first:?}");
    let token = buyer.tokens.load().expect("buyer's token");
    let (plain, bodies, asked, head) = fetch_plain(&api, &token);
    let zstd = fetch_encoded(&api, &token, &asked, "zstd");
    let gzip = fetch_encoded(&api, &token, &asked, "gzip");
    let per = |b: u64| b as f64 / products as f64;
    eprintln!(
        "sync bench: first sync {} changes in {} requests, {:.0} ms; the same pages fetched again: gzip {:.0} B/product, zstd {:.0} B/product",
        first.pulled,
        first.requests,
        initial_ms,
        per(gzip),
        per(zstd)
    );
    report(
        "sync",
        "initial_bytes_per_product",
        "bytes",
        per(first.bytes_received),
        Some((per(plain), "plain_json_no_compression")),
        false,
    );
    report("sync", "initial_sync_ms", "ms", initial_ms, None, false);
    if let Some(path) = &server.sqlite {
        // The file as a reader sees it (the WAL's pages included), against the JSON of the
        // products alone.
        let c =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("open the server's file");
        let (pages, page_size, docs): (i64, i64, i64) = c
            .query_row(
                "SELECT (SELECT page_count FROM pragma_page_count()),
                        (SELECT page_size FROM pragma_page_size()),
                        (SELECT SUM(LENGTH(doc) + LENGTH(clocks)) FROM products)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("sizes");
        eprintln!(
            "sync bench: the server stores {:.0} B/product ({:.0} of it the document and its clocks)",
            per((pages * page_size) as u64),
            per(docs as u64)
        );
        report(
            "sync",
            "server_bytes_per_product",
            "bytes",
            per((pages * page_size) as u64),
            None,
            false,
        );
    }
    breakdown(&bodies);

    // Ten price and stock edits by sellers; the buyer's next sync.
    let mut rng = Rng::new(11);
    let mut edited = std::collections::HashMap::new();
    for i in 0..10u32 {
        let s = loop {
            let s = rng.below(catalog.len());
            if !catalog[s].products.is_empty() {
                break s;
            }
        };
        let mut doc = catalog[s].products[rng.below(catalog[s].products.len())].clone();
        edited.insert(
            doc.id.clone(),
            if i.is_multiple_of(2) {
                "price_idr"
            } else {
                "stock"
            },
        );
        let op = if i.is_multiple_of(2) {
            doc.price_idr += 1_000;
            seeded.sellers[s].put_product(&doc, &["price_idr"])
        } else {
            doc.stock = Some(doc.stock.unwrap_or(0) + 5);
            seeded.sellers[s].put_product(&doc, &["stock"])
        };
        seeded.sellers[s].push(&api, vec![op]);
    }
    let next = sync(&buyer);
    assert_eq!(next.pulled, 10, "{next:?}");
    // The baseline: the same news as whole documents in plain JSON (protocol 1).
    let (request, plain_page) = api.pull_whole(&token, &head);
    let plain_path = synccat::pull_path(&head);
    report(
        "sync",
        "incremental_10_bytes",
        "bytes",
        (next.bytes_sent + next.bytes_received) as f64,
        Some((
            (synccat::sent_bytes(&request, &plain_path) + synccat::received_bytes(&plain_page))
                as f64,
            "same_page_plain_json",
        )),
        false,
    );
    // The same news in other shapes (stderr, for the report): zstd, and changes that carry
    // only the edited field with the product's id, version and time.
    let (_, gz) = api.pull(&token, &head, Some("gzip"));
    let headers = (next.bytes_sent + next.bytes_received).saturating_sub(gz.body.len() as u64);
    let zstd = api.pull(&token, &head, Some("zstd")).1.body.len();
    let page: Value = serde_json::from_slice(&plain_page.body).expect("page");
    let patches: Vec<Value> = page["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("product"))
        .map(|c| {
            let id = c["id"].as_str().unwrap_or_default();
            let field = edited.get(id).copied().unwrap_or("price_idr");
            serde_json::json!({"kind": "product_patch", "id": id, "version": c["version"],
                               "updated_at": c["updated_at"], field: c[field]})
        })
        .collect();
    let patched = serde_json::json!({"changes": patches, "cursor": page["cursor"], "more": false});
    let patched = synccat::gzip(&serde_json::to_vec(&patched).expect("json"), 6).len();
    eprintln!(
        "sync bench: after 10 edits: gzip page {} B + {headers} B of request and answer headers; zstd page {zstd} B; one-field patches {patched} B gzip",
        gz.body.len()
    );

    // A seller with 200 products in their own group edits prices and stock offline 1,000
    // times; one round pushes them (and pulls the merged products back).
    let push_group = pasar_core::id::new_id();
    let listed = synccat::products(99, PUSHER_PRODUCTS, &push_group);
    let mut owner = Member::sign_in(&api, &server.codes, PUSHER, "Grosir Bu Yuni");
    let mut ops = vec![Op::PutGroup {
        group_id: push_group.clone(),
        name: "Reseller Grosir Bu Yuni".into(),
    }];
    ops.extend(listed.iter().map(|p| owner.put_product(p, PRODUCT_FIELDS)));
    owner.push(&api, ops);
    let seller = phone(&server, PUSHER, "Grosir Bu Yuni");
    let got = sync(&seller);
    assert!(got.pulled as usize > PUSHER_PRODUCTS, "{got:?}");
    let profile = owner.profile();
    let mut edits = Vec::with_capacity(PUSHED);
    for i in 0..PUSHED {
        let id = &listed[i % PUSHER_PRODUCTS].id;
        // Each edit changes its value for sure, so each queues one mutation.
        let current = seller
            .pasar
            .catalog()
            .get_product_blocking(id)
            .expect("the pulled product");
        let (patch, field) = if (i / PUSHER_PRODUCTS).is_multiple_of(2) {
            (
                ProductPatch {
                    price: Some(PriceInput::Idr(current.price.idr() + 500)),
                    ..ProductPatch::default()
                },
                "price_idr",
            )
        } else {
            let stock = match current.stock {
                Stock::Limited(n) => n + 1,
                Stock::Unlimited => 50,
            };
            (
                ProductPatch {
                    stock: Some(Stock::Limited(stock)),
                    ..ProductPatch::default()
                },
                "stock",
            )
        };
        let p = seller
            .pasar
            .catalog()
            .update_product_blocking(id, patch)
            .expect("edit offline");
        edits.push(Op::PutProduct {
            product: Box::new(convert::product_doc(&p, profile.clone())),
            fields: vec![field.to_owned()],
        });
    }
    assert_eq!(
        seller.sync.pending_blocking().expect("pending"),
        PUSHED as u64
    );
    let pulling_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let seen = pulling_at.clone();
    let _listening = seller.sync.observe_progress(move |p| {
        if p.phase == SyncPhase::Pulling {
            seen.lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_with(Instant::now);
        }
    });
    let t = Instant::now();
    let round = sync(&seller);
    let round_ms = ms(t);
    assert_eq!(round.pushed, PUSHED as u64, "{round:?}");
    let push_phase_ms = pulling_at
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map_or(f64::NAN, |at| (at - t).as_secs_f64() * 1000.0);
    eprintln!(
        "sync bench: the round pushed {} in {} requests ({push_phase_ms:.0} ms) and pulled {} back; {} B sent",
        round.pushed, round.requests, round.pulled, round.bytes_sent
    );
    // The same 1,000 mutations from another device of the same seller, one per request.
    let device = pasar_core::id::new_id();
    let seller_token = seller.tokens.load().expect("seller's token");
    let at = pasar_core::time::now_ms();
    let t = Instant::now();
    for (i, op) in edits.into_iter().enumerate() {
        let body = serde_json::to_vec(&PushRequest {
            device_id: device.clone(),
            mutations: vec![Mutation {
                id: i as u64 + 1,
                at,
                op,
            }],
        })
        .expect("encode");
        let r = api.send(api.request(
            "POST",
            "/v1/sync/push",
            Some(&seller_token),
            Some(body),
            Some("gzip"),
        ));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    let one_by_one_ms = ms(t);
    report(
        "sync",
        "push_1000_ms",
        "ms",
        round_ms,
        Some((one_by_one_ms, "one_mutation_per_request")),
        false,
    );
}
