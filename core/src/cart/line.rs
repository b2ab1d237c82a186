//! A cart line checked against the latest catalog. Pure: the screen gets a typed state
//! for every line and nothing is silently dropped.

use crate::catalog::unit::allows_fraction;
use crate::catalog::{Product, Stock};
use crate::error::{Problem, ValidationError};
use crate::money::Rupiah;

/// Quantities are thousandths of the unit: 1,5 kg is 1500; 2 pcs is 2000.
pub const MILLI: i64 = 1000;
pub const MAX_QUANTITY_MILLI: i64 = 10_000 * MILLI;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartLine {
    pub id: String,
    pub product_id: String,
    pub variant_id: Option<String>,
    pub quantity_milli: i64,
    /// The price of one unit when it was added.
    pub price_seen: Rupiah,
    /// "pedas", "tanpa bawang".
    pub note: String,
    pub added_at: i64,
    pub updated_at: i64,
}

/// What a screen must say about a line before checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineState {
    Ok,
    /// The seller changed the price since it was added.
    PriceChanged {
        was: Rupiah,
        now: Rupiah,
    },
    OutOfStock,
    /// Fewer left than the line asks for.
    NotEnoughStock {
        available_milli: i64,
    },
    /// Archived by the seller, or the variant no longer exists.
    Unavailable,
    /// Not in this phone's catalog at all (not synced yet, or deleted).
    Missing,
    /// A pre-order: it ships after this many days. Informational; checkout allowed.
    PreOrder {
        days: u32,
    },
}

impl LineState {
    /// What the cart screen says about the line (empty when all is well).
    pub fn message(&self, unit: &str) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            LineState::Ok => Text::new("", ""),
            LineState::PriceChanged { was, now } => Text::new(
                format!("Harga berubah dari {was} menjadi {now}"),
                format!("The price changed from {was} to {now}"),
            ),
            LineState::OutOfStock => Text::new("Stok habis", "Out of stock"),
            LineState::NotEnoughStock { available_milli } => {
                let left = format!("{} {unit}", crate::order::format_quantity(*available_milli));
                let left = left.trim_end();
                Text::new(format!("Stok tinggal {left}"), format!("Only {left} left"))
            }
            LineState::Unavailable => {
                Text::new("Produk tidak tersedia lagi", "No longer available")
            }
            LineState::Missing => Text::new("Produk tidak ditemukan", "Product not found"),
            LineState::PreOrder { days } => Text::new(
                format!("Pre-order: dikirim dalam {days} hari"),
                format!("Pre-order: ships in {days} days"),
            ),
        }
    }

    /// Whether checkout may go ahead with this line as it is.
    pub fn blocks_checkout(&self) -> bool {
        !matches!(self, LineState::Ok | LineState::PreOrder { .. })
    }
}

/// Checks a quantity against the product's unit: fractions only for kg, liter...
pub fn check_quantity(quantity_milli: i64, unit: &str) -> Result<i64, ValidationError> {
    if quantity_milli <= 0 {
        return Err(ValidationError::new(
            "quantity",
            Problem::TooSmall { min: 1 },
        ));
    }
    if quantity_milli > MAX_QUANTITY_MILLI {
        return Err(ValidationError::new(
            "quantity",
            Problem::TooLarge {
                max: MAX_QUANTITY_MILLI / MILLI,
            },
        ));
    }
    if quantity_milli % MILLI != 0 && !allows_fraction(unit) {
        return Err(ValidationError::new("quantity", Problem::Invalid));
    }
    Ok(quantity_milli)
}

/// Price × quantity, rounded to the nearest rupiah (1,5 kg × Rp33.333).
pub fn line_total(unit_price: Rupiah, quantity_milli: i64) -> Option<Rupiah> {
    let milli = i128::from(unit_price.idr()) * i128::from(quantity_milli);
    let idr = (milli + i128::from(MILLI) / 2) / i128::from(MILLI);
    i64::try_from(idr).ok().map(Rupiah::new)
}

