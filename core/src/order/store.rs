//! The orders' SQL.

use super::address::Address;
use super::model::{Order, OrderEvent, OrderItem};
use super::ongkir::{Courier, Rate, RateTable, Shipping};
use super::payment::PaymentMethod;
use super::status::{Delivery, OrderStatus, Role};
use crate::error::{Error, Thing};
use crate::money::Rupiah;
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, number, checkout_id, buyer_id, seller_id, status, payment, delivery, address, \
                       courier, service, resi, items_idr, ongkir_idr, kode_unik_idr, discount_idr, total_idr, \
                       note, cancel_reason, expires_at, created_at, updated_at, version, links";

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        what.to_owned().into(),
    )
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    let status: String = r.get(5)?;
    let payment: String = r.get(6)?;
    let delivery: String = r.get(7)?;
    let address: Option<String> = r.get(8)?;
    let courier: Option<String> = r.get(9)?;
    let service: Option<String> = r.get(10)?;
    Ok(Order {
        id: r.get(0)?,
        number: r.get(1)?,
        checkout_id: r.get(2)?,
        buyer_id: r.get(3)?,
        seller_id: r.get(4)?,
        status: OrderStatus::from_code(&status).ok_or_else(|| corrupt("order status"))?,
        payment: PaymentMethod::from_code(&payment).ok_or_else(|| corrupt("payment method"))?,
        delivery: if delivery == "pickup" {
            Delivery::Pickup
        } else {
            Delivery::Courier
        },
        address: address
            .map(|a| serde_json::from_slice::<Address>(a.as_bytes()))
            .transpose()
            .map_err(|_| corrupt("address"))?,
        shipping: match (courier.as_deref().and_then(Courier::from_code), service) {
            (Some(courier), Some(service)) => Some(Shipping { courier, service }),
            _ => None,
        },
        resi: r.get(11)?,
        items: Vec::new(),
        items_total: Rupiah::new(r.get(12)?),
        ongkir: Rupiah::new(r.get(13)?),
        kode_unik: Rupiah::new(r.get(14)?),
        discount: Rupiah::new(r.get(15)?),
        total: Rupiah::new(r.get(16)?),
        note: r.get(17)?,
        cancel_reason: r.get(18)?,
        expires_at: r.get(19)?,
        created_at: r.get(20)?,
        updated_at: r.get(21)?,
        version: r.get(22)?,
        links: match r.get::<_, Option<String>>(23)? {
            Some(text) => {
                serde_json::from_slice(text.as_bytes()).map_err(|_| corrupt("order links"))?
            }
            None => Default::default(),
        },
    })
}

