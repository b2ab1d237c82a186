//! The orders service: checkout from the cart, moves along the state machine, history,
//! expiry, and the wa.me message a seller sends.

use super::model::{
    CheckoutRequest, Order, OrderEvent, OrderItem, OrderLinks, Quote, ShippingOption,
};
use super::ongkir::{Rate, RateProvider};
use super::payment::kode_unik;
use super::status::{
    Delivery, OrderAction, OrderStatus, Role, TransitionError, partner_allows, transition,
};
use super::store;
use crate::cart::{self, LineState, MILLI};
use crate::error::{Error, Problem, Thing, ValidationError};
use crate::money::Rupiah;
use crate::observe::{Observers, Subscription};
use crate::store::{Database, StoreError};
use crate::{Result, account, catalog, id, time};
use rusqlite::Connection;
use std::sync::Arc;

/// Unpaid transfer, QRIS and e-wallet orders are cancelled after this.
pub const PAYMENT_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// An order changed (placed, moved, cancelled): what pushes and screens listen to.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderChanged {
    pub order: Order,
    pub event: OrderEvent,
}

#[derive(Clone)]
pub struct Orders {
    db: Arc<Database>,
    observers: Arc<Observers<OrderChanged>>,
}

impl Orders {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        Orders {
            db,
            observers: Arc::new(Observers::default()),
        }
    }

    pub fn observe(
        &self,
        listener: impl Fn(&OrderChanged) + Send + Sync + 'static,
    ) -> Subscription {
        self.observers.subscribe(listener)
    }

    /// A seller's ongkir table row (destination: kabupaten/kota, provinsi or "*").
    pub fn set_rate_blocking(&self, seller_id: &str, rate: Rate) -> Result<()> {
        catalog::check_id("seller_id", seller_id)?;
        if rate.service.trim().is_empty() || rate.destination.trim().is_empty() {
            return Err(ValidationError::new("shipping", Problem::Required).into());
        }
        if rate.first_kg < Rupiah::ZERO || rate.next_kg < Rupiah::ZERO {
            return Err(ValidationError::new("ongkir", Problem::TooSmall { min: 0 }).into());
        }
        let rate = Rate {
            service: rate.service.trim().to_owned(),
            destination: rate.destination.trim().to_owned(),
            ..rate
        };
        self.db.write(|tx| {
            if !account::exists(tx, seller_id)? {
                return Err(Error::NotFound {
                    thing: Thing::Seller,
                    id: seller_id.to_owned(),
                });
            }
            store::save_rate(tx, seller_id, &rate)?;
            crate::sync::outbox::terms_saved(tx, seller_id, crate::time::now_ms())
        })
    }

    /// A seller's "potongan": buy at least `min_items`, get `amount` off (0 removes the
    /// rule). At checkout the best rule that applies is used.
    pub fn set_discount_blocking(
        &self,
        seller_id: &str,
        min_items: Rupiah,
        amount: Rupiah,
    ) -> Result<()> {
        catalog::check_id("seller_id", seller_id)?;
        if min_items < Rupiah::ZERO || amount < Rupiah::ZERO {
            return Err(ValidationError::new("discount", Problem::TooSmall { min: 0 }).into());
        }
        self.db.write(|tx| {
            if !account::exists(tx, seller_id)? {
                return Err(Error::NotFound {
                    thing: Thing::Seller,
                    id: seller_id.to_owned(),
                });
            }
            store::save_discount(tx, seller_id, min_items, amount)?;
            crate::sync::outbox::terms_saved(tx, seller_id, crate::time::now_ms())
        })
    }

    /// Turns the cart lines of the chosen sellers into one order per seller: prices
    /// and stock checked again, ongkir quoted, a kode unik for transfers, stock taken,
    /// the lines leave the cart. All or nothing. The same `checkout_id` again returns
    /// the orders it made the first time.
    pub fn checkout_blocking(&self, request: CheckoutRequest) -> Result<Vec<Order>> {
        catalog::check_id("checkout_id", &request.checkout_id)?;
        catalog::check_id("buyer_id", &request.buyer_id)?;
        if request.sellers.is_empty() {
            return Err(ValidationError::new("sellers", Problem::Required).into());
        }
        let ships = request.sellers.iter().any(|s| s.shipping.is_some());
        let address = match (request.address.clone(), ships) {
            (Some(a), _) => Some(a.validate()?),
            (None, true) => return Err(ValidationError::new("address", Problem::Required).into()),
            (None, false) => None,
        };
        let (orders, fresh) = self.db.write(|tx| {
            let done = store::by_checkout(tx, &request.checkout_id)?;
            if !done.is_empty() {
                return Ok((done, false));
            }
            if !account::exists(tx, &request.buyer_id)? {
                return Err(Error::NotFound {
                    thing: Thing::Account,
                    id: request.buyer_id.clone(),
                });
            }
            let view = cart_view(tx)?;
            let now = time::now_ms();
            let mut made = Vec::new();
            for choice in &request.sellers {
                let Some(group) = view
                    .iter()
                    .find(|g| g.0.as_deref() == Some(choice.seller_id.as_str()))
                else {
                    return Err(ValidationError::new("sellers", Problem::Invalid).into());
                };
                let order = self.place(tx, &request, choice, address.as_ref(), &group.1, now)?;
                made.push(order);
            }
            Ok::<_, Error>((made, true))
        })?;
        if fresh {
            for o in &orders {
                let event = OrderEvent {
                    at: o.created_at,
                    role: Role::Buyer,
                    actor_id: Some(o.buyer_id.clone()),
                    action: "place".into(),
                    from: None,
                    to: o.status,
                    detail: o.payment.code(),
                };
                self.observers.notify(&OrderChanged {
                    order: o.clone(),
                    event,
                });
            }
        }
        Ok(orders)
    }

    /// What each seller's part of `request` would cost if placed now, for the checkout
    /// screen to show before the buyer commits: the same prices, weight, ongkir table
    /// and discount the checkout uses. Nothing is written; `checkout_id` is not needed.
    /// An address still being typed gives no ongkir rather than an error.
    pub fn quote_blocking(&self, request: &CheckoutRequest) -> Result<Vec<Quote>> {
        let address = request.address.clone().and_then(|a| a.validate().ok());
        self.db.read(|c| {
            let view = cart_view(c)?;
            request
                .sellers
                .iter()
                .map(|choice| {
                    let Some(group) = view
                        .iter()
                        .find(|g| g.0.as_deref() == Some(choice.seller_id.as_str()))
                    else {
                        return Err(ValidationError::new("sellers", Problem::Invalid).into());
                    };
                    let mut items_total = Rupiah::ZERO;
                    let mut weight: u32 = 0;
                    for (line, product) in &group.1 {
                        let (_, price) = cart::revalidate(line, Some(product));
                        let (total, grams) = priced(line, product, price)?;
                        items_total = items_total
                            .checked_add(total)
                            .ok_or(Error::Internal("total overflow".into()))?;
                        weight = weight.saturating_add(grams);
                    }
                    let table = store::rate_table(c, &choice.seller_id)?;
                    let cost = |shipping: &super::ongkir::Shipping| {
                        address
                            .as_ref()
                            .and_then(|to| table.quote(shipping, to, weight).ok())
                    };
                    let ongkir = match &choice.shipping {
                        Some(shipping) => cost(shipping),
                        None => Some(Rupiah::ZERO),
                    };
                    let mut options: Vec<ShippingOption> = Vec::new();
                    for rate in &table.rates {
                        let shipping = super::ongkir::Shipping {
                            courier: rate.courier,
                            service: rate.service.clone(),
                        };
                        if options.iter().all(|o| o.shipping != shipping) {
                            options.push(ShippingOption {
                                ongkir: cost(&shipping),
                                shipping,
                            });
                        }
                    }
                    let discount = store::discount_for(c, &choice.seller_id, items_total)?;
                    let total = items_total
                        .checked_add(ongkir.unwrap_or(Rupiah::ZERO))
                        .and_then(|t| t.checked_sub(discount))
                        .ok_or(Error::Internal("total overflow".into()))?;
                    Ok(Quote {
                        seller_id: choice.seller_id.clone(),
                        items_total,
                        ongkir,
                        discount,
                        total,
                        weight_grams: weight,
                        options,
                    })
                })
                .collect()
        })
    }

    fn place(
        &self,
        tx: &Connection,
        request: &CheckoutRequest,
        choice: &super::model::SellerChoice,
        address: Option<&super::address::Address>,
        lines: &[(cart::CartLine, catalog::Product)],
        now: i64,
    ) -> Result<Order> {
        let mut items = Vec::with_capacity(lines.len());
        let mut reserved = Vec::with_capacity(lines.len());
        let mut weight: u32 = 0;
        for (line, product) in lines {
            let (state, price) = cart::revalidate(line, Some(product));
            match state {
                LineState::Ok | LineState::PreOrder { .. } => {}
                LineState::OutOfStock | LineState::NotEnoughStock { .. } => {
                    return Err(Error::OutOfStock {
                        name: product.name.clone(),
                    });
                }
                // A price that moved since the buyer looked (or a line that cannot be
                // bought any more): they must see it in the cart first.
                _ => {
                    return Err(Error::CartChanged {
                        name: product.name.clone(),
                    });
                }
            }
            let (total, grams) = priced(line, product, price)?;
            let price = price.unwrap_or(product.price);
            reserved.push(reserve(tx, product, line)?);
            weight = weight.saturating_add(grams);
            items.push(OrderItem {
                product_id: product.id.clone(),
                variant_id: line.variant_id.clone(),
                name: product.name.clone(),
                variant_label: product
                    .variants
                    .iter()
                    .find(|v| Some(&v.id) == line.variant_id.as_ref())
                    .map(|v| v.values.join(" / "))
                    .unwrap_or_default(),
                unit: product.unit.clone(),
                quantity_milli: line.quantity_milli,
                unit_price: price,
                total,
                note: line.note.clone(),
            });
            tx.execute("DELETE FROM cart_lines WHERE id = ?1", [&line.id])
                .map_err(StoreError::from)?;
        }
        let items_total = Rupiah::checked_sum(items.iter().map(|i| i.total))
            .ok_or(Error::Internal("total overflow".into()))?;
        let ongkir = match (&choice.shipping, address) {
            (Some(shipping), Some(to)) => store::rate_table(tx, &choice.seller_id)?
                .quote(shipping, to, weight)
                .map_err(|_| ValidationError::new("shipping", Problem::Invalid))?,
            _ => Rupiah::ZERO,
        };
        let discount = store::discount_for(tx, &choice.seller_id, items_total)?;
        let base = items_total
            .checked_add(ongkir)
            .and_then(|t| t.checked_sub(discount))
            .ok_or(Error::Internal("total overflow".into()))?;
        let kode = if choice.payment.needs_kode_unik() {
            let open = store::open_transfer_totals(tx, &choice.seller_id)?;
            let seed =
                u64::from_str_radix(&request.checkout_id.replace('-', "")[20..], 16).unwrap_or(0);
            Rupiah::new(
                kode_unik(base, &open, seed)
                    .ok_or_else(|| ValidationError::new("payment", Problem::Invalid))?,
            )
        } else {
            Rupiah::ZERO
        };
        let status = OrderStatus::initial(choice.payment.kind());
        let id = id::new_id();
        let order = Order {
            number: id.replace('-', "")[26..].to_uppercase(),
            id,
            checkout_id: request.checkout_id.clone(),
            buyer_id: request.buyer_id.clone(),
            seller_id: choice.seller_id.clone(),
            status,
            payment: choice.payment.clone(),
            delivery: if choice.shipping.is_some() {
                Delivery::Courier
            } else {
                Delivery::Pickup
            },
            address: choice.shipping.as_ref().and(address.cloned()),
            shipping: choice.shipping.clone(),
            resi: None,
            items,
            items_total,
            ongkir,
            kode_unik: kode,
            discount,
            total: base
                .checked_add(kode)
                .ok_or(Error::Internal("total overflow".into()))?,
            note: choice.note.split_whitespace().collect::<Vec<_>>().join(" "),
            cancel_reason: None,
            expires_at: (status == OrderStatus::AwaitingPayment).then_some(now + PAYMENT_WINDOW_MS),
            created_at: now,
            updated_at: now,
            version: 1,
            // The promoter whose link or code brought the buyer to this seller, if
            // any within the last 30 days; the server decides whether it counts.
            links: OrderLinks {
                promoter: crate::promo::store::referral_for(tx, &choice.seller_id, now)?.map(
                    |code| crate::sync::wire::PromoterDoc {
                        code,
                        id: String::new(),
                        name: String::new(),
                        commission_idr: 0,
                    },
                ),
                ..OrderLinks::default()
            },
        };
        store::insert(tx, &order, &reserved)?;
        let placed = OrderEvent {
            at: now,
            role: Role::Buyer,
            actor_id: Some(order.buyer_id.clone()),
            action: "place".into(),
            from: None,
            to: order.status,
            detail: order.payment.code(),
        };
        store::add_event(tx, &order.id, &placed)?;
        crate::sync::outbox::order_placed(tx, &order, std::slice::from_ref(&placed))?;
        Ok(order)
    }

    /// `actor_id` does `action` to an order; their role comes from who they are on the
    /// order (its buyer or its seller). Cancelling gives the stock back.
    pub fn act_blocking(
        &self,
        order_id: &str,
        actor_id: &str,
        action: OrderAction,
    ) -> Result<Order> {
        catalog::check_id("order_id", order_id)?;
        catalog::check_id("actor_id", actor_id)?;
        self.apply(order_id, Some(actor_id), None, action, time::now_ms())
    }

    fn apply(
        &self,
        order_id: &str,
        actor_id: Option<&str>,
        system: Option<Role>,
        action: OrderAction,
        now: i64,
    ) -> Result<Order> {
        let (order, event) = self.db.write(|tx| {
            let mut order = store::get(tx, order_id)?;
            let role = match system.or_else(|| actor_id.and_then(|a| order.role_of(a))) {
                Some(role) => role,
                None => {
                    return Err(Error::NotFound {
                        thing: Thing::Order,
                        id: order_id.to_owned(),
                    });
                }
            };
            let from = order.status;
            // With a partner on the order packing and shipping are theirs; packed once.
            let packed = action == OrderAction::Pack && order.links.packed_at.is_some();
            if packed || !partner_allows(action.kind(), role, order.links.partner.is_some()) {
                return Err(TransitionError::NotAllowed {
                    from,
                    action: action.name(),
                    role,
                }
                .into());
            }
            let to = transition(from, &action, role, order.payment.kind(), order.delivery)?;
            let mut detail = String::new();
            match &action {
                OrderAction::Ship { courier, resi } => {
                    order.resi = Some(resi.trim().to_owned());
                    detail = format!("{} {}", courier.trim(), resi.trim());
                }
                OrderAction::Cancel { reason } => {
                    order.cancel_reason = Some(reason.trim().to_owned());
                    detail = reason.trim().to_owned();
                }
                OrderAction::Expire => {
                    order.cancel_reason = Some("Tidak dibayar sampai batas waktu".to_owned());
                }
                OrderAction::Pack => order.links.packed_at = Some(now),
                _ => {}
            }
            if from.holds_stock() && !to.holds_stock() {
                release(tx, &order.id)?;
            }
            order.status = to;
            if to != OrderStatus::AwaitingPayment {
                order.expires_at = None;
            }
            order.updated_at = now.max(order.updated_at);
            order.version += 1;
            store::update(tx, &order)?;
            let event = OrderEvent {
                at: order.updated_at,
                role,
                actor_id: actor_id.map(str::to_owned),
                action: action.name().to_owned(),
                from: Some(from),
                to,
                detail,
            };
            store::add_event(tx, &order.id, &event)?;
            crate::sync::outbox::order_acted(tx, &order.id, actor_id, &action, order.updated_at)?;
            Ok::<_, Error>((order, event))
        })?;
        self.observers.notify(&OrderChanged {
            order: order.clone(),
            event,
        });
        Ok(order)
    }

    /// Cancels unpaid orders past their deadline; returns how many.
    pub fn expire_due_blocking(&self, now: i64) -> Result<usize> {
        let due = self.db.read(|c| store::due_for_expiry(c, now))?;
        for id in &due {
            self.apply(id, None, Some(Role::System), OrderAction::Expire, now)?;
        }
        Ok(due.len())
    }

    pub fn get_blocking(&self, order_id: &str) -> Result<Order> {
        catalog::check_id("order_id", order_id)?;
        self.db.read(|c| store::get(c, order_id))
    }

    /// Orders where the account is buyer or seller, newest first.
    pub fn for_account_blocking(&self, account_id: &str, limit: u32) -> Result<Vec<Order>> {
        catalog::check_id("account_id", account_id)?;
        let limit = match limit {
            0 => catalog::PAGE_DEFAULT,
            n if n > catalog::PAGE_MAX => {
                return Err(ValidationError::new(
                    "limit",
                    Problem::TooLarge {
                        max: i64::from(catalog::PAGE_MAX),
                    },
                )
                .into());
            }
            n => n,
        };
        self.db.read(|c| store::for_account(c, account_id, limit))
    }

    /// The partner's packing list: orders `partner_id` packs and ships for sellers
    /// (a fulfilment partner's, or a supplier's for resellers), newest first.
    pub fn packing_list_blocking(&self, partner_id: &str, limit: u32) -> Result<Vec<Order>> {
        catalog::check_id("partner_id", partner_id)?;
        let limit = catalog::store::check_limit(limit)?;
        self.db
            .read(|c| store::through(c, store::Through::Partner, partner_id, limit))
    }

    /// Orders that came through `promoter_id`'s code, as the promoter's phone has them
    /// (without the buyer's details), newest first.
    pub fn promoted_blocking(&self, promoter_id: &str, limit: u32) -> Result<Vec<Order>> {
        catalog::check_id("promoter_id", promoter_id)?;
        let limit = catalog::store::check_limit(limit)?;
        self.db
            .read(|c| store::through(c, store::Through::Promoter, promoter_id, limit))
    }

    /// The label and packing slip of a courier order, with its seller as the sender.
    pub fn label_blocking(&self, order_id: &str) -> Result<Option<super::label::ShippingLabel>> {
        let order = self.get_blocking(order_id)?;
        let seller = self.db.read(|c| account::get(c, &order.seller_id))?;
        Ok(super::label::shipping_label(
            &order,
            &seller.name,
            seller.phone.as_deref(),
        ))
    }

    /// Who did what, when.
    pub fn history_blocking(&self, order_id: &str) -> Result<Vec<OrderEvent>> {
        catalog::check_id("order_id", order_id)?;
        self.db.read(|c| {
            store::get(c, order_id)?;
            store::events(c, order_id)
        })
    }

    /// The message a seller sends the buyer from WhatsApp, with a wa.me link to the
    /// buyer's number: a confirmation, and for transfers the exact amount to send.
    pub fn whatsapp_message_blocking(&self, order_id: &str) -> Result<(String, Option<String>)> {
        let order = self.get_blocking(order_id)?;
        let (buyer, seller) = self.db.read(|c| {
            Ok::<_, Error>((
                account::get(c, &order.buyer_id)?,
                account::get(c, &order.seller_id)?,
            ))
        })?;
        let mut text = format!(
            "Halo {}, pesanan #{} di {} sudah kami terima:\n",
            buyer.name, order.number, seller.name
        );
        for (i, item) in order.items.iter().enumerate() {
            let qty = format_quantity(item.quantity_milli);
            let variant = if item.variant_label.is_empty() {
                String::new()
            } else {
                format!(" ({})", item.variant_label)
            };
            text += &format!(
                "{}. {}{} × {} {} = {}\n",
                i + 1,
                item.name,
                variant,
                qty,
                item.unit,
                item.total
            );
        }
        if order.ongkir > Rupiah::ZERO {
            text += &format!("Ongkir: {}\n", order.ongkir);
        }
        if order.discount > Rupiah::ZERO {
            text += &format!("Potongan: -{}\n", order.discount);
        }
        if order.kode_unik > Rupiah::ZERO {
            text += &format!("Kode unik: {}\n", order.kode_unik);
        }
        text += &format!("Total: *{}* ({})\n", order.total, order.payment.label().id);
        if order.payment.needs_kode_unik() {
            text += &format!(
                "Mohon transfer tepat {} agar pembayaran mudah dicocokkan. Terima kasih!",
                order.total
            );
        } else if order.status == OrderStatus::AwaitingPayment {
            text += "Silakan selesaikan pembayaran. Terima kasih!";
        } else {
            text += "Pesanan sedang kami siapkan. Terima kasih!";
        }
        let link = buyer
            .phone
            .as_deref()
            .and_then(|p| crate::phone::PhoneNumber::parse(p).ok())
            .map(|p| super::wa::wa_me(&p, &text));
        Ok((text, link))
    }
}

