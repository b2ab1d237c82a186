//! A product and the rules for what a seller may type into one. Pure functions over
//! data: no store, no clock, no ids made here (they are passed in).

use super::unit::canonical_unit;
use crate::error::{Problem, ValidationError};
use crate::money::{Rupiah, parse_rupiah};

pub const NAME_MAX_CHARS: usize = 120;
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
pub const CATEGORY_MAX_CHARS: usize = 60;
pub const SKU_MAX_CHARS: usize = 40;
pub const OPTION_NAME_MAX_CHARS: usize = 30;
pub const OPTION_VALUE_MAX_CHARS: usize = 40;
/// Two dimensions (warna × ukuran) cover what community sellers list.
pub const MAX_OPTIONS: usize = 2;
pub const MAX_OPTION_VALUES: usize = 30;
pub const MAX_VARIANTS: usize = 200;
pub const MAX_PHOTOS: usize = 10;
pub const MAX_GROUPS: usize = 50;
pub const MAX_PREORDER_DAYS: u32 = 90;
/// Rp1 triliun: above any price a community market will list, below any overflow risk
/// when multiplied by a quantity and summed over a cart.
pub const PRICE_MAX_IDR: i64 = 1_000_000_000_000;
pub const STOCK_MAX: i64 = 1_000_000_000;

/// How many units a seller has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stock {
    /// Made to order, or the seller does not count.
    Unlimited,
    Limited(i64),
}

impl Stock {
    pub(crate) fn to_column(self) -> Option<i64> {
        match self {
            Stock::Unlimited => None,
            Stock::Limited(n) => Some(n),
        }
    }

    pub(crate) fn from_column(v: Option<i64>) -> Self {
        v.map_or(Stock::Unlimited, Stock::Limited)
    }

    pub fn is_available(self) -> bool {
        self != Stock::Limited(0)
    }
}

/// A price as it arrives: a number (imports, sync) or text a seller typed ("25rb").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PriceInput {
    Idr(i64),
    Typed(String),
}

impl From<i64> for PriceInput {
    fn from(idr: i64) -> Self {
        PriceInput::Idr(idr)
    }
}

impl From<&str> for PriceInput {
    fn from(text: &str) -> Self {
        PriceInput::Typed(text.to_owned())
    }
}

/// One variant dimension and its values: `warna: merah, biru`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantOption {
    pub name: String,
    pub values: Vec<String>,
}

/// One combination of option values, with what differs from the product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub id: String,
    /// One value per option, in the order of [`Product::options`].
    pub values: Vec<String>,
    /// `None`: the product's price.
    pub price: Option<Rupiah>,
    /// `None`: shares the product's stock.
    pub stock: Option<Stock>,
    pub sku: Option<String>,
}

/// What a seller sets for one combination; combinations not given get the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVariant {
    pub values: Vec<String>,
    pub price: Option<PriceInput>,
    pub stock: Option<Stock>,
    pub sku: Option<String>,
}

/// A prepared photo as a product shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoRef {
    /// SHA-256 (hex) of the product photo: its content address.
    pub hash: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub thumb_mime: String,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub blurhash: String,
}

