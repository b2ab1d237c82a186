//! The cart against a real store: two sellers, a price change, sold-out lines,
//! fractions of a kilo, a guest cart merged after sign-in, a restart.

use super::*;
use crate::Pasar;
use crate::account::NewAccount;
use crate::catalog::{NewProduct, ProductPatch, Stock};

fn seller(p: &Pasar, name: &str) -> String {
    p.accounts()
        .save_blocking(NewAccount {
            id: None,
            name: name.into(),
            phone: None,
        })
        .expect("seller")
        .id
}

fn product(p: &Pasar, seller: &str, name: &str, price: &str, unit: &str, stock: Stock) -> String {
    let mut n = NewProduct::new(seller, name, price);
    n.unit = unit.into();
    n.stock = stock;
    p.catalog().create_product_blocking(n).expect("product").id
}

#[test]
fn a_two_seller_cart_with_a_price_change_and_a_sold_out_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let rina = seller(&pasar, "Dapur Bu Rina");
    let budi = seller(&pasar, "Toko Budi");
    let donat = product(
        &pasar,
        &rina,
        "Donat coklat",
        "25rb",
        "box",
        Stock::Limited(10),
    );
    let ayam = product(
        &pasar,
        &rina,
        "Ayam ungkep",
        "Rp60.000",
        "kg",
        Stock::Unlimited,
    );
    let casing = product(&pasar, &budi, "Casing HP", "35rb", "pcs", Stock::Limited(1));
    let cart = pasar.cart();
    cart.add_blocking(&donat, None, 2 * MILLI, "yang coklatnya banyak")
        .expect("add");
    cart.add_blocking(&ayam, None, 1500, "").expect("1,5 kg");
    cart.add_blocking(&casing, None, MILLI, "").expect("add");
    cart.add_blocking(&donat, None, MILLI, "")
        .expect("same item adds up");

    // The sellers change things while the buyer is away.
    pasar
        .catalog()
        .update_product_blocking(
            &donat,
            ProductPatch {
                price: Some("27rb".into()),
                ..Default::default()
            },
        )
        .expect("price");
    pasar
        .catalog()
        .update_product_blocking(
            &casing,
            ProductPatch {
                stock: Some(Stock::Limited(0)),
                ..Default::default()
            },
        )
        .expect("sold out");

    // And the phone restarts.
    drop(pasar);
    let pasar = Pasar::open(dir.path()).expect("reopen");
    let view = pasar.cart().view_blocking().expect("view");
    assert_eq!(view.sellers.len(), 2);
    let rina_cart = &view.sellers[0];
    assert_eq!(rina_cart.seller_name, "Dapur Bu Rina");
    assert_eq!(rina_cart.items.len(), 2);
    let d = &rina_cart.items[0];
    assert_eq!(d.line.quantity_milli, 3 * MILLI);
    assert_eq!(d.line.note, "yang coklatnya banyak");
    assert_eq!(
        d.state,
        LineState::PriceChanged {
            was: Rupiah::new(25_000),
            now: Rupiah::new(27_000)
        }
    );
    assert_eq!(
        rina_cart.items[1].total,
        Some(Rupiah::new(90_000)),
        "1,5 kg × Rp60.000"
    );
    assert_eq!(view.sellers[1].items[0].state, LineState::OutOfStock);
    assert!(view.needs_attention);

    // The buyer accepts the new price and drops the sold-out line.
    pasar
        .cart()
        .accept_price_blocking(&d.line.id)
        .expect("accept");
    pasar
        .cart()
        .remove_blocking(&view.sellers[1].items[0].line.id)
        .expect("remove");
    let view = pasar.cart().view_blocking().expect("view");
    assert!(!view.needs_attention);
    assert_eq!(view.total, Rupiah::new(3 * 27_000 + 90_000));
}

#[test]
fn bad_input_is_refused_and_the_cart_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let rina = seller(&pasar, "Dapur Bu Rina");
    let donat = product(&pasar, &rina, "Donat", "25rb", "box", Stock::Limited(10));
    let cart = pasar.cart();
    cart.add_blocking(&donat, None, MILLI, "").expect("add");
    let field = |r: Result<CartLine>| r.expect_err("refused").to_user().field;
    assert_eq!(
        field(cart.add_blocking(&donat, None, 500, "")).as_deref(),
        Some("quantity"),
        "half a box"
    );
    assert_eq!(
        field(cart.add_blocking(&donat, None, -MILLI, "")).as_deref(),
        Some("quantity")
    );
    assert_eq!(
        field(cart.add_blocking("' OR 1=1", None, MILLI, "")).as_deref(),
        Some("product_id")
    );
    assert_eq!(
        field(cart.add_blocking(&donat, None, MILLI, &"x".repeat(500))).as_deref(),
        Some("note")
    );
    let missing = crate::id::new_id();
    assert_eq!(
        cart.add_blocking(&missing, None, MILLI, "")
            .expect_err("missing")
            .kind(),
        crate::ErrorKind::NotFound
    );
    let lines = cart.lines_blocking().expect("lines");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].quantity_milli, MILLI);
}

