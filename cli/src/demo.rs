//! `pasar demo`: the core end to end on embedded defaults, printing what it does.
//! It grows with each capability; today: the store, the catalog, errors and listeners.

use pasar_core::catalog::{CatalogEvent, NewProduct, PageRequest, ProductPatch, Stock};
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
    println!("2. A listener on the catalog (stops when its handle is dropped)");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let subscription = pasar
        .catalog()
        .observe(move |CatalogEvent::ProductSaved(p)| {
            let line = format!("{} {}", p.name, p.price);
            println!("   [event] product saved: {line}");
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        });

    println!();
    println!("3. A seller lists products (ids made on the phone: UUIDv7)");
    let seed = [
        ("Donat coklat isi 6", 25_000, Stock::Limited(12)),
        ("Bantal silikon 40x60", 45_000, Stock::Limited(5)),
        ("Brownies panggang", 60_000, Stock::Unlimited),
    ];
    let mut ids = Vec::new();
    for (name, price, stock) in seed {
        let p = pasar
            .catalog()
            .create_product(NewProduct {
                name: name.into(),
                description: String::new(),
                price_idr: price,
                stock,
            })
            .await?;
        println!(
            "   + {:<24} {:>10}  id {}",
            p.name,
            p.price.to_string(),
            p.id
        );
        ids.push(p.id);
    }
    let donat = ids[0].clone();
    let p = pasar
        .catalog()
        .update_product(
            donat.clone(),
            ProductPatch {
                price_idr: Some(27_500),
                ..Default::default()
            },
        )
        .await?;
    println!("   ~ price of {} is now {}", p.name, p.price);

    println!();
    println!("4. Bad input gets a clear error and loses nothing");
    let bad = pasar
        .catalog()
        .create_product(NewProduct {
            name: "   ".into(),
            description: String::new(),
            price_idr: 10_000,
            stock: Stock::Unlimited,
        })
        .await;
    if let Err(e) = bad {
        let u = e.to_user();
        println!(
            "   refused: field `{}`: \"{}\" / \"{}\"",
            u.field.unwrap_or_default(),
            u.message.id,
            u.message.en
        );
    }
    drop(subscription);
    println!(
        "   listener stopped after {} events",
        heard.lock().unwrap_or_else(|e| e.into_inner()).len()
    );
    drop(pasar);

    println!();
    println!("5. Close, reopen, and page through the catalog (2 per page, newest first)");
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
    println!("   read back: {} at {}", again.name, again.price);

    println!();
    println!("6. Money and phone numbers, the Indonesian way");
    for idr in [500, 25_000, 1_500_000] {
        println!("   {idr:>9} -> {}", Rupiah::new(idr));
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
    println!();
    println!("demo finished");
    Ok(())
}
