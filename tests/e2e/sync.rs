//! Two phones and a real server over real HTTP: a seller lists products offline and
//! syncs, a buyer pulls them, orders, the seller ships, the buyer sees "Dikirim".
//! Exactly once through lost answers; the last units go to one buyer only; a refused
//! order comes back to the screen that made it. Run on SQLite and on PostgreSQL
//! (`PASAR_TEST_POSTGRES_URL`, see tests/postgres.sh; required when
//! `PASAR_REQUIRE_POSTGRES=1`, as in CI).

#[macro_use]
mod support;

use support::{Phone, Server, jne_rate, market_with_sari, order, phone, phone_with, sync};

use pasar_core::ErrorKind;
use pasar_core::account::NewAccount;
use pasar_core::catalog::{NewProduct, SearchRequest, Stock};
use pasar_core::group::Role as GroupRole;
use pasar_core::money::Rupiah;
use pasar_core::order::ongkir::{Courier, Rate};
use pasar_core::order::{OrderAction, OrderStatus};
use pasar_core::sync::http::ReqwestClient;
use pasar_core::sync::{HttpClient, HttpRequest, HttpResponse, TransportError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const SELLER: &str = "+6281311112222";
const BUYER: &str = "+6281233334444";
const BUYER2: &str = "+6285755556666";

fn sqlite_server() -> Server {
    Server::sqlite(|_| {})
}

fn postgres_server() -> Option<Server> {
    Server::postgres("sync", |_| {})
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The camera photo of the fixtures, prepared and queued on `p` as a listing photo.
fn camera_photo(p: &Phone) -> pasar_core::catalog::PhotoRef {
    let camera = std::fs::read(fixture("phone-gps.jpg")).expect("fixture");
    p.pasar
        .catalog()
        .add_photo_blocking(&camera)
        .expect("photo")
}

/// A plain GET, as an app's image loader makes it (no token).
/// A product `name` at `price` showing `photo`, listed on `p`.
fn listed_with_photo(
    p: &Phone,
    name: &str,
    price: &str,
    photo: &pasar_core::catalog::PhotoRef,
) -> pasar_core::catalog::Product {
    let mut new = NewProduct::new(&p.account, name, price);
    new.photos = vec![photo.hash.clone()];
    p.pasar
        .catalog()
        .create_product_blocking(new)
        .expect("product")
}

fn get(url: String) -> HttpResponse {
    ReqwestClient::new()
        .expect("client")
        .send(HttpRequest {
            method: "GET".into(),
            url,
            headers: vec![],
            body: vec![],
        })
        .expect("answer")
}

fn the_journey(server: &Server) {
    // The seller lists products and makes a market group while offline: nothing is
    // sent until the sync below.
    let seller = phone(server, SELLER, "Dapur Bu Rina");
    let (group, rt) = market_with_sari(&seller);
    // A photo from the camera: prepared on the phone (upright, resized, GPS gone) and
    // queued; it goes up with the first sync, before the product that shows it.
    let photo = camera_photo(&seller);
    // Her shop terms: ongkir by JNE anywhere, Rp5.000 off from Rp100.000 of goods.
    jne_rate(&seller);
    seller
        .pasar
        .orders()
        .set_discount_blocking(&seller.account, Rupiah::new(100_000), Rupiah::new(5_000))
        .expect("discount");
    let mut donat = NewProduct::new(&seller.account, "Donat kentang coklat", "25rb");
    donat.photos = vec![photo.hash.clone()];
    donat.unit = "box".into();
    donat.stock = Stock::Limited(5);
    donat.weight_grams = 600;
    donat.group_ids = vec![group.id.clone()];
    donat.description = "Isi 6, topping coklat meses, dibuat pagi hari".into();
    let donat = seller
        .pasar
        .catalog()
        .create_product_blocking(donat)
        .expect("donat");
    let mut bolu = NewProduct::new(&seller.account, "Bolu pandan", "40.000");
    bolu.group_ids = vec![group.id.clone()];
    let bolu = seller
        .pasar
        .catalog()
        .create_product_blocking(bolu)
        .expect("bolu");
    assert!(seller.sync.pending_blocking().expect("pending") >= 5);

    let first = sync(&seller);
    assert_eq!(
        first.rejected,
        0,
        "{first:?} {:?}",
        seller.sync.rejections_blocking()
    );
    assert!(first.pushed >= 5, "{first:?}");
    assert_eq!(first.pending, 0);
    assert_eq!(
        (first.photos_uploaded, first.photos_refused),
        (1, 0),
        "{first:?}"
    );
    let photo_file = std::fs::read(seller.pasar.catalog().photo_path(&photo, false)).expect("file");
    assert!(
        first.bytes_sent > photo_file.len() as u64,
        "the photo went up: {first:?}"
    );
    // Nothing goes up twice: the next round sends no photo.
    let again = sync(&seller);
    assert_eq!(again.photos_uploaded, 0, "{again:?}");
    assert!(again.bytes_sent < 2_000, "{again:?}");

    // The buyer signs in and pulls the group's catalog: searchable offline, typo and all.
    let buyer = phone(server, BUYER, "Ibu Sari");
    let pulled = sync(&buyer);
    assert!(pulled.pulled >= 3, "{pulled:?}");
    let found = buyer
        .pasar
        .catalog()
        .search_blocking(&SearchRequest {
            query: "donut coklat".into(),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(
        found.items.first().map(|p| p.id.as_str()),
        Some(donat.id.as_str())
    );
    let copy = buyer
        .pasar
        .catalog()
        .get_product_blocking(&bolu.id)
        .expect("bolu on the buyer's phone");
    assert_eq!(copy.price, Rupiah::new(40_000));
    // The donut's photo: named in the listing, fetched by the app's image loader from
    // the server, byte for byte what the seller's phone made, thumbnail too.
    let listed = buyer
        .pasar
        .catalog()
        .get_product_blocking(&donat.id)
        .expect("donat on the buyer's phone");
    assert_eq!(listed.photos.len(), 1);
    assert_eq!(listed.photos[0].hash, photo.hash);
    assert_eq!(listed.photos[0].blurhash, photo.blurhash);
    for thumbnail in [false, true] {
        let got = get(buyer.sync.photo_url(&photo.hash, thumbnail));
        assert_eq!(got.status, 200, "thumbnail {thumbnail}");
        assert_eq!(got.header("content-type"), Some("image/jpeg"));
        let made = std::fs::read(seller.pasar.catalog().photo_path(&photo, thumbnail))
            .expect("seller's file");
        assert_eq!(got.body, made, "thumbnail {thumbnail}");
    }
    let groups = rt.block_on(buyer.pasar.groups().list()).expect("groups");
    assert!(
        groups
            .iter()
            .any(|g| g.name == "Pasar Warga Melati" && g.members.len() == 2),
        "{groups:?}"
    );

    // The buyer orders 2 of the 5 donuts, COD by JNE. The server takes the stock.
    let placed = order(&buyer, &seller.account, &donat.id, 2);
    // Quoted on her phone from the seller's synced terms: 1.2 kg by JNE, no discount
    // below Rp100.000.
    assert_eq!(placed.ongkir, Rupiah::new(18_000), "{placed:?}");
    assert_eq!(placed.discount, Rupiah::ZERO);
    let report = sync(&buyer);
    assert_eq!((report.pushed, report.rejected), (1, 0), "{report:?}");
    let donat_now = buyer
        .pasar
        .catalog()
        .get_product_blocking(&donat.id)
        .expect("donat");
    assert_eq!(donat_now.stock, Stock::Limited(3));

    // The seller sees the order, and ships it.
    sync(&seller);
    let incoming = seller
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("the order reached the seller");
    assert_eq!(incoming.status, OrderStatus::Processing);
    assert_eq!(incoming.total, placed.total);
    seller
        .pasar
        .orders()
        .act_blocking(
            &placed.id,
            &seller.account,
            OrderAction::Ship {
                courier: "JNE".into(),
                resi: "JNE0123456789".into(),
            },
        )
        .expect("ship");
    let report = sync(&seller);
    assert_eq!(
        (report.pushed, report.rejected),
        (1, 0),
        "{report:?} {:?}",
        seller.sync.rejections_blocking()
    );

    // The buyer sees it shipped: "Dikirim", with the resi.
    let report = sync(&buyer);
    assert!(report.pulled >= 1, "{report:?}");
    let shipped = buyer
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(shipped.status, OrderStatus::Shipped);
    assert_eq!(shipped.status.label().id, "Dikirim");
    assert_eq!(shipped.resi.as_deref(), Some("JNE0123456789"));
    let history = buyer
        .pasar
        .orders()
        .history_blocking(&placed.id)
        .expect("history");
    assert_eq!(
        history
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["place", "ship"]
    );

    // A second buyer, not in the group yet, sees nothing of it.
    let late = phone(server, BUYER2, "Pak Budi");
    assert_eq!(sync(&late).pulled, 0);
    // The admin adds them; their phone then pulls the group's catalog from the start.
    let contact = seller
        .pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: "Pak Budi".into(),
            phone: Some(BUYER2.into()),
        })
        .expect("contact");
    rt.block_on(
        seller
            .pasar
            .groups()
            .add_member(group.id.clone(), contact.id, GroupRole::Member),
    )
    .expect("member");
    sync(&seller);
    assert!(sync(&late).pulled >= 3);

    // They want 4 of the 3 left. Their phone's copy says 3 too, so cheat it up to 9 as
    // a stale copy would: the server is the authority and refuses the order.
    late.pasar
        .catalog()
        .update_product_blocking(
            &donat.id,
            pasar_core::catalog::ProductPatch {
                stock: Some(Stock::Limited(9)),
                ..Default::default()
            },
        )
        .expect("stale copy");
    let refused = Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = Arc::clone(&refused);
    let _listening = late
        .sync
        .observe_rejections(move |r| heard.lock().expect("lock").push(r.clone()));
    let doomed = order(&late, &seller.account, &donat.id, 4);
    let report = sync(&late);
    assert_eq!((report.pushed, report.rejected), (1, 1), "{report:?}");
    let heard = refused.lock().expect("lock").clone();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].error.kind, ErrorKind::OutOfStock);
    assert_eq!(heard[0].entity, format!("order:{}", doomed.id));
    assert!(heard[0].error.message.id.contains("Stok"), "{heard:?}");
    let cancelled = late.pasar.orders().get_blocking(&doomed.id).expect("order");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(
        late.sync.rejections_blocking().expect("rejections").len(),
        1
    );
    // The stock on the server did not move: the seller still has 3.
    sync(&seller);
    assert_eq!(
        seller
            .pasar
            .catalog()
            .get_product_blocking(&donat.id)
            .expect("donat")
            .stock,
        Stock::Limited(3)
    );

    // The seller raises her JNE ongkir; Pak Budi's phone has not heard yet and checks
    // out at the old rate. The server holds her terms: refused as a changed price is,
    // and the order placed again after the pull that came with it goes through.
    seller
        .pasar
        .orders()
        .set_rate_blocking(
            &seller.account,
            Rate {
                courier: Courier::Jne,
                service: "REG".into(),
                destination: "*".into(),
                first_kg: Rupiah::new(12_000),
                next_kg: Rupiah::new(9_000),
            },
        )
        .expect("new rate");
    sync(&seller);
    let stale = order(&late, &seller.account, &donat.id, 1);
    assert_eq!(stale.ongkir, Rupiah::new(10_000));
    let report = sync(&late);
    assert_eq!((report.pushed, report.rejected), (1, 1), "{report:?}");
    let heard = refused.lock().expect("lock").clone();
    assert_eq!(heard.len(), 2);
    assert_eq!(heard[1].error.kind, ErrorKind::Conflict);
    assert!(heard[1].error.message.id.contains("Ongkir"), "{heard:?}");
    assert_eq!(
        late.pasar
            .orders()
            .get_blocking(&stale.id)
            .expect("order")
            .status,
        OrderStatus::Cancelled
    );
    let again = order(&late, &seller.account, &donat.id, 1);
    assert_eq!(again.ongkir, Rupiah::new(12_000));
    let report = sync(&late);
    assert_eq!((report.pushed, report.rejected), (1, 0), "{report:?}");
}

