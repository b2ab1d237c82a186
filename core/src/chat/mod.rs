//! Chat orders: WhatsApp exports and pasted messages → messages → order intents → items
//! matched to the catalog, and the rekap back. Pure functions over text and data.

pub mod buyers;
pub mod export;
pub(crate) mod fxhash;
pub mod numbers;
pub mod order;
pub mod rekap;
mod service;

pub use service::{ChatScope, Chats, ExportOrders};
