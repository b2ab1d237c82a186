//! Checkout and the order lifecycle against a real store.

use super::address::Address;
use super::ongkir::{Courier, Rate, Shipping};
use super::payment::PaymentMethod;
use super::*;
use crate::account::NewAccount;
use crate::cart::MILLI;
use crate::catalog::{NewProduct, ProductPatch, Stock};
use crate::money::Rupiah;
use crate::{ErrorKind, Pasar};

struct Shop {
    _dir: tempfile::TempDir,
    pasar: Pasar,
    buyer: String,
    rina: String,
    budi: String,
    donat: String,
    casing: String,
}

fn account(p: &Pasar, name: &str, phone: &str) -> String {
    p.accounts()
        .save_blocking(NewAccount {
            id: None,
            name: name.into(),
            phone: Some(phone.into()),
        })
        .expect("account")
        .id
}

fn shop() -> Shop {
    let dir = tempfile::tempdir().expect("tempdir");
    let pasar = Pasar::open(dir.path()).expect("open");
    let buyer = account(&pasar, "Ibu Sari", "0812-1111-2222");
    let rina = account(&pasar, "Dapur Bu Rina", "0813-3333-4444");
    let budi = account(&pasar, "Toko Budi", "0857-5555-6666");
    let mut d = NewProduct::new(&rina, "Donat coklat", "25rb");
    d.unit = "box".into();
    d.stock = Stock::Limited(10);
    d.weight_grams = 600;
    let donat = pasar
        .catalog()
        .create_product_blocking(d)
        .expect("donat")
        .id;
    let mut c = NewProduct::new(&budi, "Casing HP", "35rb");
    c.stock = Stock::Limited(3);
    c.weight_grams = 100;
    let casing = pasar
        .catalog()
        .create_product_blocking(c)
        .expect("casing")
        .id;
    pasar
        .orders()
        .set_rate_blocking(
            &budi,
            Rate {
                courier: Courier::Jne,
                service: "REG".into(),
                destination: "Jawa Timur".into(),
                first_kg: Rupiah::new(11_000),
                next_kg: Rupiah::new(11_000),
            },
        )
        .expect("rate");
    Shop {
        _dir: dir,
        pasar,
        buyer,
        rina,
        budi,
        donat,
        casing,
    }
}

fn address() -> Address {
    Address {
        recipient: "Ibu Sari".into(),
        phone: "0812-1111-2222".into(),
        street: "Jl. Melati No. 5 RT 03/RW 05".into(),
        kelurahan: "Pucang".into(),
        kecamatan: "Sidoarjo".into(),
        kabupaten: "Kab. Sidoarjo".into(),
        provinsi: "Jawa Timur".into(),
        kode_pos: "61219".into(),
        notes: String::new(),
    }
}

fn request(s: &Shop, checkout_id: &str) -> CheckoutRequest {
    CheckoutRequest {
        checkout_id: checkout_id.into(),
        buyer_id: s.buyer.clone(),
        address: Some(address()),
        sellers: vec![
            SellerChoice {
                seller_id: s.rina.clone(),
                shipping: None,
                payment: PaymentMethod::Cod,
                note: "ambil sore".into(),
            },
            SellerChoice {
                seller_id: s.budi.clone(),
                shipping: Some(Shipping {
                    courier: Courier::Jne,
                    service: "REG".into(),
                }),
                payment: PaymentMethod::BankTransfer { bank: "BCA".into() },
                note: String::new(),
            },
        ],
    }
}

