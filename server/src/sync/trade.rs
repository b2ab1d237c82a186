//! Promoters, resellers and fulfilment partners: the rules the server keeps for the
//! people who sell through others. Who may claim a code, which resale listing is
//! within its supplier's bounds, which partner ships an order, what commission an
//! order earns, and what each party's copy of an order may show.
//!
//! The phone's copy of these rules (`pasar_core::promo`, `order::status`) is what the
//! screens use offline; the server decides, as it does for prices and ongkir.

use super::rules::{Reject, invalid, load_product, not_allowed, profile, refuse, sees_listing};
use crate::store::Account;
use crate::store::sql::{SqlTx, Value};
use pasar_core::catalog::{PRICE_MAX_IDR, STOCK_MAX};
use pasar_core::money::Rupiah;
use pasar_core::promo::{CommissionRule, PromoCode};
use pasar_core::sync::wire::{
    CommissionDoc, OrderDoc, OrderItemDoc, ProductDoc, PromoterDoc, TermsDoc,
};

/// Partners a product's stock may be spread over.
const PARTNERS_MAX: usize = 10;

/// The signed-in account takes `code`, giving up its earlier one (orders already
/// attributed keep their promoter). Taken by someone else: a `conflict`, which the
/// phone shows with the next free suggestion.
pub(super) fn claim_code(
    tx: &mut dyn SqlTx,
    me: &Account,
    code: &str,
    now: i64,
) -> Result<(), Reject> {
    let code = PromoCode::parse(code).map_err(|_| invalid("code"))?;
    let holder = tx
        .query_opt(
            "SELECT account_id FROM promoter_codes WHERE code = ?1",
            &[code.as_str().into()],
        )?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text));
    match holder {
        Some(id) if id == me.id => return Ok(()),
        Some(_) => {
            return Err(refuse(
                "conflict",
                Some("code"),
                &format!("Kode {code} sudah dipakai orang lain. Coba kode lain."),
                &format!("The code {code} is taken. Try another one."),
            ));
        }
        None => {}
    }
    tx.execute(
        "DELETE FROM promoter_codes WHERE account_id = ?1",
        &[me.id.as_str().into()],
    )?;
    tx.execute(
        "INSERT INTO promoter_codes (code, account_id, created_at) VALUES (?1, ?2, ?3)",
        &[code.as_str().into(), me.id.as_str().into(), now.into()],
    )?;
    Ok(())
}

/// The core's rule for a wire rule, checked (at most half the price, more than zero).
pub(super) fn rule_of(doc: CommissionDoc) -> Option<CommissionRule> {
    match doc {
        CommissionDoc::Percent { basis_points } => CommissionRule::Percent { basis_points },
        CommissionDoc::PerItem { idr } if idr <= PRICE_MAX_IDR => CommissionRule::PerItem {
            amount: Rupiah::new(idr),
        },
        CommissionDoc::PerItem { .. } => return None,
    }
    .check()
    .ok()
}

/// A seller's terms may carry a commission rule only if it is one a seller can pay.
pub(super) fn check_terms(terms: &TermsDoc) -> Result<(), Reject> {
    match terms.commission {
        Some(doc) if rule_of(doc).is_none() => Err(invalid("commission")),
        _ => Ok(()),
    }
}

/// What a product write may say of resale and partner stock, checked on the merged
/// product: a supplier's bounds that make sense; a listing of a product open for
/// resale that its reseller can see, at a price within its bounds, with no stock of
/// its own; stock only at partners who exist, never at the seller. A listing is
/// checked against its supplier when its price, variants or source change, not when
/// its reseller archives it or edits its description (after leaving the supplier's
/// group, say).
pub(super) fn check_product(
    tx: &mut dyn SqlTx,
    me: &Account,
    p: &ProductDoc,
    changed: &[&str],
) -> Result<(), Reject> {
    let touches = |fields: &[&str]| changed.iter().any(|c| fields.contains(c));
    if let Some(r) = p.resale {
        let ok = 0 < r.supply_price_idr
            && r.supply_price_idr <= r.min_price_idr
            && r.min_price_idr <= r.max_price_idr
            && r.max_price_idr <= PRICE_MAX_IDR;
        if !ok || p.resale_of.is_some() {
            return Err(invalid("resale"));
        }
    }
    if let Some(source_id) = p.resale_of.as_ref().filter(|_| {
        !p.archived && touches(&["resale_of", "price_idr", "variants", "stock", "stock_at"])
    }) {
        let source = load_product(tx, source_id)?;
        let Some(source) = source.filter(|s| {
            s.seller.id != me.id && s.resale.is_some() && s.resale_of.is_none() && !s.archived
        }) else {
            return Err(refuse(
                "not_found",
                Some("resale_of"),
                "Produk pemasok ini tidak dibuka untuk reseller.",
                "The supplier's product is not open to resellers.",
            ));
        };
        if !sees_listing(tx, &source.id, &me.id)? {
            return Err(not_allowed(Some("resale_of")));
        }
        if p.stock.is_some() || !p.stock_at.is_empty() {
            return Err(invalid("stock"));
        }
        within_bounds(&source, p)?;
    }
    if !touches(&["stock_at"]) {
        return Ok(());
    }
    if p.stock_at.len() > PARTNERS_MAX {
        return Err(invalid("stock_at"));
    }
    for (i, s) in p.stock_at.iter().enumerate() {
        if s.partner_id == me.id
            || !(0..=STOCK_MAX).contains(&s.stock)
            || p.stock_at[..i].iter().any(|t| t.partner_id == s.partner_id)
            || profile(tx, &s.partner_id, false)?.is_none()
        {
            return Err(invalid("stock_at"));
        }
    }
    Ok(())
}

