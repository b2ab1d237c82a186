//! What a mutation may do, applied in the caller's transaction: roles and visibility,
//! field-by-field merges of product edits, stock taken atomically for orders, order
//! moves by the same state machine the phones run.
//!
//! Locking: every mutation first takes the feed row (`next_seq`), which serialises
//! writers, so checks and writes below never race, and the order of the feed is the
//! order of commits.

use super::applied;
use super::trade;
use crate::error::ApiError;
use crate::push::queue;
use crate::store::sql::{SqlTx, Value};
use crate::store::{Account, StoreError};
use pasar_core::catalog::{PRICE_MAX_IDR, STOCK_MAX};
use pasar_core::money::Rupiah;
use pasar_core::order::ongkir::{Courier, Rate, RateProvider, RateTable, Shipping};
use pasar_core::order::{
    Delivery, OrderAction, OrderStatus, PAYMENT_WINDOW_MS, Role, TransitionError, partner_allows,
    payment::PaymentMethod, transition,
};
use pasar_core::sync::wire::{
    ActionDoc, EventDoc, GroupDoc, MemberDoc, Mutation, MutationResult, Op, OrderDoc,
    PRODUCT_FIELDS, ProductDoc, ProfileDoc, Rejection, SupplyDoc, TERMS_MAX_ROWS, TermsDoc,
};
use serde_json::{Map, Value as Json};

/// A mutation refused for good, or a storage failure (the whole push fails and is
/// retried).
#[derive(Debug)]
pub(crate) enum Reject {
    Store(StoreError),
    Refused(Rejection),
}

impl From<StoreError> for Reject {
    fn from(e: StoreError) -> Self {
        Reject::Store(e)
    }
}

impl From<Reject> for ApiError {
    fn from(r: Reject) -> Self {
        match r {
            Reject::Store(e) => ApiError::internal(e),
            Reject::Refused(r) => ApiError::bad_request(r.english),
        }
    }
}

pub(super) fn refuse(kind: &str, field: Option<&str>, indonesian: &str, english: &str) -> Reject {
    Reject::Refused(Rejection {
        kind: kind.to_owned(),
        field: field.map(str::to_owned),
        indonesian: indonesian.to_owned(),
        english: english.to_owned(),
    })
}

pub(super) fn not_allowed(field: Option<&str>) -> Reject {
    refuse(
        "not_allowed",
        field,
        "Kamu tidak punya izin untuk perubahan ini.",
        "You are not allowed to make this change.",
    )
}

pub(super) fn invalid(field: &str) -> Reject {
    refuse(
        "invalid",
        Some(field),
        &format!("Isian {field} tidak valid."),
        &format!("The {field} is not valid."),
    )
}

fn not_found(field: &str) -> Reject {
    refuse(
        "not_found",
        Some(field),
        "Data tidak ditemukan.",
        "Not found.",
    )
}

/// Takes the next number of the feed, holding the feed row until commit.
pub(crate) fn next_seq(tx: &mut dyn SqlTx) -> Result<i64, StoreError> {
    tx.query_opt(
        "UPDATE feed SET seq = seq + 1 WHERE id = 1 RETURNING seq",
        &[],
    )?
    .and_then(|r| r.first().and_then(Value::int))
    .ok_or_else(|| StoreError::new("feed row missing"))
}

/// Records the device (first push) and answers its last applied id. A device id is
/// bound to the account that first used it: another account cannot replay into it.
pub(crate) fn register_device(
    tx: &mut dyn SqlTx,
    device: &str,
    account_id: &str,
    now: i64,
) -> Result<u64, ApiError> {
    next_seq(tx)?;
    let row = tx.query_opt(
        "SELECT account_id, last_applied FROM devices WHERE id = ?1",
        &[device.into()],
    )?;
    match row {
        Some(row) => {
            if row.first().and_then(Value::text) != Some(account_id) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "device_taken",
                    "this device id belongs to another account: make a new one after signing in",
                ));
            }
            tx.execute(
                "UPDATE devices SET seen_at = ?2 WHERE id = ?1",
                &[device.into(), now.into()],
            )?;
            Ok(row.get(1).and_then(Value::int).unwrap_or(0).max(0) as u64)
        }
        None => {
            tx.execute(
                "INSERT INTO devices (id, account_id, last_applied, created_at, seen_at)
                 VALUES (?1, ?2, 0, ?3, ?3)",
                &[device.into(), account_id.into(), now.into()],
            )?;
            Ok(0)
        }
    }
}

/// Applies one mutation (unless this device's id for it was applied before) and records
/// it as the device's last applied, all in `tx`. Returns its result and the device's
/// last applied id.
pub(crate) fn apply(
    tx: &mut dyn SqlTx,
    device: &str,
    account: &Account,
    mutation: Mutation,
    now: i64,
) -> Result<(MutationResult, u64), Reject> {
    next_seq(tx)?;
    let id = mutation.id;
    let last = tx
        .query_opt(
            "SELECT last_applied FROM devices WHERE id = ?1",
            &[device.into()],
        )?
        .and_then(|r| r.first().and_then(Value::int))
        .ok_or_else(|| StoreError::new("device vanished"))?;
    let last = last.max(0) as u64;
    if id <= last {
        // Seen before: answer as the first time.
        let reason = tx
            .query_opt(
                "SELECT reason FROM rejections WHERE device_id = ?1 AND mutation_id = ?2",
                &[device.into(), (id as i64).into()],
            )?
            .and_then(|r| r.into_iter().next().and_then(Value::into_text))
            .and_then(|text| serde_json::from_str::<Rejection>(&text).ok());
        return Ok((
            MutationResult {
                id,
                rejected: reason,
                missing_photos: Vec::new(),
            },
            last,
        ));
    }
    let result = match run(tx, account, &mutation, now) {
        Ok(missing_photos) => applied(id, missing_photos),
        Err(Reject::Refused(reason)) => {
            let text =
                serde_json::to_string(&reason).map_err(|e| StoreError::new(e.to_string()))?;
            tx.execute(
                "INSERT INTO rejections (device_id, mutation_id, reason) VALUES (?1, ?2, ?3)",
                &[device.into(), (id as i64).into(), text.into()],
            )?;
            MutationResult {
                id,
                rejected: Some(reason),
                missing_photos: Vec::new(),
            }
        }
        Err(e) => return Err(e),
    };
    tx.execute(
        "UPDATE devices SET last_applied = ?2 WHERE id = ?1",
        &[device.into(), (id as i64).into()],
    )?;
    Ok((result, id))
}

