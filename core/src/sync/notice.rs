//! What a phone tells its user when an order moves: the notification's title, body and
//! deep link, the same whether the news came by push or by an ordinary sync.
//!
//! Pure: an order, the step that moved it and who is looking in, to a text. The
//! engine decides *whether* to tell (once per change, never one's own doing); this
//! decides *what*.

use crate::i18n::{Lang, Text};
use crate::order::{Order, OrderEvent, OrderStatus};

/// A notification for the app to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub order_id: String,
    /// The order's version this tells of.
    pub version: i64,
    pub title: String,
    pub body: String,
    /// `pasar://order/<id>`: the screen a tap opens.
    pub deep_link: String,
    /// One per order: a newer notice replaces the shown one (Android tag, iOS thread).
    pub collapse_key: String,
}

/// The collapse key of an order's notices, on the phone and in the server's pushes.
pub fn collapse_key(order_id: &str) -> String {
    format!("order:{order_id}")
}

/// The notice for `event` on `order` as `me` sees it; `None` for a step `me` took
/// (one does not need telling) or one that concerns someone else.
pub fn order_notice(order: &Order, event: &OrderEvent, me: &str, lang: Lang) -> Option<Notice> {
    if event.actor_id.as_deref() == Some(me) {
        return None;
    }
    let seller = order.seller_id == me;
    let partner = order.links.partner.as_ref().is_some_and(|p| p.id == me);
    let promoter = order.links.promoter.as_ref().is_some_and(|p| p.id == me);
    let buyer = order.buyer_id == me;
    if !seller && !buyer && !partner && !promoter {
        return None;
    }
    let n = &order.number;
    let t = |id: String, en: String| Text::new(id, en).get(lang).to_owned();
    if promoter && !seller && !buyer && !partner {
        return promoter_notice(order, event).map(|(id, en, bid, ben)| Notice {
            order_id: order.id.clone(),
            version: order.version,
            title: t(id, en),
            body: t(bid, ben),
            deep_link: format!("pasar://order/{}", order.id),
            collapse_key: collapse_key(&order.id),
        });
    }
    let (title, body) = match (event.action.as_str(), event.to) {
        ("place", _) if partner => (
            t(
                format!("Pesanan baru untuk dikemas #{n}"),
                format!("New order to pack #{n}"),
            ),
            t(
                format!(
                    "{} barang, kirim lewat {}",
                    order.items.len(),
                    courier_of(order)
                ),
                format!("{} items, {}", order.items.len(), courier_of(order)),
            ),
        ),
        ("pack", _) => (
            t("Pesanan dikemas".into(), "Order packed".into()),
            t(
                format!("Pesanan #{n} sudah dikemas, menunggu kurir."),
                format!("Order #{n} is packed and waits for the courier."),
            ),
        ),
        ("place", _) if seller => (
            t(format!("Pesanan baru #{n}"), format!("New order #{n}")),
            t(
                format!(
                    "{} barang, {} ({})",
                    order.items.len(),
                    order.total,
                    payment_id(order)
                ),
                format!(
                    "{} items, {} ({})",
                    order.items.len(),
                    order.total,
                    payment_en(order)
                ),
            ),
        ),
        (_, OrderStatus::Processing) => (
            t("Pembayaran diterima".into(), "Payment received".into()),
            t(
                format!("Pesanan #{n} sedang dikemas penjual."),
                format!("The seller is packing order #{n}."),
            ),
        ),
        (_, OrderStatus::Shipped) => {
            let how = if event.detail.trim().is_empty() {
                order.resi.clone().unwrap_or_default()
            } else {
                event.detail.trim().to_owned()
            };
            let dash = if how.is_empty() { "" } else { " — " };
            (
                t("Pesanan dikirim".into(), "Order shipped".into()),
                t(
                    format!("Pesanan #{n} sedang dikirim{dash}{how}"),
                    format!("Order #{n} is on its way{dash}{how}"),
                ),
            )
        }
        (_, OrderStatus::ReadyForPickup) => (
            t("Siap diambil".into(), "Ready for pickup".into()),
            t(
                format!("Pesanan #{n} sudah bisa diambil di penjual."),
                format!("Order #{n} is ready to collect from the seller."),
            ),
        ),
        (_, OrderStatus::Delivered) => (
            t("Pesanan sampai".into(), "Order delivered".into()),
            t(
                format!("Pesanan #{n} sudah sampai di tujuan."),
                format!("Order #{n} has been delivered."),
            ),
        ),
        (_, OrderStatus::Completed) => (
            t("Pesanan selesai".into(), "Order completed".into()),
            t(
                format!("Pesanan #{n} selesai. Terima kasih!"),
                format!("Order #{n} is complete. Thank you!"),
            ),
        ),
        ("expire", OrderStatus::Cancelled) => (
            t("Pesanan dibatalkan".into(), "Order cancelled".into()),
            t(
                format!("Pesanan #{n} dibatalkan otomatis: tidak dibayar tepat waktu."),
                format!("Order #{n} was cancelled: it was not paid in time."),
            ),
        ),
        (_, OrderStatus::Cancelled) => {
            let why = event.detail.trim();
            let (by_id, by_en) = if seller {
                ("pembeli", "the buyer")
            } else {
                ("penjual", "the seller")
            };
            let colon = if why.is_empty() { "" } else { ": " };
            (
                t("Pesanan dibatalkan".into(), "Order cancelled".into()),
                t(
                    format!("Pesanan #{n} dibatalkan {by_id}{colon}{why}"),
                    format!("Order #{n} was cancelled by {by_en}{colon}{why}"),
                ),
            )
        }
        (_, OrderStatus::AwaitingPayment) => return None,
    };
    Some(Notice {
        order_id: order.id.clone(),
        version: order.version,
        title,
        body,
        deep_link: format!("pasar://order/{}", order.id),
        collapse_key: collapse_key(&order.id),
    })
}

