//! The catalog: products sellers list and buyers browse.

pub mod import;
mod product;
pub mod search;
pub(crate) mod store;
pub mod trade;
pub mod unit;

pub(crate) use product::check_id;

/// A product read inside another service's transaction (the cart, orders).
pub(crate) fn get_product_in(c: &rusqlite::Connection, id: &str) -> Result<Product> {
    store::get(c, id)
}
pub use product::{
    NewProduct, NewVariant, PRICE_MAX_IDR, PhotoRef, PriceInput, Product, ProductPatch, STOCK_MAX,
    Stock, Trade, Variant, VariantOption, VariantsInput,
};
pub use search::{Filters, SearchPage, SearchRequest, Sort};
pub use store::{PAGE_DEFAULT, PAGE_MAX, Page, PageRequest};

use crate::Result;
use crate::observe::{Observers, Subscription};
use crate::store::Database;
use rusqlite::OptionalExtension;
use std::path::PathBuf;
use std::sync::Arc;

/// Something changed in the catalog. Sent to listeners after the change is committed.
// One event per write, handed out by reference: boxing the product would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogEvent {
    ProductSaved(Product),
    /// A catalog file was imported (one event, not one per product).
    Imported {
        created: usize,
        updated: usize,
    },
}

/// The folder of prepared photos inside the data folder.
pub const PHOTO_DIR: &str = "photos";

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader (or a
/// crash) never sees half a photo.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| crate::store::StoreError::from(e).into())
}