/// Applies `m`; returns the photos an applied product shows that the server lacks.
fn run(tx: &mut dyn SqlTx, me: &Account, m: &Mutation, now: i64) -> Result<Vec<String>, Reject> {
    let done = match &m.op {
        Op::PutProduct { product, fields } => {
            return put_product(tx, me, product, fields, m.at, now);
        }
        Op::PutGroup { group_id, name } => put_group(tx, me, group_id, name, now),
        Op::AddMember {
            group_id,
            phone,
            role,
        } => add_member(tx, me, group_id, phone, role, now),
        Op::RemoveMember {
            group_id,
            account_id,
        } => remove_member(tx, me, group_id, account_id),
        Op::PlaceOrder { order } => place_order(tx, me, order, now),
        Op::ActOnOrder { order_id, action } => act_on_order(tx, me, order_id, action, now),
        Op::PutProfile { name } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 80 {
                return Err(invalid("name"));
            }
            tx.execute(
                "UPDATE accounts SET name = ?2 WHERE id = ?1",
                &[me.id.as_str().into(), name.into()],
            )?;
            renamed(tx, &me.id)
        }
        Op::PutTerms { terms } => put_terms(tx, me, terms),
        Op::ClaimCode { code } => trade::claim_code(tx, me, code, now),
    };
    done.map(|()| Vec::new())
}

/// A seller's ongkir table and discounts, replaced whole. Only the seller's own; every
/// row must make sense (a known courier, amounts in whole rupiah, not negative).
fn put_terms(tx: &mut dyn SqlTx, me: &Account, terms: &TermsDoc) -> Result<(), Reject> {
    if terms.seller_id != me.id {
        return Err(not_allowed(Some("seller_id")));
    }
    if terms.rates.len() + terms.discounts.len() > TERMS_MAX_ROWS {
        return Err(invalid("rates"));
    }
    let text_ok = |t: &str| !t.trim().is_empty() && t.chars().count() <= 80;
    for r in &terms.rates {
        if Courier::from_code(&r.courier).is_none() {
            return Err(invalid("courier"));
        }
        if !text_ok(&r.service) || !text_ok(&r.destination) {
            return Err(invalid("service"));
        }
        if !(0..=PRICE_MAX_IDR).contains(&r.first_kg_idr)
            || !(0..=PRICE_MAX_IDR).contains(&r.next_kg_idr)
        {
            return Err(invalid("ongkir"));
        }
    }
    for d in &terms.discounts {
        if !(0..=PRICE_MAX_IDR).contains(&d.min_items_idr)
            || !(1..=PRICE_MAX_IDR).contains(&d.amount_idr)
        {
            return Err(invalid("discount"));
        }
    }
    trade::check_terms(terms)?;
    let version = tx
        .query_opt(
            "SELECT doc FROM seller_terms WHERE id = ?1",
            &[me.id.as_str().into()],
        )?
        .and_then(|row| row.into_iter().next())
        .and_then(Value::into_text)
        .and_then(|t| serde_json::from_str::<TermsDoc>(&t).ok())
        .map_or(0, |old| old.version);
    let mut doc = terms.clone();
    doc.version = version + 1;
    let seq = next_seq(tx)?;
    let text = to_json(&doc)?;
    if version == 0 {
        tx.execute(
            "INSERT INTO seller_terms (id, doc, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, seq = excluded.seq",
            &[me.id.as_str().into(), text.into(), seq.into()],
        )?;
    } else {
        tx.execute(
            "UPDATE seller_terms SET doc = ?2, seq = ?3 WHERE id = ?1",
            &[me.id.as_str().into(), text.into(), seq.into()],
        )?;
    }
    Ok(())
}

fn check_id(field: &str, id: &str) -> Result<(), Reject> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(invalid(field)) }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Reject> {
    serde_json::to_string(v).map_err(|e| StoreError::new(e.to_string()).into())
}

pub(super) fn profile(
    tx: &mut dyn SqlTx,
    id: &str,
    with_phone: bool,
) -> Result<Option<ProfileDoc>, Reject> {
    let row = tx.query_opt(
        "SELECT name, phone FROM accounts WHERE id = ?1",
        &[id.into()],
    )?;
    Ok(row.map(|r| {
        let mut r = r.into_iter();
        let name = r.next().and_then(Value::into_text).unwrap_or_default();
        let phone = r.next().and_then(Value::into_text);
        ProfileDoc {
            id: id.to_owned(),
            name,
            phone: phone.filter(|_| with_phone),
        }
    }))
}

/// A new name reaches the phones that know the account: its groups' documents are
/// written again (their member lists carry the name; every phone that shares a group
/// with it pulls one document per group, and keeps names per account, not per
/// document). Products and orders carry the name as it is when they are next written
/// (`write_product`, `save_moved`), so an older document pulled later (sorted by its
/// older number) never puts the old name back. Orders no longer moving keep the name
/// they were made under, as a receipt does.
fn renamed(tx: &mut dyn SqlTx, account_id: &str) -> Result<(), Reject> {
    let groups: Vec<String> = tx
        .query(
            "SELECT group_id FROM group_members WHERE account_id = ?1 ORDER BY group_id",
            &[account_id.into()],
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next().and_then(Value::into_text))
        .collect();
    for id in groups {
        if let Some(group) = load_group(tx, &id)? {
            save_group(tx, group, false)?;
        }
    }
    Ok(())
}

fn is_member(
    tx: &mut dyn SqlTx,
    group_id: &str,
    account_id: &str,
) -> Result<Option<String>, Reject> {
    Ok(tx
        .query_opt(
            "SELECT role FROM group_members WHERE group_id = ?1 AND account_id = ?2",
            &[group_id.into(), account_id.into()],
        )?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text)))
}

/// The checks a product's content must pass, whoever sent it.
fn validate_product(p: &ProductDoc) -> Result<(), Reject> {
    check_id("id", &p.id)?;
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(invalid("name"));
    }
    if p.description.chars().count() > 5000 {
        return Err(invalid("description"));
    }
    if !(0..=PRICE_MAX_IDR).contains(&p.price_idr) {
        return Err(invalid("price"));
    }
    if p.unit.trim().is_empty() || p.unit.chars().count() > 20 {
        return Err(invalid("unit"));
    }
    if p.stock.is_some_and(|s| !(0..=STOCK_MAX).contains(&s)) {
        return Err(invalid("stock"));
    }
    if p.preorder_days.is_some_and(|d| !(1..=90).contains(&d)) {
        return Err(invalid("preorder_days"));
    }
    if p.options.len() > 2 || p.variants.len() > 200 {
        return Err(invalid("variants"));
    }
    for v in &p.variants {
        check_id("variants", &v.id)?;
        if v.price_idr
            .is_some_and(|x| !(1..=PRICE_MAX_IDR).contains(&x))
            || v.stock.is_some_and(|s| !(0..=STOCK_MAX).contains(&s))
        {
            return Err(invalid("variants"));
        }
    }
    if p.photos.len() > 10
        || p.photos
            .iter()
            .any(|ph| ph.hash.len() != 64 || !ph.hash.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(invalid("photos"));
    }
    if p.group_ids.len() > 50 {
        return Err(invalid("group_ids"));
    }
    for g in &p.group_ids {
        check_id("group_ids", g)?;
    }
    Ok(())
}

