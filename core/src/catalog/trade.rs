//! Selling through others, on the catalog: a supplier opens a product to resellers, a
//! reseller lists it in their own shop at their own price, a seller keeps stock at a
//! fulfilment partner's warehouse. Saved and queued like any product edit; the server
//! checks each against the other party's product.

use super::product::{Product, Stock, check_id};
use super::{Catalog, store};
use crate::error::{Error, Problem, ValidationError};
use crate::money::Rupiah;
use crate::sync::wire::{ResaleDoc, StockAtDoc};
use crate::{Result, time};

/// A supplier's terms for resellers of one product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResaleTerms {
    /// What the supplier earns per unit a reseller sells.
    pub supply_price: Rupiah,
    /// The lowest and highest price a reseller may sell at.
    pub min_price: Rupiah,
    pub max_price: Rupiah,
}

impl ResaleTerms {
    /// The supplier's price at most the lowest resale price, that at most the highest.
    pub fn check(self) -> std::result::Result<ResaleDoc, ValidationError> {
        let (s, lo, hi) = (
            self.supply_price.idr(),
            self.min_price.idr(),
            self.max_price.idr(),
        );
        if s <= 0 {
            return Err(ValidationError::new("supply_price", Problem::Invalid));
        }
        if lo < s {
            return Err(ValidationError::new(
                "min_price",
                Problem::TooSmall { min: s },
            ));
        }
        if hi < lo || hi > super::PRICE_MAX_IDR {
            return Err(ValidationError::new("max_price", Problem::Invalid));
        }
        Ok(ResaleDoc {
            supply_price_idr: s,
            min_price_idr: lo,
            max_price_idr: hi,
        })
    }
}

impl From<ResaleDoc> for ResaleTerms {
    fn from(d: ResaleDoc) -> Self {
        ResaleTerms {
            supply_price: Rupiah::new(d.supply_price_idr),
            min_price: Rupiah::new(d.min_price_idr),
            max_price: Rupiah::new(d.max_price_idr),
        }
    }
}

/// Most partners a product's stock may be spread over (the server's bound too).
pub const PARTNERS_MAX: usize = 10;

/// A reseller's listing of `source` at `price` in `group_ids`: the supplier's name,
/// description, unit, weight, variants (at the listing's price) and photos; no stock
/// of its own (the supplier's is sold). Pure; `id` and `now` come in.
pub fn resale_listing(
    source: &Product,
    reseller_id: &str,
    price: Rupiah,
    group_ids: Vec<String>,
    id: String,
    now: i64,
) -> std::result::Result<Product, ValidationError> {
    let terms: ResaleTerms = source
        .trade
        .resale
        .ok_or_else(|| ValidationError::new("product", Problem::Invalid))?
        .into();
    if price < terms.min_price {
        return Err(ValidationError::new(
            "price",
            Problem::TooSmall {
                min: terms.min_price.idr(),
            },
        ));
    }
    if price > terms.max_price {
        return Err(ValidationError::new(
            "price",
            Problem::TooLarge {
                max: terms.max_price.idr(),
            },
        ));
    }
    if source.seller_id.as_deref() == Some(reseller_id) {
        return Err(ValidationError::new("product", Problem::Invalid));
    }
    let mut listing = source.clone();
    listing.id = id;
    listing.source_id = None;
    listing.seller_id = Some(reseller_id.to_owned());
    listing.price = price;
    listing.stock = Stock::Unlimited;
    for v in &mut listing.variants {
        // One price for every variant: the supplier's bounds are per product.
        v.price = None;
        v.stock = None;
    }
    listing.group_ids = group_ids;
    listing.archived = false;
    listing.created_at = now;
    listing.updated_at = now;
    listing.trade = super::Trade {
        resale: None,
        resale_of: Some(source.id.clone()),
        stock_at: Vec::new(),
    };
    Ok(listing)
}

impl Catalog {
    /// Saves a change to a product's [`super::Trade`], as an edit of the signed-in
    /// seller's product.
    fn edit_trade(
        &self,
        id: &str,
        edit: impl FnOnce(&mut Product) -> std::result::Result<(), ValidationError>,
    ) -> Result<Product> {
        check_id("id", id)?;
        let product = self.db.write(|tx| {
            let current = store::get(tx, id)?;
            let mut updated = current.clone();
            edit(&mut updated)?;
            updated.updated_at = time::now_ms().max(current.updated_at);
            store::update(tx, &updated)?;
            let saved = store::get(tx, id)?;
            crate::sync::outbox::product_saved(tx, Some(&current), &saved)?;
            Ok::<_, Error>(saved)
        })?;
        Ok(self.saved(product))
    }

    /// The supplier opens `id` to resellers on `terms` (`None` closes it: listings made
    /// stop selling).
    pub fn open_for_resale_blocking(
        &self,
        id: &str,
        terms: Option<ResaleTerms>,
    ) -> Result<Product> {
        let doc = terms.map(ResaleTerms::check).transpose()?;
        self.edit_trade(id, |p| {
            if p.trade.resale_of.is_some() {
                return Err(ValidationError::new("product", Problem::Invalid));
            }
            p.trade.resale = doc;
            Ok(())
        })
    }

