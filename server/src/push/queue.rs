//! The push queue: pushes are written in the transaction of the change they tell of,
//! so a change that rolls back queues nothing and one that commits cannot lose its
//! push to a crash; [`super::worker`] sends them afterwards.
//!
//! A push is a hint (kind, order id, status, version; keys from
//! [`pasar_core::sync::wire::hint`]), never the order: the phone pulls the order itself.
//! One row per device and order ([`collapse_key`]): a newer move of an order replaces
//! an older one still waiting, so a phone that was offline hears of the latest state
//! once instead of replaying every step.

use crate::store::sql::{SqlTx, Value};
use crate::store::{Store, StoreError};
use pasar_core::sync::notice::collapse_key;
use pasar_core::sync::wire::{OrderDoc, hint};
use std::collections::BTreeMap;

/// How long a push is worth sending: a phone offline for a day syncs when it comes
/// back anyway, and the services keep a message that long for an offline device.
pub(crate) const TTL_MS: i64 = 24 * 3600 * 1000;

/// Queues a push of `order`'s new state for every device of its buyer, seller and
/// partner (and promoter, see below),
/// except those of `actor_id` (who made the move and needs no telling; `None`, a move
/// by the system, tells both).
pub(crate) fn enqueue_order(
    tx: &mut dyn SqlTx,
    order: &OrderDoc,
    actor_id: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let mut parties = vec![order.buyer.id.as_str()];
    // The partner packs and ships it; the promoter hears when it is placed and when
    // their commission is settled (completed or cancelled), not of every step between.
    let settled = matches!(order.status.as_str(), "completed" | "cancelled");
    let others = [
        Some(order.seller.id.as_str()),
        order.partner.as_ref().map(|p| p.id.as_str()),
        order
            .promoter
            .as_ref()
            .filter(|p| !p.id.is_empty() && (order.version == 1 || settled))
            .map(|p| p.id.as_str()),
    ];
    for party in others.into_iter().flatten() {
        if !parties.contains(&party) {
            parties.push(party);
        }
    }
    let data: BTreeMap<&str, String> = [
        (hint::KIND, "order".to_owned()),
        (hint::ORDER, order.id.clone()),
        (hint::STATUS, order.status.clone()),
        (hint::VERSION, order.version.to_string()),
    ]
    .into_iter()
    .collect();
    let data = serde_json::to_string(&data).map_err(|e| StoreError::new(e.to_string()))?;
    let key = collapse_key(&order.id);
    // Every move of an order is something a person waits on (a new order to pack, a
    // parcel on its way, a cancellation): all are visible and wake the phone now.
    let (alert, urgent) = (1_i64, 1_i64);
    for party in parties.into_iter().filter(|p| Some(*p) != actor_id) {
        let devices = tx.query(
            // In device order, as the worker claims rows of one moment: two
            // transactions taking the same rows in one order cannot deadlock.
            "SELECT device_id FROM push_devices WHERE account_id = ?1 ORDER BY device_id",
            &[party.into()],
        )?;
        for device in devices
            .into_iter()
            .filter_map(|row| row.into_iter().next().and_then(Value::into_text))
        {
            // A waiting push of the same order is replaced whole, under a new id: a
            // sender still busy with the old one then leaves the new one alone.
            tx.execute(
                "INSERT INTO push_queue (id, device_id, collapse_key, data, alert, urgent,
                                         created_at, expires_at, due_at, attempts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, 0)
                 ON CONFLICT (device_id, collapse_key) DO UPDATE SET
                    id = excluded.id, data = excluded.data, alert = excluded.alert,
                    urgent = excluded.urgent, created_at = excluded.created_at,
                    expires_at = excluded.expires_at, due_at = excluded.due_at,
                    attempts = 0",
                &[
                    new_id()?.into(),
                    device.into(),
                    key.as_str().into(),
                    data.as_str().into(),
                    alert.into(),
                    urgent.into(),
                    now.into(),
                    (now + TTL_MS).into(),
                ],
            )?;
        }
    }
    Ok(())
}

/// Deletes pushes past their time. The worker drops those it finds; this catches
/// what no worker will (a server with no push service configured still queues for
/// registered phones). Run by the periodic cleanup.
pub(crate) async fn purge_expired(store: &Store, now: i64) -> Result<u64, StoreError> {
    store
        .transaction(move |tx| {
            tx.execute(
                "DELETE FROM push_queue WHERE expires_at <= ?1",
                &[now.into()],
            )
        })
        .await
}

