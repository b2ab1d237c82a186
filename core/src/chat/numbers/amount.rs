//! Amounts of rupiah in every form sellers and buyers write them: "Rp 25.000",
//! "Rp25.000,-", "25rb", "25k", "1,5jt", "dua puluh lima ribu", "goceng", ranges ("50-75rb",
//! "antara 50 sampai 75 ribu"), bounds ("di bawah 100rb", "min 50rb", "50rb ke atas") and
//! "about" ("sekitar 50rb", "±50rb", "50rban").
//!
//! A number is money when something says so: a currency, a multiplier ("rb", "juta"),
//! slang. A bare number is money only where the caller says bare numbers are prices
//! ([`Bare`]): in a price field, or after a price word in chat ("harga 25000").

use super::decimal::Decimal;
use super::digits::Reading;
use super::grammar::{self, Ctx};
use super::lex::Token;
use super::markers::{self, phrase, phrase_before};
use super::slang::slang_value;
use crate::money::Rupiah;

/// What a text says about a price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountKind {
    Exact(Rupiah),
    /// "50-75rb": both ends included.
    Range {
        min: Rupiah,
        max: Rupiah,
    },
    /// "di bawah 100rb", "maks 100rb".
    AtMost(Rupiah),
    /// "di atas 50rb", "minimal 50rb".
    AtLeast(Rupiah),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount {
    pub kind: AmountKind,
    /// "sekitar", "kurang lebih", "±", "50rban": the value is a guide, not a price.
    pub approximate: bool,
}

impl Amount {
    pub fn exact(&self) -> Option<Rupiah> {
        match self.kind {
            AmountKind::Exact(v) => Some(v),
            _ => None,
        }
    }

    /// The lowest amount meant, if there is one.
    pub fn min(&self) -> Option<Rupiah> {
        match self.kind {
            AmountKind::Exact(v) | AmountKind::AtLeast(v) => Some(v),
            AmountKind::Range { min, .. } => Some(min),
            AmountKind::AtMost(_) => None,
        }
    }

    /// The highest amount meant, if there is one.
    pub fn max(&self) -> Option<Rupiah> {
        match self.kind {
            AmountKind::Exact(v) | AmountKind::AtMost(v) => Some(v),
            AmountKind::Range { max, .. } => Some(max),
            AmountKind::AtLeast(_) => None,
        }
    }
}

/// When a number with no currency, multiplier or slang counts as rupiah.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bare {
    /// A price field: any whole number is rupiah ("500").
    Rupiah,
    /// A short text about money (`pasar parse money`): a whole number of at least 1.000
    /// shaped like a price ("25.000", "25000"), not "2", "2020" or "61234".
    PriceShaped,
    /// A chat message: shaped like a price and after a price word ("harga 25000",
    /// "tf 150.000", "@25000"); elsewhere a bare number is a count.
    AfterPriceWord,
}

/// One end of an amount: "Rp 50.000", "75rb", "goceng", "lima ribu perak".
#[derive(Clone, Copy, Debug)]
struct Side {
    value: Decimal,
    end: usize,
    currency: bool,
    big: Option<i64>,
    slang: bool,
    approx: bool,
    figure: Option<usize>,
}

