//! The cart service and its records, converted to and from `pasar_core::cart`.
//!
//! The core's cart is blocking SQLite work: every method runs it off the executor
//! ([`crate::blocking`]).

use crate::{PasarError, blocking};
use pasar_core::Rupiah;
use pasar_core::cart as core;
use pasar_core::order::format_quantity as core_format_quantity;

/// One line of the buyer's cart, as stored.
///
/// Quantities are thousandths of the unit: 1,5 kg is `1500`, 2 pcs is `2000`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CartLine {
    pub id: String,
    pub product_id: String,
    pub variant_id: Option<String>,
    /// Thousandths of the unit: 1,5 kg = 1500, 2 pcs = 2000.
    pub quantity_milli: i64,
    /// The price of one unit when the line was added (or its new price accepted).
    pub price_seen_idr: i64,
    /// `price_seen_idr` as the screen shows it; ignored when a line goes in (`merge`).
    pub price_seen_label: String,
    /// "pedas", "tanpa bawang".
    pub note: String,
    pub added_at_ms: i64,
    pub updated_at_ms: i64,
}

/// What the screen must say about a line before checkout. Every state but `Ok` and
/// `PreOrder` blocks checkout until the buyer deals with it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LineState {
    Ok,
    /// The seller changed the price since the line was added: accept it or remove it.
    PriceChanged {
        was_idr: i64,
        now_idr: i64,
        /// `"Rp25.000"`.
        was_label: String,
        /// `"Rp27.000"`.
        now_label: String,
    },
    OutOfStock,
    /// Fewer left than the line asks for (thousandths of the unit).
    NotEnoughStock {
        available_milli: i64,
    },
    /// Archived by the seller, or the variant no longer exists.
    Unavailable,
    /// Not in this phone's catalog (not synced yet, or deleted).
    Missing,
    /// A pre-order, shipped after this many days. Informational: checkout may go ahead.
    PreOrder {
        days: u32,
    },
}

/// A line as the cart screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CartItem {
    pub line: CartLine,
    /// Empty when the product is missing from the catalog.
    pub product_name: String,
    pub unit: String,
    /// `"Navy / L"`; empty without variants.
    pub variant_label: String,
    /// `"1,5 kg"`, `"3 box"`.
    pub quantity_label: String,
    /// The price of one unit now; null when the product is gone.
    pub price_idr: Option<i64>,
    pub price_label: Option<String>,
    /// Price × quantity at the current price.
    pub total_idr: Option<i64>,
    pub total_label: Option<String>,
    pub state: LineState,
    /// Whether this line must be fixed (accept the price, lower the quantity, remove it)
    /// before checkout.
    pub blocks_checkout: bool,
    /// What to tell the buyer about `state`, in Indonesian; empty for `Ok`.
    pub state_indonesian: String,
    /// The same in English.
    pub state_english: String,
}

/// The lines of one seller: they become one order at checkout.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SellerCart {
    /// Null for products saved before sellers existed.
    pub seller_id: Option<String>,
    pub seller_name: String,
    pub items: Vec<CartItem>,
    /// Of the lines that can be ordered as they are.
    pub subtotal_idr: i64,
    pub subtotal_label: String,
}

/// The cart grouped by seller, every line checked against the catalog as it is now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CartView {
    pub sellers: Vec<SellerCart>,
    pub total_idr: i64,
    pub total_label: String,
    /// Whether any line must be fixed (or removed) before checkout.
    pub needs_attention: bool,
}

/// The buyer's cart, kept on this phone (it works offline).
#[derive(uniffi::Object)]
pub struct CartService {
    inner: core::Cart,
}

impl CartService {
    pub(crate) fn new(inner: core::Cart) -> Self {
        CartService { inner }
    }
}

#[uniffi::export]
impl CartService {
    /// Adds a product (and its variant: required when the product has variants) to the
    /// cart; the same item again adds to its line. `quantity_milli` is thousandths of
    /// the unit: 1,5 kg = 1500, 2 pcs = 2000 (fractions only for units like kg and
    /// liter). An empty `note` keeps the line's note.
    pub async fn add(
        &self,
        product_id: String,
        variant_id: Option<String>,
        quantity_milli: i64,
        note: String,
    ) -> Result<CartLine, PasarError> {
        let cart = self.inner.clone();
        let line = blocking(move || {
            cart.add_blocking(&product_id, variant_id.as_deref(), quantity_milli, &note)
        })
        .await?;
        Ok(line.into())
    }

    /// Sets a line's quantity (0 removes the line) and, unless null, its note.
    pub async fn update(
        &self,
        line_id: String,
        quantity_milli: i64,
        note: Option<String>,
    ) -> Result<(), PasarError> {
        let cart = self.inner.clone();
        blocking(move || cart.update_blocking(&line_id, quantity_milli, note.as_deref())).await
    }

    /// The buyer saw the new price (`LineState::PriceChanged`) and keeps the line.
    pub async fn accept_price(&self, line_id: String) -> Result<(), PasarError> {
        let cart = self.inner.clone();
        blocking(move || cart.accept_price_blocking(&line_id)).await
    }