on_both_databases!(the_journey as two_phones_and_a_server);

/// Loses the answer of every other request after the server handled it: the phone
/// sees a network error and sends the same batch again.
struct LosesAnswers {
    inner: ReqwestClient,
    calls: AtomicUsize,
}

impl HttpClient for LosesAnswers {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let lossy = request.url.contains("/v1/sync/") || request.url.contains("/v1/photos/");
        let response = self.inner.send(request)?;
        if lossy && n % 2 == 1 {
            return Err(TransportError("connection reset after the request".into()));
        }
        Ok(response)
    }
}

fn exactly_once(server: &Server) {
    let flaky = Arc::new(LosesAnswers {
        inner: ReqwestClient::new().expect("client"),
        calls: AtomicUsize::new(0),
    });
    let seller = phone_with(server, SELLER, "Dapur Bu Rina", flaky.clone());
    let photo = camera_photo(&seller);
    let mut ids = Vec::new();
    for i in 0..30 {
        let mut p = NewProduct::new(&seller.account, &format!("Kue lapis {i}"), "15rb");
        if i < 3 {
            p.photos = vec![photo.hash.clone()];
        }
        p.stock = Stock::Limited(10);
        ids.push(
            seller
                .pasar
                .catalog()
                .create_product_blocking(p)
                .expect("product")
                .id,
        );
    }
    // Every edit is its own mutation; each must land once.
    for id in &ids[..10] {
        seller
            .pasar
            .catalog()
            .update_product_blocking(
                id,
                pasar_core::catalog::ProductPatch {
                    stock: Some(Stock::Limited(7)),
                    ..Default::default()
                },
            )
            .expect("edit");
    }
    let report = seller
        .sync
        .sync_blocking(Duration::from_secs(60))
        .expect("sync");
    assert!(report.complete, "{report:?}");
    assert!(report.retries > 0, "no answer was lost: {report:?}");
    assert_eq!(report.pending, 0);
    // One photo for three products: uploaded once, its lost answers notwithstanding.
    assert_eq!(
        (report.photos_uploaded, report.photos_refused),
        (1, 0),
        "{report:?}"
    );
    // A second phone of the same seller pulls exactly the 30 products, each once, at
    // the edited stock.
    let other = phone(server, SELLER, "Dapur Bu Rina");
    sync(&other);
    let page = other
        .pasar
        .catalog()
        .list_products_blocking(&pasar_core::catalog::PageRequest::first(100))
        .expect("list");
    assert_eq!(page.items.len(), 30);
    for p in &page.items {
        let edited = ids[..10].contains(&p.id);
        assert_eq!(
            p.stock,
            Stock::Limited(if edited { 7 } else { 10 }),
            "{}",
            p.name
        );
    }
    assert!(flaky.calls.load(Ordering::SeqCst) > 2);
    let _ = ErrorKind::Network;
}

