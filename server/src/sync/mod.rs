//! Sync: phones push their outbox and pull what changed. The rules that decide what a
//! mutation may do live in [`rules`], what an account may see in [`feed`]; both run in
//! one transaction per mutation or page, on SQLite and PostgreSQL alike.
//!
//! Exactly once: each device's mutations carry increasing ids and the server records
//! the last one applied in the same transaction as its effect, so a batch sent again
//! (a lost answer, a killed app) changes nothing twice.

mod feed;
pub mod head;
mod rules;
mod trade;

use crate::error::ApiError;
use crate::store::{Account, StoreError};
use crate::{AppState, auth};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use pasar_core::sync::wire::{
    MutationResult, PROTOCOL_HEADER, PULL_PAGE, PUSH_BATCH, PullResponse, PushRequest, PushResponse,
};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", get(pull))
}

/// An app older than the server's minimum gets "please update", never data it would
/// misread; an app newer than the server is told so too (the server must be updated
/// first, which is how deployments roll out).
pub(crate) fn check_protocol(headers: &HeaderMap) -> Result<u32, ApiError> {
    let Some(value) = headers.get(PROTOCOL_HEADER) else {
        return Err(ApiError::bad_request(format!(
            "the {PROTOCOL_HEADER} header is required"
        )));
    };
    let version: u32 = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::bad_request(format!("{PROTOCOL_HEADER} must be a number")))?;
    if version < crate::MIN_CLIENT_API {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            "this version of the app is too old for the server: please update the app",
        ));
    }
    if version > crate::API_VERSION {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "server_too_old",
            "the server does not speak this version of the app yet; try again later",
        ));
    }
    Ok(version)
}

/// The account of the request's session token (checked against the database at most
/// every few seconds per token: see [`auth::SessionCache`]).
pub(crate) async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Account, ApiError> {
    let token = auth::bearer(headers).ok_or_else(ApiError::unauthorized)?;
    let hash = auth::token_hash(token);
    let now = state.clock.now_ms();
    if let Some(account) = state.sessions.get(&hash, now) {
        return Ok(account);
    }
    let account = state
        .store
        .session_account(&hash, now)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    state.sessions.put(&hash, &account, now);
    Ok(account)
}

pub(crate) fn check_device_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "device_id must be 1-64 letters, digits or dashes",
        ))
    }
}

/// Reads a `/v1/sync/push` body as the handler does, before anything is stored: the
/// JSON (serde_json's depth limit of 128 keeps a deeply nested body from overflowing
/// the stack), the device id, the batch size and the mutation ids. Public so the fuzz
/// target `sync_push_request` runs exactly this code on hostile bytes.
pub fn check_push_body(body: &[u8]) -> Result<PushRequest, ApiError> {
    let request: PushRequest = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("not a push request: {e}")))?;
    check_device_id(&request.device_id)?;
    if request.mutations.len() > PUSH_BATCH {
        return Err(ApiError::bad_request(format!(
            "at most {PUSH_BATCH} mutations per push"
        )));
    }
    if request.mutations.windows(2).any(|w| w[0].id >= w[1].id)
        || request
            .mutations
            .iter()
            .any(|m| m.id == 0 || m.id > i64::MAX as u64)
    {
        return Err(ApiError::bad_request(
            "mutation ids must be positive and increasing",
        ));
    }
    Ok(request)
}

async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PushResponse>, ApiError> {
    check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    let request = check_push_body(&body)?;
    let now = state.clock.now_ms();
    let device = request.device_id;
    let account_id = account.id.clone();
    let mut last_applied = {
        let device = device.clone();
        state
            .store
            .transaction(move |tx| rules::register_device(tx, &device, &account_id, now))
            .await?
    };
    let mut results = Vec::with_capacity(request.mutations.len());
    // One transaction per mutation: a refused one never undoes or blocks the others.
    for mutation in request.mutations {
        let (device, account) = (device.clone(), account.clone());
        let (result, last) = state
            .store
            .transaction(move |tx| rules::apply(tx, &device, &account, mutation, now))
            .await?;
        last_applied = last_applied.max(last);
        results.push(result);
    }
    if !results.is_empty() {
        // An order move queued its pushes with it: the worker sends them now rather
        // than at its next look.
        state.push.wake.notify_one();
    }
    // This instance committed changes: its next poll must see them.
    state.feed_head.forget();
    Ok(Json(PushResponse {
        results,
        last_applied,
    }))
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    cursor: String,
    limit: Option<u32>,
}

async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    let protocol = check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    let cursor = feed::Cursor::parse(&query.cursor)
        .ok_or_else(|| ApiError::bad_request("unknown cursor: pull from the start"))?;
    // Most polls come with a cursor at the head: when nothing was committed above it,
    // there is nothing new for anyone (see `head`), and no query to make.
    if cursor.is_placed() {
        let now = state.clock.now_ms();
        let head = match state.feed_head.known(now) {
            Some(seq) => seq,
            None => {
                let seq = state.store.read(feed::head).await?;
                state.feed_head.set(seq, now);
                seq
            }
        };
        if cursor.seq() >= head {
            return Ok(Json(PullResponse {
                changes: Vec::new(),
                cursor: cursor.at(cursor.seq()),
                more: false,
                reset: false,
            }));
        }
    }
    let limit = query.limit.unwrap_or(PULL_PAGE).clamp(1, PULL_PAGE);
    let now = state.clock.now_ms();
    // The page comes with the head it is complete up to (read in the same statement).
    let (head, mut page) = state
        .store
        .read(move |tx| feed::page(tx, &account.id, cursor, limit, protocol >= 2))
        .await?;
    state.feed_head.set(head, now);
    // A complete page brings the phone to the head of the whole feed, not only to its
    // own last change: its next poll is then answered from memory until something new
    // is committed anywhere.
    if !page.more {
        page.cursor = feed::Cursor::parse(&page.cursor)
            .filter(|c| c.is_placed() && c.seq() < head)
            .map_or(page.cursor, |c| c.at(head));
    }
    Ok(Json(page))
}

/// Cancels the unpaid orders whose payment window closed by `now` (their stock goes
/// back, both parties get a push): one transaction each, so a failure stops only its
/// own. Returns how many. Several servers may run it at once: each order is checked
/// again inside its transaction.
pub(crate) async fn expire_unpaid(state: &AppState, now: i64) -> Result<u64, StoreError> {
    let mut expired = 0;
    loop {
        let due = state
            .store
            .read(move |tx| rules::due_unpaid(tx, now, 100))
            .await?;
        let batch = due.len();
        for id in due {
            let done = state
                .store
                .transaction(move |tx| match rules::expire_order(tx, &id, now) {
                    Ok(done) => Ok(done),
                    Err(rules::Reject::Store(e)) => Err(e),
                    // A stored order this build cannot move: leave it to a person.
                    Err(rules::Reject::Refused(_)) => Ok(false),
                })
                .await?;
            expired += u64::from(done);
        }
        if batch < 100 {
            break;
        }
    }
    if expired > 0 {
        state.feed_head.forget();
        state.push.wake.notify_one();
    }
    Ok(expired)
}

/// What a push answers for a mutation applied now or before.
fn applied(id: u64, missing_photos: Vec<String>) -> MutationResult {
    MutationResult {
        id,
        rejected: None,
        missing_photos,
    }
}