/// A seller's product edit, merged field by field: a field takes the edit's value
/// unless a later edit (by the edit's own time) already set it.
fn put_product(
    tx: &mut dyn SqlTx,
    me: &Account,
    incoming: &ProductDoc,
    fields: &[String],
    at: i64,
    now: i64,
) -> Result<Vec<String>, Reject> {
    validate_product(incoming)?;
    if fields.is_empty() || fields.iter().any(|f| !PRODUCT_FIELDS.contains(&f.as_str())) {
        return Err(invalid("fields"));
    }
    let existing = tx.query_opt(
        "SELECT seller_id, doc, clocks FROM products WHERE id = ?1",
        &[incoming.id.as_str().into()],
    )?;
    let seller = profile(tx, &me.id, true)?.ok_or_else(|| StoreError::new("no account"))?;
    let fresh = serde_json::to_value(incoming).map_err(|e| StoreError::new(e.to_string()))?;
    let (mut doc, mut clocks, is_new) = match existing {
        Some(row) => {
            let mut row = row.into_iter();
            let seller_id = row.next().and_then(Value::into_text).unwrap_or_default();
            if seller_id != me.id {
                return Err(not_allowed(None));
            }
            let doc: Json = row
                .next()
                .and_then(Value::into_text)
                .and_then(|t| serde_json::from_str(&t).ok())
                .ok_or_else(|| StoreError::new("product doc unreadable"))?;
            let clocks: Map<String, Json> = row
                .next()
                .and_then(Value::into_text)
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            (doc, clocks, false)
        }
        None => (fresh.clone(), Map::new(), true),
    };
    let changed: Vec<&str> = if is_new {
        PRODUCT_FIELDS.to_vec()
    } else {
        fields.iter().map(String::as_str).collect()
    };
    let mut groups_changed = is_new;
    // Every field the phone sent counts as changed, won or lost: the pushing phone must
    // get the server's value back in its next pull, whichever edit won.
    let mut touched: Vec<&str> = changed.clone();
    for field in changed {
        let newer = clocks
            .get(field)
            .and_then(Json::as_i64)
            .is_none_or(|t| at >= t);
        if newer {
            if let (Some(obj), Some(value)) = (doc.as_object_mut(), fresh.get(field)) {
                obj.insert(field.to_owned(), value.clone());
            }
            clocks.insert(field.to_owned(), Json::from(at));
            groups_changed |= field == "group_ids";
        }
    }
    let mut merged: ProductDoc =
        serde_json::from_value(doc).map_err(|e| StoreError::new(e.to_string()))?;
    if groups_changed {
        for g in &merged.group_ids {
            if is_member(tx, g, &me.id)?.is_none() {
                return Err(not_allowed(Some("group_ids")));
            }
        }
    }
    trade::check_product(tx, me, &merged, &touched)?;
    if merged.seller != seller {
        touched.push("seller");
    }
    merged.seller = seller;
    merged.version += 1;
    merged.updated_at = merged.updated_at.max(at);
    write_product(tx, &merged, Some(&clocks), is_new, &touched)?;
    if groups_changed {
        // A listing that goes on keeps the number it began at; a new one begins now.
        let began: std::collections::HashMap<String, i64> = tx
            .query(
                "SELECT group_id, listed_seq FROM product_groups WHERE product_id = ?1",
                &[merged.id.as_str().into()],
            )?
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                Some((row.next()?.into_text()?, row.next()?.int()?))
            })
            .collect();
        tx.execute(
            "DELETE FROM product_groups WHERE product_id = ?1",
            &[merged.id.as_str().into()],
        )?;
        for dropped in began.keys().filter(|g| !merged.group_ids.contains(g)) {
            lose_sight(tx, dropped, &me.id)?;
        }
        for g in &merged.group_ids {
            match began.get(g) {
                Some(&listed) => tx.execute(
                    "INSERT INTO product_groups (group_id, product_id, seq, listed_seq)
                     SELECT ?1, id, seq, ?3 FROM products WHERE id = ?2
                     ON CONFLICT DO NOTHING",
                    &[g.as_str().into(), merged.id.as_str().into(), listed.into()],
                )?,
                None => tx.execute(
                    "INSERT INTO product_groups (group_id, product_id, seq, listed_seq)
                     SELECT ?1, id, seq, seq FROM products WHERE id = ?2
                     ON CONFLICT DO NOTHING",
                    &[g.as_str().into(), merged.id.as_str().into()],
                )?,
            };
        }
    }
    // Which photos it shows changes only with its photos (a price edit, the commonest
    // write, costs nothing more).
    if !is_new && !fields.iter().any(|f| f == "photos") {
        return Ok(Vec::new());
    }
    let photos: Vec<&str> = merged.photos.iter().map(|p| p.hash.as_str()).collect();
    Ok(crate::photos::refs::track(tx, &merged.id, &photos, now)?)
}

/// Writes a product at the next feed number. `touched`: the fields this write changed
/// (ignored for a new product, which goes whole to everyone).
fn write_product(
    tx: &mut dyn SqlTx,
    p: &ProductDoc,
    clocks: Option<&Map<String, Json>>,
    is_new: bool,
    touched: &[&str],
) -> Result<(), Reject> {
    // The seller's name as it is now (see `renamed`).
    let mut p = p.clone();
    if let Some(now) = profile(tx, &p.seller.id, true)? {
        p.seller = now;
    }
    let p = &p;
    let seq = next_seq(tx)?;
    let doc = to_json(p)?;
    if is_new {
        let clocks = to_json(&clocks.cloned().unwrap_or_default())?;
        tx.execute(
            "INSERT INTO products (id, seller_id, doc, clocks, seq, created_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            &[
                p.id.as_str().into(),
                p.seller.id.as_str().into(),
                doc.into(),
                clocks.into(),
                seq.into(),
            ],
        )?;
        return Ok(());
    }
    let mut field_seqs: Map<String, Json> = tx
        .query_opt(
            "SELECT field_seqs FROM products WHERE id = ?1",
            &[p.id.as_str().into()],
        )?
        .and_then(|row| row.into_iter().next())
        .and_then(Value::into_text)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    for field in touched {
        field_seqs.insert((*field).to_owned(), Json::from(seq));
    }
    let field_seqs = to_json(&field_seqs)?;
    match clocks {
        Some(clocks) => tx.execute(
            "UPDATE products SET doc = ?2, clocks = ?3, seq = ?4, field_seqs = ?5 WHERE id = ?1",
            &[
                p.id.as_str().into(),
                doc.into(),
                to_json(clocks)?.into(),
                seq.into(),
                field_seqs.into(),
            ],
        )?,
        None => tx.execute(
            "UPDATE products SET doc = ?2, seq = ?3, field_seqs = ?4 WHERE id = ?1",
            &[
                p.id.as_str().into(),
                doc.into(),
                seq.into(),
                field_seqs.into(),
            ],
        )?,
    };
    // Its listings move up the feed with it.
    tx.execute(
        "UPDATE product_groups SET seq = ?2 WHERE product_id = ?1",
        &[p.id.as_str().into(), seq.into()],
    )?;
    Ok(())
}

