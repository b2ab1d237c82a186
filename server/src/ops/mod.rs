//! Running the server in production: settings ([`config`]), the log ([`logging`]),
//! metrics ([`metrics`], served at `/metrics`), the HTTP layers every route sits behind
//! ([`http`]), the API's description ([`openapi`], at `/openapi.json`), the periodic
//! cleanup of dead codes and sessions ([`cleanup`]), and `/health`.

pub mod cleanup;
pub mod config;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod openapi;

use crate::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi::serve))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// For a load balancer: 200 when the server can reach its database, else 503 (take
/// this instance out of rotation).
async fn health(State(state): State<AppState>) -> Response {
    match state.store.schema_version().await {
        Ok(_) => Json(Health { status: "ok" }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                }),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