impl PhotoRef {
    /// Where the photo (or its thumbnail) is kept, relative to the data folder:
    /// `photos/<hash>.jpg`, `photos/<hash>.thumb.jpg`.
    pub fn relative_path(&self, thumbnail: bool) -> String {
        let mime = if thumbnail {
            &self.thumb_mime
        } else {
            &self.mime
        };
        let ext = if mime == "image/webp" { "webp" } else { "jpg" };
        let thumb = if thumbnail { ".thumb" } else { "" };
        format!("{}/{}{thumb}.{ext}", super::PHOTO_DIR, self.hash)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// UUIDv7, made on the device.
    pub id: String,
    /// The id in the seller's own catalog file, kept from an import ("DNT-01").
    pub source_id: Option<String>,
    /// `None` only for products saved before sellers existed (schema v1).
    pub seller_id: Option<String>,
    pub name: String,
    pub description: String,
    pub price: Rupiah,
    pub unit: String,
    /// Weight of one unit for ongkir; 0 when unknown (couriers charge 1 kg minimum).
    pub weight_grams: u32,
    pub stock: Stock,
    /// Pre-order: days the seller needs; `None` for ready stock.
    pub preorder_days: Option<u32>,
    pub category: Option<String>,
    pub options: Vec<VariantOption>,
    pub variants: Vec<Variant>,
    pub photos: Vec<PhotoRef>,
    /// Community markets the product is listed in, besides the seller's own shop.
    pub group_ids: Vec<String>,
    pub archived: bool,
    /// UTC milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// Selling through others: open to resellers, a reseller's listing, stock at
    /// fulfilment partners (see `catalog::trade`).
    pub trade: Trade,
}

/// How a product is sold through other people. Stored as JSON beside the product (most
/// products have none of it); its parts are the wire's, which the server checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trade {
    /// The supplier's terms for resellers: their price, and the bounds of a resale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resale: Option<crate::sync::wire::ResaleDoc>,
    /// A reseller's listing: the supplier's product it sells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resale_of: Option<String>,
    /// Units at fulfilment partners' warehouses, apart from `stock` at home.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stock_at: Vec<crate::sync::wire::StockAtDoc>,
}

impl Trade {
    pub fn is_empty(&self) -> bool {
        *self == Trade::default()
    }
}

impl Product {
    /// The price of one unit of `variant` (or of the product).
    pub fn price_of(&self, variant_id: Option<&str>) -> Rupiah {
        variant_id
            .and_then(|id| self.variants.iter().find(|v| v.id == id))
            .and_then(|v| v.price)
            .unwrap_or(self.price)
    }

    /// Lowest and highest price over the variants, for "Rp25.000 – Rp30.000" labels.
    pub fn price_range(&self) -> (Rupiah, Rupiah) {
        let prices = self.variants.iter().map(|v| v.price.unwrap_or(self.price));
        let (mut lo, mut hi) = (self.price, self.price);
        for (i, p) in prices.enumerate() {
            if i == 0 {
                (lo, hi) = (p, p);
            } else {
                lo = lo.min(p);
                hi = hi.max(p);
            }
        }
        (lo, hi)
    }

    /// The variant named by option values as people say them (("Rasa", "Keju")), for
    /// lines that come from a chat rather than a tapped variant. `None` for a product
    /// without variants. Values of options the product does not have are ignored; the
    /// values given must fit exactly one variant (`variant`: `Invalid` when none fits,
    /// `Required` when several do and a value is missing).
    pub fn variant_with(
        &self,
        values: &[(String, String)],
    ) -> Result<Option<&Variant>, ValidationError> {
        if self.variants.is_empty() {
            return Ok(None);
        }
        let wanted: Vec<Option<&str>> = self
            .options
            .iter()
            .map(|o| {
                values
                    .iter()
                    .find(|(option, _)| *option == o.name)
                    .map(|(_, value)| value.as_str())
            })
            .collect();
        let mut fits = self.variants.iter().filter(|v| {
            v.values
                .iter()
                .zip(&wanted)
                .all(|(have, want)| want.is_none_or(|w| w == have))
        });
        match (fits.next(), fits.next()) {
            (Some(v), None) => Ok(Some(v)),
            (Some(_), Some(_)) => Err(ValidationError::new("variant", Problem::Required)),
            (None, _) => Err(ValidationError::new("variant", Problem::Invalid)),
        }
    }

    /// Whether anything can be bought now: stock left on the product or a variant.
    pub fn in_stock(&self) -> bool {
        if self.variants.is_empty() {
            return self.stock.is_available();
        }
        self.variants
            .iter()
            .any(|v| v.stock.unwrap_or(self.stock).is_available())
    }
}