fn load_group(tx: &mut dyn SqlTx, id: &str) -> Result<Option<GroupDoc>, Reject> {
    tx.query_opt("SELECT doc FROM market_groups WHERE id = ?1", &[id.into()])?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text))
        .map(|t| serde_json::from_str(&t).map_err(|e| StoreError::new(e.to_string()).into()))
        .transpose()
}

/// Rewrites a group's document from its member rows and moves it up the feed.
fn save_group(tx: &mut dyn SqlTx, mut group: GroupDoc, is_new: bool) -> Result<(), Reject> {
    let rows = tx.query(
        "SELECT gm.account_id, gm.role FROM group_members gm
          WHERE gm.group_id = ?1 ORDER BY gm.role, gm.account_id",
        &[group.id.as_str().into()],
    )?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let mut row = row.into_iter();
        let account = row.next().and_then(Value::into_text).unwrap_or_default();
        let role = row.next().and_then(Value::into_text).unwrap_or_default();
        // Admins' numbers are shown so members can reach them; members' are not.
        if let Some(profile) = profile(tx, &account, role == "admin")? {
            members.push(MemberDoc { profile, role });
        }
    }
    group.members = members;
    group.version += 1;
    let seq = next_seq(tx)?;
    let doc = to_json(&group)?;
    if is_new {
        tx.execute(
            "INSERT INTO market_groups (id, doc, seq) VALUES (?1, ?2, ?3)",
            &[group.id.as_str().into(), doc.into(), seq.into()],
        )?;
    } else {
        tx.execute(
            "UPDATE market_groups SET doc = ?2, seq = ?3 WHERE id = ?1",
            &[group.id.as_str().into(), doc.into(), seq.into()],
        )?;
    }
    Ok(())
}

fn put_group(
    tx: &mut dyn SqlTx,
    me: &Account,
    id: &str,
    name: &str,
    now: i64,
) -> Result<(), Reject> {
    check_id("id", id)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid("name"));
    }
    match load_group(tx, id)? {
        Some(mut group) => {
            if is_member(tx, id, &me.id)?.as_deref() != Some("admin") {
                return Err(not_allowed(None));
            }
            group.name = name.to_owned();
            save_group(tx, group, false)
        }
        None => {
            let group = GroupDoc {
                id: id.to_owned(),
                name: name.to_owned(),
                members: Vec::new(),
                created_at: now,
                version: 0,
            };
            // The row first: members refer to it.
            tx.execute(
                "INSERT INTO market_groups (id, doc, seq) VALUES (?1, '{}', 0)",
                &[id.into()],
            )?;
            tx.execute(
                "INSERT INTO group_members (group_id, account_id, role) VALUES (?1, ?2, 'admin')",
                &[id.into(), me.id.as_str().into()],
            )?;
            save_group(tx, group, false)
        }
    }
}

fn add_member(
    tx: &mut dyn SqlTx,
    me: &Account,
    group_id: &str,
    phone: &str,
    role: &str,
    now: i64,
) -> Result<(), Reject> {
    check_id("group_id", group_id)?;
    if role != "admin" && role != "member" {
        return Err(invalid("role"));
    }
    let Some(group) = load_group(tx, group_id)? else {
        return Err(not_found("group_id"));
    };
    if is_member(tx, group_id, &me.id)?.as_deref() != Some("admin") {
        return Err(not_allowed(None));
    }
    let phone = pasar_core::PhoneNumber::parse(phone).map_err(|_| invalid("phone"))?;
    let existing = tx
        .query_opt(
            "SELECT id FROM accounts WHERE phone = ?1",
            &[phone.e164().into()],
        )?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text));
    let account_id = match existing {
        Some(id) => id,
        None => {
            // They have not signed up yet: signing in with this number finds this account.
            let id = pasar_core::id::new_id();
            tx.execute(
                "INSERT INTO accounts (id, phone, name, created_at) VALUES (?1, ?2, NULL, ?3)",
                &[id.as_str().into(), phone.e164().into(), now.into()],
            )?;
            id
        }
    };
    let was = is_member(tx, group_id, &account_id)?;
    if role != "admin" && was.as_deref() == Some("admin") {
        // Adding an admin again as a member demotes them: not the last one.
        check_admin_stays(tx, group_id)?;
    }
    if was.is_none() {
        // A seller joining brings her shop terms to the members: set before she joined,
        // they sit below the members' cursors. A new feed number puts them in front of
        // them again (the members' phones need them to quote her ongkir offline).
        let seq = next_seq(tx)?;
        tx.execute(
            "UPDATE seller_terms SET seq = ?2 WHERE id = ?1",
            &[account_id.as_str().into(), seq.into()],
        )?;
    }
    tx.execute(
        "INSERT INTO group_members (group_id, account_id, role) VALUES (?1, ?2, ?3)
         ON CONFLICT (group_id, account_id) DO UPDATE SET role = excluded.role",
        &[group_id.into(), account_id.as_str().into(), role.into()],
    )?;
    // They may now see the group's catalog, older than their phones' cursors.
    tx.execute(
        "UPDATE accounts SET epoch = epoch + 1 WHERE id = ?1",
        &[account_id.as_str().into()],
    )?;
    save_group(tx, group, false)
}

fn remove_member(
    tx: &mut dyn SqlTx,
    me: &Account,
    group_id: &str,
    account_id: &str,
) -> Result<(), Reject> {
    let Some(group) = load_group(tx, group_id)? else {
        return Err(not_found("group_id"));
    };
    let admin = is_member(tx, group_id, &me.id)?.as_deref() == Some("admin");
    if !admin && account_id != me.id {
        return Err(not_allowed(None));
    }
    if is_member(tx, group_id, account_id)?.as_deref() == Some("admin") {
        check_admin_stays(tx, group_id)?;
    }
    let removed = tx.execute(
        "DELETE FROM group_members WHERE group_id = ?1 AND account_id = ?2",
        &[group_id.into(), account_id.into()],
    )?;
    if removed == 0 {
        // Not a member (left already, from another phone): nothing changes, and the
        // group is not rewritten for its members to pull again.
        return Ok(());
    }
    // Their phones pull their whole feed again and sweep the group's catalog away.
    tx.execute(
        "UPDATE accounts SET epoch = epoch + 1 WHERE id = ?1",
        &[account_id.into()],
    )?;
    unlist_products(tx, group_id, account_id)?;
    save_group(tx, group, false)
}

