//! The chat-orders service and its records: a pasted WhatsApp message read as a draft
//! order matched to a market's catalog (with the text span of every part, for
//! highlighting), a chat export read into every buyer's order and the rekap, and a
//! confirmed draft put into the cart.
//!
//! Spans are UTF-16 offsets: what Android's `Spannable` and iOS's `NSRange` count.

use crate::{CartLine, PasarError, blocking};
use pasar_core::chat::buyers::BuyerOrder;
use pasar_core::chat::numbers::{Decimal, Span};
use pasar_core::chat::order::{self as core, ChatCatalog};
use pasar_core::chat::{ChatScope as CoreScope, Chats, rekap};

/// Whose products a chat's orders are matched against.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ChatScope {
    /// The products listed in a community market (its WhatsApp group).
    Group { group_id: String },
    /// A seller's own shop.
    Seller { seller_id: String },
    /// Every product on the phone.
    Everything,
}

impl From<ChatScope> for CoreScope {
    fn from(s: ChatScope) -> Self {
        match s {
            ChatScope::Group { group_id } => CoreScope::Group(group_id),
            ChatScope::Seller { seller_id } => CoreScope::Seller(seller_id),
            ChatScope::Everything => CoreScope::All,
        }
    }
}

/// A piece of the message, in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct TextSpan {
    pub start: u32,
    pub end: u32,
}