on_both_databases!(exactly_once as lost_answers_apply_once);

/// One seller, two phones, both offline: one changes the price, the other the name and
/// the stock. After both sync, both phones hold all three edits; where both phones
/// changed the same field, the later edit wins.
fn two_phones_of_one_seller(server: &Server) {
    let a = phone(server, SELLER, "Dapur Bu Rina");
    let mut p = NewProduct::new(&a.account, "Bolu pandan", "40rb");
    p.stock = Stock::Limited(4);
    let bolu = a.pasar.catalog().create_product_blocking(p).expect("bolu");
    sync(&a);
    let b = phone(server, SELLER, "Dapur Bu Rina");
    sync(&b);
    let edit = |ph: &Phone, patch: pasar_core::catalog::ProductPatch| {
        ph.pasar
            .catalog()
            .update_product_blocking(&bolu.id, patch)
            .expect("edit")
    };
    // Offline on both phones.
    edit(
        &a,
        pasar_core::catalog::ProductPatch {
            price: Some(pasar_core::catalog::PriceInput::Idr(45_000)),
            description: Some("Pakai santan asli".into()),
            ..Default::default()
        },
    );
    std::thread::sleep(Duration::from_millis(5));
    edit(
        &b,
        pasar_core::catalog::ProductPatch {
            name: Some("Bolu pandan keju".into()),
            stock: Some(Stock::Limited(9)),
            description: Some("Lembut, pakai santan".into()),
            ..Default::default()
        },
    );
    // b's edits reach the server first, a's later: field by field, by edit time.
    sync(&b);
    sync(&a);
    sync(&b);
    for ph in [&a, &b] {
        let p = ph
            .pasar
            .catalog()
            .get_product_blocking(&bolu.id)
            .expect("bolu");
        assert_eq!(p.price, Rupiah::new(45_000), "a's price");
        assert_eq!(p.name, "Bolu pandan keju", "b's name");
        assert_eq!(p.stock, Stock::Limited(9), "b's stock");
        assert_eq!(
            p.description, "Lembut, pakai santan",
            "the later description"
        );
    }
}