/// A listing's prices (its own and its variants') within its supplier's bounds, and its
/// variants the supplier's.
pub(super) fn within_bounds(source: &ProductDoc, listing: &ProductDoc) -> Result<(), Reject> {
    let Some(r) = source.resale else {
        return Err(invalid("resale_of"));
    };
    let prices = std::iter::once(listing.price_idr)
        .chain(listing.variants.iter().filter_map(|v| v.price_idr));
    for price in prices {
        if !(r.min_price_idr..=r.max_price_idr).contains(&price) {
            return Err(refuse(
                "conflict",
                Some("price"),
                &format!(
                    "Harga jual ulang harus antara {} dan {}.",
                    Rupiah::new(r.min_price_idr),
                    Rupiah::new(r.max_price_idr)
                ),
                &format!(
                    "The resale price must be between {} and {}.",
                    Rupiah::new(r.min_price_idr),
                    Rupiah::new(r.max_price_idr)
                ),
            ));
        }
    }
    if listing
        .variants
        .iter()
        .any(|v| !source.variants.iter().any(|s| s.id == v.id))
    {
        return Err(invalid("variants"));
    }
    Ok(())
}

/// The promoter an order came through, with its commission, or `None`: no code, a code
/// nobody holds, the buyer's or the seller's own code, or a seller who pays no
/// promoters. A referral never refuses an order: at worst nobody earns from it.
pub(super) fn promoter_for(
    tx: &mut dyn SqlTx,
    order: &OrderDoc,
    seller_id: &str,
    items: &[OrderItemDoc],
) -> Result<Option<PromoterDoc>, Reject> {
    let Some(code) = order
        .promoter
        .as_ref()
        .and_then(|p| PromoCode::parse(&p.code).ok())
    else {
        return Ok(None);
    };
    let Some(promoter_id) = tx
        .query_opt(
            "SELECT account_id FROM promoter_codes WHERE code = ?1",
            &[code.as_str().into()],
        )?
        .and_then(|r| r.into_iter().next().and_then(Value::into_text))
    else {
        return Ok(None);
    };
    if promoter_id == order.buyer.id || promoter_id == seller_id {
        return Ok(None);
    }
    let rule = tx
        .query_opt(
            "SELECT doc FROM seller_terms WHERE id = ?1",
            &[seller_id.into()],
        )?
        .and_then(|row| row.into_iter().next())
        .and_then(Value::into_text)
        .and_then(|t| serde_json::from_str::<TermsDoc>(&t).ok())
        .and_then(|t| t.commission)
        .and_then(rule_of);
    let Some(rule) = rule else {
        return Ok(None);
    };
    let commission = rule
        .commission(&commission_lines(items))
        .ok_or_else(|| invalid("total"))?;
    let name = profile(tx, &promoter_id, false)?
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(Some(PromoterDoc {
        code: code.as_str().to_owned(),
        id: promoter_id,
        name,
        commission_idr: commission.idr(),
    }))
}

/// An order's lines as the commission counts them: (unit price, units) for whole
/// units; a line sold by weight ("1,5 kg") as one unit of its total, so a percentage
/// is of what was paid and a fixed amount counts it once.
pub(super) fn commission_lines(items: &[OrderItemDoc]) -> Vec<(Rupiah, i64)> {
    items
        .iter()
        .map(|i| {
            if i.quantity_milli % 1000 == 0 {
                (Rupiah::new(i.unit_price_idr), i.quantity_milli / 1000)
            } else {
                (Rupiah::new(i.total_idr), 1)
            }
        })
        .collect()
}