    /// The signed-in reseller lists the supplier's `source_id` in their shop and
    /// `group_ids` at `price`, within the supplier's bounds.
    pub fn resell_blocking(
        &self,
        source_id: &str,
        reseller_id: &str,
        price: Rupiah,
        group_ids: Vec<String>,
    ) -> Result<Product> {
        check_id("product_id", source_id)?;
        check_id("seller_id", reseller_id)?;
        let groups = super::product::check_groups(group_ids)?;
        let product = self.db.write(|tx| {
            let source = store::get(tx, source_id)?;
            let listing = resale_listing(
                &source,
                reseller_id,
                price,
                groups,
                crate::id::new_id(),
                time::now_ms(),
            )?;
            store::insert(tx, &listing)?;
            let saved = store::get(tx, &listing.id)?;
            crate::sync::outbox::product_saved(tx, None, &saved)?;
            Ok::<_, Error>(saved)
        })?;
        Ok(self.saved(product))
    }

    /// Keeps `units` of product `id` at `partner_id`'s warehouse (0 takes them all
    /// back), counted apart from the stock at home.
    pub fn assign_stock_blocking(&self, id: &str, partner_id: &str, units: i64) -> Result<Product> {
        check_id("partner_id", partner_id)?;
        if !(0..=super::STOCK_MAX).contains(&units) {
            return Err(ValidationError::new("stock", Problem::Invalid).into());
        }
        self.edit_trade(id, |p| {
            if p.seller_id.as_deref() == Some(partner_id) || p.trade.resale_of.is_some() {
                return Err(ValidationError::new("partner_id", Problem::Invalid));
            }
            let at = &mut p.trade.stock_at;
            match at.iter().position(|s| s.partner_id == partner_id) {
                Some(i) => at[i].stock = units,
                None if units == 0 => {}
                None if at.len() >= PARTNERS_MAX => {
                    return Err(ValidationError::new(
                        "partner_id",
                        Problem::TooLarge {
                            max: PARTNERS_MAX as i64,
                        },
                    ));
                }
                None => at.push(StockAtDoc {
                    partner_id: partner_id.to_owned(),
                    stock: units,
                }),
            }
            at.retain(|s| s.stock > 0);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supplier_product() -> Product {
        Product {
            id: "src".into(),
            source_id: Some("DNT-01".into()),
            seller_id: Some("supplier".into()),
            name: "Donat coklat".into(),
            description: "isi 6".into(),
            price: Rupiah::new(30_000),
            unit: "box".into(),
            weight_grams: 500,
            stock: Stock::Limited(40),
            preorder_days: None,
            category: None,
            options: Vec::new(),
            variants: Vec::new(),
            photos: Vec::new(),
            group_ids: vec!["g-supplier".into()],
            archived: false,
            created_at: 1,
            updated_at: 1,
            trade: super::super::Trade {
                resale: Some(ResaleDoc {
                    supply_price_idr: 20_000,
                    min_price_idr: 25_000,
                    max_price_idr: 35_000,
                }),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_listing_sells_the_suppliers_goods_at_the_resellers_price() {
        let source = supplier_product();
        let listing = resale_listing(
            &source,
            "reseller",
            Rupiah::new(32_000),
            vec!["g-reseller".into()],
            "l1".into(),
            9,
        )
        .expect("within bounds");
        assert_eq!(listing.seller_id.as_deref(), Some("reseller"));
        assert_eq!(listing.price, Rupiah::new(32_000));
        assert_eq!(
            listing.stock,
            Stock::Unlimited,
            "the supplier's stock is sold"
        );
        assert_eq!(listing.trade.resale_of.as_deref(), Some("src"));
        assert_eq!(
            listing.trade.resale, None,
            "a listing cannot be resold again"
        );
        assert_eq!(listing.source_id, None);
        assert_eq!(listing.group_ids, vec!["g-reseller".to_owned()]);
        assert_eq!(listing.name, "Donat coklat");

        for (price, field_problem) in [
            (24_999, Problem::TooSmall { min: 25_000 }),
            (35_001, Problem::TooLarge { max: 35_000 }),
        ] {
            let err = resale_listing(
                &source,
                "reseller",
                Rupiah::new(price),
                vec![],
                "l2".into(),
                9,
            )
            .expect_err("outside the bounds");
            assert_eq!(err, ValidationError::new("price", field_problem));
        }
        assert!(
            resale_listing(
                &source,
                "supplier",
                Rupiah::new(30_000),
                vec![],
                "l3".into(),
                9
            )
            .is_err(),
            "nobody resells their own product"
        );
    }

    #[test]
    fn resale_terms_keep_the_supplier_below_the_resellers() {
        let terms = |s, lo, hi| ResaleTerms {
            supply_price: Rupiah::new(s),
            min_price: Rupiah::new(lo),
            max_price: Rupiah::new(hi),
        };
        assert!(terms(20_000, 25_000, 35_000).check().is_ok());
        assert!(terms(20_000, 20_000, 20_000).check().is_ok());
        assert!(terms(0, 25_000, 35_000).check().is_err());
        assert!(terms(26_000, 25_000, 35_000).check().is_err());
        assert!(terms(20_000, 36_000, 35_000).check().is_err());
    }
}
