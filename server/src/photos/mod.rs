//! Photo upload and serving: content-addressed (the SHA-256 of the file is its name),
//! resumable in chunks, deduplicated, size- and type-checked, served with cache headers.
//!
//! - `GET /v1/photos/{hash}/upload` (signed in): how far this account's upload is.
//! - `PUT /v1/photos/{hash}/upload?offset=N&total=T` (signed in): the bytes from `N`, at
//!   most [`PHOTO_CHUNK`]. The last chunk completes the file: its SHA-256 must be the
//!   name and its first bytes a JPEG, PNG or WebP, or it is thrown away (`422`). A chunk
//!   at the wrong offset gets `409` and the offset to resume from.
//! - `PUT /v1/photos/{hash}/thumb` (signed in, the photo's uploader): its thumbnail.
//! - `GET /v1/photos/{hash}` and `.../thumb`: the files, to anyone, cacheable for ever.
//!   The address is 256 bits of hash, known only to those who see the product, so no
//!   token is asked for: apps' image loaders and caches in front of the server need none.
//!
//! Chunks wait in the photo store (`staging/...`) and their progress in the database,
//! so any server instance can take the next chunk. A photo already stored (by anyone)
//! is not uploaded again: the status says `stored` at once.

pub mod refs;
pub mod storage;

use crate::AppState;
use crate::error::ApiError;
use crate::store::StoreError;
use crate::store::sql::{SqlTx, Value};
use crate::sync::{check_protocol, signed_in};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pasar_core::media::{Format, sniff};
use pasar_core::sync::wire::{PHOTO_CHUNK, PHOTO_MAX, PhotoUpload, THUMB_MAX};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use storage::{BlobError, Blobs, PhotoStorage};

/// Cached by phones and any cache in between for a year: the content never changes
/// under its address.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

pub(crate) fn routes() -> Router<AppState> {
    // Chunks are bounded here, not by the server-wide body limit (which may be lower
    // or higher); a request body over it is refused before it is read whole.
    let chunk_limit = DefaultBodyLimit::max(PHOTO_CHUNK);
    Router::new()
        .route(
            "/v1/photos/{hash}/upload",
            get(upload_status).put(upload_chunk).layer(chunk_limit),
        )
        .route(
            "/v1/photos/{hash}/thumb",
            get(serve_thumb)
                .put(upload_thumb)
                .layer(DefaultBodyLimit::max(THUMB_MAX as usize)),
        )
        .route("/v1/photos/{hash}", get(serve_photo))
}

fn photo_key(hash: &str) -> String {
    format!("photos/{hash}")
}

fn thumb_key(hash: &str) -> String {
    format!("thumbs/{hash}")
}

fn chunk_key(hash: &str, account: &str, index: i64) -> String {
    format!("staging/{hash}/{account}/{index:06}")
}

fn check_hash(hash: &str) -> Result<(), ApiError> {
    if hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "a photo's address is the SHA-256 of its file, 64 lower-case hex digits",
        ))
    }
}

fn mime_of(format: Format) -> &'static str {
    match format {
        Format::Jpeg => "image/jpeg",
        Format::Png => "image/png",
        Format::WebP => "image/webp",
    }
}

fn not_a_photo(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_photo",
        format!("{what} is not a JPEG, PNG or WebP photo"),
    )
}

fn blob_failed(e: BlobError) -> ApiError {
    ApiError::internal(format!("photo store: {e}"))
}

/// What the database knows of a photo: stored (and with a thumbnail?), or this
/// account's unfinished upload.
struct Known {
    stored: Option<StoredPhoto>,
    upload: Option<Partial>,
}

struct StoredPhoto {
    uploaded_by: String,
    thumb_mime: Option<String>,
}

struct Partial {
    total: i64,
    received: i64,
    chunks: i64,
}

