//! The race for the last units: 200 buyers' phones order the last 10 units of one
//! product at the same moment, through one server on SQLite, one on PostgreSQL, and two
//! server instances sharing one PostgreSQL. Exactly 10 orders are accepted, the stock
//! never goes below zero, and each of the 190 others sees "Stok … tidak cukup" on the
//! order that made it (cancelled on her phone), whichever instance she reached.

mod support;

use support::{Phone, Server, jne_rate, market_of, order, phone};

use pasar_core::ErrorKind;
use pasar_core::catalog::{NewProduct, Stock};
use pasar_core::order::OrderStatus;
use pasar_core::sync::RejectedChange;
use pasar_server::{AppState, Database};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

const SELLER: &str = "+6281311112222";
const BUYERS: usize = 200;
const UNITS: i64 = 10;

/// Every buyer signs in from the same loopback address: lift the per-address limit on
/// code requests (it is tested on its own in the server's auth tests).
fn many_sign_ins(state: &mut AppState) {
    state.auth.per_address = (10_000, 60 * 60 * 1000);
}

fn buyer_number(i: usize) -> String {
    format!("+62813{:08}", 40_000_000 + i)
}

/// What one buyer's phone ended with after her sync.
struct Outcome {
    status: OrderStatus,
    rejections: Vec<RejectedChange>,
}

fn race(servers: &[&Server]) {
    let seller = phone(servers[0], SELLER, "Dapur Bu Rina");
    let numbers: Vec<String> = (0..BUYERS).map(buyer_number).collect();
    let group = market_of(
        &seller,
        &numbers.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    jne_rate(&seller);
    let mut tumpeng = NewProduct::new(&seller.account, "Tumpeng mini", "35rb");
    tumpeng.stock = Stock::Limited(UNITS);
    tumpeng.group_ids = vec![group.id.clone()];
    let tumpeng = seller
        .pasar
        .catalog()
        .create_product_blocking(tumpeng)
        .expect("product");
    let report = seller
        .sync
        .sync_blocking(Duration::from_secs(60))
        .expect("seller sync");
    assert!(report.complete && report.rejected == 0, "{report:?}");

    // Every buyer signs in (to the instance of her turn), pulls the market and puts one
    // in her cart: 10 left, her phone says, so her phone accepts the checkout offline.
    let buyers: Vec<(Phone, String)> = (0..BUYERS)
        .map(|i| {
            let server = servers[i % servers.len()];
            let p = phone(server, &buyer_number(i), &format!("Pembeli {i}"));
            let report = p.sync.sync_blocking(Duration::from_secs(60)).expect("pull");
            assert!(report.complete, "{report:?}");
            let seen = p
                .pasar
                .catalog()
                .get_product_blocking(&tumpeng.id)
                .expect("the buyer sees the product");
            assert_eq!(seen.stock, Stock::Limited(UNITS));
            let placed = order(&p, &seller.account, &tumpeng.id, 1);
            assert_eq!(placed.status, OrderStatus::Processing);
            (p, placed.id)
        })
        .collect();

    // All at once: each phone's sync starts when the last one is ready.
    let start = Arc::new(Barrier::new(BUYERS));
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (p, placed) in &buyers {
            let start = Arc::clone(&start);
            let outcomes = &outcomes;
            scope.spawn(move || {
                let heard = Arc::new(Mutex::new(Vec::new()));
                let sink = Arc::clone(&heard);
                let _listening = p
                    .sync
                    .observe_rejections(move |r| sink.lock().expect("lock").push(r.clone()));
                start.wait();
                let report = p
                    .sync
                    .sync_blocking(Duration::from_secs(120))
                    .expect("sync");
                assert!(report.complete, "{report:?}");
                assert_eq!(report.pushed, 1, "{report:?}");
                let mine = p.pasar.orders().get_blocking(placed).expect("her order");
                let heard = heard.lock().expect("lock").clone();
                assert_eq!(
                    heard.len(),
                    report.rejected as usize,
                    "each refusal reaches the screen once: {report:?}"
                );
                outcomes.lock().expect("lock").push(Outcome {
                    status: mine.status,
                    rejections: heard,
                });
            });
        }
    });
    let outcomes = outcomes.into_inner().expect("outcomes");
    assert_eq!(outcomes.len(), BUYERS);
    let accepted = outcomes
        .iter()
        .filter(|o| o.status == OrderStatus::Processing && o.rejections.is_empty())
        .count();
    let refused: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status == OrderStatus::Cancelled)
        .collect();
    assert_eq!(accepted, UNITS as usize, "exactly the units there were");
    assert_eq!(refused.len(), BUYERS - UNITS as usize);
    for o in &refused {
        assert_eq!(o.rejections.len(), 1);
        let r = &o.rejections[0];
        assert_eq!(r.error.kind, ErrorKind::OutOfStock, "{r:?}");
        assert!(r.error.message.id.contains("Stok"), "{r:?}");
        assert!(r.error.message.id.contains("Tumpeng mini"), "{r:?}");
    }

    // The seller sees exactly the 10 orders and none left; so does a buyer's next pull,
    // whichever instance she asks: never below zero.
    let report = seller
        .sync
        .sync_blocking(Duration::from_secs(60))
        .expect("seller sync");
    assert!(report.complete, "{report:?}");
    let incoming = seller
        .pasar
        .orders()
        .for_account_blocking(&seller.account, 200)
        .expect("orders");
    assert_eq!(
        incoming
            .iter()
            .filter(|o| o.status == OrderStatus::Processing)
            .count(),
        UNITS as usize
    );
    assert_eq!(
        incoming.len(),
        UNITS as usize,
        "refused orders never reach her"
    );
    let left = |p: &Phone| {
        p.pasar
            .catalog()
            .get_product_blocking(&tumpeng.id)
            .expect("product")
            .stock
    };
    assert_eq!(left(&seller), Stock::Limited(0));
    for (p, _) in buyers.iter().take(servers.len()) {
        p.sync.sync_blocking(Duration::from_secs(60)).expect("sync");
        assert_eq!(left(p), Stock::Limited(0));
    }
}

#[test]
fn two_hundred_buyers_ten_units_on_sqlite() {
    race(&[&Server::sqlite(many_sign_ins)]);
}

#[test]
fn two_hundred_buyers_ten_units_on_postgres() {
    if let Some(server) = Server::postgres("race", many_sign_ins) {
        race(&[&server]);
    }
}

#[test]
fn two_hundred_buyers_ten_units_on_two_instances_of_one_postgres() {
    let Some(url) = support::postgres_schema_url("race2") else {
        return;
    };
    let a = Server::start(Database::Postgres(url.clone()), None, many_sign_ins);
    let b = Server::start(Database::Postgres(url), None, many_sign_ins);
    race(&[&a, &b]);
}
