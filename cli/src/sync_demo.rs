//! The demo's sync part: a seller's phone, a buyer's phone and the group admin's phone,
//! each with its own store, and a real server over HTTP. Prints what each sync sent and
//! received on the wire. The same journey the Kotlin and Swift journey tests drive
//! through the view models.

use pasar_core::account::NewAccount;
use pasar_core::catalog::{NewProduct, SearchRequest, Stock};
use pasar_core::group::Role;
use pasar_core::money::Rupiah;
use pasar_core::order::address::Address;
use pasar_core::order::ongkir::{Courier, Rate, Shipping};
use pasar_core::order::payment::PaymentMethod;
use pasar_core::order::{CheckoutRequest, OrderAction, SellerChoice};
use pasar_core::sync::http::ReqwestClient;
use pasar_core::sync::wire::PushDeviceDoc;
use pasar_core::sync::{HttpClient, HttpRequest, MemoryTokens, SyncClient, SyncConfig, SyncReport};
use pasar_core::{Error, Pasar, Result};
use pasar_server::RecordingSender;
use pasar_server::push::Sink;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Phone {
    pub(crate) pasar: Pasar,
    pub(crate) sync: SyncClient,
    pub(crate) account: String,
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

pub(crate) fn sign_in(
    url: &str,
    codes: &RecordingSender,
    dir: &Path,
    phone: &str,
    e164: &str,
    name: &str,
) -> Result<Phone> {
    let pasar = Pasar::open(dir)?;
    let sync = pasar.sync(SyncConfig {
        server_url: url.to_owned(),
        http: Arc::new(ReqwestClient::new().map_err(internal)?),
        tokens: Arc::new(MemoryTokens::default()),
        backoff: Default::default(),
    });
    sync.request_code_blocking(phone)?;
    let code = codes
        .last_code(e164)
        .ok_or_else(|| internal("no code was sent"))?;
    let account = sync.sign_in_blocking(phone, &code, Some(name))?;
    println!("   {name} signs in with {phone} and the code the server sent");
    Ok(Phone {
        pasar,
        sync,
        account,
    })
}

pub(crate) fn sync(who: &str, p: &Phone) -> Result<SyncReport> {
    let r = p.sync.sync_blocking(Duration::from_secs(30))?;
    println!(
        "   {who} syncs: {} sent, {} refused, {} received; {} B up, {} B down",
        r.pushed, r.rejected, r.pulled, r.bytes_sent, r.bytes_received
    );
    Ok(r)
}

pub fn run(url: &str, codes: &RecordingSender, dir: &Path, sink: &Sink) -> Result<()> {
    let seller = sign_in(
        url,
        codes,
        &dir.join("rina"),
        "0813-1111-2222",
        "+6281311112222",
        "Dapur Bu Rina",
    )?;
    // Offline: everything is saved on her phone and queued.
    let group = seller
        .pasar
        .groups()
        .create_blocking("Pasar Warga Melati", &seller.account)?;
    let sari = seller.pasar.accounts().save_blocking(NewAccount {
        id: None,
        name: "Ibu Sari".into(),
        phone: Some("0812-3333-4444".into()),
    })?;
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(internal)?
        .block_on(
            seller
                .pasar
                .groups()
                .add_member(group.id.clone(), sari.id, Role::Member),
        )?;
    // The group's admin, who turns chat messages into orders.
    let dewi = seller.pasar.accounts().save_blocking(NewAccount {
        id: None,
        name: "Bu Dewi".into(),
        phone: Some("0857-5555-6666".into()),
    })?;
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(internal)?
        .block_on(
            seller
                .pasar
                .groups()
                .add_member(group.id.clone(), dewi.id, Role::Admin),
        )?;
    seller.pasar.orders().set_rate_blocking(
        &seller.account,
        Rate {
            courier: Courier::Jne,
            service: "REG".into(),
            destination: "*".into(),
            first_kg: Rupiah::new(10_000),
            next_kg: Rupiah::new(8_000),
        },
    )?;
    let camera = include_bytes!("../../tests/fixtures/phone-gps.jpg");
    let photo = seller.pasar.catalog().add_photo_blocking(camera)?;
    let prepared = std::fs::metadata(seller.pasar.catalog().photo_path(&photo, false))
        .map_err(internal)?
        .len();
    let mut donat = NewProduct::new(&seller.account, "Donat kentang coklat", "25rb");
    donat.photos = vec![photo.hash.clone()];
    donat.unit = "box".into();
    donat.stock = Stock::Limited(5);
    donat.weight_grams = 600;
    donat.description = "Isi 6, topping coklat meses".into();
    donat.group_ids = vec![group.id.clone()];
    let donat = seller.pasar.catalog().create_product_blocking(donat)?;
    println!(
        "   offline, she makes the group, adds Ibu Sari and Bu Dewi (admin), sets her ongkir (JNE REG Rp10.000 the first kg), lists {} (stock 5) with a photo from the camera ({} B made from {} B, GPS stripped): {} changes queued",
        donat.name,
        prepared,
        camera.len(),
        seller.sync.pending_blocking()?
    );
    let first = sync("Rina", &seller)?;
    println!(
        "   her photo went up first ({} uploaded), then the changes",
        first.photos_uploaded
    );

    let buyer = sign_in(
        url,
        codes,
        &dir.join("sari"),
        "0812-3333-4444",
        "+6281233334444",
        "Ibu Sari",
    )?;
    // Her phone gets pushes through FCM; the registration goes up with her first sync.
    buyer.sync.register_push_blocking(PushDeviceDoc {
        platform: "fcm".into(),
        token: "demo-fcm-token-sari".into(),
        p256dh: None,
        auth: None,
        app_version: env!("CARGO_PKG_VERSION").into(),
        lang: "id".into(),
    })?;
    sync("Sari", &buyer)?;
    let found = buyer.pasar.catalog().search_blocking(&SearchRequest {
        query: "donut coklat".into(),
        ..SearchRequest::default()
    })?;
    if let Some(p) = found.items.first() {
        println!(
            "   on her phone, offline, \"donut coklat\" finds {} ({})",
            p.name, p.price
        );
        if let Some(photo) = p.photos.first() {
            let thumb = ReqwestClient::new()
                .map_err(internal)?
                .send(HttpRequest {
                    method: "GET".into(),
                    url: buyer.sync.photo_url(&photo.hash, true),
                    headers: vec![],
                    body: vec![],
                })
                .map_err(internal)?;
            println!(
                "   her app shows its blurhash at once, then the thumbnail from the server: {} B, {}",
                thumb.body.len(),
                thumb.header("cache-control").unwrap_or("not cacheable")
            );
        }
    }
    let sari_home = Address {
        recipient: "Ibu Sari".into(),
        phone: "0812-3333-4444".into(),
        street: "Jl. Melati No. 5 RT 03/RW 05".into(),
        kelurahan: "Pucang".into(),
        kecamatan: "Sidoarjo".into(),
        kabupaten: "Kab. Sidoarjo".into(),
        provinsi: "Jawa Timur".into(),
        kode_pos: "61219".into(),
        notes: String::new(),
    };
    let order = checkout_cod_jne(&buyer, &seller.account, &donat.id, 2, sari_home)?;
    println!(
        "   she orders 2 box, COD by JNE, ongkir {} from Rina's synced table: order #{} {}",
        order.ongkir, order.number, order.total
    );
    sync("Sari", &buyer)?;
    if let Stock::Limited(left) = buyer.pasar.catalog().get_product_blocking(&donat.id)?.stock {
        println!("   the server took the stock: {left} box left");
    }

    let chat_order = admin_chat_order(url, codes, dir, &group.id, &seller.account)?;

    sync("Rina", &seller)?;
    let incoming = seller.pasar.orders().get_blocking(&order.id)?;
    let from_chat = seller.pasar.orders().get_blocking(&chat_order)?;
    println!(
        "   Rina sees order #{} ({}, {}) and order #{} ({}, {})",
        incoming.number,
        incoming.payment.label().id,
        incoming.status.label().id,
        from_chat.number,
        from_chat.payment.label().id,
        from_chat.status.label().id
    );
    let confirmed = seller.pasar.orders().act_blocking(
        &chat_order,
        &seller.account,
        OrderAction::ConfirmPayment,
    )?;
    println!(
        "   she confirms the transfer of #{}: {}; and ships #{} with JNE0123456789",
        confirmed.number,
        confirmed.status.label().id,
        incoming.number
    );
    seller.pasar.orders().act_blocking(
        &order.id,
        &seller.account,
        OrderAction::Ship {
            courier: "JNE".into(),
            resi: "JNE0123456789".into(),
        },
    )?;
    sync("Rina", &seller)?;
    // The server pushed the move to Sari's phone (FCM here) once it committed.
    let pushes =
        tokio::runtime::Handle::current().block_on(sink.wait_for(2, Duration::from_secs(10)));
    let push = pushes
        .iter()
        .rev()
        .find(|p| p.token == "demo-fcm-token-sari")
        .ok_or_else(|| internal("no push reached Sari's phone"))?;
    let payload = push.payload.to_string();
    println!(
        "   the server pushes to Sari's phone over FCM HTTP v1 (OAuth2, RS256): {payload} ({} B request)",
        push.wire_bytes
    );
    let notices = buyer
        .sync
        .handle_push_blocking(payload.as_bytes(), Duration::from_secs(20))?;
    for n in &notices {
        println!(
            "   her phone pulls the order and shows: \"{}\" — {}",
            n.title, n.body
        );
    }
    let again = buyer
        .sync
        .handle_push_blocking(payload.as_bytes(), Duration::from_secs(20))?;
    println!(
        "   the same push again shows {} notification(s): one per change, whatever the path",
        again.len()
    );
    let shipped = buyer.pasar.orders().get_blocking(&order.id)?;
    println!(
        "   on Sari's phone order #{} is {} (resi {})",
        shipped.number,
        shipped.status.label().id,
        shipped.resi.as_deref().unwrap_or("-")
    );
    let (rs, rr) = seller.sync.traffic();
    let (bs, br) = buyer.sync.traffic();
    println!(
        "   bytes on the wire, compressed, headers included: Rina {rs} up / {rr} down, Sari {bs} up / {br} down"
    );
    Ok(())
}

/// `units` of `product` into `buyer`'s cart and checked out from `seller`, COD by JNE
/// REG to `address`: the one order it makes.
pub(crate) fn checkout_cod_jne(
    buyer: &Phone,
    seller: &str,
    product: &str,
    units: i64,
    address: Address,
) -> Result<pasar_core::order::Order> {
    buyer
        .pasar
        .cart()
        .add_blocking(product, None, units * 1000, "")?;
    buyer
        .pasar
        .orders()
        .checkout_blocking(CheckoutRequest {
            checkout_id: pasar_core::id::new_id(),
            buyer_id: buyer.account.clone(),
            address: Some(address),
            sellers: vec![SellerChoice {
                seller_id: seller.to_owned(),
                shipping: Some(Shipping {
                    courier: Courier::Jne,
                    service: "REG".into(),
                }),
                payment: PaymentMethod::Cod,
                note: String::new(),
            }],
        })?
        .into_iter()
        .next()
        .ok_or_else(|| internal("no order"))
}

/// The group's admin signs in, pastes a buyer's WhatsApp message, and it becomes an order
/// (read against the group's catalog, into her cart, checked out: pick-up, transfer) that
/// reaches the seller with her sync. Returns the order's id.
fn admin_chat_order(
    url: &str,
    codes: &RecordingSender,
    dir: &Path,
    group: &str,
    seller: &str,
) -> Result<String> {
    use pasar_core::chat::ChatScope;
    use pasar_core::chat::order::LineMatch;
    let admin = sign_in(
        url,
        codes,
        &dir.join("dewi"),
        "0857-5555-6666",
        "+6285755556666",
        "Bu Dewi",
    )?;
    sync("Dewi", &admin)?;
    let text = "kak pesen 3 donat kentang coklat ya, diambil sendiri, bayar transfer";
    let (parsed, catalog) = admin
        .pasar
        .chat()
        .parse_blocking(&ChatScope::Group(group.to_owned()), text)?;
    println!("   Bu Dewi, the group's admin, pastes a buyer's message: \"{text}\"");
    for line in &parsed.lines {
        let LineMatch::Product { product_id, .. } = &line.matched else {
            continue;
        };
        let product = catalog.product(product_id);
        let quantity = line.quantity.map_or(1.0, |q| q.to_f64());
        println!(
            "   read as {} × {} {}, payment {} (confidence {:.2}); into her cart",
            product.map_or(product_id.as_str(), |p| p.name.as_str()),
            line.quantity.map_or("1".to_owned(), |q| q.to_indonesian()),
            product.map_or("", |p| p.unit.as_str()),
            parsed.payment.as_ref().map_or("-", |p| p.value.as_str()),
            line.confidence
        );
        admin.pasar.cart().add_blocking(
            product_id,
            None,
            (quantity * 1000.0).round() as i64,
            "dari chat",
        )?;
    }
    let order = admin
        .pasar
        .orders()
        .checkout_blocking(CheckoutRequest {
            checkout_id: pasar_core::id::new_id(),
            buyer_id: admin.account.clone(),
            address: None,
            sellers: vec![SellerChoice {
                seller_id: seller.to_owned(),
                shipping: None,
                payment: PaymentMethod::BankTransfer { bank: "BCA".into() },
                note: "diambil sendiri".into(),
            }],
        })?
        .into_iter()
        .next()
        .ok_or_else(|| internal("no order"))?;
    println!(
        "   the chat became order #{} ({}, pick-up): {} — {}",
        order.number,
        order.payment.label().id,
        order.total,
        order.status.label().id
    );
    sync("Dewi", &admin)?;
    Ok(order.id)
}
