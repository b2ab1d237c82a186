//! The orders service and its records, converted to and from `pasar_core::order`:
//! checkout from the cart, the order's moves (who may do what is the core's state
//! machine), history, expiry, ongkir rates and the seller's WhatsApp message.
//!
//! The core's orders service is blocking SQLite work: every method runs it off the
//! executor ([`crate::blocking`]).

use crate::cart::quantity_label;
use crate::catalog::ListenerHandle;
use crate::{PasarError, blocking};
use pasar_core::Rupiah;
use pasar_core::order::{self as core, address, ongkir, payment};
use std::sync::Arc;

/// Where an order is. Each has the label buyers know from the marketplaces
/// (`Order.status_label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum OrderStatus {
    /// "Belum Bayar": transfer, QRIS or e-wallet not yet confirmed by the seller.
    AwaitingPayment,
    /// "Dikemas": paid (or COD), the seller is packing.
    Processing,
    /// "Dikirim": with the courier, with a resi.
    Shipped,
    /// "Siap Diambil": a pick-up order, packed and waiting at the seller's.
    ReadyForPickup,
    /// "Sampai": the courier delivered it.
    Delivered,
    /// "Selesai".
    Completed,
    /// "Dibatalkan".
    Cancelled,
}

/// Who moved an order, as the order sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Role {
    Buyer,
    Seller,
    /// The fulfilment partner (or a reseller's supplier) who packs and ships.
    Partner,
    /// The clock: unpaid orders expiring.
    System,
}

/// What a buyer or seller does to an order. Whether they may is the core's to decide:
/// a move the order's status or the actor's role does not allow is
/// `PasarError::Conflict`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum OrderAction {
    /// The seller saw the money arrive (transfer with kode unik, QRIS, e-wallet).
    ConfirmPayment,
    /// The seller handed it to the courier: `"JNE REG"`, `"JNE0123456789"`. Both are
    /// required (`PasarError::Validation` with field `resi`).
    Ship { courier: String, resi: String },
    /// A pick-up order is packed and waiting.
    ReadyForPickup,
    /// The courier delivered (for COD: the cash was collected).
    MarkDelivered,
    /// The buyer confirms receipt (or collected a pick-up order); the seller may close
    /// a delivered order.
    Complete,
    /// Needs a reason (field `reason`).
    Cancel { reason: String },
    /// Packed, waiting for the courier (the status stays `Processing`); once.
    Pack,
}

/// A move without its details: which `OrderAction` buttons an order's screen shows
/// (`Order.buyer_actions`, `Order.seller_actions`, `Order.partner_actions`), in the order
/// of the steps (packing before shipping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum OrderMove {
    ConfirmPayment,
    Ship,
    ReadyForPickup,
    MarkDelivered,
    Complete,
    Cancel,
    Pack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Delivery {
    Courier,
    Pickup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Courier {
    Jne,
    Jnt,
    SiCepat,
    AnterAja,
    Pos,
    GoSend,
    GrabExpress,
    /// The seller delivers herself.
    Kurir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EWallet {
    GoPay,
    Ovo,
    Dana,
    ShopeePay,
}

/// How the buyer pays. No gateway is called: the seller confirms the money arrived.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PaymentMethod {
    /// Cash to the courier, or at pick-up. The order starts at "Dikemas".
    Cod,
    /// Transfer to the seller's account (`"BCA"`); a kode unik makes the amount
    /// recognisable.
    BankTransfer {
        bank: String,
    },
    Qris,
    EWallet {
        wallet: EWallet,
    },
}

/// A shipping option: a courier and its service (`"REG"`, `"YES"`, `"Instant"`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Shipping {
    pub courier: Courier,
    pub service: String,
}