fn utf16(text: &str, s: Span) -> TextSpan {
    let at = |b: usize| {
        let b = b.min(text.len());
        let mut b = b;
        while !text.is_char_boundary(b) {
            b -= 1;
        }
        u32::try_from(text[..b].encode_utf16().count()).unwrap_or(u32::MAX)
    };
    TextSpan {
        start: at(s.start),
        end: at(s.end),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChatIntent {
    Order,
    /// "brp kak?", "ready?": answer it; nothing to order.
    Question,
    /// The whole order or some of its lines.
    Cancel,
    /// Thanks, greetings, "udah tf".
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChatChange {
    New,
    /// "tambah 1 lagi".
    Add,
    /// "jadi 3 aja".
    Replace,
    CancelItems,
    CancelAll,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChatPayment {
    Cod,
    Transfer,
    Qris,
    Ewallet,
    Cash,
}

fn payment(p: core::Payment) -> ChatPayment {
    match p {
        core::Payment::Cod => ChatPayment::Cod,
        core::Payment::Transfer => ChatPayment::Transfer,
        core::Payment::Qris => ChatPayment::Qris,
        core::Payment::Ewallet => ChatPayment::Ewallet,
        core::Payment::Cash => ChatPayment::Cash,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VariantChoice {
    /// The option's name in the catalog ("rasa").
    pub option: String,
    /// The catalog's value ("Keju").
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChatCandidate {
    pub product_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ChatMatch {
    Product {
        product_id: String,
        name: String,
        unit: String,
        variant: Vec<VariantChoice>,
    },
    /// Several products fit as well: the admin taps the right one. Best first.
    Ambiguous { candidates: Vec<ChatCandidate> },
    /// Nothing in the catalog: the admin picks a product or drops the line.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChatLine {
    /// The line's words as written: "donat keju 1 lusin".
    pub text: String,
    pub span: TextSpan,
    pub product_span: TextSpan,
    pub quantity_span: Option<TextSpan>,
    pub matched: ChatMatch,
    /// Thousandths of the product's unit (1 lusin of a per-piece product = 12000);
    /// `None` when the message gives no number (a draft line then takes 1).
    pub quantity_milli: Option<i64>,
    /// The message's unit does not convert to the product's ("2 dus" of pieces).
    pub unit_mismatch: bool,
    /// 0–1.
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChatField {
    pub value: String,
    pub span: TextSpan,
}

/// A pasted message read as a draft order.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChatDraft {
    pub intent: ChatIntent,
    pub change: ChatChange,
    pub lines: Vec<ChatLine>,
    pub name: Option<ChatField>,
    /// E.164.
    pub phone: Option<ChatField>,
    pub address: Option<ChatField>,
    pub payment: Option<ChatPayment>,
    pub payment_span: Option<TextSpan>,
    pub notes: Vec<ChatField>,
    /// A total the buyer wrote ("total 75rb"): compare, never an item.
    pub total_idr: Option<i64>,
    /// The buyer says they paid ("udah tf").
    pub paid: bool,
    /// Only the start of a very long paste was read.
    pub truncated: bool,
    pub confidence: f32,
    /// What goes into the cart as read (`ChatService.add_to_cart`): the lines matched to
    /// one product, a line without a number counting one; notes empty. Empty unless the
    /// message orders (a cancellation's lines are what to take away).
    pub items: Vec<DraftItem>,
    /// Indexes into `lines` left out of `items` for the admin to settle: ambiguous,
    /// unknown, or counted in a container only the seller can size ("2 dus").
    pub unsettled: Vec<u32>,
    /// A promoter's code the buyer named ("kode: KIRANA"): hand it to
    /// `PromoterService.use_code` with the seller, and the checkout carries it.
    pub promo_code: Option<String>,
}

fn milli(d: Decimal) -> i64 {
    d.to_milli().unwrap_or(i64::MAX)
}

fn choices(variant: &[(String, String)]) -> Vec<VariantChoice> {
    variant
        .iter()
        .map(|(option, value)| VariantChoice {
            option: option.clone(),
            value: value.clone(),
        })
        .collect()
}

fn name_of(catalog: &ChatCatalog, id: &str) -> (String, String) {
    catalog
        .product(id)
        .map_or((id.to_owned(), String::new()), |p| {
            (p.name.clone(), p.unit.clone())
        })
}

fn draft(text: &str, p: core::ParsedMessage, catalog: &ChatCatalog) -> ChatDraft {
    let field = |f: &core::Found<String>| ChatField {
        value: f.value.clone(),
        span: utf16(text, f.span),
    };
    let cart = p.cart_lines();
    ChatDraft {
        promo_code: pasar_core::promo::find_in_chat(text).map(|c| c.as_str().to_owned()),
        items: cart
            .lines
            .into_iter()
            .map(|l| DraftItem {
                variant: choices(&l.variant),
                product_id: l.product_id,
                quantity_milli: l.quantity_milli,
                note: l.note,
            })
            .collect(),
        unsettled: cart.unsettled.into_iter().map(count).collect(),
        intent: match p.intent {
            core::Intent::Order => ChatIntent::Order,
            core::Intent::Question => ChatIntent::Question,
            core::Intent::Cancel => ChatIntent::Cancel,
            core::Intent::Other => ChatIntent::Other,
        },
        change: match p.change {
            core::Change::New => ChatChange::New,
            core::Change::Add => ChatChange::Add,
            core::Change::Replace => ChatChange::Replace,
            core::Change::CancelItems => ChatChange::CancelItems,
            core::Change::CancelAll => ChatChange::CancelAll,
            core::Change::None => ChatChange::None,
        },
        lines: p
            .lines
            .iter()
            .map(|l| ChatLine {
                text: l.text.clone(),
                span: utf16(text, l.span),
                product_span: utf16(text, l.product_span),
                quantity_span: l.quantity_span.map(|s| utf16(text, s)),
                matched: match &l.matched {
                    core::LineMatch::Product {
                        product_id,
                        variant,
                    } => {
                        let (name, unit) = name_of(catalog, product_id);
                        ChatMatch::Product {
                            product_id: product_id.clone(),
                            name,
                            unit,
                            variant: choices(variant),
                        }
                    }
                    core::LineMatch::Ambiguous { candidates } => ChatMatch::Ambiguous {
                        candidates: candidates
                            .iter()
                            .map(|id| ChatCandidate {
                                product_id: id.clone(),
                                name: name_of(catalog, id).0,
                            })
                            .collect(),
                    },
                    core::LineMatch::Unknown => ChatMatch::Unknown,
                },
                quantity_milli: l.quantity.map(milli),
                unit_mismatch: l.unit_mismatch,
                confidence: l.confidence,
            })
            .collect(),
        name: p.name.as_ref().map(field),
        phone: p.phone.as_ref().map(field),
        address: p.address.as_ref().map(field),
        payment: p.payment.as_ref().map(|f| payment(f.value)),
        payment_span: p.payment.as_ref().map(|f| utf16(text, f.span)),
        notes: p.notes.iter().map(field).collect(),
        total_idr: p.total.as_ref().map(|t| t.value.idr()),
        paid: p.paid,
        truncated: p.truncated,
        confidence: p.confidence,
    }
}

/// One line the admin confirmed (or corrected): goes into the cart as is, its variant
/// chosen by the values given (they must fit exactly one variant).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftItem {
    pub product_id: String,
    pub variant: Vec<VariantChoice>,
    /// Thousandths of the product's unit.
    pub quantity_milli: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChatOrderLine {
    pub product_id: String,
    pub name: String,
    pub variant: Vec<VariantChoice>,
    pub quantity_milli: i64,
    pub unit: String,
    pub text: String,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChatUnresolved {
    pub text: String,
    pub candidates: Vec<ChatCandidate>,
    pub quantity_milli: Option<i64>,
}

/// One buyer's order from a chat, later messages applied.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChatBuyerOrder {
    /// The author, or the name an admin's template gave.
    pub buyer: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub payment: Option<ChatPayment>,
    pub lines: Vec<ChatOrderLine>,
    pub unresolved: Vec<ChatUnresolved>,
    pub paid: bool,
    pub cancelled: bool,
    pub total_idr: i64,
    pub first_at: String,
    pub last_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChatTally {
    pub messages: u32,
    pub orders: u32,
    pub questions: u32,
    pub cancels: u32,
    pub other: u32,
    pub announcements: u32,
    pub skipped: u32,
}

/// An export read: every buyer's order and the rekap in three forms.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChatExport {
    pub buyers: Vec<ChatBuyerOrder>,
    pub tally: ChatTally,
    pub total_idr: i64,
    pub paid_idr: i64,
    /// Ready to paste into the group: *bold*, numbered, totals in rupiah.
    pub rekap_text: String,
    pub rekap_csv: String,
    pub rekap_json: String,
}

fn buyer(o: &BuyerOrder, total: i64, catalog: &ChatCatalog) -> ChatBuyerOrder {
    ChatBuyerOrder {
        buyer: o.buyer.clone(),
        name: o.name.clone(),
        phone: o.phone.clone(),
        address: o.address.clone(),
        payment: o.payment.map(payment),
        lines: o
            .lines
            .iter()
            .map(|l| {
                let (name, unit) = name_of(catalog, &l.product_id);
                ChatOrderLine {
                    product_id: l.product_id.clone(),
                    name,
                    variant: choices(&l.variant),
                    quantity_milli: milli(l.quantity),
                    unit,
                    text: l.text.clone(),
                    confidence: l.confidence,
                }
            })
            .collect(),
        unresolved: o
            .unresolved
            .iter()
            .map(|u| ChatUnresolved {
                text: u.text.clone(),
                candidates: u
                    .candidates
                    .iter()
                    .map(|id| ChatCandidate {
                        product_id: id.clone(),
                        name: name_of(catalog, id).0,
                    })
                    .collect(),
                quantity_milli: u.quantity.map(milli),
            })
            .collect(),
        paid: o.paid,
        cancelled: o.cancelled,
        total_idr: total,
        first_at: o.first_at.clone(),
        last_at: o.last_at.clone(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<DraftItem> for pasar_core::cart::NewLine {
    fn from(d: DraftItem) -> Self {
        pasar_core::cart::NewLine {
            product_id: d.product_id,
            variant: d.variant.into_iter().map(|c| (c.option, c.value)).collect(),
            quantity_milli: d.quantity_milli,
            note: d.note,
        }
    }
}

#[derive(uniffi::Object)]
pub struct ChatService {
    chats: Chats,
    cart: pasar_core::cart::Cart,
}

impl ChatService {
    pub(crate) fn new(chats: Chats, cart: pasar_core::cart::Cart) -> Self {
        ChatService { chats, cart }
    }
}
#[uniffi::export]
impl ChatService {
    /// Reads a pasted message ("pesan 2 bantal sm 1 lusin donat ya kak, cod") against
    /// the scope's catalog: a draft order with every part's span for highlighting.
    pub async fn parse_message(
        &self,
        scope: ChatScope,
        text: String,
    ) -> Result<ChatDraft, PasarError> {
        let chats = self.chats.clone();
        let scope = CoreScope::from(scope);
        blocking(move || {
            let (parsed, catalog) = chats.parse_blocking(&scope, &text)?;
            Ok(draft(&text, parsed, &catalog))
        })
        .await
    }

    /// Reads a WhatsApp chat export (the .txt file shared to the app) into every
    /// buyer's order and the rekap. `admins`: authors whose messages are not orders
    /// (posting a menu makes an author one too).
    pub async fn read_export(
        &self,
        scope: ChatScope,
        export: Vec<u8>,
        admins: Vec<String>,
        title: String,
    ) -> Result<ChatExport, PasarError> {
        let chats = self.chats.clone();
        let scope = CoreScope::from(scope);
        blocking(move || {
            let read = chats.read_export_blocking(&scope, &export, admins)?;
            let r = rekap::rekap(&read.orders, &read.catalog);
            let buyers = read
                .orders
                .iter()
                .zip(&r.buyers)
                .map(|(o, b)| buyer(o, b.total.idr(), &read.catalog))
                .collect();
            let t = read.tally;
            Ok(ChatExport {
                buyers,
                tally: ChatTally {
                    messages: count(t.messages),
                    orders: count(t.orders),
                    questions: count(t.questions),
                    cancels: count(t.cancels),
                    other: count(t.other),
                    announcements: count(t.announcements),
                    skipped: count(t.skipped),
                },
                total_idr: r.total.idr(),
                paid_idr: r.paid_total.idr(),
                rekap_text: rekap::to_whatsapp(&r, &title),
                rekap_csv: rekap::to_csv(&r),
                rekap_json: rekap::to_json(&r).to_string(),
            })
        })
        .await
    }

    /// Puts the confirmed lines of a draft (`ChatDraft.items`, or the admin's
    /// corrections) into the cart in one transaction, each product's variant chosen by
    /// its option values. All lines or none: a line that cannot go in (unknown product,
    /// a variant not named, a bad quantity) stops them all, with its error, whose
    /// sentence names the line ("Baris 2 (Donat Bomboloni): Jumlah tidak valid").
    pub async fn add_to_cart(&self, items: Vec<DraftItem>) -> Result<Vec<CartLine>, PasarError> {
        let cart = self.cart.clone();
        let lines: Vec<_> = items.into_iter().map(Into::into).collect();
        blocking(move || cart.add_all_blocking(&lines))
            .await
            .map(|lines| lines.into_iter().map(CartLine::from).collect())
    }
}
