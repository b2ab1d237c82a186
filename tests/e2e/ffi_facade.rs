//! The FFI facade from Rust: the same calls the Kotlin and Swift tests make, checked
//! here first so a conversion bug shows up with a Rust backtrace.

use pasar_ffi::{
    CatalogEvent, CatalogListener, GroupRole, NewAccount, NewProduct, NewVariant, Pasar,
    PasarError, ProductPatch, Stock, VariantOption, VariantsInput, parse_rupiah,
};
use std::sync::{Arc, Mutex};

const NOBODY: &str = "0190a3e0-7d2c-7cc0-8000-0000000000ff";

fn donat(seller: &str, name: &str, price: &str) -> NewProduct {
    NewProduct {
        seller_id: seller.into(),
        name: name.into(),
        description: String::new(),
        price: price.into(),
        unit: String::new(),
        weight_grams: 0,
        stock: Stock::Limited { count: 3 },
        preorder_days: None,
        category: None,
        options: vec![],
        variants: vec![],
        photos: vec![],
        group_ids: vec![],
    }
}

/// Warna (Merah, Biru) × Ukuran (M, L); `over` gets its own price, stock and SKU.
fn kaos(seller: &str, over: [&str; 2]) -> NewProduct {
    NewProduct {
        unit: "Pcs".into(),
        category: Some("Pakaian".into()),
        preorder_days: Some(3),
        options: vec![
            VariantOption {
                name: "Warna".into(),
                values: vec!["Merah".into(), "Biru".into()],
            },
            VariantOption {
                name: "Ukuran".into(),
                values: vec!["M".into(), "L".into()],
            },
        ],
        variants: vec![NewVariant {
            values: over.map(String::from).to_vec(),
            price: Some("30rb".into()),
            stock: Some(Stock::Limited { count: 2 }),
            sku: Some("KAOS-B-L".into()),
        }],
        ..donat(seller, "Kaos polos", "25rb")
    }
}

