//! Orders: the state machine (`status.rs`), delivery addresses, payment methods with
//! kode unik, ongkir from a rate table, and wa.me links. Checkout builds on these.

pub mod address;
pub mod label;
pub mod model;
pub mod ongkir;
pub mod payment;
pub(crate) mod service;
pub mod status;
pub(crate) mod store;
pub mod wa;

pub use model::{
    CheckoutRequest, Order, OrderEvent, OrderItem, OrderLinks, Quote, SellerChoice, ShippingOption,
};
pub use service::{OrderChanged, Orders, PAYMENT_WINDOW_MS, format_quantity};

pub use status::{
    Delivery, OrderAction, OrderMove, OrderStatus, PaymentKind, Role, TransitionError,
    available_actions, event_label, partner_allows, transition,
};

#[cfg(test)]
mod tests;
