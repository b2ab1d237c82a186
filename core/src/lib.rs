//! pasar-core: every rule of the Pasar app, written once in plain Rust.
//!
//! The native apps are thin shells; they reach this crate through `pasar-ffi`, which
//! only converts types. Nothing here knows about uniffi.
//!
//! Layout: small modules named for what they hold. [`Pasar`] is the root object the
//! FFI wraps; it owns the store and hands out the services ([`catalog::Catalog`], ...).

pub mod account;
pub mod background;
pub mod cart;
pub mod catalog;
pub mod chat;
pub mod error;
pub mod group;
pub mod i18n;
pub mod id;
pub mod media;
pub mod money;
pub mod observe;
pub mod order;
pub mod phone;
pub mod promo;
pub mod store;
pub mod sync;
pub mod time;

pub mod pasar;

pub use error::{Error, ErrorKind, Result, UserError};
pub use money::Rupiah;
pub use pasar::Pasar;
pub use phone::PhoneNumber;