fn look_up(tx: &mut dyn SqlTx, hash: &str, account: &str) -> Result<Known, StoreError> {
    let stored = tx
        .query_opt(
            // A photo being deleted (see `refs`) is as good as gone.
            "SELECT uploaded_by, thumb_mime FROM photos
              WHERE hash = ?1 AND (unused_since IS NULL OR unused_since >= 0)",
            &[Value::from(hash)],
        )?
        .map(|row| {
            let mut row = row.into_iter();
            StoredPhoto {
                uploaded_by: row.next().and_then(Value::into_text).unwrap_or_default(),
                thumb_mime: row.next().and_then(Value::into_text),
            }
        });
    let upload = tx
        .query_opt(
            "SELECT total, received, chunks FROM photo_uploads WHERE hash = ?1 AND account_id = ?2",
            &[Value::from(hash), Value::from(account)],
        )?
        .map(|row| Partial {
            total: row.first().and_then(Value::int).unwrap_or(0),
            received: row.get(1).and_then(Value::int).unwrap_or(0),
            chunks: row.get(2).and_then(Value::int).unwrap_or(0),
        });
    Ok(Known { stored, upload })
}

fn status_of(known: &Known) -> PhotoUpload {
    match &known.stored {
        Some(photo) => PhotoUpload {
            stored: true,
            received: 0,
            thumb: photo.thumb_mime.is_some(),
        },
        None => PhotoUpload {
            stored: false,
            received: known
                .upload
                .as_ref()
                .map_or(0, |u| u64::try_from(u.received).unwrap_or(0)),
            thumb: false,
        },
    }
}

async fn upload_status(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PhotoUpload>, ApiError> {
    check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    check_hash(&hash)?;
    let known = state
        .store
        .read(move |tx| look_up(tx, &hash, &account.id))
        .await?;
    Ok(Json(status_of(&known)))
}

#[derive(Deserialize)]
struct ChunkQuery {
    offset: u64,
    total: u64,
}

async fn upload_chunk(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    Query(at): Query<ChunkQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    check_hash(&hash)?;
    if at.total == 0 || at.total > PHOTO_MAX {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a photo may be at most {PHOTO_MAX} bytes"),
        ));
    }
    let end = at.offset.saturating_add(body.len() as u64);
    if body.is_empty() || end > at.total {
        return Err(ApiError::bad_request(
            "a chunk must hold at least one byte and end within the photo",
        ));
    }
    // The first bytes tell the type: a file that is no photo is refused before the
    // rest of it is sent.
    if at.offset == 0 && sniff(&body).is_err() {
        return Err(not_a_photo("the file"));
    }
    let (offset, total) = (at.offset as i64, at.total as i64);
    let now = state.clock.now_ms();

    // Where this chunk goes, by what the database says now.
    let known = {
        let (hash, account) = (hash.clone(), account.id.clone());
        state
            .store
            .read(move |tx| look_up(tx, &hash, &account))
            .await?
    };
    if known.stored.is_some() {
        state
            .metrics
            .counter(UPLOADS, &[("result", "deduplicated")])
            .inc();
        return Ok(Json(status_of(&known)).into_response());
    }
    let index = match &known.upload {
        Some(u) if u.received == offset && u.total == total => u.chunks,
        None if offset == 0 => 0,
        // A restarted upload (a new total: another file under the same name cannot
        // pass the hash check, so this is a client that lost its place) starts over.
        Some(u) if offset == 0 && u.total != total => 0,
        _ => return Ok(offset_mismatch(&status_of(&known))),
    };
    // The cleanup is deleting an earlier copy of this photo: completing it now could lose
    // the file to that deletion. The last chunk is refused before it counts, and the
    // phone sends it again.
    let deleting = end == at.total && {
        let hash = hash.clone();
        state
            .store
            .read(move |tx| refs::being_deleted(tx, &hash))
            .await?
    };
    if deleting {
        let mut busy = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "photo_busy",
            "an earlier copy of this photo is being deleted; send the last chunk again shortly",
        )
        .into_response();
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return Ok(busy);
    }
    state
        .photos
        .put(&chunk_key(&hash, &account.id, index), body.clone())
        .await
        .map_err(blob_failed)?;
    let len = body.len() as i64;
    let recorded = {
        let (hash, account) = (hash.clone(), account.id.clone());
        state
            .store
            .transaction(move |tx| {
                let n = if index == 0 {
                    tx.execute(
                        "DELETE FROM photo_uploads WHERE hash = ?1 AND account_id = ?2",
                        &[Value::from(hash.as_str()), Value::from(account.as_str())],
                    )?;
                    tx.execute(
                        "INSERT INTO photo_uploads (hash, account_id, total, received, chunks, updated_at)
                         VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                        &[
                            Value::from(hash.as_str()),
                            Value::from(account.as_str()),
                            Value::Int(total),
                            Value::Int(len),
                            Value::Int(now),
                        ],
                    )?
                } else {
                    tx.execute(
                        "UPDATE photo_uploads SET received = received + ?3, chunks = chunks + 1,
                                                  updated_at = ?4
                         WHERE hash = ?1 AND account_id = ?2 AND received = ?5 AND chunks = ?6",
                        &[
                            Value::from(hash.as_str()),
                            Value::from(account.as_str()),
                            Value::Int(len),
                            Value::Int(now),
                            Value::Int(offset),
                            Value::Int(index),
                        ],
                    )?
                };
                Ok::<_, StoreError>(n == 1)
            })
            .await?
    };
    if !recorded {
        // Another request of this account moved the upload on meanwhile.
        let (hash, account) = (hash.clone(), account.id.clone());
        let known = state
            .store
            .read(move |tx| look_up(tx, &hash, &account))
            .await?;
        return Ok(offset_mismatch(&status_of(&known)));
    }
    if end < at.total {
        return Ok(Json(PhotoUpload {
            stored: false,
            received: end,
            thumb: false,
        })
        .into_response());
    }
    finish(&state, &hash, &account.id, index + 1, total, now).await
}