fn validation_field<T: std::fmt::Debug>(r: Result<T, PasarError>) -> (String, String) {
    match r {
        Err(PasarError::Validation {
            field, indonesian, ..
        }) => (field, indonesian),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

struct Recorder(Arc<Mutex<Vec<String>>>);

impl CatalogListener for Recorder {
    fn on_event(&self, event: CatalogEvent) {
        if let CatalogEvent::ProductSaved { product } = event {
            self.0.lock().expect("lock").push(product.price_label);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_errors_async_calls_and_listener_handles_cross_as_designed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().display().to_string();
    let pasar = Pasar::open(path.clone()).expect("open");
    let catalog = pasar.catalog();
    let seller = pasar
        .accounts()
        .save_account(NewAccount {
            id: None,
            name: "Dapur Bu Rina".into(),
            phone: Some("0812-3456-7890".into()),
        })
        .await
        .expect("seller");
    assert_eq!(seller.phone.as_deref(), Some("+6281234567890"));

    let heard = Arc::new(Mutex::new(Vec::new()));
    let handle = catalog.observe(Box::new(Recorder(Arc::clone(&heard))));
    let p = catalog
        .create_product(donat(&seller.id, "Donat", "25rb"))
        .await
        .expect("create");
    assert_eq!(p.price_label, "Rp25.000");
    assert_eq!(p.price_range_label, "Rp25.000");
    assert_eq!(p.seller_id.as_deref(), Some(seller.id.as_str()));
    assert_eq!(p.unit, "pcs");
    catalog
        .update_product(
            p.id.clone(),
            ProductPatch {
                price: Some("Rp 30.000".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    drop(handle);
    catalog
        .create_product(donat(&seller.id, "Bantal", "Rp45.000"))
        .await
        .expect("create");
    assert_eq!(*heard.lock().expect("lock"), vec!["Rp25.000", "Rp30.000"]);

    let (field, indonesian) = validation_field(
        catalog
            .create_product(donat(&seller.id, "Donat", "0"))
            .await,
    );
    assert_eq!(
        (field.as_str(), indonesian.as_str()),
        ("price", "Harga minimal 1")
    );
    let (field, indonesian) = validation_field(
        catalog
            .create_product(donat(&seller.id, "Donat", "murah"))
            .await,
    );
    assert_eq!(field, "price");
    assert!(
        indonesian.starts_with("Harga tidak terbaca"),
        "{indonesian}"
    );
    assert!(matches!(
        catalog
            .get_product("0190a3e0-7d2c-7cc0-8000-000000000000".into())
            .await,
        Err(PasarError::NotFound { .. })
    ));

    drop(catalog);
    drop(pasar);
    let reopened = Pasar::open(path).expect("reopen");
    let page = reopened
        .catalog()
        .list_products(None, 0)
        .await
        .expect("list");
    let names: Vec<_> = page
        .items
        .iter()
        .map(|p| (p.name.as_str(), p.price_idr))
        .collect();
    assert_eq!(names, vec![("Bantal", 45_000), ("Donat", 30_000)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn variants_groups_and_typed_prices_cross_and_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().display().to_string();
    let pasar = Pasar::open(path.clone()).expect("open");
    let catalog = pasar.catalog();
    let rina = pasar
        .accounts()
        .save_account(NewAccount {
            id: None,
            name: "Dapur Bu Rina".into(),
            phone: Some("0812-3456-7890".into()),
        })
        .await
        .expect("seller");
    let sari = pasar
        .accounts()
        .save_account(NewAccount {
            id: None,
            name: "Bu Sari".into(),
            phone: None,
        })
        .await
        .expect("buyer");

    let created = catalog
        .create_product(kaos(&rina.id, ["biru", "l"]))
        .await
        .expect("create");
    assert_eq!(created.price_range_label, "Rp25.000 \u{2013} Rp30.000");
    assert_eq!(
        (created.preorder_days, created.unit.as_str()),
        (Some(3), "pcs")
    );
    assert!(created.in_stock);
    let values: Vec<_> = created
        .variants
        .iter()
        .map(|v| v.values.join("/"))
        .collect();
    assert_eq!(values, ["Merah/M", "Merah/L", "Biru/M", "Biru/L"]);
    let biru_l = &created.variants[3];
    assert_eq!(
        (
            biru_l.price_idr,
            biru_l.price_label.as_str(),
            biru_l.own_price
        ),
        (30_000, "Rp30.000", true)
    );
    assert_eq!(biru_l.stock, Some(Stock::Limited { count: 2 }));
    assert_eq!(biru_l.sku.as_deref(), Some("KAOS-B-L"));
    let merah_m = &created.variants[0];
    assert_eq!(
        (merah_m.price_idr, merah_m.own_price, merah_m.stock),
        (25_000, false, None)
    );

    // Each failure is typed and leaves what was saved as it was.
    let (field, indonesian) =
        validation_field(catalog.create_product(kaos(&rina.id, ["Hijau", "M"])).await);
    assert_eq!(
        (field.as_str(), indonesian.as_str()),
        ("variants", "Varian tidak valid")
    );
    match catalog.create_product(donat(NOBODY, "Donat", "25rb")).await {
        Err(PasarError::NotFound { indonesian, .. }) => {
            assert_eq!(indonesian, "Penjual tidak ditemukan");
        }
        other => panic!("expected not found, got {other:?}"),
    }
    let page = catalog.list_products(None, 0).await.expect("list");
    assert_eq!(page.items, vec![created.clone()]);

    let group = pasar
        .groups()
        .create_group("Pasar Ibu-ibu Sidoarjo".into(), rina.id.clone())
        .await
        .expect("group");
    let group = pasar
        .groups()
        .add_member(group.id.clone(), sari.id.clone(), GroupRole::Member)
        .await
        .expect("join");
    let members: Vec<_> = group
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.role))
        .collect();
    assert_eq!(
        members,
        [
            ("Dapur Bu Rina", GroupRole::Admin),
            ("Bu Sari", GroupRole::Member)
        ]
    );
    assert_eq!(
        pasar.groups().list_groups().await.expect("groups"),
        vec![group.clone()]
    );

    let listed = catalog
        .update_product(
            created.id.clone(),
            ProductPatch {
                group_ids: Some(vec![group.id.clone()]),
                preorder_days: Some(0),
                category: Some(String::new()),
                ..Default::default()
            },
        )
        .await
        .expect("list in group");
    assert_eq!(listed.group_ids, vec![group.id.clone()]);
    assert_eq!(
        (listed.preorder_days, listed.category.as_deref()),
        (None, None)
    );
    assert_eq!(listed.variants, created.variants);

    let fewer = catalog
        .update_product(
            created.id.clone(),
            ProductPatch {
                variants: Some(VariantsInput {
                    options: vec![VariantOption {
                        name: "Warna".into(),
                        values: vec!["Biru".into()],
                    }],
                    variants: vec![],
                }),
                ..Default::default()
            },
        )
        .await
        .expect("fewer variants");
    assert_eq!(fewer.variants.len(), 1);
    assert_eq!(fewer.price_range_label, "Rp25.000");

    drop(catalog);
    drop(pasar);
    let reopened = Pasar::open(path).expect("reopen");
    let read = reopened
        .catalog()
        .get_product(created.id.clone())
        .await
        .expect("read");
    assert_eq!(read, fewer);
    assert_eq!(
        reopened
            .groups()
            .get_group(group.id.clone())
            .await
            .expect("group"),
        group
    );
    assert_eq!(
        reopened
            .accounts()
            .get_account(rina.id.clone())
            .await
            .expect("account"),
        rina
    );
}

#[test]
fn typed_prices_parse_and_refuse_with_the_cores_message() {
    assert_eq!(parse_rupiah("Rp 1,5 jt".into()).expect("parse"), 1_500_000);
    assert_eq!(parse_rupiah("25rb".into()).expect("parse"), 25_000);
    let (field, indonesian) = validation_field(parse_rupiah("murah".into()));
    assert_eq!(field, "price");
    assert_eq!(
        indonesian,
        "Harga tidak terbaca. Tulis seperti 25000, 25rb atau Rp25.000"
    );
}

#[test]
fn opening_on_an_empty_path_or_a_file_is_a_typed_error() {
    assert!(
        matches!(Pasar::open("  ".into()), Err(PasarError::Validation { field, .. }) if field == "data_dir")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").expect("write");
    assert!(matches!(
        Pasar::open(file.display().to_string()),
        Err(PasarError::Storage { .. })
    ));
}
