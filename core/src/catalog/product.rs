//! A product and the rules for what a seller may type into one. Pure functions.

use crate::error::{Problem, ValidationError};
use crate::money::Rupiah;

pub const NAME_MAX_CHARS: usize = 120;
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
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
}

#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// UUIDv7, made on the device.
    pub id: String,
    pub name: String,
    pub description: String,
    pub price: Rupiah,
    pub stock: Stock,
    pub archived: bool,
    /// UTC milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a seller fills in to list a product.
#[derive(Clone, Debug, PartialEq)]
pub struct NewProduct {
    pub name: String,
    pub description: String,
    pub price_idr: i64,
    pub stock: Stock,
}

/// A change to some fields of a product; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_idr: Option<i64>,
    pub stock: Option<Stock>,
    pub archived: Option<bool>,
}

impl NewProduct {
    /// Checks every field and returns the product as it will be stored.
    pub fn validate(self, id: String, now_ms: i64) -> Result<Product, ValidationError> {
        Ok(Product {
            id,
            name: clean_name(&self.name)?,
            description: clean_description(&self.description)?,
            price: check_price(self.price_idr)?,
            stock: check_stock(self.stock)?,
            archived: false,
            created_at: now_ms,
            updated_at: now_ms,
        })
    }
}

impl ProductPatch {
    pub fn apply(self, mut p: Product, now_ms: i64) -> Result<Product, ValidationError> {
        if let Some(name) = self.name {
            p.name = clean_name(&name)?;
        }
        if let Some(description) = self.description {
            p.description = clean_description(&description)?;
        }
        if let Some(price) = self.price_idr {
            p.price = check_price(price)?;
        }
        if let Some(stock) = self.stock {
            p.stock = check_stock(stock)?;
        }
        if let Some(archived) = self.archived {
            p.archived = archived;
        }
        // Never move backwards, even if the phone's clock did.
        p.updated_at = now_ms.max(p.updated_at);
        Ok(p)
    }
}

pub(crate) fn check_id(id: &str) -> Result<(), ValidationError> {
    if crate::id::is_valid(id) {
        Ok(())
    } else {
        Err(ValidationError::new("id", Problem::MalformedId))
    }
}

/// Trims, folds runs of white space into one space and drops control characters:
/// names are shown on one line and searched, so invisible differences must not exist.
fn clean_name(raw: &str) -> Result<String, ValidationError> {
    let name = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        return Err(ValidationError::new("name", Problem::Required));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(ValidationError::new(
            "name",
            Problem::TooLong {
                max: NAME_MAX_CHARS,
            },
        ));
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
        return Err(ValidationError::new(
            "description",
            Problem::TooLong {
                max: DESCRIPTION_MAX_CHARS,
            },
        ));
    }
    Ok(text)
}

fn check_price(idr: i64) -> Result<Rupiah, ValidationError> {
    if idr < 1 {
        return Err(ValidationError::new(
            "price_idr",
            Problem::TooSmall { min: 1 },
        ));
    }
    if idr > PRICE_MAX_IDR {
        return Err(ValidationError::new(
            "price_idr",
            Problem::TooLarge { max: PRICE_MAX_IDR },
        ));
    }
    Ok(Rupiah::new(idr))
}

fn check_stock(stock: Stock) -> Result<Stock, ValidationError> {
    match stock {
        Stock::Limited(n) if n < 0 => {
            Err(ValidationError::new("stock", Problem::TooSmall { min: 0 }))
        }
        Stock::Limited(n) if n > STOCK_MAX => Err(ValidationError::new(
            "stock",
            Problem::TooLarge { max: STOCK_MAX },
        )),
        s => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(name: &str, price: i64) -> NewProduct {
        NewProduct {
            name: name.into(),
            description: String::new(),
            price_idr: price,
            stock: Stock::Limited(5),
        }
    }

    #[test]
    fn names_are_cleaned_the_way_they_are_shown() {
        let p = new("  Donat \t coklat\u{0}  isi   6 ", 25_000)
            .validate("x".into(), 1)
            .expect("valid");
        assert_eq!(p.name, "Donat coklat isi 6");
    }

    #[test]
    fn each_bad_field_is_named() {
        let field = |n: NewProduct| n.validate("x".into(), 1).expect_err("invalid").field;
        assert_eq!(field(new("   ", 25_000)), "name");
        assert_eq!(field(new(&"a".repeat(121), 25_000)), "name");
        assert_eq!(field(new("Donat", 0)), "price_idr");
        assert_eq!(field(new("Donat", -5)), "price_idr");
        assert_eq!(field(new("Donat", PRICE_MAX_IDR + 1)), "price_idr");
        let mut n = new("Donat", 1);
        n.stock = Stock::Limited(-1);
        assert_eq!(field(n), "stock");
        let mut n = new("Donat", 1);
        n.description = "x".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert_eq!(field(n), "description");
    }

    #[test]
    fn a_120_character_name_of_emoji_and_accents_fits() {
        let name = "é🍩".repeat(60);
        assert!(new(&name, 1).validate("x".into(), 1).is_ok());
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_time_never_goes_back() {
        let p = new("Donat", 25_000)
            .validate("x".into(), 100)
            .expect("valid");
        let patched = ProductPatch {
            price_idr: Some(27_000),
            ..Default::default()
        }
        .apply(p.clone(), 50)
        .expect("valid");
        assert_eq!(patched.price, Rupiah::new(27_000));
        assert_eq!(patched.name, p.name);
        assert_eq!(patched.stock, p.stock);
        assert_eq!(patched.updated_at, 100);
        let bad = ProductPatch {
            name: Some(" ".into()),
            ..Default::default()
        }
        .apply(p, 200);
        assert_eq!(bad.expect_err("invalid").field, "name");
    }
}
