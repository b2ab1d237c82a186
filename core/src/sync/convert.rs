//! Between the phone's records and the wire's documents. Pure: no store, no I/O.
//!
//! Documents from the server are outside input: reading one checks every code it
//! carries and fails with a typed error instead of storing something unreadable.

use super::wire::{
    EventDoc, OptionDoc, OrderDoc, OrderItemDoc, PhotoDoc, ProductDoc, ProfileDoc, VariantDoc,
};
use crate::catalog::{PhotoRef, Product, Stock, Variant, VariantOption};
use crate::money::Rupiah;
use crate::order::ongkir::{Courier, Shipping};
use crate::order::payment::PaymentMethod;
use crate::order::store::{role_code, role_from};
use crate::order::{Delivery, Order, OrderEvent, OrderItem, OrderStatus};

/// A document the phone cannot store as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server sent an unreadable {what}")]
pub struct Unreadable {
    pub what: &'static str,
}

fn unreadable(what: &'static str) -> Unreadable {
    Unreadable { what }
}

pub fn product_doc(p: &Product, seller: ProfileDoc) -> ProductDoc {
    ProductDoc {
        id: p.id.clone(),
        seller,
        name: p.name.clone(),
        description: p.description.clone(),
        price_idr: p.price.idr(),
        unit: p.unit.clone(),
        weight_grams: p.weight_grams,
        stock: match p.stock {
            Stock::Unlimited => None,
            Stock::Limited(n) => Some(n),
        },
        preorder_days: p.preorder_days,
        category: p.category.clone(),
        options: p
            .options
            .iter()
            .map(|o| OptionDoc {
                name: o.name.clone(),
                values: o.values.clone(),
            })
            .collect(),
        variants: p
            .variants
            .iter()
            .map(|v| VariantDoc {
                id: v.id.clone(),
                values: v.values.clone(),
                price_idr: v.price.map(Rupiah::idr),
                stock: match v.stock {
                    Some(Stock::Limited(n)) => Some(n),
                    _ => None,
                },
                unlimited: v.stock == Some(Stock::Unlimited),
                sku: v.sku.clone(),
            })
            .collect(),
        photos: p
            .photos
            .iter()
            .map(|ph| PhotoDoc {
                hash: ph.hash.clone(),
                mime: ph.mime.clone(),
                width: ph.width,
                height: ph.height,
                thumb_mime: ph.thumb_mime.clone(),
                thumb_width: ph.thumb_width,
                thumb_height: ph.thumb_height,
                blurhash: ph.blurhash.clone(),
                bytes: 0,
            })
            .collect(),
        group_ids: p.group_ids.clone(),
        archived: p.archived,
        resale: p.trade.resale,
        resale_of: p.trade.resale_of.clone(),
        stock_at: p.trade.stock_at.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: 0,
    }
}

/// The product a pulled document describes. Only values the server already checked
/// arrive here, but they are checked again: a bad one must not reach the screens.
pub fn product_from(d: &ProductDoc) -> Result<Product, Unreadable> {
    if d.id.is_empty() || d.name.is_empty() || d.price_idr < 0 {
        return Err(unreadable("product"));
    }
    if d.options.len() > 2
        || d.variants
            .iter()
            .any(|v| v.values.len() != d.options.len() || v.id.is_empty())
    {
        return Err(unreadable("product variant"));
    }
    Ok(Product {
        id: d.id.clone(),
        source_id: None,
        seller_id: Some(d.seller.id.clone()),
        name: d.name.clone(),
        description: d.description.clone(),
        price: Rupiah::new(d.price_idr),
        unit: d.unit.clone(),
        weight_grams: d.weight_grams,
        stock: d
            .stock
            .map_or(Stock::Unlimited, |n| Stock::Limited(n.max(0))),
        preorder_days: d.preorder_days,
        category: d.category.clone(),
        options: d
            .options
            .iter()
            .map(|o| VariantOption {
                name: o.name.clone(),
                values: o.values.clone(),
            })
            .collect(),
        variants: d
            .variants
            .iter()
            .map(|v| Variant {
                id: v.id.clone(),
                values: v.values.clone(),
                price: v.price_idr.map(Rupiah::new),
                stock: if v.unlimited {
                    Some(Stock::Unlimited)
                } else {
                    v.stock.map(|n| Stock::Limited(n.max(0)))
                },
                sku: v.sku.clone(),
            })
            .collect(),
        photos: d
            .photos
            .iter()
            .map(|ph| PhotoRef {
                hash: ph.hash.clone(),
                mime: ph.mime.clone(),
                width: ph.width,
                height: ph.height,
                thumb_mime: ph.thumb_mime.clone(),
                thumb_width: ph.thumb_width,
                thumb_height: ph.thumb_height,
                blurhash: ph.blurhash.clone(),
            })
            .collect(),
        group_ids: d.group_ids.clone(),
        archived: d.archived,
        created_at: d.created_at,
        updated_at: d.updated_at,
        trade: crate::catalog::Trade {
            resale: d.resale,
            resale_of: d.resale_of.clone(),
            stock_at: d.stock_at.clone(),
        },
    })
}

