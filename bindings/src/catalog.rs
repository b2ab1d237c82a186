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

/// One variant dimension and its values: `Warna: Merah, Biru`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VariantOption {
    pub name: String,
    pub values: Vec<String>,
}

/// One combination of option values (`["Merah", "M"]`), as the product has it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Variant {
    pub id: String,
    /// One value per option, in the order of `Product.options`.
    pub values: Vec<String>,
    /// What one unit of this variant costs: its own price or the product's.
    pub price_idr: i64,
    /// `price_idr` as the screen shows it: `"Rp30.000"`.
    pub price_label: String,
    /// Whether the variant has a price of its own (false: the product's).
    pub own_price: bool,
    /// Null: shares the product's stock.
    pub stock: Option<Stock>,
    pub sku: Option<String>,
}

/// A prepared photo as a product shows it, addressed by the hash of its content.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProductPhoto {
    /// SHA-256 (hex) of the photo.
    pub hash: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// Shown while the photo loads.
    pub blurhash: String,
    /// The photo file, relative to the data folder (`photos/<hash>.jpg`).
    pub file: String,
    /// The thumbnail file, relative to the data folder.
    pub thumbnail_file: String,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Product {
    pub id: String,
    /// The seller's account; null only for products saved before sellers existed.
    pub seller_id: Option<String>,
    pub name: String,
    pub description: String,
    pub price_idr: i64,
    /// The price as the screen shows it: `"Rp25.000"`.
    pub price_label: String,
    /// Lowest to highest price over the variants: `"Rp25.000"` or
    /// `"Rp25.000 – Rp30.000"`.
    pub price_range_label: String,
    /// Canonical selling unit: `"pcs"`, `"kg"`, `"loyang"`...
    pub unit: String,
    /// Weight of one unit in grams, for ongkir; 0 when unknown.
    pub weight_grams: u32,
    pub stock: Stock,
    /// Whether anything can be bought now (the product's or a variant's stock).
    pub in_stock: bool,
    /// Days the seller needs for a pre-order; null for ready stock.
    pub preorder_days: Option<u32>,
    pub category: Option<String>,
    pub options: Vec<VariantOption>,
    /// One per combination of option values; empty without options.
    pub variants: Vec<Variant>,
    pub photos: Vec<ProductPhoto>,
    /// Community groups the product is listed in, besides the seller's own shop.
    pub group_ids: Vec<String>,
    pub archived: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The supplier's terms for resellers, when open to them.
    pub resale: Option<ResaleTerms>,
    /// A reseller's listing: the supplier's product it sells (its stock, shipped by
    /// the supplier).
    pub resale_of: Option<String>,
    /// Units at fulfilment partners' warehouses, apart from `stock` at home.
    pub stock_at: Vec<PartnerStock>,
}

/// A supplier's terms for resellers of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ResaleTerms {
    /// What the supplier earns per unit sold.
    pub supply_price_idr: i64,
    /// The lowest and highest price a reseller may sell at.
    pub min_price_idr: i64,
    pub max_price_idr: i64,
}

/// Stock at one fulfilment partner.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PartnerStock {
    pub partner_id: String,
    pub stock: i64,
}

/// What a seller sets for one combination; combinations not given use the product's
/// price and stock.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewVariant {
    /// One value per option, in the options' order (case and spacing ignored).
    pub values: Vec<String>,
    /// As typed (`"30rb"`); null: the product's price.
    #[uniffi(default)]
    pub price: Option<String>,
    /// Null: shares the product's stock.
    #[uniffi(default)]
    pub stock: Option<Stock>,
    #[uniffi(default)]
    pub sku: Option<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewProduct {
    /// An account saved with `AccountService.save_account`.
    pub seller_id: String,
    pub name: String,
    #[uniffi(default = "")]
    pub description: String,
    /// The price as the seller typed it: `"25rb"`, `"Rp 25.000"`, `"25000"`.
    pub price: String,
    /// As typed (`"btl"`, `"Kilo"`); empty means `"pcs"`.
    #[uniffi(default = "")]
    pub unit: String,
    /// Weight of one unit in grams, for ongkir; 0 when unknown.
    #[uniffi(default = 0)]
    pub weight_grams: u32,
    pub stock: Stock,
    /// Null (or 0) for ready stock.
    #[uniffi(default)]
    pub preorder_days: Option<u32>,
    #[uniffi(default)]
    pub category: Option<String>,
    /// At most two dimensions (warna × ukuran).
    #[uniffi(default)]
    pub options: Vec<VariantOption>,
    /// Overrides for some combinations of `options`.
    #[uniffi(default)]
    pub variants: Vec<NewVariant>,
    /// Hashes of prepared photos, in display order.
    #[uniffi(default)]
    pub photos: Vec<String>,
    #[uniffi(default)]
    pub group_ids: Vec<String>,
}