/// The one fulfilment partner whose shelf holds every unit of a courier order, the
/// first found in the first product's list; `None` ships from the seller's home.
/// Products with a variant that counts its own stock ship from home: warehouses hold
/// a product's common stock.
pub(super) fn choose_partner(products: &[ProductDoc], items: &[OrderItemDoc]) -> Option<String> {
    let first = products
        .iter()
        .find(|p| Some(&p.id) == items.first().map(|i| &i.product_id))?;
    first
        .stock_at
        .iter()
        .map(|s| &s.partner_id)
        .find(|partner| {
            products.iter().all(|p| {
                let wanted: i64 = items
                    .iter()
                    .filter(|i| i.product_id == p.id)
                    .map(|i| super::rules::units_for(i.quantity_milli))
                    .sum();
                let own_count = items.iter().any(|i| {
                    i.product_id == p.id
                        && i.variant_id.as_ref().is_some_and(|v| {
                            p.variants
                                .iter()
                                .any(|x| &x.id == v && (x.unlimited || x.stock.is_some()))
                        })
                });
                !own_count
                    && p.stock_at
                        .iter()
                        .any(|s| &s.partner_id == *partner && s.stock >= wanted)
            })
        })
        .cloned()
}

/// What `viewer` may see of an order. The buyer sees the seller (a reseller) as the
/// seller, never the supplier, its price or the partner behind it, and of a promoter
/// only the code they used. A promoter sees what was bought, when and how it went,
/// and their commission, but not who bought it or where it goes. A partner sees what
/// a label and a packing list need, not the commission. The seller sees everything.
pub(crate) fn redact(order: &mut OrderDoc, viewer: &str) {
    if viewer == order.seller.id {
        return;
    }
    let is_partner = order.partner.as_ref().is_some_and(|p| p.id == viewer);
    if viewer == order.buyer.id {
        order.partner = None;
        order.supply = None;
        if let Some(p) = order.promoter.as_mut() {
            p.id.clear();
            p.name.clear();
            p.commission_idr = 0;
        }
        for e in &mut order.events {
            if e.role == "partner" {
                e.role = "seller".into();
                e.actor_id = None;
            }
        }
        for item in &mut order.items {
            hide_source(item);
        }
        return;
    }
    if is_partner {
        order.promoter = None;
        for item in &mut order.items {
            hide_source(item);
        }
        return;
    }
    // The promoter.
    order.buyer.phone = None;
    order.buyer.name = first_name(&order.buyer.name);
    order.address = None;
    order.note.clear();
    order.partner = None;
    order.supply = None;
    order.checkout_id.clear();
    order.kode_unik_idr = 0;
    for e in &mut order.events {
        e.actor_id = None;
        e.detail.clear();
    }
    for item in &mut order.items {
        item.note.clear();
        hide_source(item);
    }
}

/// Where an item's units came from is the seller's business.
fn hide_source(item: &mut OrderItemDoc) {
    item.reserved_units = 0;
    item.reserved_on.clear();
}

