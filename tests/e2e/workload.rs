//! The work the fault and crash campaigns put through sync, and what must hold after
//! it: two phones of one seller list products and edit them, buyers in her market order
//! one unit and cancel some, everyone syncing now and then. Afterwards every product and
//! edit made on a phone is on the server once with its last edit, every order took its
//! unit of stock once and gave it back once when cancelled, no change was refused, and
//! every phone's copy equals the server's.

// Each test crate compiles this file and uses part of it.
#![allow(dead_code)]

use super::proxy::Rng;
use super::support::{Phone, jne_rate, market_of, order, products_of};

use pasar_core::catalog::{NewProduct, PageRequest, Product, ProductPatch, Stock};
use pasar_core::order::{OrderAction, OrderStatus};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

pub const STOCK: i64 = 100_000;

pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a seller's phone made and what the last edit of each product said.
#[derive(Default)]
pub struct SellerLog {
    pub descriptions: BTreeMap<String, String>,
}

/// The orders a buyer's phone placed, and those she cancelled.
#[derive(Default)]
pub struct BuyerLog {
    pub placed: Vec<(String, String)>,
    pub cancelled: Vec<String>,
}

#[derive(Default)]
pub struct Totals {
    pub mutations: u64,
    pub syncs: u64,
    pub sync_errors: u64,
    pub retries: u64,
}

/// Every product on the phone, page by page.
pub fn all_products(p: &Phone) -> Vec<Product> {
    products_of(&p.pasar)
}

/// One round of sync through the faults: its report's figures go to the totals, an
/// error (out of retries mid-round) is counted and the next round goes on.
pub fn sync_once(p: &Phone, totals: &Mutex<Totals>) {
    let result = p.sync.sync_blocking(Duration::from_secs(20));
    let mut t = totals.lock().expect("totals");
    t.syncs += 1;
    match result {
        Ok(report) => t.retries += report.retries,
        Err(_) => t.sync_errors += 1,
    }
}

/// Syncs until nothing is queued and a round completes.
pub fn settle(p: &Phone) {
    let mut last = None;
    for _ in 0..10 {
        match p.sync.sync_blocking(Duration::from_secs(30)) {
            Ok(report) if report.complete && report.pending == 0 => return,
            other => last = Some(format!("{other:?}")),
        }
    }
    panic!("{} never settled: {last:?}", p.account);
}

pub fn seller_work(
    p: &Phone,
    group: &str,
    quota: u64,
    rng: &mut Rng,
    tag: &str,
    totals: &Mutex<Totals>,
) -> SellerLog {
    let mut log = SellerLog::default();
    let mut ids: Vec<String> = Vec::new();
    for n in 0..quota {
        if ids.is_empty() || rng.below(3) == 0 {
            let mut product = NewProduct::new(&p.account, &format!("Kue {tag}-{n}"), "15rb");
            product.stock = Stock::Limited(STOCK);
            product.group_ids = vec![group.to_owned()];
            product.description = "baru".into();
            let made = p
                .pasar
                .catalog()
                .create_product_blocking(product)
                .expect("product");
            log.descriptions.insert(made.id.clone(), "baru".into());
            ids.push(made.id);
        } else {
            let id = &ids[rng.below(ids.len() as u64) as usize];
            let description = format!("edit {tag}-{n}");
            p.pasar
                .catalog()
                .update_product_blocking(
                    id,
                    ProductPatch {
                        description: Some(description.clone()),
                        ..Default::default()
                    },
                )
                .expect("edit");
            log.descriptions.insert(id.clone(), description);
        }
        totals.lock().expect("totals").mutations += 1;
        if rng.below(8) == 0 {
            sync_once(p, totals);
        }
    }
    log
}