/// Options and variants are replaced together: a variant only means something against
/// its options. Variants whose values survive keep their ids.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VariantsInput {
    pub options: Vec<VariantOption>,
    #[uniffi(default)]
    pub variants: Vec<NewVariant>,
}

/// Fields left null keep their value.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct ProductPatch {
    #[uniffi(default)]
    pub name: Option<String>,
    #[uniffi(default)]
    pub description: Option<String>,
    /// As typed, like `NewProduct.price`.
    #[uniffi(default)]
    pub price: Option<String>,
    #[uniffi(default)]
    pub unit: Option<String>,
    #[uniffi(default)]
    pub weight_grams: Option<u32>,
    #[uniffi(default)]
    pub stock: Option<Stock>,
    /// 0 turns a pre-order product into ready stock.
    #[uniffi(default)]
    pub preorder_days: Option<u32>,
    /// `""` removes the category.
    #[uniffi(default)]
    pub category: Option<String>,
    /// Replaces the options and variants (an empty `options` removes them).
    #[uniffi(default)]
    pub variants: Option<VariantsInput>,
    /// Replaces the photos.
    #[uniffi(default)]
    pub photos: Option<Vec<String>>,
    /// Replaces the group listings.
    #[uniffi(default)]
    pub group_ids: Option<Vec<String>>,
    #[uniffi(default)]
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// Pass to `list_products` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SearchSort {
    /// Best match first; without words, newest first.
    Relevance,
    PriceLowHigh,
    PriceHighLow,
    Newest,
}

/// A search: the words the buyer typed, filters, order and page.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchQuery {
    /// As typed: typos, abbreviations and filler are the core's to handle. Empty browses.
    #[uniffi(default = "")]
    pub text: String,
    #[uniffi(default)]
    pub group_id: Option<String>,
    #[uniffi(default)]
    pub seller_id: Option<String>,
    #[uniffi(default)]
    pub category: Option<String>,
    #[uniffi(default)]
    pub min_price_idr: Option<i64>,
    #[uniffi(default)]
    pub max_price_idr: Option<i64>,
    #[uniffi(default = false)]
    pub in_stock_only: bool,
    /// Null: relevance.
    #[uniffi(default)]
    pub sort: Option<SearchSort>,
    /// `next_cursor` of the previous page.
    #[uniffi(default)]
    pub after: Option<String>,
    /// 0: the default (20).
    #[uniffi(default = 0)]
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SearchResults {
    pub items: Vec<Product>,
    pub next_cursor: Option<String>,
    /// How many products match a text search (at most 1000); null when browsing.
    pub total: Option<u32>,
    /// The words as understood, corrections applied ("donat coklat"); empty when browsing.
    pub understood: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CatalogFileFormat {
    Json,
    Csv,
}

/// A row of a catalog file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportRowError {
    /// 1-based: the element of a JSON array, the line of a CSV file.
    pub row: u32,
    pub id: Option<String>,
    pub field: String,
    pub indonesian: String,
    pub english: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    pub created: u32,
    pub updated: u32,
    pub errors: Vec<ImportRowError>,
}

// Crosses the FFI by value, serialised: boxing the product would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum CatalogEvent {
    ProductSaved {
        product: Product,
    },
    /// A catalog file was imported: one event for the whole file, not one per product.
    Imported {
        created: u32,
        updated: u32,
    },
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

impl ListenerHandle {
    /// Wraps a core subscription (any service's listener: catalog, orders).
    pub(crate) fn new(subscription: Subscription) -> Arc<Self> {
        Arc::new(ListenerHandle {
            subscription: Mutex::new(Some(subscription)),
        })
    }
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

#[uniffi::export]
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

    /// The supplier opens product `id` to resellers on `terms` (null closes it).
    pub async fn open_for_resale(
        &self,
        id: String,
        terms: Option<ResaleTerms>,
    ) -> Result<Product, PasarError> {
        let catalog = self.inner.clone();
        let terms = terms.map(|t| core::trade::ResaleTerms {
            supply_price: pasar_core::Rupiah::new(t.supply_price_idr),
            min_price: pasar_core::Rupiah::new(t.min_price_idr),
            max_price: pasar_core::Rupiah::new(t.max_price_idr),
        });
        Ok(
            crate::blocking(move || catalog.open_for_resale_blocking(&id, terms))
                .await?
                .into(),
        )
    }