fn offset_mismatch(status: &PhotoUpload) -> Response {
    let mut response = (StatusCode::CONFLICT, Json(status.clone())).into_response();
    response
        .headers_mut()
        .insert("x-pasar-error", HeaderValue::from_static("offset_mismatch"));
    response
}

/// Puts the chunks together, checks the whole file and stores it under its hash.
async fn finish(
    state: &AppState,
    hash: &str,
    account: &str,
    chunks: i64,
    total: i64,
    now: i64,
) -> Result<Response, ApiError> {
    let mut file = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for index in 0..chunks {
        let chunk = state
            .photos
            .get(&chunk_key(hash, account, index))
            .await
            .map_err(blob_failed)?
            .ok_or_else(|| ApiError::internal("a staged photo chunk is missing"))?;
        file.extend_from_slice(&chunk);
    }
    let whole = file.len() as i64 == total && hex(&Sha256::digest(&file)) == hash;
    let format = sniff(&file).ok();
    let discard = async {
        for index in 0..chunks {
            let _ = state.photos.delete(&chunk_key(hash, account, index)).await;
        }
        let (hash, account) = (hash.to_owned(), account.to_owned());
        state
            .store
            .transaction(move |tx| {
                tx.execute(
                    "DELETE FROM photo_uploads WHERE hash = ?1 AND account_id = ?2",
                    &[Value::from(hash.as_str()), Value::from(account.as_str())],
                )
            })
            .await
    };
    let (true, Some(format)) = (whole, format) else {
        discard.await?;
        state
            .metrics
            .counter(UPLOADS, &[("result", "corrupt")])
            .inc();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_corrupt",
            "the uploaded file does not match its SHA-256 or is not a photo; upload it again",
        ));
    };
    state
        .photos
        .put(&photo_key(hash), Bytes::from(file))
        .await
        .map_err(blob_failed)?;
    {
        let (hash, account) = (hash.to_owned(), account.to_owned());
        let mime = mime_of(format);
        state
            .store
            .transaction(move |tx| {
                // Unused from now unless a product already shows it (one pushed while
                // its photo was away, see `refs`).
                tx.execute(
                    "INSERT INTO photos
                            (hash, mime, bytes, uploaded_by, created_at, counted, unused_since)
                     VALUES (?1, ?2, ?3, ?4, ?5, 1,
                             CASE WHEN EXISTS (SELECT 1 FROM photo_refs WHERE hash = ?1)
                                  THEN NULL ELSE CAST(?5 AS BIGINT) END)
                     ON CONFLICT (hash) DO NOTHING",
                    &[
                        Value::from(hash.as_str()),
                        Value::from(mime),
                        Value::Int(total),
                        Value::from(account.as_str()),
                        Value::Int(now),
                    ],
                )
            })
            .await?;
    }
    discard.await?;
    state
        .metrics
        .counter(UPLOADS, &[("result", "stored")])
        .inc();
    Ok(Json(PhotoUpload {
        stored: true,
        received: 0,
        thumb: false,
    })
    .into_response())
}