impl Side {
    fn marked(&self) -> bool {
        self.currency || self.slang || self.big.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    AtMost,
    AtLeast,
}

fn glued(toks: &[Token], k: usize) -> bool {
    toks.get(k).is_some_and(|t| !t.gap)
}

fn sym(toks: &[Token], k: usize, c: char) -> bool {
    toks.get(k).is_some_and(|t| t.is_symbol(c))
}

fn side(ctx: &Ctx, t: usize) -> Option<Side> {
    let toks = ctx.toks;
    if phrase(toks, t, &markers::FOREIGN_BEFORE).is_some() {
        return None;
    }
    let mut k = t;
    let mut currency = false;
    if let Some(e) = phrase(toks, k, &markers::RUPIAH_BEFORE) {
        currency = true;
        k = e;
    }
    let tok = toks.get(k)?;
    let (value, mut k, big, slang, mut approx, figure) =
        if let Some(v) = tok.is_word().then(|| slang_value(&tok.text)).flatten() {
            let mut value = Decimal::from_int(v);
            let mut e = k + 1;
            // "cepek ceng" = 100.000
            if toks
                .get(e)
                .is_some_and(|t| ["ceng", "rb", "ribu", "rebu", "k"].contains(&&*t.text))
            {
                value = value.checked_mul_int(1_000)?;
                e += 1;
            }
            (value, e, None, true, false, None)
        } else if let Some((value, e)) = space_grouped(toks, k)
            .filter(|_| currency || ctx.field && (k == 0 || price_word_before(toks, k)))
        {
            (value, e, None, false, false, Some(k))
        } else {
            let p = grammar::number(ctx, ctx.item_of(k), Reading::Whole)?;
            if p.ordinal || p.value.is_negative() {
                return None;
            }
            let e = ctx.token_at(p.end)?;
            (p.value, e, p.big.map(|(m, _)| m), false, p.approx, p.figure)
        };
    // "50an", "50rb an", "25rb-an": about.
    if toks.get(k).is_some_and(|t| t.is("an")) {
        approx = true;
        k += 1;
    } else if sym(toks, k, '-') && glued(toks, k) && toks.get(k + 1).is_some_and(|t| t.is("an")) {
        approx = true;
        k += 2;
    }
    // "20 rupiah", "20Rp", "lima ribu perak" (but "Rp" before another number starts it).
    if let Some(e) = phrase(toks, k, &markers::RUPIAH_AFTER)
        && !toks.get(e).is_some_and(Token::is_digits)
    {
        currency = true;
        k = e;
    }
    // The zero decimals shops print: "25.000,-", "25.000.-", "Rp 25.000-".
    let digits_after = |j: usize| {
        toks.get(j)
            .is_some_and(|t| t.is_digits() || slang_value(&t.text).is_some())
    };
    if (sym(toks, k, ',') || sym(toks, k, '.'))
        && glued(toks, k)
        && sym(toks, k + 1, '-')
        && glued(toks, k + 1)
        && !digits_after(k + 2)
    {
        k += 2;
    } else if sym(toks, k, '-')
        && glued(toks, k)
        && (currency || figure.is_some_and(|f| toks[f].text.contains('.')))
        && (k + 1 >= toks.len() || toks[k + 1].gap && !digits_after(k + 1))
    {
        k += 1;
    }
    if phrase(toks, k, &markers::FOREIGN_AFTER).is_some() {
        return None;
    }
    // "2 ribu pcs" is a count of pieces, not money.
    if ctx.unit_at(ctx.item_of(k)).is_some() && !currency {
        return None;
    }
    Some(Side {
        value,
        end: k,
        currency,
        big,
        slang,
        approx,
        figure,
    })
}

/// "25 000", "1 250 000": thousands grouped with spaces, as some shops print them. Only
/// after "Rp", or alone or after a price word in a field: "donat 2 100" is two numbers.
fn space_grouped(toks: &[Token], k: usize) -> Option<(Decimal, usize)> {
    let first = toks
        .get(k)
        .filter(|t| t.is_plain_digits() && (1..=3).contains(&t.text.len()))?;
    let mut digits = first.text.to_string();
    let mut e = k + 1;
    while let Some(group) = toks
        .get(e)
        .filter(|t| t.gap && t.is_plain_digits() && t.text.len() == 3)
    {
        digits.push_str(&group.text);
        e += 1;
    }
    if e == k + 1 || first.text.starts_with('0') || digits.len() > 18 {
        return None;
    }
    Some((Decimal::new(digits.parse().ok()?, 0)?, e))
}

/// An amount starting at token `t`, and the token after it.
pub(super) fn amount_at(ctx: &Ctx, t: usize, bare: Bare) -> Option<(Amount, usize)> {
    let toks = ctx.toks;
    // A minus sign: "-5000" is not a price.
    if t > 0 && glued(toks, t) && sym(toks, t - 1, '-') && (t == 1 || toks[t - 1].gap) {
        return None;
    }
    let mut k = t;
    let (mut approx, mut bound, mut between) = (false, None, false);
    let mut opened = false;
    for _ in 0..3 {
        if !approx && let Some(e) = phrase(toks, k, &markers::APPROX) {
            approx = true;
            k = e;
            continue;
        }
        if bound.is_none() && !opened {
            if let Some(e) = phrase(toks, k, &markers::AT_MOST) {
                bound = Some(Bound::AtMost);
                k = e;
                continue;
            }
            if let Some(e) = phrase(toks, k, &markers::AT_LEAST) {
                bound = Some(Bound::AtLeast);
                k = e;
                continue;
            }
            if let Some(e) = phrase(toks, k, &markers::RANGE_OPEN) {
                between = toks[k].is("antara");
                opened = true;
                k = e;
                continue;
            }
        }
        break;
    }
    let a = side(ctx, k)?;
    let mut end = a.end;
    let mut b = None;
    if bound.is_none() {
        let sep = phrase(toks, end, &markers::RANGE_SEP)
            .or_else(|| (between && toks.get(end).is_some_and(|t| t.is("dan"))).then_some(end + 1));
        if let Some(s) = sep
            && let Some(other) = side(ctx, s)
            && spread(&a, &other).is_some()
        {
            end = other.end;
            b = Some(other);
        }
    }
    if bound.is_none() && b.is_none() {
        if let Some(e) = phrase(toks, end, &markers::AT_LEAST_AFTER) {
            bound = Some(Bound::AtLeast);
            end = e;
        } else if let Some(e) = phrase(toks, end, &markers::AT_MOST_AFTER) {
            bound = Some(Bound::AtMost);
            end = e;
        } else if sym(toks, end, '+') && !toks.get(end + 1).is_some_and(|x| x.is_digits() || !x.gap)
        {
            // "50rb+" (but "50rb + 20rb" adds)
            bound = Some(Bound::AtLeast);
            end += 1;
        } else if toks.get(end).is_some_and(|x| x.is("lebih"))
            && toks
                .get(end + 1)
                .is_none_or(|x| !x.is_word() && !x.is_digits())
        {
            // "sejuta lebih": over a million.
            bound = Some(Bound::AtLeast);
            end += 1;
        }
    }
    let sides = [Some(a), b];
    let sides = sides.iter().flatten();
    if !sides.clone().any(Side::marked) {
        let ok = match bare {
            Bare::Rupiah => sides.clone().all(|s| whole_figure(toks, s)),
            Bare::PriceShaped => sides.clone().all(|s| price_shaped(toks, s)),
            Bare::AfterPriceWord => {
                price_word_before(toks, t) && sides.clone().all(|s| price_shaped(toks, s))
            }
        };
        if !ok {
            return None;
        }
    }
    let rupiah = |d: Decimal| d.to_i64().filter(|v| *v >= 0).map(Rupiah::new);
    let kind = match b {
        Some(b) => {
            let (lo, hi) = spread(&a, &b)?;
            let (lo, hi) = (rupiah(lo)?, rupiah(hi)?);
            if lo == hi {
                AmountKind::Exact(lo)
            } else {
                AmountKind::Range { min: lo, max: hi }
            }
        }
        None => {
            let v = rupiah(a.value)?;
            match bound {
                None => AmountKind::Exact(v),
                Some(Bound::AtMost) => AmountKind::AtMost(v),
                Some(Bound::AtLeast) => AmountKind::AtLeast(v),
            }
        }
    };
    let approximate = approx || a.approx || b.is_some_and(|b| b.approx);
    Some((Amount { kind, approximate }, end))
}

/// The two ends of a range, with the multiplier shared: "50-75rb" is 50.000–75.000;
/// the left end takes the right's multiplier, or the next smaller one when that keeps
/// it below the right ("500-1jt" is 500rb–1jt). `None` when the ends are the wrong way.
fn spread(a: &Side, b: &Side) -> Option<(Decimal, Decimal)> {
    let (mut lo, mut hi) = (a.value, b.value);
    if a.big.is_none()
        && !a.slang
        && let Some(m) = b.big
    {
        // Down one multiplier at most, never to bare rupiah: "75-50rb" is no range.
        let candidates = [m, m / 1_000];
        lo = candidates
            .iter()
            .filter(|c| **c >= 1_000 || **c == m)
            .filter_map(|c| a.value.checked_mul_int(*c))
            .find(|v| *v <= hi)?;
    }
    if b.big.is_none()
        && !b.slang
        && hi < lo
        && let Some(m) = a.big
    {
        hi = hi.checked_mul_int(m).filter(|v| *v >= lo)?;
    }
    (lo <= hi).then_some((lo, hi))
}

/// A whole number written plainly (a price field's "500"), not an id ("0812…").
fn whole_figure(toks: &[Token], s: &Side) -> bool {
    let id = s.figure.is_some_and(|f| {
        let t = &toks[f].text;
        t.len() > 1 && t.starts_with('0') || t.len() > 15
    });
    s.value.is_integer() && !id
}

/// At least 1.000 and shaped like a price: grouped ("25.000") or plain digits ending
/// in 50, 00 or 99 ("25000", "49999"); not a year, a post code or a phone number.
fn price_shaped(toks: &[Token], s: &Side) -> bool {
    let Some(v) = s.value.to_i64().filter(|v| *v >= 1_000) else {
        return false;
    };
    match s.figure {
        Some(f) => {
            let text = &toks[f].text;
            if text.contains(['.', ',']) {
                return true;
            }
            !text.starts_with('0') && text.len() <= 10 && (v % 50 == 0 || v % 100 == 99)
        }
        None => true,
    }
}

/// A price word shortly before token `t`: "harga 25000", "harganya cuma 25.000",
/// "total: 75000", "2 x 25000".
fn price_word_before(toks: &[Token], t: usize) -> bool {
    let mut k = t;
    for _ in 0..4 {
        if phrase_before(toks, k, &markers::PRICE_CONTEXT).is_some() {
            return true;
        }
        match phrase_before(toks, k, &markers::FILLER) {
            Some(start) => k = start,
            None => return false,
        }
    }
    false
}

/// A total word before token `t` ("total 75rb", "jadi 75rb", "= 75rb").
pub(super) fn total_word_before(toks: &[Token], t: usize) -> bool {
    let mut k = t;
    for _ in 0..4 {
        if phrase_before(toks, k, &markers::TOTAL_CONTEXT).is_some() {
            return true;
        }
        match phrase_before(toks, k, &markers::FILLER) {
            Some(start) => k = start,
            None => return false,
        }
    }
    false
}
