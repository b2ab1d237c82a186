//! pasar-server: the server the phones' cores sync with. Today it answers who it is and
//! which API it speaks (the start of version negotiation); accounts, sync, photo upload
//! and push arrive with the sync work.

use axum::{Json, Router, routing::get};
use serde::Serialize;
use std::net::SocketAddr;
use tokio::net::TcpListener;

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

/// The HTTP routes.
pub fn router() -> Router {
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
}

/// Settings, from the environment: `PASAR_ADDR` (default `127.0.0.1:8080`).
pub struct Config {
    pub addr: SocketAddr,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let addr = std::env::var("PASAR_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
        let addr = addr
            .parse()
            .map_err(|_| format!("PASAR_ADDR `{addr}` is not an address like 127.0.0.1:8080"))?;
        Ok(Config { addr })
    }
}

/// Binds the address; the returned listener's `local_addr` is the port actually used
/// (port 0 picks a free one, which tests use).
pub async fn bind(config: &Config) -> std::io::Result<TcpListener> {
    TcpListener::bind(config.addr).await
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router())
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