/// The members of `group_id` (but `except`) lost sight of listings in it: their phones
/// pull their whole feed again and sweep what they no longer see (`pasar_core::sync`'s
/// `apply::sweep`). Rare (a seller leaving, a product taken out of a market), and the
/// only way a phone learns of something it may no longer see.
fn lose_sight(tx: &mut dyn SqlTx, group_id: &str, except: &str) -> Result<(), Reject> {
    tx.execute(
        "UPDATE accounts SET epoch = epoch + 1
          WHERE id IN (SELECT account_id FROM group_members WHERE group_id = ?1) AND id <> ?2",
        &[group_id.into(), except.into()],
    )?;
    Ok(())
}

/// Refuses to take away a group's only admin (a group keeps one admin at least).
fn check_admin_stays(tx: &mut dyn SqlTx, group_id: &str) -> Result<(), Reject> {
    let admins = tx
        .query(
            "SELECT account_id FROM group_members WHERE group_id = ?1 AND role = 'admin'",
            &[group_id.into()],
        )?
        .len();
    if admins <= 1 {
        return Err(refuse(
            "conflict",
            Some("role"),
            "Grup butuh minimal satu admin.",
            "A group needs at least one admin.",
        ));
    }
    Ok(())
}

/// A seller who leaves or is removed from a group takes their listings with them: the
/// group's members stop getting them and can no longer order them, and the seller's
/// own phones get the product back without the group.
fn unlist_products(tx: &mut dyn SqlTx, group_id: &str, seller_id: &str) -> Result<(), Reject> {
    let listed: Vec<String> = tx
        .query(
            "SELECT p.id FROM products p
               JOIN product_groups pg ON pg.product_id = p.id
              WHERE pg.group_id = ?1 AND p.seller_id = ?2",
            &[group_id.into(), seller_id.into()],
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next().and_then(Value::into_text))
        .collect();
    for id in &listed {
        tx.execute(
            "DELETE FROM product_groups WHERE group_id = ?1 AND product_id = ?2",
            &[group_id.into(), id.as_str().into()],
        )?;
        let Some(mut product) = load_product(tx, id)? else {
            continue;
        };
        product.group_ids.retain(|g| g != group_id);
        product.version += 1;
        write_product(tx, &product, None, false, &["group_ids"])?;
    }
    if !listed.is_empty() {
        lose_sight(tx, group_id, seller_id)?;
    }
    Ok(())
}

pub(super) fn load_product(tx: &mut dyn SqlTx, id: &str) -> Result<Option<ProductDoc>, Reject> {
    tx.query_opt("SELECT doc FROM products WHERE id = ?1", &[id.into()])?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text))
        .map(|t| serde_json::from_str(&t).map_err(|e| StoreError::new(e.to_string()).into()))
        .transpose()
}

/// Whether the product is listed in a group the account is a member of (the same rule
/// the pull follows for products: see `feed::HEADS`).
pub(super) fn sees_listing(
    tx: &mut dyn SqlTx,
    product_id: &str,
    account_id: &str,
) -> Result<bool, Reject> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM product_groups pg
               JOIN group_members gm ON gm.group_id = pg.group_id
              WHERE pg.product_id = ?1 AND gm.account_id = ?2",
            &[product_id.into(), account_id.into()],
        )?
        .is_some())
}

fn load_order(tx: &mut dyn SqlTx, id: &str) -> Result<Option<OrderDoc>, Reject> {
    tx.query_opt("SELECT doc FROM orders WHERE id = ?1", &[id.into()])?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text))
        .map(|t| serde_json::from_str(&t).map_err(|e| StoreError::new(e.to_string()).into()))
        .transpose()
}

/// Where `variant_id` is among `product`'s variants (none: the product itself).
fn variant_index(product: &ProductDoc, variant_id: Option<&str>) -> Result<Option<usize>, Reject> {
    variant_id
        .map(|v| {
            product
                .variants
                .iter()
                .position(|x| x.id == v)
                .ok_or_else(|| not_found("variant"))
        })
        .transpose()
}

pub(super) fn units_for(quantity_milli: i64) -> i64 {
    // Stock counts whole units: 1,5 kg holds 2 of a per-kg stock.
    (quantity_milli + 999) / 1000
}