/// A delivery address in the Indonesian shape. Checked at checkout: each bad field is
/// named (`recipient`, `address_phone`, `street`, `kelurahan`, `kecamatan`, `kabupaten`,
/// `provinsi`, `kode_pos`, `address_notes`); the phone comes back in E.164.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Address {
    pub recipient: String,
    /// Any way Indonesians write it; E.164 on an order.
    pub phone: String,
    /// `"Jl. Melati No. 5 RT 03/RW 05"`.
    pub street: String,
    pub kelurahan: String,
    pub kecamatan: String,
    /// Kabupaten or kota: `"Kab. Sidoarjo"`.
    pub kabupaten: String,
    pub provinsi: String,
    /// Five digits.
    pub kode_pos: String,
    /// `"Pagar hijau, titip ke satpam"`.
    #[uniffi(default = "")]
    pub notes: String,
}

/// One row of a seller's ongkir table: a destination (a kabupaten/kota, a provinsi, or
/// `"*"` for anywhere), the first kilo and each further kilo. The most specific row wins.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rate {
    pub courier: Courier,
    pub service: String,
    pub destination: String,
    pub first_kg_idr: i64,
    pub next_kg_idr: i64,
}

/// How one seller's part of a checkout is delivered and paid.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SellerChoice {
    pub seller_id: String,
    /// Null: the buyer picks it up.
    #[uniffi(default)]
    pub shipping: Option<Shipping>,
    pub payment: PaymentMethod,
    /// `"Tolong dibungkus kado"`.
    #[uniffi(default = "")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckoutRequest {
    /// A UUID the app makes once per checkout screen: the same id submitted again
    /// (double tap, retry after a timeout) returns the orders it already made.
    pub checkout_id: String,
    pub buyer_id: String,
    /// Where courier orders go; required if any seller ships.
    #[uniffi(default)]
    pub address: Option<Address>,
    /// The sellers whose cart lines to order now; the others stay in the cart.
    pub sellers: Vec<SellerChoice>,
}

/// What one seller's part of a checkout would cost before it is placed (`quote`):
/// `total = items_total + ongkir - discount`; `ongkir` is null while the address or the
/// courier service gives none. A transfer's kode unik is added when it is placed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Quote {
    pub seller_id: String,
    pub items_total_idr: i64,
    pub items_total_label: String,
    pub ongkir_idr: Option<i64>,
    pub ongkir_label: Option<String>,
    pub discount_idr: i64,
    pub discount_label: String,
    pub total_idr: i64,
    pub total_label: String,
    pub weight_grams: u32,
    /// The courier services the seller ships by, each with its ongkir to the address.
    pub options: Vec<ShippingOption>,
}

/// One courier service a seller ships by: `"JNE REG"`, and its ongkir to the buyer's
/// address (null while the address is incomplete, or when it does not reach there).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShippingOption {
    pub shipping: Shipping,
    pub label: String,
    pub ongkir_idr: Option<i64>,
    pub ongkir_label: Option<String>,
}

