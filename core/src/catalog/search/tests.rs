//! Search against a real store: what buyers type, and what they must (not) get.

use super::*;
use crate::Pasar;
use crate::account::NewAccount;
use crate::catalog::{NewProduct, NewVariant, ProductPatch, Stock, VariantOption};

struct Market {
    _dir: tempfile::TempDir,
    pasar: Pasar,
    rina: String,
    budi: String,
    group: String,
}

fn market() -> Market {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let account = |name: &str| {
        pasar
            .accounts()
            .save_blocking(NewAccount {
                id: None,
                name: name.into(),
                phone: None,
            })
            .expect("account")
            .id
    };
    let rina = account("Dapur Bu Rina");
    let budi = account("Toko Budi Elektronik");
    let group = pasar
        .groups()
        .create_blocking("Pasar Ibu-ibu Sidoarjo", &rina)
        .expect("group")
        .id;
    let m = Market {
        _dir: dir,
        pasar,
        rina,
        budi,
        group,
    };
    // (seller, name, price, category, description, stock)
    type Item<'a> = (&'a str, &'a str, i64, &'a str, &'a str, Option<i64>);
    let items: &[Item] = &[
        (
            "rina",
            "Donat Cokelat Lumer isi 6",
            25_000,
            "Kue",
            "donat empuk topping coklat",
            Some(10),
        ),
        (
            "rina",
            "Donat Keju",
            22_000,
            "Kue",
            "donat lembut taburan keju",
            Some(0),
        ),
        (
            "rina",
            "Brownies Panggang Coklat",
            60_000,
            "Kue",
            "brownies fudgy, cocok buat hadiah ulang tahun",
            None,
        ),
        (
            "rina",
            "Jual Murah Bantal Silikon Ready Ori",
            45_000,
            "Rumah",
            "bantal tidur empuk 40x60",
            Some(5),
        ),
        (
            "rina",
            "Keripik Singkong Pedas",
            15_000,
            "Camilan",
            "kripik renyah level 5",
            None,
        ),
        (
            "budi",
            "Power Bank 10000mAh",
            150_000,
            "Elektronik",
            "pengisi daya cadangan untuk hp",
            Some(3),
        ),
        (
            "budi",
            "Casing HP Samsung A15",
            35_000,
            "Elektronik",
            "softcase bening",
            Some(20),
        ),
        (
            "budi",
            "Tas Selempang Pria",
            85_000,
            "Fashion",
            "tas kulit sintetis",
            Some(4),
        ),
        (
            "budi",
            "Kaos Polos Lengan Pendek",
            40_000,
            "Fashion",
            "kaos katun combed 30s",
            None,
        ),
    ];
    for (who, name, price, category, description, stock) in items {
        let seller = if *who == "rina" { &m.rina } else { &m.budi };
        let mut n = NewProduct::new(seller, name, *price);
        n.category = Some((*category).into());
        n.description = (*description).into();
        n.stock = stock.map_or(Stock::Unlimited, Stock::Limited);
        if *who == "rina" {
            n.group_ids = vec![m.group.clone()];
        }
        if name.starts_with("Kaos") {
            n.options = vec![VariantOption {
                name: "Warna".into(),
                values: vec!["Hitam".into(), "Navy".into()],
            }];
            n.variants = vec![NewVariant {
                values: vec!["Navy".into()],
                price: None,
                stock: Some(Stock::Limited(2)),
                sku: None,
            }];
        }
        m.pasar
            .catalog()
            .create_product_blocking(n)
            .expect("create");
    }
    m
}

