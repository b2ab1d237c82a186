//! `server/openapi.json` and the router describe the same API: every route the router
//! has is in the document with exactly its methods, and every path of the document is
//! a route. Adding a route without describing it (or the reverse) fails here, naming it.
//!
//! The router's paths are read from its `Debug` output (axum has no other way to list
//! them); the methods of each path from the `Allow` header of a 405, over real HTTP.

mod common;

use common::{Backend, Server, request};
use pasar_server::ops::openapi::DOCUMENT;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The paths registered in a router, from `Router { path_router: PathRouter { ...,
/// node: Node { paths: {RouteId(0): "/health", ...} } }, ... }`.
fn router_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let start = debug
        .find("path_router: PathRouter")
        .and_then(|i| debug[i..].find("node: Node { paths: {").map(|j| i + j))
        .unwrap_or_else(|| panic!("axum's Debug output changed; update router_paths():\n{debug}"));
    let mut rest = &debug[start + "node: Node { paths: {".len()..];
    let mut paths = BTreeSet::new();
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        if rest.starts_with('}') {
            break;
        }
        let entry = rest
            .strip_prefix("RouteId(")
            .and_then(|r| r.split_once("): \""))
            .unwrap_or_else(|| panic!("unexpected router Debug output at: {rest:.80}"));
        let (path, after) = entry.1.split_once('"').expect("closing quote");
        paths.insert(path.to_owned());
        rest = after;
    }
    assert!(paths.contains("/health"), "parsed {paths:?} from {debug}");
    paths
}

/// `/v1/things/{id}` → `/v1/things/x`: a concrete path the route matches.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "x" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_described_and_every_description_is_a_route() {
    let server = Server::start(Backend::Sqlite).await.expect("server");
    let registered = router_paths(&pasar_server::router(server.state.clone()));
    let documented = documented();

    let undocumented: Vec<_> = registered
        .iter()
        .filter(|p| !documented.contains_key(*p))
        .collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from server/openapi.json: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented
        .keys()
        .filter(|p| !registered.contains(*p))
        .collect();
    assert!(
        unrouted.is_empty(),
        "server/openapi.json describes paths the router does not have: {unrouted:?}"
    );

    // A method no route takes gets 405 and the path's real methods in `Allow`.
    for (path, methods) in &documented {
        let reply = request(server.addr, "PROBE", &concrete(path), &[], b"").await;
        assert_eq!(reply.status, 405, "PROBE {path}: {}", reply.text());
        let allow = reply.header("allow").unwrap_or_default();
        let mut allowed: BTreeSet<String> = allow
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        // axum answers HEAD wherever it answers GET; the document need not say so.
        if allowed.contains("GET") && !methods.contains("HEAD") {
            allowed.remove("HEAD");
        }
        assert_eq!(&allowed, methods, "methods of {path} (Allow: {allow})");
    }
    server.finish().await;
}

#[test]
fn the_document_is_consistent() {
    let doc: Value = serde_json::from_str(DOCUMENT).expect("JSON");
    // Every $ref points at something.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    // Operations have unique ids and say what they answer.
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} used twice");
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            assert!(op["summary"].is_string(), "{method} {path} has no summary");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_served() {
    let server = Server::start(Backend::Sqlite).await.expect("server");
    let reply = request(server.addr, "GET", "/openapi.json", &[], b"").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.text(), DOCUMENT);
    server.finish().await;
}
