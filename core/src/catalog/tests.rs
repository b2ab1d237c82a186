//! The catalog service against a real on-device store.

use super::*;
use crate::account::NewAccount;
use crate::catalog::search::SearchRequest;
use crate::group::Role;
use crate::{ErrorKind, Pasar};
use std::sync::Mutex;

fn seller(pasar: &Pasar) -> String {
    pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: "Dapur Bu Rina".into(),
            phone: Some("0812-3456-7890".into()),
        })
        .expect("seller")
        .id
}

fn donat(seller: &str, name: &str, price: impl Into<PriceInput>) -> NewProduct {
    let mut p = NewProduct::new(seller, name, price);
    p.description = "isi 6, coklat lumer".into();
    p.stock = Stock::Limited(12);
    p.unit = "box".into();
    p
}

#[tokio::test]
async fn a_product_with_variants_survives_closing_and_reopening_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = {
        let pasar = Pasar::open(dir.path()).expect("open");
        let seller = seller(&pasar);
        let mut new = donat(&seller, "Donat coklat", "25rb");
        new.category = Some("Kue & Roti".into());
        new.preorder_days = Some(2);
        new.options = vec![
            VariantOption {
                name: "Topping".into(),
                values: vec!["Keju".into(), "Meses".into()],
            },
            VariantOption {
                name: "Isi".into(),
                values: vec!["6".into(), "12".into()],
            },
        ];
        new.variants = vec![NewVariant {
            values: vec!["keju".into(), "12".into()],
            price: Some("45rb".into()),
            stock: Some(Stock::Limited(3)),
            sku: Some("DNT-K-12".into()),
        }];
        pasar.catalog().create_product(new).await.expect("create")
    };
    assert_eq!(created.price.to_string(), "Rp25.000");
    assert_eq!(created.variants.len(), 4);
    let pasar = Pasar::open(dir.path()).expect("reopen");
    let read = pasar
        .catalog()
        .get_product(created.id.clone())
        .await
        .expect("get");
    assert_eq!(read, created);
    assert_eq!(read.unit, "box");
    assert_eq!(read.preorder_days, Some(2));
    let big = read
        .variants
        .iter()
        .find(|v| v.values == ["Keju", "12"])
        .expect("variant");
    assert_eq!(read.price_of(Some(&big.id)).to_string(), "Rp45.000");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_saved_is_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let seller = seller(&pasar);
    let catalog = pasar.catalog();
    let kept = catalog
        .create_product(donat(&seller, "Bantal", 45_000))
        .await
        .expect("create");

    let err = catalog
        .create_product(donat(&seller, "Donat", "Rp -1"))
        .await
        .expect_err("negative price");
    let user = err.to_user();
    assert_eq!(user.kind, ErrorKind::Validation);
    assert_eq!(user.field.as_deref(), Some("price"));
    assert!(
        user.message.id.starts_with("Harga tidak terbaca"),
        "{}",
        user.message.id
    );

    let err = catalog
        .update_product(
            kept.id.clone(),
            ProductPatch {
                name: Some("   ".into()),
                price: Some(1.into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("blank name");
    assert_eq!(err.to_user().field.as_deref(), Some("name"));

    // A product for a seller this device does not know, or a group that does not exist.
    let stranger = crate::id::new_id();
    let err = catalog
        .create_product(donat(&stranger, "Donat", 1_000))
        .await
        .expect_err("seller");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let mut listed = donat(&seller, "Donat", 1_000);
    listed.group_ids = vec![crate::id::new_id()];
    assert_eq!(
        catalog
            .create_product(listed)
            .await
            .expect_err("group")
            .kind(),
        ErrorKind::NotFound
    );
    let mut with_photo = donat(&seller, "Donat", 1_000);
    with_photo.photos = vec!["ab".repeat(32)];
    assert_eq!(
        catalog
            .create_product(with_photo)
            .await
            .expect_err("photo")
            .to_user()
            .field
            .as_deref(),
        Some("photos")
    );

    // None of the failures touched what was saved.
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
    let seller = seller(&pasar);
    let catalog = pasar.catalog();
    let mut made = Vec::new();
    for i in 0..45 {
        made.push(
            catalog
                .create_product_blocking(donat(&seller, &format!("Produk {i}"), 1_000 + i))
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
            .create_product_blocking(donat(&seller, "Baru", 5_000))
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
async fn products_are_listed_in_groups_the_seller_belongs_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let seller = seller(&pasar);
    let group = pasar
        .groups()
        .create("Pasar Ibu-ibu Sidoarjo".into(), seller.clone())
        .await
        .expect("group");
    assert_eq!(group.members.len(), 1);
    assert_eq!(group.members[0].role, Role::Admin);
    let mut new = donat(&seller, "Donat", 25_000);
    new.group_ids = vec![group.id.clone(), group.id.clone()];
    let p = pasar.catalog().create_product(new).await.expect("create");
    assert_eq!(p.group_ids, vec![group.id.clone()]);
    let unlisted = pasar
        .catalog()
        .update_product(
            p.id.clone(),
            ProductPatch {
                group_ids: Some(vec![]),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert!(unlisted.group_ids.is_empty());
}

#[tokio::test]
async fn listeners_hear_each_committed_change_until_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let seller = seller(&pasar);
    let catalog = pasar.catalog();
    let heard = std::sync::Arc::new(Mutex::new(Vec::new()));
    let h = std::sync::Arc::clone(&heard);
    let subscription = catalog.observe(move |event| {
        if let CatalogEvent::ProductSaved(p) = event {
            h.lock()
                .expect("lock")
                .push((p.name.clone(), p.price.idr()));
        }
    });
    let p = catalog
        .create_product(donat(&seller, "Donat", 25_000))
        .await
        .expect("create");
    catalog
        .update_product(
            p.id.clone(),
            ProductPatch {
                price: Some("27rb".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    // A refused change is not an event.
    let _ = catalog.create_product(donat(&seller, "", 1)).await;
    drop(subscription);
    catalog
        .create_product(donat(&seller, "Bantal", 45_000))
        .await
        .expect("create");
    assert_eq!(
        *heard.lock().expect("lock"),
        vec![("Donat".to_owned(), 25_000), ("Donat".to_owned(), 27_000)]
    );
}

#[test]
fn a_catalog_file_imports_reports_bad_rows_and_reimports_as_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let fallback = seller(&pasar);
    let json = br#"[
        {"id": "DNT-01", "name": "Donat coklat", "price_idr": 25000, "unit": "box",
         "variants": {"topping": ["keju", "meses"]}, "stock": 12, "category": "Kue", "seller": "Toko Kue Sari"},
        {"id": "BTL-02", "name": "Bantal silikon", "price_idr": "45rb", "unit": "pcs", "variants": {}},
        {"id": "BAD-03", "name": "   ", "price_idr": 1000, "unit": "pcs", "variants": {}},
        {"id": "BAD-04", "name": "Kaos", "price_idr": 1000, "unit": "pcs", "variants": {"a": ["x"], "b": ["y"], "c": ["z"]}}
    ]"#;
    let catalog = pasar.catalog();
    let report = catalog
        .import_file_blocking(json, FileFormat::Json, Some(&fallback))
        .expect("import");
    assert_eq!((report.created, report.updated), (2, 0));
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.row, e.field.as_str()))
            .collect::<Vec<_>>(),
        [(3, "name"), (4, "options")]
    );
    assert!(
        report.errors[0].message.id.starts_with("Baris 3:"),
        "{:?}",
        report.errors[0]
    );

    let found = catalog
        .search_blocking(&SearchRequest {
            query: "donat sari".into(),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(found.items.len(), 1, "searchable by name and seller");
    let donat = &found.items[0];
    assert_eq!(donat.source_id.as_deref(), Some("DNT-01"));
    assert_eq!(donat.variants.len(), 2);

    // The same file again, with a new price: updates, no duplicates.
    let again = String::from_utf8_lossy(json).replace("25000", "27000");
    let report = catalog
        .import_file_blocking(again.as_bytes(), FileFormat::Json, Some(&fallback))
        .expect("import");
    assert_eq!((report.created, report.updated), (0, 2));
    let all = catalog
        .list_products_blocking(&PageRequest::first(50))
        .expect("list");
    assert_eq!(all.items.len(), 2);
    assert!(all.items.iter().any(|p| p.price.idr() == 27_000));

    // Export and import into a fresh store: the same catalog.
    let exported = catalog.export_json_blocking().expect("export");
    let dir2 = tempfile::tempdir().expect("tempdir");
    let other = Pasar::open(dir2.path()).expect("open");
    let owner = seller(&other);
    let report = other
        .catalog()
        .import_file_blocking(exported.as_bytes(), FileFormat::Json, Some(&owner))
        .expect("import");
    assert_eq!((report.created, report.errors.len()), (2, 0));
    let copy = other
        .catalog()
        .list_products_blocking(&PageRequest::first(50))
        .expect("list");
    let names = |p: &Page<Product>| {
        let mut v: Vec<_> = p
            .items
            .iter()
            .map(|p| (p.name.clone(), p.price.idr(), p.source_id.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&copy), names(&all));

    // Not a catalog at all: a clear error, nothing touched.
    assert!(
        catalog
            .import_file_blocking(b"\xff\xfe garbage", FileFormat::Json, None)
            .is_err()
    );
    assert_eq!(
        catalog
            .list_products_blocking(&PageRequest::first(50))
            .expect("list")
            .items
            .len(),
        2
    );
}

#[tokio::test]
async fn a_camera_photo_is_listed_without_its_metadata_and_a_corrupt_one_is_refused() {
    use crate::media::tests::{phone_jpeg, solid};
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let seller = seller(&pasar);
    let catalog = pasar.catalog();
    // A phone photo with GPS in EXIF, XMP and a comment, turned 90° by EXIF.
    let camera = phone_jpeg(&solid(1600, 1200, [200, 120, 40]), 6);
    let photo = catalog.add_photo(camera.clone()).await.expect("photo");
    assert_eq!(
        (photo.width, photo.height),
        (960, 1280),
        "upright and resized"
    );
    let stored = std::fs::read(catalog.photo_path(&photo, false)).expect("file");
    assert_eq!(
        crate::media::sha256_hex(&stored),
        photo.hash,
        "content-addressed"
    );
    for secret in [
        &b"GPS"[..],
        b"Exif\0\0",
        b"xmpmeta",
        b"rumah Ibu Sari",
        b"Xiaomi",
    ] {
        assert!(
            !stored.windows(secret.len()).any(|w| w == secret),
            "{:?} leaked",
            String::from_utf8_lossy(secret)
        );
    }
    assert!(catalog.photo_path(&photo, true).exists());
    // The same photo again is the same photo, stored once, queued once.
    assert_eq!(
        catalog.add_photo(camera).await.expect("again").hash,
        photo.hash
    );
    assert_eq!(
        catalog.pending_uploads_blocking().expect("queue"),
        vec![photo.clone()]
    );

    let mut new = donat(&seller, "Donat coklat", "25rb");
    new.photos = vec![photo.hash.clone()];
    let product = catalog.create_product(new).await.expect("create");
    assert_eq!(product.photos, vec![photo.clone()]);

    // A corrupt photo: a clear error naming the photo, nothing saved is touched.
    let mut broken = phone_jpeg(&solid(64, 64, [1, 2, 3]), 1);
    broken.truncate(broken.len() / 3);
    for bad in [broken, b"not a photo at all".to_vec(), Vec::new()] {
        let e = catalog.add_photo(bad).await.expect_err("refused");
        let u = e.to_user();
        assert_eq!(
            (u.kind, u.field.as_deref()),
            (ErrorKind::Validation, Some("photo"))
        );
        assert!(
            u.message.id.to_lowercase().contains("foto"),
            "{}",
            u.message.id
        );
    }
    assert_eq!(catalog.pending_uploads_blocking().expect("queue").len(), 1);
    assert_eq!(
        catalog.get_product(product.id.clone()).await.expect("get"),
        product
    );
}

#[tokio::test]
async fn an_unlisted_photo_can_be_discarded_and_a_listed_one_cannot() {
    use crate::media::tests::{phone_jpeg, solid};
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let seller = seller(&pasar);
    let catalog = pasar.catalog();
    let kept = catalog
        .add_photo(phone_jpeg(&solid(300, 200, [10, 200, 10]), 1))
        .await
        .expect("photo");
    let dropped = catalog
        .add_photo(phone_jpeg(&solid(300, 200, [200, 10, 10]), 1))
        .await
        .expect("photo");
    assert_eq!(
        (kept.thumb_width, kept.thumb_height),
        (300, 200),
        "small photos are not upscaled"
    );
    let mut new = donat(&seller, "Donat", 1_000);
    new.photos = vec![kept.hash.clone()];
    catalog.create_product(new).await.expect("create");

    catalog
        .discard_photo(dropped.hash.clone())
        .await
        .expect("discard");
    assert!(!catalog.photo_path(&dropped, false).exists());
    assert!(!catalog.photo_path(&dropped, true).exists());
    assert_eq!(
        catalog.pending_uploads_blocking().expect("queue"),
        vec![kept.clone()]
    );

    let e = catalog
        .discard_photo(kept.hash.clone())
        .await
        .expect_err("in use");
    assert_eq!(e.to_user().message.id, "Foto masih dipakai");
    assert!(catalog.photo_path(&kept, false).exists());
    assert_eq!(
        catalog
            .discard_photo(dropped.hash)
            .await
            .expect_err("gone")
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        catalog
            .discard_photo("../etc".into())
            .await
            .expect_err("bad")
            .kind(),
        ErrorKind::Validation
    );
}