/// What a seller fills in to list a product.
#[derive(Clone, Debug, PartialEq)]
pub struct NewProduct {
    /// The id in the seller's own catalog file, for imports; unique.
    pub source_id: Option<String>,
    pub seller_id: String,
    pub name: String,
    pub description: String,
    pub price: PriceInput,
    pub unit: String,
    pub weight_grams: u32,
    pub stock: Stock,
    pub preorder_days: Option<u32>,
    pub category: Option<String>,
    pub options: Vec<VariantOption>,
    pub variants: Vec<NewVariant>,
    /// Content hashes of photos prepared with `Catalog::add_photo`, in display order.
    pub photos: Vec<String>,
    pub group_ids: Vec<String>,
}

impl NewProduct {
    /// The least a product needs; the rest starts empty.
    pub fn new(seller_id: &str, name: &str, price: impl Into<PriceInput>) -> Self {
        NewProduct {
            source_id: None,
            seller_id: seller_id.to_owned(),
            name: name.to_owned(),
            description: String::new(),
            price: price.into(),
            unit: String::new(),
            weight_grams: 0,
            stock: Stock::Unlimited,
            preorder_days: None,
            category: None,
            options: Vec::new(),
            variants: Vec::new(),
            photos: Vec::new(),
            group_ids: Vec::new(),
        }
    }
}

/// Options and variants are replaced together: a variant only means something against
/// its options.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantsInput {
    pub options: Vec<VariantOption>,
    pub variants: Vec<NewVariant>,
}

/// A change to some fields of a product; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<PriceInput>,
    pub unit: Option<String>,
    pub weight_grams: Option<u32>,
    pub stock: Option<Stock>,
    /// `Some(None)` turns a pre-order product into ready stock.
    pub preorder_days: Option<Option<u32>>,
    /// `Some(None)` removes the category.
    pub category: Option<Option<String>>,
    pub variants: Option<VariantsInput>,
    pub photos: Option<Vec<String>>,
    pub group_ids: Option<Vec<String>>,
    pub archived: Option<bool>,
}

/// Ids the validation needs: the product's, and fresh ones for new variants.
pub trait IdSource {
    fn next_id(&mut self) -> String;
}

impl<F: FnMut() -> String> IdSource for F {
    fn next_id(&mut self) -> String {
        self()
    }
}

impl NewProduct {
    /// Checks every field and returns the product as it will be stored. Photos are
    /// returned as bare hashes; the store fills in the rest and checks they exist.
    pub fn validate(
        self,
        ids: &mut impl IdSource,
        now_ms: i64,
    ) -> Result<Product, ValidationError> {
        check_id("seller_id", &self.seller_id)?;
        let price = check_price("price", &self.price)?;
        let (options, variants) = check_variants(
            VariantsInput {
                options: self.options,
                variants: self.variants,
            },
            &[],
            ids,
        )?;
        Ok(Product {
            id: ids.next_id(),
            source_id: clean_source_id(self.source_id.as_deref())?,
            seller_id: Some(self.seller_id),
            name: clean_name(&self.name)?,
            description: clean_description(&self.description)?,
            price,
            unit: check_unit(&self.unit)?,
            weight_grams: check_weight(self.weight_grams)?,
            stock: check_stock("stock", self.stock)?,
            preorder_days: check_preorder(self.preorder_days)?,
            category: clean_category(self.category.as_deref())?,
            options,
            variants,
            photos: check_photos(self.photos)?,
            group_ids: check_groups(self.group_ids)?,
            archived: false,
            created_at: now_ms,
            updated_at: now_ms,
            trade: Trade::default(),
        })
    }
}