#[test]
fn a_two_seller_checkout_then_the_seller_walks_the_order_to_selesai() {
    let s = shop();
    let cart = s.pasar.cart();
    cart.add_blocking(&s.donat, None, 2 * MILLI, "pedas")
        .expect("add");
    cart.add_blocking(&s.casing, None, 2 * MILLI, "")
        .expect("add");
    // The price moves while the buyer looks away: checkout refuses until she has seen it.
    s.pasar
        .catalog()
        .update_product_blocking(
            &s.donat,
            ProductPatch {
                price: Some("27rb".into()),
                ..Default::default()
            },
        )
        .expect("price");
    // Bu Rina gives Rp5.000 off from Rp50.000 (and Rp2.000 from Rp20.000).
    let o = s.pasar.orders();
    o.set_discount_blocking(&s.rina, Rupiah::new(50_000), Rupiah::new(5_000))
        .expect("potongan");
    o.set_discount_blocking(&s.rina, Rupiah::new(20_000), Rupiah::new(2_000))
        .expect("potongan");
    let checkout_id = crate::id::new_id();
    let e = s
        .pasar
        .orders()
        .checkout_blocking(request(&s, &checkout_id))
        .expect_err("stale price");
    assert_eq!(e.to_user().field.as_deref(), Some("cart"));
    assert_eq!(
        cart.lines_blocking().expect("lines").len(),
        2,
        "nothing lost"
    );
    let view = cart.view_blocking().expect("view");
    cart.accept_price_blocking(&view.sellers[0].items[0].line.id)
        .expect("accept");

    let orders = s
        .pasar
        .orders()
        .checkout_blocking(request(&s, &checkout_id))
        .expect("checkout");
    assert_eq!(orders.len(), 2);
    let (cod, transfer) = (&orders[0], &orders[1]);
    assert_eq!(
        cod.status.label().id,
        "Dikemas",
        "COD is packed straight away"
    );
    assert_eq!(cod.items_total, Rupiah::new(54_000));
    assert_eq!(
        cod.discount,
        Rupiah::new(5_000),
        "the best potongan that applies"
    );
    assert_eq!(cod.total, Rupiah::new(49_000));
    assert_eq!(cod.ongkir, Rupiah::ZERO, "picked up");
    assert_eq!(transfer.status.label().id, "Belum Bayar");
    assert_eq!(
        transfer.ongkir,
        Rupiah::new(11_000),
        "200 g → 1 kg to Jawa Timur"
    );
    assert!((1..=999).contains(&transfer.kode_unik.idr()));
    assert_eq!(
        transfer.total.idr(),
        70_000 + 11_000 + transfer.kode_unik.idr()
    );
    assert!(transfer.expires_at.is_some());
    assert!(
        cart.lines_blocking().expect("lines").is_empty(),
        "ordered lines leave the cart"
    );

    // A double tap: the same checkout again changes nothing and returns the same orders.
    let again = s
        .pasar
        .orders()
        .checkout_blocking(request(&s, &checkout_id))
        .expect("retry");
    assert_eq!(again, orders);
    let casing = s
        .pasar
        .catalog()
        .get_product_blocking(&s.casing)
        .expect("casing");
    assert_eq!(casing.stock, Stock::Limited(1), "stock taken once");

    // The buttons each side sees: a COD order has no payment to confirm.
    assert_eq!(cod.role_of(&s.rina), Some(Role::Seller));
    assert_eq!(cod.role_of(&s.buyer), Some(Role::Buyer));
    assert_eq!(cod.role_of(&s.budi), None);
    assert_eq!(
        cod.available_actions(Role::Seller),
        [OrderMove::ReadyForPickup, OrderMove::Cancel]
    );
    assert_eq!(
        transfer.available_actions(Role::Seller),
        [OrderMove::ConfirmPayment, OrderMove::Cancel]
    );
    assert_eq!(transfer.available_actions(Role::Buyer), [OrderMove::Cancel]);

    // The seller's side.
    let budi = &s.budi;
    let e = o
        .act_blocking(&transfer.id, &s.buyer, OrderAction::ConfirmPayment)
        .expect_err("buyer");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    o.act_blocking(&transfer.id, budi, OrderAction::ConfirmPayment)
        .expect("paid");
    let e = o
        .act_blocking(
            &transfer.id,
            budi,
            OrderAction::Ship {
                courier: "JNE REG".into(),
                resi: " ".into(),
            },
        )
        .expect_err("no resi");
    assert_eq!(e.to_user().field.as_deref(), Some("resi"));
    let shipped = o
        .act_blocking(
            &transfer.id,
            budi,
            OrderAction::Ship {
                courier: "JNE REG".into(),
                resi: "JNE0123456789".into(),
            },
        )
        .expect("shipped");
    assert_eq!(
        (shipped.status.label().id.as_str(), shipped.resi.as_deref()),
        ("Dikirim", Some("JNE0123456789"))
    );
    assert_eq!(
        shipped.available_actions(Role::Seller),
        [OrderMove::MarkDelivered]
    );
    assert_eq!(
        shipped.available_actions(Role::Buyer),
        [OrderMove::Complete]
    );
    o.act_blocking(&transfer.id, budi, OrderAction::MarkDelivered)
        .expect("delivered");
    let done = o
        .act_blocking(&transfer.id, &s.buyer, OrderAction::Complete)
        .expect("completed");
    assert_eq!(done.status.label().id, "Selesai");
    assert_eq!(done.version, 5);
    let e = o
        .act_blocking(
            &transfer.id,
            budi,
            OrderAction::Cancel { reason: "x".into() },
        )
        .expect_err("final");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let history: Vec<String> = o
        .history_blocking(&transfer.id)
        .expect("history")
        .iter()
        .map(|e| format!("{:?}:{}:{}", e.role, e.action, e.to.code()))
        .collect();
    assert_eq!(
        history,
        [
            "Buyer:place:awaiting_payment",
            "Seller:confirm_payment:processing",
            "Seller:ship:shipped",
            "Seller:mark_delivered:delivered",
            "Buyer:complete:completed"
        ]
    );
    // A stranger is not told the order exists.
    let stranger = account(&s.pasar, "Orang Lain", "0811-9999-0000");
    assert_eq!(
        o.act_blocking(&cod.id, &stranger, OrderAction::Complete)
            .expect_err("stranger")
            .kind(),
        ErrorKind::NotFound
    );

    let (text, link) = o.whatsapp_message_blocking(&transfer.id).expect("wa");
    assert!(
        text.contains(&format!("Mohon transfer tepat {}", transfer.total)),
        "{text}"
    );
    assert!(
        link.expect("buyer has a phone")
            .starts_with("https://wa.me/6281211112222?text=Halo%20Ibu%20Sari")
    );
}

