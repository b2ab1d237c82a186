//! A chat's messages → the order of each buyer in it, with later messages applied to
//! earlier ones: "tambah 1 lagi" adds to the last line, "yg brownies batal" takes a line
//! out, "donatnya jadi 3 aja" sets a quantity, "gak jadi semua" cancels, "udah tf" marks
//! it paid. Pure: feed messages in chat order, read the orders at any point.

use super::numbers::{self, Decimal};
use super::order::{Change, ChatCatalog, Intent, LineMatch, OrderLine, ParsedMessage, Payment};
use std::collections::HashMap;

/// One line of a buyer's order.
#[derive(Clone, Debug, PartialEq)]
pub struct BuyerLine {
    pub product_id: String,
    /// (option, value) in the product's option order.
    pub variant: Vec<(String, String)>,
    /// In the product's unit.
    pub quantity: Decimal,
    /// The words it was read from, in the message that added it.
    pub text: String,
    pub confidence: f32,
    /// Index (in [`ChatOrders::feed`] order) of the message that added it.
    pub message: usize,
}

/// A line the admin must settle: several products fit, or none does.
#[derive(Clone, Debug, PartialEq)]
pub struct Unresolved {
    pub text: String,
    /// Products that fit (best first); empty when nothing in the catalog does.
    pub candidates: Vec<String>,
    pub quantity: Option<Decimal>,
    pub message: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuyerOrder {
    /// Who the order is for: the message author, or the name in a template an admin
    /// filled in for someone else.
    pub buyer: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub payment: Option<Payment>,
    pub notes: Vec<String>,
    pub lines: Vec<BuyerLine>,
    pub unresolved: Vec<Unresolved>,
    pub paid: bool,
    /// Cancelled as a whole ("gak jadi semua"); a later order reopens it.
    pub cancelled: bool,
    /// When the buyer first and last wrote about it (the export's local time).
    pub first_at: String,
    pub last_at: String,
}

impl BuyerOrder {
    fn new(buyer: &str, at: &str) -> BuyerOrder {
        BuyerOrder {
            buyer: buyer.to_owned(),
            name: None,
            phone: None,
            address: None,
            payment: None,
            notes: Vec::new(),
            lines: Vec::new(),
            unresolved: Vec::new(),
            paid: false,
            cancelled: false,
            first_at: at.to_owned(),
            last_at: at.to_owned(),
        }
    }
}

/// Counts of what the messages were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChatTally {
    pub messages: usize,
    pub orders: usize,
    pub questions: usize,
    pub cancels: usize,
    pub other: usize,
    /// Menus and announcements: lists of products with prices that order nothing.
    pub announcements: usize,
    /// Notices, deleted messages and media without a caption.
    pub skipped: usize,
}

/// The orders of one chat, built message by message.
pub struct ChatOrders<'c> {
    catalog: &'c ChatCatalog,
    orders: Vec<BuyerOrder>,
    by_buyer: HashMap<String, usize>,
    /// Authors who posted a menu: their own messages are announcements, not orders,
    /// unless they fill in a template for a buyer.
    admins: Vec<String>,
    /// Per author, the products their last message named (for "ok lvl 5 ya").
    context: HashMap<String, Vec<String>>,
    tally: ChatTally,
    fed: usize,
}

/// One message as [`ChatOrders::feed`] takes it.
pub struct Incoming<'a> {
    pub author: Option<&'a str>,
    /// Local time as the export writes it (ISO, no zone).
    pub at: &'a str,
    pub text: &'a str,
    /// Notices, deleted messages: counted, never read.
    pub skip: bool,
}