/// How a courier order goes, for the partner's notice ("JNE REG").
fn courier_of(order: &Order) -> String {
    order.shipping.as_ref().map_or_else(
        || "kurir pilihan penjual".to_owned(),
        |s| format!("{} {}", s.courier.name(), s.service),
    )
}

/// A promoter hears of an order through their code when it is placed and when their
/// commission is settled: (title id, title en, body id, body en).
fn promoter_notice(order: &Order, event: &OrderEvent) -> Option<(String, String, String, String)> {
    let n = &order.number;
    let c = order.commission();
    let code = order
        .links
        .promoter
        .as_ref()
        .map_or("", |p| p.code.as_str());
    Some(match (event.action.as_str(), event.to) {
        ("place", _) => (
            format!("Pesanan lewat kode {code}"),
            format!("An order through {code}"),
            format!("Pesanan #{n}: komisi {c} setelah selesai."),
            format!("Order #{n}: {c} commission once it completes."),
        ),
        (_, OrderStatus::Completed) => (
            "Komisi masuk".into(),
            "Commission earned".into(),
            format!("Pesanan #{n} selesai: komisi {c}."),
            format!("Order #{n} completed: {c} commission."),
        ),
        (_, OrderStatus::Cancelled) => (
            "Pesanan dibatalkan".into(),
            "Order cancelled".into(),
            format!("Pesanan #{n} dibatalkan: tanpa komisi."),
            format!("Order #{n} was cancelled: no commission."),
        ),
        _ => return None,
    })
}

/// A notice from a push alone, when the order could not be fetched (offline again,
/// out of time): the status it moved to, without the details a pull would add.
pub fn hint_notice(
    order_id: &str,
    number: Option<&str>,
    status: OrderStatus,
    version: i64,
    lang: Lang,
) -> Notice {
    let label = status.label();
    let which = number.map(|n| format!(" #{n}")).unwrap_or_default();
    let text = Text::new(
        format!("Pesanan{which}: {}", label.id),
        format!("Order{which}: {}", label.en),
    );
    let title = Text::new("Pesanan diperbarui", "Order updated");
    Notice {
        order_id: order_id.to_owned(),
        version,
        title: title.get(lang).to_owned(),
        body: text.get(lang).to_owned(),
        deep_link: format!("pasar://order/{order_id}"),
        collapse_key: collapse_key(order_id),
    }
}

fn payment_id(order: &Order) -> &'static str {
    if order.payment.code() == "cod" {
        "COD"
    } else {
        "menunggu pembayaran"
    }
}