#[test]
fn cancelling_gives_the_stock_back_and_unpaid_orders_expire() {
    let s = shop();
    let o = s.pasar.orders();
    s.pasar
        .cart()
        .add_blocking(&s.casing, None, 3 * MILLI, "")
        .expect("add");
    let mut req = request(&s, &crate::id::new_id());
    req.sellers.remove(0);
    let order = o.checkout_blocking(req).expect("checkout").remove(0);
    let stock = || {
        s.pasar
            .catalog()
            .get_product_blocking(&s.casing)
            .expect("p")
            .stock
    };
    assert_eq!(stock(), Stock::Limited(0));
    // Nobody pays: after the window the order is cancelled and the casing is back.
    assert_eq!(
        o.expire_due_blocking(order.created_at + PAYMENT_WINDOW_MS - 1)
            .expect("early"),
        0
    );
    assert_eq!(
        o.expire_due_blocking(order.created_at + PAYMENT_WINDOW_MS)
            .expect("expire"),
        1
    );
    let expired = o.get_blocking(&order.id).expect("get");
    assert_eq!(expired.status.label().id, "Dibatalkan");
    assert_eq!(stock(), Stock::Limited(3));
}

#[test]
fn two_buyers_racing_for_the_last_unit_one_gets_it() {
    let s = shop();
    let o = s.pasar.orders();
    s.pasar
        .catalog()
        .update_product_blocking(
            &s.casing,
            ProductPatch {
                stock: Some(Stock::Limited(1)),
                ..Default::default()
            },
        )
        .expect("last one");
    let pickup = |checkout: &str| CheckoutRequest {
        checkout_id: checkout.into(),
        buyer_id: s.buyer.clone(),
        address: None,
        sellers: vec![SellerChoice {
            seller_id: s.budi.clone(),
            shipping: None,
            payment: PaymentMethod::Cod,
            note: String::new(),
        }],
    };
    s.pasar
        .cart()
        .add_blocking(&s.casing, None, MILLI, "")
        .expect("add");
    o.checkout_blocking(pickup(&crate::id::new_id()))
        .expect("first");
    // The second buyer's cart line was added while one was still there (another phone
    // would hold its own store; here the line is put back as it was).
    s.pasar
        .catalog()
        .update_product_blocking(
            &s.casing,
            ProductPatch {
                stock: Some(Stock::Limited(1)),
                ..Default::default()
            },
        )
        .expect("seller recounts one");
    s.pasar
        .cart()
        .add_blocking(&s.casing, None, MILLI, "")
        .expect("add");
    s.pasar
        .catalog()
        .update_product_blocking(
            &s.casing,
            ProductPatch {
                stock: Some(Stock::Limited(0)),
                ..Default::default()
            },
        )
        .expect("gone");
    let e = o
        .checkout_blocking(pickup(&crate::id::new_id()))
        .expect_err("sold out");
    assert_eq!(e.kind(), ErrorKind::OutOfStock);
    assert_eq!(e.to_user().message.id, "Stok Casing HP tidak cukup");
    assert_eq!(
        s.pasar.cart().lines_blocking().expect("cart").len(),
        1,
        "the line stays for the buyer to see"
    );
}

#[test]
fn bad_checkouts_are_refused_and_nothing_is_made() {
    let s = shop();
    let o = s.pasar.orders();
    s.pasar
        .cart()
        .add_blocking(&s.casing, None, MILLI, "")
        .expect("add");
    let mut no_address = request(&s, &crate::id::new_id());
    no_address.address = None;
    no_address.sellers.remove(0);
    assert_eq!(
        o.checkout_blocking(no_address)
            .expect_err("address")
            .to_user()
            .field
            .as_deref(),
        Some("address")
    );
    let mut bad_kode_pos = request(&s, &crate::id::new_id());
    bad_kode_pos.sellers.remove(0);
    if let Some(a) = bad_kode_pos.address.as_mut() {
        a.kode_pos = "123".into();
    }
    assert_eq!(
        o.checkout_blocking(bad_kode_pos)
            .expect_err("kode pos")
            .to_user()
            .field
            .as_deref(),
        Some("kode_pos")
    );
    let mut no_route = request(&s, &crate::id::new_id());
    no_route.sellers.remove(0);
    if let Some(a) = no_route.address.as_mut() {
        a.kabupaten = "Kota Medan".into();
        a.provinsi = "Sumatera Utara".into();
    }
    assert_eq!(
        o.checkout_blocking(no_route)
            .expect_err("route")
            .to_user()
            .field
            .as_deref(),
        Some("shipping")
    );
    let mut hostile = request(&s, "'; DROP TABLE orders; --");
    hostile.sellers.remove(0);
    assert_eq!(
        o.checkout_blocking(hostile)
            .expect_err("id")
            .to_user()
            .field
            .as_deref(),
        Some("checkout_id")
    );
    assert!(
        o.for_account_blocking(&s.buyer, 0)
            .expect("orders")
            .is_empty()
    );
    assert_eq!(s.pasar.cart().lines_blocking().expect("cart").len(), 1);
    assert_eq!(
        s.pasar
            .catalog()
            .get_product_blocking(&s.casing)
            .expect("p")
            .stock,
        Stock::Limited(3)
    );
}

