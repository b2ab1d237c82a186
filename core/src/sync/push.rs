//! Push notifications on the phone: where this install receives them (registered with
//! the server in the next sync round) and what to do when one arrives.
//!
//! A push is a hint — order id, new status, version — from FCM, APNs or a UnifiedPush
//! distributor, none of which promise order or uniqueness, and whose payload anyone
//! holding a token could forge. So it is read as data, never obeyed: a stale or
//! repeated hint is dropped, a fresh one makes the phone pull the order from the
//! server, and the text shown comes from what the pull brought
//! ([`notice::order_notice`]), recorded so the same change never notifies twice,
//! whether it came by push or by an ordinary sync.

use super::engine::{Payload, SyncClient, SyncError};
use super::notice::{self, Notice};
use super::outbox::{self, DEVICE_KEY};
use super::wire::PushDeviceDoc;
use crate::error::{Error, Problem, Result, ValidationError};
use crate::i18n::Lang;
use crate::order::OrderStatus;
use crate::store::StoreError;
use crate::time;
use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The largest payload any of the three services delivers.
pub const PUSH_MAX_BYTES: usize = 4096;

const DEVICE_DOC_KEY: &str = "push.device";
/// Set once the server has the registration in [`DEVICE_DOC_KEY`].
const DEVICE_SENT_KEY: &str = "push.sent";
const LANG_KEY: &str = "push.lang";

/// What a push says moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub order_id: String,
    pub status: OrderStatus,
    pub version: i64,
}

/// The hint's fields: FCM's data map, APNs' `pasar` object or the Web Push plaintext.
#[derive(Deserialize, Default)]
struct Fields {
    #[serde(rename = "t")]
    kind: Option<String>,
    #[serde(rename = "o")]
    order: Option<String>,
    #[serde(rename = "s")]
    status: Option<String>,
    #[serde(rename = "v")]
    version: Option<String>,
}

/// The shapes the apps may hand over: the whole APNs `userInfo` (hint under `pasar`),
/// an FCM message with its `data`, or the hint itself.
#[derive(Deserialize)]
struct Envelope {
    pasar: Option<Fields>,
    data: Option<Fields>,
}

/// Reads a push payload. `Ok(None)` for a kind this build does not know (a newer
/// server's); an error for anything malformed, too large or out of range.
pub fn parse_hint(payload: &[u8]) -> std::result::Result<Option<Hint>, ValidationError> {
    let bad = || ValidationError::new("push", Problem::Invalid);
    if payload.len() > PUSH_MAX_BYTES {
        return Err(ValidationError::new(
            "push",
            Problem::TooLong {
                max: PUSH_MAX_BYTES,
            },
        ));
    }
    let envelope: Envelope = serde_json::from_slice(payload).map_err(|_| bad())?;
    let fields = match (envelope.pasar, envelope.data) {
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => serde_json::from_slice::<Fields>(payload).map_err(|_| bad())?,
    };
    match fields.kind.as_deref() {
        Some("order") => {}
        Some(_) => return Ok(None),
        None => return Err(bad()),
    }
    let order_id = fields.order.ok_or_else(bad)?;
    let id_ok = !order_id.is_empty()
        && order_id.len() <= 64
        && order_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !id_ok {
        return Err(bad());
    }
    let status = fields
        .status
        .as_deref()
        .and_then(OrderStatus::from_code)
        .ok_or_else(bad)?;
    let version = fields
        .version
        .as_deref()
        .filter(|v| !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|&v| v > 0)
        .ok_or_else(bad)?;
    Ok(Some(Hint {
        order_id,
        status,
        version,
    }))
}

/// Whether `version` of the order is newer than anything the user was told of.
pub(crate) fn first_news(c: &Connection, order_id: &str, version: i64) -> Result<bool> {
    let told: Option<i64> = c
        .prepare_cached("SELECT version FROM order_notices WHERE order_id = ?1")
        .and_then(|mut s| s.query_row([order_id], |r| r.get(0)).optional())
        .map_err(StoreError::from)?;
    Ok(told.is_none_or(|t| t < version))
}

pub(crate) fn mark_told(c: &Connection, order_id: &str, version: i64, now: i64) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO order_notices (order_id, version, at) VALUES (?1, ?2, ?3)
         ON CONFLICT (order_id) DO UPDATE SET version = MAX(version, excluded.version), at = excluded.at",
    )
    .and_then(|mut s| s.execute(rusqlite::params![order_id, version, now]))
    .map_err(StoreError::from)?;
    Ok(())
}

/// The language of notifications: the one the app registered with, Indonesian before.
pub(crate) fn lang(c: &Connection) -> Result<Lang> {
    Ok(match outbox::meta_get(c, LANG_KEY)?.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Id,
    })
}