/// "1,5" for 1500 milli, "2" for 2000.
pub fn format_quantity(milli: i64) -> String {
    if milli % MILLI == 0 {
        (milli / MILLI).to_string()
    } else {
        let s = format!("{:.3}", milli as f64 / MILLI as f64);
        s.trim_end_matches('0').replace('.', ",")
    }
}

/// The cart's lines with their products, grouped by seller.
type SellerLines = (Option<String>, Vec<(cart::CartLine, catalog::Product)>);

/// A cart line's total at `price` (the cart's revalidated price, else the product's)
/// and its weight in grams, whole units (a courier weighs what is packed): one rule
/// for the quote and the checkout.
fn priced(
    line: &cart::CartLine,
    product: &catalog::Product,
    price: Option<Rupiah>,
) -> Result<(Rupiah, u32)> {
    let total = cart::line_total(price.unwrap_or(product.price), line.quantity_milli)
        .ok_or(Error::Internal("line total overflow".into()))?;
    let units = u32::try_from((line.quantity_milli + MILLI - 1) / MILLI).unwrap_or(u32::MAX);
    Ok((total, product.weight_grams.saturating_mul(units)))
}

fn cart_view(c: &Connection) -> Result<Vec<SellerLines>> {
    let mut groups: Vec<SellerLines> = Vec::new();
    for line in cart::all_lines(c)? {
        // A line whose product is gone belongs to no seller being checked out: it stays
        // in the cart, marked Missing, and does not block the others.
        let Ok(product) = catalog::get_product_in(c, &line.product_id) else {
            continue;
        };
        let seller = product.seller_id.clone();
        match groups.iter_mut().find(|g| g.0 == seller) {
            Some(g) => g.1.push((line, product)),
            None => groups.push((seller, vec![(line, product)])),
        }
    }
    Ok(groups)
}

