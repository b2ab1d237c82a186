//! pasar-server: the server the phones' cores sync with. It answers who it is and which
//! API it speaks (the start of version negotiation), signs people in by phone number
//! and one-time code, syncs ([`sync`]), takes photos ([`photos`]) and tells phones of
//! order moves by push ([`push`]).
//!
//! Storage is an embedded SQLite file by default or PostgreSQL given a URL
//! (`PASAR_DATABASE_URL`), see [`store`]. Settings, logs, metrics, the HTTP layers and
//! the API's description are in [`ops`].

pub mod auth;
pub mod dev_codes;
mod error;
pub mod ops;
pub mod photos;
pub mod push;
pub mod store;
pub mod sync;

use axum::{Json, Router, routing::get};
use serde::Serialize;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub use auth::{AuthSettings, Clock, CodeSender, ConsoleSender, RecordingSender};
pub use error::ApiError;
pub use ops::config::{ConfigError, HttpSettings, LogFormat, LogSettings, PushSettings, Settings};
pub use ops::metrics::Metrics;
pub use store::{Database, Store};

/// What every request handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub sender: Arc<dyn CodeSender>,
    pub clock: Clock,
    pub auth: AuthSettings,
    /// Counters any module may add to; served at `/metrics`.
    pub metrics: Metrics,
    /// Limits of the HTTP layers ([`ops::http`]).
    pub http: HttpSettings,
    /// How often [`ops::cleanup`] runs; zero never.
    pub cleanup_interval: Duration,
    /// Where photo files are kept ([`photos`]).
    pub photos: photos::Blobs,
    /// Sessions checked in the last few seconds ([`auth::SessionCache`]).
    pub sessions: Arc<auth::SessionCache>,
    /// Push services, the worker's wake-up and the endpoint rules ([`push`]). No
    /// service by default; `serve_with` sets up the configured ones.
    pub push: push::PushState,
    /// The feed's head as last read ([`sync::head`]): empty polls skip the database.
    pub feed_head: Arc<sync::head::FeedHead>,
}

impl AppState {
    /// The production settings: the machine's clock, the default limits.
    pub fn new(store: Store, sender: Arc<dyn CodeSender>) -> AppState {
        AppState::with_settings(store, sender, &Settings::default())
    }

    /// The machine's clock, the default sign-in limits, the HTTP and cleanup settings
    /// of `settings`.
    pub fn with_settings(
        store: Store,
        sender: Arc<dyn CodeSender>,
        settings: &Settings,
    ) -> AppState {
        AppState {
            store,
            sender,
            clock: Clock::system(),
            auth: AuthSettings::default(),
            metrics: Metrics::new(),
            http: settings.http.clone(),
            cleanup_interval: settings.cleanup_interval,
            // Tests and embedders get memory; `serve_with` opens the configured store.
            photos: photos::Blobs::memory(),
            sessions: Arc::default(),
            feed_head: Arc::default(),
            push: push::PushState {
                allow_http_endpoints: settings.push.allow_http_endpoints,
                ..push::PushState::default()
            },
        }
    }
}

/// The sync API this server speaks. A phone sends its own; a phone older than
/// [`MIN_CLIENT_API`] is told to update instead of getting data it cannot read.
/// 2: product patches in pull (see `pasar_core::sync::wire::PROTOCOL`).
pub const API_VERSION: u32 = 2;
pub const MIN_CLIENT_API: u32 = 1;

#[derive(Serialize)]
struct Version {
    server: &'static str,
    api: u32,
    min_client_api: u32,
}

/// The HTTP routes, behind the layers of [`ops::http`]. Serve them with the client's
/// address attached (`into_make_service_with_connect_info::<SocketAddr>()`, as
/// [`serve_state`] does): sign-in rate limits are per address.
///
/// A new group of routes is one more `.merge(...)` below, before the layers are
/// applied (layers only wrap routes that exist when they are added), and its routes
/// are described in `server/openapi.json` (`tests/openapi.rs` checks both agree).
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
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
        .merge(ops::routes())
        .merge(auth::routes())
        .merge(sync::routes())
        .merge(push::routes())
        .merge(photos::routes());
    ops::http::layers(routes, &state).with_state(state)
}

/// Where to listen and which database: the part of [`Settings`] that `pasar serve`
/// and `pasar demo` set themselves.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database: Database,
}

impl Default for Config {
    fn default() -> Self {
        let s = Settings::default();
        Config {
            addr: s.addr,
            database: s.database,
        }
    }
}

impl Config {
    /// `PASAR_ADDR` and `PASAR_DATABASE_URL`, over a `PASAR_CONFIG` file if given (see
    /// [`Settings::load`] for all the settings).
    pub fn from_env() -> Result<Config, String> {
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        Ok(Config {
            addr: s.addr,
            database: s.database,
        })
    }
}

