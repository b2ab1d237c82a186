//! The promoters' SQL on the phone: the links and codes this phone was referred by,
//! and the signed-in account's own code.

use super::code::PromoCode;
use super::link::{Referral, ShareTarget};
use crate::store::StoreError;
use crate::sync::outbox::{meta_get, meta_set};
use rusqlite::{Connection, OptionalExtension, params};

/// How long a link or code counts for checkouts after the buyer saw it.
pub const REFERRAL_DAYS: i64 = 30;
const DAY_MS: i64 = 24 * 3600 * 1000;

pub(crate) const CODE_KEY: &str = "promo.code";
/// When the code was claimed (phone clock, ms): a refusal of the claim after it means
/// someone else holds the code.
pub(crate) const CLAIMED_AT_KEY: &str = "promo.claimed_at";

/// Keeps `referral` as the latest for its product or shop.
pub(crate) fn record(c: &Connection, referral: &Referral, now: i64) -> Result<(), StoreError> {
    let (kind, id) = match &referral.target {
        ShareTarget::Product { id } => ("product", id),
        ShareTarget::Shop { seller_id } => ("shop", seller_id),
    };
    c.prepare_cached(
        "INSERT INTO referrals (target_kind, target_id, code, seen_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (target_kind, target_id) DO UPDATE SET code = excluded.code,
                                                            seen_at = excluded.seen_at",
    )?
    .execute(params![kind, id, referral.code.as_str(), now])?;
    Ok(())
}

/// The code of the latest referral to `seller_id` (their shop, or one of their products
/// this phone knows) seen within [`REFERRAL_DAYS`] of `now`.
pub(crate) fn referral_for(
    c: &Connection,
    seller_id: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT r.code FROM referrals r
               LEFT JOIN products p ON r.target_kind = 'product' AND p.id = r.target_id
              WHERE r.seen_at >= ?2
                AND ((r.target_kind = 'shop' AND r.target_id = ?1) OR p.seller_id = ?1)
              ORDER BY r.seen_at DESC LIMIT 1",
    )?
    .query_row(params![seller_id, now - REFERRAL_DAYS * DAY_MS], |r| {
        r.get(0)
    })
    .optional()?)
}

/// The signed-in account's code and when it was claimed.
pub(crate) fn my_code(c: &Connection) -> Result<Option<(PromoCode, i64)>, StoreError> {
    let Some(code) = meta_get(c, CODE_KEY)?.and_then(|t| PromoCode::parse(&t).ok()) else {
        return Ok(None);
    };
    let at = meta_get(c, CLAIMED_AT_KEY)?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    Ok(Some((code, at)))
}

pub(crate) fn set_my_code(c: &Connection, code: &PromoCode, at: i64) -> Result<(), StoreError> {
    meta_set(c, CODE_KEY, code.as_str())?;
    meta_set(c, CLAIMED_AT_KEY, &at.to_string())
}

/// Where a claim stands: still queued, refused after it was made, or held.
pub(crate) fn claim_state(c: &Connection, claimed_at: i64) -> Result<ClaimState, StoreError> {
    let queued: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = 'promo_code')")?
        .query_row([], |r| r.get(0))?;
    if queued {
        return Ok(ClaimState::Pending);
    }
    let refused: bool = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sync_rejections WHERE op = 'claim_code' AND at >= ?1)",
        )?
        .query_row([claimed_at], |r| r.get(0))?;
    Ok(if refused {
        ClaimState::Taken
    } else {
        ClaimState::Active
    })
}

/// Where the account's own code stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimState {
    /// Claimed on this phone, not yet confirmed by the server: links made now work
    /// once it is (or point at nobody if someone else got it first).
    Pending,
    /// The server holds it for this account.
    Active,
    /// Someone else holds it: claim another.
    Taken,
}