impl SyncClient {
    /// Where this install receives pushes: saved now, sent to the server with the next
    /// sync round (so it survives being offline), and again whenever it changes.
    pub fn register_push_blocking(&self, device: PushDeviceDoc) -> Result<()> {
        let field_ok = |s: &str, max: usize| !s.trim().is_empty() && s.len() <= max;
        if !matches!(device.platform.as_str(), "fcm" | "apns" | "webpush") {
            return Err(ValidationError::new("platform", Problem::Invalid).into());
        }
        if !field_ok(&device.token, 2048) || !field_ok(&device.app_version, 64) {
            return Err(ValidationError::new("token", Problem::Invalid).into());
        }
        let web_keys = device.p256dh.as_deref().is_some_and(|k| field_ok(k, 128))
            && device.auth.as_deref().is_some_and(|k| field_ok(k, 64));
        if device.platform == "webpush" && !web_keys {
            return Err(ValidationError::new("p256dh", Problem::Invalid).into());
        }
        let lang = if device.lang == "en" { "en" } else { "id" };
        let doc = PushDeviceDoc {
            lang: lang.to_owned(),
            ..device
        };
        let text = serde_json::to_string(&doc).map_err(|e| Error::Internal(e.to_string()))?;
        self.database().write(|tx| {
            if outbox::meta_get(tx, DEVICE_DOC_KEY)?.as_deref() != Some(text.as_str()) {
                outbox::meta_set(tx, DEVICE_DOC_KEY, &text)?;
                outbox::meta_delete(tx, DEVICE_SENT_KEY)?;
            }
            outbox::meta_set(tx, LANG_KEY, lang)?;
            Ok::<_, Error>(())
        })
    }

    /// Sends the push registration if the server does not have it yet. Never fails a
    /// round: a registration the server refuses is dropped (the app registers again
    /// with its next token), any other failure waits for the next round.
    pub(crate) fn send_push_registration(
        &self,
        token: &str,
        deadline: Instant,
        report: &mut super::SyncReport,
    ) -> std::result::Result<(), SyncError> {
        let (doc, sent, device) = self
            .database()
            .read(|c| {
                Ok::<_, StoreError>((
                    outbox::meta_get(c, DEVICE_DOC_KEY)?,
                    outbox::meta_get(c, DEVICE_SENT_KEY)?,
                    outbox::meta_get(c, DEVICE_KEY)?,
                ))
            })
            .map_err(SyncError::store)?;
        let (Some(doc), None, Some(device)) = (doc, sent, device) else {
            return Ok(());
        };
        let path = format!("/v1/push/devices/{device}");
        let body = Some(Payload::Json(doc.as_bytes()));
        match self.call_with("PUT", &path, body, Some(token), deadline, report, &[]) {
            Ok(_) | Err(SyncError::Server { status: 400, .. }) => self
                .database()
                .write(|tx| outbox::meta_set(tx, DEVICE_SENT_KEY, "1"))
                .map_err(SyncError::store),
            Err(e @ SyncError::Unauthorized) => Err(e),
            Err(_) => Ok(()),
        }
    }

    /// Forgets the push registration here and, best effort, on the server (sign-out:
    /// the next person on this phone must not get the last one's order news).
    pub(crate) fn unregister_push(&self, token: &str) {
        let device = self
            .database()
            .read(|c| {
                let doc = outbox::meta_get(c, DEVICE_DOC_KEY)?;
                Ok::<_, StoreError>(doc.and(outbox::meta_get(c, DEVICE_KEY)?))
            })
            .ok()
            .flatten();
        if let Some(device) = device {
            let mut report = super::SyncReport::default();
            let deadline = Instant::now() + Duration::from_secs(5);
            let path = format!("/v1/push/devices/{device}");
            let _ = self.call_with(
                "DELETE",
                &path,
                None,
                Some(token),
                deadline,
                &mut report,
                &[],
            );
        }
        let _ = self.database().write(|tx| {
            outbox::meta_delete(tx, DEVICE_DOC_KEY)?;
            outbox::meta_delete(tx, DEVICE_SENT_KEY)
        });
    }

