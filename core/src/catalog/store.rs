//! The catalog's SQL. Every value from outside is bound as a parameter, never spliced.

use super::product::{PhotoRef, Product, Stock, Variant, VariantOption};
use crate::error::{Error, Problem, Thing, ValidationError};
use crate::money::Rupiah;
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use std::collections::HashMap;

pub const PAGE_DEFAULT: u32 = 20;
pub const PAGE_MAX: u32 = 200;

/// Which page to read: `after` is the `next_cursor` of the page before (None: the first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<String>,
    /// 0 means the default page size.
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest { after: None, limit }
    }

    pub(crate) fn validate(&self) -> Result<PageRequest, ValidationError> {
        if let Some(after) = &self.after
            && !crate::id::is_valid(after)
        {
            return Err(ValidationError::new("cursor", Problem::MalformedId));
        }
        Ok(PageRequest {
            after: self.after.clone(),
            limit: check_limit(self.limit)?,
        })
    }
}

pub(crate) fn check_limit(limit: u32) -> Result<u32, ValidationError> {
    match limit {
        0 => Ok(PAGE_DEFAULT),
        n if n > PAGE_MAX => Err(ValidationError::new(
            "limit",
            Problem::TooLarge {
                max: i64::from(PAGE_MAX),
            },
        )),
        n => Ok(n),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to read the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

const COLUMNS: &str = "id, seller_id, name, description, price_idr, unit, stock, preorder_days, \
                       category, options, archived, created_at, updated_at, source_id, weight_grams, trade";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    let options: String = r.get(9)?;
    Ok(Product {
        id: r.get(0)?,
        seller_id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        price: Rupiah::new(r.get(4)?),
        unit: r.get(5)?,
        stock: Stock::from_column(r.get(6)?),
        preorder_days: r.get(7)?,
        category: r.get(8)?,
        options: decode_options(&options),
        variants: Vec::new(),
        photos: Vec::new(),
        group_ids: Vec::new(),
        archived: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        source_id: r.get(13)?,
        weight_grams: r.get(14)?,
        // Written only by `trade_column`; unreadable reads as none, as options do.
        trade: r
            .get::<_, Option<String>>(15)?
            .and_then(|t| serde_json::from_slice(t.as_bytes()).ok())
            .unwrap_or_default(),
    })
}

fn trade_column(p: &Product) -> Option<String> {
    (!p.trade.is_empty()).then(|| serde_json::to_string(&p.trade).unwrap_or_default())
}

/// Options are stored as JSON: `[{"name": "warna", "values": ["merah"]}]`.
fn encode_options(options: &[VariantOption]) -> String {
    let json: Vec<serde_json::Value> = options
        .iter()
        .map(|o| serde_json::json!({"name": o.name, "values": o.values}))
        .collect();
    serde_json::Value::Array(json).to_string()
}

fn decode_options(text: &str) -> Vec<VariantOption> {
    #[derive(serde::Deserialize)]
    struct Raw {
        name: String,
        values: Vec<String>,
    }
    // Written only by encode_options; an unreadable value is treated as no options
    // rather than making the whole product unreadable.
    serde_json::from_slice::<Vec<Raw>>(text.as_bytes())
        .map(|v| {
            v.into_iter()
                .map(|r| VariantOption {
                    name: r.name,
                    values: r.values,
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn insert(c: &Connection, p: &Product) -> Result<(), Error> {
    if let Some(source) = &p.source_id
        && find_by_source_id(c, source)?.is_some()
    {
        return Err(ValidationError::new(
            "id",
            Problem::Duplicate {
                value: source.clone(),
            },
        )
        .into());
    }
    c.prepare_cached(&format!(
        "INSERT INTO products ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))
    .map_err(StoreError::from)?
    .execute(params![
        p.id,
        p.seller_id,
        p.name,
        p.description,
        p.price.idr(),
        p.unit,
        p.stock.to_column(),
        p.preorder_days,
        p.category,
        encode_options(&p.options),
        p.archived,
        p.created_at,
        p.updated_at,
        p.source_id,
        p.weight_grams,
        trade_column(p)
    ])
    .map_err(StoreError::from)?;
    write_children(c, p)?;
    super::search::index::index_product(c, p)?;
    Ok(())
}

pub(crate) fn update(c: &Connection, p: &Product) -> Result<(), Error> {
    c.prepare_cached(
        "UPDATE products SET name = ?2, description = ?3, price_idr = ?4, unit = ?5, stock = ?6,
                preorder_days = ?7, category = ?8, options = ?9, archived = ?10, updated_at = ?11,
                weight_grams = ?12, trade = ?13
         WHERE id = ?1",
    )
    .map_err(StoreError::from)?
    .execute(params![
        p.id,
        p.name,
        p.description,
        p.price.idr(),
        p.unit,
        p.stock.to_column(),
        p.preorder_days,
        p.category,
        encode_options(&p.options),
        p.archived,
        p.updated_at,
        p.weight_grams,
        trade_column(p)
    ])
    .map_err(StoreError::from)?;
    for table in ["variants", "product_photos", "group_listings"] {
        c.execute(
            &format!("DELETE FROM {table} WHERE product_id = ?1"),
            [&p.id],
        )
        .map_err(StoreError::from)?;
    }
    write_children(c, p)?;
    super::search::index::index_product(c, p)?;
    Ok(())
}

fn write_children(c: &Connection, p: &Product) -> Result<(), Error> {
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO variants (id, product_id, position, value1, value2, price_idr, stock, unlimited, sku)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(StoreError::from)?;
    for (i, v) in p.variants.iter().enumerate() {
        stmt.execute(params![
            v.id,
            p.id,
            i64::try_from(i).unwrap_or(i64::MAX),
            v.values.first().cloned().unwrap_or_default(),
            v.values.get(1).cloned().unwrap_or_default(),
            v.price.map(Rupiah::idr),
            v.stock.and_then(Stock::to_column),
            v.stock == Some(Stock::Unlimited),
            v.sku
        ])
        .map_err(StoreError::from)?;
    }
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO product_photos (product_id, position, photo_hash) VALUES (?1, ?2, ?3)",
        )
        .map_err(StoreError::from)?;
    for (i, photo) in p.photos.iter().enumerate() {
        let exists: bool = c
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM photos WHERE hash = ?1)",
                [&photo.hash],
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        if !exists {
            return Err(ValidationError::new("photos", Problem::Invalid).into());
        }
        stmt.execute(params![
            p.id,
            i64::try_from(i).unwrap_or(i64::MAX),
            photo.hash
        ])
        .map_err(StoreError::from)?;
    }
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO group_listings (group_id, product_id, listed_at) VALUES (?1, ?2, ?3)",
        )
        .map_err(StoreError::from)?;
    for group in &p.group_ids {
        let exists: bool = c
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM market_groups WHERE id = ?1)",
                [group],
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        if !exists {
            return Err(Error::NotFound {
                thing: Thing::Group,
                id: group.clone(),
            });
        }
        stmt.execute(params![group, p.id, p.updated_at])
            .map_err(StoreError::from)?;
    }
    Ok(())
}

/// The product imported with this id from the seller's catalog file.
pub(crate) fn find_by_source_id(c: &Connection, source_id: &str) -> Result<Option<String>, Error> {
    Ok(
        c.prepare_cached("SELECT id FROM products WHERE source_id = ?1")
            .map_err(StoreError::from)?
            .query_row([source_id], |r| r.get(0))
            .optional()
            .map_err(StoreError::from)?,
    )
}

pub(crate) fn get(c: &Connection, id: &str) -> Result<Product, Error> {
    let product = c
        .prepare_cached(&format!("SELECT {COLUMNS} FROM products WHERE id = ?1"))
        .map_err(StoreError::from)?
        .query_row([id], from_row)
        .optional()
        .map_err(StoreError::from)?
        .ok_or_else(|| Error::NotFound {
            thing: Thing::Product,
            id: id.to_owned(),
        })?;
    let mut products = vec![product];
    load_children(c, &mut products)?;
    Ok(products.remove(0))
}

/// Reads products by id, in the order given, skipping ids that do not exist.
pub(crate) fn get_many(c: &Connection, ids: &[String]) -> Result<Vec<Product>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_id: HashMap<String, Product> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut stmt = c
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM products WHERE id IN ({marks})"
            ))
            .map_err(StoreError::from)?;
        let rows = stmt
            .query_map(params_from_iter(chunk), from_row)
            .map_err(StoreError::from)?;
        for row in rows {
            let p = row.map_err(StoreError::from)?;
            by_id.insert(p.id.clone(), p);
        }
    }
    let mut products: Vec<Product> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    load_children(c, &mut products)?;
    Ok(products)
}

