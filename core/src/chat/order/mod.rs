//! One chat message → what the buyer wants: the intent, the order lines matched to the
//! catalog (with confidence and the text each came from), and the customer's name,
//! phone, address, payment method, notes and stated total. Pure functions over text and
//! a [`ChatCatalog`]; nothing is guessed silently: ambiguous and unknown lines are
//! reported as such.

mod catalog;
mod fields;
mod intent;
mod items;
pub mod report;
mod words;

#[cfg(test)]
mod tests;

pub use catalog::{ChatCatalog, ChatProduct};

use crate::chat::numbers::{Decimal, Span};
use crate::money::Rupiah;

/// Longest message read; the rest of a longer paste is ignored (and said so).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    Order,
    /// "brp kak?", "ready?", "ongkir ke gresik brp".
    Question,
    /// All of an order, or some of its lines ("yg brownies batal").
    Cancel,
    /// Thanks, greetings, a payment confirmation.
    Other,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Order => "order",
            Intent::Question => "question",
            Intent::Cancel => "cancel",
            Intent::Other => "other",
        }
    }
}

/// What a message does to the buyer's earlier order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Lines to add (a first order, or more of it).
    New,
    /// "tambah 1 lagi": more of something.
    Add,
    /// "donatnya jadi 3 aja": a new quantity for a line.
    Replace,
    CancelItems,
    CancelAll,
    /// Questions and other messages change nothing.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payment {
    Cod,
    Transfer,
    Qris,
    Ewallet,
    Cash,
}

impl Payment {
    pub fn as_str(self) -> &'static str {
        match self {
            Payment::Cod => "cod",
            Payment::Transfer => "transfer",
            Payment::Qris => "qris",
            Payment::Ewallet => "ewallet",
            Payment::Cash => "cash",
        }
    }
}

/// What an order line was matched to.
#[derive(Clone, Debug, PartialEq)]
pub enum LineMatch {
    Product {
        product_id: String,
        /// (option name, catalog value), in the product's option order.
        variant: Vec<(String, String)>,
    },
    /// Several products fit as well: the admin chooses. Best first.
    Ambiguous { candidates: Vec<String> },
    /// A quantity with words naming nothing in the catalog.
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderLine {
    /// The words of the line as written: "donat 1 lusin".
    pub text: String,
    pub span: Span,
    /// Where the product (and variant) words are.
    pub product_span: Span,
    pub matched: LineMatch,
    /// In the product's selling unit (12 for "1 lusin" of donuts sold per piece);
    /// `None` when the message gives no number.
    pub quantity: Option<Decimal>,
    pub quantity_span: Option<Span>,
    /// The message's unit could not be converted to the product's ("2 dus" of a
    /// product sold per piece): the number is kept as written.
    pub unit_mismatch: bool,
    /// 0–1: how sure the reading is (1 = every word exact, nothing else fits).
    pub confidence: f32,
}

impl OrderLine {
    pub fn product_id(&self) -> Option<&str> {
        match &self.matched {
            LineMatch::Product { product_id, .. } => Some(product_id),
            _ => None,
        }
    }
}

impl OrderLine {
    /// The quantity a cart takes for this line, in thousandths of the product's unit:
    /// the message's number, or one when it gives none ("donat keju ya" is one donut).
    /// A number too large for any cart stays too large, for the cart to refuse.
    pub fn cart_quantity_milli(&self) -> i64 {
        self.quantity
            .map_or(crate::cart::MILLI, |q| q.to_milli().unwrap_or(i64::MAX))
    }
}

/// What a read message puts in a cart as it stands ([`ParsedMessage::cart_lines`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DraftCart {
    /// The lines matched to one product with a quantity in its unit, each with its
    /// variant's values and [`OrderLine::cart_quantity_milli`]; notes empty (the admin's
    /// note is hers to add).
    pub lines: Vec<crate::cart::NewLine>,
    /// Indexes into [`ParsedMessage::lines`] left out for the admin to settle:
    /// ambiguous (she picks a candidate), unknown (she picks a product or drops it), or
    /// counted in a container only the seller can size ("2 dus" of pieces).
    pub unsettled: Vec<usize>,
}

impl ParsedMessage {
    /// The message's order as cart lines, the rule both apps follow when an admin puts
    /// a pasted order in her cart. Only an order adds: the lines of a cancellation
    /// ("brownies ga jadi") are what to take away, and a question has none.
    pub fn cart_lines(&self) -> DraftCart {
        let mut cart = DraftCart::default();
        if self.intent != Intent::Order {
            return cart;
        }
        for (i, line) in self.lines.iter().enumerate() {
            match &line.matched {
                LineMatch::Product {
                    product_id,
                    variant,
                } if !line.unit_mismatch => cart.lines.push(crate::cart::NewLine {
                    product_id: product_id.clone(),
                    variant: variant.clone(),
                    quantity_milli: line.cart_quantity_milli(),
                    note: String::new(),
                }),
                _ => cart.unsettled.push(i),
            }
        }
        cart
    }
}