/// Takes the line's units from the variant's own stock or the product's; none for
/// unlimited stock. Refuses when there are not enough: concurrent checkouts on one
/// phone are serialised by the single writer, and the server applies the same rule.
fn reserve(
    c: &Connection,
    product: &catalog::Product,
    line: &cart::CartLine,
) -> Result<(i64, &'static str)> {
    // Stock is counted in whole units: a fraction of a kilo takes the whole kilo.
    let units = (line.quantity_milli + MILLI - 1) / MILLI;
    let variant_stock = line
        .variant_id
        .as_ref()
        .and_then(|id| product.variants.iter().find(|v| &v.id == id))
        .and_then(|v| v.stock);
    let (sql, on, key) = match variant_stock {
        Some(catalog::Stock::Unlimited) => return Ok((0, "")),
        Some(catalog::Stock::Limited(_)) => (
            "UPDATE variants SET stock = stock - ?2 WHERE id = ?1 AND stock >= ?2",
            "variant",
            line.variant_id.clone().unwrap_or_default(),
        ),
        None if product.stock == catalog::Stock::Unlimited => return Ok((0, "")),
        None => (
            "UPDATE products SET stock = stock - ?2 WHERE id = ?1 AND stock >= ?2",
            "product",
            product.id.clone(),
        ),
    };
    let changed = c
        .execute(sql, rusqlite::params![key, units])
        .map_err(StoreError::from)?;
    if changed == 0 {
        return Err(Error::OutOfStock {
            name: product.name.clone(),
        });
    }
    Ok((units, on))
}