    /// `reseller_id` lists the supplier's `source_id` in their shop (and `group_ids`)
    /// at `price_idr`, within the supplier's bounds (`Validation` on `price` outside).
    pub async fn resell(
        &self,
        source_id: String,
        reseller_id: String,
        price_idr: i64,
        group_ids: Vec<String>,
    ) -> Result<Product, PasarError> {
        let catalog = self.inner.clone();
        Ok(crate::blocking(move || {
            catalog.resell_blocking(
                &source_id,
                &reseller_id,
                pasar_core::Rupiah::new(price_idr),
                group_ids,
            )
        })
        .await?
        .into())
    }

    /// Keeps `units` of product `id` at `partner_id`'s warehouse (0 takes them back).
    /// Courier orders the warehouse holds whole go to the partner to pack and ship.
    pub async fn assign_stock(
        &self,
        id: String,
        partner_id: String,
        units: i64,
    ) -> Result<Product, PasarError> {
        let catalog = self.inner.clone();
        Ok(
            crate::blocking(move || catalog.assign_stock_blocking(&id, &partner_id, units))
                .await?
                .into(),
        )
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

    /// Searches the catalog on the phone, offline.
    pub async fn search(&self, query: SearchQuery) -> Result<SearchResults, PasarError> {
        let page = self.inner.search(query.into()).await?;
        Ok(SearchResults {
            items: page.items.into_iter().map(Product::from).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            understood: page.understood,
        })
    }

    /// A photo from the camera or gallery (JPEG, PNG or WebP bytes), made ready for
    /// listing: upright, resized, compressed, metadata (GPS) stripped, queued for upload.
    pub async fn add_photo(&self, bytes: Vec<u8>) -> Result<ProductPhoto, PasarError> {
        Ok(self.inner.add_photo(bytes).await?.into())
    }

    /// Drops a photo that no product uses (a listing form abandoned): out of the upload
    /// queue, files deleted. A photo a product still shows is refused (field `photo`).
    pub async fn discard_photo(&self, hash: String) -> Result<(), PasarError> {
        Ok(self.inner.discard_photo(hash).await?)
    }

    /// Photos waiting to be uploaded, oldest first.
    pub async fn pending_photo_uploads(&self) -> Result<Vec<ProductPhoto>, PasarError> {
        let inner = self.inner.clone();
        let photos = inner.pending_uploads().await?;
        Ok(photos.into_iter().map(ProductPhoto::from).collect())
    }

    /// Imports a seller's catalog file. Rows naming no seller belong to `default_seller_id`.
    pub async fn import_catalog(
        &self,
        contents: Vec<u8>,
        format: CatalogFileFormat,
        default_seller_id: Option<String>,
    ) -> Result<ImportReport, PasarError> {
        let format = match format {
            CatalogFileFormat::Json => core::FileFormat::Json,
            CatalogFileFormat::Csv => core::FileFormat::Csv,
        };
        let report = self
            .inner
            .import_file(contents, format, default_seller_id)
            .await?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(ImportReport {
            created: count(report.created),
            updated: count(report.updated),
            errors: report
                .errors
                .into_iter()
                .map(|e| ImportRowError {
                    row: count(e.row),
                    id: e.id,
                    field: e.field,
                    indonesian: e.message.id,
                    english: e.message.en,
                })
                .collect(),
        })
    }

    /// The active catalog as a JSON catalog file.
    pub async fn export_catalog(&self) -> Result<String, PasarError> {
        Ok(self.inner.export_json().await?)
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

impl From<SearchQuery> for core::SearchRequest {
    fn from(q: SearchQuery) -> Self {
        core::SearchRequest {
            query: q.text,
            filters: core::Filters {
                group_id: q.group_id,
                seller_id: q.seller_id,
                category: q.category,
                min_price_idr: q.min_price_idr,
                max_price_idr: q.max_price_idr,
                in_stock_only: q.in_stock_only,
            },
            sort: match q.sort {
                None | Some(SearchSort::Relevance) => core::Sort::Relevance,
                Some(SearchSort::PriceLowHigh) => core::Sort::PriceLowHigh,
                Some(SearchSort::PriceHighLow) => core::Sort::PriceHighLow,
                Some(SearchSort::Newest) => core::Sort::Newest,
            },
            after: q.after,
            limit: q.limit,
        }
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

impl From<VariantOption> for core::VariantOption {
    fn from(o: VariantOption) -> Self {
        core::VariantOption {
            name: o.name,
            values: o.values,
        }
    }
}

impl From<core::VariantOption> for VariantOption {
    fn from(o: core::VariantOption) -> Self {
        VariantOption {
            name: o.name,
            values: o.values,
        }
    }
}

impl From<core::PhotoRef> for ProductPhoto {
    fn from(p: core::PhotoRef) -> Self {
        ProductPhoto {
            file: p.relative_path(false),
            thumbnail_file: p.relative_path(true),
            thumbnail_width: p.thumb_width,
            thumbnail_height: p.thumb_height,
            hash: p.hash,
            mime: p.mime,
            width: p.width,
            height: p.height,
            blurhash: p.blurhash,
        }
    }
}

impl From<core::Product> for Product {
    fn from(p: core::Product) -> Self {
        let price_range_label = match p.price_range() {
            (lo, hi) if lo == hi => lo.to_string(),
            (lo, hi) => format!("{lo} \u{2013} {hi}"),
        };
        let in_stock = p.in_stock();
        let variants = p
            .variants
            .iter()
            .map(|v| {
                let price = p.price_of(Some(&v.id));
                Variant {
                    id: v.id.clone(),
                    values: v.values.clone(),
                    price_idr: price.idr(),
                    price_label: price.to_string(),
                    own_price: v.price.is_some(),
                    stock: v.stock.map(Into::into),
                    sku: v.sku.clone(),
                }
            })
            .collect();
        Product {
            price_label: p.price.to_string(),
            price_idr: p.price.idr(),
            price_range_label,
            in_stock,
            variants,
            id: p.id,
            seller_id: p.seller_id,
            name: p.name,
            description: p.description,
            unit: p.unit,
            weight_grams: p.weight_grams,
            stock: p.stock.into(),
            preorder_days: p.preorder_days,
            category: p.category,
            options: p.options.into_iter().map(Into::into).collect(),
            photos: p.photos.into_iter().map(Into::into).collect(),
            group_ids: p.group_ids,
            archived: p.archived,
            created_at_ms: p.created_at,
            updated_at_ms: p.updated_at,
            resale: p.trade.resale.map(|r| ResaleTerms {
                supply_price_idr: r.supply_price_idr,
                min_price_idr: r.min_price_idr,
                max_price_idr: r.max_price_idr,
            }),
            resale_of: p.trade.resale_of,
            stock_at: p
                .trade
                .stock_at
                .into_iter()
                .map(|s| PartnerStock {
                    partner_id: s.partner_id,
                    stock: s.stock,
                })
                .collect(),
        }
    }
}

impl From<NewVariant> for core::NewVariant {
    fn from(v: NewVariant) -> Self {
        core::NewVariant {
            values: v.values,
            price: v.price.map(core::PriceInput::Typed),
            stock: v.stock.map(Into::into),
            sku: v.sku,
        }
    }
}

impl From<VariantsInput> for core::VariantsInput {
    fn from(v: VariantsInput) -> Self {
        core::VariantsInput {
            options: v.options.into_iter().map(Into::into).collect(),
            variants: v.variants.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<NewProduct> for core::NewProduct {
    fn from(n: NewProduct) -> Self {
        core::NewProduct {
            // Ids from a seller's catalog file come with imports, not from the app's form.
            source_id: None,
            seller_id: n.seller_id,
            name: n.name,
            description: n.description,
            price: core::PriceInput::Typed(n.price),
            unit: n.unit,
            weight_grams: n.weight_grams,
            stock: n.stock.into(),
            preorder_days: n.preorder_days,
            category: n.category,
            options: n.options.into_iter().map(Into::into).collect(),
            variants: n.variants.into_iter().map(Into::into).collect(),
            photos: n.photos,
            group_ids: n.group_ids,
        }
    }
}

impl From<ProductPatch> for core::ProductPatch {
    fn from(p: ProductPatch) -> Self {
        core::ProductPatch {
            name: p.name,
            description: p.description,
            price: p.price.map(core::PriceInput::Typed),
            unit: p.unit,
            weight_grams: p.weight_grams,
            stock: p.stock.map(Into::into),
            // uniffi has no Option<Option<T>>: 0 days and "" stand for "clear it".
            preorder_days: p.preorder_days.map(|d| (d != 0).then_some(d)),
            category: p.category.map(|c| (!c.is_empty()).then_some(c)),
            variants: p.variants.map(Into::into),
            photos: p.photos,
            group_ids: p.group_ids,
            archived: p.archived,
        }
    }
}

impl From<core::CatalogEvent> for CatalogEvent {
    fn from(e: core::CatalogEvent) -> Self {
        match e {
            core::CatalogEvent::ProductSaved(p) => CatalogEvent::ProductSaved { product: p.into() },
            core::CatalogEvent::Imported { created, updated } => CatalogEvent::Imported {
                created: u32::try_from(created).unwrap_or(u32::MAX),
                updated: u32::try_from(updated).unwrap_or(u32::MAX),
            },
        }
    }
}
