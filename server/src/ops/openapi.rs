//! The API's description: OpenAPI 3.1, hand-written in `server/openapi.json` and served
//! as is at `GET /openapi.json`.
//!
//! Hand-written because the handlers read their bodies themselves (for our error shape)
//! and a generator would need annotations on every type; a JSON file is as easy to
//! extend and reviewable on its own. It cannot drift: `tests/openapi.rs` compares the
//! paths and methods it describes with the routes the router really has, both ways.
//!
//! To add a route: add its path under `paths` (methods, `operationId`, `summary`,
//! request body and responses; reuse `#/components/responses/*` for errors and
//! `security: [{"bearer": []}]` for signed-in routes), then run
//! `cargo test -p pasar-server --test openapi`.

use axum::http::header;
use axum::response::IntoResponse;

/// The document, as shipped.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub(crate) async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_json_for_this_api_version() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1.")),
            "{}",
            doc["openapi"]
        );
        assert_eq!(doc["info"]["version"], crate::API_VERSION.to_string());
    }
}
