//! The outbox: each local change that must reach the server is queued here, in the
//! same transaction as the change, so a change is never saved without its mutation
//! nor the other way round (the application-services / matrix send-queue rule).
//!
//! Only changes made by the signed-in account are queued ([`bound_account`]): a phone
//! nobody signed in on keeps its data to itself.

use super::convert;
use super::wire::{ActionDoc, Mutation, Op, ProfileDoc};
use crate::catalog::Product;
use crate::error::Error;
use crate::order::{Order, OrderAction, OrderEvent};
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) const ACCOUNT_KEY: &str = "sync.account";
pub(crate) const DEVICE_KEY: &str = "sync.device";
pub(crate) const CURSOR_KEY: &str = "sync.cursor";
/// When the last pulled page was applied (phone clock, ms): a refused order placed before
/// it had its stock overwritten by that page (see `SyncClient::settle`).
pub(crate) const PULLED_AT_KEY: &str = "sync.pulled_at";
/// Set once the first pull of this install finished.
pub(crate) const PULLED_KEY: &str = "sync.pulled";

pub(crate) fn meta_get(c: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(
        c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?,
    )
}

pub(crate) fn meta_set(c: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub(crate) fn meta_delete(c: &Connection, key: &str) -> Result<(), StoreError> {
    c.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

/// The account signed in on this phone, whose changes sync.
pub(crate) fn bound_account(c: &Connection) -> Result<Option<String>, StoreError> {
    meta_get(c, ACCOUNT_KEY)
}

/// Queues `op` about `entity` (`product:<id>`, `order:<id>`, ...).
pub(crate) fn record(c: &Connection, entity: &str, op: &Op, at: i64) -> Result<(), Error> {
    let body = serde_json::to_string(op).map_err(|e| Error::Internal(e.to_string()))?;
    c.prepare_cached("INSERT INTO outbox (at, entity, body) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![at, entity, body]))
        .map_err(StoreError::from)?;
    Ok(())
}

/// The product fields this phone changed and the server has not confirmed: a pull keeps
/// the phone's values of these (the push goes first, and the server's answer for them
/// comes back in a later pull) and takes the rest.
pub(crate) fn pending_product_fields(
    c: &Connection,
    product_id: &str,
) -> Result<std::collections::HashSet<String>, StoreError> {
    let mut stmt = c.prepare_cached("SELECT body FROM outbox WHERE entity = ?1")?;
    let bodies = stmt.query_map([format!("product:{product_id}")], |r| r.get::<_, String>(0))?;
    let mut fields = std::collections::HashSet::new();
    for body in bodies {
        match serde_json::from_slice::<Op>(body?.as_bytes()) {
            Ok(Op::PutProduct { fields: f, .. }) => fields.extend(f),
            // Not a field edit, or unreadable: keep the whole product back.
            _ => fields.extend(super::wire::PRODUCT_FIELDS.iter().map(|f| (*f).to_owned())),
        }
    }
    Ok(fields)
}

/// Whether `entity` has changes the server has not confirmed: a pull must not
/// overwrite them (the server's merged version follows the push).
pub(crate) fn has_pending(c: &Connection, entity: &str) -> Result<bool, StoreError> {
    Ok(
        c.prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ?1)")?
            .query_row([entity], |r| r.get(0))?,
    )
}

pub(crate) fn profile(
    c: &Connection,
    account_id: &str,
    with_phone: bool,
) -> Result<ProfileDoc, StoreError> {
    let (name, phone): (String, Option<String>) = c
        .query_row(
            "SELECT name, phone FROM accounts WHERE id = ?1",
            [account_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
    Ok(ProfileDoc {
        id: account_id.to_owned(),
        name,
        phone: phone.filter(|_| with_phone),
    })
}

/// A product was saved (`old` is `None` for a new one): queue the fields that changed,
/// if it is the signed-in seller's.
pub(crate) fn product_saved(
    c: &Connection,
    old: Option<&Product>,
    new: &Product,
) -> Result<(), Error> {
    let Some(me) = bound_account(c)? else {
        return Ok(());
    };
    if new.seller_id.as_deref() != Some(me.as_str()) {
        return Ok(());
    }
    let fields = match old {
        Some(old) => convert::changed_fields(old, new),
        None => super::wire::PRODUCT_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .collect(),
    };
    if fields.is_empty() {
        return Ok(());
    }
    let seller = profile(c, &me, true)?;
    let op = Op::PutProduct {
        product: Box::new(convert::product_doc(new, seller)),
        fields,
    };
    record(c, &format!("product:{}", new.id), &op, new.updated_at)
}

/// A seller's ongkir table or discounts changed: queue the whole terms if they are the
/// signed-in seller's (a few rows; buyers' phones replace their copy).
pub(crate) fn terms_saved(c: &Connection, seller_id: &str, at: i64) -> Result<(), Error> {
    if bound_account(c)?.as_deref() != Some(seller_id) {
        return Ok(());
    }
    let (rates, discounts) = crate::order::store::terms_of(c, seller_id)?;
    let commission = crate::order::store::commission_of(c, seller_id)?;
    let op = Op::PutTerms {
        terms: Box::new(convert::terms_doc(
            seller_id, &rates, &discounts, commission,
        )),
    };
    record(c, &format!("terms:{seller_id}"), &op, at)
}

/// A checkout made `order`: queue it if the signed-in account is its buyer.
pub(crate) fn order_placed(
    c: &Connection,
    order: &Order,
    events: &[OrderEvent],
) -> Result<(), Error> {
    if bound_account(c)?.as_deref() != Some(order.buyer_id.as_str()) {
        return Ok(());
    }
    let buyer = profile(c, &order.buyer_id, true)?;
    let seller = profile(c, &order.seller_id, true)?;
    let op = Op::PlaceOrder {
        order: Box::new(convert::order_doc(order, buyer, seller, events)),
    };
    record(c, &format!("order:{}", order.id), &op, order.created_at)
}

/// The signed-in account moved an order: queue the move.
pub(crate) fn order_acted(
    c: &Connection,
    order_id: &str,
    actor_id: Option<&str>,
    action: &OrderAction,
    at: i64,
) -> Result<(), Error> {
    let Some(me) = bound_account(c)? else {
        return Ok(());
    };
    if actor_id != Some(me.as_str()) {
        // The phone's own clock expiring an order is not news for the server: it
        // expires orders itself.
        return Ok(());
    }
    let action = match action {
        OrderAction::ConfirmPayment => ActionDoc::ConfirmPayment,
        OrderAction::Ship { courier, resi } => ActionDoc::Ship {
            courier: courier.trim().to_owned(),
            resi: resi.trim().to_owned(),
        },
        OrderAction::ReadyForPickup => ActionDoc::ReadyForPickup,
        OrderAction::MarkDelivered => ActionDoc::MarkDelivered,
        OrderAction::Complete => ActionDoc::Complete,
        OrderAction::Cancel { reason } => ActionDoc::Cancel {
            reason: reason.trim().to_owned(),
        },
        OrderAction::Pack => ActionDoc::Pack,
        OrderAction::Expire => return Ok(()),
    };
    let op = Op::ActOnOrder {
        order_id: order_id.to_owned(),
        action,
    };
    record(c, &format!("order:{order_id}"), &op, at)
}

/// The signed-in account claims a promoter code.
pub(crate) fn code_claimed(c: &Connection, code: &str, at: i64) -> Result<(), Error> {
    if bound_account(c)?.is_none() {
        return Ok(());
    }
    let op = Op::ClaimCode {
        code: code.to_owned(),
    };
    record(c, "promo_code", &op, at)
}

/// A group made on this phone by the signed-in account.
pub(crate) fn group_saved(
    c: &Connection,
    group_id: &str,
    name: &str,
    at: i64,
) -> Result<(), Error> {
    if bound_account(c)?.is_none() {
        return Ok(());
    }
    let op = Op::PutGroup {
        group_id: group_id.to_owned(),
        name: name.to_owned(),
    };
    record(c, &format!("group:{group_id}"), &op, at)
}

/// A member added on this phone; the server knows people by phone number.
pub(crate) fn member_added(
    c: &Connection,
    group_id: &str,
    account_id: &str,
    role: &str,
    at: i64,
) -> Result<(), Error> {
    if bound_account(c)?.is_none() {
        return Ok(());
    }
    let phone: Option<String> = c
        .query_row(
            "SELECT phone FROM accounts WHERE id = ?1",
            [account_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::from)?
        .flatten();
    let Some(phone) = phone else {
        // Someone known only by name on this phone cannot be found on the server.
        return Ok(());
    };
    let op = Op::AddMember {
        group_id: group_id.to_owned(),
        phone,
        role: role.to_owned(),
    };
    record(c, &format!("group:{group_id}"), &op, at)
}

/// A member removed on this phone (or the signed-in account leaving).
pub(crate) fn member_removed(
    c: &Connection,
    group_id: &str,
    account_id: &str,
    at: i64,
) -> Result<(), Error> {
    if bound_account(c)?.is_none() {
        return Ok(());
    }
    let op = Op::RemoveMember {
        group_id: group_id.to_owned(),
        account_id: account_id.to_owned(),
    };
    record(c, &format!("group:{group_id}"), &op, at)
}

/// One queued mutation, as pushed.
#[derive(Clone, Debug)]
pub(crate) struct Queued {
    pub entity: String,
    pub mutation: Mutation,
}

/// The oldest `limit` queued mutations. A body this build cannot read (written by a
/// newer build before a downgrade) is skipped rather than blocking the queue.
pub(crate) fn oldest(c: &Connection, limit: usize) -> Result<Vec<Queued>, StoreError> {
    let mut stmt =
        c.prepare_cached("SELECT id, at, entity, body FROM outbox ORDER BY id LIMIT ?1")?;
    let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at, entity, body) = row?;
        if let Ok(op) = serde_json::from_slice::<Op>(body.as_bytes()) {
            out.push(Queued {
                entity,
                mutation: Mutation {
                    id: u64::try_from(id).unwrap_or(0),
                    at,
                    op,
                },
            });
        }
    }
    Ok(out)
}

pub(crate) fn count(c: &Connection) -> Result<u64, StoreError> {
    Ok(
        c.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?
            .max(0) as u64,
    )
}