pub(super) fn insert(
    c: &Connection,
    o: &Order,
    reserved: &[(i64, &'static str)],
) -> Result<(), Error> {
    c.prepare_cached(&format!(
        "INSERT INTO orders ({COLUMNS}, promoter_id, partner_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26)"
    ))
    .map_err(StoreError::from)?
    .execute(params![
        o.id,
        o.number,
        o.checkout_id,
        o.buyer_id,
        o.seller_id,
        o.status.code(),
        o.payment.code(),
        if o.delivery == Delivery::Pickup { "pickup" } else { "courier" },
        o.address.as_ref().map(|a| serde_json::to_string(a).unwrap_or_default()),
        o.shipping.as_ref().map(|s| s.courier.code()),
        o.shipping.as_ref().map(|s| s.service.clone()),
        o.resi,
        o.items_total.idr(),
        o.ongkir.idr(),
        o.kode_unik.idr(),
        o.discount.idr(),
        o.total.idr(),
        o.note,
        o.cancel_reason,
        o.expires_at,
        o.created_at,
        o.updated_at,
        o.version,
        links_column(o),
        o.links
            .promoter
            .as_ref()
            .map(|p| p.id.as_str())
            .filter(|id| !id.is_empty()),
        o.links.partner.as_ref().map(|p| p.id.as_str())
    ])
    .map_err(StoreError::from)?;
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO order_items (order_id, position, product_id, variant_id, name, variant_label, unit,
                                      quantity_milli, unit_price_idr, total_idr, note, reserved_units, reserved_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .map_err(StoreError::from)?;
    for (i, (item, (units, on))) in o.items.iter().zip(reserved).enumerate() {
        stmt.execute(params![
            o.id,
            i64::try_from(i).unwrap_or(i64::MAX),
            item.product_id,
            item.variant_id,
            item.name,
            item.variant_label,
            item.unit,
            item.quantity_milli,
            item.unit_price.idr(),
            item.total.idr(),
            item.note,
            units,
            on
        ])
        .map_err(StoreError::from)?;
    }
    Ok(())
}

/// An order's links as stored: NULL for the plain order most are.
fn links_column(o: &Order) -> Option<String> {
    (!o.links.is_empty()).then(|| serde_json::to_string(&o.links).unwrap_or_default())
}

pub(super) fn update(c: &Connection, o: &Order) -> Result<(), Error> {
    c.prepare_cached(
        "UPDATE orders SET status = ?2, resi = ?3, cancel_reason = ?4, expires_at = ?5, updated_at = ?6,
                version = ?7, links = ?8 WHERE id = ?1",
    )
    .map_err(StoreError::from)?
    .execute(params![
        o.id,
        o.status.code(),
        o.resi,
        o.cancel_reason,
        o.expires_at,
        o.updated_at,
        o.version,
        links_column(o)
    ])
    .map_err(StoreError::from)?;
    Ok(())
}

pub(crate) fn get(c: &Connection, id: &str) -> Result<Order, Error> {
    let mut o = c
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"))
        .map_err(StoreError::from)?
        .query_row([id], from_row)
        .optional()
        .map_err(StoreError::from)?
        .ok_or_else(|| Error::NotFound {
            thing: Thing::Order,
            id: id.to_owned(),
        })?;
    o.items = items(c, id)?;
    Ok(o)
}

pub(super) fn by_checkout(c: &Connection, checkout_id: &str) -> Result<Vec<Order>, Error> {
    let ids: Vec<String> = c
        .prepare_cached("SELECT id FROM orders WHERE checkout_id = ?1 ORDER BY id")
        .and_then(|mut s| s.query_map([checkout_id], |r| r.get(0))?.collect())
        .map_err(StoreError::from)?;
    ids.iter().map(|id| get(c, id)).collect()
}

/// Orders where `account_id` is the buyer or the seller, newest first.
pub(super) fn for_account(
    c: &Connection,
    account_id: &str,
    limit: u32,
) -> Result<Vec<Order>, Error> {
    let ids: Vec<String> = c
        .prepare_cached(
            "SELECT id FROM orders WHERE buyer_id = ?1 OR seller_id = ?1 ORDER BY id DESC LIMIT ?2",
        )
        .and_then(|mut s| {
            s.query_map(params![account_id, limit], |r| r.get(0))?
                .collect()
        })
        .map_err(StoreError::from)?;
    ids.iter().map(|id| get(c, id)).collect()
}

/// Orders that came through `promoter_id`'s code, or that `partner_id` packs and
/// ships (`column` names which), newest first.
pub(super) fn through(
    c: &Connection,
    column: Through,
    account_id: &str,
    limit: u32,
) -> Result<Vec<Order>, Error> {
    let sql = match column {
        Through::Promoter => {
            "SELECT id FROM orders WHERE promoter_id = ?1 ORDER BY id DESC LIMIT ?2"
        }
        Through::Partner => "SELECT id FROM orders WHERE partner_id = ?1 ORDER BY id DESC LIMIT ?2",
    };
    let ids: Vec<String> = c
        .prepare_cached(sql)
        .and_then(|mut s| {
            s.query_map(params![account_id, limit], |r| r.get(0))?
                .collect()
        })
        .map_err(StoreError::from)?;
    ids.iter().map(|id| get(c, id)).collect()
}

/// Which of an order's other parties a list is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Through {
    Promoter,
    Partner,
}

pub(super) fn due_for_expiry(c: &Connection, now: i64) -> Result<Vec<String>, Error> {
    Ok(c
        .prepare_cached("SELECT id FROM orders WHERE expires_at IS NOT NULL AND expires_at <= ?1 AND status = 'awaiting_payment'")
        .and_then(|mut s| s.query_map([now], |r| r.get(0))?.collect())
        .map_err(StoreError::from)?)
}

fn items(c: &Connection, order_id: &str) -> Result<Vec<OrderItem>, Error> {
    Ok(c
        .prepare_cached(
            "SELECT product_id, variant_id, name, variant_label, unit, quantity_milli, unit_price_idr, total_idr, note
             FROM order_items WHERE order_id = ?1 ORDER BY position",
        )
        .map_err(StoreError::from)?
        .query_map([order_id], |r| {
            Ok(OrderItem {
                product_id: r.get(0)?,
                variant_id: r.get(1)?,
                name: r.get(2)?,
                variant_label: r.get(3)?,
                unit: r.get(4)?,
                quantity_milli: r.get(5)?,
                unit_price: Rupiah::new(r.get(6)?),
                total: Rupiah::new(r.get(7)?),
                note: r.get(8)?,
            })
        })
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(StoreError::from)?)
}

/// What one item of an order reserved: product, variant, units, and where from.
pub(super) type Reservation = (String, Option<String>, i64, String);

pub(super) fn reservations(c: &Connection, order_id: &str) -> Result<Vec<Reservation>, Error> {
    Ok(c
        .prepare_cached(
            "SELECT product_id, variant_id, reserved_units, reserved_on FROM order_items WHERE order_id = ?1",
        )
        .map_err(StoreError::from)?
        .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(StoreError::from)?)
}

pub(super) fn add_event(c: &Connection, order_id: &str, e: &OrderEvent) -> Result<(), Error> {
    c.prepare_cached(
        "INSERT INTO order_events (order_id, seq, at, role, actor_id, action, from_status, to_status, detail)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE order_id = ?1),
                 ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(StoreError::from)?
    .execute(params![
        order_id,
        e.at,
        role_code(e.role),
        e.actor_id,
        e.action,
        e.from.map(OrderStatus::code),
        e.to.code(),
        e.detail
    ])
    .map_err(StoreError::from)?;
    Ok(())
}

pub(super) fn events(c: &Connection, order_id: &str) -> Result<Vec<OrderEvent>, Error> {
    Ok(c.prepare_cached(
        "SELECT at, role, actor_id, action, from_status, to_status, detail FROM order_events
             WHERE order_id = ?1 ORDER BY seq",
    )
    .map_err(StoreError::from)?
    .query_map([order_id], |r| {
        let from: Option<String> = r.get(4)?;
        let to: String = r.get(5)?;
        Ok(OrderEvent {
            at: r.get(0)?,
            role: role_from(&r.get::<_, String>(1)?),
            actor_id: r.get(2)?,
            action: r.get(3)?,
            from: from.as_deref().and_then(OrderStatus::from_code),
            to: OrderStatus::from_code(&to).ok_or_else(|| corrupt("order status"))?,
            detail: r.get(6)?,
        })
    })
    .map_err(StoreError::from)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(StoreError::from)?)
}

pub(crate) fn role_code(r: Role) -> &'static str {
    r.code()
}

pub(crate) fn role_from(s: &str) -> Role {
    match s {
        "buyer" => Role::Buyer,
        "seller" => Role::Seller,
        "partner" => Role::Partner,
        _ => Role::System,
    }
}

/// The seller's ongkir table.
pub(super) fn rate_table(c: &Connection, seller_id: &str) -> Result<RateTable, Error> {
    let rates = c
        .prepare_cached(
            "SELECT courier, service, destination, first_kg_idr, next_kg_idr FROM shipping_rates WHERE seller_id = ?1",
        )
        .map_err(StoreError::from)?
        .query_map([seller_id], |r| {
            let courier: String = r.get(0)?;
            Ok((courier, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
        })
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(StoreError::from)?
        .into_iter()
        .filter_map(|(courier, service, destination, first, next)| {
            Some(Rate {
                courier: Courier::from_code(&courier)?,
                service,
                destination,
                first_kg: Rupiah::new(first),
                next_kg: Rupiah::new(next),
            })
        })
        .collect();
    Ok(RateTable { rates })
}

pub(super) fn save_rate(c: &Connection, seller_id: &str, r: &Rate) -> Result<(), Error> {
    c.execute(
        "INSERT INTO shipping_rates (seller_id, courier, service, destination, first_kg_idr, next_kg_idr)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (seller_id, courier, service, destination) DO UPDATE
         SET first_kg_idr = excluded.first_kg_idr, next_kg_idr = excluded.next_kg_idr",
        params![seller_id, r.courier.code(), r.service, r.destination, r.first_kg.idr(), r.next_kg.idr()],
    )
    .map_err(StoreError::from)?;
    Ok(())
}

/// The best "potongan" of the seller for a purchase of `items`, never more than it.
pub(super) fn discount_for(
    c: &Connection,
    seller_id: &str,
    items: Rupiah,
) -> Result<Rupiah, Error> {
    let best: Option<i64> = c
        .prepare_cached("SELECT MAX(amount_idr) FROM seller_discounts WHERE seller_id = ?1 AND min_items_idr <= ?2")
        .map_err(StoreError::from)?
        .query_row(params![seller_id, items.idr()], |r| r.get(0))
        .map_err(StoreError::from)?;
    Ok(Rupiah::new(best.unwrap_or(0).min(items.idr())))
}

pub(super) fn save_discount(
    c: &Connection,
    seller_id: &str,
    min_items: Rupiah,
    amount: Rupiah,
) -> Result<(), Error> {
    if amount == Rupiah::ZERO {
        c.execute(
            "DELETE FROM seller_discounts WHERE seller_id = ?1 AND min_items_idr = ?2",
            params![seller_id, min_items.idr()],
        )
        .map_err(StoreError::from)?;
    } else {
        c.execute(
            "INSERT INTO seller_discounts (seller_id, min_items_idr, amount_idr) VALUES (?1, ?2, ?3)
             ON CONFLICT (seller_id, min_items_idr) DO UPDATE SET amount_idr = excluded.amount_idr",
            params![seller_id, min_items.idr(), amount.idr()],
        )
        .map_err(StoreError::from)?;
    }
    Ok(())
}

/// The seller's transfers still waiting for money, so a new kode unik can differ.
pub(super) fn open_transfer_totals(c: &Connection, seller_id: &str) -> Result<Vec<Rupiah>, Error> {
    Ok(c
        .prepare_cached(
            "SELECT total_idr FROM orders WHERE seller_id = ?1 AND status = 'awaiting_payment' AND kode_unik_idr > 0",
        )
        .map_err(StoreError::from)?
        .query_map([seller_id], |r| r.get::<_, i64>(0).map(Rupiah::new))
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(StoreError::from)?)
}

/// Replaces an order and its history with the server's version (a pull). The phone's
/// own reservation bookkeeping is dropped: the server holds the stock now.
pub(crate) fn replace(c: &Connection, o: &Order, history: &[OrderEvent]) -> Result<(), Error> {
    for sql in [
        "DELETE FROM order_events WHERE order_id = ?1",
        "DELETE FROM order_items WHERE order_id = ?1",
        "DELETE FROM orders WHERE id = ?1",
    ] {
        c.execute(sql, [&o.id]).map_err(StoreError::from)?;
    }
    let none: Vec<(i64, &'static str)> = vec![(0, ""); o.items.len()];
    insert(c, o, &none)?;
    for e in history {
        add_event(c, &o.id, e)?;
    }
    Ok(())
}

/// Whether the phone has this order at this version or later already.
pub(crate) fn version_of(c: &Connection, id: &str) -> Result<Option<i64>, Error> {
    Ok(c.prepare_cached("SELECT version FROM orders WHERE id = ?1")
        .map_err(StoreError::from)?
        .query_row([id], |r| r.get(0))
        .optional()
        .map_err(StoreError::from)?)
}

/// A seller's ongkir table and discounts (minimum of goods, amount off).
pub type Terms = (Vec<Rate>, Vec<(Rupiah, Rupiah)>);

/// A seller's whole ongkir table and discounts (for sync).
pub(crate) fn terms_of(c: &Connection, seller_id: &str) -> Result<Terms, StoreError> {
    let mut rates = Vec::new();
    let mut stmt = c.prepare_cached(
        "SELECT courier, service, destination, first_kg_idr, next_kg_idr FROM shipping_rates
         WHERE seller_id = ?1 ORDER BY courier, service, destination",
    )?;
    let rows = stmt.query_map([seller_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (courier, service, destination, first, next) = row?;
        if let Some(courier) = Courier::from_code(&courier) {
            rates.push(Rate {
                courier,
                service,
                destination,
                first_kg: Rupiah::new(first),
                next_kg: Rupiah::new(next),
            });
        }
    }
    let mut stmt = c.prepare_cached(
        "SELECT min_items_idr, amount_idr FROM seller_discounts WHERE seller_id = ?1
         ORDER BY min_items_idr",
    )?;
    let discounts = stmt
        .query_map([seller_id], |r| {
            Ok((Rupiah::new(r.get(0)?), Rupiah::new(r.get(1)?)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rates, discounts))
}

/// A seller's commission rule for promoters, if they run any.
pub(crate) fn commission_of(
    c: &Connection,
    seller_id: &str,
) -> Result<Option<crate::sync::wire::CommissionDoc>, StoreError> {
    let rule: Option<String> = c
        .prepare_cached("SELECT rule FROM seller_commission WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?;
    // Written only by `set_commission`: unreadable reads as none.
    Ok(rule.and_then(|r| serde_json::from_slice(r.as_bytes()).ok()))
}

/// Sets (or with `None` removes) a seller's commission rule.
pub(crate) fn set_commission(
    c: &Connection,
    seller_id: &str,
    rule: Option<crate::sync::wire::CommissionDoc>,
) -> Result<(), StoreError> {
    match rule {
        Some(rule) => c.execute(
            "INSERT INTO seller_commission (seller_id, rule) VALUES (?1, ?2)
             ON CONFLICT (seller_id) DO UPDATE SET rule = excluded.rule",
            params![seller_id, serde_json::to_string(&rule).unwrap_or_default()],
        )?,
        None => c.execute(
            "DELETE FROM seller_commission WHERE seller_id = ?1",
            [seller_id],
        )?,
    };
    Ok(())
}

/// Replaces a seller's ongkir table and discounts with the server's (for sync).
pub(crate) fn replace_terms(
    c: &Connection,
    seller_id: &str,
    rates: &[Rate],
    discounts: &[(Rupiah, Rupiah)],
) -> Result<(), Error> {
    c.execute(
        "DELETE FROM shipping_rates WHERE seller_id = ?1",
        [seller_id],
    )
    .map_err(StoreError::from)?;
    c.execute(
        "DELETE FROM seller_discounts WHERE seller_id = ?1",
        [seller_id],
    )
    .map_err(StoreError::from)?;
    for rate in rates {
        save_rate(c, seller_id, rate)?;
    }
    for (min_items, amount) in discounts {
        save_discount(c, seller_id, *min_items, *amount)?;
    }
    Ok(())
}
