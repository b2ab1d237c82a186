//! The catalog service against a real on-device store.

use super::*;
use crate::{ErrorKind, Pasar};
use std::sync::Mutex;

fn donat(name: &str, price: i64) -> NewProduct {
    NewProduct {
        name: name.into(),
        description: "isi 6, coklat lumer".into(),
        price_idr: price,
        stock: Stock::Limited(12),
    }
}

#[tokio::test]
async fn a_product_survives_closing_and_reopening_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = {
        let pasar = Pasar::open(dir.path()).expect("open");
        pasar
            .catalog()
            .create_product(donat("Donat coklat", 25_000))
            .await
            .expect("create")
    };
    let pasar = Pasar::open(dir.path()).expect("reopen");
    let read = pasar
        .catalog()
        .get_product(created.id.clone())
        .await
        .expect("get");
    assert_eq!(read, created);
    assert_eq!(read.price.to_string(), "Rp25.000");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_saved_is_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let catalog = pasar.catalog();
    let kept = catalog
        .create_product(donat("Bantal", 45_000))
        .await
        .expect("create");

    let err = catalog
        .create_product(donat("Donat", -1))
        .await
        .expect_err("negative price");
    let user = err.to_user();
    assert_eq!(user.kind, ErrorKind::Validation);
    assert_eq!(user.field.as_deref(), Some("price_idr"));
    assert_eq!(user.message.id, "Harga minimal 1");

    let err = catalog
        .update_product(
            kept.id.clone(),
            ProductPatch {
                name: Some("   ".into()),
                price_idr: Some(1),
                ..Default::default()
            },
        )
        .await
        .expect_err("blank name");
    assert_eq!(err.to_user().field.as_deref(), Some("name"));

    // Neither failure touched what was saved.
    let page = catalog
        .list_products(PageRequest::first(10))
        .await
        .expect("list");
    assert_eq!(page.items, vec![kept]);
}

#[tokio::test]
async fn hostile_ids_and_cursors_are_validation_errors_not_sql() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let catalog = pasar.catalog();
    for id in ["", "' OR 1=1 --", "../../etc/passwd", &"9".repeat(10_000)] {
        let err = catalog
            .get_product(id.to_owned())
            .await
            .expect_err("bad id");
        assert_eq!(err.kind(), ErrorKind::Validation, "{id:?}");
    }
    let err = catalog
        .list_products(PageRequest {
            after: Some("x' OR '1'='1".into()),
            limit: 10,
        })
        .await
        .expect_err("bad cursor");
    assert_eq!(err.to_user().field.as_deref(), Some("cursor"));
    let missing = crate::id::new_id();
    let err = catalog.get_product(missing).await.expect_err("missing");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn pages_are_stable_while_products_are_added_underneath() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let catalog = pasar.catalog();
    let mut made = Vec::new();
    for i in 0..45 {
        made.push(
            catalog
                .create_product_blocking(donat(&format!("Produk {i}"), 1_000 + i))
                .expect("create")
                .id,
        );
    }
    let mut seen = Vec::new();
    let mut request = PageRequest::first(20);
    loop {
        let page = catalog.list_products_blocking(&request).expect("page");
        assert!(page.items.len() <= 20);
        seen.extend(page.items.iter().map(|p| p.id.clone()));
        // A seller lists something new while the buyer scrolls: it belongs on top,
        // and must not shift or repeat what the buyer has not seen yet.
        catalog
            .create_product_blocking(donat("Baru", 5_000))
            .expect("create");
        match page.next_cursor {
            Some(cursor) => request.after = Some(cursor),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "every product exactly once, newest first");
    assert!(
        catalog
            .list_products_blocking(&PageRequest::first(PAGE_MAX + 1))
            .is_err()
    );
}

#[tokio::test]
async fn listeners_hear_each_committed_change_until_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let catalog = pasar.catalog();
    let heard = std::sync::Arc::new(Mutex::new(Vec::new()));
    let h = std::sync::Arc::clone(&heard);
    let subscription = catalog.observe(move |CatalogEvent::ProductSaved(p)| {
        h.lock()
            .expect("lock")
            .push((p.name.clone(), p.price.idr()));
    });
    let p = catalog
        .create_product(donat("Donat", 25_000))
        .await
        .expect("create");
    catalog
        .update_product(
            p.id.clone(),
            ProductPatch {
                price_idr: Some(27_000),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    // A refused change is not an event.
    let _ = catalog.create_product(donat("", 1)).await;
    drop(subscription);
    catalog
        .create_product(donat("Bantal", 45_000))
        .await
        .expect("create");
    assert_eq!(
        *heard.lock().expect("lock"),
        vec![("Donat".to_owned(), 25_000), ("Donat".to_owned(), 27_000)]
    );
}
