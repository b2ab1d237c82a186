//! Sync with `pasar-server`: every change is written locally with its outbox entry,
//! pushed exactly once, and what the server says is pulled back in pages.
//!
//! - [`wire`]: the protocol's types, shared with the server.
//! - `outbox`: the queue, filled in the same transaction as each change.
//! - `apply`: pulled pages into the store, one transaction per page with its cursor.
//! - [`convert`]: records to documents and back (pure).
//! - [`http`]: the transport trait, compression, the reqwest client.
//! - [`engine`]: sign-in and rounds of push and pull with retries.
//! - [`push`]: push registration and incoming pushes; [`notice`]: their texts.

mod apply;
pub mod convert;
mod deflate;
pub mod engine;
pub mod http;
pub mod notice;
pub(crate) mod outbox;
mod photos;
pub mod push;
pub mod wire;

pub use engine::{
    Backoff, MemoryTokens, RejectedChange, SyncClient, SyncConfig, SyncError, SyncPhase,
    SyncProgress, SyncReport, TokenStore,
};
pub use http::{HttpClient, HttpRequest, HttpResponse, TransportError};
pub use notice::Notice;