/// 128 random bits in hex.
pub(crate) fn new_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::new(format!("getrandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Database;
    use pasar_core::sync::wire::ProfileDoc;

    fn party(id: &str) -> ProfileDoc {
        ProfileDoc {
            id: id.into(),
            name: id.into(),
            phone: None,
        }
    }

    fn order(status: &str, version: i64) -> OrderDoc {
        OrderDoc {
            id: "o1".into(),
            number: "PSR-1".into(),
            checkout_id: "c1".into(),
            buyer: party("buyer"),
            seller: party("seller"),
            status: status.into(),
            payment: "cod".into(),
            delivery: "pickup".into(),
            address: None,
            courier: None,
            service: None,
            resi: None,
            items: vec![],
            items_idr: 0,
            ongkir_idr: 0,
            kode_unik_idr: 0,
            discount_idr: 0,
            total_idr: 0,
            note: String::new(),
            cancel_reason: None,
            expires_at: None,
            created_at: 0,
            updated_at: 0,
            version,
            events: vec![],
            promoter: None,
            partner: None,
            supply: None,
            packed_at: None,
        }
    }

    /// A store with a buyer (two devices) and a seller (one).
    async fn store() -> Store {
        let store = Store::open(&Database::Memory).await.expect("store");
        store
            .transaction(|tx| {
                for (account, phone) in [("buyer", "+621"), ("seller", "+622")] {
                    tx.execute(
                        "INSERT INTO accounts (id, phone, created_at) VALUES (?1, ?2, 0)",
                        &[account.into(), phone.into()],
                    )?;
                }
                for (device, account) in [("b1", "buyer"), ("b2", "buyer"), ("s1", "seller")] {
                    tx.execute(
                        "INSERT INTO push_devices (device_id, account_id, platform, token,
                            app_version, lang, updated_at)
                         VALUES (?1, ?2, 'fcm', ?1, '1', 'id', 0)",
                        &[device.into(), account.into()],
                    )?;
                }
                Ok::<_, StoreError>(())
            })
            .await
            .expect("accounts");
        store
    }

    async fn queued(store: &Store) -> Vec<(String, String, i64)> {
        store
            .read(|tx| {
                let rows = tx.query(
                    "SELECT device_id, data, expires_at FROM push_queue ORDER BY device_id",
                    &[],
                )?;
                Ok::<_, StoreError>(
                    rows.into_iter()
                        .map(|r| {
                            let mut r = r.into_iter();
                            (
                                r.next().and_then(Value::into_text).unwrap_or_default(),
                                r.next().and_then(Value::into_text).unwrap_or_default(),
                                r.next().and_then(|v| v.int()).unwrap_or_default(),
                            )
                        })
                        .collect(),
                )
            })
            .await
            .expect("read")
    }

    #[tokio::test]
    async fn the_other_party_hears_the_latest_move_once() {
        let store = store().await;
        store
            .transaction(|tx| enqueue_order(tx, &order("processing", 1), Some("buyer"), 1_000))
            .await
            .expect("place");
        let q = queued(&store).await;
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].0, "s1");
        assert_eq!(q[0].1, r#"{"o":"o1","s":"processing","t":"order","v":"1"}"#);
        assert_eq!(q[0].2, 1_000 + TTL_MS);
        // Two moves by the seller before any send: one push per buyer device, the
        // latest.
        for (status, version) in [("shipped", 2), ("delivered", 3)] {
            store
                .transaction(move |tx| {
                    enqueue_order(tx, &order(status, version), Some("seller"), 2_000)
                })
                .await
                .expect("move");
        }
        let q = queued(&store).await;
        let buyers: Vec<_> = q.iter().filter(|r| r.0.starts_with('b')).collect();
        assert_eq!(buyers.len(), 2, "{q:?}");
        assert!(buyers.iter().all(|r| r.1.contains(r#""s":"delivered""#)));
        assert!(buyers.iter().all(|r| r.1.contains(r#""v":"3""#)));
        // A move by the system tells both.
        store
            .transaction(|tx| enqueue_order(tx, &order("cancelled", 4), None, 3_000))
            .await
            .expect("expire");
        assert_eq!(queued(&store).await.len(), 3);
    }

    #[tokio::test]
    async fn a_rolled_back_change_queues_nothing() {
        let store = store().await;
        let failed = store
            .transaction(|tx| {
                enqueue_order(tx, &order("shipped", 2), Some("seller"), 1_000)?;
                Err::<(), _>(StoreError::new("the change failed after queueing"))
            })
            .await;
        assert!(failed.is_err());
        assert!(queued(&store).await.is_empty());
    }

    #[tokio::test]
    async fn expired_pushes_are_purged() {
        let store = store().await;
        store
            .transaction(|tx| enqueue_order(tx, &order("shipped", 2), Some("seller"), 0))
            .await
            .expect("move");
        assert_eq!(purge_expired(&store, TTL_MS - 1).await.expect("purge"), 0);
        assert_eq!(purge_expired(&store, TTL_MS).await.expect("purge"), 2);
    }
}
