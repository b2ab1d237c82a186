//! Chat orders over the phone's own store: the catalog of a community market (or a
//! seller's shop) read for chat, kept while the catalog does not change; a pasted
//! message read as a draft order; an export read into every buyer's order and the rekap.

use super::buyers::{BuyerOrder, ChatOrders, ChatTally};
use super::order::{ChatCatalog, ParsedMessage, parse_message};
use crate::Result;
use crate::store::{Database, StoreError};
use rusqlite::params;
use std::sync::{Arc, Mutex};

/// Whose products a chat's orders are matched against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChatScope {
    /// The products listed in a community market.
    Group(String),
    /// A seller's own shop.
    Seller(String),
    /// Everything on the phone.
    All,
}

/// The catalog last read for chat, and what it was read from.
struct Cached {
    scope: ChatScope,
    /// (products, newest change): the catalog is read again when either moves.
    stamp: (i64, i64),
    catalog: Arc<ChatCatalog>,
}

/// Orders and the rekap from what the export held.
pub struct ExportOrders {
    pub orders: Vec<BuyerOrder>,
    pub tally: ChatTally,
    pub catalog: Arc<ChatCatalog>,
}

#[derive(Clone)]
pub struct Chats {
    db: Arc<Database>,
    cache: Arc<Mutex<Option<Cached>>>,
}

const SCOPE_FILTER: &str = "p.archived = 0 AND (
    (?1 = 'group' AND p.id IN (SELECT product_id FROM group_listings WHERE group_id = ?2))
    OR (?1 = 'seller' AND p.seller_id = ?2) OR ?1 = 'all')";

fn scope_params(scope: &ChatScope) -> (&'static str, &str) {
    match scope {
        ChatScope::Group(id) => ("group", id),
        ChatScope::Seller(id) => ("seller", id),
        ChatScope::All => ("all", ""),
    }
}

impl Chats {
    pub(crate) fn new(db: Arc<Database>) -> Chats {
        Chats {
            db,
            cache: Arc::new(Mutex::new(None)),
        }
    }

    /// The scope's catalog, read for chat; reused until a product in it changes.
    pub fn catalog_blocking(&self, scope: &ChatScope) -> Result<Arc<ChatCatalog>> {
        let (kind, id) = scope_params(scope);
        let stamp: (i64, i64) = self.db.read(|c| {
            c.query_row(
                &format!(
                    "SELECT count(*), coalesce(max(p.updated_at), 0) FROM products p WHERE {SCOPE_FILTER}"
                ),
                params![kind, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(StoreError::from)
        })?;
        if let Ok(cache) = self.cache.lock()
            && let Some(c) = cache.as_ref()
            && c.scope == *scope
            && c.stamp == stamp
        {
            return Ok(Arc::clone(&c.catalog));
        }
        let products = self.db.read(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT p.id FROM products p WHERE {SCOPE_FILTER} ORDER BY p.id"
                ))
                .map_err(StoreError::from)?;
            let ids: Vec<String> = stmt
                .query_map(params![kind, id], |r| r.get(0))
                .map_err(StoreError::from)?
                .collect::<rusqlite::Result<_>>()
                .map_err(StoreError::from)?;
            crate::catalog::store::get_many(c, &ids)
        })?;
        let catalog = Arc::new(ChatCatalog::from_products(&products));
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some(Cached {
                scope: scope.clone(),
                stamp,
                catalog: Arc::clone(&catalog),
            });
        }
        Ok(catalog)
    }

    /// Reads a pasted message against the scope's catalog.
    pub fn parse_blocking(
        &self,
        scope: &ChatScope,
        text: &str,
    ) -> Result<(ParsedMessage, Arc<ChatCatalog>)> {
        let catalog = self.catalog_blocking(scope)?;
        Ok((parse_message(text, &catalog), catalog))
    }

    /// Reads a WhatsApp export (its bytes, as shared to the app) into every buyer's
    /// order. Text that is not UTF-8 is read with replacement characters, never refused.
    pub fn read_export_blocking(
        &self,
        scope: &ChatScope,
        export: &[u8],
        admins: Vec<String>,
    ) -> Result<ExportOrders> {
        let catalog = self.catalog_blocking(scope)?;
        let reader = super::export::ExportReader::new(export)
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        let mut orders = ChatOrders::new(&catalog).with_admins(admins);
        for m in reader {
            let m = m.map_err(|e| crate::Error::Internal(e.to_string()))?;
            orders.feed_export(&m);
        }
        let tally = orders.tally();
        let orders = orders.into_orders();
        Ok(ExportOrders {
            orders,
            tally,
            catalog,
        })
    }
}
