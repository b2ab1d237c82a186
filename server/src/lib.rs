//! pasar-server: the server the phones' cores sync with. It answers who it is and which
//! API it speaks (the start of version negotiation) and signs people in by phone number
//! and one-time code; sync, photo upload and push arrive with the sync work.
//!
//! Storage is an embedded SQLite file by default or PostgreSQL given a URL
//! (`PASAR_DATABASE_URL`), see [`store`].

pub mod auth;
mod error;
pub mod store;

use axum::{Json, Router, routing::get};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use auth::{AuthSettings, Clock, CodeSender, ConsoleSender, RecordingSender};
pub use error::ApiError;
pub use store::{Database, Store};

/// What every request handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub sender: Arc<dyn CodeSender>,
    pub clock: Clock,
    pub auth: AuthSettings,
}

impl AppState {
    /// The production settings: the machine's clock, the default limits.
    pub fn new(store: Store, sender: Arc<dyn CodeSender>) -> AppState {
        AppState {
            store,
            sender,
            clock: Clock::system(),
            auth: AuthSettings::default(),
        }
    }
}

/// The sync API this server speaks. A phone sends its own; a phone older than
/// [`MIN_CLIENT_API`] is told to update instead of getting data it cannot read.
pub const API_VERSION: u32 = 1;
pub const MIN_CLIENT_API: u32 = 1;

#[derive(Serialize)]
struct Version {
    server: &'static str,
    api: u32,
    min_client_api: u32,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// The HTTP routes. Serve them with the client's address attached
/// (`into_make_service_with_connect_info::<SocketAddr>()`, as [`serve_state`] does):
/// sign-in rate limits are per address.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(Health { status: "ok" }) }))
        .route(
            "/v1/version",
            get(|| async {
                Json(Version {
                    server: env!("CARGO_PKG_VERSION"),
                    api: API_VERSION,
                    min_client_api: MIN_CLIENT_API,
                })
            }),
        )
        .merge(auth::routes())
        .with_state(state)
}

/// Settings, from the environment: `PASAR_ADDR` (default `127.0.0.1:8080`) and
/// `PASAR_DATABASE_URL` (default `sqlite:pasar-server.sqlite3`; or `sqlite::memory:`,
/// or `postgres://user@host:port/db`).
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database: Database,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: Database::default(),
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let addr = std::env::var("PASAR_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
        let addr = addr
            .parse()
            .map_err(|_| format!("PASAR_ADDR `{addr}` is not an address like 127.0.0.1:8080"))?;
        let database = match std::env::var("PASAR_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Database::from_url(&url)?,
            _ => Database::default(),
        };
        Ok(Config { addr, database })
    }
}

/// Binds the address; the returned listener's `local_addr` is the port actually used
/// (port 0 picks a free one, which tests use).
pub async fn bind(config: &Config) -> std::io::Result<TcpListener> {
    TcpListener::bind(config.addr).await
}

/// Opens `database` (migrating it), then serves until `shutdown` completes and the
/// requests in flight finish. Codes go to the console ([`ConsoleSender`]).
pub async fn serve(
    listener: TcpListener,
    database: Database,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = Store::open(&database)
        .await
        .map_err(|e| std::io::Error::other(format!("cannot open the database {database}: {e}")))?;
    serve_state(
        listener,
        AppState::new(store, Arc::new(ConsoleSender)),
        shutdown,
    )
    .await
}

/// Serves `state` (tests give their own store, sender and clock) until `shutdown`.
pub async fn serve_state(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM (what a process manager sends to stop a server).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