/// Binds the address; the returned listener's `local_addr` is the port actually used
/// (port 0 picks a free one, which tests use).
pub async fn bind(config: &Config) -> std::io::Result<TcpListener> {
    TcpListener::bind(config.addr).await
}

/// Opens `database` (migrating it), then serves with the default settings until
/// `shutdown` completes and the requests in flight finish. Codes go to the console
/// ([`ConsoleSender`]).
pub async fn serve(
    listener: TcpListener,
    database: Database,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = Settings {
        database,
        ..Settings::default()
    };
    serve_with(listener, &settings, shutdown).await
}

/// [`serve`] with all the settings (the `pasar-server` binary's way).
pub async fn serve_with(
    listener: TcpListener,
    settings: &Settings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let database = &settings.database;
    let store = Store::open(database)
        .await
        .map_err(|e| std::io::Error::other(format!("cannot open the database {database}: {e}")))?;
    tracing::info!(database = %database, "database open");
    let sender: Arc<dyn CodeSender> = match std::env::var_os("PASAR_DEV_CODES_DIR") {
        Some(dir) => {
            tracing::warn!("codes are written to files (PASAR_DEV_CODES_DIR), not sent by SMS");
            Arc::new(dev_codes::FileSender::new(dir)?)
        }
        None => {
            tracing::warn!(
                "codes are written to the console (development sender), not sent by SMS"
            );
            Arc::new(ConsoleSender)
        }
    };
    let photo_storage = settings
        .photos
        .clone()
        .unwrap_or_else(|| photos::PhotoStorage::default_for(database));
    if matches!(database, Database::Postgres(_))
        && matches!(photo_storage, photos::PhotoStorage::Dir(_))
    {
        tracing::warn!(
            "photos are kept on this machine's disk: several server instances need a shared s3:// store (PASAR_PHOTOS_URL)"
        );
    }
    let mut state = AppState::with_settings(store, sender, settings);
    state.photos = photo_storage.open().map_err(std::io::Error::other)?;
    tracing::info!(photos = %photo_storage, "photo store open");
    state.push.gateways = Arc::new(settings.push.gateways().map_err(std::io::Error::other)?);
    let g = &state.push.gateways;
    tracing::info!(
        fcm = g.fcm.is_some(),
        apns = g.apns.is_some(),
        web_push = g.web_push.is_some(),
        "push services"
    );
    if state.push.allow_http_endpoints {
        tracing::warn!(
            "push.allow_http_endpoints is on: phones may point Web Push at plain http and local addresses (development only)"
        );
    }
    serve_state(listener, state, shutdown).await
}

/// Serves `state` (tests give their own store, sender and clock) until `shutdown`, with
/// the periodic cleanup and the push worker (when a push service is configured)
/// running beside it. On `shutdown` the server stops accepting, the cleanup and the
/// worker stop, and the requests in flight get `state.http.shutdown_grace` to finish;
/// returns when they have (or the grace ran out) and both tasks have stopped.
pub async fn serve_state(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_cleanup, cleanup_stops) = tokio::sync::watch::channel(false);
    let pusher = push::worker::spawn(&state, cleanup_stops.clone());
    let cleanup = ops::cleanup::spawn(&state, cleanup_stops);
    let grace = state.http.shutdown_grace;
    let (draining, drain_started) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing requests in flight");
        let _ = stop_cleanup.send(true);
        let _ = draining.send(());
    })
    .into_future();
    let grace_over = async move {
        match drain_started.await {
            Ok(()) => tokio::time::sleep(grace).await,
            // The server ended without a shutdown (an accept error): nothing to time.
            Err(_) => std::future::pending().await,
        }
    };
    let result = tokio::select! {
        result = server => result,
        () = grace_over => {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "requests still in flight after the shutdown grace period; stopping anyway"
            );
            Ok(())
        }
    };
    // Dropping the server future dropped the tasks' stop sender if the server ended by
    // itself, so these return in every case.
    if let Some(cleanup) = cleanup
        && let Err(e) = cleanup.await
    {
        tracing::error!(error = %e, "the cleanup task failed");
    }
    if let Some(pusher) = pusher
        && let Err(e) = pusher.await
    {
        tracing::error!(error = %e, "the push worker failed");
    }
    tracing::info!("stopped");
    result
}

/// Completes on Ctrl-C or SIGTERM (what a process manager sends to stop a server).
/// The handlers are installed when this is called, not when the future is first
/// polled: a SIGTERM that comes right after "listening on" must stop the server
/// gracefully, not kill it.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::spawn(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    async move {
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            () = term => {},
        }
    }
}