impl From<core::Quote> for Quote {
    fn from(q: core::Quote) -> Self {
        Quote {
            seller_id: q.seller_id,
            items_total_idr: q.items_total.idr(),
            items_total_label: q.items_total.to_string(),
            ongkir_idr: q.ongkir.map(|o| o.idr()),
            ongkir_label: q.ongkir.map(|o| o.to_string()),
            discount_idr: q.discount.idr(),
            discount_label: q.discount.to_string(),
            total_idr: q.total.idr(),
            total_label: q.total.to_string(),
            weight_grams: q.weight_grams,
            options: q
                .options
                .into_iter()
                .map(|o| ShippingOption {
                    label: format!("{} {}", o.shipping.courier.name(), o.shipping.service),
                    shipping: o.shipping.into(),
                    ongkir_idr: o.ongkir.map(|r| r.idr()),
                    ongkir_label: o.ongkir.map(|r| r.to_string()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderItem {
    pub product_id: String,
    pub variant_id: Option<String>,
    pub name: String,
    pub variant_label: String,
    pub unit: String,
    /// Thousandths of the unit.
    pub quantity_milli: i64,
    /// `"1,5 kg"`, `"2 box"`.
    pub quantity_label: String,
    pub unit_price_idr: i64,
    pub unit_price_label: String,
    pub total_idr: i64,
    pub total_label: String,
    pub note: String,
}

/// One seller's order. Money in rupiah (`*_idr`) and as the screen shows it
/// (`*_label`, `"Rp75.123"`): `total = items_total + ongkir + kode_unik - discount`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Order {
    pub id: String,
    /// Short, for chat and labels: `"7F3A2C"`.
    pub number: String,
    pub checkout_id: String,
    pub buyer_id: String,
    pub seller_id: String,
    pub status: OrderStatus,
    /// `"Belum Bayar"`, `"Dikemas"`, `"Dikirim"`, `"Sampai"`, `"Selesai"`...
    pub status_label: String,
    /// `"Awaiting payment"`, `"Packing"`...
    pub status_label_en: String,
    pub payment: PaymentMethod,
    /// `"Transfer BCA"`, `"COD (bayar di tempat)"`.
    pub payment_label: String,
    pub payment_label_en: String,
    pub delivery: Delivery,
    /// Null for pick-up orders.
    pub address: Option<Address>,
    /// The address as a courier label prints it (several lines).
    pub address_label: Option<String>,
    pub shipping: Option<Shipping>,
    /// `"JNE REG"`.
    pub shipping_label: Option<String>,
    /// The courier's tracking number, once shipped.
    pub resi: Option<String>,
    pub items: Vec<OrderItem>,
    pub items_total_idr: i64,
    pub items_total_label: String,
    pub ongkir_idr: i64,
    pub ongkir_label: String,
    /// 1–999 rupiah added to a bank transfer so the seller recognises it; 0 otherwise.
    pub kode_unik_idr: i64,
    pub kode_unik_label: String,
    pub discount_idr: i64,
    pub discount_label: String,
    pub total_idr: i64,
    pub total_label: String,
    pub note: String,
    pub cancel_reason: Option<String>,
    /// An unpaid order is cancelled after this (UTC ms); null once paid.
    pub expires_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Goes up with every change.
    pub version: i64,
    /// The moves the buyer may make now, from the core's state machine: the buttons
    /// her screen shows (a shipped order: `Complete`).
    pub buyer_actions: Vec<OrderMove>,
    /// The seller's (a COD order never offers `ConfirmPayment`; a shipped one,
    /// `MarkDelivered`; with a partner on the order, no packing or shipping).
    pub seller_actions: Vec<OrderMove>,
    /// The partner's, when the order has one (`Pack`, `Ship`, `MarkDelivered`).
    pub partner_actions: Vec<OrderMove>,
    /// The promoter it came through. The seller's and the promoter's copies carry who
    /// and the commission; the buyer's only the code.
    pub promoter: Option<OrderPromoter>,
    /// Who packs and ships it for the seller (a fulfilment partner, or a reseller's
    /// supplier); not on the buyer's copy.
    pub partner: Option<OrderParty>,
    /// A reseller's order: what the supplier is owed, and the reseller's margin. Only
    /// on the reseller's and the supplier's copies.
    pub supply: Option<OrderSupply>,
    /// When it was packed (waiting for the courier).
    pub packed_at_ms: Option<i64>,
}

/// An order's promoter.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderPromoter {
    /// `"KIRANA"`.
    pub code: String,
    /// Empty on the buyer's copy.
    pub account_id: String,
    pub name: String,
    /// 0 on the buyer's copy.
    pub commission_idr: i64,
    pub commission_label: String,
}

/// Someone else on an order: its partner, a supplier.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderParty {
    pub account_id: String,
    pub name: String,
    /// E.164.
    pub phone: Option<String>,
}

/// What a reseller's order owes its supplier.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderSupply {
    pub supplier: OrderParty,
    /// The supplier's price of the items, in all.
    pub supply_idr: i64,
    pub supply_label: String,
    /// The reseller's: the items' total less the supply.
    pub margin_idr: i64,
    pub margin_label: String,
}

/// The label and packing slip of a courier order. The sender is the seller (for a
/// reseller's order, the reseller), never the partner or supplier packing it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShippingLabel {
    pub order_number: String,
    pub sender_name: String,
    /// National form, as couriers print it: `"0812-3456-7890"`.
    pub sender_phone: Option<String>,
    /// Recipient, phone, street, area and notes, several lines.
    pub recipient: String,
    /// `"JNE REG"`; empty when agreed in chat.
    pub courier: String,
    pub resi: Option<String>,
    /// What the courier collects (COD), null otherwise.
    pub cod_idr: Option<i64>,
    pub cod_label: Option<String>,
    /// One line an item: `"2 box Donat coklat (keju) — bungkus kado"`.
    pub items: Vec<String>,
    pub note: String,
}

/// One step of an order's history: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderEvent {
    pub at_ms: i64,
    pub role: Role,
    /// Null for the system (expiry).
    pub actor_id: Option<String>,
    /// `"place"`, `"confirm_payment"`, `"pack"`, `"ship"`, `"ready_for_pickup"`,
    /// `"mark_delivered"`, `"complete"`, `"cancel"`, `"expire"`.
    pub action: String,
    /// Null when the order was placed.
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    /// The label of `to_status`: `"Dikirim"`.
    pub to_status_label: String,
    pub to_status_label_en: String,
    /// `"JNE REG JNE0123456789"`, a cancellation reason, the payment method code.
    pub detail: String,
    /// The step as the history shows it: `"Pembayaran dikonfirmasi"`.
    pub label: String,
    pub label_en: String,
}

