//! Every number in a message, classified once, left to right: amounts of money,
//! quantities, ordinals, and the numbers that are neither (dates, times, phone numbers,
//! addresses, ids, percentages, durations, other currencies), so that "26/11",
//! "0812-3456-7890" or "RT 03/RW 05" never become a price or a count.

use super::amount::{self, Amount, Bare};
use super::digits::Reading;
use super::grammar::{self, Atom, Ctx};
use super::lex::Token;
use super::lexicon::MONTHS;
use super::markers::{self, phrase};
use super::quantity::{self, Quantity};
use super::slang::slang_value;
use super::{Number, Span};

/// A number that is not a price or a count, and what it is instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Other {
    Date,
    Time,
    Phone,
    /// House, street, RT/RW, post code: "No. 5", "RT 03/RW 05", "kode pos 61234".
    Address,
    /// Account, order, size, year, age: "rek 1234567890", "size 40", "tahun 2020".
    Identifier,
    Percent,
    /// "3 hari", "2 minggu".
    Duration,
    /// "$10", "20 ringgit": money, but not rupiah.
    ForeignMoney,
}

/// What a number in a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mention {
    Amount(Amount),
    Quantity(Quantity),
    Ordinal(Number),
    Other(Other),
}

/// A mention with its tokens, for callers that look around it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hit {
    pub span: Span,
    pub first: usize,
    pub end: usize,
    pub mention: Mention,
}

pub(super) fn scan_tokens(toks: &[Token], bare: Bare) -> Vec<Hit> {
    // In a price field "2m" is two miliar; in chat only "2M" is (see `Ctx::field`).
    let ctx = Ctx::new(toks, false, bare != Bare::AfterPriceWord);
    let mut hits = Vec::new();
    let mut t = 0;
    while t < toks.len() {
        if !may_start(&ctx, t) {
            t += 1;
            continue;
        }
        match at(&ctx, t, bare) {
            Some((mention, end)) if end > t => {
                hits.push(Hit {
                    span: Span {
                        start: toks[t].start,
                        end: toks[end - 1].end,
                    },
                    first: t,
                    end,
                    mention,
                });
                t = end;
            }
            _ => t += 1,
        }
    }
    hits
}

/// Whether a mention may start at token `t` (`false`: [`at`] finds none there). Most
/// tokens of a message are plain words, and trying each against every reading below
/// cost more than all the numbers found. A mention starting at a word starts with a
/// phrase of one of the lists `at` tries first there (dates, times, labels, foreign
/// money, the bounds and currencies before an amount), a number word or fraction
/// ("dua", "setengah", "kedua": a morph of the grammar), a slang amount ("goceng") or
/// the "x" of "x2"; one at a symbol, with such a phrase ("±"), a fraction ("½") or the
/// "+" or "(" of a phone number. A figure is always tried.
fn may_start(ctx: &Ctx, t: usize) -> bool {
    let tok = &ctx.toks[t];
    if tok.is_digits() {
        return true;
    }
    let lists = [
        &markers::DATE_BEFORE,
        &markers::TIME_BEFORE,
        &markers::ADDRESS_BEFORE,
        &markers::ID_BEFORE,
        &markers::FOREIGN_BEFORE,
        &markers::APPROX,
        &markers::AT_MOST,
        &markers::AT_LEAST,
        &markers::RANGE_OPEN,
        &markers::RUPIAH_BEFORE,
    ];
    if lists.iter().any(|l| l.may_start(tok)) {
        return true;
    }
    match ctx.atom(ctx.item_of(t)) {
        Some(Atom::Word(w)) => w == "x" || slang_value(w).is_some(),
        // A phone number may start with "+" or "(" ("+62 812…", "(021) 555…").
        Some(Atom::Sym(c)) => c == '+' || c == '(',
        _ => true,
    }
}

