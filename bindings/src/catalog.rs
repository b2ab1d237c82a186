//! The catalog service and its records, converted to and from `pasar_core::catalog`.

use crate::PasarError;
use pasar_core::catalog as core;
use pasar_core::observe::Subscription;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Stock {
    Unlimited,
    Limited { count: i64 },
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub description: String,
    pub price_idr: i64,
    /// The price as the screen shows it: `"Rp25.000"`.
    pub price_label: String,
    pub stock: Stock,
    pub archived: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewProduct {
    pub name: String,
    #[uniffi(default = "")]
    pub description: String,
    pub price_idr: i64,
    pub stock: Stock,
}

/// Fields left null keep their value.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct ProductPatch {
    #[uniffi(default)]
    pub name: Option<String>,
    #[uniffi(default)]
    pub description: Option<String>,
    #[uniffi(default)]
    pub price_idr: Option<i64>,
    #[uniffi(default)]
    pub stock: Option<Stock>,
    #[uniffi(default)]
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// Pass to `list_products` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum CatalogEvent {
    ProductSaved { product: Product },
}

/// Implemented by the apps to hear about catalog changes. Called after each committed
/// change, on a background thread: hand the event over and return quickly.
#[uniffi::export(callback_interface)]
pub trait CatalogListener: Send + Sync {
    fn on_event(&self, event: CatalogEvent);
}

/// Keeps a listener registered. Dropping it (Swift), closing it (Kotlin) or calling
/// `cancel` stops the listener.
#[derive(uniffi::Object)]
pub struct ListenerHandle {
    subscription: Mutex<Option<Subscription>>,
}

#[uniffi::export]
impl ListenerHandle {
    pub fn cancel(&self) {
        let taken = self
            .subscription
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        drop(taken);
    }
}

#[derive(uniffi::Object)]
pub struct CatalogService {
    inner: core::Catalog,
}

impl CatalogService {
    pub(crate) fn new(inner: core::Catalog) -> Self {
        CatalogService { inner }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl CatalogService {
    pub async fn create_product(&self, product: NewProduct) -> Result<Product, PasarError> {
        Ok(self.inner.create_product(product.into()).await?.into())
    }

    pub async fn update_product(
        &self,
        id: String,
        patch: ProductPatch,
    ) -> Result<Product, PasarError> {
        Ok(self.inner.update_product(id, patch.into()).await?.into())
    }

    pub async fn get_product(&self, id: String) -> Result<Product, PasarError> {
        Ok(self.inner.get_product(id).await?.into())
    }

    /// A page of active products, newest first. `limit` 0 means the default (20).
    pub async fn list_products(
        &self,
        after: Option<String>,
        limit: u32,
    ) -> Result<ProductPage, PasarError> {
        let page = self
            .inner
            .list_products(core::PageRequest { after, limit })
            .await?;
        Ok(ProductPage {
            items: page.items.into_iter().map(Product::from).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Starts delivering catalog changes to `listener` until the handle is dropped.
    pub fn observe(&self, listener: Box<dyn CatalogListener>) -> Arc<ListenerHandle> {
        let subscription = self.inner.observe(move |event| {
            listener.on_event(event.clone().into());
        });
        Arc::new(ListenerHandle {
            subscription: Mutex::new(Some(subscription)),
        })
    }
}

impl From<Stock> for core::Stock {
    fn from(s: Stock) -> Self {
        match s {
            Stock::Unlimited => core::Stock::Unlimited,
            Stock::Limited { count } => core::Stock::Limited(count),
        }
    }
}

impl From<core::Stock> for Stock {
    fn from(s: core::Stock) -> Self {
        match s {
            core::Stock::Unlimited => Stock::Unlimited,
            core::Stock::Limited(count) => Stock::Limited { count },
        }
    }
}

impl From<core::Product> for Product {
    fn from(p: core::Product) -> Self {
        Product {
            price_label: p.price.to_string(),
            price_idr: p.price.idr(),
            id: p.id,
            name: p.name,
            description: p.description,
            stock: p.stock.into(),
            archived: p.archived,
            created_at_ms: p.created_at,
            updated_at_ms: p.updated_at,
        }
    }
}

impl From<NewProduct> for core::NewProduct {
    fn from(n: NewProduct) -> Self {
        core::NewProduct {
            name: n.name,
            description: n.description,
            price_idr: n.price_idr,
            stock: n.stock.into(),
        }
    }
}

impl From<ProductPatch> for core::ProductPatch {
    fn from(p: ProductPatch) -> Self {
        core::ProductPatch {
            name: p.name,
            description: p.description,
            price_idr: p.price_idr,
            stock: p.stock.map(Into::into),
            archived: p.archived,
        }
    }
}

impl From<core::CatalogEvent> for CatalogEvent {
    fn from(e: core::CatalogEvent) -> Self {
        match e {
            core::CatalogEvent::ProductSaved(p) => CatalogEvent::ProductSaved { product: p.into() },
        }
    }
}