/// The product fields that differ between two versions, by their wire names.
pub fn changed_fields(old: &Product, new: &Product) -> Vec<String> {
    let mut fields = Vec::new();
    let mut note = |changed: bool, name: &str| {
        if changed {
            fields.push(name.to_owned());
        }
    };
    note(old.name != new.name, "name");
    note(old.description != new.description, "description");
    note(old.price != new.price, "price_idr");
    note(old.unit != new.unit, "unit");
    note(old.weight_grams != new.weight_grams, "weight_grams");
    note(old.stock != new.stock, "stock");
    note(old.preorder_days != new.preorder_days, "preorder_days");
    note(old.category != new.category, "category");
    // Options and variants travel together: a variant's values index the options.
    note(
        old.options != new.options || old.variants != new.variants,
        "variants",
    );
    note(old.photos != new.photos, "photos");
    note(old.group_ids != new.group_ids, "group_ids");
    note(old.archived != new.archived, "archived");
    note(old.trade.resale != new.trade.resale, "resale");
    note(old.trade.resale_of != new.trade.resale_of, "resale_of");
    note(old.trade.stock_at != new.trade.stock_at, "stock_at");
    fields
}

pub fn order_doc(
    o: &Order,
    buyer: ProfileDoc,
    seller: ProfileDoc,
    events: &[OrderEvent],
) -> OrderDoc {
    OrderDoc {
        id: o.id.clone(),
        number: o.number.clone(),
        checkout_id: o.checkout_id.clone(),
        buyer,
        seller,
        status: o.status.code().to_owned(),
        payment: o.payment.code(),
        delivery: if o.delivery == Delivery::Pickup {
            "pickup"
        } else {
            "courier"
        }
        .to_owned(),
        address: o.address.clone(),
        courier: o.shipping.as_ref().map(|s| s.courier.code().to_owned()),
        service: o.shipping.as_ref().map(|s| s.service.clone()),
        resi: o.resi.clone(),
        items: o
            .items
            .iter()
            .map(|i| OrderItemDoc {
                product_id: i.product_id.clone(),
                variant_id: i.variant_id.clone(),
                name: i.name.clone(),
                variant_label: i.variant_label.clone(),
                unit: i.unit.clone(),
                quantity_milli: i.quantity_milli,
                unit_price_idr: i.unit_price.idr(),
                total_idr: i.total.idr(),
                note: i.note.clone(),
                reserved_units: 0,
                reserved_on: String::new(),
            })
            .collect(),
        items_idr: o.items_total.idr(),
        ongkir_idr: o.ongkir.idr(),
        kode_unik_idr: o.kode_unik.idr(),
        discount_idr: o.discount.idr(),
        total_idr: o.total.idr(),
        note: o.note.clone(),
        cancel_reason: o.cancel_reason.clone(),
        expires_at: o.expires_at,
        created_at: o.created_at,
        updated_at: o.updated_at,
        version: o.version,
        events: events
            .iter()
            .map(|e| EventDoc {
                at: e.at,
                role: role_code(e.role).to_owned(),
                actor_id: e.actor_id.clone(),
                action: e.action.clone(),
                from: e.from.map(|s| s.code().to_owned()),
                to: e.to.code().to_owned(),
                detail: e.detail.clone(),
            })
            .collect(),
        promoter: o.links.promoter.clone(),
        partner: None,
        supply: None,
        packed_at: None,
    }
}