pub fn buyer_work(
    p: &Phone,
    seller: &str,
    quota: u64,
    rng: &mut Rng,
    totals: &Mutex<Totals>,
) -> BuyerLog {
    let mut log = BuyerLog::default();
    let mut open: Vec<String> = Vec::new();
    let mut n = 0;
    while n < quota {
        let products = p
            .pasar
            .catalog()
            .list_products_blocking(&PageRequest::first(200))
            .expect("list")
            .items;
        if products.is_empty() {
            // Nothing pulled yet: the catalog comes with the next sync.
            sync_once(p, totals);
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        if !open.is_empty() && rng.below(4) == 0 {
            let id = open.swap_remove(rng.below(open.len() as u64) as usize);
            p.pasar
                .orders()
                .act_blocking(
                    &id,
                    &p.account,
                    OrderAction::Cancel {
                        reason: "salah pesan".into(),
                    },
                )
                .expect("cancel");
            log.cancelled.push(id);
        } else {
            let product = &products[rng.below(products.len() as u64) as usize];
            let placed = order(p, seller, &product.id, 1);
            log.placed.push((placed.id.clone(), product.id.clone()));
            open.push(placed.id);
        }
        n += 1;
        totals.lock().expect("totals").mutations += 1;
        if rng.below(6) == 0 {
            sync_once(p, totals);
        }
    }
    log
}

/// The seller's market: a group with `buyers` (numbers) in it and her JNE rate, synced.
/// Returns the group's id.
pub fn market(seller: &Phone, buyers: &[&str]) -> String {
    let group = market_of(seller, buyers);
    jne_rate(seller);
    settle(seller);
    group.id
}

/// Two seller phones and the buyers' phones work at once, `mutations` changes in all.
pub fn work(
    seed: u64,
    mutations: u64,
    sellers: [&Phone; 2],
    group: &str,
    buyers: &[Phone],
) -> (Vec<SellerLog>, Vec<BuyerLog>, Totals) {
    let totals = Mutex::new(Totals::default());
    let per_seller = mutations * 3 / 10;
    let per_buyer = (mutations - 2 * per_seller) / buyers.len() as u64;
    let (seller_logs, buyer_logs) = std::thread::scope(|s| {
        let totals = &totals;

        let seller_id = sellers[0].account.as_str();
        let sellers: Vec<_> = [(sellers[0], "a"), (sellers[1], "b")]
            .into_iter()
            .enumerate()
            .map(|(i, (p, tag))| {
                s.spawn(move || {
                    let mut rng = Rng::new(seed ^ (i as u64 + 1));
                    seller_work(p, group, per_seller, &mut rng, tag, totals)
                })
            })
            .collect();
        let shoppers: Vec<_> = buyers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                s.spawn(move || {
                    let mut rng = Rng::new(seed ^ (i as u64 + 100));
                    buyer_work(p, seller_id, per_buyer, &mut rng, totals)
                })
            })
            .collect();
        (
            sellers
                .into_iter()
                .map(|h| h.join().expect("seller"))
                .collect::<Vec<_>>(),
            shoppers
                .into_iter()
                .map(|h| h.join().expect("buyer"))
                .collect::<Vec<_>>(),
        )
    });

    (
        seller_logs,
        buyer_logs,
        totals.into_inner().expect("totals"),
    )
}

/// What the checks counted.
pub struct Checked {
    pub products: usize,
    pub orders: usize,
    pub cancels: usize,
}

/// Checks the server's truth (`truth`: a phone of the seller that pulled everything
/// from nothing) against what the phones did, and every phone against the truth.
pub fn check(
    truth: &Phone,
    seller_logs: &[SellerLog],
    buyers: &[Phone],
    buyer_logs: &[BuyerLog],
    sellers: [&Phone; 2],
    everyone: &[&Phone],
) -> Checked {
    let products = all_products(truth);
    let expected: BTreeMap<&String, &String> =
        seller_logs.iter().flat_map(|l| &l.descriptions).collect();
    let on_server: BTreeMap<&String, &String> =
        products.iter().map(|p| (&p.id, &p.description)).collect();
    let lost = expected
        .keys()
        .filter(|id| !on_server.contains_key(*id))
        .count();
    assert_eq!(lost, 0, "products made on a phone missing on the server");
    assert_eq!(
        products.len(),
        expected.len(),
        "no product twice, none unknown"
    );
    assert_eq!(on_server, expected, "every product carries its last edit");

    // Every order once; each took one unit, and gave it back if cancelled.
    let mut taken: HashMap<&str, i64> = HashMap::new();
    let mut orders = 0;
    let mut cancels = 0;
    for (log, buyer) in buyer_logs.iter().zip(buyers) {
        assert!(
            buyer
                .sync
                .rejections_blocking()
                .expect("rejections")
                .is_empty(),
            "a change was refused"
        );
        for (id, product) in &log.placed {
            orders += 1;
            let cancelled = log.cancelled.contains(id);
            cancels += usize::from(cancelled);
            let mine = buyer.pasar.orders().get_blocking(id).expect("her order");
            let theirs = truth
                .pasar
                .orders()
                .get_blocking(id)
                .expect("on the server");
            let want = if cancelled {
                OrderStatus::Cancelled
            } else {
                OrderStatus::Processing
            };
            assert_eq!((mine.status, theirs.status), (want, want), "order {id}");
            let history = truth.pasar.orders().history_blocking(id).expect("history");
            assert_eq!(
                history.len(),
                1 + usize::from(cancelled),
                "each move once: {history:?}"
            );
            if !cancelled {
                *taken.entry(product.as_str()).or_default() += 1;
            }
        }
    }
    for p in &products {
        let want = STOCK - taken.get(p.id.as_str()).copied().unwrap_or(0);
        assert_eq!(p.stock, Stock::Limited(want), "{}", p.name);
    }
    for p in sellers {
        assert!(p.sync.rejections_blocking().expect("rejections").is_empty());
    }

    // Every phone's copy equals the server's.
    let view = |p: &Phone| {
        all_products(p)
            .into_iter()
            .map(|p| (p.id, p.name, p.description, p.stock, p.price))
            .collect::<Vec<_>>()
    };
    let server_view = view(truth);
    for p in everyone {
        assert_eq!(view(p), server_view, "{}'s phone differs", p.account);
    }

    Checked {
        products: products.len(),
        orders,
        cancels,
    }
}