/// Gives back what an order reserved.
/// The server refused an order placed on this phone (out of stock, price changed): it
/// is cancelled here too with the server's reason, and the stock it took on this phone
/// goes back. `None` when the order is gone or already final.
pub(crate) fn refused_by_server(
    c: &Connection,
    order_id: &str,
    reason: &str,
    now: i64,
) -> Result<Option<OrderChanged>> {
    let mut order = match store::get(c, order_id) {
        Ok(o) => o,
        Err(Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    if order.status.is_final() {
        return Ok(None);
    }
    let from = order.status;
    if from.holds_stock() {
        release(c, order_id)?;
    }
    order.status = OrderStatus::Cancelled;
    order.cancel_reason = Some(reason.to_owned());
    order.expires_at = None;
    order.updated_at = now.max(order.updated_at);
    order.version += 1;
    store::update(c, &order)?;
    let event = OrderEvent {
        at: order.updated_at,
        role: Role::System,
        actor_id: None,
        action: "cancel".into(),
        from: Some(from),
        to: OrderStatus::Cancelled,
        detail: reason.to_owned(),
    };
    store::add_event(c, order_id, &event)?;
    Ok(Some(OrderChanged { order, event }))
}

impl Orders {
    /// Tells listeners about orders that changed through sync (already committed).
    pub(crate) fn notify_synced(&self, changes: &[OrderChanged]) {
        for change in changes {
            self.observers.notify(change);
        }
    }
}

fn release(c: &Connection, order_id: &str) -> Result<()> {
    for (product_id, variant_id, units, on) in store::reservations(c, order_id)? {
        let (sql, key) = match on.as_str() {
            "variant" => (
                "UPDATE variants SET stock = stock + ?2 WHERE id = ?1 AND stock IS NOT NULL",
                variant_id.unwrap_or_default(),
            ),
            "product" => (
                "UPDATE products SET stock = stock + ?2 WHERE id = ?1 AND stock IS NOT NULL",
                product_id,
            ),
            _ => continue,
        };
        c.execute(sql, rusqlite::params![key, units])
            .map_err(StoreError::from)?;
    }
    Ok(())
}
