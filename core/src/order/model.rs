//! Orders as stored and shown, and what a checkout asks for.

use super::address::Address;
use super::ongkir::Shipping;
use super::payment::PaymentMethod;
use super::status::{Delivery, OrderMove, OrderStatus, Role, available_actions, partner_allows};
use crate::money::Rupiah;

/// How one seller's part of a checkout is delivered and paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SellerChoice {
    pub seller_id: String,
    /// `None`: the buyer picks it up.
    pub shipping: Option<Shipping>,
    pub payment: PaymentMethod,
    /// "Tolong dibungkus kado".
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// Made by the app once per checkout screen: the same id submitted again (double
    /// tap, retry after a timeout) returns the orders it already made.
    pub checkout_id: String,
    pub buyer_id: String,
    /// Where courier orders go; required if any choice ships.
    pub address: Option<Address>,
    /// The sellers whose cart lines to order now; others stay in the cart.
    pub sellers: Vec<SellerChoice>,
}

/// What one seller's part of a checkout would cost, before it is placed: the items at
/// today's prices, the ongkir (`None` while the address or the courier service does not
/// give one), the seller's discount, and the total. A transfer's kode unik is chosen
/// when the order is placed, so it is not in this total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub seller_id: String,
    pub items_total: Rupiah,
    pub ongkir: Option<Rupiah>,
    pub discount: Rupiah,
    pub total: Rupiah,
    pub weight_grams: u32,
    /// The courier services the seller's ongkir table has, each with its ongkir to the
    /// address (`None` while the address is incomplete, or when it does not reach
    /// there), in the table's order: what the screen offers to choose from.
    pub options: Vec<ShippingOption>,
}

/// One courier service a seller ships by, and what it costs to the buyer's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippingOption {
    pub shipping: Shipping,
    pub ongkir: Option<Rupiah>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderItem {
    pub product_id: String,
    pub variant_id: Option<String>,
    pub name: String,
    pub variant_label: String,
    pub unit: String,
    pub quantity_milli: i64,
    pub unit_price: Rupiah,
    pub total: Rupiah,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    /// Short, for chat and labels: "7F3A2C".
    pub number: String,
    pub checkout_id: String,
    pub buyer_id: String,
    pub seller_id: String,
    pub status: OrderStatus,
    pub payment: PaymentMethod,
    pub delivery: Delivery,
    pub address: Option<Address>,
    pub shipping: Option<Shipping>,
    pub resi: Option<String>,
    pub items: Vec<OrderItem>,
    pub items_total: Rupiah,
    pub ongkir: Rupiah,
    /// 1–999 rupiah added to a transfer so the seller can recognise it.
    pub kode_unik: Rupiah,
    pub discount: Rupiah,
    pub total: Rupiah,
    pub note: String,
    pub cancel_reason: Option<String>,
    /// Unpaid orders are cancelled after this (UTC ms).
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Goes up with every change: pushes and sync compare it.
    pub version: i64,
    /// Who else the order goes through: its promoter, the partner who ships it, what
    /// a reseller owes the supplier. Set by the server; each party's copy shows what
    /// is theirs (see `sync::wire::OrderDoc`).
    pub links: OrderLinks,
}

/// An order's promoter, partner and supplier, as the server sent them to this phone.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderLinks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoter: Option<crate::sync::wire::PromoterDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<crate::sync::wire::ProfileDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply: Option<crate::sync::wire::SupplyDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packed_at: Option<i64>,
}

impl OrderLinks {
    pub fn is_empty(&self) -> bool {
        *self == OrderLinks::default()
    }
}

impl Order {
    /// Who `actor_id` is on this order: its seller, its buyer, or nobody (who is told
    /// the order does not exist). Not claimed: derived, the seller first.
    pub fn role_of(&self, actor_id: &str) -> Option<Role> {
        if actor_id == self.seller_id {
            Some(Role::Seller)
        } else if actor_id == self.buyer_id {
            Some(Role::Buyer)
        } else if self
            .links
            .partner
            .as_ref()
            .is_some_and(|p| p.id == actor_id)
        {
            Some(Role::Partner)
        } else {
            None
        }
    }

    /// The moves `role` may make on this order now (the buttons its screen shows):
    /// with a partner on it, packing and shipping are the partner's; packing once.
    pub fn available_actions(&self, role: Role) -> Vec<OrderMove> {
        let partner = self.links.partner.is_some();
        available_actions(self.status, role, self.payment.kind(), self.delivery)
            .into_iter()
            .filter(|&m| partner_allows(m, role, partner))
            .filter(|&m| !(m == OrderMove::Pack && self.links.packed_at.is_some()))
            .collect()
    }

    /// What the promoter earns from this order (zero on other phones' copies).
    pub fn commission(&self) -> Rupiah {
        Rupiah::new(self.links.promoter.as_ref().map_or(0, |p| p.commission_idr))
    }
}

/// One step of an order's history; `label()` names it in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderEvent {
    pub at: i64,
    pub role: Role,
    pub actor_id: Option<String>,
    pub action: String,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    /// "JNE REG JNE0123456789", a cancellation reason.
    pub detail: String,
}

impl OrderEvent {
    pub fn label(&self) -> crate::i18n::Text {
        super::status::event_label(&self.action)
    }
}