impl ProductPatch {
    pub fn apply(
        self,
        mut p: Product,
        ids: &mut impl IdSource,
        now_ms: i64,
    ) -> Result<Product, ValidationError> {
        if let Some(name) = self.name {
            p.name = clean_name(&name)?;
        }
        if let Some(description) = self.description {
            p.description = clean_description(&description)?;
        }
        if let Some(price) = self.price {
            p.price = check_price("price", &price)?;
        }
        if let Some(unit) = self.unit {
            p.unit = check_unit(&unit)?;
        }
        if let Some(stock) = self.stock {
            p.stock = check_stock("stock", stock)?;
        }
        if let Some(weight) = self.weight_grams {
            p.weight_grams = check_weight(weight)?;
        }
        if let Some(preorder) = self.preorder_days {
            p.preorder_days = check_preorder(preorder)?;
        }
        if let Some(category) = self.category {
            p.category = clean_category(category.as_deref())?;
        }
        if let Some(input) = self.variants {
            (p.options, p.variants) = check_variants(input, &p.variants, ids)?;
        }
        if let Some(photos) = self.photos {
            p.photos = check_photos(photos)?;
        }
        if let Some(groups) = self.group_ids {
            p.group_ids = check_groups(groups)?;
        }
        if let Some(archived) = self.archived {
            p.archived = archived;
        }
        // Never move backwards, even if the phone's clock did.
        p.updated_at = now_ms.max(p.updated_at);
        Ok(p)
    }
}

pub(crate) fn check_id(field: &'static str, id: &str) -> Result<(), ValidationError> {
    if crate::id::is_valid(id) {
        Ok(())
    } else {
        Err(ValidationError::new(field, Problem::MalformedId))
    }
}

/// Folds white space and drops control characters: what is shown on one line and
/// searched must not differ by invisible characters.
fn one_line(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn too_long(field: &'static str, max: usize) -> ValidationError {
    ValidationError::new(field, Problem::TooLong { max })
}

fn clean_name(raw: &str) -> Result<String, ValidationError> {
    let name = one_line(raw);
    if name.is_empty() {
        return Err(ValidationError::new("name", Problem::Required));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(too_long("name", NAME_MAX_CHARS));
    }
    Ok(name)
}

fn clean_description(raw: &str) -> Result<String, ValidationError> {
    let text: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if text.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(too_long("description", DESCRIPTION_MAX_CHARS));
    }
    Ok(text)
}

pub const SOURCE_ID_MAX_CHARS: usize = 100;

fn clean_source_id(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(text) = raw.map(one_line).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > SOURCE_ID_MAX_CHARS {
        return Err(too_long("id", SOURCE_ID_MAX_CHARS));
    }
    Ok(Some(text))
}

fn clean_category(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(text) = raw.map(one_line).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > CATEGORY_MAX_CHARS {
        return Err(too_long("category", CATEGORY_MAX_CHARS));
    }
    Ok(Some(text))
}

pub(crate) fn check_price(
    field: &'static str,
    input: &PriceInput,
) -> Result<Rupiah, ValidationError> {
    let idr = match input {
        PriceInput::Idr(idr) => *idr,
        PriceInput::Typed(text) => parse_rupiah(text)
            .map_err(|e| ValidationError::new(field, Problem::Price(e)))?
            .idr(),
    };
    if idr < 1 {
        return Err(ValidationError::new(field, Problem::TooSmall { min: 1 }));
    }
    if idr > PRICE_MAX_IDR {
        return Err(ValidationError::new(
            field,
            Problem::TooLarge { max: PRICE_MAX_IDR },
        ));
    }
    Ok(Rupiah::new(idr))
}

fn check_stock(field: &'static str, stock: Stock) -> Result<Stock, ValidationError> {
    match stock {
        Stock::Limited(n) if n < 0 => {
            Err(ValidationError::new(field, Problem::TooSmall { min: 0 }))
        }
        Stock::Limited(n) if n > STOCK_MAX => Err(ValidationError::new(
            field,
            Problem::TooLarge { max: STOCK_MAX },
        )),
        s => Ok(s),
    }
}