fn payment_en(order: &Order) -> &'static str {
    if order.payment.code() == "cod" {
        "cash on delivery"
    } else {
        "awaiting payment"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Rupiah;
    use crate::order::payment::PaymentMethod;
    use crate::order::{Delivery, Role};

    fn order(status: OrderStatus) -> Order {
        Order {
            links: Default::default(),
            id: "o1".into(),
            number: "A12".into(),
            checkout_id: "c1".into(),
            buyer_id: "sari".into(),
            seller_id: "rina".into(),
            status,
            payment: PaymentMethod::Cod,
            delivery: Delivery::Courier,
            address: None,
            shipping: None,
            resi: Some("JNE0123456789".into()),
            items: Vec::new(),
            items_total: Rupiah::new(50_000),
            ongkir: Rupiah::new(10_000),
            kode_unik: Rupiah::ZERO,
            discount: Rupiah::ZERO,
            total: Rupiah::new(60_000),
            note: String::new(),
            cancel_reason: None,
            expires_at: None,
            created_at: 1,
            updated_at: 2,
            version: 3,
        }
    }

    fn event(action: &str, actor: &str, to: OrderStatus, detail: &str) -> OrderEvent {
        OrderEvent {
            at: 2,
            role: Role::Seller,
            actor_id: Some(actor.into()),
            action: action.into(),
            from: None,
            to,
            detail: detail.into(),
        }
    }

    #[test]
    fn the_buyer_hears_the_shipment_with_courier_and_resi_in_her_language() {
        let o = order(OrderStatus::Shipped);
        let e = event("ship", "rina", OrderStatus::Shipped, "JNE JNE0123456789");
        let id = order_notice(&o, &e, "sari", Lang::Id).expect("a notice");
        assert_eq!(id.title, "Pesanan dikirim");
        assert_eq!(id.body, "Pesanan #A12 sedang dikirim — JNE JNE0123456789");
        assert_eq!(id.deep_link, "pasar://order/o1");
        assert_eq!(id.collapse_key, "order:o1");
        assert_eq!(id.version, 3);
        let en = order_notice(&o, &e, "sari", Lang::En).expect("a notice");
        assert_eq!(en.body, "Order #A12 is on its way — JNE JNE0123456789");
    }

    #[test]
    fn nobody_is_told_of_their_own_step_or_of_someone_elses_order() {
        let o = order(OrderStatus::Shipped);
        let e = event("ship", "rina", OrderStatus::Shipped, "JNE 1");
        assert_eq!(order_notice(&o, &e, "rina", Lang::Id), None);
        assert_eq!(order_notice(&o, &e, "budi", Lang::Id), None);
    }

    #[test]
    fn the_seller_hears_of_a_new_order_and_of_the_buyers_cancellation() {
        let o = order(OrderStatus::Processing);
        let placed = event("place", "sari", OrderStatus::Processing, "cod");
        let n = order_notice(&o, &placed, "rina", Lang::Id).expect("a notice");
        assert_eq!(n.title, "Pesanan baru #A12");
        assert_eq!(n.body, "0 barang, Rp60.000 (COD)");
        let o = order(OrderStatus::Cancelled);
        let cancel = event("cancel", "sari", OrderStatus::Cancelled, "salah alamat");
        let n = order_notice(&o, &cancel, "rina", Lang::Id).expect("a notice");
        assert_eq!(n.body, "Pesanan #A12 dibatalkan pembeli: salah alamat");
        let expired = OrderEvent {
            actor_id: None,
            ..event("expire", "", OrderStatus::Cancelled, "")
        };
        let n = order_notice(&o, &expired, "sari", Lang::En).expect("a notice");
        assert_eq!(n.body, "Order #A12 was cancelled: it was not paid in time.");
    }

    #[test]
    fn every_move_a_buyer_can_be_told_of_has_words_in_both_languages() {
        for (action, to) in [
            ("confirm_payment", OrderStatus::Processing),
            ("ship", OrderStatus::Shipped),
            ("ready_for_pickup", OrderStatus::ReadyForPickup),
            ("mark_delivered", OrderStatus::Delivered),
            ("complete", OrderStatus::Completed),
            ("cancel", OrderStatus::Cancelled),
        ] {
            let o = order(to);
            let e = event(action, "rina", to, "");
            for lang in [Lang::Id, Lang::En] {
                let n = order_notice(&o, &e, "sari", lang).expect("a notice");
                assert!(n.body.contains("#A12"), "{action}: {n:?}");
                assert!(!n.title.is_empty() && !n.body.ends_with(' '), "{n:?}");
            }
        }
    }

    #[test]
    fn a_hint_alone_still_says_what_happened() {
        let n = hint_notice("o1", Some("A12"), OrderStatus::Shipped, 4, Lang::Id);
        assert_eq!(n.body, "Pesanan #A12: Dikirim");
        let n = hint_notice("o1", None, OrderStatus::Delivered, 4, Lang::En);
        assert_eq!(n.body, "Order: Delivered");
        assert_eq!(n.version, 4);
    }
}
