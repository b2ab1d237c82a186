//! Orders: the state machine (`status.rs`), delivery addresses, payment methods with
//! kode unik, ongkir from a rate table, and wa.me links. Checkout builds on these.

pub mod address;
pub mod ongkir;
pub mod payment;
pub mod status;
pub mod wa;

pub use status::{
    Delivery, OrderAction, OrderStatus, PaymentKind, Role, TransitionError, transition,
};
