//! `pasar demo`: the core end to end on embedded defaults, printing what it does.
//! It grows with each capability; today: the store, accounts and groups, the catalog
//! (typed prices, variants), errors and listeners, checkout, three phones syncing through
//! the server (the seller lists from the camera, a buyer orders COD, the group's admin
//! turns a pasted chat message into a second order, the seller confirms and ships, the
//! buyer's phone turns the push into the notification), money and phone numbers, chat
//! orders and the rekap.

use pasar_core::account::NewAccount;
use pasar_core::catalog::{
    CatalogEvent, FileFormat, Filters, NewProduct, NewVariant, PageRequest, PriceInput,
    ProductPatch, SearchRequest, Stock, VariantOption,
};
use pasar_core::error::{Problem, ValidationError};
use pasar_core::group::Role;
use pasar_core::money::parse_rupiah;
use pasar_core::{Pasar, PhoneNumber, Rupiah, store::schema};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub fn run(args: &[String]) -> Result<(), String> {
    let mut data: Option<PathBuf> = None;
    for (flag, value) in crate::parse_flags(args, &["--data"])? {
        if flag == "--data" {
            data = Some(PathBuf::from(value));
        }
    }
    let temp;
    let dir = match data {
        Some(dir) => dir,
        None => {
            temp =
                tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
            temp.path().to_path_buf()
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(demo(dir)).map_err(|e| e.to_string())
}

async fn demo(dir: PathBuf) -> pasar_core::Result<()> {
    println!("== Pasar demo ==");
    println!();
    println!("1. Store");
    let pasar = Pasar::open(&dir)?;
    println!(
        "   opened {} (SQLite, WAL, schema v{})",
        dir.join(pasar_core::pasar::DATABASE_FILE).display(),
        schema::latest_version()
    );

    println!();
    println!("2. A seller and her community market");
    let seller = pasar
        .accounts()
        .save(NewAccount {
            id: None,
            name: "Dapur Bu Rina".into(),
            phone: Some("0812-3456-7890".into()),
        })
        .await?;
    println!(
        "   seller {} ({}), typed as 0812-3456-7890",
        seller.name,
        seller.phone.as_deref().unwrap_or("-")
    );
    let group = pasar
        .groups()
        .create("Pasar Ibu-ibu Sidoarjo".into(), seller.id.clone())
        .await?;
    let admins: Vec<&str> = group
        .members
        .iter()
        .filter(|m| m.role == Role::Admin)
        .map(|m| m.name.as_str())
        .collect();
    println!("   group {} (admin: {})", group.name, admins.join(", "));

    println!();
    println!("3. A listener on the catalog (stops when its handle is dropped)");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let subscription = pasar.catalog().observe(move |event| {
        let line = match event {
            CatalogEvent::ProductSaved(p) => format!("product saved: {} {}", p.name, p.price),
            CatalogEvent::Imported { created, updated } => {
                format!("catalog imported: {created} new, {updated} updated")
            }
        };
        println!("   [event] {line}");
        sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    });

    println!();
    println!("4. The seller lists products from her camera, prices typed her way, in the group");
    // A photo the way her phone wrote it: turned by EXIF, GPS of her kitchen inside.
    let camera = include_bytes!("../../tests/fixtures/phone-gps.jpg");
    let photo = pasar.catalog().add_photo(camera.to_vec()).await?;
    let stored = std::fs::read(pasar.catalog().photo_path(&photo, false)).unwrap_or_default();
    let has_gps = |b: &[u8]| b.windows(3).any(|w| w == b"GPS");
    println!(
        "   photo: {} bytes from the camera (GPS inside: {}) -> {} bytes, {}x{} upright, GPS inside: {}",
        camera.len(),
        if has_gps(camera) { "yes" } else { "no" },
        stored.len(),
        photo.width,
        photo.height,
        if has_gps(&stored) { "yes" } else { "no" }
    );
    println!(
        "          {} (blurhash {}), queued for upload",
        photo.relative_path(false),
        photo.blurhash
    );
    let mut donat = NewProduct::new(&seller.id, "Donat coklat isi 6", "25rb");
    donat.photos = vec![photo.hash.clone()];
    donat.unit = "box".into();
    donat.stock = Stock::Limited(12);
    donat.category = Some("Kue & Roti".into());
    donat.options = vec![VariantOption {
        name: "Topping".into(),
        values: vec!["Keju".into(), "Meses".into()],
    }];
    donat.variants = vec![NewVariant {
        values: vec!["keju".into()],
        price: Some("30rb".into()),
        stock: Some(Stock::Limited(4)),
        sku: Some("DNT-KEJU".into()),
    }];
    let mut bantal = NewProduct::new(&seller.id, "Bantal silikon 40x60", "Rp45.000");
    bantal.unit = "bh".into();
    bantal.stock = Stock::Limited(5);
    bantal.category = Some("Rumah tangga".into());
    let mut brownies = NewProduct::new(&seller.id, "Brownies panggang", "Rp 60.000,-");
    brownies.unit = "loyang".into();
    brownies.preorder_days = Some(2);
    brownies.category = Some("Kue & Roti".into());
    let mut ids = Vec::new();
    for mut new in [donat, bantal, brownies] {
        let typed = match &new.price {
            PriceInput::Typed(t) => t.clone(),
            PriceInput::Idr(idr) => idr.to_string(),
        };
        new.group_ids = vec![group.id.clone()];
        let p = pasar.catalog().create_product(new).await?;
        let (lo, hi) = p.price_range();
        let range = if lo == hi {
            lo.to_string()
        } else {
            format!("{lo} \u{2013} {hi}")
        };
        let typed = format!("\"{typed}\"");
        println!(
            "   + {:<22} {:>13} -> {:<19} / {:<6} id {}",
            p.name, typed, range, p.unit, p.id
        );
        for v in &p.variants {
            let price = p.price_of(Some(&v.id));
            let stock = match v.stock.unwrap_or(p.stock) {
                Stock::Unlimited => "no limit".to_owned(),
                Stock::Limited(n) => format!("{n} left"),
            };
            println!(
                "       {}: {:<10} {:>10}  {}",
                option_names(&p.options),
                v.values.join(" / "),
                price.to_string(),
                stock
            );
        }
        if let Some(days) = p.preorder_days {
            println!("       pre-order: ready {days} days after ordering");
        }
        ids.push(p.id);
    }
    let donat = ids[0].clone();
    let p = pasar
        .catalog()
        .update_product(
            donat.clone(),
            ProductPatch {
                price: Some("27.500".into()),
                ..Default::default()
            },
        )
        .await?;
    println!("   ~ price of {} is now {}", p.name, p.price);

    println!();
    println!("5. Bad input gets a clear error and loses nothing");
    let refusals = [
        NewProduct::new(&seller.id, "   ", "10rb"),
        NewProduct::new(&seller.id, "Kerupuk udang", "murah"),
        {
            let mut n = NewProduct::new(&seller.id, "Kaos polos", "35rb");
            n.options = vec![VariantOption {
                name: "Warna".into(),
                values: vec!["Merah".into()],
            }];
            n.variants = vec![NewVariant {
                values: vec!["Hijau".into()],
                price: None,
                stock: None,
                sku: None,
            }];
            n
        },
        NewProduct::new("0190a3e0-7d2c-7cc0-8000-0000000000ff", "Donat", "25rb"),
    ];
    for bad in refusals {
        if let Err(e) = pasar.catalog().create_product(bad).await {
            let u = e.to_user();
            match u.field {
                Some(field) => println!(
                    "   refused: field `{field}`: \"{}\" / \"{}\"",
                    u.message.id, u.message.en
                ),
                None => println!("   refused: \"{}\" / \"{}\"", u.message.id, u.message.en),
            }
        }
    }
    drop(subscription);
    println!(
        "   listener stopped after {} events",
        heard.lock().unwrap_or_else(|e| e.into_inner()).len()
    );
    drop(pasar);

    println!();
    println!("6. Close, reopen, and page through the catalog (2 per page, newest first)");
    let pasar = Pasar::open(&dir)?;
    let mut request = PageRequest::first(2);
    let mut page_no = 1;
    loop {
        let page = pasar.catalog().list_products(request.clone()).await?;
        for p in &page.items {
            println!(
                "   page {page_no}: {:<24} {:>10}",
                p.name,
                p.price.to_string()
            );
        }
        match page.next_cursor {
            Some(cursor) => request.after = Some(cursor),
            None => break,
        }
        page_no += 1;
    }
    let again = pasar.catalog().get_product(donat).await?;
    let group = pasar.groups().get(group.id).await?;
    println!(
        "   read back: {} at {}, {} variants, listed in {}",
        again.name,
        again.price,
        again.variants.len(),
        if again.group_ids == [group.id.clone()] {
            group.name.as_str()
        } else {
            "no group"
        }
    );

    println!();
    println!("7. Other sellers' catalog files are imported; a buyer searches offline");
    let report = pasar
        .catalog()
        .import_file(
            include_bytes!("../data/demo-catalog.json").to_vec(),
            FileFormat::Json,
            Some(seller.id.clone()),
        )
        .await?;
    println!(
        "   imported {} products ({} updated, {} refused)",
        report.created,
        report.updated,
        report.errors.len()
    );
    for (query, filters) in [
        ("donat cokelat", Filters::default()),
        ("dnt coklat", Filters::default()),
        ("ponsel casing", Filters::default()),
        ("kripik pedes", Filters::default()),
        ("tasselempang", Filters::default()),
        ("jual bantal murah ready", Filters::default()),
        (
            "kue",
            Filters {
                max_price_idr: Some(60_000),
                in_stock_only: true,
                ..Default::default()
            },
        ),
        ("laptop gaming", Filters::default()),
    ] {
        let page = pasar
            .catalog()
            .search(SearchRequest {
                query: query.into(),
                filters: filters.clone(),
                limit: 3,
                ..Default::default()
            })
            .await?;
        let shown = if page.understood.is_empty() || page.understood == query {
            String::new()
        } else {
            format!(" (understood: {})", page.understood)
        };
        let filter = if filters == Filters::default() {
            String::new()
        } else {
            " [max Rp60.000, in stock]".to_owned()
        };
        println!(
            "   search {query:?}{filter}{shown}: {} found",
            page.total.unwrap_or(0)
        );
        for p in &page.items {
            println!("       {:<34} {:>10}", p.name, p.price.to_string());
        }
    }

    println!();
    println!("8. A buyer checks out two sellers' goods; the sellers move the orders along");
    checkout(&pasar, &seller.id).await?;

    println!();
    println!(
        "9. Three phones (seller, buyer, the group's admin) and the server (in this process, on a free port, SQLite)"
    );
    let store = pasar_server::Store::open(&pasar_server::Database::Memory)
        .await
        .map_err(|e| pasar_core::Error::Internal(e.to_string()))?;
    let codes = Arc::new(pasar_server::RecordingSender::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| pasar_core::Error::Internal(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| pasar_core::Error::Internal(e.to_string()))?;
    // FCM, APNs and Web Push as a local stand-in that checks each wire format.
    let sink_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| pasar_core::Error::Internal(e.to_string()))?;
    let keys = pasar_server::push::SinkKeys::generate().map_err(pasar_core::Error::Internal)?;
    let sink = pasar_server::push::sink::start(sink_listener, keys)
        .await
        .map_err(|e| pasar_core::Error::Internal(e.to_string()))?;
    let mut state = pasar_server::AppState::new(store, codes.clone());
    state.push.gateways = Arc::new(sink.gateways().map_err(pasar_core::Error::Internal)?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(pasar_server::serve_state(listener, state, async {
        let _ = stopped.await;
    }));
    let version = http_get(addr, "/v1/version").await;
    println!("   GET http://{addr}/v1/version -> {version}");
    let phones = dir.join("phones");
    // The sync client is blocking (it runs on the apps' background workers).
    let shown = tokio::task::spawn_blocking(move || {
        let url = format!("http://{addr}");
        crate::sync_demo::run(&url, &codes, &phones, &sink)?;
        crate::trade_demo::run(&url, &codes, &phones, &sink)
    })
    .await
    .map_err(|e| pasar_core::Error::Internal(e.to_string()))?;
    let _ = stop.send(());
    let _ = server.await;
    shown?;

    println!();
    println!("10. Money and phone numbers, the Indonesian way");
    for idr in [500, 25_000, 1_500_000] {
        println!("   {idr:>9} -> {}", Rupiah::new(idr));
    }
    for typed in ["25rb", "Rp 25.000", "1,5jt", "goceng", "murah"] {
        match parse_rupiah(typed) {
            Ok(r) => println!("   {:<18} -> {r}", format!("\"{typed}\"")),
            Err(e) => {
                let u = pasar_core::Error::from(ValidationError::new("price", Problem::Price(e)))
                    .to_user();
                println!(
                    "   {:<18} -> refused: {}",
                    format!("\"{typed}\""),
                    u.message.id
                );
            }
        }
    }
    for raw in [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "(021) 555-1234",
        "0812",
    ] {
        match PhoneNumber::parse(raw) {
            Ok(p) => println!("   {raw:<18} -> {}", p.e164()),
            Err(e) => {
                let u = pasar_core::Error::from(e).to_user();
                println!("   {raw:<18} -> refused: {}", u.message.id);
            }
        }
    }
    chat_orders(&pasar, &group.id)?;
    println!();
    println!("demo finished");
    Ok(())
}

/// The admin's side: a pasted message becomes a draft matched to the group's catalog and
/// goes into the cart; the group's chat export becomes every buyer's order and the rekap.
fn chat_orders(pasar: &Pasar, group: &str) -> pasar_core::Result<()> {
    use pasar_core::chat::order::LineMatch;
    use pasar_core::chat::{ChatScope, rekap};
    println!();
    println!("11. Chat orders: the admin pastes a WhatsApp message");
    let scope = ChatScope::Group(group.to_owned());
    let text = "kak pesan 2 bantal sm donat keju 3 box ya, kirim ke Jl. Melati 5 Sidoarjo, wa 0812 3344 5566, cod";
    let (parsed, catalog) = pasar.chat().parse_blocking(&scope, text)?;
    println!("   \"{text}\"");
    println!(
        "   intent: {} (confidence {:.2})",
        parsed.intent.as_str(),
        parsed.confidence
    );
    for l in &parsed.lines {
        let q = l.quantity.map_or("1".to_owned(), |q| q.to_indonesian());
        match &l.matched {
            LineMatch::Product {
                product_id,
                variant,
            } => {
                let p = catalog.product(product_id);
                let v: Vec<&str> = variant.iter().map(|(_, v)| v.as_str()).collect();
                println!(
                    "   [{}] -> {}{} × {q} {} (confidence {:.2})",
                    l.text,
                    p.map_or(product_id.as_str(), |p| p.name.as_str()),
                    if v.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", v.join(", "))
                    },
                    p.map_or("", |p| p.unit.as_str()),
                    l.confidence
                );
                // One tap: into the cart, the variant chosen by its values.
                let product = pasar.catalog().get_product_blocking(product_id)?;
                let variant_id = product
                    .variants
                    .iter()
                    .find(|x| x.values.iter().zip(variant).all(|(a, (_, b))| a == b))
                    .map(|x| x.id.clone());
                let milli = (l.quantity.map_or(1.0, |q| q.to_f64()) * 1000.0).round() as i64;
                pasar
                    .cart()
                    .add_blocking(product_id, variant_id.as_deref(), milli, "dari chat")?;
            }
            LineMatch::Ambiguous { candidates } => {
                println!("   [{}] -> which one? {}", l.text, candidates.join(" / "));
            }
            LineMatch::Unknown => println!("   [{}] -> not in the catalog", l.text),
        }
    }
    for (label, f) in [("address", &parsed.address), ("phone", &parsed.phone)] {
        if let Some(f) = f {
            println!(
                "   {label}: {} (bytes {}..{})",
                f.value, f.span.start, f.span.end
            );
        }
    }
    if let Some(p) = &parsed.payment {
        println!("   payment: {}", p.value.as_str());
    }
    let view = pasar.cart().view_blocking()?;
    for item in view.sellers.iter().flat_map(|s| &s.items) {
        let state = item.state.message(&item.unit).id;
        let quantity = pasar_core::order::format_quantity(item.line.quantity_milli);
        println!(
            "   cart: {} {} × {quantity} {} — {}",
            item.product_name,
            item.variant_label,
            item.unit,
            if state.is_empty() {
                "siap checkout"
            } else {
                &state
            }
        );
    }
    println!(
        "   cart total {} (lines to fix are not counted)",
        view.total
    );

    println!();
    println!("12. Chat orders: the group's chat export becomes every buyer's order and the rekap");
    let export = "26/11/24 07.00 - Dapur Bu Rina: OPEN PO hari ini 🍩 donat 25rb/box, bantal 45rb, brownies 60rb\n\
26/11/24 07.10 - Bu Sari: kak pesen donat keju 2 box sm brownies 1, cod\n\
26/11/24 07.12 - \u{202a}+62 812-3344-5566\u{202c}: bantal 2 ya kak, kirim ke Perum Griya Asri C-12\n\
26/11/24 07.20 - Bu Sari: tambah 1 lagi ya kak\n\
26/11/24 07.25 - Dewi: brp kak bantalnya?\n\
26/11/24 07.30 - Dewi: donat meses 1 box\n\
26/11/24 07.31 - Dewi: gak jadi kak, maaf\n\
26/11/24 08.00 - Bu Sari: udah tf ya kak 🙏\n";
    let read = pasar
        .chat()
        .read_export_blocking(&scope, export.as_bytes(), Vec::new())?;
    let t = read.tally;
    println!(
        "   {} messages: {} orders, {} questions, {} cancels, {} other, {} menu",
        t.messages, t.orders, t.questions, t.cancels, t.other, t.announcements
    );
    let r = rekap::rekap(&read.orders, &read.catalog);
    for line in rekap::to_whatsapp(&r, "Pasar Ibu-ibu Sidoarjo").lines() {
        println!("   | {line}");
    }
    Ok(())
}

/// `Topping` or `Warna × Ukuran`.
fn option_names(options: &[VariantOption]) -> String {
    options
        .iter()
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(" \u{d7} ")
}

/// A bare HTTP/1.1 GET, enough to show the server answering (the core's HTTP client
/// arrives with sync).
async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return "no answer".to_owned();
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut response = String::new();
    if stream.write_all(request.as_bytes()).await.is_err()
        || stream.read_to_string(&mut response).await.is_err()
    {
        return "no answer".to_owned();
    }
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    format!("{status} {body}")
}

/// Step 8: cart → checkout (COD pick-up and transfer + JNE) → Selesai.
async fn checkout(pasar: &Pasar, rina: &str) -> pasar_core::Result<()> {
    use pasar_core::cart::MILLI;
    use pasar_core::order::address::Address;
    use pasar_core::order::ongkir::{Courier, Rate, Shipping};
    use pasar_core::order::payment::PaymentMethod;
    use pasar_core::order::{CheckoutRequest, OrderAction, SellerChoice};

    let buyer = pasar
        .accounts()
        .save(NewAccount {
            id: None,
            name: "Ibu Sari".into(),
            phone: Some("0812-1111-2222".into()),
        })
        .await?;
    let find = |query: &str| {
        pasar.catalog().search_blocking(&SearchRequest {
            query: query.into(),
            limit: 1,
            ..Default::default()
        })
    };
    let donat = find("donat coklat isi 6")?.items.remove(0);
    let casing = find("casing hp samsung")?.items.remove(0);
    let budi = casing.seller_id.clone().unwrap_or_default();
    pasar.orders().set_rate_blocking(
        &budi,
        Rate {
            courier: Courier::Jne,
            service: "REG".into(),
            destination: "*".into(),
            first_kg: Rupiah::new(18_000),
            next_kg: Rupiah::new(18_000),
        },
    )?;
    let cart = pasar.cart();
    cart.add_blocking(
        &donat.id,
        donat.variants.first().map(|v| v.id.as_str()),
        2 * MILLI,
        "yang baru",
    )?;
    cart.add_blocking(
        &casing.id,
        casing.variants.first().map(|v| v.id.as_str()),
        MILLI,
        "",
    )?;
    let view = cart.view_blocking()?;
    for s in &view.sellers {
        println!(
            "   cart, {}: {} line(s), subtotal {}",
            s.seller_name,
            s.items.len(),
            s.subtotal
        );
    }
    let request = CheckoutRequest {
        checkout_id: pasar_core::id::new_id(),
        buyer_id: buyer.id.clone(),
        address: Some(Address {
            recipient: "Ibu Sari".into(),
            phone: "0812-1111-2222".into(),
            street: "Jl. Melati No. 5 RT 03/RW 05".into(),
            kelurahan: "Pucang".into(),
            kecamatan: "Sidoarjo".into(),
            kabupaten: "Kab. Sidoarjo".into(),
            provinsi: "Jawa Timur".into(),
            kode_pos: "61219".into(),
            notes: String::new(),
        }),
        sellers: vec![
            SellerChoice {
                seller_id: rina.to_owned(),
                shipping: None,
                payment: PaymentMethod::Cod,
                note: "diambil sore".into(),
            },
            SellerChoice {
                seller_id: budi.clone(),
                shipping: Some(Shipping {
                    courier: Courier::Jne,
                    service: "REG".into(),
                }),
                payment: PaymentMethod::BankTransfer { bank: "BCA".into() },
                note: String::new(),
            },
        ],
    };
    let orders = pasar.orders().checkout_blocking(request.clone())?;
    let again = pasar.orders().checkout_blocking(request)?;
    for o in &orders {
        println!(
            "   order #{} ({}): items {} + ongkir {} + kode unik {} = {} — {}",
            o.number,
            o.payment.label().id,
            o.items_total,
            o.ongkir,
            o.kode_unik,
            o.total,
            o.status.label().id
        );
    }
    println!(
        "   the same checkout sent twice: {} orders, the same ones: {}",
        again.len(),
        again == orders
    );
    let transfer = &orders[1];
    let mut o = pasar
        .orders()
        .act_blocking(&transfer.id, &budi, OrderAction::ConfirmPayment)?;
    print!("   #{}: {}", o.number, o.status.label().id);
    for (who, action) in [
        (
            &budi,
            OrderAction::Ship {
                courier: "JNE REG".into(),
                resi: "JNE0123456789".into(),
            },
        ),
        (&budi, OrderAction::MarkDelivered),
        (&buyer.id, OrderAction::Complete),
    ] {
        o = pasar.orders().act_blocking(&transfer.id, who, action)?;
        print!(" → {}", o.status.label().id);
    }
    println!();
    if let Err(e) = pasar.orders().act_blocking(
        &transfer.id,
        &budi,
        OrderAction::Cancel {
            reason: "salah kirim".into(),
        },
    ) {
        println!("   refused: {}", e.to_user().message.id);
    }
    let (_, link) = pasar.orders().whatsapp_message_blocking(&transfer.id)?;
    if let Some(link) = link {
        println!(
            "   wa.me link for the buyer: {}…",
            &link[..link.len().min(60)]
        );
    }
    Ok(())
}
