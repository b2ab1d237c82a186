//! bench/run search: Pasar's offline search against a `LIKE '%q%'` scan on the same
//! generated 100k-product catalog, side by side in one run.

use pasar_bench::relevance::{QUERIES, TARGETS};
use pasar_bench::{generate, percentile, report};
use pasar_core::Pasar;
use pasar_core::account::NewAccount;
use pasar_core::catalog::{FileFormat, SearchRequest};
use rusqlite::Connection;
use std::time::Instant;

const PRODUCTS: usize = 100_000;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The naive search an app without a search engine does.
fn like_search(c: &Connection, q: &str) -> Vec<String> {
    let pattern = format!("%{}%", q.trim());
    let mut stmt = c
        .prepare_cached(
            "SELECT source_id FROM products WHERE archived = 0 AND (name LIKE ?1 OR description LIKE ?1)
             ORDER BY id DESC LIMIT 20",
        )
        .expect("prepare");
    stmt.query_map([&pattern], |r| r.get::<_, Option<String>>(0))
        .expect("query")
        .filter_map(|r| r.ok().flatten())
        .collect()
}

fn pasar_search(p: &Pasar, q: &str) -> Vec<String> {
    p.catalog()
        .search_blocking(&SearchRequest {
            query: q.to_owned(),
            ..Default::default()
        })
        .expect("search")
        .items
        .into_iter()
        .filter_map(|p| p.source_id)
        .collect()
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keep = std::env::var_os("PASAR_BENCH_KEEP");
    let path = dir.path().join("pasar.sqlite3");

    // The catalog: 100k generated products with the relevance targets planted among them.
    let mut rows = generate::catalog(42, PRODUCTS - TARGETS.len());
    for (i, (id, name, category, description)) in TARGETS.iter().enumerate() {
        let at = (i * 4_999) % rows.len();
        rows.insert(
            at,
            serde_json::json!({"id": id, "name": name, "price_idr": 50_000, "unit": "pcs",
                               "variants": {}, "category": category, "description": description}),
        );
    }
    let file = serde_json::to_vec(&rows).expect("json");
    let pasar = Pasar::open(dir.path()).expect("open");
    let owner = pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: "Pemilik".into(),
            phone: None,
        })
        .expect("owner")
        .id;
    let t = Instant::now();
    let imported = pasar
        .catalog()
        .import_file_blocking(&file, FileFormat::Json, Some(&owner))
        .expect("import");
    let build_ms = ms(t);
    assert_eq!(imported.created, PRODUCTS, "{:?}", imported.errors.first());
    drop(pasar);

    // Size: with the search index, and the same data without it.
    let bare = dir.path().join("bare.sqlite3");
    {
        let c = Connection::open(&path).expect("open");
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("checkpoint");
        c.execute("VACUUM INTO ?1", [bare.to_str().unwrap_or_default()])
            .expect("copy");
    }
    let with_index = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64;
    {
        let c = Connection::open(&bare).expect("open");
        c.execute_batch("DROP TABLE product_search; DROP TABLE search_docs; VACUUM;")
            .expect("drop");
    }
    let without = std::fs::metadata(&bare).map(|m| m.len()).unwrap_or(0) as f64;

    // Cold open + first page, against a cold connection + LIKE.
    let t = Instant::now();
    let pasar = Pasar::open(dir.path()).expect("open");
    let first = pasar_search(&pasar, "donat coklat");
    let cold_pasar = ms(t);
    let t = Instant::now();
    let like = Connection::open(&path).expect("open");
    let first_like = like_search(&like, "donat coklat");
    let cold_like = ms(t);
    assert!(!first.is_empty() && !first_like.is_empty());

    // Relevance.
    let (mut hits5, mut hits1, mut positives, mut clean, mut negatives) = (0, 0, 0, 0, 0);
    let (mut like5, mut like1, mut like_clean) = (0, 0, 0);
    let mut misses = Vec::new();
    for (q, expected, kind) in QUERIES {
        let got = pasar_search(&pasar, q);
        let got_like = like_search(&like, q);
        if expected.is_empty() {
            negatives += 1;
            clean += usize::from(got.is_empty());
            like_clean += usize::from(got_like.is_empty());
            if !got.is_empty() {
                misses.push(format!("{kind}: {q:?} gave {} results", got.len()));
            }
            continue;
        }
        positives += 1;
        let rank = got.iter().position(|id| id == expected);
        hits5 += usize::from(rank.is_some_and(|r| r < 5));
        hits1 += usize::from(rank == Some(0));
        let rank_like = got_like.iter().position(|id| id == expected);
        like5 += usize::from(rank_like.is_some_and(|r| r < 5));
        like1 += usize::from(rank_like == Some(0));
        if rank != Some(0) {
            misses.push(format!("{kind}: {q:?} → rank {rank:?}"));
        }
    }
    for m in &misses {
        eprintln!("search miss: {m}");
    }

    // Latency over the relevance queries and everyday ones.
    let everyday = [
        "donat",
        "donat coklat",
        "kaos hitam",
        "casing hp samsung",
        "kripik pedas",
        "gamis",
        "bantal silikon",
        "thai tea",
        "rendang",
        "sepatu sneakers putih",
        "don",
        "kao",
        "powerbank 10000",
        "jilbab segi empat",
        "kue lapis",
        "sprei",
        "es kopi susu gula aren",
        "basreng",
        "hoodie oversize",
        "lampu led",
    ];
    let mut queries: Vec<&str> = QUERIES.iter().map(|(q, _, _)| *q).collect();
    queries.extend(everyday);
    let (mut tp, mut tl) = (Vec::new(), Vec::new());
    // Rounds alternate between the two, a block of every query each: interleaving single
    // queries would let each full-table LIKE scan flush the CPU caches the next Pasar
    // query runs in, which measures the scan, not the search.
    for _round in 0..5 {
        for q in &queries {
            let t = Instant::now();
            std::hint::black_box(pasar_search(&pasar, q));
            tp.push(ms(t));
        }
        for q in &queries {
            let t = Instant::now();
            std::hint::black_box(like_search(&like, q));
            tl.push(ms(t));
        }
    }
    // The slowest queries, for whoever tunes the search next.
    let mut per_query: Vec<(f64, &str)> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut t: Vec<f64> = (0..5).map(|r| tp[r * queries.len() + i]).collect();
            t.sort_by(f64::total_cmp);
            (t[2], *q)
        })
        .collect();
    per_query.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, q) in per_query.iter().take(6) {
        eprintln!("slowest: {t:.2} ms {q:?}");
    }
    tp.sort_by(f64::total_cmp);
    tl.sort_by(f64::total_cmp);

    let b = "search";
    report(
        b,
        "p50_query",
        "ms",
        percentile(&tp, 0.5),
        Some((percentile(&tl, 0.5), "like_scan")),
        false,
    );
    report(
        b,
        "p95_query",
        "ms",
        percentile(&tp, 0.95),
        Some((percentile(&tl, 0.95), "like_scan")),
        false,
    );
    report(b, "index_build", "ms", build_ms, None, false);
    report(
        b,
        "db_bytes_per_product",
        "bytes",
        with_index / PRODUCTS as f64,
        Some((without / PRODUCTS as f64, "no_search_index")),
        false,
    );
    report(
        b,
        "cold_first_page",
        "ms",
        cold_pasar,
        Some((cold_like, "like_scan")),
        false,
    );
    let pos = positives as f64;
    report(
        b,
        "typo_slang_recall",
        "recall@5",
        hits5 as f64 / pos,
        Some((like5 as f64 / pos, "like_scan")),
        true,
    );
    report(
        b,
        "success_at_1",
        "fraction",
        hits1 as f64 / pos,
        Some((like1 as f64 / pos, "like_scan")),
        true,
    );
    if let Some(to) = keep {
        drop(pasar);
        let _ = std::fs::copy(&path, to);
    }
    report(
        b,
        "no_junk",
        "fraction",
        clean as f64 / negatives as f64,
        Some((like_clean as f64 / negatives as f64, "like_scan")),
        true,
    );
}