/// A buyer's order: the server checks every price against the catalog and takes the
/// stock, or refuses the whole order.
fn place_order(tx: &mut dyn SqlTx, me: &Account, order: &OrderDoc, now: i64) -> Result<(), Reject> {
    check_id("id", &order.id)?;
    if let Some(existing) = load_order(tx, &order.id)? {
        // The same order sent again through another device or path: nothing to do.
        return if existing.buyer.id == me.id {
            Ok(())
        } else {
            Err(invalid("id"))
        };
    }
    if order.buyer.id != me.id {
        return Err(not_allowed(Some("buyer")));
    }
    if order.items.is_empty() || order.items.len() > 100 {
        return Err(invalid("items"));
    }
    let payment = PaymentMethod::from_code(&order.payment).ok_or_else(|| invalid("payment"))?;
    let delivery = match order.delivery.as_str() {
        "courier" => Delivery::Courier,
        "pickup" => Delivery::Pickup,
        _ => return Err(invalid("delivery")),
    };
    if delivery == Delivery::Courier && order.address.is_none() {
        return Err(invalid("address"));
    }
    let seller = profile(tx, &order.seller.id, true)?.ok_or_else(|| not_found("seller"))?;
    let buyer = profile(tx, &me.id, true)?.ok_or_else(|| StoreError::new("no account"))?;
    // A courier order whose every unit a fulfilment partner holds ships from there.
    let partner = if delivery == Delivery::Courier {
        let mut products = Vec::new();
        for item in &order.items {
            if !products
                .iter()
                .any(|p: &ProductDoc| p.id == item.product_id)
                && let Some(p) = load_product(tx, &item.product_id)?
            {
                products.push(p);
            }
        }
        trade::choose_partner(&products, &order.items)
    } else {
        None
    };
    let mut placed = order.clone();
    let mut items_total: i64 = 0;
    let mut touched: Vec<ProductDoc> = Vec::new();
    // A reseller's order: the supplier behind its listings and what the supplier is
    // owed. An order is all resale from one supplier or none: each part ships from
    // one place.
    let mut supplier: Option<String> = None;
    let mut supply_idr: i64 = 0;
    let mut own_items = false;
    for item in &mut placed.items {
        if item.quantity_milli <= 0 || item.quantity_milli > 1_000_000_000 {
            return Err(invalid("quantity"));
        }
        let index = match touched.iter().position(|p| p.id == item.product_id) {
            Some(i) => i,
            None => {
                let product =
                    load_product(tx, &item.product_id)?.ok_or_else(|| not_found("product"))?;
                // Only what the buyer can see is for sale to them: a product listed in
                // one of their groups (or their own). Someone who left or was removed
                // from the group, or who learnt a product id elsewhere, cannot take its
                // stock or learn the seller's number from the order. Answered as an
                // unknown product, without its name.
                if product.seller.id != me.id && !sees_listing(tx, &product.id, &me.id)? {
                    return Err(not_found("product"));
                }
                touched.push(product);
                touched.len() - 1
            }
        };
        let product = &touched[index];
        if product.seller.id != seller.id || product.archived {
            return Err(refuse(
                "not_found",
                Some("product"),
                &format!("{} sudah tidak dijual.", product.name),
                &format!("{} is no longer for sale.", product.name),
            ));
        }
        let units = units_for(item.quantity_milli);
        let variant = variant_index(product, item.variant_id.as_deref())?;
        let price = variant
            .and_then(|i| product.variants[i].price_idr)
            .unwrap_or(product.price_idr);
        if price != item.unit_price_idr {
            return Err(refuse(
                "conflict",
                Some("price"),
                &format!("Harga {} berubah, cek keranjang lagi.", product.name),
                &format!(
                    "The price of {} changed; check the cart again.",
                    product.name
                ),
            ));
        }
        let total = price
            .checked_mul(item.quantity_milli)
            .map(|x| x / 1000)
            .ok_or_else(|| invalid("quantity"))?;
        if total != item.total_idr {
            return Err(invalid("total"));
        }
        items_total = items_total
            .checked_add(total)
            .ok_or_else(|| invalid("total"))?;
        // Where the units come from: the listing itself, or for a reseller's listing the
        // supplier's product (its variant of the same id), whose stock it sells.
        let (source, prefix) = match product.resale_of.clone() {
            None => {
                own_items = true;
                (index, "")
            }
            Some(source_id) => {
                let listing = product.clone();
                let source = match touched.iter().position(|p| p.id == source_id) {
                    Some(i) => i,
                    None => {
                        let p = load_product(tx, &source_id)?
                            .filter(|p| !p.archived && p.resale.is_some())
                            .ok_or_else(|| {
                                refuse(
                                    "not_found",
                                    Some("product"),
                                    &format!("{} sudah tidak dijual.", listing.name),
                                    &format!("{} is no longer for sale.", listing.name),
                                )
                            })?;
                        touched.push(p);
                        touched.len() - 1
                    }
                };
                let source_doc = &touched[source];
                // The supplier may have narrowed the bounds since the listing was made.
                trade::within_bounds(source_doc, &listing)?;
                if supplier
                    .replace(source_doc.seller.id.clone())
                    .is_some_and(|s| s != source_doc.seller.id)
                {
                    return Err(invalid("items"));
                }
                let each = source_doc.resale.map_or(0, |r| r.supply_price_idr);
                supply_idr = each
                    .checked_mul(item.quantity_milli)
                    .map(|x| x / 1000)
                    .and_then(|x| supply_idr.checked_add(x))
                    .ok_or_else(|| invalid("total"))?;
                (source, "supplier_")
            }
        };
        if own_items && supplier.is_some() {
            return Err(refuse(
                "invalid",
                Some("items"),
                "Barang dari pemasok dan barang sendiri dipesan terpisah.",
                "Order a supplier's goods and the shop's own goods separately.",
            ));
        }
        let product = &mut touched[source];
        let variant = variant_index(product, item.variant_id.as_deref())?;
        let out_of_stock = || {
            refuse(
                "out_of_stock",
                Some("stock"),
                &format!("Stok {} tidak cukup.", product_name(&item.name)),
                &format!("Not enough stock of {}.", product_name(&item.name)),
            )
        };
        if let Some(partner) = &partner {
            // Checked whole by `choose_partner`; taken here line by line.
            let shelf = product
                .stock_at
                .iter_mut()
                .find(|s| &s.partner_id == partner)
                .filter(|s| s.stock >= units)
                .ok_or_else(out_of_stock)?;
            shelf.stock -= units;
            item.reserved_units = units;
            item.reserved_on = "partner".into();
            continue;
        }
        // The variant's own count if it keeps one, else the product's pool.
        let own = variant.filter(|&i| {
            let v = &product.variants[i];
            v.unlimited || v.stock.is_some()
        });
        match own {
            Some(i) if product.variants[i].unlimited => {
                item.reserved_units = 0;
                item.reserved_on = String::new();
            }
            Some(i) => {
                let left = product.variants[i].stock.unwrap_or(0);
                if left < units {
                    return Err(out_of_stock());
                }
                product.variants[i].stock = Some(left - units);
                item.reserved_units = units;
                item.reserved_on = format!("{prefix}variant");
            }
            None => match product.stock {
                None => {
                    item.reserved_units = 0;
                    item.reserved_on = String::new();
                }
                Some(left) => {
                    if left < units {
                        return Err(out_of_stock());
                    }
                    product.stock = Some(left - units);
                    item.reserved_units = units;
                    item.reserved_on = format!("{prefix}product");
                }
            },
        }
    }
    if items_total != order.items_idr {
        return Err(invalid("total"));
    }
    check_terms(tx, order, &touched, items_total)?;
    let amounts = [order.ongkir_idr, order.kode_unik_idr, order.discount_idr];
    if amounts.iter().any(|&a| !(0..=PRICE_MAX_IDR).contains(&a))
        || order.total_idr
            != items_total + order.ongkir_idr + order.kode_unik_idr - order.discount_idr
        || order.total_idr < 0
    {
        return Err(invalid("total"));
    }
    let status = OrderStatus::initial(payment.kind());
    placed.buyer = buyer;
    placed.seller = seller;
    placed.status = status.code().to_owned();
    placed.cancel_reason = None;
    placed.resi = None;
    placed.expires_at = (status == OrderStatus::AwaitingPayment).then_some(now + PAYMENT_WINDOW_MS);
    placed.updated_at = now;
    placed.version = 1;
    placed.events = vec![EventDoc {
        at: now,
        role: "buyer".into(),
        actor_id: Some(me.id.clone()),
        action: "place".into(),
        from: None,
        to: status.code().to_owned(),
        detail: String::new(),
    }];
    // Who packs and ships: the partner holding the stock, or the reseller's supplier.
    let partner_id = partner.or_else(|| supplier.clone());
    placed.partner = match &partner_id {
        Some(id) => Some(profile(tx, id, true)?.ok_or_else(|| not_found("partner"))?),
        None => None,
    };
    placed.supply = match &supplier {
        Some(id) => Some(SupplyDoc {
            supplier: profile(tx, id, true)?.ok_or_else(|| not_found("supplier"))?,
            items_idr: supply_idr,
        }),
        None => None,
    };
    placed.promoter = trade::promoter_for(tx, order, &placed.seller.id, &placed.items)?;
    placed.packed_at = None;
    for product in &mut touched {
        if product.stock.is_some()
            || product.variants.iter().any(|v| v.stock.is_some())
            || !product.stock_at.is_empty()
        {
            product.version += 1;
            product.updated_at = product.updated_at.max(now);
            write_product(tx, product, None, false, STOCK_FIELDS)?;
        }
    }
    let seq = next_seq(tx)?;
    tx.execute(
        "INSERT INTO orders (id, buyer_id, seller_id, doc, seq, awaiting_until, promoter_id,
                             partner_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[
            placed.id.as_str().into(),
            placed.buyer.id.as_str().into(),
            placed.seller.id.as_str().into(),
            to_json(&placed)?.into(),
            seq.into(),
            placed.expires_at.into(),
            placed.promoter.as_ref().map(|p| p.id.clone()).into(),
            partner_id.into(),
        ],
    )?;
    // The seller hears of the new order; in this transaction, so a refused or failed
    // order tells no one.
    queue::enqueue_order(tx, &placed, Some(&me.id), now)?;
    Ok(())
}