#[test]
fn quantities_read_the_indonesian_way() {
    assert_eq!(format_quantity(1500), "1,5");
    assert_eq!(format_quantity(2000), "2");
    assert_eq!(format_quantity(250), "0,25");
}

#[test]
fn the_quote_is_what_the_checkout_then_charges() {
    let s = shop();
    let cart = s.pasar.cart();
    cart.add_blocking(&s.donat, None, 2 * MILLI, "")
        .expect("add");
    cart.add_blocking(&s.casing, None, 3 * MILLI, "")
        .expect("add");
    let o = s.pasar.orders();
    o.set_discount_blocking(&s.rina, Rupiah::new(50_000), Rupiah::new(5_000))
        .expect("potongan");
    let checkout_id = crate::id::new_id();
    let mut req = request(&s, &checkout_id);

    // The address not typed yet: Budi's ongkir is unknown, Rina's pick-up costs none.
    req.address = None;
    let early = o.quote_blocking(&req).expect("quote");
    assert_eq!(early[0].ongkir, Some(Rupiah::ZERO));
    assert_eq!(early[1].ongkir, None);
    assert_eq!(early[1].total, Rupiah::new(105_000), "the items alone");
    // What Budi ships by, its price unknown until the address is.
    let reg = Shipping {
        courier: Courier::Jne,
        service: "REG".into(),
    };
    assert_eq!(
        early[1].options,
        [ShippingOption {
            shipping: reg.clone(),
            ongkir: None
        }]
    );
    assert!(early[0].options.is_empty(), "Rina has no ongkir table");
    // A courier service Budi has no rate for: no ongkir, not an error.
    req.address = Some(address());
    req.sellers[1].shipping = Some(Shipping {
        courier: Courier::Jne,
        service: "YES".into(),
    });
    assert_eq!(o.quote_blocking(&req).expect("quote")[1].ongkir, None);
    req.sellers[1].shipping = Some(Shipping {
        courier: Courier::Jne,
        service: "REG".into(),
    });

    let quotes = o.quote_blocking(&req).expect("quote");
    // Rina: 2 × Rp25.000, Rp5.000 off from Rp50.000, picked up.
    assert_eq!(quotes[0].items_total, Rupiah::new(50_000));
    assert_eq!(quotes[0].discount, Rupiah::new(5_000));
    assert_eq!(quotes[0].total, Rupiah::new(45_000));
    // Budi: 3 × Rp35.000, 300 g rounds up to one kilo of JNE REG to Jawa Timur.
    assert_eq!(quotes[1].weight_grams, 300);
    assert_eq!(quotes[1].ongkir, Some(Rupiah::new(11_000)));
    assert_eq!(quotes[1].total, Rupiah::new(116_000));
    assert_eq!(
        quotes[1].options,
        [ShippingOption {
            shipping: reg,
            ongkir: Some(Rupiah::new(11_000))
        }]
    );
    assert_eq!(
        cart.lines_blocking().expect("lines").len(),
        2,
        "a quote takes nothing"
    );

    let placed = o.checkout_blocking(req).expect("checkout");
    for (q, order) in quotes.iter().zip(&placed) {
        assert_eq!(q.seller_id, order.seller_id);
        assert_eq!(q.items_total, order.items_total);
        assert_eq!(Some(order.ongkir), q.ongkir);
        assert_eq!(q.discount, order.discount);
        // The transfer's kode unik is chosen when it is placed.
        assert_eq!(
            q.total.checked_add(order.kode_unik),
            Some(order.total),
            "{order:?}"
        );
    }
    // Nothing left to quote for a seller no longer in the cart.
    let gone = o
        .quote_blocking(&request(&s, &checkout_id))
        .expect_err("nothing in the cart");
    assert_eq!(gone.to_user().field.as_deref(), Some("sellers"));
}
