//! The buyer's cart: kept on the phone, works offline, grouped by seller, and checked
//! against the latest catalog before checkout.

pub mod line;

pub use line::{CartLine, LineState, MILLI, check_quantity, line_total, revalidate};

use crate::error::{Error, Thing};
use crate::money::Rupiah;
use crate::store::{Database, StoreError};
use crate::{Result, catalog, id, time};
use rusqlite::{Connection, OptionalExtension, params};
use std::sync::Arc;

/// A line to add with others in one go ([`Cart::add_all_blocking`]): its variant named
/// by option values as people say them ("Rasa" → "Keju"), not by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLine {
    pub product_id: String,
    /// (option name, value), as the catalog spells them; ignored for a product without
    /// variants.
    pub variant: Vec<(String, String)>,
    /// Thousandths of the product's unit.
    pub quantity_milli: i64,
    pub note: String,
}

/// A line as the cart screen shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CartItem {
    pub line: CartLine,
    /// Empty when the product is missing from the catalog.
    pub product_name: String,
    pub unit: String,
    /// "Navy / L", empty without variants.
    pub variant_label: String,
    /// The price now (None when the product is gone).
    pub price: Option<Rupiah>,
    /// price × quantity, at the current price.
    pub total: Option<Rupiah>,
    pub state: LineState,
}

/// The lines of one seller: they become one order at checkout.
#[derive(Clone, Debug, PartialEq)]
pub struct SellerCart {
    pub seller_id: Option<String>,
    pub seller_name: String,
    pub items: Vec<CartItem>,
    pub subtotal: Rupiah,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CartView {
    pub sellers: Vec<SellerCart>,
    pub total: Rupiah,
    /// Whether any line must be fixed (or removed) before checkout.
    pub needs_attention: bool,
}

#[derive(Clone)]
pub struct Cart {
    db: Arc<Database>,
}

impl Cart {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        Cart { db }
    }

    /// Adds a product (and variant) to the cart; the same item again adds to its line.
    pub fn add_blocking(
        &self,
        product_id: &str,
        variant_id: Option<&str>,
        quantity_milli: i64,
        note: &str,
    ) -> Result<CartLine> {
        catalog::check_id("product_id", product_id)?;
        if let Some(v) = variant_id {
            catalog::check_id("variant_id", v)?;
        }
        let note = clean_note(note)?;
        self.db.write(|tx| {
            let product = available(tx, product_id)?;
            let valid_variant = match variant_id {
                Some(v) => product.variants.iter().any(|x| x.id == v),
                None => product.variants.is_empty(),
            };
            if !valid_variant {
                return Err(crate::error::ValidationError::new(
                    "variant_id",
                    crate::error::Problem::Invalid,
                )
                .into());
            }
            add_in(tx, &product, variant_id, quantity_milli, note)
        })
    }

