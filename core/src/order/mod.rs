//! Orders: the state machine (`status.rs`) now; cart and checkout build on it.

pub mod status;

pub use status::{
    Delivery, OrderAction, OrderStatus, PaymentKind, Role, TransitionError, transition,
};
