//! What the end-to-end tests share: an in-process server on SQLite or in a fresh
//! PostgreSQL schema, and phones (a core with its own store, signed in to it).

// Each test crate compiles this file and uses part of it.
#![allow(dead_code)]

/// A scenario as two tests, `NAME::sqlite` and `NAME::postgres` (the latter skipped
/// loudly without a test PostgreSQL; CI requires one). The test file gives
/// `sqlite_server()` and `postgres_server()`.
#[macro_export]
macro_rules! on_both_databases {
    ($scenario:ident as $name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$scenario(&super::sqlite_server());
            }

            #[test]
            fn postgres() {
                if let Some(server) = super::postgres_server() {
                    super::$scenario(&server);
                }
            }
        }
    };
}

/// One whole sync round of `p`, which must finish and read everything it pulled.
pub fn sync(p: &Phone) -> pasar_core::sync::SyncReport {
    let report = p.sync.sync_blocking(Duration::from_secs(30)).expect("sync");
    assert!(report.complete, "{report:?}");
    assert_eq!(report.unreadable, 0, "{report:?}");
    report
}

use pasar_core::Pasar;
use pasar_core::account::NewAccount;
use pasar_core::group::Role as GroupRole;
use pasar_core::money::Rupiah;
use pasar_core::order::address::Address;
use pasar_core::order::ongkir::{Courier, Rate, Shipping};
use pasar_core::order::payment::PaymentMethod;
use pasar_core::order::{CheckoutRequest, SellerChoice};
use pasar_core::sync::http::ReqwestClient;
use pasar_core::sync::{Backoff, HttpClient, MemoryTokens, SyncClient, SyncConfig};
use pasar_server::{AppState, Database, RecordingSender, Store};
use std::sync::Arc;
use std::time::Duration;

/// A server on a loopback port, in its own runtime, stopped when dropped.
pub struct Server {
    pub url: String,
    pub codes: Arc<RecordingSender>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Serves `database` with the default state changed by `adjust` (push gateways).
    pub fn start(
        database: Database,
        dir: Option<tempfile::TempDir>,
        adjust: impl FnOnce(&mut AppState) + Send + 'static,
    ) -> Server {
        let codes = Arc::new(RecordingSender::default());
        let sender = Arc::clone(&codes);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let store = Store::open(&database).await.expect("store");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                let mut state = AppState::new(store, sender);
                adjust(&mut state);
                ready_tx.send(addr).expect("ready");
                pasar_server::serve_state(listener, state, async {
                    let _ = stopped.await;
                })
                .await
                .expect("serve");
            });
        });
        let addr = ready_rx.recv().expect("server started");
        Server {
            url: format!("http://{addr}"),
            codes,
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// The same server reached at `url` (a proxy in front of it): its sign-in codes,
    /// nothing to stop.
    pub fn via(&self, url: &str) -> Server {
        Server {
            url: url.to_owned(),
            codes: Arc::clone(&self.codes),
            stop: None,
            thread: None,
            _dir: None,
        }
    }

    /// On an SQLite file of its own.
    pub fn sqlite(adjust: impl FnOnce(&mut AppState) + Send + 'static) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::Sqlite(dir.path().join("server.sqlite3"));
        Server::start(db, Some(dir), adjust)
    }

    /// In a fresh schema (`prefix_<id>`) on the test PostgreSQL, or `None` (skipped
    /// loudly; see [`postgres_schema_url`]).
    pub fn postgres(
        prefix: &str,
        adjust: impl FnOnce(&mut AppState) + Send + 'static,
    ) -> Option<Server> {
        let url = postgres_schema_url(prefix)?;
        Some(Server::start(Database::Postgres(url), None, adjust))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A phone: its own store and its own sync client.
pub struct Phone {
    pub dir: tempfile::TempDir,
    pub pasar: Pasar,
    pub sync: SyncClient,
    pub account: String,
    pub tokens: Arc<MemoryTokens>,
}

/// Quick retries, for tests.
pub const FAST_RETRIES: Backoff = Backoff {
    initial: Duration::from_millis(5),
    max: Duration::from_millis(50),
};

/// A phone signed in at `url` as `number`, over `http`, with the code `code_of` finds
/// for the number once the server sent it; retries come fast.
pub fn sign_in(
    url: &str,
    number: &str,
    name: &str,
    http: Arc<dyn HttpClient>,
    code_of: impl Fn(&str) -> String,
) -> Phone {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let tokens = Arc::new(MemoryTokens::default());
    let sync = pasar.sync(SyncConfig {
        server_url: url.to_owned(),
        http,
        tokens: tokens.clone(),
        backoff: FAST_RETRIES,
    });
    sync.request_code_blocking(number).expect("code");
    let code = code_of(number);
    let account = sync
        .sign_in_blocking(number, &code, Some(name))
        .expect("sign in");
    Phone {
        dir,
        pasar,
        sync,
        account,
        tokens,
    }
}

/// A phone signed in to `server` as `number`, over `http`; retries come fast.
pub fn phone_with(server: &Server, number: &str, name: &str, http: Arc<dyn HttpClient>) -> Phone {
    sign_in(&server.url, number, name, http, |n| {
        server.codes.last_code(n).expect("code sent")
    })
}

/// A phone over reqwest.
pub fn phone(server: &Server, number: &str, name: &str) -> Phone {
    phone_with(
        server,
        number,
        name,
        Arc::new(ReqwestClient::new().expect("client")),
    )
}

/// A database URL for a fresh schema (named `prefix_<id>`) on the test PostgreSQL of
/// `PASAR_TEST_POSTGRES_URL`, or `None` — skipped loudly, and a failure when
/// `PASAR_REQUIRE_POSTGRES=1` (as `tests/run` sets it).
pub fn postgres_schema_url(prefix: &str) -> Option<String> {
    let Ok(admin) = std::env::var("PASAR_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("PASAR_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PASAR_REQUIRE_POSTGRES=1 but PASAR_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED on PostgreSQL: PASAR_TEST_POSTGRES_URL is not set");
        return None;
    };
    let schema = format!("{prefix}_{}", pasar_core::id::new_id().replace('-', ""));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("schema");
    });
    let sep = if admin.contains('?') { '&' } else { '?' };
    Some(format!("{admin}{sep}options=-c%20search_path%3D{schema}"))
}