on_both_databases!(two_phones_of_one_seller as a_sellers_two_phones_merge_field_by_field);

/// A photo file damaged on the phone (storage bit rot, a half-written file) no longer
/// matches its address: the server refuses it, the phone never sends it again, and the
/// product still reaches buyers (with its blurhash placeholder).
#[test]
fn a_damaged_photo_is_refused_once_and_its_product_still_syncs() {
    let server = sqlite_server();
    let seller = phone(&server, SELLER, "Dapur Bu Rina");
    let photo = camera_photo(&seller);
    let path = seller.pasar.catalog().photo_path(&photo, false);
    let mut bytes = std::fs::read(&path).expect("file");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&path, &bytes).expect("damage");
    let product = listed_with_photo(&seller, "Keripik tempe", "12rb", &photo);

    let first = sync(&seller);
    assert_eq!(
        (first.photos_uploaded, first.photos_refused),
        (0, 1),
        "{first:?}"
    );
    assert_eq!(first.pending, 0, "the product went up anyway: {first:?}");
    let second = sync(&seller);
    assert_eq!(
        (second.photos_uploaded, second.photos_refused),
        (0, 0),
        "{second:?}"
    );
    assert!(
        second.bytes_sent < 2_000,
        "the damaged file is not sent again: {second:?}"
    );
    let got = get(seller.sync.photo_url(&photo.hash, false));
    assert_eq!(got.status, 404, "nothing damaged is served");
    let other = phone(&server, SELLER, "Dapur Bu Rina");
    sync(&other);
    let copy = other
        .pasar
        .catalog()
        .get_product_blocking(&product.id)
        .expect("the product reached the other phone");
    assert_eq!(copy.photos[0].blurhash, photo.blurhash);
}

