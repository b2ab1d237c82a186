//! The FFI facade from Rust: the same calls the Kotlin and Swift tests make, checked
//! here first so a conversion bug shows up with a Rust backtrace.

use pasar_ffi::{
    CatalogEvent, CatalogListener, NewProduct, Pasar, PasarError, ProductPatch, Stock,
};
use std::sync::{Arc, Mutex};

fn donat(name: &str, price: i64) -> NewProduct {
    NewProduct {
        name: name.into(),
        description: String::new(),
        price_idr: price,
        stock: Stock::Limited { count: 3 },
    }
}

struct Recorder(Arc<Mutex<Vec<String>>>);

impl CatalogListener for Recorder {
    fn on_event(&self, event: CatalogEvent) {
        let CatalogEvent::ProductSaved { product } = event;
        self.0.lock().expect("lock").push(product.price_label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_errors_async_calls_and_listener_handles_cross_as_designed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().display().to_string();
    let pasar = Pasar::open(path.clone()).expect("open");
    let catalog = pasar.catalog();

    let heard = Arc::new(Mutex::new(Vec::new()));
    let handle = catalog.observe(Box::new(Recorder(Arc::clone(&heard))));
    let p = catalog
        .create_product(donat("Donat", 25_000))
        .await
        .expect("create");
    assert_eq!(p.price_label, "Rp25.000");
    catalog
        .update_product(
            p.id.clone(),
            ProductPatch {
                price_idr: Some(30_000),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    drop(handle);
    catalog
        .create_product(donat("Bantal", 45_000))
        .await
        .expect("create");
    assert_eq!(*heard.lock().expect("lock"), vec!["Rp25.000", "Rp30.000"]);

    match catalog.create_product(donat("Donat", 0)).await {
        Err(PasarError::Validation {
            field,
            indonesian,
            english,
        }) => {
            assert_eq!(field, "price_idr");
            assert_eq!(indonesian, "Harga minimal 1");
            assert_eq!(english, "Price must be at least 1");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
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
