//! Which products show which photo, and deleting the photos no product shows.
//!
//! Every product write records its photos in `photo_refs`. A photo no product shows
//! carries the time it became unused (`photos.unused_since`; a new upload starts
//! unused) and, after [`UNUSED_FOR_MS`], the periodic cleanup deletes it in three steps:
//! the row is marked `-1` (deleting) in a transaction that holds the feed's row lock,
//! so no product write can take the photo up meanwhile; then the files go; then the row.
//! While a row is `-1` the photo counts as absent: a status says it is not stored, an
//! upload that would complete it is asked to come back (`503`), and a product showing
//! it hears that it is missing. A cleanup killed half-way finishes the marked rows on
//! its next run.
//!
//! Why the product write tells the phone which photos are missing: a phone remembers
//! which photos it sent, and a seller may list again, weeks later, a picture whose
//! product she deleted. Told, the phone forgets it sent them and sends them again (see
//! the core's `sync::photos`), so a deleted photo never leaves a product without its
//! picture for longer than one round.
//!
//! Photos stored before the server counted references (`counted = 0`) may be shown by
//! products written before then, which have no `photo_refs` rows: they are never
//! deleted.

use super::{photo_key, thumb_key};
use crate::AppState;
use crate::store::StoreError;
use crate::store::sql::{SqlTx, Value};

/// How long a photo no product shows is kept: a seller who deleted a product by
/// mistake, or whose phone uploaded the photos and then lost the network before the
/// product went up, has a week.
pub const UNUSED_FOR_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Rows marked for deletion per transaction.
const BATCH: i64 = 100;

/// Records that product `product_id` now shows `photos` (in `tx`, the product's own
/// write). Returns the photos among them the server does not have.
pub(crate) fn track(
    tx: &mut dyn SqlTx,
    product_id: &str,
    photos: &[&str],
    now: i64,
) -> Result<Vec<String>, StoreError> {
    let before: Vec<String> = tx
        .query(
            "SELECT hash FROM photo_refs WHERE product_id = ?1",
            &[product_id.into()],
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next().and_then(Value::into_text))
        .collect();
    for dropped in before.iter().filter(|h| !photos.contains(&h.as_str())) {
        let hash = Value::from(dropped.as_str());
        tx.execute(
            "DELETE FROM photo_refs WHERE hash = ?1 AND product_id = ?2",
            &[hash.clone(), product_id.into()],
        )?;
        tx.execute(
            "UPDATE photos SET unused_since = ?2
              WHERE hash = ?1 AND unused_since IS NULL
                AND NOT EXISTS (SELECT 1 FROM photo_refs WHERE hash = ?1)",
            &[hash, now.into()],
        )?;
    }
    let mut missing = Vec::new();
    for (i, &hash) in photos.iter().enumerate() {
        if photos[..i].contains(&hash) {
            continue;
        }
        if !before.iter().any(|h| h == hash) {
            tx.execute(
                "INSERT INTO photo_refs (hash, product_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                &[hash.into(), product_id.into()],
            )?;
            tx.execute(
                "UPDATE photos SET unused_since = NULL WHERE hash = ?1 AND unused_since >= 0",
                &[hash.into()],
            )?;
        }
        let state = tx.query_opt(
            "SELECT unused_since FROM photos WHERE hash = ?1",
            &[hash.into()],
        )?;
        let deleting = state
            .as_ref()
            .and_then(|row| row.first())
            .and_then(Value::int)
            .is_some_and(|t| t < 0);
        if state.is_none() || deleting {
            missing.push(hash.to_owned());
        }
    }
    Ok(missing)
}

/// What an upload completing `hash` finds: `true` when the photo is being deleted (the
/// uploader comes back once it is gone).
pub(crate) fn being_deleted(tx: &mut dyn SqlTx, hash: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT unused_since FROM photos WHERE hash = ?1",
            &[hash.into()],
        )?
        .and_then(|row| row.into_iter().next())
        .and_then(|v| v.int())
        .is_some_and(|t| t < 0))
}

/// Deletes the photos (files and rows) no product has shown since `before`; returns
/// how many. Several servers may run it at once.
pub async fn collect_unused(state: &AppState, before: i64) -> Result<u64, StoreError> {
    let mut deleted = 0;
    loop {
        let marked = state
            .store
            .transaction(move |tx| {
                // The feed row first: product writes take it before anything else, so
                // none runs between the check below and the mark.
                tx.execute("UPDATE feed SET seq = seq WHERE id = 1", &[])?;
                tx.execute(
                    "UPDATE photos SET unused_since = -1
                      WHERE hash IN (SELECT hash FROM photos
                                      WHERE counted = 1 AND unused_since >= 0
                                        AND unused_since < ?1
                                      LIMIT ?2)
                        AND NOT EXISTS (SELECT 1 FROM photo_refs r WHERE r.hash = photos.hash)",
                    &[before.into(), BATCH.into()],
                )?;
                // Marked now, or by a run that stopped before it finished.
                tx.query(
                    "SELECT hash FROM photos WHERE unused_since = -1 LIMIT ?1",
                    &[BATCH.into()],
                )
            })
            .await?;
        let hashes: Vec<String> = marked
            .into_iter()
            .filter_map(|row| row.into_iter().next().and_then(Value::into_text))
            .collect();
        if hashes.is_empty() {
            return Ok(deleted);
        }
        let mut gone = Vec::with_capacity(hashes.len());
        for hash in hashes {
            let files = [photo_key(&hash), thumb_key(&hash)];
            let mut ok = true;
            for key in &files {
                if let Err(e) = state.photos.delete(key).await {
                    tracing::warn!(error = %e, "an unused photo could not be deleted");
                    ok = false;
                }
            }
            if ok {
                gone.push(hash);
            }
        }
        let done = gone.len();
        let rows = state
            .store
            .transaction(move |tx| {
                let mut rows = 0;
                for hash in &gone {
                    rows += tx.execute(
                        "DELETE FROM photos WHERE hash = ?1 AND unused_since = -1",
                        &[hash.as_str().into()],
                    )?;
                }
                Ok::<_, StoreError>(rows)
            })
            .await?;
        deleted += rows;
        // Files the store would not delete stay marked for the next run.
        if done == 0 {
            return Ok(deleted);
        }
    }
}