/// An order was placed, moved or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderChange {
    pub order: Order,
    pub event: OrderEvent,
}

/// The message a seller sends the buyer from WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WhatsAppMessage {
    pub text: String,
    /// `https://wa.me/62…?text=…`; null when the buyer has no phone number.
    pub link: Option<String>,
}

/// Implemented by the apps to hear about order changes. Called after each committed
/// change, on a background thread: hand the change over and return quickly.
#[uniffi::export(callback_interface)]
pub trait OrderListener: Send + Sync {
    fn on_change(&self, change: OrderChange);
}

/// Checkout, orders and their moves.
#[derive(uniffi::Object)]
pub struct OrderService {
    inner: core::Orders,
}

impl OrderService {
    pub(crate) fn new(inner: core::Orders) -> Self {
        OrderService { inner }
    }
}

#[uniffi::export]
impl OrderService {
    /// Saves one row of `seller_id`'s ongkir table (the same courier, service and
    /// destination again replaces it).
    pub async fn set_rate(&self, seller_id: String, rate: Rate) -> Result<(), PasarError> {
        let orders = self.inner.clone();
        blocking(move || orders.set_rate_blocking(&seller_id, rate.into())).await
    }

    /// Turns the cart lines of the chosen sellers into one order per seller, all or
    /// nothing: prices and stock checked again, ongkir quoted, a kode unik for bank
    /// transfers, stock taken, the lines leave the cart. The same `checkout_id` again
    /// returns the orders it made the first time.
    ///
    /// Refused while a line needs attention: a changed price is `Validation` with field
    /// `cart`, a sold-out line `OutOfStock`; the cart is left as it was.
    /// What each seller's part of `request` would cost if placed now (the checkout
    /// screen's figures as the buyer fills it in); nothing is written and `checkout_id`
    /// is not used. A seller with nothing in the cart is refused on field `sellers`.
    pub async fn quote(&self, request: CheckoutRequest) -> Result<Vec<Quote>, PasarError> {
        let orders = self.inner.clone();
        let request = request.into();
        let quotes = blocking(move || orders.quote_blocking(&request)).await?;
        Ok(quotes.into_iter().map(Quote::from).collect())
    }

    pub async fn checkout(&self, request: CheckoutRequest) -> Result<Vec<Order>, PasarError> {
        let orders = self.inner.clone();
        let request = request.into();
        let made = blocking(move || orders.checkout_blocking(request)).await?;
        Ok(made.into_iter().map(Order::from).collect())
    }

    /// `actor_id` (the order's buyer, seller or partner) does `action`. Anyone else (a
    /// promoter too: she only watches) is told the order does not exist (`NotFound`); a
    /// move the state machine forbids is `Conflict` (a seller shipping what the partner
    /// holds, packing twice). Cancelling gives the stock back.
    pub async fn act(
        &self,
        order_id: String,
        actor_id: String,
        action: OrderAction,
    ) -> Result<Order, PasarError> {
        let orders = self.inner.clone();
        let action = action.into();
        Ok(
            blocking(move || orders.act_blocking(&order_id, &actor_id, action))
                .await?
                .into(),
        )
    }