/// A change to a listing a buyer already has reaches her as the fields that changed:
/// a new price costs tens of bytes, not the description and photos again. An app that
/// speaks only protocol 1 still gets whole listings.
fn edits_travel_as_the_changed_fields(server: &Server) {
    let seller = phone(server, SELLER, "Dapur Bu Rina");
    let (group, _) = market_with_sari(&seller);
    let photo = camera_photo(&seller);
    let mut ids = Vec::new();
    for i in 0..10 {
        let mut p = NewProduct::new(&seller.account, &format!("Kue lapis legit {i}"), "85rb");
        p.description = format!(
            "Lapis legit {i} lapis, resep Belanda turun-temurun, mentega Wijsman, \
             tanpa pengawet. Tahan 2 minggu di suhu ruang, 1 bulan di kulkas. Pesan H-2."
        );
        p.stock = Stock::Limited(20);
        p.photos = vec![photo.hash.clone()];
        p.group_ids = vec![group.id.clone()];
        ids.push(
            seller
                .pasar
                .catalog()
                .create_product_blocking(p)
                .expect("product")
                .id,
        );
    }
    sync(&seller);
    let buyer = phone(server, BUYER, "Ibu Sari");
    let whole = sync(&buyer);
    assert!(whole.pulled >= 10, "{whole:?}");

    // The seller lowers one price and restocks another.
    let catalog = seller.pasar.catalog();
    catalog
        .update_product_blocking(
            &ids[3],
            pasar_core::catalog::ProductPatch {
                price: Some("79rb".into()),
                ..Default::default()
            },
        )
        .expect("price");
    catalog
        .update_product_blocking(
            &ids[7],
            pasar_core::catalog::ProductPatch {
                stock: Some(Stock::Limited(50)),
                ..Default::default()
            },
        )
        .expect("stock");
    sync(&seller);
    let patched = sync(&buyer);
    assert_eq!(patched.pulled, 2, "{patched:?}");
    assert!(
        patched.bytes_received < 1_200,
        "two changed fields, not two listings: {patched:?}"
    );
    let cheaper = buyer
        .pasar
        .catalog()
        .get_product_blocking(&ids[3])
        .expect("product");
    assert_eq!(cheaper.price, Rupiah::new(79_000));
    assert!(cheaper.description.contains("resep Belanda"), "kept");
    assert_eq!(cheaper.photos.len(), 1, "kept");
    assert_eq!(cheaper.stock, Stock::Limited(20), "kept");
    let restocked = buyer
        .pasar
        .catalog()
        .get_product_blocking(&ids[7])
        .expect("product");
    assert_eq!(restocked.stock, Stock::Limited(50));
    assert_eq!(restocked.price, Rupiah::new(85_000));

    // An app of protocol 1 asks from the same place and gets whole listings.
    let client = ReqwestClient::new().expect("client");
    let post = |path: &str, body: String| {
        client
            .send(HttpRequest {
                method: "POST".into(),
                url: format!("{}{path}", server.url),
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.into_bytes(),
            })
            .expect("answer")
    };
    post("/v1/auth/code", format!(r#"{{"phone":"{BUYER}"}}"#));
    let code = server.codes.last_code(BUYER).expect("code");
    let signed: serde_json::Value = serde_json::from_slice(
        &post(
            "/v1/auth/verify",
            format!(r#"{{"phone":"{BUYER}","code":"{code}"}}"#),
        )
        .body,
    )
    .expect("json");
    let token = signed["token"].as_str().expect("token");
    let pull = |protocol: &str, cursor: &str| -> serde_json::Value {
        let answer = client
            .send(HttpRequest {
                method: "GET".into(),
                url: format!("{}/v1/sync/pull?cursor={cursor}", server.url),
                headers: vec![
                    ("pasar-protocol".into(), protocol.into()),
                    ("authorization".into(), format!("Bearer {token}")),
                ],
                body: vec![],
            })
            .expect("pull");
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        serde_json::from_slice(&answer.body).expect("json")
    };
    let first = pull("2", "");
    let mid = first["cursor"].as_str().expect("cursor").to_owned();
    // Another price change after that cursor.
    catalog
        .update_product_blocking(
            &ids[3],
            pasar_core::catalog::ProductPatch {
                price: Some("75rb".into()),
                ..Default::default()
            },
        )
        .expect("price");
    sync(&seller);
    let new = pull("2", &mid);
    let change = &new["changes"][0];
    assert_eq!(change["product_patch"]["id"], ids[3].as_str(), "{new}");
    assert_eq!(
        change["product_patch"]["fields"]["price_idr"], 75_000,
        "{new}"
    );
    assert!(
        change["product_patch"]["fields"]
            .get("description")
            .is_none()
    );
    let old = pull("1", &mid);
    assert_eq!(old["changes"][0]["product"]["id"], ids[3].as_str(), "{old}");
    assert!(old["changes"][0]["product"]["description"].is_string());

    // Shop terms are the seller's own to set, and must make sense.
    let buyer_id = signed["account_id"].as_str().expect("account");
    let push = serde_json::json!({
        "device_id": "raw-client-1",
        "mutations": [
            {"id": 1, "at": 1, "op": {"put_terms": {"terms": {
                "seller_id": seller.account, "rates": [], "discounts": []}}}},
            {"id": 2, "at": 2, "op": {"put_terms": {"terms": {
                "seller_id": buyer_id, "rates": [{"courier": "kapal-terbang", "service": "X",
                "destination": "*", "first_kg_idr": 1, "next_kg_idr": 1}]}}}},
            {"id": 3, "at": 3, "op": {"put_terms": {"terms": {
                "seller_id": buyer_id, "discounts": [{"min_items_idr": 0, "amount_idr": -5}]}}}},
        ]
    });
    let answer = client
        .send(HttpRequest {
            method: "POST".into(),
            url: format!("{}/v1/sync/push", server.url),
            headers: vec![
                ("pasar-protocol".into(), "2".into()),
                ("authorization".into(), format!("Bearer {token}")),
                ("content-type".into(), "application/json".into()),
            ],
            body: push.to_string().into_bytes(),
        })
        .expect("push");
    assert_eq!(answer.status, 200);
    let results: serde_json::Value = serde_json::from_slice(&answer.body).expect("json");
    let kinds: Vec<&str> = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["rejected"]["kind"].as_str().unwrap_or("applied"))
        .collect();
    assert_eq!(kinds, ["not_allowed", "invalid", "invalid"], "{results}");
}

on_both_databases!(edits_travel_as_the_changed_fields as edits_travel_as_the_changed_fields);

/// A pull longer than one page: a product made long ago but changed after the pull's
/// first page was on no page before, so it comes whole to a new phone, and to a phone
/// that had it with every field changed since that phone's last pull (not only those
/// changed since the page before). Found by the fault campaign (`faults.rs`): a new
/// phone was sent a patch for a product it never had and pulled from the top for ever.
fn long_pulls_bring_moved_products_whole(server: &Server) {
    let seller = phone(server, SELLER, "Dapur Bu Rina");
    let make = |from: usize, to: usize| {
        (from..to)
            .map(|i| {
                seller
                    .pasar
                    .catalog()
                    .create_product_blocking(NewProduct::new(
                        &seller.account,
                        &format!("Kue {i}"),
                        "10rb",
                    ))
                    .expect("product")
                    .id
            })
            .collect::<Vec<_>>()
    };
    let first = make(0, 600);
    sync(&seller);
    let other = phone(server, SELLER, "Dapur Bu Rina");
    sync(&other);
    let edit = |patch: pasar_core::catalog::ProductPatch| {
        seller
            .pasar
            .catalog()
            .update_product_blocking(&first[0], patch)
            .expect("edit")
    };
    // The oldest product changes, then more than a page of news, then it changes again.
    edit(pasar_core::catalog::ProductPatch {
        description: Some("Isi 10, tanpa pengawet".into()),
        ..Default::default()
    });
    make(600, 1120);
    edit(pasar_core::catalog::ProductPatch {
        name: Some("Kue lapis legit".into()),
        ..Default::default()
    });
    sync(&seller);

    let report = sync(&other);
    assert_eq!(report.pulled, 521, "{report:?}");
    let kue = other
        .pasar
        .catalog()
        .get_product_blocking(&first[0])
        .expect("kue");
    assert_eq!(
        (kue.name.as_str(), kue.description.as_str()),
        ("Kue lapis legit", "Isi 10, tanpa pengawet")
    );

    let fresh = phone(server, SELLER, "Dapur Bu Rina");
    let report = sync(&fresh);
    assert_eq!(report.pulled, 1120, "each product once: {report:?}");
    assert_eq!(
        fresh
            .pasar
            .catalog()
            .get_product_blocking(&first[0])
            .expect("whole")
            .name,
        "Kue lapis legit"
    );
}

#[test]
fn long_pulls_bring_moved_products_whole_on_sqlite() {
    long_pulls_bring_moved_products_whole(&Server::sqlite(|s| {
        s.auth.per_number = (10, 60 * 60 * 1000)
    }));
}

#[test]
fn long_pulls_bring_moved_products_whole_on_postgres() {
    if let Some(server) = Server::postgres("sync", |s| s.auth.per_number = (10, 60 * 60 * 1000)) {
        long_pulls_bring_moved_products_whole(&server);
    }
}

/// A seller who joins a market brings her shop terms to its members: set long before
/// she joined, they are older than every member's cursor, yet a buyer's phone needs
/// them to quote her ongkir offline.
fn a_new_sellers_terms_reach_the_members(server: &Server) {
    let admin = phone(server, SELLER, "Dapur Bu Rina");
    let (group, rt) = market_with_sari(&admin);
    sync(&admin);
    let newcomer = phone(server, BUYER2, "Toko Pak Budi");
    newcomer
        .pasar
        .orders()
        .set_rate_blocking(
            &newcomer.account,
            Rate {
                courier: Courier::Jne,
                service: "REG".into(),
                destination: "*".into(),
                first_kg: Rupiah::new(12_000),
                next_kg: Rupiah::new(9_000),
            },
        )
        .expect("rate");
    sync(&newcomer);
    let buyer = phone(server, BUYER, "Ibu Sari");
    sync(&buyer);

    let contact = admin
        .pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: "Toko Pak Budi".into(),
            phone: Some(BUYER2.into()),
        })
        .expect("contact");
    rt.block_on(
        admin
            .pasar
            .groups()
            .add_member(group.id.clone(), contact.id, GroupRole::Member),
    )
    .expect("member");
    sync(&admin);
    sync(&newcomer);
    let mut keripik = NewProduct::new(&newcomer.account, "Keripik tempe", "12rb");
    keripik.group_ids = vec![group.id.clone()];
    keripik.weight_grams = 250;
    let keripik = newcomer
        .pasar
        .catalog()
        .create_product_blocking(keripik)
        .expect("product");
    sync(&newcomer);

    sync(&buyer);
    let placed = order(&buyer, &newcomer.account, &keripik.id, 1);
    assert_eq!(placed.ongkir, Rupiah::new(12_000), "quoted from her terms");
    let report = sync(&buyer);
    assert_eq!((report.pushed, report.rejected), (1, 0), "{report:?}");
}