/// A field with the text it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedMessage {
    pub intent: Intent,
    pub change: Change,
    pub lines: Vec<OrderLine>,
    pub name: Option<Found<String>>,
    /// E.164.
    pub phone: Option<Found<String>>,
    pub address: Option<Found<String>>,
    pub payment: Option<Found<Payment>>,
    pub notes: Vec<Found<String>>,
    /// A total the buyer wrote ("total 75rb"): checked against the lines, never an item.
    pub total: Option<Found<Rupiah>>,
    /// "udah tf ya kak": the buyer says they paid.
    pub paid: bool,
    /// Products the message names, whatever its intent (a question's too): the context
    /// for the buyer's next message.
    pub mentioned: Vec<String>,
    /// The message was longer than [`MAX_MESSAGE_BYTES`]; only its start was read.
    pub truncated: bool,
    /// 0–1 for the message as a whole.
    pub confidence: f32,
}

/// The lines a cancel is about: those in the clause with the cancel word when the
/// message keeps others ("sapu ga jadi, keset tetep"), else all it names.
fn cancelled(text: &str, words: &[words::Word], lines: Vec<OrderLine>) -> Vec<OrderLine> {
    let lines: Vec<OrderLine> = lines
        .into_iter()
        .filter(|l| !matches!(l.matched, LineMatch::Unknown))
        .collect();
    let clause_of = |at: usize| {
        let start = words
            .iter()
            .rposition(|w| w.span.start <= at && w.sep_before >= words::Sep::Item)
            .unwrap_or(0);
        let end = words
            .iter()
            .skip(start + 1)
            .position(|w| w.sep_before >= words::Sep::Item)
            .map_or(words.len(), |e| start + 1 + e);
        (start, end)
    };
    let says_cancel = |(a, b): (usize, usize)| {
        words[a..b].iter().any(|w| {
            let r = &*w.raw;
            r.contains("batal")
                || r.contains("cancel")
                || matches!(r, "jadi" | "jd" | "usah" | "hapus" | "skip")
        })
    };
    let keep: Vec<bool> = lines
        .iter()
        .map(|l| says_cancel(clause_of(l.span.start)))
        .collect();
    let _ = text;
    if keep.iter().any(|k| *k) {
        lines
            .into_iter()
            .zip(keep)
            .filter_map(|(l, k)| k.then_some(l))
            .collect()
    } else {
        lines
    }
}

/// Reads one message against the catalog of the chat it came from.
pub fn parse_message(text: &str, catalog: &ChatCatalog) -> ParsedMessage {
    parse_message_in(text, catalog, &[])
}

/// [`parse_message`] knowing the products the buyer talked about just before (most
/// recent first): "ok lvl 5 tanpa nasi 1 ya" after asking about geprek orders geprek.
pub fn parse_message_in(text: &str, catalog: &ChatCatalog, context: &[String]) -> ParsedMessage {
    let truncated = text.len() > MAX_MESSAGE_BYTES;
    let text = if truncated {
        let mut end = MAX_MESSAGE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    // The message in lower case once, for its words to borrow (when its words are ASCII,
    // with the same offsets).
    let lower =
        crate::catalog::search::normalize::ascii_words(text).then(|| text.to_ascii_lowercase());
    let words = words::words(text, lower.as_deref());
    let scanned = crate::chat::numbers::scan(text, crate::chat::numbers::Bare::AfterPriceWord);
    let fields = fields::read(text, lower.as_deref(), &scanned);
    let context: Vec<u32> = context
        .iter()
        .filter_map(|id| catalog.index_of(id))
        .collect();
    let read = items::read(text, &words, catalog, &fields, &scanned, &context);
    let mentioned: Vec<String> = read
        .lines
        .iter()
        .filter_map(|l| l.product_id().map(str::to_owned))
        .collect();
    let signals = intent::signals(text, &words);
    let matched = read
        .lines
        .iter()
        .filter(|l| !matches!(l.matched, LineMatch::Unknown))
        .count();
    let (intent, change, intent_confidence) = intent::decide(
        signals,
        matched,
        read.quantities,
        fields.item_regions.is_some(),
    );
    let lines = match intent {
        // A question names products ("donat ready?"), but orders none.
        Intent::Question | Intent::Other => Vec::new(),
        Intent::Cancel => cancelled(text, &words, read.lines),
        Intent::Order => read.lines,
    };
    let mut fields = fields;
    if intent == Intent::Question {
        // "bisa cod ke rungkut?" asks whether; it chooses nothing.
        fields.payment = None;
        fields.address = None;
    }
    let found = |s: Span| Found {
        value: text[s.start..s.end].to_owned(),
        span: s,
    };
    let line_confidence = lines.iter().map(|l| l.confidence).fold(1.0f32, f32::min);
    let confidence = if lines.is_empty() {
        intent_confidence
    } else {
        intent_confidence * line_confidence
    };
    ParsedMessage {
        intent,
        change,
        lines,
        name: fields.name.map(|(v, span)| Found { value: v, span }),
        phone: fields.phone.map(|(v, span)| Found { value: v, span }),
        address: fields.address.map(found),
        payment: fields.payment.map(|(v, span)| Found { value: v, span }),
        notes: fields.notes.into_iter().map(found).collect(),
        total: fields.total.map(|(v, span)| Found { value: v, span }),
        paid: signals.paid,
        mentioned,
        truncated,
        confidence: (confidence * 100.0).round() / 100.0,
    }
}
