//! The catalog: products sellers list and buyers browse.

mod product;
pub mod search;
mod store;
pub mod unit;

pub(crate) use product::check_id;
pub use product::{
    NewProduct, NewVariant, PhotoRef, PriceInput, Product, ProductPatch, Stock, Variant,
    VariantOption, VariantsInput,
};
pub use search::{Filters, SearchPage, SearchRequest, Sort};
pub use store::{PAGE_DEFAULT, PAGE_MAX, Page, PageRequest};

use crate::Result;
use crate::observe::{Observers, Subscription};
use crate::store::Database;
use std::path::PathBuf;
use std::sync::Arc;

/// Something changed in the catalog. Sent to listeners after the change is committed.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogEvent {
    ProductSaved(Product),
}

/// The catalog service handed out by [`crate::Pasar::catalog`].
#[derive(Clone)]
pub struct Catalog {
    db: Arc<Database>,
    /// Where prepared photo files are kept (`<data>/photos/<hash>.<ext>`).
    data_dir: PathBuf,
    observers: Arc<Observers<CatalogEvent>>,
    search: Arc<search::SearchState>,
}

impl Catalog {
    pub(crate) fn new(db: Arc<Database>, data_dir: PathBuf) -> Self {
        Catalog {
            db,
            data_dir,
            observers: Arc::new(Observers::default()),
            search: Arc::new(search::SearchState::default()),
        }
    }

    /// Validates and saves a new product; its id is made here, on the device.
    pub async fn create_product(&self, new: NewProduct) -> Result<Product> {
        let this = self.clone();
        crate::pasar::blocking(move || this.create_product_blocking(new)).await
    }

    pub fn create_product_blocking(&self, new: NewProduct) -> Result<Product> {
        let product = new.validate(&mut crate::id::new_id, crate::time::now_ms())?;
        let product = self.db.write(|tx| {
            let seller = product.seller_id.as_deref().unwrap_or_default();
            if !crate::account::exists(tx, seller)? {
                return Err(crate::Error::NotFound {
                    thing: crate::error::Thing::Seller,
                    id: seller.to_owned(),
                });
            }
            store::insert(tx, &product)?;
            store::get(tx, &product.id)
        })?;
        self.search.invalidate_vocabulary();
        self.observers
            .notify(&CatalogEvent::ProductSaved(product.clone()));
        Ok(product)
    }

    /// Changes the given fields of a product; fields left `None` keep their value.
    pub async fn update_product(&self, id: String, patch: ProductPatch) -> Result<Product> {
        let this = self.clone();
        crate::pasar::blocking(move || this.update_product_blocking(&id, patch)).await
    }

    pub fn update_product_blocking(&self, id: &str, patch: ProductPatch) -> Result<Product> {
        check_id("id", id)?;
        let product = self.db.write(|tx| {
            let current = store::get(tx, id)?;
            let updated = patch.apply(current, &mut crate::id::new_id, crate::time::now_ms())?;
            store::update(tx, &updated)?;
            store::get(tx, id)
        })?;
        self.search.invalidate_vocabulary();
        self.observers
            .notify(&CatalogEvent::ProductSaved(product.clone()));
        Ok(product)
    }

    pub async fn get_product(&self, id: String) -> Result<Product> {
        let this = self.clone();
        crate::pasar::blocking(move || this.get_product_blocking(&id)).await
    }

    pub fn get_product_blocking(&self, id: &str) -> Result<Product> {
        check_id("id", id)?;
        self.db.read(|c| store::get(c, id))
    }

    /// One page of active products, newest first. Paging is by keyset, so a product
    /// added while the buyer scrolls never shifts or repeats what comes next.
    pub async fn list_products(&self, request: PageRequest) -> Result<Page<Product>> {
        let this = self.clone();
        crate::pasar::blocking(move || this.list_products_blocking(&request)).await
    }

    pub fn list_products_blocking(&self, request: &PageRequest) -> Result<Page<Product>> {
        let request = request.validate()?;
        self.db.read(|c| store::list(c, &request))
    }

    /// Searches the catalog offline: typos, abbreviations, variants and synonyms
    /// tolerated; filters, sort and pages that stay stable while the catalog changes.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchPage> {
        let this = self.clone();
        crate::pasar::blocking(move || this.search_blocking(&request)).await
    }

    pub fn search_blocking(&self, request: &SearchRequest) -> Result<SearchPage> {
        self.db.read(|c| search::search(c, &self.search, request))
    }

    /// Calls `listener` after every committed change, until the subscription is dropped.
    pub fn observe(
        &self,
        listener: impl Fn(&CatalogEvent) + Send + Sync + 'static,
    ) -> Subscription {
        self.observers.subscribe(listener)
    }
}

#[cfg(test)]
mod tests;
