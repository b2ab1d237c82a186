//! Arbitrary bytes as a seller's catalog file (the first byte picks JSON or CSV), read
//! by `catalog::import::read_json` / `read_csv` and imported by
//! `Catalog::import_file_blocking`, as the app and `pasar import` do, into a real store.
//!
//! The readers must answer rows or a typed `ImportError`, with row numbers that point
//! into the file; the import must save the good rows and report the bad ones, or refuse
//! the file as invalid: never fail the store (that would lose the whole file for one
//! odd row) and never panic. The store is one per process, renewed every few thousand
//! runs so its growth does not slow the fuzzer down.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::account::NewAccount;
use pasar_core::catalog::FileFormat;
use pasar_core::catalog::import::{ImportError, read_csv, read_json};
use pasar_core::{Error, Pasar};
use std::cell::RefCell;

const RENEW_EVERY: u32 = 5_000;

struct Store {
    _dir: tempfile::TempDir,
    pasar: Pasar,
    seller: String,
    runs: u32,
}

fn store() -> Store {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("store");
    let seller = pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: "Dapur Bu Rina".into(),
            phone: Some("+6281234567890".into()),
        })
        .expect("seller")
        .id;
    Store {
        _dir: dir,
        pasar,
        seller,
        runs: 0,
    }
}

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, file)) = data.split_first() else {
        return;
    };
    let format = if mode % 2 == 0 {
        FileFormat::Json
    } else {
        FileFormat::Csv
    };
    let read = match format {
        FileFormat::Json => read_json(file),
        FileFormat::Csv => read_csv(file),
    };
    let lines = file.iter().filter(|&&b| b == b'\n').count() + 1;
    let rows = match &read {
        Ok((rows, errors)) => {
            // JSON rows are array elements, CSV rows are lines: either way, within the file.
            let bound = file.len().max(lines);
            assert!(rows.iter().all(|(n, _)| (1..=bound).contains(n)));
            assert!(errors.iter().all(|e| (1..=bound).contains(&e.row)));
            assert!(
                rows.windows(2).all(|w| w[0].0 < w[1].0),
                "rows in file order"
            );
            Some(rows.len() + errors.len())
        }
        Err(ImportError::Malformed(why)) => {
            assert!(!why.is_empty());
            None
        }
        Err(ImportError::TooLarge { .. }) => panic!("a fuzz input is never 50 MB"),
    };
    STORE.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|s| s.runs >= RENEW_EVERY) {
            *slot = None;
            *slot = Some(store());
        }
        let Some(s) = slot.as_mut() else { return };
        s.runs += 1;
        match s
            .pasar
            .catalog()
            .import_file_blocking(file, format, Some(&s.seller))
        {
            Ok(report) => {
                let read = rows.expect("the import read what the reader refused");
                assert_eq!(report.created + report.updated + report.errors.len(), read);
                assert!(report.errors.windows(2).all(|w| w[0].row <= w[1].row));
                assert!(report.errors.iter().all(|e| !e.message.en.is_empty()));
            }
            Err(Error::Validation(v)) => {
                assert!(
                    rows.is_none(),
                    "only an unreadable file is refused whole: {v:?}"
                );
            }
            Err(other) => panic!("the import failed: {other:?}"),
        }
    });
});