    /// Cancels unpaid orders whose deadline is at or before `now_ms`, giving their stock
    /// back; returns how many.
    pub async fn expire_due(&self, now_ms: i64) -> Result<u32, PasarError> {
        let orders = self.inner.clone();
        let n = blocking(move || orders.expire_due_blocking(now_ms)).await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub async fn get(&self, order_id: String) -> Result<Order, PasarError> {
        let orders = self.inner.clone();
        Ok(blocking(move || orders.get_blocking(&order_id))
            .await?
            .into())
    }

    /// Orders where `account_id` is the buyer or the seller, newest first. `limit` 0
    /// means the default (20); at most 200.
    pub async fn for_account(
        &self,
        account_id: String,
        limit: u32,
    ) -> Result<Vec<Order>, PasarError> {
        let orders = self.inner.clone();
        let list = blocking(move || orders.for_account_blocking(&account_id, limit)).await?;
        Ok(list.into_iter().map(Order::from).collect())
    }

    /// The orders `partner_id` packs and ships for sellers (a warehouse's, or a
    /// supplier's for resellers), newest first: each with its items, variants, notes,
    /// courier and address; `label` prints it.
    pub async fn packing_list(
        &self,
        partner_id: String,
        limit: u32,
    ) -> Result<Vec<Order>, PasarError> {
        let orders = self.inner.clone();
        let list = blocking(move || orders.packing_list_blocking(&partner_id, limit)).await?;
        Ok(list.into_iter().map(Order::from).collect())
    }

    /// The orders that came through `promoter_id`'s code, newest first, as the
    /// promoter sees them (what was bought and the commission; not who or where).
    pub async fn promoted(
        &self,
        promoter_id: String,
        limit: u32,
    ) -> Result<Vec<Order>, PasarError> {
        let orders = self.inner.clone();
        let list = blocking(move || orders.promoted_blocking(&promoter_id, limit)).await?;
        Ok(list.into_iter().map(Order::from).collect())
    }

    /// The shipping label and packing slip of a courier order (null for pick-up).
    pub async fn label(&self, order_id: String) -> Result<Option<ShippingLabel>, PasarError> {
        let orders = self.inner.clone();
        let label = blocking(move || orders.label_blocking(&order_id)).await?;
        Ok(label.map(|l| ShippingLabel {
            order_number: l.order_number,
            sender_name: l.sender_name,
            sender_phone: l.sender_phone,
            recipient: l.recipient,
            courier: l.courier,
            resi: l.resi,
            cod_idr: l.cod.map(Rupiah::idr),
            cod_label: l.cod.map(|c| c.to_string()),
            items: l.items,
            note: l.note,
        }))
    }

    /// Who did what to the order, oldest first.
    pub async fn history(&self, order_id: String) -> Result<Vec<OrderEvent>, PasarError> {
        let orders = self.inner.clone();
        let events = blocking(move || orders.history_blocking(&order_id)).await?;
        Ok(events.into_iter().map(OrderEvent::from).collect())
    }

    /// The message the seller sends the buyer from WhatsApp (the order, and for bank
    /// transfers the exact amount), with a wa.me link to the buyer's number.
    pub async fn whatsapp_message(&self, order_id: String) -> Result<WhatsAppMessage, PasarError> {
        let orders = self.inner.clone();
        let (text, link) = blocking(move || orders.whatsapp_message_blocking(&order_id)).await?;
        Ok(WhatsAppMessage { text, link })
    }

    /// Starts delivering order changes to `listener` until the handle is dropped or
    /// cancelled.
    pub fn observe(&self, listener: Box<dyn OrderListener>) -> Arc<ListenerHandle> {
        let subscription = self.inner.observe(move |change| {
            listener.on_change(change.clone().into());
        });
        ListenerHandle::new(subscription)
    }
}

/// A fresh id for `CheckoutRequest.checkout_id`: make one when the checkout screen
/// opens and send it with every attempt (retries, double taps) of that checkout.
#[uniffi::export]
pub fn new_checkout_id() -> String {
    pasar_core::id::new_id()
}

impl From<core::OrderStatus> for OrderStatus {
    fn from(s: core::OrderStatus) -> Self {
        match s {
            core::OrderStatus::AwaitingPayment => OrderStatus::AwaitingPayment,
            core::OrderStatus::Processing => OrderStatus::Processing,
            core::OrderStatus::Shipped => OrderStatus::Shipped,
            core::OrderStatus::ReadyForPickup => OrderStatus::ReadyForPickup,
            core::OrderStatus::Delivered => OrderStatus::Delivered,
            core::OrderStatus::Completed => OrderStatus::Completed,
            core::OrderStatus::Cancelled => OrderStatus::Cancelled,
        }
    }
}

impl From<core::Role> for Role {
    fn from(r: core::Role) -> Self {
        match r {
            core::Role::Buyer => Role::Buyer,
            core::Role::Seller => Role::Seller,
            core::Role::Partner => Role::Partner,
            core::Role::System => Role::System,
        }
    }
}

impl From<core::Delivery> for Delivery {
    fn from(d: core::Delivery) -> Self {
        match d {
            core::Delivery::Courier => Delivery::Courier,
            core::Delivery::Pickup => Delivery::Pickup,
        }
    }
}

impl From<OrderAction> for core::OrderAction {
    fn from(a: OrderAction) -> Self {
        match a {
            OrderAction::ConfirmPayment => core::OrderAction::ConfirmPayment,
            OrderAction::Ship { courier, resi } => core::OrderAction::Ship { courier, resi },
            OrderAction::ReadyForPickup => core::OrderAction::ReadyForPickup,
            OrderAction::MarkDelivered => core::OrderAction::MarkDelivered,
            OrderAction::Complete => core::OrderAction::Complete,
            OrderAction::Cancel { reason } => core::OrderAction::Cancel { reason },
            OrderAction::Pack => core::OrderAction::Pack,
        }
    }
}

impl From<Courier> for ongkir::Courier {
    fn from(c: Courier) -> Self {
        match c {
            Courier::Jne => ongkir::Courier::Jne,
            Courier::Jnt => ongkir::Courier::Jnt,
            Courier::SiCepat => ongkir::Courier::SiCepat,
            Courier::AnterAja => ongkir::Courier::AnterAja,
            Courier::Pos => ongkir::Courier::Pos,
            Courier::GoSend => ongkir::Courier::GoSend,
            Courier::GrabExpress => ongkir::Courier::GrabExpress,
            Courier::Kurir => ongkir::Courier::Kurir,
        }
    }
}

impl From<ongkir::Courier> for Courier {
    fn from(c: ongkir::Courier) -> Self {
        match c {
            ongkir::Courier::Jne => Courier::Jne,
            ongkir::Courier::Jnt => Courier::Jnt,
            ongkir::Courier::SiCepat => Courier::SiCepat,
            ongkir::Courier::AnterAja => Courier::AnterAja,
            ongkir::Courier::Pos => Courier::Pos,
            ongkir::Courier::GoSend => Courier::GoSend,
            ongkir::Courier::GrabExpress => Courier::GrabExpress,
            ongkir::Courier::Kurir => Courier::Kurir,
        }
    }
}

impl From<EWallet> for payment::EWallet {
    fn from(w: EWallet) -> Self {
        match w {
            EWallet::GoPay => payment::EWallet::GoPay,
            EWallet::Ovo => payment::EWallet::Ovo,
            EWallet::Dana => payment::EWallet::Dana,
            EWallet::ShopeePay => payment::EWallet::ShopeePay,
        }
    }
}

impl From<payment::EWallet> for EWallet {
    fn from(w: payment::EWallet) -> Self {
        match w {
            payment::EWallet::GoPay => EWallet::GoPay,
            payment::EWallet::Ovo => EWallet::Ovo,
            payment::EWallet::Dana => EWallet::Dana,
            payment::EWallet::ShopeePay => EWallet::ShopeePay,
        }
    }
}

impl From<PaymentMethod> for payment::PaymentMethod {
    fn from(p: PaymentMethod) -> Self {
        match p {
            PaymentMethod::Cod => payment::PaymentMethod::Cod,
            PaymentMethod::BankTransfer { bank } => payment::PaymentMethod::BankTransfer { bank },
            PaymentMethod::Qris => payment::PaymentMethod::Qris,
            PaymentMethod::EWallet { wallet } => payment::PaymentMethod::EWallet(wallet.into()),
        }
    }
}

impl From<payment::PaymentMethod> for PaymentMethod {
    fn from(p: payment::PaymentMethod) -> Self {
        match p {
            payment::PaymentMethod::Cod => PaymentMethod::Cod,
            payment::PaymentMethod::BankTransfer { bank } => PaymentMethod::BankTransfer { bank },
            payment::PaymentMethod::Qris => PaymentMethod::Qris,
            payment::PaymentMethod::EWallet(w) => PaymentMethod::EWallet { wallet: w.into() },
        }
    }
}

impl From<Shipping> for ongkir::Shipping {
    fn from(s: Shipping) -> Self {
        ongkir::Shipping {
            courier: s.courier.into(),
            service: s.service,
        }
    }
}

impl From<ongkir::Shipping> for Shipping {
    fn from(s: ongkir::Shipping) -> Self {
        Shipping {
            courier: s.courier.into(),
            service: s.service,
        }
    }
}

impl From<Address> for address::Address {
    fn from(a: Address) -> Self {
        address::Address {
            recipient: a.recipient,
            phone: a.phone,
            street: a.street,
            kelurahan: a.kelurahan,
            kecamatan: a.kecamatan,
            kabupaten: a.kabupaten,
            provinsi: a.provinsi,
            kode_pos: a.kode_pos,
            notes: a.notes,
        }
    }
}

impl From<address::Address> for Address {
    fn from(a: address::Address) -> Self {
        Address {
            recipient: a.recipient,
            phone: a.phone,
            street: a.street,
            kelurahan: a.kelurahan,
            kecamatan: a.kecamatan,
            kabupaten: a.kabupaten,
            provinsi: a.provinsi,
            kode_pos: a.kode_pos,
            notes: a.notes,
        }
    }
}

impl From<Rate> for ongkir::Rate {
    fn from(r: Rate) -> Self {
        ongkir::Rate {
            courier: r.courier.into(),
            service: r.service,
            destination: r.destination,
            first_kg: Rupiah::new(r.first_kg_idr),
            next_kg: Rupiah::new(r.next_kg_idr),
        }
    }
}

impl From<SellerChoice> for core::SellerChoice {
    fn from(s: SellerChoice) -> Self {
        core::SellerChoice {
            seller_id: s.seller_id,
            shipping: s.shipping.map(Into::into),
            payment: s.payment.into(),
            note: s.note,
        }
    }
}

impl From<CheckoutRequest> for core::CheckoutRequest {
    fn from(r: CheckoutRequest) -> Self {
        core::CheckoutRequest {
            checkout_id: r.checkout_id,
            buyer_id: r.buyer_id,
            address: r.address.map(Into::into),
            sellers: r.sellers.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<core::OrderItem> for OrderItem {
    fn from(i: core::OrderItem) -> Self {
        OrderItem {
            quantity_label: quantity_label(i.quantity_milli, &i.unit),
            product_id: i.product_id,
            variant_id: i.variant_id,
            name: i.name,
            variant_label: i.variant_label,
            unit: i.unit,
            quantity_milli: i.quantity_milli,
            unit_price_idr: i.unit_price.idr(),
            unit_price_label: i.unit_price.to_string(),
            total_idr: i.total.idr(),
            total_label: i.total.to_string(),
            note: i.note,
        }
    }
}

fn moves(o: &core::Order, role: core::Role) -> Vec<OrderMove> {
    o.available_actions(role)
        .into_iter()
        .filter_map(|m| match m {
            core::OrderMove::ConfirmPayment => Some(OrderMove::ConfirmPayment),
            core::OrderMove::Ship => Some(OrderMove::Ship),
            core::OrderMove::ReadyForPickup => Some(OrderMove::ReadyForPickup),
            core::OrderMove::MarkDelivered => Some(OrderMove::MarkDelivered),
            core::OrderMove::Complete => Some(OrderMove::Complete),
            core::OrderMove::Cancel => Some(OrderMove::Cancel),
            core::OrderMove::Pack => Some(OrderMove::Pack),
            // The system's move (expiry): no one's button.
            core::OrderMove::Expire => None,
        })
        .collect()
}

impl From<core::Order> for Order {
    fn from(o: core::Order) -> Self {
        let status = o.status.label();
        let payment = o.payment.label();
        let party = |p: &pasar_core::sync::wire::ProfileDoc| OrderParty {
            account_id: p.id.clone(),
            name: p.name.clone(),
            phone: p.phone.clone(),
        };
        let promoter = o.links.promoter.as_ref().map(|p| OrderPromoter {
            code: p.code.clone(),
            account_id: p.id.clone(),
            name: p.name.clone(),
            commission_idr: p.commission_idr,
            commission_label: Rupiah::new(p.commission_idr).to_string(),
        });
        let supply = o.links.supply.as_ref().map(|s| {
            let margin = o.items_total.idr().saturating_sub(s.items_idr);
            OrderSupply {
                supplier: party(&s.supplier),
                supply_idr: s.items_idr,
                supply_label: Rupiah::new(s.items_idr).to_string(),
                margin_idr: margin,
                margin_label: Rupiah::new(margin).to_string(),
            }
        });
        Order {
            buyer_actions: moves(&o, core::Role::Buyer),
            seller_actions: moves(&o, core::Role::Seller),
            partner_actions: if o.links.partner.is_some() {
                moves(&o, core::Role::Partner)
            } else {
                Vec::new()
            },
            partner: o.links.partner.as_ref().map(party),
            packed_at_ms: o.links.packed_at,
            promoter,
            supply,
            status_label: status.id,
            status_label_en: status.en,
            payment_label: payment.id,
            payment_label_en: payment.en,
            address_label: o.address.as_ref().map(address::Address::label),
            shipping_label: o
                .shipping
                .as_ref()
                .map(|s| format!("{} {}", s.courier.name(), s.service)),
            id: o.id,
            number: o.number,
            checkout_id: o.checkout_id,
            buyer_id: o.buyer_id,
            seller_id: o.seller_id,
            status: o.status.into(),
            payment: o.payment.into(),
            delivery: o.delivery.into(),
            address: o.address.map(Into::into),
            shipping: o.shipping.map(Into::into),
            resi: o.resi,
            items: o.items.into_iter().map(OrderItem::from).collect(),
            items_total_idr: o.items_total.idr(),
            items_total_label: o.items_total.to_string(),
            ongkir_idr: o.ongkir.idr(),
            ongkir_label: o.ongkir.to_string(),
            kode_unik_idr: o.kode_unik.idr(),
            kode_unik_label: o.kode_unik.to_string(),
            discount_idr: o.discount.idr(),
            discount_label: o.discount.to_string(),
            total_idr: o.total.idr(),
            total_label: o.total.to_string(),
            note: o.note,
            cancel_reason: o.cancel_reason,
            expires_at_ms: o.expires_at,
            created_at_ms: o.created_at,
            updated_at_ms: o.updated_at,
            version: o.version,
        }
    }
}

impl From<core::OrderEvent> for OrderEvent {
    fn from(e: core::OrderEvent) -> Self {
        let label = e.to.label();
        let step = e.label();
        OrderEvent {
            label: step.id,
            label_en: step.en,
            at_ms: e.at,
            role: e.role.into(),
            actor_id: e.actor_id,
            action: e.action,
            from_status: e.from.map(Into::into),
            to_status: e.to.into(),
            to_status_label: label.id,
            to_status_label_en: label.en,
            detail: e.detail,
        }
    }
}

impl From<core::OrderChanged> for OrderChange {
    fn from(c: core::OrderChanged) -> Self {
        OrderChange {
            order: c.order.into(),
            event: c.event.into(),
        }
    }
}