fn names(m: &Market, req: SearchRequest) -> Vec<String> {
    m.pasar
        .catalog()
        .search_blocking(&req)
        .expect("search")
        .items
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn q(m: &Market, query: &str) -> Vec<String> {
    names(
        m,
        SearchRequest {
            query: query.into(),
            ..Default::default()
        },
    )
}

#[test]
fn buyers_find_products_the_way_they_type() {
    let m = market();
    let donat = "Donat Cokelat Lumer isi 6";
    for query in [
        "donat cokelat",
        "donat coklat",
        "dnt coklat",
        "DONAT COKLAT!!!",
        "donta coklat",
        "donat cok",
        "dnat cklt",
    ] {
        let found = q(&m, query);
        assert_eq!(
            found.first().map(String::as_str),
            Some(donat),
            "{query:?} → {found:?}"
        );
    }
    assert_eq!(
        q(&m, "ponsel casing"),
        ["Casing HP Samsung A15"],
        "synonyms meet"
    );
    assert_eq!(q(&m, "powerbank"), ["Power Bank 10000mAh"], "glued");
    assert_eq!(
        q(&m, "tasselempang"),
        ["Tas Selempang Pria"],
        "glued the other way"
    );
    assert_eq!(
        q(&m, "kaos pdk"),
        ["Kaos Polos Lengan Pendek"],
        "abbreviation"
    );
    assert_eq!(
        q(&m, "kripik pedes"),
        ["Keripik Singkong Pedas"],
        "spelling variants"
    );
    assert_eq!(
        q(&m, "hadiah ulang tahun"),
        ["Brownies Panggang Coklat"],
        "descriptive"
    );
    assert_eq!(
        q(&m, "kaos navy"),
        ["Kaos Polos Lengan Pendek"],
        "variant values"
    );
    assert_eq!(
        q(&m, "bu rina brownies"),
        ["Brownies Panggang Coklat"],
        "seller name"
    );
}

#[test]
fn filler_does_not_drive_the_ranking_and_nonsense_finds_nothing() {
    let m = market();
    assert_eq!(
        q(&m, "jual bantal murah ready"),
        ["Jual Murah Bantal Silikon Ready Ori"]
    );
    // A word in the name counts more than the same word in the description.
    assert_eq!(q(&m, "topping"), ["Donat Cokelat Lumer isi 6"]);
    let mut keju = q(&m, "keju");
    assert_eq!(keju.remove(0), "Donat Keju");
    assert!(q(&m, "laptop gaming").is_empty());
    assert!(q(&m, "sepatu donat").is_empty());
    assert!(q(&m, "xqzv").is_empty());
}

#[test]
fn search_strings_are_data_never_syntax() {
    let m = market();
    for hostile in [
        "\"",
        "\"donat",
        "donat\"",
        "*",
        "donat*",
        "NEAR(donat keju)",
        "donat AND",
        "OR",
        "NOT keju",
        "^donat",
        "donat:keju",
        "name:donat",
        "'; DROP TABLE products; --",
        "% _ \\",
        "()",
        "{}[]",
        "\u{0}",
        &"donat ".repeat(500),
        "🍩🍩🍩",
        "دونات",
        "-",
        "+donat -keju",
    ] {
        let r = m.pasar.catalog().search_blocking(&SearchRequest {
            query: hostile.to_owned(),
            ..Default::default()
        });
        assert!(r.is_ok(), "{hostile:?}: {r:?}");
    }
    assert_eq!(
        q(&m, "name:donat keju").first().map(String::as_str),
        Some("Donat Keju")
    );
    // The products are all still there.
    assert_eq!(q(&m, "").len(), 9);
}

#[test]
fn filters_and_sorting() {
    let m = market();
    let req = |f: Filters, sort: Sort| SearchRequest {
        query: String::new(),
        filters: f,
        sort,
        after: None,
        limit: 50,
    };
    let in_group = names(
        &m,
        req(
            Filters {
                group_id: Some(m.group.clone()),
                ..Default::default()
            },
            Sort::PriceLowHigh,
        ),
    );
    assert_eq!(
        in_group,
        [
            "Keripik Singkong Pedas",
            "Donat Keju",
            "Donat Cokelat Lumer isi 6",
            "Jual Murah Bantal Silikon Ready Ori",
            "Brownies Panggang Coklat"
        ]
    );
    let budi_cheap = names(
        &m,
        req(
            Filters {
                seller_id: Some(m.budi.clone()),
                max_price_idr: Some(50_000),
                ..Default::default()
            },
            Sort::PriceHighLow,
        ),
    );
    assert_eq!(
        budi_cheap,
        ["Kaos Polos Lengan Pendek", "Casing HP Samsung A15"]
    );
    let donat_in_stock = names(
        &m,
        SearchRequest {
            query: "donat".into(),
            filters: Filters {
                in_stock_only: true,
                category: Some("kue".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    assert_eq!(
        donat_in_stock,
        ["Donat Cokelat Lumer isi 6"],
        "Donat Keju is sold out"
    );
    let bad = m.pasar.catalog().search_blocking(&req(
        Filters {
            min_price_idr: Some(10),
            max_price_idr: Some(5),
            ..Default::default()
        },
        Sort::Relevance,
    ));
    assert!(bad.is_err());
}

#[test]
fn pages_stay_stable_while_the_catalog_changes() {
    let m = market();
    let catalog = m.pasar.catalog();
    for i in 0..30 {
        let mut n = NewProduct::new(&m.rina, &format!("Donat varian {i}"), 10_000 + i);
        n.category = Some("Kue".into());
        catalog.create_product_blocking(n).expect("create");
    }
    for (query, sort) in [
        ("donat", Sort::Relevance),
        ("", Sort::PriceLowHigh),
        ("", Sort::Newest),
        ("donat", Sort::PriceHighLow),
    ] {
        let mut seen: Vec<String> = Vec::new();
        let mut after = None;
        let mut pages = 0;
        let total_before = loop {
            let page = catalog
                .search_blocking(&SearchRequest {
                    query: query.into(),
                    sort,
                    after: after.clone(),
                    limit: 7,
                    ..Default::default()
                })
                .expect("page");
            pages += 1;
            seen.extend(page.items.iter().map(|p| p.id.clone()));
            // Sellers keep listing while the buyer scrolls.
            let mut n = NewProduct::new(&m.budi, "Donat baru", 12_345);
            n.stock = Stock::Limited(1);
            catalog.create_product_blocking(n).expect("create");
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break page.total,
            }
        };
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{query:?} {sort:?}: a product repeated"
        );
        assert!(pages >= 3);
        if let Some(total) = total_before {
            assert_eq!(
                seen.len() as u32,
                total,
                "{query:?}: every match exactly once"
            );
        }
    }
}

#[test]
fn a_lost_result_list_continues_where_it_was() {
    let m = market();
    let catalog = m.pasar.catalog();
    let first = catalog
        .search_blocking(&SearchRequest {
            query: "coklat".into(),
            limit: 1,
            ..Default::default()
        })
        .expect("page");
    let cursor = first.next_cursor.expect("more");
    // A fresh state (as after an app restart) has no list: it ranks again.
    let fresh = SearchState::default();
    let second = m
        .pasar
        .catalog()
        .db
        .read(|c| {
            search(
                c,
                &fresh,
                &SearchRequest {
                    query: "coklat".into(),
                    limit: 5,
                    after: Some(cursor.clone()),
                    ..Default::default()
                },
            )
        })
        .expect("page");
    assert!(!second.items.iter().any(|p| p.id == first.items[0].id));
    assert_eq!(second.items.len() + 1, 2, "two products hold coklat");
    for bad in [
        "",
        "x",
        "s.1.2",
        "s.1.99999.0190a3e0-7d2c-7cc0-8000-000000000000",
        "b.abc.0190a3e0-7d2c-7cc0-8000-000000000000",
        "s.-1.0.zz",
    ] {
        let r = catalog.search_blocking(&SearchRequest {
            query: "coklat".into(),
            after: Some(bad.into()),
            ..Default::default()
        });
        assert_eq!(
            r.err().map(|e| e.kind()),
            Some(crate::ErrorKind::Validation),
            "{bad:?}"
        );
    }
}

#[test]
fn archived_and_edited_products_follow_the_index() {
    let m = market();
    let catalog = m.pasar.catalog();
    let id = catalog
        .search_blocking(&SearchRequest {
            query: "powerbank".into(),
            ..Default::default()
        })
        .expect("search")
        .items[0]
        .id
        .clone();
    catalog
        .update_product_blocking(
            &id,
            ProductPatch {
                name: Some("Pengisi Daya Portabel".into()),
                ..Default::default()
            },
        )
        .expect("rename");
    assert!(q(&m, "power bank").is_empty());
    assert_eq!(q(&m, "pengisi portabel"), ["Pengisi Daya Portabel"]);
    catalog
        .update_product_blocking(
            &id,
            ProductPatch {
                archived: Some(true),
                ..Default::default()
            },
        )
        .expect("archive");
    assert!(q(&m, "pengisi portabel").is_empty());
}
