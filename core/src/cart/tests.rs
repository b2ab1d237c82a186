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