    /// A push arrived (`payload`: the FCM data map, the APNs `userInfo` or the Web Push
    /// plaintext, as JSON). Returns what to show: usually one notice for the pushed
    /// order, more when the same pull brought other moves, none when the change is
    /// already known (a repeated or stale push) or was the user's own doing. Pulls
    /// within `budget`; offline, the push's own hint makes the text.
    pub fn handle_push_blocking(&self, payload: &[u8], budget: Duration) -> Result<Vec<Notice>> {
        let Some(hint) = parse_hint(payload)? else {
            return Ok(Vec::new());
        };
        let known = |c: &Connection| -> Result<bool> {
            let have = crate::order::store::version_of(c, &hint.order_id)?;
            Ok(have.is_some_and(|v| v >= hint.version)
                || !first_news(c, &hint.order_id, hint.version)?)
        };
        if self.database().read(|c| known(c))? {
            return Ok(Vec::new());
        }
        let mut notices = match self.sync_blocking(budget) {
            Ok(report) => report.notices,
            // Signed out: the push is for an account no longer here.
            Err(Error::Sync(SyncError::NotSignedIn | SyncError::Unauthorized)) => {
                return Ok(Vec::new());
            }
            Err(_) => Vec::new(),
        };
        if notices.iter().any(|n| n.order_id == hint.order_id) {
            return Ok(notices);
        }
        // Not pulled (offline again, out of time, or a server that does not have it
        // yet): tell the user from the hint, once.
        let now = time::now_ms();
        let fallback = self.database().write(|tx| {
            if known(tx)? {
                return Ok::<_, Error>(None);
            }
            let number: Option<String> = tx
                .query_row(
                    "SELECT number FROM orders WHERE id = ?1",
                    [&hint.order_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::from)?;
            mark_told(tx, &hint.order_id, hint.version, now)?;
            Ok(Some(notice::hint_notice(
                &hint.order_id,
                number.as_deref(),
                hint.status,
                hint.version,
                lang(tx)?,
            )))
        })?;
        notices.extend(fallback);
        Ok(notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(json: &str) -> std::result::Result<Option<Hint>, ValidationError> {
        parse_hint(json.as_bytes())
    }

    #[test]
    fn reads_the_hint_in_each_services_shape() {
        let want = Some(Hint {
            order_id: "0190a3e0-7d2c-7cc0-8000-0000000000d1".into(),
            status: OrderStatus::Shipped,
            version: 4,
        });
        let fields =
            r#""t":"order","o":"0190a3e0-7d2c-7cc0-8000-0000000000d1","s":"shipped","v":"4""#;
        assert_eq!(hint(&format!("{{{fields}}}")), Ok(want.clone()));
        assert_eq!(
            hint(&format!(
                r#"{{"aps":{{"alert":{{"loc-key":"x"}},"mutable-content":1}},"pasar":{{{fields}}}}}"#
            )),
            Ok(want.clone())
        );
        assert_eq!(
            hint(&format!(r#"{{"data":{{{fields}}},"from":"123"}}"#)),
            Ok(want)
        );
        // The keys the server writes (`wire::hint`) are the ones read here.
        use crate::sync::wire::hint as k;
        let server = format!(
            r#"{{"{}":"order","{}":"o1","{}":"delivered","{}":"9"}}"#,
            k::KIND,
            k::ORDER,
            k::STATUS,
            k::VERSION
        );
        assert_eq!(
            hint(&server).map(|h| h.map(|h| (h.status, h.version))),
            Ok(Some((OrderStatus::Delivered, 9)))
        );
        // A kind from a newer server: ignored, not an error.
        assert_eq!(hint(r#"{"t":"chat","o":"x"}"#), Ok(None));
    }

    #[test]
    fn hostile_payloads_are_refused_as_data() {
        let deep = "[".repeat(10_000);
        let huge = format!(r#"{{"t":"order","o":"{}"}}"#, "a".repeat(5000));
        for bad in [
            "",
            "null",
            "[]",
            "{",
            deep.as_str(),
            huge.as_str(),
            r#"{"o":"a","s":"shipped","v":"1"}"#,
            r#"{"t":"order","o":"../../etc","s":"shipped","v":"1"}"#,
            r#"{"t":"order","o":"a b","s":"shipped","v":"1"}"#,
            r#"{"t":"order","o":"a","s":"teleported","v":"1"}"#,
            r#"{"t":"order","o":"a","s":"shipped","v":"-1"}"#,
            r#"{"t":"order","o":"a","s":"shipped","v":"0"}"#,
            r#"{"t":"order","o":"a","s":"shipped","v":"99999999999999999999"}"#,
            r#"{"t":"order","o":"a","s":"shipped","v":4}"#,
            r#"{"t":"order","o":"a","s":"shipped"}"#,
            r#"{"t":"order","o":"","s":"shipped","v":"1"}"#,
        ] {
            assert!(hint(bad).is_err(), "{bad:.80}");
        }
        assert!(parse_hint(b"{\"t\":\"order\",\"o\":\"\xff\"}").is_err());
    }

    #[test]
    fn notices_are_told_once_per_version() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE order_notices (order_id TEXT PRIMARY KEY, version INTEGER NOT NULL, at INTEGER NOT NULL)",
        )
        .expect("table");
        assert!(first_news(&conn, "o1", 2).expect("read"));
        mark_told(&conn, "o1", 3, 1).expect("mark");
        assert!(!first_news(&conn, "o1", 2).expect("read"));
        assert!(!first_news(&conn, "o1", 3).expect("read"));
        assert!(first_news(&conn, "o1", 4).expect("read"));
        // An older version marked late never lowers what was told.
        mark_told(&conn, "o1", 1, 2).expect("mark");
        assert!(!first_news(&conn, "o1", 3).expect("read"));
    }
}