/// The formats [`Catalog::import_file`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Json,
    Csv,
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
    /// A product just committed: the search's cache and the listeners hear of it.
    fn saved(&self, product: Product) -> Product {
        self.search.note_written(&product);
        self.observers
            .notify(&CatalogEvent::ProductSaved(product.clone()));
        product
    }

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
            let saved = store::get(tx, &product.id)?;
            crate::sync::outbox::product_saved(tx, None, &saved)?;
            Ok::<_, crate::Error>(saved)
        })?;
        Ok(self.saved(product))
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
            let updated = patch.apply(
                current.clone(),
                &mut crate::id::new_id,
                crate::time::now_ms(),
            )?;
            store::update(tx, &updated)?;
            let saved = store::get(tx, id)?;
            crate::sync::outbox::product_saved(tx, Some(&current), &saved)?;
            Ok::<_, crate::Error>(saved)
        })?;
        Ok(self.saved(product))
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

    /// Takes a photo from the camera or gallery and keeps it for listing: decoded,
    /// turned upright, resized to 1280 px and a 320 px thumbnail, compressed, every bit of
    /// metadata (GPS!) stripped. Stored by content address in the data folder and queued
    /// for upload. The same photo twice is stored once.
    pub async fn add_photo(&self, bytes: Vec<u8>) -> Result<PhotoRef> {
        let this = self.clone();
        crate::pasar::blocking(move || this.add_photo_blocking(&bytes)).await
    }

    pub fn add_photo_blocking(&self, bytes: &[u8]) -> Result<PhotoRef> {
        let prepared = crate::media::prepare_photo(bytes)?;
        let photo = PhotoRef {
            hash: prepared.content_hash.clone(),
            mime: prepared.photo_mime.to_owned(),
            width: prepared.width,
            height: prepared.height,
            thumb_mime: prepared.thumbnail_mime.to_owned(),
            thumb_width: prepared.thumb_width,
            thumb_height: prepared.thumb_height,
            blurhash: prepared.blurhash.clone(),
        };
        // Files first, then the row: a crash in between leaves a file the next add of
        // the same photo reuses, never a row without its file.
        let dir = self.data_dir.join(PHOTO_DIR);
        std::fs::create_dir_all(&dir).map_err(crate::store::StoreError::from)?;
        write_atomically(&self.photo_path(&photo, false), &prepared.photo)?;
        write_atomically(&self.photo_path(&photo, true), &prepared.thumbnail)?;
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO photos (hash, mime, width, height, thumb_mime, thumb_width, thumb_height,
                                     blurhash, bytes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (hash) DO NOTHING",
                rusqlite::params![
                    photo.hash,
                    photo.mime,
                    photo.width,
                    photo.height,
                    photo.thumb_mime,
                    prepared.thumb_width,
                    prepared.thumb_height,
                    photo.blurhash,
                    i64::try_from(prepared.photo.len()).unwrap_or(i64::MAX),
                    crate::time::now_ms()
                ],
            )
            .map_err(crate::store::StoreError::from)?;
            Ok::<_, crate::Error>(())
        })?;
        Ok(photo)
    }

    /// Where a prepared photo (or its thumbnail) is on this phone.
    pub fn photo_path(&self, photo: &PhotoRef, thumbnail: bool) -> PathBuf {
        self.data_dir.join(photo.relative_path(thumbnail))
    }

    /// Drops a photo no product uses (a listing form abandoned): out of the upload queue,
    /// its files deleted. A photo a product still shows is refused.
    pub async fn discard_photo(&self, hash: String) -> Result<()> {
        let this = self.clone();
        crate::pasar::blocking(move || this.discard_photo_blocking(&hash)).await
    }

    pub fn discard_photo_blocking(&self, hash: &str) -> Result<()> {
        let valid = hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit());
        if !valid {
            return Err(crate::error::ValidationError::new(
                "photo",
                crate::error::Problem::MalformedId,
            )
            .into());
        }
        let removed = self.db.write(|tx| {
            let used: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM product_photos WHERE photo_hash = ?1)",
                    [hash],
                    |r| r.get(0),
                )
                .map_err(crate::store::StoreError::from)?;
            if used {
                return Err(crate::error::ValidationError::new(
                    "photo",
                    crate::error::Problem::InUse,
                )
                .into());
            }
            let row: Option<(String, String)> = tx
                .query_row(
                    "SELECT mime, thumb_mime FROM photos WHERE hash = ?1",
                    [hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(crate::store::StoreError::from)?;
            tx.execute("DELETE FROM photos WHERE hash = ?1", [hash])
                .map_err(crate::store::StoreError::from)?;
            Ok::<_, crate::Error>(row)
        })?;
        let Some((mime, thumb_mime)) = removed else {
            return Err(crate::Error::NotFound {
                thing: crate::error::Thing::Photo,
                id: hash.to_owned(),
            });
        };
        // After the commit: a file left behind by a crash here is only disk, never a
        // row pointing at nothing.
        let photo = PhotoRef {
            hash: hash.to_owned(),
            mime,
            width: 0,
            height: 0,
            thumb_mime,
            thumb_width: 0,
            thumb_height: 0,
            blurhash: String::new(),
        };
        for thumbnail in [false, true] {
            let _ = std::fs::remove_file(self.photo_path(&photo, thumbnail));
        }
        Ok(())
    }

    /// Photos waiting to be uploaded, oldest first.
    pub async fn pending_uploads(&self) -> Result<Vec<PhotoRef>> {
        let this = self.clone();
        crate::pasar::blocking(move || this.pending_uploads_blocking()).await
    }

    pub fn pending_uploads_blocking(&self) -> Result<Vec<PhotoRef>> {
        self.db.read(|c| {
            c.prepare(
                "SELECT hash, mime, width, height, thumb_mime, blurhash, thumb_width, thumb_height
                 FROM photos WHERE uploaded_at IS NULL ORDER BY created_at, hash",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(PhotoRef {
                        hash: r.get(0)?,
                        mime: r.get(1)?,
                        width: r.get(2)?,
                        height: r.get(3)?,
                        thumb_mime: r.get(4)?,
                        blurhash: r.get(5)?,
                        thumb_width: r.get(6)?,
                        thumb_height: r.get(7)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| crate::store::StoreError::from(e).into())
        })
    }

    /// Imports a catalog file (JSON or CSV). Rows name their seller; rows that do not
    /// are the `default_seller`'s (an account id). Products whose file id was imported
    /// before are updated. Bad rows are reported and skipped; the rest is saved in one
    /// transaction.
    pub async fn import_file(
        &self,
        bytes: Vec<u8>,
        format: FileFormat,
        default_seller: Option<String>,
    ) -> Result<import::ImportReport> {
        let this = self.clone();
        crate::pasar::blocking(move || {
            this.import_file_blocking(&bytes, format, default_seller.as_deref())
        })
        .await
    }

    pub fn import_file_blocking(
        &self,
        bytes: &[u8],
        format: FileFormat,
        default_seller: Option<&str>,
    ) -> Result<import::ImportReport> {
        let (rows, errors) = match format {
            FileFormat::Json => import::read_json(bytes)?,
            FileFormat::Csv => import::read_csv(bytes)?,
        };
        if let Some(seller) = default_seller {
            check_id("seller_id", seller)?;
        }
        let mut report = import::ImportReport {
            errors,
            ..Default::default()
        };
        self.db.write(|tx| {
            if let Some(seller) = default_seller
                && !crate::account::exists(tx, seller)?
            {
                return Err(crate::Error::NotFound {
                    thing: crate::error::Thing::Seller,
                    id: seller.to_owned(),
                });
            }
            let now = crate::time::now_ms();
            for (row, data) in rows {
                let id_hint = data.id.clone();
                // A savepoint per row: a row that fails half-way leaves nothing behind.
                tx.execute_batch("SAVEPOINT import_row")
                    .map_err(crate::store::StoreError::from)?;
                match self.import_row(tx, data, default_seller, now) {
                    Ok(created) => {
                        tx.execute_batch("RELEASE import_row")
                            .map_err(crate::store::StoreError::from)?;
                        if created {
                            report.created += 1;
                        } else {
                            report.updated += 1;
                        }
                    }
                    Err(e @ (crate::Error::Validation(_) | crate::Error::NotFound { .. })) => {
                        tx.execute_batch("ROLLBACK TO import_row; RELEASE import_row")
                            .map_err(crate::store::StoreError::from)?;
                        let mut error = import::row_error(row, id_hint, &e);
                        // Name the column as the file does.
                        if format == FileFormat::Json && error.field == "price" {
                            error.field = "price_idr".to_owned();
                        }
                        report.errors.push(error);
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, crate::Error>(())
        })?;
        report.errors.sort_by_key(|e| e.row);
        self.search.invalidate_vocabulary();
        self.observers.notify(&CatalogEvent::Imported {
            created: report.created,
            updated: report.updated,
        });
        Ok(report)
    }

    /// Saves one imported row; `true` if it created a product.
    fn import_row(
        &self,
        tx: &rusqlite::Connection,
        row: import::CatalogRow,
        default_seller: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let seller = match (&row.seller, default_seller) {
            (Some(name), _) => crate::account::Accounts::find_or_create_by_name(tx, name, now)?,
            (None, Some(id)) => id.to_owned(),
            (None, None) => {
                return Err(crate::error::ValidationError::new(
                    "seller_id",
                    crate::error::Problem::Required,
                )
                .into());
            }
        };
        let existing = match &row.id {
            Some(source) => store::find_by_source_id(tx, source)?,
            None => None,
        };
        match existing {
            Some(id) => {
                let current = store::get(tx, &id)?;
                let updated =
                    row.into_patch()
                        .apply(current.clone(), &mut crate::id::new_id, now)?;
                store::update(tx, &updated)?;
                crate::sync::outbox::product_saved(tx, Some(&current), &updated)?;
                Ok(false)
            }
            None => {
                let product = row.into_new(seller).validate(&mut crate::id::new_id, now)?;
                store::insert(tx, &product)?;
                crate::sync::outbox::product_saved(tx, None, &product)?;
                Ok(true)
            }
        }
    }

    /// Products that arrived by sync (already committed): search learns their words
    /// and screens hear of them.
    pub(crate) fn notify_synced(&self, products: &[Product]) {
        if products.is_empty() {
            return;
        }
        for p in products {
            self.search.note_written(p);
            self.observers
                .notify(&CatalogEvent::ProductSaved(p.clone()));
        }
    }

    /// Every active product as a JSON catalog file.
    pub async fn export_json(&self) -> Result<String> {
        let this = self.clone();
        crate::pasar::blocking(move || this.export_json_blocking()).await
    }

    pub fn export_json_blocking(&self) -> Result<String> {
        self.db.read(|c| {
            let ids: Vec<String> = c
                .prepare("SELECT id FROM products WHERE archived = 0 ORDER BY id")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(crate::store::StoreError::from)?;
            let mut rows = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(500) {
                for p in store::get_many(c, chunk)? {
                    let seller = match &p.seller_id {
                        Some(id) => crate::account::get(c, id).ok().map(|a| a.name),
                        None => None,
                    };
                    rows.push((p, seller));
                }
            }
            Ok(import::to_json(&rows))
        })
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