on_both_databases!(a_new_sellers_terms_reach_the_members as a_new_sellers_terms_reach_the_members);

/// The seller lists `name` at `price` in `group`.
fn listed(seller: &Phone, group: &str, name: &str, price: &str) -> pasar_core::catalog::Product {
    let mut p = NewProduct::new(&seller.account, name, price);
    p.group_ids = vec![group.to_owned()];
    seller
        .pasar
        .catalog()
        .create_product_blocking(p)
        .expect(name)
}

/// What a phone may no longer see leaves it: a product taken out of the market, then
/// (the admin removes the buyer) the market itself, its catalog and its sellers' terms.
/// Her own order stays hers.
fn what_is_no_longer_visible_leaves_the_phone(server: &Server) {
    let admin = phone(server, SELLER, "Dapur Bu Rina");
    let (group, rt) = market_with_sari(&admin);
    jne_rate(&admin);
    let donat = listed(&admin, &group.id, "Donat kentang", "25rb");
    let bolu = listed(&admin, &group.id, "Bolu pandan", "40rb");
    sync(&admin);
    let buyer = phone(server, BUYER, "Ibu Sari");
    sync(&buyer);
    let visible = |p: &Phone| {
        p.pasar
            .catalog()
            .list_products_blocking(&pasar_core::catalog::PageRequest::first(50))
            .expect("list")
            .items
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(visible(&buyer), ["Bolu pandan", "Donat kentang"]);
    let placed = order(&buyer, &admin.account, &donat.id, 1);
    sync(&buyer);

    // The seller takes the bolu out of the market: it leaves the buyer's screens.
    admin
        .pasar
        .catalog()
        .update_product_blocking(
            &bolu.id,
            pasar_core::catalog::ProductPatch {
                group_ids: Some(vec![]),
                ..Default::default()
            },
        )
        .expect("unlist");
    sync(&admin);
    sync(&buyer);
    assert_eq!(visible(&buyer), ["Donat kentang"]);
    assert_eq!(
        visible(&admin),
        ["Bolu pandan", "Donat kentang"],
        "hers still"
    );

    // The market's only admin cannot leave it: refused on the phone at once.
    let alone = admin
        .pasar
        .groups()
        .remove_member_blocking(&group.id, &admin.account)
        .expect_err("the only admin stays");
    let refused = alone.to_user();
    assert_eq!(refused.field.as_deref(), Some("role"));
    assert_eq!(refused.message.id, "Grup butuh minimal satu admin");
    // The admin removes the buyer from the market: the member her phone knows is the
    // buyer's account on the server.
    let members = rt
        .block_on(admin.pasar.groups().get(group.id.clone()))
        .expect("group");
    let sari = members
        .members
        .iter()
        .find(|m| m.name == "Ibu Sari")
        .expect("Ibu Sari in the market");
    assert_eq!(sari.account_id, buyer.account);
    let after = admin
        .pasar
        .groups()
        .remove_member_blocking(&group.id, &sari.account_id)
        .expect("removed");
    assert!(after.members.iter().all(|m| m.name != "Ibu Sari"));
    sync(&admin);
    sync(&buyer);
    assert!(visible(&buyer).is_empty(), "{:?}", visible(&buyer));
    assert!(
        rt.block_on(buyer.pasar.groups().list())
            .expect("groups")
            .is_empty()
    );
    // Her order, and what it names, stay readable.
    let mine = buyer
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(mine.status, OrderStatus::Processing);
    assert_eq!(mine.items[0].name, "Donat kentang");
    // The seller's phone lost nothing.
    sync(&admin);
    assert_eq!(visible(&admin), ["Bolu pandan", "Donat kentang"]);
}

/// A seller who renames her shop on her phone: the new name reaches the buyers of her
/// market, and an order of hers moved afterwards (whose document was made under the
/// old name) does not put the old one back.
fn a_new_name_reaches_the_market(server: &Server) {
    let admin = phone(server, SELLER, "Dapur Bu Rina");
    let (group, rt) = market_with_sari(&admin);
    jne_rate(&admin);
    let donat = listed(&admin, &group.id, "Donat kentang", "25rb");
    sync(&admin);
    let buyer = phone(server, BUYER, "Ibu Sari");
    sync(&buyer);
    let name_of = |p: &Phone, id: &str| {
        rt.block_on(p.pasar.accounts().get(id.to_owned()))
            .expect("account")
            .name
    };
    assert_eq!(name_of(&buyer, &admin.account), "Dapur Bu Rina");
    let placed = order(&buyer, &admin.account, &donat.id, 1);
    sync(&buyer);
    sync(&admin);

    admin
        .pasar
        .accounts()
        .save_blocking(NewAccount {
            id: Some(admin.account.clone()),
            name: "Dapur Rina Jaya".into(),
            phone: Some(SELLER.into()),
        })
        .expect("rename");
    sync(&admin);
    sync(&buyer);
    assert_eq!(name_of(&buyer, &admin.account), "Dapur Rina Jaya");

    // She ships the order made under her old name: the buyer keeps the new one.
    admin
        .pasar
        .orders()
        .act_blocking(
            &placed.id,
            &admin.account,
            OrderAction::Ship {
                courier: "JNE".into(),
                resi: "JNE0123456789".into(),
            },
        )
        .expect("ship");
    sync(&admin);
    sync(&buyer);
    let shipped = buyer
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(shipped.status, OrderStatus::Shipped);
    assert_eq!(name_of(&buyer, &admin.account), "Dapur Rina Jaya");
    // The buyer's new phone pulls everything afresh, the product made under the old
    // name among it, and still ends with the new one.
    let fresh = phone(server, BUYER, "Ibu Sari");
    sync(&fresh);
    assert_eq!(name_of(&fresh, &admin.account), "Dapur Rina Jaya");
}

on_both_databases!(a_new_name_reaches_the_market as a_new_name_reaches_the_market);

on_both_databases!(
    what_is_no_longer_visible_leaves_the_phone as what_is_no_longer_visible_leaves_the_phone
);

/// The server deletes a photo a week after the last product showing it let go of it.
/// The seller puts it back on her product from the phone that sent it (which remembers
/// having sent it): the server takes the product, says the photo is missing, and the
/// phone sends it again in the same round, so buyers see the picture.
#[test]
fn a_photo_deleted_as_unused_is_sent_again_when_shown_again() {
    let offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let server_offset = Arc::clone(&offset);
    let server = Server::sqlite(move |state| {
        // The server's clock runs a week ahead when the test says so; its cleanup
        // looks often.
        state.clock = pasar_server::Clock::from_fn(move || {
            pasar_core::time::now_ms() + server_offset.load(Ordering::SeqCst)
        });
        state.cleanup_interval = Duration::from_millis(50);
    });
    let seller = phone(&server, SELLER, "Dapur Bu Rina");
    let photo = camera_photo(&seller);
    let product = listed_with_photo(&seller, "Sambal roa", "45rb", &photo);
    let first = sync(&seller);
    assert_eq!(first.photos_uploaded, 1, "{first:?}");
    let url = seller.sync.photo_url(&photo.hash, false);
    assert_eq!(get(url.clone()).status, 200);

    // She takes the photo off; eight days later the server has deleted it.
    let photos = |photos: Vec<String>| pasar_core::catalog::ProductPatch {
        photos: Some(photos),
        ..Default::default()
    };
    seller
        .pasar
        .catalog()
        .update_product_blocking(&product.id, photos(vec![]))
        .expect("no photo");
    sync(&seller);
    offset.store(8 * 24 * 3_600_000, Ordering::SeqCst);
    let deleted = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(25));
        get(url.clone()).status == 404
    });
    assert!(deleted, "the unused photo was deleted");

    // She puts it back: one round, and the photo is on the server again.
    seller
        .pasar
        .catalog()
        .update_product_blocking(&product.id, photos(vec![photo.hash.clone()]))
        .expect("photo again");
    let back = sync(&seller);
    assert_eq!(
        (back.photos_uploaded, back.pending),
        (1, 0),
        "sent again in the same round: {back:?}"
    );
    let got = get(url);
    assert_eq!(got.status, 200);
    let file = std::fs::read(seller.pasar.catalog().photo_path(&photo, false)).expect("file");
    assert_eq!(got.body, file);
    // And it is kept: a product shows it.
    let again = sync(&seller);
    assert_eq!(again.photos_uploaded, 0, "{again:?}");
}