#[test]
fn a_guest_cart_merges_into_the_account_cart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let account = Pasar::open(dir.path().join("account")).expect("open");
    let rina = seller(&account, "Dapur Bu Rina");
    let donat = product(&account, &rina, "Donat", "25rb", "box", Stock::Limited(10));
    let bolu = product(
        &account,
        &rina,
        "Bolu",
        "45rb",
        "loyang",
        Stock::Limited(10),
    );
    account
        .cart()
        .add_blocking(&donat, None, MILLI, "")
        .expect("add");
    let guest = vec![
        CartLine {
            id: crate::id::new_id(),
            product_id: donat.clone(),
            variant_id: None,
            quantity_milli: 2 * MILLI,
            price_seen: Rupiah::new(25_000),
            note: "pedas".into(),
            added_at: 1,
            updated_at: 1,
        },
        CartLine {
            id: crate::id::new_id(),
            product_id: bolu.clone(),
            variant_id: None,
            quantity_milli: MILLI,
            price_seen: Rupiah::new(45_000),
            note: String::new(),
            added_at: 2,
            updated_at: 2,
        },
    ];
    account.cart().merge_blocking(&guest).expect("merge");
    let lines = account.cart().lines_blocking().expect("lines");
    assert_eq!(lines.len(), 2);
    let d = lines.iter().find(|l| l.product_id == donat).expect("donat");
    assert_eq!((d.quantity_milli, d.note.as_str()), (3 * MILLI, "pedas"));
}

fn new_line(product_id: &str, variant: &[(&str, &str)], quantity_milli: i64) -> NewLine {
    NewLine {
        product_id: product_id.to_owned(),
        variant: variant
            .iter()
            .map(|(o, v)| ((*o).to_owned(), (*v).to_owned()))
            .collect(),
        quantity_milli,
        note: "pesanan Bu Yati".into(),
    }
}

/// Regression: a chat draft went in line by line, so a later line the cart refused
/// (1,5 of a product sold per piece) left the earlier lines in the cart.
#[test]
fn a_batch_goes_in_whole_or_not_at_all_naming_the_refused_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let rina = seller(&pasar, "Dapur Bu Rina");
    let brownies = product(
        &pasar,
        &rina,
        "Brownies Panggang",
        "45rb",
        "loyang",
        Stock::Unlimited,
    );
    let bomboloni = product(
        &pasar,
        &rina,
        "Donat Bomboloni",
        "5rb",
        "pcs",
        Stock::Unlimited,
    );
    let mut n = NewProduct::new(&rina, "Donat Kentang", "3rb");
    n.options = vec![crate::catalog::VariantOption {
        name: "Rasa".into(),
        values: vec!["Coklat".into(), "Keju".into()],
    }];
    let donat = pasar
        .catalog()
        .create_product_blocking(n)
        .expect("donat")
        .id;
    let cart = pasar.cart();
    cart.add_blocking(&brownies, None, MILLI, "")
        .expect("earlier line");

    let refused = cart
        .add_all_blocking(&[
            new_line(&brownies, &[], MILLI),
            new_line(&bomboloni, &[], 1500),
        ])
        .expect_err("1,5 pcs");
    let Error::InLine { line, name, error } = &refused else {
        panic!("expected the line's error, got {refused:?}");
    };
    assert_eq!((*line, name.as_str()), (1, "Donat Bomboloni"));
    assert_eq!(error.to_user().field.as_deref(), Some("quantity"));
    let user = refused.to_user();
    assert_eq!(user.field.as_deref(), Some("quantity"));
    assert!(user.message.id.starts_with("Baris 2 (Donat Bomboloni): "));
    let lines = cart.lines_blocking().expect("lines");
    assert_eq!(lines.len(), 1, "nothing of the refused batch stays");
    assert_eq!(lines[0].quantity_milli, MILLI);

    // A variant no one named, a product that is not there, a bad id: the same.
    for (items, at, field) in [
        (vec![new_line(&donat, &[], MILLI)], 0, Some("variant")),
        (
            vec![
                new_line(&brownies, &[], MILLI),
                new_line(&crate::id::new_id(), &[], MILLI),
            ],
            1,
            None,
        ),
        (
            vec![new_line("' OR 1=1", &[], MILLI)],
            0,
            Some("product_id"),
        ),
    ] {
        let e = cart.add_all_blocking(&items).expect_err("refused");
        assert!(
            matches!(e, Error::InLine { line, .. } if line == at),
            "{e:?}"
        );
        assert_eq!(e.to_user().field.as_deref(), field, "{e:?}");
    }
    assert_eq!(cart.lines_blocking().expect("lines").len(), 1);

    // All good: every line in, the same item twice adds up, the variant by its value.
    let added = cart
        .add_all_blocking(&[
            new_line(&donat, &[("Rasa", "Keju")], 12 * MILLI),
            new_line(&brownies, &[], MILLI),
            new_line(&donat, &[("Rasa", "Keju")], MILLI),
        ])
        .expect("added");
    assert_eq!(
        added.iter().map(|l| l.quantity_milli).collect::<Vec<_>>(),
        [12 * MILLI, 2 * MILLI, 13 * MILLI]
    );
    let view = cart.view_blocking().expect("view");
    let items = &view.sellers[0].items;
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].variant_label, "Keju");
    assert_eq!(items[1].line.note, "pesanan Bu Yati");
}