    /// Adds several lines in one transaction, each product's variant chosen by the
    /// option values given (a chat draft's lines): all of them, or none when one is
    /// refused, with that line's error in [`Error::InLine`] (which line, its product).
    pub fn add_all_blocking(&self, lines: &[NewLine]) -> Result<Vec<CartLine>> {
        let in_line = |line: usize, name: &str, error: Error| Error::InLine {
            line,
            name: name.to_owned(),
            error: Box::new(error),
        };
        let outside = |line: usize, e: crate::error::ValidationError| in_line(line, "", e.into());
        // Outside input is checked before the transaction, so only the store's answers
        // (the product, its variants, the quantity its unit allows) are left inside it.
        let mut notes = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            catalog::check_id("product_id", &l.product_id).map_err(|e| outside(i, e))?;
            notes.push(clean_note(&l.note).map_err(|e| in_line(i, "", e))?);
        }
        self.db.write(|tx| {
            let mut added = Vec::with_capacity(lines.len());
            for (i, (l, note)) in lines.iter().zip(notes).enumerate() {
                let product = available(tx, &l.product_id).map_err(|e| in_line(i, "", e))?;
                let line = product
                    .variant_with(&l.variant)
                    .map_err(Error::from)
                    .and_then(|v| {
                        let variant_id = v.map(|v| v.id.clone());
                        add_in(tx, &product, variant_id.as_deref(), l.quantity_milli, note)
                    })
                    .map_err(|e| in_line(i, &product.name, e))?;
                added.push(line);
            }
            Ok(added)
        })
    }

    /// Sets a line's quantity (0 removes it) and note.
    pub fn update_blocking(
        &self,
        line_id: &str,
        quantity_milli: i64,
        note: Option<&str>,
    ) -> Result<()> {
        catalog::check_id("line_id", line_id)?;
        let note = note.map(clean_note).transpose()?;
        self.db.write(|tx| {
            let mut line = get(tx, line_id)?;
            if quantity_milli == 0 {
                tx.execute("DELETE FROM cart_lines WHERE id = ?1", [line_id])
                    .map_err(StoreError::from)?;
                return Ok(());
            }
            let unit = catalog::get_product_in(tx, &line.product_id)
                .map_or_else(|_| "pcs".to_owned(), |p| p.unit);
            line.quantity_milli = check_quantity(quantity_milli, &unit)?;
            if let Some(note) = note {
                line.note = note;
            }
            line.updated_at = time::now_ms();
            save(tx, &line)
        })
    }

    /// The buyer saw the new price and keeps the line: it becomes the price seen.
    pub fn accept_price_blocking(&self, line_id: &str) -> Result<()> {
        catalog::check_id("line_id", line_id)?;
        self.db.write(|tx| {
            let mut line = get(tx, line_id)?;
            let product = catalog::get_product_in(tx, &line.product_id)?;
            line.price_seen = product.price_of(line.variant_id.as_deref());
            line.updated_at = time::now_ms();
            save(tx, &line)
        })
    }

    pub fn remove_blocking(&self, line_id: &str) -> Result<()> {
        self.update_blocking(line_id, 0, None)
    }

    pub fn clear_blocking(&self) -> Result<()> {
        self.db.write(|tx| {
            tx.execute("DELETE FROM cart_lines", [])
                .map_err(StoreError::from)?;
            Ok(())
        })
    }

    pub fn lines_blocking(&self) -> Result<Vec<CartLine>> {
        self.db.read(all)
    }

    /// Brings a guest's cart (made before signing in) into this account's cart: the same
    /// item adds up, a note from the guest cart is kept when the line had none.
    pub fn merge_blocking(&self, guest: &[CartLine]) -> Result<()> {
        // Lines from another store are outside input: checked like any added line.
        for g in guest {
            catalog::check_id("product_id", &g.product_id)?;
            if let Some(v) = &g.variant_id {
                catalog::check_id("variant_id", v)?;
            }
            check_quantity(g.quantity_milli, "kg")?;
            clean_note(&g.note)?;
        }
        self.db.write(|tx| {
            for g in guest {
                let mut line = match find(tx, &g.product_id, g.variant_id.as_deref())? {
                    Some(mut l) => {
                        l.quantity_milli = l
                            .quantity_milli
                            .saturating_add(g.quantity_milli)
                            .min(line::MAX_QUANTITY_MILLI);
                        if l.note.is_empty() {
                            l.note = g.note.clone();
                        }
                        l
                    }
                    None => CartLine {
                        id: id::new_id(),
                        ..g.clone()
                    },
                };
                line.updated_at = time::now_ms();
                save(tx, &line)?;
            }
            Ok(())
        })
    }

    /// The cart grouped by seller, every line checked against the catalog now.
    pub fn view_blocking(&self) -> Result<CartView> {
        self.db.read(|c| {
            let lines = all(c)?;
            let mut sellers: Vec<SellerCart> = Vec::new();
            let mut needs_attention = false;
            for line in lines {
                let product = catalog::get_product_in(c, &line.product_id).ok();
                let (state, price) = revalidate(&line, product.as_ref());
                needs_attention |= state.blocks_checkout();
                let total = price.and_then(|p| line_total(p, line.quantity_milli));
                let seller_id = product.as_ref().and_then(|p| p.seller_id.clone());
                let item = CartItem {
                    product_name: product.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                    unit: product.as_ref().map(|p| p.unit.clone()).unwrap_or_default(),
                    variant_label: product
                        .as_ref()
                        .and_then(|p| {
                            p.variants
                                .iter()
                                .find(|v| Some(&v.id) == line.variant_id.as_ref())
                        })
                        .map(|v| v.values.join(" / "))
                        .unwrap_or_default(),
                    price,
                    total,
                    state,
                    line,
                };
                let counts = !item.state.blocks_checkout();
                let add = if counts {
                    item.total.unwrap_or(Rupiah::ZERO)
                } else {
                    Rupiah::ZERO
                };
                match sellers.iter_mut().find(|s| s.seller_id == seller_id) {
                    Some(s) => {
                        s.subtotal = s.subtotal.checked_add(add).unwrap_or(s.subtotal);
                        s.items.push(item);
                    }
                    None => {
                        let seller_name = match &seller_id {
                            Some(id) => crate::account::get(c, id)
                                .map(|a| a.name)
                                .unwrap_or_default(),
                            None => String::new(),
                        };
                        sellers.push(SellerCart {
                            seller_id,
                            seller_name,
                            items: vec![item],
                            subtotal: add,
                        });
                    }
                }
            }
            let total =
                Rupiah::checked_sum(sellers.iter().map(|s| s.subtotal)).unwrap_or(Rupiah::ZERO);
            Ok(CartView {
                sellers,
                total,
                needs_attention,
            })
        })
    }
}

