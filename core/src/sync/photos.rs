//! Photo upload, the first step of a sync round: every photo a product on this phone
//! shows and the server does not have yet goes up before the products that name it, so
//! a buyer never gets a listing whose picture is missing.
//!
//! Resumable: the server says how many bytes of an unfinished upload it holds, and the
//! phone goes on from there in chunks of [`PHOTO_CHUNK`], so a connection cut at 90 %
//! costs one chunk again, not the photo. A photo the server already has (from anyone:
//! files are named by their SHA-256) is not sent at all. Photo bytes are sent as they
//! are: JPEG is compressed already.

use super::engine::{Payload, SyncClient, SyncError, SyncReport};
use super::wire::{PHOTO_CHUNK, PHOTOS_PATH, PhotoUpload};
use crate::catalog::PhotoRef;
use crate::store::StoreError;
use std::time::Instant;

/// `photos.uploaded_at` of a photo the server refused for good (damaged on this phone,
/// too large): never sent again, so a broken file cannot eat a data plan round after
/// round. The product still syncs; its buyers see the blurhash.
const REFUSED: i64 = -1;

/// What became of one photo.
#[derive(Debug, PartialEq, Eq)]
enum Sent {
    Uploaded,
    /// The server had it already: nothing but the question went over the wire.
    AlreadyThere,
    Refused,
    /// The file is gone from this phone (cleared app data, a failed write): left in
    /// the queue in case a new add of the same photo brings it back.
    MissingHere,
}

impl SyncClient {
    /// Where an app's image loader fetches a photo (or its thumbnail) from: no token,
    /// cacheable for ever.
    pub fn photo_url(&self, hash: &str, thumbnail: bool) -> String {
        let thumb = if thumbnail { "/thumb" } else { "" };
        format!(
            "{}{PHOTOS_PATH}/{hash}{thumb}",
            self.server_url().trim_end_matches('/')
        )
    }

    /// The server says it lacks these photos although this phone sent them (it deleted
    /// them while no product showed them): they go back on the upload queue. Photos it
    /// refused for good, or never sent, are left as they are. Returns how many.
    pub(crate) fn photos_missing_on_server(&self, hashes: &[String]) -> Result<usize, SyncError> {
        if hashes.is_empty() {
            return Ok(0);
        }
        self.database()
            .write(|tx| {
                let mut n = 0;
                for hash in hashes {
                    n += tx
                        .execute(
                            "UPDATE photos SET uploaded_at = NULL
                              WHERE hash = ?1 AND uploaded_at IS NOT NULL AND uploaded_at >= 0",
                            [hash],
                        )
                        .map_err(StoreError::from)?;
                }
                Ok::<_, StoreError>(n)
            })
            .map_err(SyncError::store)
    }

    /// Uploads every queued photo that a product uses, oldest first.
    pub(crate) fn upload_photos(
        &self,
        token: &str,
        deadline: Instant,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let queued = self
            .database()
            .read(|c| {
                c.prepare_cached(
                    "SELECT hash, mime, thumb_mime FROM photos
                     WHERE uploaded_at IS NULL
                       AND EXISTS (SELECT 1 FROM product_photos WHERE photo_hash = photos.hash)
                     ORDER BY created_at, hash",
                )?
                .query_map([], |r| {
                    Ok(PhotoRef {
                        hash: r.get(0)?,
                        mime: r.get(1)?,
                        thumb_mime: r.get(2)?,
                        width: 0,
                        height: 0,
                        thumb_width: 0,
                        thumb_height: 0,
                        blurhash: String::new(),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(StoreError::from)
            })
            .map_err(SyncError::store)?;
        for photo in queued {
            let sent = self.upload_one(&photo, token, deadline, report)?;
            let mark = match sent {
                Sent::Uploaded | Sent::AlreadyThere => {
                    report.photos_uploaded += u64::from(sent == Sent::Uploaded);
                    Some(crate::time::now_ms())
                }
                Sent::Refused => {
                    report.photos_refused += 1;
                    Some(REFUSED)
                }
                Sent::MissingHere => {
                    report.photos_refused += 1;
                    None
                }
            };
            if let Some(at) = mark {
                self.database()
                    .write(|tx| {
                        tx.execute(
                            "UPDATE photos SET uploaded_at = ?2 WHERE hash = ?1",
                            rusqlite::params![photo.hash, at],
                        )
                        .map_err(StoreError::from)
                    })
                    .map_err(SyncError::store)?;
            }
        }
        Ok(())
    }

    fn upload_one(
        &self,
        photo: &PhotoRef,
        token: &str,
        deadline: Instant,
        report: &mut SyncReport,
    ) -> Result<Sent, SyncError> {
        let base = format!("{PHOTOS_PATH}/{}", photo.hash);
        let upload_path = format!("{base}/upload");
        let (_, body) = self.call_with(
            "GET",
            &upload_path,
            None,
            Some(token),
            deadline,
            report,
            &[],
        )?;
        let mut status: PhotoUpload = SyncClient::json(&body)?;
        let mut sent_bytes = false;
        if !status.stored {
            let Ok(file) = std::fs::read(self.catalog().photo_path(photo, false)) else {
                return Ok(Sent::MissingHere);
            };
            let total = file.len();
            let mut offset = usize::try_from(status.received).unwrap_or(0).min(total);
            // A server that keeps answering "not there" without moving is a bug on one
            // side; three in a row end the round instead of looping.
            let mut stuck = 0;
            while !status.stored {
                let end = (offset + PHOTO_CHUNK).min(total);
                let (code, body) = self.call_with(
                    "PUT",
                    &format!("{upload_path}?offset={offset}&total={total}"),
                    Some(Payload::Bytes(&file[offset..end])),
                    Some(token),
                    deadline,
                    report,
                    &[409, 413, 422],
                )?;
                sent_bytes = true;
                if matches!(code, 413 | 422) {
                    return Ok(Sent::Refused);
                }
                let answer: PhotoUpload = SyncClient::json(&body)?;
                let next = usize::try_from(answer.received).unwrap_or(0).min(total);
                if code == 409 || next <= offset {
                    stuck += 1;
                    if stuck >= 3 && !answer.stored {
                        return Err(SyncError::Server {
                            status: code,
                            code: "photo upload does not advance".into(),
                        });
                    }
                } else {
                    stuck = 0;
                }
                offset = next;
                status = answer;
            }
        }
        if !status.thumb {
            // A phone without the thumbnail file still has a photo the server can show.
            if let Ok(thumb) = std::fs::read(self.catalog().photo_path(photo, true)) {
                // 403: someone else uploaded this photo and its thumbnail is theirs to
                // give; 409/413/422: the thumbnail is not needed for the listing.
                self.call_with(
                    "PUT",
                    &format!("{base}/thumb"),
                    Some(Payload::Bytes(&thumb)),
                    Some(token),
                    deadline,
                    report,
                    &[403, 409, 413, 422],
                )?;
            }
        }
        Ok(if sent_bytes {
            Sent::Uploaded
        } else {
            Sent::AlreadyThere
        })
    }
}