/// The line's state against `product` (None: not in the catalog).
pub fn revalidate(line: &CartLine, product: Option<&Product>) -> (LineState, Option<Rupiah>) {
    let Some(p) = product else {
        return (LineState::Missing, None);
    };
    if p.archived {
        return (LineState::Unavailable, None);
    }
    let variant = match &line.variant_id {
        Some(id) => match p.variants.iter().find(|v| &v.id == id) {
            Some(v) => Some(v),
            None => return (LineState::Unavailable, None),
        },
        // A product with variants needs one chosen.
        None if !p.variants.is_empty() => return (LineState::Unavailable, None),
        None => None,
    };
    let price = p.price_of(line.variant_id.as_deref());
    let stock = variant.and_then(|v| v.stock).unwrap_or(p.stock);
    let state = match stock {
        Stock::Limited(0) => LineState::OutOfStock,
        Stock::Limited(n) if n.saturating_mul(MILLI) < line.quantity_milli => {
            LineState::NotEnoughStock {
                available_milli: n.saturating_mul(MILLI),
            }
        }
        _ if price != line.price_seen => LineState::PriceChanged {
            was: line.price_seen,
            now: price,
        },
        _ => match p.preorder_days {
            Some(days) => LineState::PreOrder { days },
            None => LineState::Ok,
        },
    };
    (state, Some(price))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{NewProduct, NewVariant, VariantOption};
    use proptest::prelude::*;

    fn product(stock: Stock) -> Product {
        let mut n = NewProduct::new("0190a3e0-7d2c-7cc0-8000-0000000000a1", "Kaos", 40_000);
        n.stock = stock;
        n.options = vec![VariantOption {
            name: "Warna".into(),
            values: vec!["Hitam".into(), "Navy".into()],
        }];
        n.variants = vec![NewVariant {
            values: vec!["Navy".into()],
            price: Some("45rb".into()),
            stock: Some(Stock::Limited(1)),
            sku: None,
        }];
        let mut k = 0;
        n.validate(
            &mut || {
                k += 1;
                format!("id-{k}")
            },
            1,
        )
        .expect("valid")
    }

    fn line(p: &Product, variant: usize, qty: i64, seen: i64) -> CartLine {
        CartLine {
            id: "l".into(),
            product_id: p.id.clone(),
            variant_id: Some(p.variants[variant].id.clone()),
            quantity_milli: qty * MILLI,
            price_seen: Rupiah::new(seen),
            note: String::new(),
            added_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn every_problem_is_a_state_the_screen_can_show() {
        let p = product(Stock::Limited(10));
        assert_eq!(
            revalidate(&line(&p, 0, 2, 40_000), Some(&p)).0,
            LineState::Ok
        );
        assert_eq!(
            revalidate(&line(&p, 0, 2, 35_000), Some(&p)).0,
            LineState::PriceChanged {
                was: Rupiah::new(35_000),
                now: Rupiah::new(40_000)
            }
        );
        assert_eq!(
            revalidate(&line(&p, 1, 2, 45_000), Some(&p)).0,
            LineState::NotEnoughStock {
                available_milli: 1000
            }
        );
        let sold_out = product(Stock::Limited(0));
        assert_eq!(
            revalidate(&line(&sold_out, 0, 1, 40_000), Some(&sold_out)).0,
            LineState::OutOfStock
        );
        let mut archived = p.clone();
        archived.archived = true;
        assert_eq!(
            revalidate(&line(&p, 0, 1, 40_000), Some(&archived)).0,
            LineState::Unavailable
        );
        assert_eq!(
            revalidate(&line(&p, 0, 1, 40_000), None).0,
            LineState::Missing
        );
        let mut no_variant = line(&p, 0, 1, 40_000);
        no_variant.variant_id = None;
        assert_eq!(revalidate(&no_variant, Some(&p)).0, LineState::Unavailable);
        let mut po = p.clone();
        po.preorder_days = Some(3);
        let (state, _) = revalidate(&line(&po, 0, 1, 40_000), Some(&po));
        assert_eq!(state, LineState::PreOrder { days: 3 });
        assert!(!state.blocks_checkout());
        assert_eq!(state.message("pcs").id, "Pre-order: dikirim dalam 3 hari");
        let few = LineState::NotEnoughStock {
            available_milli: 1500,
        };
        assert_eq!(few.message("kg").id, "Stok tinggal 1,5 kg");
    }

    #[test]
    fn quantities_follow_the_unit() {
        assert_eq!(check_quantity(1500, "kg"), Ok(1500));
        assert_eq!(
            check_quantity(1500, "pcs").expect_err("fraction").field,
            "quantity"
        );
        assert!(check_quantity(0, "kg").is_err());
        assert!(check_quantity(MAX_QUANTITY_MILLI + 1, "pcs").is_err());
    }

    #[test]
    fn totals_round_to_the_rupiah() {
        assert_eq!(
            line_total(Rupiah::new(33_333), 1500),
            Some(Rupiah::new(50_000))
        );
        assert_eq!(
            line_total(Rupiah::new(25_000), 2000),
            Some(Rupiah::new(50_000))
        );
    }

    proptest! {
        #[test]
        fn a_line_total_is_price_times_quantity_within_half_a_rupiah(price in 1i64..1_000_000_000_000, milli in 1i64..MAX_QUANTITY_MILLI) {
            let total = line_total(Rupiah::new(price), milli).expect("fits");
            let exact = i128::from(price) * i128::from(milli);
            let diff = i128::from(total.idr()) * 1000 - exact;
            prop_assert!(diff.abs() <= 500);
        }
    }
}