impl<'c> ChatOrders<'c> {
    pub fn new(catalog: &'c ChatCatalog) -> ChatOrders<'c> {
        ChatOrders {
            catalog,
            orders: Vec::new(),
            by_buyer: HashMap::new(),
            admins: Vec::new(),
            context: HashMap::new(),
            tally: ChatTally::default(),
            fed: 0,
        }
    }

    /// Names the chat's admins up front (their messages are not orders).
    pub fn with_admins(mut self, admins: impl IntoIterator<Item = String>) -> Self {
        self.admins.extend(admins);
        self
    }

    /// Reads the next message of the chat; returns what it was read as.
    pub fn feed(&mut self, m: Incoming<'_>) -> Option<ParsedMessage> {
        let index = self.fed;
        self.fed += 1;
        self.tally.messages += 1;
        let author = match m.author {
            Some(a) if !m.skip && !m.text.trim().is_empty() => a,
            _ => {
                self.tally.skipped += 1;
                return None;
            }
        };
        let context = self.context.get(author).map_or(&[][..], Vec::as_slice);
        let parsed = super::order::parse_message_in(m.text, self.catalog, context);
        if !parsed.mentioned.is_empty() {
            self.context
                .insert(author.to_owned(), parsed.mentioned.clone());
        }
        let is_admin = self.admins.iter().any(|a| a == author);
        if announcement(m.text, &parsed) {
            self.tally.announcements += 1;
            if !is_admin {
                self.admins.push(author.to_owned());
            }
            return Some(parsed);
        }
        // An admin's message counts only as an order filled in for a named buyer.
        let buyer = match (&parsed.name, is_admin) {
            (Some(name), true) => name.value.clone(),
            (None, true) => {
                self.tally.other += 1;
                return Some(parsed);
            }
            (_, false) => author.to_owned(),
        };
        match parsed.intent {
            Intent::Order => self.tally.orders += 1,
            Intent::Question => self.tally.questions += 1,
            Intent::Cancel => self.tally.cancels += 1,
            Intent::Other => self.tally.other += 1,
        }
        let touches = matches!(parsed.intent, Intent::Order | Intent::Cancel) || parsed.paid;
        if !touches && !self.by_buyer.contains_key(&buyer) {
            return Some(parsed);
        }
        let slot = match self.by_buyer.get(&buyer) {
            Some(&i) => i,
            None => {
                self.orders.push(BuyerOrder::new(&buyer, m.at));
                self.by_buyer.insert(buyer.clone(), self.orders.len() - 1);
                self.orders.len() - 1
            }
        };
        let order = &mut self.orders[slot];
        order.last_at = m.at.to_owned();
        apply(order, &parsed, m.text, index);
        Some(parsed)
    }

    /// Reads the next message of an export: notices, deleted messages and media without a
    /// caption are counted, never read.
    pub fn feed_export(&mut self, m: &super::export::ChatMessage) -> Option<ParsedMessage> {
        let at = m.timestamp.to_string();
        self.feed(Incoming {
            author: m.author.as_deref(),
            at: &at,
            text: &m.text,
            skip: m.system || m.deleted || (m.media_omitted && m.text.is_empty()),
        })
    }

    pub fn tally(&self) -> ChatTally {
        self.tally
    }

    /// The orders so far: buyers in the order they first ordered; a buyer who only
    /// asked or thanked is not here.
    pub fn orders(&self) -> &[BuyerOrder] {
        &self.orders
    }

    pub fn into_orders(self) -> Vec<BuyerOrder> {
        self.orders
    }
}

/// A menu or announcement: "OPEN PO hari ini: donat 3rb, brownies 45rb…" lists
/// products with prices and orders nothing.
fn announcement(text: &str, p: &ParsedMessage) -> bool {
    let lower = text.to_lowercase();
    let cue = [
        "open po",
        "open order",
        "ready stock",
        "menu hari ini",
        "list harga",
        "pricelist",
        "price list",
        "daftar harga",
        "menu:",
        "menu :",
        "yuk order",
        "yuk pesan",
        "dibuka",
        "close order",
        "close po",
        "rekap",
    ]
    .iter()
    .any(|c| lower.contains(c));
    let prices = numbers::find_amounts(text).len();
    let ordering = ["mau", "pesan", "pesen", "order ", "ambil", "beli", "minta"]
        .iter()
        .any(|w| lower.starts_with(w) || lower.contains(&format!(" {w}")));
    (cue && (prices >= 1 || p.lines.len() >= 2) && p.name.is_none())
        || (prices >= 3 && !ordering && p.phone.is_none() && p.address.is_none())
}

fn same(line: &BuyerLine, product: &str, variant: &[(String, String)]) -> bool {
    line.product_id == product && (variant.is_empty() || line.variant == variant)
}

/// The product a line means, settling an ambiguous line with what the buyer already
/// ordered ("yg brownies batal" when only one brownies is in the order).
fn resolve(order: &BuyerOrder, l: &OrderLine) -> Option<(String, Vec<(String, String)>)> {
    match &l.matched {
        LineMatch::Product {
            product_id,
            variant,
        } => Some((product_id.clone(), variant.clone())),
        LineMatch::Ambiguous { candidates } => {
            let held: Vec<&String> = candidates
                .iter()
                .filter(|c| order.lines.iter().any(|x| x.product_id == **c))
                .collect();
            match held.as_slice() {
                [one] => Some(((*one).clone(), Vec::new())),
                _ => None,
            }
        }
        LineMatch::Unknown => None,
    }
}

/// A bare number in a message that names no product: "tambah 1 lagi", "jadi 3 aja".
fn bare_quantity(text: &str) -> Option<Decimal> {
    numbers::find_quantities(text)
        .into_iter()
        .next()
        .map(|(_, q)| q.amount)
}

fn apply(order: &mut BuyerOrder, p: &ParsedMessage, text: &str, message: usize) {
    if let Some(n) = &p.name {
        order.name = Some(n.value.clone());
    }
    if let Some(ph) = &p.phone {
        order.phone = Some(ph.value.clone());
    }
    if let Some(a) = &p.address {
        order.address = Some(a.value.clone());
    }
    if let Some(pay) = &p.payment
        && p.intent != Intent::Question
    {
        order.payment = Some(pay.value);
    }
    for n in &p.notes {
        if !order.notes.contains(&n.value) {
            order.notes.push(n.value.clone());
        }
    }
    if p.paid {
        order.paid = true;
    }
    match (p.intent, p.change) {
        (Intent::Cancel, Change::CancelAll) => {
            order.lines.clear();
            order.unresolved.clear();
            order.cancelled = true;
        }
        (Intent::Cancel, _) => {
            for l in &p.lines {
                let Some((product, variant)) = resolve(order, l) else {
                    continue;
                };
                let Some(at) = order
                    .lines
                    .iter()
                    .rposition(|x| same(x, &product, &variant))
                else {
                    continue;
                };
                // "kurangin 1": less of it; no number: all of it.
                match l.quantity {
                    Some(q) => match order.lines[at].quantity.checked_sub(q) {
                        Some(left) if !left.is_negative() && !left.is_zero() => {
                            order.lines[at].quantity = left;
                        }
                        _ => {
                            order.lines.remove(at);
                        }
                    },
                    None => {
                        order.lines.retain(|x| !same(x, &product, &variant));
                    }
                }
            }
        }
        (Intent::Order, change) => {
            order.cancelled = false;
            let mut touched = false;
            for l in &p.lines {
                let Some((product, variant)) = resolve(order, l) else {
                    order.unresolved.push(Unresolved {
                        text: l.text.clone(),
                        candidates: match &l.matched {
                            LineMatch::Ambiguous { candidates } => candidates.clone(),
                            _ => Vec::new(),
                        },
                        quantity: l.quantity,
                        message,
                    });
                    continue;
                };
                touched = true;
                let quantity = l.quantity.unwrap_or(Decimal::ONE);
                let existing = order
                    .lines
                    .iter()
                    .rposition(|x| same(x, &product, &variant));
                match (change, existing) {
                    (Change::Replace, Some(at)) => order.lines[at].quantity = quantity,
                    (_, Some(at)) if variant.is_empty() || order.lines[at].variant == variant => {
                        if let Some(sum) = order.lines[at].quantity.checked_add(quantity) {
                            order.lines[at].quantity = sum;
                        }
                    }
                    _ => order.lines.push(BuyerLine {
                        product_id: product,
                        variant,
                        quantity,
                        text: l.text.clone(),
                        confidence: l.confidence,
                        message,
                    }),
                }
            }
            // "tambah 1 lagi ya", "jadi 3 aja": the buyer's last line.
            if !touched
                && p.lines.is_empty()
                && matches!(change, Change::Add | Change::Replace)
                && let (Some(q), Some(last)) = (bare_quantity(text), order.lines.last_mut())
            {
                match change {
                    Change::Add => {
                        if let Some(sum) = last.quantity.checked_add(q) {
                            last.quantity = sum;
                        }
                    }
                    _ => last.quantity = q,
                }
            }
        }
        _ => {}
    }
}

/// Reads a whole export held in memory: the orders in it, per buyer.
pub fn orders_in_export(text: &str, catalog: &ChatCatalog) -> (Vec<BuyerOrder>, ChatTally) {
    let mut orders = ChatOrders::new(catalog);
    for m in super::export::parse_str(text) {
        orders.feed_export(&m);
    }
    let tally = orders.tally();
    (orders.into_orders(), tally)
}

#[cfg(test)]
mod tests;