/// A product that can go into the cart now (not archived).
fn available(c: &Connection, product_id: &str) -> Result<catalog::Product> {
    let product = catalog::get_product_in(c, product_id)?;
    if product.archived {
        return Err(Error::NotFound {
            thing: Thing::Product,
            id: product_id.to_owned(),
        });
    }
    Ok(product)
}

/// Adds to the product's line (or makes it), in the caller's transaction.
fn add_in(
    c: &Connection,
    product: &catalog::Product,
    variant_id: Option<&str>,
    quantity_milli: i64,
    note: String,
) -> Result<CartLine> {
    let existing = find(c, &product.id, variant_id)?;
    let quantity = check_quantity(
        existing
            .as_ref()
            .map_or(0, |l| l.quantity_milli)
            .saturating_add(quantity_milli),
        &product.unit,
    )?;
    let now = time::now_ms();
    let line = match existing {
        Some(mut l) => {
            l.quantity_milli = quantity;
            if !note.is_empty() {
                l.note = note;
            }
            l.updated_at = now;
            l
        }
        None => CartLine {
            id: id::new_id(),
            product_id: product.id.clone(),
            variant_id: variant_id.map(str::to_owned),
            quantity_milli: quantity,
            price_seen: product.price_of(variant_id),
            note,
            added_at: now,
            updated_at: now,
        },
    };
    save(c, &line)?;
    Ok(line)
}

const NOTE_MAX_CHARS: usize = 200;

fn clean_note(raw: &str) -> Result<String> {
    let note = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(crate::error::ValidationError::new(
            "note",
            crate::error::Problem::TooLong {
                max: NOTE_MAX_CHARS,
            },
        )
        .into());
    }
    Ok(note)
}

const COLUMNS: &str =
    "id, product_id, variant_id, quantity_milli, price_seen_idr, note, added_at, updated_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CartLine> {
    Ok(CartLine {
        id: r.get(0)?,
        product_id: r.get(1)?,
        variant_id: r.get(2)?,
        quantity_milli: r.get(3)?,
        price_seen: Rupiah::new(r.get(4)?),
        note: r.get(5)?,
        added_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

/// Every line, oldest first (checkout reads them inside its own transaction).
pub(crate) fn all_lines(c: &Connection) -> Result<Vec<CartLine>> {
    all(c)
}

fn all(c: &Connection) -> Result<Vec<CartLine>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cart_lines ORDER BY added_at, id"
    ))
    .map_err(StoreError::from)?
    .query_map([], from_row)
    .map_err(StoreError::from)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(StoreError::from)?)
}

fn get(c: &Connection, id: &str) -> Result<CartLine> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM cart_lines WHERE id = ?1"))
        .map_err(StoreError::from)?
        .query_row([id], from_row)
        .optional()
        .map_err(StoreError::from)?
        .ok_or_else(|| Error::NotFound {
            thing: Thing::CartLine,
            id: id.to_owned(),
        })
}

fn find(c: &Connection, product_id: &str, variant_id: Option<&str>) -> Result<Option<CartLine>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cart_lines WHERE product_id = ?1 AND COALESCE(variant_id, '') = COALESCE(?2, '')"
    ))
    .map_err(StoreError::from)?
    .query_row(params![product_id, variant_id], from_row)
    .optional()
    .map_err(StoreError::from)?)
}

fn save(c: &Connection, l: &CartLine) -> Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO cart_lines ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET quantity_milli = excluded.quantity_milli,
             price_seen_idr = excluded.price_seen_idr, note = excluded.note, updated_at = excluded.updated_at"
    ))
    .map_err(StoreError::from)?
    .execute(params![
        l.id,
        l.product_id,
        l.variant_id,
        l.quantity_milli,
        l.price_seen.idr(),
        l.note,
        l.added_at,
        l.updated_at
    ])
    .map_err(StoreError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests;