/// The ongkir and potongan of an order are the seller's, as the server holds their
/// terms: a phone that checked out with an older table (or a client that made numbers
/// up) is told to look again, as for a changed price.
fn check_terms(
    tx: &mut dyn SqlTx,
    order: &OrderDoc,
    products: &[ProductDoc],
    items_total: i64,
) -> Result<(), Reject> {
    let terms = tx
        .query_opt(
            "SELECT doc FROM seller_terms WHERE id = ?1",
            &[order.seller.id.as_str().into()],
        )?
        .and_then(|row| row.into_iter().next())
        .and_then(Value::into_text)
        .and_then(|t| serde_json::from_str::<TermsDoc>(&t).ok());
    let (rates, discounts) = terms.map_or_else(Default::default, |t| (t.rates, t.discounts));
    let changed = |what_id: &str, what_en: &str| {
        refuse(
            "conflict",
            Some(if what_en == "shipping" {
                "ongkir"
            } else {
                "discount"
            }),
            &format!("{what_id} dari penjual berubah, cek keranjang lagi."),
            &format!("The seller's {what_en} changed; check the cart again."),
        )
    };
    // Ongkir as the phone quotes it (`Orders::checkout`): by the most specific row of
    // the table for the chosen service, by weight; nothing when no service was chosen
    // (agreed in chat) or for pickup.
    let ongkir = match (&order.address, &order.courier, &order.service) {
        (Some(to), Some(courier), Some(service)) if order.delivery == "courier" => {
            let courier = Courier::from_code(courier).ok_or_else(|| invalid("courier"))?;
            let table = RateTable {
                rates: rates
                    .iter()
                    .filter_map(|r| {
                        Some(Rate {
                            courier: Courier::from_code(&r.courier)?,
                            service: r.service.clone(),
                            destination: r.destination.clone(),
                            first_kg: Rupiah::new(r.first_kg_idr),
                            next_kg: Rupiah::new(r.next_kg_idr),
                        })
                    })
                    .collect(),
            };
            let mut weight: u32 = 0;
            for item in &order.items {
                let grams = products
                    .iter()
                    .find(|p| p.id == item.product_id)
                    .map_or(0, |p| p.weight_grams);
                let units = u32::try_from(units_for(item.quantity_milli)).unwrap_or(u32::MAX);
                weight = weight.saturating_add(grams.saturating_mul(units));
            }
            let shipping = Shipping {
                courier,
                service: service.clone(),
            };
            table
                .quote(&shipping, to, weight)
                .map_err(|_| changed("Ongkir", "shipping"))?
                .idr()
        }
        _ => 0,
    };
    if ongkir != order.ongkir_idr {
        return Err(changed("Ongkir", "shipping"));
    }
    let potongan = discounts
        .iter()
        .filter(|d| d.min_items_idr <= items_total)
        .map(|d| d.amount_idr)
        .max()
        .unwrap_or(0)
        .min(items_total);
    if potongan != order.discount_idr {
        return Err(changed("Potongan", "discount"));
    }
    Ok(())
}

fn product_name(name: &str) -> &str {
    if name.is_empty() { "produk ini" } else { name }
}

fn act_on_order(
    tx: &mut dyn SqlTx,
    me: &Account,
    order_id: &str,
    action: &ActionDoc,
    now: i64,
) -> Result<(), Reject> {
    let mut order = load_order(tx, order_id)?.ok_or_else(|| not_found("order"))?;
    let role = if order.seller.id == me.id {
        Role::Seller
    } else if order.buyer.id == me.id {
        Role::Buyer
    } else if order.partner.as_ref().is_some_and(|p| p.id == me.id) {
        Role::Partner
    } else {
        // Not a party (a promoter only watches): the order does not exist as far as
        // they can tell.
        return Err(not_found("order"));
    };
    let (from, payment, delivery) = stored_state(&order)?;
    let core_action = match action {
        ActionDoc::ConfirmPayment => OrderAction::ConfirmPayment,
        ActionDoc::Ship { courier, resi } => OrderAction::Ship {
            courier: courier.trim().to_owned(),
            resi: resi.trim().to_owned(),
        },
        ActionDoc::ReadyForPickup => OrderAction::ReadyForPickup,
        ActionDoc::MarkDelivered => OrderAction::MarkDelivered,
        ActionDoc::Complete => OrderAction::Complete,
        ActionDoc::Cancel { reason } => OrderAction::Cancel {
            reason: reason.trim().to_owned(),
        },
        ActionDoc::Pack => OrderAction::Pack,
    };
    // Packed once; with a partner on the order only the partner packs and ships.
    let allowed = partner_allows(core_action.kind(), role, order.partner.is_some())
        && !(core_action == OrderAction::Pack && order.packed_at.is_some());
    let moved = if allowed {
        transition(from, &core_action, role, payment.kind(), delivery)
    } else {
        Err(TransitionError::NotAllowed {
            from,
            action: core_action.name(),
            role,
        })
    };
    let to = match moved {
        Ok(to) => to,
        Err(e) => {
            return Err(refuse(
                "not_allowed",
                Some("status"),
                "Status pesanan tidak bisa diubah seperti itu.",
                &format!("The order cannot move like that: {e}."),
            ));
        }
    };
    let mut detail = String::new();
    match &core_action {
        OrderAction::Ship { courier, resi } => {
            if courier.chars().count() > 40 || resi.chars().count() > 60 {
                return Err(invalid("resi"));
            }
            // `courier` stays the code chosen at checkout; what the seller typed goes
            // into the history with the resi.
            order.resi = Some(resi.clone());
            detail = format!("{courier} {resi}");
        }
        OrderAction::Cancel { reason } => {
            if reason.chars().count() > 500 {
                return Err(invalid("reason"));
            }
            order.cancel_reason = Some(reason.clone());
            detail = reason.clone();
        }
        OrderAction::Pack => order.packed_at = Some(now),
        _ => {}
    }
    if to == OrderStatus::Cancelled && from.holds_stock() {
        give_back(tx, &order, now)?;
    }
    order.status = to.code().to_owned();
    if to != OrderStatus::AwaitingPayment {
        order.expires_at = None;
    }
    order.updated_at = now;
    order.version += 1;
    order.events.push(EventDoc {
        at: now,
        role: role.code().into(),
        actor_id: Some(me.id.clone()),
        action: core_action.name().to_owned(),
        from: Some(from.code().to_owned()),
        to: to.code().to_owned(),
        detail,
    });
    save_moved(tx, &order)?;
    // The other party hears of the move (the one who made it knows).
    queue::enqueue_order(tx, &order, Some(&me.id), now)?;
    Ok(())
}