/// Fills variants, photos and listings of a page of products with one query each.
fn load_children(c: &Connection, products: &mut [Product]) -> Result<(), Error> {
    if products.is_empty() {
        return Ok(());
    }
    let index: HashMap<String, usize> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    let ids: Vec<String> = products.iter().map(|p| p.id.clone()).collect();
    let marks = vec!["?"; ids.len()].join(", ");

    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT product_id, id, value1, value2, price_idr, stock, unlimited, sku FROM variants
             WHERE product_id IN ({marks}) ORDER BY product_id, position"
        ))
        .map_err(StoreError::from)?;
    let rows = stmt
        .query_map(params_from_iter(&ids), |r| {
            let value2: String = r.get(3)?;
            let unlimited: bool = r.get(6)?;
            let stock: Option<i64> = r.get(5)?;
            let price: Option<i64> = r.get(4)?;
            let mut values = vec![r.get::<_, String>(2)?];
            if !value2.is_empty() {
                values.push(value2);
            }
            Ok((
                r.get::<_, String>(0)?,
                Variant {
                    id: r.get(1)?,
                    values,
                    price: price.map(Rupiah::new),
                    stock: if unlimited {
                        Some(Stock::Unlimited)
                    } else {
                        stock.map(Stock::Limited)
                    },
                    sku: r.get(7)?,
                },
            ))
        })
        .map_err(StoreError::from)?;
    for row in rows {
        let (pid, v) = row.map_err(StoreError::from)?;
        if let Some(&i) = index.get(&pid) {
            products[i].variants.push(v);
        }
    }

    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT pp.product_id, p.hash, p.mime, p.width, p.height, p.thumb_mime, p.blurhash,
                    p.thumb_width, p.thumb_height
             FROM product_photos pp JOIN photos p ON p.hash = pp.photo_hash
             WHERE pp.product_id IN ({marks}) ORDER BY pp.product_id, pp.position"
        ))
        .map_err(StoreError::from)?;
    let rows = stmt
        .query_map(params_from_iter(&ids), |r| {
            Ok((
                r.get::<_, String>(0)?,
                PhotoRef {
                    hash: r.get(1)?,
                    mime: r.get(2)?,
                    width: r.get(3)?,
                    height: r.get(4)?,
                    thumb_mime: r.get(5)?,
                    blurhash: r.get(6)?,
                    thumb_width: r.get(7)?,
                    thumb_height: r.get(8)?,
                },
            ))
        })
        .map_err(StoreError::from)?;
    for row in rows {
        let (pid, photo) = row.map_err(StoreError::from)?;
        if let Some(&i) = index.get(&pid) {
            products[i].photos.push(photo);
        }
    }

    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT product_id, group_id FROM group_listings
             WHERE product_id IN ({marks}) ORDER BY product_id, listed_at, group_id"
        ))
        .map_err(StoreError::from)?;
    let rows = stmt
        .query_map(params_from_iter(&ids), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(StoreError::from)?;
    for row in rows {
        let (pid, gid) = row.map_err(StoreError::from)?;
        if let Some(&i) = index.get(&pid) {
            products[i].group_ids.push(gid);
        }
    }
    Ok(())
}

pub(super) fn list(c: &Connection, req: &PageRequest) -> Result<Page<Product>, Error> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM products
             WHERE archived = 0 AND (?1 IS NULL OR id < ?1)
             ORDER BY id DESC LIMIT ?2"
        ))
        .map_err(StoreError::from)?;
    // One row more than asked tells whether another page follows.
    let mut items = stmt
        .query_map(params![req.after, i64::from(req.limit) + 1], from_row)
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(StoreError::from)?;
    let more = items.len() > req.limit as usize;
    items.truncate(req.limit as usize);
    load_children(c, &mut items)?;
    let next_cursor = if more {
        items.last().map(|p| p.id.clone())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
