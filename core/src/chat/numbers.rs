//! Numbers, quantities and amounts as Indonesians write them in chat.
//!
//! "kak pesen donat 1 lusin sm brownies 2 ya, total 75rb": [`find_quantities`] finds
//! "1 lusin" (12 pieces) and "2"; [`find_amounts`] finds Rp75.000; [`scan`] classifies
//! every number, including the ones that are neither (dates, times, phone numbers,
//! addresses). For one expression: [`parse_number`], [`parse_quantity`],
//! [`parse_amount`]. Pure functions over text; values are exact ([`Decimal`],
//! [`Rupiah`]).
//!
//! Layers, each its own module: `lex` (tokens with byte spans) → `lexicon`/`units`/
//! `slang` (what words mean) → `grammar` (a number: figures, words, multipliers,
//! fractions, ordinals) → `quantity` and `amount` (a number with a unit, or money) →
//! `scan` (a whole message, left to right). See ARCHITECTURE.md, "Numbers and amounts".

mod amount;
mod decimal;
mod digits;
mod grammar;
mod lex;
mod lexicon;
mod markers;
mod quantity;
mod scan;
mod slang;
mod units;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

pub use amount::{Amount, AmountKind, Bare};
pub use decimal::Decimal;
pub use quantity::Quantity;
pub use scan::{Mention, Other};
pub use units::{Measure, Unit, UnitKind};

pub(crate) use slang::slang_value;

use crate::money::Rupiah;
use digits::Reading;
use grammar::Ctx;
use lex::Token;

/// A byte range in the text a number was found in: `&text[span.start..span.end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A number on its own: "1.500", "dua setengah", "ke-3".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Number {
    pub value: Decimal,
    /// "pertama", "kedua", "ke-3", "yg ke 2": a position, not a count.
    pub ordinal: bool,
}

/// One number that is the whole text: "1.500", "1,5", "dua ratus lima puluh ribu",
/// "satu setengah", "½", "ke-3" (ordinal), "25rb" (25000). A number with a unit is a
/// quantity ([`parse_quantity`]); `None` for anything else.
pub fn parse_number(text: &str) -> Option<Number> {
    let toks = lex::tokens(text);
    let ctx = Ctx::new(&toks, true, false);
    let start = ctx.item_of(lead(&toks));
    let n = grammar::number(&ctx, start, Reading::Plain)?;
    let end = ctx.token_at(n.end)?;
    only_punctuation(&toks[end..]).then_some(Number {
        value: n.value,
        ordinal: n.ordinal,
    })
}

/// One quantity that is the whole text: "2 lusin", "1,5 kg", "setengah kilo",
/// "1 dus isi 12", "3 bks", or a bare count ("2").
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    let toks = lex::tokens(text);
    let ctx = Ctx::new(&toks, true, false);
    let (q, end) = quantity::quantity(&ctx, ctx.item_of(lead(&toks)))?;
    let end = ctx.token_at(end)?;
    only_punctuation(&toks[end..]).then_some(q)
}

/// The amount a short text states ("Rp 25.000", "50-75rb", "di bawah 100rb", "harga
/// 25rb kak"), reading a bare price-shaped number as rupiah ([`Bare::PriceShaped`]).
/// With several amounts, the one after a total word ("total", "jadi", "=") if any.
pub fn parse_amount(text: &str) -> Option<Amount> {
    parse_amount_with(text, Bare::PriceShaped)
}

/// [`parse_amount`] with the rule for bare numbers chosen by the caller.
pub fn parse_amount_with(text: &str, bare: Bare) -> Option<Amount> {
    let toks = lex::tokens(text);
    let amounts: Vec<(usize, Amount)> = scan::scan_tokens(&toks, bare)
        .into_iter()
        .filter_map(|h| match h.mention {
            Mention::Amount(a) => Some((h.first, a)),
            _ => None,
        })
        .collect();
    match amounts.as_slice() {
        [] => None,
        [(_, a)] => Some(*a),
        [(_, first), rest @ ..] if rest.iter().all(|(_, a)| a == first) => Some(*first),
        many => many
            .iter()
            .rev()
            .find(|(t, _)| amount::total_word_before(&toks, *t))
            .map(|(_, a)| *a),
    }
}

/// Every amount of rupiah in a chat message, with its byte span. Bare numbers count
/// only after a price word ([`Bare::AfterPriceWord`]).
pub fn find_amounts(text: &str) -> Vec<(Span, Amount)> {
    scan(text, Bare::AfterPriceWord)
        .into_iter()
        .filter_map(|(s, m)| match m {
            Mention::Amount(a) => Some((s, a)),
            _ => None,
        })
        .collect()
}

/// Every quantity in a chat message, with its byte span: "1 lusin", "brownies 2" (a
/// bare count, no unit). Amounts, ordinals, dates, phone numbers… are not quantities.
pub fn find_quantities(text: &str) -> Vec<(Span, Quantity)> {
    scan(text, Bare::AfterPriceWord)
        .into_iter()
        .filter_map(|(s, m)| match m {
            Mention::Quantity(q) => Some((s, q)),
            _ => None,
        })
        .collect()
}

/// The unit a word names ("kilo" → kg, "lsn" → lusin), if it is one chat knows.
pub fn unit(word: &str) -> Option<Unit> {
    units::lookup(word)
}

/// Every number in a text, classified, in order, with byte spans.
pub fn scan(text: &str, bare: Bare) -> Vec<(Span, Mention)> {
    let toks = lex::tokens(text);
    scan::scan_tokens(&toks, bare)
        .into_iter()
        .map(|h| (h.span, h.mention))
        .collect()
}

/// A price field's one exact amount, for [`crate::money::parse_rupiah`]: the amount
/// must be the only thing in the text but for a few words ("harga 25 ribu rupiah").
pub(crate) fn parse_price(text: &str) -> Option<Rupiah> {
    const FIELD_FILLER: &[&str] = &["harga", "hrg", "cuma", "aja", "saja", "nett", "net", "ya"];
    let toks = lex::tokens(text);
    let hits = scan::scan_tokens(&toks, Bare::Rupiah);
    let [hit] = hits.as_slice() else {
        return None;
    };
    let Mention::Amount(a) = hit.mention else {
        return None;
    };
    let filler = |t: &Token| {
        FIELD_FILLER.contains(&&*t.text)
            || (!t.is_word() && !t.is_digits() && ".,:;!?".contains(&*t.text))
    };
    let clean = toks[..hit.first].iter().chain(&toks[hit.end..]).all(filler);
    (clean && !a.approximate).then_some(a.exact()?)
}

/// Leading words a whole-text number may carry: "yg ke 2", "yang kedua".
fn lead(toks: &[Token]) -> usize {
    toks.iter()
        .take_while(|x| matches!(&*x.text, "yg" | "yang" | "yng"))
        .count()
}

fn only_punctuation(toks: &[Token]) -> bool {
    toks.iter()
        .all(|t| !t.is_word() && !t.is_digits() && ".,!?;:)".contains(&*t.text))
}