pub fn address() -> Address {
    Address {
        recipient: "Ibu Sari".into(),
        phone: "0812-3333-4444".into(),
        street: "Jl. Melati No. 5 RT 03/RW 05".into(),
        kelurahan: "Pucang".into(),
        kecamatan: "Sidoarjo".into(),
        kabupaten: "Kab. Sidoarjo".into(),
        provinsi: "Jawa Timur".into(),
        kode_pos: "61219".into(),
        notes: String::new(),
    }
}

/// The buyer puts `units` of `product` in the cart and checks out COD by JNE, with the
/// ongkir and discounts her phone pulled from the seller's terms.
pub fn order(p: &Phone, seller: &str, product: &str, units: i64) -> pasar_core::order::Order {
    checkout_one(
        p.pasar.cart(),
        p.pasar.orders(),
        &p.account,
        seller,
        product,
        units,
    )
}

/// [`order`] through the cart and orders of a store however it was opened.
pub fn checkout_one(
    cart: &pasar_core::cart::Cart,
    orders: &pasar_core::order::Orders,
    buyer: &str,
    seller: &str,
    product: &str,
    units: i64,
) -> pasar_core::order::Order {
    cart.add_blocking(product, None, units * 1000, "")
        .expect("cart");
    let mut placed = orders
        .checkout_blocking(CheckoutRequest {
            checkout_id: pasar_core::id::new_id(),
            buyer_id: buyer.to_owned(),
            address: Some(address()),
            sellers: vec![SellerChoice {
                seller_id: seller.to_owned(),
                shipping: Some(Shipping {
                    courier: Courier::Jne,
                    service: "REG".into(),
                }),
                payment: PaymentMethod::Cod,
                note: String::new(),
            }],
        })
        .expect("checkout");
    assert_eq!(placed.len(), 1, "one seller, one order");
    placed.remove(0)
}

/// The seller's market group with Ibu Sari (the buyer) in it, made on the seller's
/// phone (offline: nothing is sent until a sync); and a runtime for the async calls.
pub fn market_with_sari(seller: &Phone) -> (pasar_core::group::Group, tokio::runtime::Runtime) {
    let group = seller
        .pasar
        .groups()
        .create_blocking("Pasar Warga Melati", &seller.account)
        .expect("group");
    let sari = seller
        .pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: "Ibu Sari".into(),
            phone: Some("0812-3333-4444".into()),
        })
        .expect("buyer contact");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    rt.block_on(
        seller
            .pasar
            .groups()
            .add_member(group.id.clone(), sari.id, GroupRole::Member),
    )
    .expect("member");
    (group, rt)
}

/// The seller's JNE REG rate to anywhere: Rp10.000 the first kilo, Rp8.000 each next.
pub fn jne_rate(seller: &Phone) {
    jne_rate_in(&seller.pasar, &seller.account);
}

/// [`jne_rate`] on a store however it was opened.
pub fn jne_rate_in(pasar: &Pasar, seller_id: &str) {
    pasar
        .orders()
        .set_rate_blocking(
            seller_id,
            Rate {
                courier: Courier::Jne,
                service: "REG".into(),
                destination: "*".into(),
                first_kg: Rupiah::new(10_000),
                next_kg: Rupiah::new(8_000),
            },
        )
        .expect("rate");
}

/// A market group made on the seller's phone with the `buyers` (numbers) as members,
/// named "Pembeli 0", "Pembeli 1"… (offline: nothing is sent until a sync).
pub fn market_of(seller: &Phone, buyers: &[&str]) -> pasar_core::group::Group {
    let group = seller
        .pasar
        .groups()
        .create_blocking("Pasar Warga Melati", &seller.account)
        .expect("group");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    for (i, number) in buyers.iter().enumerate() {
        let contact = seller
            .pasar
            .accounts()
            .save_blocking(NewAccount {
                id: None,
                name: format!("Pembeli {i}"),
                phone: Some((*number).into()),
            })
            .expect("contact");
        rt.block_on(seller.pasar.groups().add_member(
            group.id.clone(),
            contact.id,
            GroupRole::Member,
        ))
        .expect("member");
    }
    group
}

/// Every product on a phone, page by page.
pub fn products_of(pasar: &Pasar) -> Vec<pasar_core::catalog::Product> {
    let mut out = Vec::new();
    let mut request = pasar_core::catalog::PageRequest::first(200);
    loop {
        let page = pasar
            .catalog()
            .list_products_blocking(&request)
            .expect("list");
        out.extend(page.items);
        match page.next_cursor {
            Some(after) => request.after = Some(after),
            None => return out,
        }
    }
}