/// 100 kg: heavier goods do not go by parcel courier.
pub const WEIGHT_MAX_GRAMS: u32 = 100_000;

fn check_weight(grams: u32) -> Result<u32, ValidationError> {
    if grams > WEIGHT_MAX_GRAMS {
        return Err(ValidationError::new(
            "weight_grams",
            Problem::TooLarge {
                max: i64::from(WEIGHT_MAX_GRAMS),
            },
        ));
    }
    Ok(grams)
}

fn check_unit(raw: &str) -> Result<String, ValidationError> {
    canonical_unit(raw).ok_or_else(|| ValidationError::new("unit", Problem::Invalid))
}

fn check_preorder(days: Option<u32>) -> Result<Option<u32>, ValidationError> {
    match days {
        None | Some(0) => Ok(None),
        Some(d) if d > MAX_PREORDER_DAYS => Err(ValidationError::new(
            "preorder_days",
            Problem::TooLarge {
                max: i64::from(MAX_PREORDER_DAYS),
            },
        )),
        Some(d) => Ok(Some(d)),
    }
}

fn check_photos(hashes: Vec<String>) -> Result<Vec<PhotoRef>, ValidationError> {
    if hashes.len() > MAX_PHOTOS {
        return Err(ValidationError::new(
            "photos",
            Problem::TooMany { max: MAX_PHOTOS },
        ));
    }
    let mut out: Vec<PhotoRef> = Vec::with_capacity(hashes.len());
    for hash in hashes {
        let hash = hash.trim().to_ascii_lowercase();
        let valid = hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit());
        if !valid {
            return Err(ValidationError::new("photos", Problem::MalformedId));
        }
        if out.iter().any(|p| p.hash == hash) {
            return Err(ValidationError::new(
                "photos",
                Problem::Duplicate { value: hash },
            ));
        }
        // The store fills in the rest from the photos table.
        out.push(PhotoRef {
            hash,
            mime: String::new(),
            width: 0,
            height: 0,
            thumb_mime: String::new(),
            thumb_width: 0,
            thumb_height: 0,
            blurhash: String::new(),
        });
    }
    Ok(out)
}