const UPLOADS: &str = "pasar_photo_uploads_total";

/// An upload untouched this long is given up: its progress and staged chunks are
/// deleted by the periodic cleanup (a phone coming back later starts that photo over).
pub const ABANDONED_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// Deletes uploads untouched since `before` and their staged chunks; returns how many.
/// The rows go first, in one transaction, so a chunk arriving meanwhile finds no upload
/// and is told to start over rather than landing in a half-deleted one.
pub async fn forget_abandoned(state: &AppState, before: i64) -> Result<u64, StoreError> {
    let gone = state
        .store
        .transaction(move |tx| {
            let rows = tx.query(
                "SELECT hash, account_id, chunks FROM photo_uploads WHERE updated_at < ?1",
                &[Value::Int(before)],
            )?;
            tx.execute(
                "DELETE FROM photo_uploads WHERE updated_at < ?1",
                &[Value::Int(before)],
            )?;
            Ok::<_, StoreError>(rows)
        })
        .await?;
    let count = gone.len() as u64;
    for row in gone {
        let mut row = row.into_iter();
        let (Some(hash), Some(account), Some(chunks)) = (
            row.next().and_then(Value::into_text),
            row.next().and_then(Value::into_text),
            row.next().and_then(|v| v.int()),
        ) else {
            continue;
        };
        for index in 0..chunks {
            if let Err(e) = state
                .photos
                .delete(&chunk_key(&hash, &account, index))
                .await
            {
                tracing::warn!(error = %e, "a staged photo chunk could not be deleted");
            }
        }
    }
    Ok(count)
}

async fn upload_thumb(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PhotoUpload>, ApiError> {
    check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    check_hash(&hash)?;
    let format = sniff(&body).map_err(|_| not_a_photo("the thumbnail"))?;
    let known = {
        let (hash, account) = (hash.clone(), account.id.clone());
        state
            .store
            .read(move |tx| look_up(tx, &hash, &account))
            .await?
    };
    let Some(photo) = known.stored else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "photo_missing",
            "upload the photo before its thumbnail",
        ));
    };
    if photo.thumb_mime.is_some() {
        return Ok(Json(PhotoUpload {
            stored: true,
            received: 0,
            thumb: true,
        }));
    }
    // The thumbnail is not checked against the photo, so only the account that
    // uploaded the photo may give it one.
    if photo.uploaded_by != account.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_allowed",
            "only the account that uploaded a photo may add its thumbnail",
        ));
    }
    state
        .photos
        .put(&thumb_key(&hash), body)
        .await
        .map_err(blob_failed)?;
    let mime = mime_of(format);
    state
        .store
        .transaction(move |tx| {
            tx.execute(
                "UPDATE photos SET thumb_mime = ?2 WHERE hash = ?1",
                &[Value::from(hash.as_str()), Value::from(mime)],
            )
        })
        .await?;
    Ok(Json(PhotoUpload {
        stored: true,
        received: 0,
        thumb: true,
    }))
}

async fn serve_photo(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, &hash, &headers, false).await
}

async fn serve_thumb(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, &hash, &headers, true).await
}

async fn serve(
    state: &AppState,
    hash: &str,
    headers: &HeaderMap,
    thumb: bool,
) -> Result<Response, ApiError> {
    check_hash(hash)?;
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such photo (yet): its upload may not have finished",
        )
    };
    let mime = {
        let hash = hash.to_owned();
        state
            .store
            .read(move |tx| {
                tx.query_opt(
                    "SELECT mime, thumb_mime FROM photos WHERE hash = ?1",
                    &[Value::from(hash.as_str())],
                )
            })
            .await?
            .and_then(|row| row.into_iter().nth(usize::from(thumb)))
            .and_then(Value::into_text)
            .ok_or_else(missing)?
    };
    let etag = if thumb {
        format!("\"{hash}-t\"")
    } else {
        format!("\"{hash}\"")
    };
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let key = if thumb {
            thumb_key(hash)
        } else {
            photo_key(hash)
        };
        let bytes = state
            .photos
            .get(&key)
            .await
            .map_err(blob_failed)?
            .ok_or_else(missing)?;
        let mut r = Body::from(bytes).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("image/jpeg")),
        );
        r
    };
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_FOREVER),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
