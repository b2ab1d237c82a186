//! The catalog's SQL. Every value from outside is bound as a parameter, never spliced.

use super::product::{Product, Stock};
use crate::error::{Error, Problem, Thing, ValidationError};
use crate::money::Rupiah;
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params};

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
        let limit = match self.limit {
            0 => PAGE_DEFAULT,
            n if n > PAGE_MAX => {
                return Err(ValidationError::new(
                    "limit",
                    Problem::TooLarge {
                        max: i64::from(PAGE_MAX),
                    },
                ));
            }
            n => n,
        };
        Ok(PageRequest {
            after: self.after.clone(),
            limit,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to read the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

const COLUMNS: &str = "id, name, description, price_idr, stock, archived, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        price: Rupiah::new(r.get(3)?),
        stock: Stock::from_column(r.get(4)?),
        archived: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

pub(super) fn insert(c: &Connection, p: &Product) -> Result<(), StoreError> {
    c.prepare_cached(&format!(
        "INSERT INTO products ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?
    .execute(params![
        p.id,
        p.name,
        p.description,
        p.price.idr(),
        p.stock.to_column(),
        p.archived,
        p.created_at,
        p.updated_at
    ])?;
    Ok(())
}

pub(super) fn update(c: &Connection, p: &Product) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE products SET name = ?2, description = ?3, price_idr = ?4, stock = ?5,
                archived = ?6, updated_at = ?7 WHERE id = ?1",
    )?
    .execute(params![
        p.id,
        p.name,
        p.description,
        p.price.idr(),
        p.stock.to_column(),
        p.archived,
        p.updated_at
    ])?;
    Ok(())
}

pub(super) fn get(c: &Connection, id: &str) -> Result<Product, Error> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM products WHERE id = ?1"))
        .map_err(StoreError::from)?
        .query_row([id], from_row)
        .optional()
        .map_err(StoreError::from)?
        .ok_or_else(|| Error::NotFound {
            thing: Thing::Product,
            id: id.to_owned(),
        })
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
    let next_cursor = if more {
        items.last().map(|p| p.id.clone())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