/// The order (with its history) a pulled document describes.
pub fn order_from(d: &OrderDoc) -> Result<(Order, Vec<OrderEvent>), Unreadable> {
    let status = OrderStatus::from_code(&d.status).ok_or_else(|| unreadable("order status"))?;
    let payment = PaymentMethod::from_code(&d.payment).ok_or_else(|| unreadable("payment"))?;
    let delivery = match d.delivery.as_str() {
        "pickup" => Delivery::Pickup,
        "courier" => Delivery::Courier,
        _ => return Err(unreadable("delivery")),
    };
    // A courier this build does not know (added on the server later) leaves the
    // order readable, without its shipping choice.
    let shipping = match (&d.courier, &d.service) {
        (Some(c), Some(service)) => Courier::from_code(c).map(|courier| Shipping {
            courier,
            service: service.clone(),
        }),
        _ => None,
    };
    let mut events = Vec::with_capacity(d.events.len());
    for e in &d.events {
        events.push(OrderEvent {
            at: e.at,
            role: role_from(&e.role),
            actor_id: e.actor_id.clone(),
            action: e.action.clone(),
            from: match &e.from {
                Some(f) => Some(OrderStatus::from_code(f).ok_or_else(|| unreadable("event"))?),
                None => None,
            },
            to: OrderStatus::from_code(&e.to).ok_or_else(|| unreadable("event"))?,
            detail: e.detail.clone(),
        });
    }
    let order = Order {
        id: d.id.clone(),
        number: d.number.clone(),
        checkout_id: d.checkout_id.clone(),
        buyer_id: d.buyer.id.clone(),
        seller_id: d.seller.id.clone(),
        status,
        payment,
        delivery,
        address: d.address.clone(),
        shipping,
        resi: d.resi.clone(),
        items: d
            .items
            .iter()
            .map(|i| OrderItem {
                product_id: i.product_id.clone(),
                variant_id: i.variant_id.clone(),
                name: i.name.clone(),
                variant_label: i.variant_label.clone(),
                unit: i.unit.clone(),
                quantity_milli: i.quantity_milli,
                unit_price: Rupiah::new(i.unit_price_idr),
                total: Rupiah::new(i.total_idr),
                note: i.note.clone(),
            })
            .collect(),
        items_total: Rupiah::new(d.items_idr),
        ongkir: Rupiah::new(d.ongkir_idr),
        kode_unik: Rupiah::new(d.kode_unik_idr),
        discount: Rupiah::new(d.discount_idr),
        total: Rupiah::new(d.total_idr),
        note: d.note.clone(),
        cancel_reason: d.cancel_reason.clone(),
        expires_at: d.expires_at,
        created_at: d.created_at,
        updated_at: d.updated_at,
        version: d.version,
        links: crate::order::OrderLinks {
            promoter: d.promoter.clone(),
            partner: d.partner.clone(),
            supply: d.supply.clone(),
            packed_at: d.packed_at,
        },
    };
    Ok((order, events))
}

/// A seller's terms as the phone holds them, for a push.
pub fn terms_doc(
    seller_id: &str,
    rates: &[crate::order::ongkir::Rate],
    discounts: &[(crate::money::Rupiah, crate::money::Rupiah)],
    commission: Option<super::wire::CommissionDoc>,
) -> super::wire::TermsDoc {
    super::wire::TermsDoc {
        seller_id: seller_id.to_owned(),
        rates: rates
            .iter()
            .map(|r| super::wire::RateDoc {
                courier: r.courier.code().to_owned(),
                service: r.service.clone(),
                destination: r.destination.clone(),
                first_kg_idr: r.first_kg.idr(),
                next_kg_idr: r.next_kg.idr(),
            })
            .collect(),
        discounts: discounts
            .iter()
            .map(|(min, amount)| super::wire::DiscountDoc {
                min_items_idr: min.idr(),
                amount_idr: amount.idr(),
            })
            .collect(),
        commission,
        version: 0,
    }
}

/// Pulled terms as the phone keeps them; rows of a courier this build does not know
/// are left out (a newer server), and amounts must be whole rupiah, not negative.
pub fn terms_from(d: &super::wire::TermsDoc) -> Result<crate::order::store::Terms, Unreadable> {
    use crate::money::Rupiah;
    use crate::order::ongkir::{Courier, Rate};
    let mut rates = Vec::with_capacity(d.rates.len());
    for r in &d.rates {
        if r.first_kg_idr < 0 || r.next_kg_idr < 0 {
            return Err(unreadable("ongkir"));
        }
        if let Some(courier) = Courier::from_code(&r.courier) {
            rates.push(Rate {
                courier,
                service: r.service.clone(),
                destination: r.destination.clone(),
                first_kg: Rupiah::new(r.first_kg_idr),
                next_kg: Rupiah::new(r.next_kg_idr),
            });
        }
    }
    let mut discounts = Vec::with_capacity(d.discounts.len());
    for x in &d.discounts {
        if x.min_items_idr < 0 || x.amount_idr <= 0 {
            return Err(unreadable("discount"));
        }
        discounts.push((Rupiah::new(x.min_items_idr), Rupiah::new(x.amount_idr)));
    }
    Ok((rates, discounts))
}
