//! The shipping label and packing slip of a courier order, as whoever packs it prints
//! it: the seller, or the partner packing for them. The sender is always the seller
//! (for a reseller's order, the reseller: the buyer bought from them), never the
//! partner or supplier behind them. Pure.

use super::model::Order;
use super::service::format_quantity;
use super::status::{Delivery, PaymentKind};
use crate::money::Rupiah;
use crate::phone::PhoneNumber;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippingLabel {
    pub order_number: String,
    pub sender_name: String,
    /// National form ("0812-3456-7890"), as couriers print it.
    pub sender_phone: Option<String>,
    /// The address block: recipient, phone, street, area, notes.
    pub recipient: String,
    /// "JNE REG", or empty when the seller and buyer agreed in chat.
    pub courier: String,
    pub resi: Option<String>,
    /// What the courier collects: the order's total for COD, nothing otherwise.
    pub cod: Option<Rupiah>,
    /// The packing slip, one line an item: "2 box Donat coklat (keju) — bungkus kado".
    pub items: Vec<String>,
    pub note: String,
}

/// The label of `order`, sent by `sender_name` (`sender_phone` in E.164); `None` for
/// a pick-up order or one without an address (nothing to ship).
pub fn shipping_label(
    order: &Order,
    sender_name: &str,
    sender_phone: Option<&str>,
) -> Option<ShippingLabel> {
    if order.delivery != Delivery::Courier {
        return None;
    }
    let address = order.address.as_ref()?;
    Some(ShippingLabel {
        order_number: order.number.clone(),
        sender_name: sender_name.to_owned(),
        sender_phone: sender_phone.map(|p| {
            PhoneNumber::parse(p)
                .map(|n| n.national_display())
                .unwrap_or_else(|_| p.to_owned())
        }),
        recipient: address.label(),
        courier: order
            .shipping
            .as_ref()
            .map(|s| format!("{} {}", s.courier.name(), s.service))
            .unwrap_or_default(),
        resi: order.resi.clone(),
        cod: (order.payment.kind() == PaymentKind::Cod).then_some(order.total),
        items: order
            .items
            .iter()
            .map(|i| {
                let variant = if i.variant_label.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", i.variant_label)
                };
                let note = if i.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", i.note)
                };
                format!(
                    "{} {} {}{variant}{note}",
                    format_quantity(i.quantity_milli),
                    i.unit,
                    i.name
                )
            })
            .collect(),
        note: order.note.clone(),
    })
}