pub(super) fn check_groups(ids: Vec<String>) -> Result<Vec<String>, ValidationError> {
    if ids.len() > MAX_GROUPS {
        return Err(ValidationError::new(
            "group_ids",
            Problem::TooMany { max: MAX_GROUPS },
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        check_id("group_ids", &id)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Same text, ignoring case and spacing: "Merah" and " merah" are one value.
fn same(a: &str, b: &str) -> bool {
    one_line(a).to_lowercase() == one_line(b).to_lowercase()
}

/// Validates options and variant overrides, and expands them into one variant per
/// combination. Variants whose values already existed in `previous` keep their ids, so
/// carts and orders that point at them stay valid across edits.
fn check_variants(
    input: VariantsInput,
    previous: &[Variant],
    ids: &mut impl IdSource,
) -> Result<(Vec<VariantOption>, Vec<Variant>), ValidationError> {
    if input.options.len() > MAX_OPTIONS {
        return Err(ValidationError::new(
            "options",
            Problem::TooMany { max: MAX_OPTIONS },
        ));
    }
    let mut options: Vec<VariantOption> = Vec::with_capacity(input.options.len());
    for opt in input.options {
        let name = one_line(&opt.name);
        if name.is_empty() {
            return Err(ValidationError::new("options", Problem::Required));
        }
        if name.chars().count() > OPTION_NAME_MAX_CHARS {
            return Err(too_long("options", OPTION_NAME_MAX_CHARS));
        }
        if options.iter().any(|o| same(&o.name, &name)) {
            return Err(ValidationError::new(
                "options",
                Problem::Duplicate { value: name },
            ));
        }
        let mut values: Vec<String> = Vec::with_capacity(opt.values.len());
        for v in opt.values {
            let v = one_line(&v);
            if v.is_empty() {
                continue;
            }
            if v.chars().count() > OPTION_VALUE_MAX_CHARS {
                return Err(too_long("options", OPTION_VALUE_MAX_CHARS));
            }
            if values.iter().any(|x| same(x, &v)) {
                return Err(ValidationError::new(
                    "options",
                    Problem::Duplicate { value: v },
                ));
            }
            values.push(v);
        }
        if values.is_empty() {
            return Err(ValidationError::new("options", Problem::Required));
        }
        if values.len() > MAX_OPTION_VALUES {
            return Err(ValidationError::new(
                "options",
                Problem::TooMany {
                    max: MAX_OPTION_VALUES,
                },
            ));
        }
        options.push(VariantOption { name, values });
    }
    if options.is_empty() {
        if input.variants.is_empty() {
            return Ok((options, Vec::new()));
        }
        return Err(ValidationError::new("variants", Problem::Invalid));
    }
    let combos: Vec<Vec<String>> = match options.as_slice() {
        [a] => a.values.iter().map(|v| vec![v.clone()]).collect(),
        [a, b] => a
            .values
            .iter()
            .flat_map(|x| b.values.iter().map(move |y| vec![x.clone(), y.clone()]))
            .collect(),
        _ => Vec::new(),
    };
    if combos.len() > MAX_VARIANTS {
        return Err(ValidationError::new(
            "variants",
            Problem::TooMany { max: MAX_VARIANTS },
        ));
    }
    let mut variants: Vec<Variant> = Vec::with_capacity(combos.len());
    for values in combos {
        let id = previous
            .iter()
            .find(|v| {
                v.values.len() == values.len()
                    && v.values.iter().zip(&values).all(|(a, b)| same(a, b))
            })
            .map_or_else(|| ids.next_id(), |v| v.id.clone());
        variants.push(Variant {
            id,
            values,
            price: None,
            stock: None,
            sku: None,
        });
    }
    let mut overridden = vec![false; variants.len()];
    for nv in input.variants {
        let matches = |v: &Variant| {
            v.values.len() == nv.values.len()
                && v.values.iter().zip(&nv.values).all(|(a, b)| same(a, b))
        };
        let Some(i) = variants.iter().position(matches) else {
            return Err(ValidationError::new("variants", Problem::Invalid));
        };
        if overridden[i] {
            return Err(ValidationError::new(
                "variants",
                Problem::Duplicate {
                    value: nv.values.join(" / "),
                },
            ));
        }
        overridden[i] = true;
        let v = &mut variants[i];
        v.price = nv
            .price
            .as_ref()
            .map(|p| check_price("variants", p))
            .transpose()?;
        v.stock = nv.stock.map(|s| check_stock("variants", s)).transpose()?;
        v.sku = match nv.sku.as_deref().map(one_line).filter(|s| !s.is_empty()) {
            Some(sku) if sku.chars().count() > SKU_MAX_CHARS => {
                return Err(too_long("variants", SKU_MAX_CHARS));
            }
            sku => sku,
        };
    }
    Ok((options, variants))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELLER: &str = "0190a3e0-7d2c-7cc0-8000-0000000000a1";

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id-{n}")
        }
    }

    fn new(name: &str, price: impl Into<PriceInput>) -> NewProduct {
        let mut p = NewProduct::new(SELLER, name, price);
        p.stock = Stock::Limited(5);
        p
    }

    fn field(n: NewProduct) -> &'static str {
        n.validate(&mut counter(), 1).expect_err("invalid").field
    }

    #[test]
    fn names_are_cleaned_the_way_they_are_shown() {
        let p = new("  Donat \t coklat\u{0}  isi   6 ", 25_000)
            .validate(&mut counter(), 1)
            .expect("valid");
        assert_eq!(p.name, "Donat coklat isi 6");
        assert_eq!(p.unit, "pcs");
    }

    #[test]
    fn a_typed_price_is_read_like_a_seller_means_it() {
        let p = new("Donat", "25rb")
            .validate(&mut counter(), 1)
            .expect("valid");
        assert_eq!(p.price, Rupiah::new(25_000));
        let e = new("Donat", "murah")
            .validate(&mut counter(), 1)
            .expect_err("invalid");
        assert_eq!(e.field, "price");
        assert!(matches!(e.problem, Problem::Price(_)));
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field(new("   ", 25_000)), "name");
        assert_eq!(field(new(&"a".repeat(121), 25_000)), "name");
        assert_eq!(field(new("Donat", 0)), "price");
        assert_eq!(field(new("Donat", -5)), "price");
        assert_eq!(field(new("Donat", PRICE_MAX_IDR + 1)), "price");
        let mut n = new("Donat", 1);
        n.stock = Stock::Limited(-1);
        assert_eq!(field(n), "stock");
        let mut n = new("Donat", 1);
        n.description = "x".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert_eq!(field(n), "description");
        let mut n = new("Donat", 1);
        n.seller_id = "nobody".into();
        assert_eq!(field(n), "seller_id");
        let mut n = new("Donat", 1);
        n.unit = "12 pcs".into();
        assert_eq!(field(n), "unit");
        let mut n = new("Donat", 1);
        n.preorder_days = Some(365);
        assert_eq!(field(n), "preorder_days");
        let mut n = new("Donat", 1);
        n.photos = vec!["not-a-hash".into()];
        assert_eq!(field(n), "photos");
    }

    #[test]
    fn a_120_character_name_of_emoji_and_accents_fits() {
        let name = "é🍩".repeat(60);
        assert!(new(&name, 1).validate(&mut counter(), 1).is_ok());
    }

    fn two_dims() -> NewProduct {
        let mut n = new("Kaos polos", "35rb");
        n.options = vec![
            VariantOption {
                name: "Warna".into(),
                values: vec!["Merah".into(), "Biru".into()],
            },
            VariantOption {
                name: "Ukuran".into(),
                values: vec!["M".into(), "L".into(), "XL".into()],
            },
        ];
        n.variants = vec![NewVariant {
            values: vec!["biru".into(), "xl".into()],
            price: Some("40rb".into()),
            stock: Some(Stock::Limited(2)),
            sku: Some("KAOS-B-XL".into()),
        }];
        n
    }

    #[test]
    fn a_variant_is_chosen_by_the_values_people_name() {
        let p = two_dims().validate(&mut counter(), 1).expect("valid");
        let pick = |values: &[(&str, &str)]| {
            let values: Vec<(String, String)> = values
                .iter()
                .map(|(o, v)| ((*o).to_owned(), (*v).to_owned()))
                .collect();
            p.variant_with(&values)
                .map(|v| v.map(|v| v.values.join(" / ")))
        };
        assert_eq!(
            pick(&[("Warna", "Biru"), ("Ukuran", "XL")]),
            Ok(Some("Biru / XL".into()))
        );
        // Options the product does not have are ignored; the order does not matter.
        assert_eq!(
            pick(&[("Ukuran", "M"), ("Bahan", "Katun"), ("Warna", "Merah")]),
            Ok(Some("Merah / M".into()))
        );
        // Biru alone fits three sizes: which one is the buyer's to say.
        assert_eq!(
            pick(&[("Warna", "Biru")]).map_err(|e| e.problem),
            Err(Problem::Required)
        );
        assert_eq!(pick(&[]).map_err(|e| e.problem), Err(Problem::Required));
        assert_eq!(
            pick(&[("Warna", "Hijau"), ("Ukuran", "M")]).map_err(|e| (e.field, e.problem)),
            Err(("variant", Problem::Invalid))
        );
        let plain = new("Donat", 3_000)
            .validate(&mut counter(), 1)
            .expect("valid");
        assert_eq!(plain.variant_with(&[]), Ok(None));
    }

    #[test]
    fn two_dimensions_expand_to_every_combination_with_overrides() {
        let p = two_dims().validate(&mut counter(), 1).expect("valid");
        assert_eq!(p.variants.len(), 6);
        let biru_xl = p
            .variants
            .iter()
            .find(|v| v.values == ["Biru", "XL"])
            .expect("combination");
        assert_eq!(biru_xl.price, Some(Rupiah::new(40_000)));
        assert_eq!(biru_xl.stock, Some(Stock::Limited(2)));
        assert_eq!(p.price_of(Some(&biru_xl.id)), Rupiah::new(40_000));
        assert_eq!(p.price_range(), (Rupiah::new(35_000), Rupiah::new(40_000)));
        let merah_m = &p.variants[0];
        assert_eq!(merah_m.values, ["Merah", "M"]);
        assert_eq!(p.price_of(Some(&merah_m.id)), Rupiah::new(35_000));
    }

    #[test]
    fn editing_options_keeps_the_ids_of_surviving_variants() {
        let p = two_dims().validate(&mut counter(), 1).expect("valid");
        let old_id = p
            .variants
            .iter()
            .find(|v| v.values == ["Biru", "L"])
            .map(|v| v.id.clone());
        let patch = ProductPatch {
            variants: Some(VariantsInput {
                options: vec![
                    VariantOption {
                        name: "Warna".into(),
                        values: vec!["Biru".into(), "Hitam".into()],
                    },
                    VariantOption {
                        name: "Ukuran".into(),
                        values: vec!["L".into()],
                    },
                ],
                variants: vec![],
            }),
            ..Default::default()
        };
        let mut ids = || "fresh".to_owned();
        let q = patch.apply(p, &mut ids, 2).expect("valid");
        let biru_l = q
            .variants
            .iter()
            .find(|v| v.values == ["Biru", "L"])
            .map(|v| v.id.clone());
        assert_eq!(biru_l, old_id);
        assert_eq!(q.variants.iter().filter(|v| v.id == "fresh").count(), 1);
    }

    #[test]
    fn bad_variants_are_refused() {
        let mut n = two_dims();
        n.variants[0].values = vec!["Ungu".into(), "M".into()];
        assert_eq!(field(n), "variants");
        let mut n = two_dims();
        n.options[1].values.push("m".into());
        assert_eq!(field(n), "options");
        let mut n = two_dims();
        n.options.push(VariantOption {
            name: "Bahan".into(),
            values: vec!["katun".into()],
        });
        assert_eq!(field(n), "options");
        let mut n = new("Donat", 1);
        n.variants = two_dims().variants;
        assert_eq!(field(n), "variants");
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_time_never_goes_back() {
        let p = new("Donat", 25_000)
            .validate(&mut counter(), 100)
            .expect("valid");
        let patched = ProductPatch {
            price: Some("27.000".into()),
            category: Some(Some("Kue".into())),
            ..Default::default()
        }
        .apply(p.clone(), &mut counter(), 50)
        .expect("valid");
        assert_eq!(patched.price, Rupiah::new(27_000));
        assert_eq!(patched.category.as_deref(), Some("Kue"));
        assert_eq!(patched.name, p.name);
        assert_eq!(patched.stock, p.stock);
        assert_eq!(patched.updated_at, 100);
        let bad = ProductPatch {
            name: Some(" ".into()),
            ..Default::default()
        }
        .apply(p, &mut counter(), 200);
        assert_eq!(bad.expect_err("invalid").field, "name");
    }

    #[test]
    fn stock_is_read_through_variants() {
        let mut n = two_dims();
        n.stock = Stock::Limited(0);
        let p = n.clone().validate(&mut counter(), 1).expect("valid");
        assert!(p.in_stock(), "Biru/XL has 2 of its own");
        n.variants[0].stock = Some(Stock::Limited(0));
        let p = n.validate(&mut counter(), 1).expect("valid");
        assert!(!p.in_stock());
    }
}