/// "Budi Santoso" → "Budi": a promoter knows a friend bought, not their full name.
fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or("").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pasar_core::sync::wire::{ProfileDoc, StockAtDoc, SupplyDoc};

    fn party(id: &str, name: &str) -> ProfileDoc {
        ProfileDoc {
            id: id.into(),
            name: name.into(),
            phone: Some(format!("+62812{id}")),
        }
    }

    fn item(product: &str, milli: i64, price: i64) -> OrderItemDoc {
        OrderItemDoc {
            product_id: product.into(),
            variant_id: None,
            name: product.into(),
            variant_label: String::new(),
            unit: "pcs".into(),
            quantity_milli: milli,
            unit_price_idr: price,
            total_idr: price * milli / 1000,
            note: "bungkus kado".into(),
            reserved_units: milli / 1000,
            reserved_on: "partner".into(),
        }
    }

    fn order() -> OrderDoc {
        serde_json::from_value(serde_json::json!({
            "id": "o1", "number": "7F3A2C", "checkout_id": "c1",
            "buyer": {"id": "b", "name": "Budi Santoso", "phone": "+628121"},
            "seller": {"id": "s", "name": "Toko Rina", "phone": "+628122"},
            "status": "processing", "payment": "cod", "delivery": "courier",
            "address": {"recipient": "Budi", "phone": "+628121", "street": "Jl. Melati 5",
                        "kelurahan": "", "kecamatan": "", "kabupaten": "Sidoarjo",
                        "provinsi": "Jawa Timur", "kode_pos": "", "notes": ""},
            "items": [], "items_idr": 100000, "ongkir_idr": 10000, "kode_unik_idr": 0,
            "discount_idr": 0, "total_idr": 110000, "note": "pagar hijau",
            "created_at": 1, "updated_at": 1, "version": 1,
            "events": [{"at": 1, "role": "partner", "actor_id": "w", "action": "pack",
                        "from": "processing", "to": "processing", "detail": ""}]
        }))
        .map(|mut o: OrderDoc| {
            o.items = vec![item("p1", 2000, 50_000)];
            o.promoter = Some(PromoterDoc {
                code: "KIRANA".into(),
                id: "k".into(),
                name: "Kirana".into(),
                commission_idr: 10_000,
            });
            o.partner = Some(party("w", "Gudang Jaya"));
            o.supply = Some(SupplyDoc {
                supplier: party("w", "Gudang Jaya"),
                items_idr: 80_000,
            });
            o
        })
        .expect("order")
    }

    #[test]
    fn each_party_sees_what_is_theirs() {
        let full = order();
        let mut seller = full.clone();
        redact(&mut seller, "s");
        assert_eq!(seller, full);

        let mut buyer = full.clone();
        redact(&mut buyer, "b");
        assert_eq!(buyer.partner, None);
        assert_eq!(
            buyer.supply, None,
            "the supplier's price never reaches the buyer"
        );
        let promoter = buyer.promoter.as_ref().expect("code kept");
        assert_eq!(
            (
                promoter.code.as_str(),
                promoter.id.as_str(),
                promoter.commission_idr
            ),
            ("KIRANA", "", 0)
        );
        assert_eq!(buyer.events[0].role, "seller");
        assert_eq!(buyer.events[0].actor_id, None);
        assert!(buyer.address.is_some());

        let mut partner = full.clone();
        redact(&mut partner, "w");
        assert_eq!(partner.promoter, None);
        assert!(partner.address.is_some(), "the label needs the address");
        assert_eq!(partner.buyer.phone.as_deref(), Some("+628121"));
        assert_eq!(partner.items[0].note, "bungkus kado");

        let mut promoter = full.clone();
        redact(&mut promoter, "k");
        assert_eq!(promoter.buyer.name, "Budi");
        assert_eq!(promoter.buyer.phone, None);
        assert_eq!(promoter.address, None);
        assert_eq!(promoter.note, "");
        assert_eq!(promoter.supply, None);
        assert_eq!(promoter.partner, None);
        assert_eq!(promoter.items[0].note, "");
        assert_eq!(
            promoter.promoter.as_ref().map(|p| p.commission_idr),
            Some(10_000)
        );
    }

    #[test]
    fn a_whole_courier_order_goes_to_the_partner_holding_all_of_it() {
        let product = |id: &str, at: &[(&str, i64)]| {
            let mut p: ProductDoc = serde_json::from_value(serde_json::json!({
                "id": id, "seller": {"id": "s", "name": "S"}, "name": id, "price_idr": 1000,
                "unit": "pcs", "stock": 5, "created_at": 0, "updated_at": 0
            }))
            .expect("product");
            p.stock_at = at
                .iter()
                .map(|(partner, stock)| StockAtDoc {
                    partner_id: (*partner).into(),
                    stock: *stock,
                })
                .collect();
            p
        };
        let products = [
            product("a", &[("w1", 1), ("w2", 10)]),
            product("b", &[("w2", 3)]),
        ];
        let items = [item("a", 2000, 1000), item("b", 3000, 1000)];
        assert_eq!(choose_partner(&products, &items), Some("w2".into()));
        // One unit more than the warehouse holds: the whole order ships from home.
        let items = [item("a", 2000, 1000), item("b", 4000, 1000)];
        assert_eq!(choose_partner(&products, &items), None);
        // Two lines of one product count together.
        let items = [item("b", 2000, 1000), item("b", 2000, 1000)];
        assert_eq!(choose_partner(&products, &items), None);
    }

    #[test]
    fn commission_counts_whole_units_and_weighs_by_what_was_paid() {
        let lines = commission_lines(&[item("a", 3000, 10_000), item("b", 1500, 20_000)]);
        assert_eq!(
            lines,
            vec![(Rupiah::new(10_000), 3), (Rupiah::new(30_000), 1)]
        );
        assert_eq!(rule_of(CommissionDoc::Percent { basis_points: 0 }), None);
        assert_eq!(
            rule_of(CommissionDoc::Percent {
                basis_points: 5_001
            }),
            None
        );
        assert_eq!(rule_of(CommissionDoc::PerItem { idr: -1 }), None);
        assert_eq!(
            rule_of(CommissionDoc::PerItem { idr: 2_000 })
                .and_then(|r| r.commission(&lines))
                .map(Rupiah::idr),
            Some(8_000)
        );
    }
}