fn at(ctx: &Ctx, t: usize, bare: Bare) -> Option<(Mention, usize)> {
    let toks = ctx.toks;
    let other = |o: Other, end: usize| Some((Mention::Other(o), end));
    if let Some(end) = phone_at(toks, t) {
        return other(Other::Phone, end);
    }
    if let Some(end) = date_at(toks, t) {
        return other(Other::Date, end);
    }
    if let Some(end) = time_at(toks, t) {
        return other(Other::Time, end);
    }
    if let Some((kind, end)) = labelled_at(toks, t) {
        return other(kind, end);
    }
    if let Some(e) = phrase(toks, t, &markers::FOREIGN_BEFORE)
        && let Some(p) = grammar::number(ctx, ctx.item_of(e), Reading::Whole)
        && let Some(end) = ctx.token_at(p.end)
    {
        return other(Other::ForeignMoney, end);
    }
    // Figures glued to a word are part of a name: "iphone13", "b12", "mp3".
    if toks[t].is_digits()
        && t > 0
        && !toks[t].gap
        && toks[t - 1].is_word()
        && !matches!(&*toks[t - 1].text, "x" | "ke" | "rp" | "idr" | "isi")
    {
        return None;
    }
    if let Some((a, end)) = amount::amount_at(ctx, t, bare) {
        return Some((Mention::Amount(a), end));
    }
    // "-5": a negative number is neither a price nor a count (and "-,5" neither).
    let sign = |k: usize| toks[k].is_symbol('-') && (k == 0 || toks[k].gap);
    if t > 0
        && !toks[t].gap
        && (sign(t - 1) || toks[t - 1].is_symbol(',') && t > 1 && !toks[t - 1].gap && sign(t - 2))
    {
        return None;
    }
    // Eight digits and more, with no price marker: an account or order number.
    if toks[t].is_plain_digits() && toks[t].text.len() >= 8 {
        return other(Other::Identifier, t + 1);
    }
    let i = ctx.item_of(t);
    if let Some(n) = grammar::number(ctx, i, Reading::Plain)
        && let Some(e) = ctx.token_at(n.end)
    {
        for (list, kind) in [
            (&markers::PERCENT_AFTER, Other::Percent),
            (&markers::FOREIGN_AFTER, Other::ForeignMoney),
        ] {
            if let Some(end) = phrase(toks, e, list) {
                return other(kind, end);
            }
        }
        if n.ordinal {
            let number = Number {
                value: n.value,
                ordinal: true,
            };
            return Some((Mention::Ordinal(number), e));
        }
        if let Some(end) = phrase(toks, e, &markers::DURATION_AFTER) {
            return other(Other::Duration, end);
        }
    }
    let (q, end) = quantity::quantity(ctx, i)?;
    Some((Mention::Quantity(q), ctx.token_at(end)?))
}

fn digits_value(tok: &Token) -> Option<u32> {
    if tok.is_plain_digits() && tok.text.len() <= 4 {
        tok.text.parse().ok()
    } else {
        None
    }
}

/// "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "081234567890", "(021) 5551234".
fn phone_at(toks: &[Token], t: usize) -> Option<usize> {
    let mut k = t;
    let plus = toks.get(k)?.is_symbol('+');
    if plus {
        k += 1;
    }
    let paren = toks.get(k)?.is_symbol('(');
    if paren {
        k += 1;
    }
    // The digits' count and first three: all the verdict needs (no string per try).
    let (mut head, mut n) = ([0u8; 3], 0usize);
    let mut groups = 0;
    while let Some(tok) = toks.get(k) {
        if !tok.is_digits() || tok.text.contains(',') {
            break;
        }
        // (Counted, then copied: no string for the group.)
        let part = tok.text.bytes().filter(u8::is_ascii_digit).count();
        // A gap joins only real groups: "0812 3456 7890", not "081234567890 2 pcs".
        if groups > 0 && tok.gap && part < 3 {
            break;
        }
        for b in tok.text.bytes().filter(u8::is_ascii_digit) {
            if let Some(h) = head.get_mut(n) {
                *h = b;
            }
            n += 1;
        }
        groups += 1;
        k += 1;
        if paren && groups == 1 && toks.get(k).is_some_and(|x| x.is_symbol(')')) {
            k += 1;
        }
        let separated = toks
            .get(k)
            .is_some_and(|x| x.is_symbol('-') || x.is_symbol('.'))
            && toks.get(k + 1).is_some_and(|x| x.is_digits() && !x.gap);
        if separated {
            k += 1;
        } else if !toks.get(k).is_some_and(|x| x.is_digits() && x.gap) {
            break;
        }
    }
    let digits = &head[..n.min(3)];
    let phone = (plus && digits.starts_with(b"62") && (10..=15).contains(&n))
        || (digits.starts_with(b"08") && (9..=14).contains(&n))
        || (digits.starts_with(b"628") && (11..=15).contains(&n))
        || (digits.starts_with(b"0") && (9..=12).contains(&n) && (groups >= 2 || paren));
    phone.then_some(k)
}

/// "26/11", "26/11/2020", "26-11-2020", "26.11.2020", "tgl 26", "26 Nov", "26 november 2020".
fn date_at(toks: &[Token], t: usize) -> Option<usize> {
    let day_month = |d: u32, m: u32| (1..=31).contains(&d) && (1..=12).contains(&m);
    let year = |tok: &Token| tok.is_plain_digits() && matches!(tok.text.len(), 2 | 4);
    if let Some(e) = phrase(toks, t, &markers::DATE_BEFORE)
        && toks.get(e).is_some_and(Token::is_digits)
    {
        return Some(date_at(toks, e).unwrap_or(e + 1));
    }
    let tok = toks.get(t)?;
    // "26.11.2020" is one figure token.
    if tok.is_digits() && tok.text.matches('.').count() == 2 && !tok.text.contains(',') {
        let parts: Vec<&str> = tok.text.split('.').collect();
        if let [d, m, y] = parts.as_slice()
            && matches!(y.len(), 2 | 4)
            && d.len() <= 2
            && m.len() <= 2
            && day_month(d.parse().ok()?, m.parse().ok()?)
        {
            return Some(t + 1);
        }
        return None;
    }
    let d = digits_value(tok).filter(|_| tok.text.len() <= 2)?;
    let next = toks.get(t + 1);
    if let Some(sep) = next.filter(|x| (x.is_symbol('/') || x.is_symbol('-')) && !x.gap)
        && let Some(m_tok) = toks.get(t + 2).filter(|x| !x.gap && x.text.len() <= 2)
        && let Some(m) = digits_value(m_tok)
    {
        let third = toks.get(t + 3).filter(|x| x.text == sep.text && !x.gap);
        if third.is_some()
            && let Some(y) = toks.get(t + 4).filter(|x| !x.gap)
            && year(y)
            && day_month(d, m)
        {
            return Some(t + 5);
        }
        // "26/11": a date unless it is a small fraction ("1/2", "3/4").
        let fraction = matches!(m, 2 | 4 | 8) && d < m;
        if sep.is_symbol('/') && third.is_none() && day_month(d, m) && !fraction {
            return Some(t + 3);
        }
        return None;
    }
    if (1..=31).contains(&d)
        && let Some(e) = phrase(toks, t + 1, &MONTHS)
    {
        let with_year = toks
            .get(e)
            .is_some_and(|y| y.is_plain_digits() && y.text.len() == 4);
        return Some(if with_year { e + 1 } else { e });
    }
    None
}

