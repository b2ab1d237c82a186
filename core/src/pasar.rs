//! The root object: opens the store in a data folder and hands out the services.

use crate::account::Accounts;
use crate::cart::Cart;
use crate::catalog::Catalog;
use crate::chat::Chats;
use crate::group::Groups;
use crate::order::Orders;
use crate::promo::Promoters;
use crate::store::Database;
use crate::sync::{SyncClient, SyncConfig};
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The database file inside the data folder the app gives us.
pub const DATABASE_FILE: &str = "pasar.sqlite3";

pub struct Pasar {
    data_dir: PathBuf,
    db: Arc<Database>,
    /// One sync round at a time per store, whichever client starts it.
    sync_round: Arc<std::sync::Mutex<()>>,
    accounts: Accounts,
    cart: Cart,
    catalog: Catalog,
    chats: Chats,
    groups: Groups,
    orders: Orders,
    promoters: Promoters,
}

impl Pasar {
    /// Opens the store in `data_dir` (created if missing), migrating it if needed.
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self> {
        let data_dir = data_dir.as_ref().to_path_buf();
        let db = Arc::new(Database::open(data_dir.join(DATABASE_FILE))?);
        // After a migration or a new lexicon the search index is rebuilt, once.
        db.write(|tx| crate::catalog::search::index::ensure_current(tx))?;
        Ok(Pasar {
            accounts: Accounts::new(Arc::clone(&db)),
            cart: Cart::new(Arc::clone(&db)),
            catalog: Catalog::new(Arc::clone(&db), data_dir.clone()),
            chats: Chats::new(Arc::clone(&db)),
            groups: Groups::new(Arc::clone(&db)),
            orders: Orders::new(Arc::clone(&db)),
            promoters: Promoters::new(Arc::clone(&db)),
            db,
            sync_round: Arc::default(),
            data_dir,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The buyer's cart, on this phone only.
    pub fn cart(&self) -> &Cart {
        &self.cart
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Checkout, orders and their moves.
    pub fn orders(&self) -> &Orders {
        &self.orders
    }

    /// Chat orders: pasted messages and WhatsApp exports read against a catalog.
    pub fn chat(&self) -> &Chats {
        &self.chats
    }

    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    /// Promoters' codes, links and payouts; the referrals this phone came through.
    pub fn promoters(&self) -> &Promoters {
        &self.promoters
    }

    /// A sync client for this store talking to `config.server_url`.
    pub fn sync(&self, config: SyncConfig) -> SyncClient {
        SyncClient::new(
            Arc::clone(&self.db),
            self.catalog.clone(),
            self.orders.clone(),
            config,
            Arc::clone(&self.sync_round),
        )
    }
}

/// Runs blocking store work off the async executor (on [`crate::background`]'s workers),
/// so a suspend call from Kotlin or an async call from Swift never holds the platform's
/// executor thread while SQLite works.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    crate::background::run(f)
        .await
        .map_err(|p| Error::Internal(format!("background task failed: {}", p.0)))?
}