    pub async fn remove(&self, line_id: String) -> Result<(), PasarError> {
        let cart = self.inner.clone();
        blocking(move || cart.remove_blocking(&line_id)).await
    }

    /// Empties the cart.
    pub async fn clear(&self) -> Result<(), PasarError> {
        let cart = self.inner.clone();
        blocking(move || cart.clear_blocking()).await
    }

    /// The lines as stored, oldest first (for example a guest cart to `merge`).
    pub async fn lines(&self) -> Result<Vec<CartLine>, PasarError> {
        let cart = self.inner.clone();
        let lines = blocking(move || cart.lines_blocking()).await?;
        Ok(lines.into_iter().map(CartLine::from).collect())
    }

    /// Brings a guest's cart (made before signing in) into this cart: the same item
    /// adds up; a guest note is kept when the line had none.
    pub async fn merge(&self, lines: Vec<CartLine>) -> Result<(), PasarError> {
        let cart = self.inner.clone();
        let lines: Vec<core::CartLine> = lines.into_iter().map(Into::into).collect();
        blocking(move || cart.merge_blocking(&lines)).await
    }

    /// The cart grouped by seller, every line checked against the catalog now: what
    /// the cart screen shows, and what checkout will find.
    pub async fn view(&self) -> Result<CartView, PasarError> {
        let cart = self.inner.clone();
        Ok(blocking(move || cart.view_blocking()).await?.into())
    }
}

/// A quantity in thousandths as Indonesians read it: `1500` → `"1,5"`, `2000` → `"2"`.
#[uniffi::export]
pub fn format_quantity(quantity_milli: i64) -> String {
    core_format_quantity(quantity_milli)
}

/// `"1,5 kg"`: the quantity as Indonesians read it, then the unit.
pub(crate) fn quantity_label(quantity_milli: i64, unit: &str) -> String {
    let q = core_format_quantity(quantity_milli);
    if unit.is_empty() {
        q
    } else {
        format!("{q} {unit}")
    }
}

impl From<core::CartLine> for CartLine {
    fn from(l: core::CartLine) -> Self {
        CartLine {
            id: l.id,
            product_id: l.product_id,
            variant_id: l.variant_id,
            quantity_milli: l.quantity_milli,
            price_seen_idr: l.price_seen.idr(),
            price_seen_label: l.price_seen.to_string(),
            note: l.note,
            added_at_ms: l.added_at,
            updated_at_ms: l.updated_at,
        }
    }
}

impl From<CartLine> for core::CartLine {
    fn from(l: CartLine) -> Self {
        core::CartLine {
            id: l.id,
            product_id: l.product_id,
            variant_id: l.variant_id,
            quantity_milli: l.quantity_milli,
            price_seen: Rupiah::new(l.price_seen_idr),
            note: l.note,
            added_at: l.added_at_ms,
            updated_at: l.updated_at_ms,
        }
    }
}

impl From<core::LineState> for LineState {
    fn from(s: core::LineState) -> Self {
        match s {
            core::LineState::Ok => LineState::Ok,
            core::LineState::PriceChanged { was, now } => LineState::PriceChanged {
                was_idr: was.idr(),
                now_idr: now.idr(),
                was_label: was.to_string(),
                now_label: now.to_string(),
            },
            core::LineState::OutOfStock => LineState::OutOfStock,
            core::LineState::NotEnoughStock { available_milli } => {
                LineState::NotEnoughStock { available_milli }
            }
            core::LineState::Unavailable => LineState::Unavailable,
            core::LineState::Missing => LineState::Missing,
            core::LineState::PreOrder { days } => LineState::PreOrder { days },
        }
    }
}

impl From<core::CartItem> for CartItem {
    fn from(i: core::CartItem) -> Self {
        let message = i.state.message(&i.unit);
        let (state_indonesian, state_english) = (message.id, message.en);
        CartItem {
            quantity_label: quantity_label(i.line.quantity_milli, &i.unit),
            blocks_checkout: i.state.blocks_checkout(),
            state_indonesian,
            state_english,
            state: i.state.into(),
            line: i.line.into(),
            product_name: i.product_name,
            unit: i.unit,
            variant_label: i.variant_label,
            price_idr: i.price.map(Rupiah::idr),
            price_label: i.price.map(|p| p.to_string()),
            total_idr: i.total.map(Rupiah::idr),
            total_label: i.total.map(|t| t.to_string()),
        }
    }
}

impl From<core::SellerCart> for SellerCart {
    fn from(s: core::SellerCart) -> Self {
        SellerCart {
            seller_id: s.seller_id,
            seller_name: s.seller_name,
            items: s.items.into_iter().map(CartItem::from).collect(),
            subtotal_idr: s.subtotal.idr(),
            subtotal_label: s.subtotal.to_string(),
        }
    }
}

impl From<core::CartView> for CartView {
    fn from(v: core::CartView) -> Self {
        CartView {
            sellers: v.sellers.into_iter().map(SellerCart::from).collect(),
            total_idr: v.total.idr(),
            total_label: v.total.to_string(),
            needs_attention: v.needs_attention,
        }
    }
}