/// A stored order's status, payment method and delivery, as the state machine reads them.
fn stored_state(order: &OrderDoc) -> Result<(OrderStatus, PaymentMethod, Delivery), Reject> {
    let from = OrderStatus::from_code(&order.status)
        .ok_or_else(|| StoreError::new("stored order status unreadable"))?;
    let payment = PaymentMethod::from_code(&order.payment)
        .ok_or_else(|| StoreError::new("stored payment unreadable"))?;
    let delivery = if order.delivery == "pickup" {
        Delivery::Pickup
    } else {
        Delivery::Courier
    };
    Ok((from, payment, delivery))
}

/// Writes a moved order under a new feed position, with its payment deadline.
fn save_moved(tx: &mut dyn SqlTx, order: &OrderDoc) -> Result<(), Reject> {
    // The parties' names as they are now (see `renamed`).
    let mut order = order.clone();
    let others = order
        .partner
        .iter_mut()
        .chain(order.supply.as_mut().map(|s| &mut s.supplier));
    for party in [&mut order.buyer, &mut order.seller]
        .into_iter()
        .chain(others)
    {
        if let Some(now) = profile(tx, &party.id, true)? {
            *party = now;
        }
    }
    if let Some(p) = order.promoter.as_mut()
        && let Some(now) = profile(tx, &p.id, false)?
    {
        p.name = now.name;
    }
    let order = &order;
    let seq = next_seq(tx)?;
    tx.execute(
        "UPDATE orders SET doc = ?2, seq = ?3, awaiting_until = ?4 WHERE id = ?1",
        &[
            order.id.as_str().into(),
            to_json(order)?.into(),
            seq.into(),
            order.expires_at.into(),
        ],
    )?;
    Ok(())
}

/// Unpaid orders whose payment window closed by `now`, oldest first, at most `limit`.
pub(crate) fn due_unpaid(
    tx: &mut dyn SqlTx,
    now: i64,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(tx
        .query(
            "SELECT id FROM orders WHERE awaiting_until <= ?1 ORDER BY awaiting_until LIMIT ?2",
            &[now.into(), limit.into()],
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next().and_then(Value::into_text))
        .collect())
}

/// The server's clock cancels an order nobody paid in time: its stock goes back to the
/// shelf and both parties are told. False when it moved on meanwhile (paid, cancelled).
pub(crate) fn expire_order(tx: &mut dyn SqlTx, order_id: &str, now: i64) -> Result<bool, Reject> {
    let Some(mut order) = load_order(tx, order_id)? else {
        return Ok(false);
    };
    let (from, payment, delivery) = stored_state(&order)?;
    let due = order.expires_at.is_some_and(|at| at <= now);
    let Ok(to) = transition(
        from,
        &OrderAction::Expire,
        Role::System,
        payment.kind(),
        delivery,
    ) else {
        // Not awaiting payment any more: only the deadline column was stale.
        order.expires_at = None;
        tx.execute(
            "UPDATE orders SET awaiting_until = NULL WHERE id = ?1",
            &[order_id.into()],
        )?;
        return Ok(false);
    };
    if !due {
        return Ok(false);
    }
    if from.holds_stock() {
        give_back(tx, &order, now)?;
    }
    order.status = to.code().to_owned();
    order.expires_at = None;
    order.updated_at = now;
    order.version += 1;
    order.events.push(EventDoc {
        at: now,
        role: "system".into(),
        actor_id: None,
        action: OrderAction::Expire.name().to_owned(),
        from: Some(from.code().to_owned()),
        to: to.code().to_owned(),
        detail: String::new(),
    });
    save_moved(tx, &order)?;
    queue::enqueue_order(tx, &order, None, now)?;
    Ok(true)
}

/// Puts back exactly the units a cancelled order took.
fn give_back(tx: &mut dyn SqlTx, order: &OrderDoc, now: i64) -> Result<(), Reject> {
    let mut touched: Vec<ProductDoc> = Vec::new();
    for item in order.items.iter().filter(|i| i.reserved_units > 0) {
        let index = match touched.iter().position(|p| p.id == item.product_id) {
            Some(i) => i,
            None => match load_product(tx, &item.product_id)? {
                Some(p) => {
                    touched.push(p);
                    touched.len() - 1
                }
                None => continue,
            },
        };
        // A reseller's line gave back to the supplier's product it was taken from.
        let (index, on) = match item.reserved_on.strip_prefix("supplier_") {
            Some(on) => {
                let source = touched[index].resale_of.clone().unwrap_or_default();
                match touched.iter().position(|p| p.id == source) {
                    Some(i) => (i, on),
                    None => match load_product(tx, &source)? {
                        Some(p) => {
                            touched.push(p);
                            (touched.len() - 1, on)
                        }
                        None => continue,
                    },
                }
            }
            None => (index, item.reserved_on.as_str()),
        };
        let product = &mut touched[index];
        match on {
            "partner" => {
                let partner = order.partner.as_ref().map(|p| p.id.as_str());
                if let Some(shelf) = product
                    .stock_at
                    .iter_mut()
                    .find(|s| Some(s.partner_id.as_str()) == partner)
                {
                    shelf.stock = (shelf.stock + item.reserved_units).min(STOCK_MAX);
                }
            }
            "variant" => {
                if let Some(v) = product
                    .variants
                    .iter_mut()
                    .find(|v| Some(&v.id) == item.variant_id.as_ref())
                    && let Some(s) = v.stock.as_mut()
                {
                    *s = (*s + item.reserved_units).min(STOCK_MAX);
                }
            }
            "product" => {
                if let Some(s) = product.stock.as_mut() {
                    *s = (*s + item.reserved_units).min(STOCK_MAX);
                }
            }
            _ => {}
        }
    }
    for product in &mut touched {
        product.version += 1;
        product.updated_at = product.updated_at.max(now);
        write_product(tx, product, None, false, STOCK_FIELDS)?;
    }
    Ok(())
}

/// What an order moves on a product: its own count, a variant's or a partner's.
const STOCK_FIELDS: &[&str] = &["stock", "variants", "stock_at"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_counts_whole_units() {
        assert_eq!(units_for(1000), 1);
        assert_eq!(units_for(1500), 2);
        assert_eq!(units_for(250), 1);
        assert_eq!(units_for(12_000), 12);
    }
}
