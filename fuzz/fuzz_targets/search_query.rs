//! Arbitrary text as what a buyer types into search, with a hostile paging cursor,
//! category and price filters, run by `Catalog::search_blocking` against a real store
//! holding a small market catalog: the query is normalised, planned into an FTS5
//! expression and run by SQLite, so quotes, `*`, `NEAR`, `AND`/`OR`/`NOT`, column
//! filters (`name:`), parentheses, NUL and very long pastes all reach FTS5.
//!
//! The input is split at 0xFF bytes (never in UTF-8) into query, cursor and category;
//! one leading byte picks the sort, page size and filters. A search must answer a page
//! or a typed validation error (a bad cursor, limit or price range): an SQL error is a
//! query the planner let through unescaped, and fails the run. The catalog is imported
//! once per process; searches do not write, so every run sees the same store.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::account::NewAccount;
use pasar_core::catalog::FileFormat;
use pasar_core::catalog::search::{Filters, QUERY_MAX_CHARS, SearchRequest, Sort};
use pasar_core::{Error, Pasar};
use std::sync::OnceLock;

const CATALOG: &str = r#"[
  {"id":"DNT","name":"Donat Kentang","price_idr":3000,"unit":"pcs","category":"Kue","variants":{"rasa":["Coklat","Keju","Gula"]},"description":"Donat empuk, topping coklat lumer"},
  {"id":"BMB","name":"Donat Bomboloni","price_idr":5000,"unit":"pcs","category":"Kue","stock":0,"variants":{"isi":["Vanila","Coklat"]}},
  {"id":"BRW","name":"Brownies Panggang","price_idr":45000,"unit":"loyang","category":"Kue","stock":12},
  {"id":"TLR","name":"Telur Ayam Negeri","price_idr":28000,"unit":"kg","category":"Sembako","description":"Telur segar dari peternak"},
  {"id":"KAO","name":"Kaos Polos Cotton Combed 30s","price_idr":40000,"unit":"pcs","category":"Pakaian","variants":{"warna":["Hitam","Putih"],"ukuran":["M","L","XL"]}},
  {"id":"SPT","name":"Sepatu Sekolah Hitam","price_idr":90000,"unit":"pasang","category":"Pakaian","stock":3},
  {"id":"KRP","name":"Keripik Singkong \"Pedas\" (Level 5)","price_idr":15000,"unit":"bungkus","category":"Camilan"},
  {"id":"MDU","name":"Madu Hutan 100% Asli","price_idr":120000,"unit":"botol","category":"Sembako","stock":7}
]"#;

struct Market {
    _dir: tempfile::TempDir,
    pasar: Pasar,
    seller: String,
}

fn market() -> &'static Market {
    static MARKET: OnceLock<Market> = OnceLock::new();
    MARKET.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let pasar = Pasar::open(dir.path()).expect("store");
        let seller = pasar
            .accounts()
            .save_blocking(NewAccount {
                id: None,
                name: "Toko Berkah".into(),
                phone: Some("+6281234567890".into()),
            })
            .expect("seller")
            .id;
        let report = pasar
            .catalog()
            .import_file_blocking(CATALOG.as_bytes(), FileFormat::Json, Some(&seller))
            .expect("catalog");
        assert_eq!(report.created, 8, "{:?}", report.errors);
        Market {
            _dir: dir,
            pasar,
            seller,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let m = market();
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.split(|&b| b == 0xff).map(String::from_utf8_lossy);
    let query = parts.next().unwrap_or_default().into_owned();
    let after = parts.next().map(|c| c.into_owned());
    let category = parts.next().map(|c| c.into_owned());
    let request = SearchRequest {
        query,
        filters: Filters {
            group_id: None,
            seller_id: (knobs & 0x10 != 0).then(|| m.seller.clone()),
            category,
            min_price_idr: (knobs & 0x20 != 0).then_some(4_000),
            max_price_idr: (knobs & 0x40 != 0).then_some(50_000),
            in_stock_only: knobs & 0x80 != 0,
        },
        sort: match knobs & 3 {
            0 => Sort::Relevance,
            1 => Sort::PriceLowHigh,
            2 => Sort::PriceHighLow,
            _ => Sort::Newest,
        },
        after,
        limit: [0, 1, 3, 1000][usize::from((knobs >> 2) & 3)],
    };
    match m.pasar.catalog().search_blocking(&request) {
        Ok(page) => {
            assert!(page.items.len() <= 8);
            assert!(page.understood.chars().count() <= QUERY_MAX_CHARS * 4);
            // The next page, by the cursor this one gave, must be readable too.
            if let Some(next) = page.next_cursor {
                let again = SearchRequest {
                    after: Some(next),
                    ..request
                };
                if let Err(e) = m.pasar.catalog().search_blocking(&again) {
                    panic!("the cursor of a page was refused: {e:?}");
                }
            }
        }
        Err(Error::Validation(_)) => {}
        Err(other) => panic!("search failed: {other:?}"),
    }
});