/// "jam 7", "pukul 23.10", "23:10", "10.30 WIB", "7 pagi".
fn time_at(toks: &[Token], t: usize) -> Option<usize> {
    let clock = |k: usize| -> Option<usize> {
        let tok = toks.get(k)?;
        if !tok.is_digits() {
            return None;
        }
        let mut e = k + 1;
        if toks.get(e).is_some_and(|x| x.is_symbol(':') && !x.gap)
            && toks
                .get(e + 1)
                .is_some_and(|x| x.is_plain_digits() && x.text.len() == 2 && !x.gap)
        {
            e += 2;
        }
        Some(phrase(toks, e, &markers::TIME_AFTER).unwrap_or(e))
    };
    if let Some(e) = phrase(toks, t, &markers::TIME_BEFORE) {
        return clock(e);
    }
    let tok = toks.get(t)?;
    let hh_mm = |s: &str| {
        s.split_once(['.', ':']).is_some_and(|(h, m)| {
            h.len() <= 2
                && m.len() == 2
                && h.parse::<u32>().is_ok_and(|h| h <= 24)
                && m.parse::<u32>().is_ok_and(|m| m <= 59)
        })
    };
    // "23:10"
    if tok.is_plain_digits()
        && tok.text.len() <= 2
        && toks.get(t + 1).is_some_and(|x| x.is_symbol(':') && !x.gap)
        && let Some(m) = toks.get(t + 2).filter(|x| !x.gap)
        && hh_mm(&format!("{}:{}", tok.text, m.text))
    {
        return clock(t);
    }
    // "10.30 WIB", "7 pagi" (not "2 malam": two nights).
    let daytime = ["wib", "wita", "wit", "pagi", "siang", "sore", "am", "pm"];
    if (hh_mm(&tok.text) || tok.is_plain_digits() && digits_value(tok).is_some_and(|h| h <= 24))
        && toks.get(t + 1).is_some_and(|x| daytime.contains(&&*x.text))
    {
        return Some(t + 2);
    }
    None
}

/// A number after a label that makes it an address or an id: "No. 5", "RT 03/RW 05",
/// "kode pos 61234", "rek 1234567890", "size 40", "tahun 2020".
fn labelled_at(toks: &[Token], t: usize) -> Option<(Other, usize)> {
    let (kind, mut k) = match phrase(toks, t, &markers::ADDRESS_BEFORE) {
        Some(e) => (Other::Address, e),
        None => (Other::Identifier, phrase(toks, t, &markers::ID_BEFORE)?),
    };
    if toks
        .get(k)
        .is_some_and(|x| x.is_symbol(':') || x.is_symbol('.'))
    {
        k += 1;
    }
    if !toks.get(k).is_some_and(Token::is_digits) {
        return None;
    }
    if let Some(end) = phone_at(toks, k) {
        return Some((Other::Phone, end));
    }
    while let Some(tok) = toks.get(k) {
        if tok.is_digits() {
            k += 1;
            // "12a", "5B"
            if toks
                .get(k)
                .is_some_and(|x| x.is_word() && !x.gap && x.text.chars().count() <= 2)
            {
                k += 1;
            }
        } else if (tok.is_symbol('/') || tok.is_symbol('-'))
            && toks.get(k + 1).is_some_and(|x| {
                x.is_digits() || phrase(toks, k + 1, &markers::ADDRESS_BEFORE).is_some()
            })
        {
            k += 1;
        } else if let Some(e) = phrase(toks, k, &markers::ADDRESS_BEFORE)
            && toks
                .get(e)
                .is_some_and(|x| x.is_digits() || x.is_symbol('.') || x.is_symbol(':'))
        {
            // "RT 03 RW 05"
            k = e;
            if toks
                .get(k)
                .is_some_and(|x| x.is_symbol('.') || x.is_symbol(':'))
            {
                k += 1;
            }
        } else {
            break;
        }
    }
    Some((kind, k))
}
