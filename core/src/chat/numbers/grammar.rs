//! The grammar of a number, over tokens: figures ("1.500", "1,5"), words ("dua ratus
//! lima puluh ribu"), multipliers after either ("25rb", "1,5 juta", "dua rb"), fractions
//! ("setengah", "satu setengah", "2½", "1 1/2", "tiga perempat"), "koma" decimals and
//! ordinals ("kedua", "ke-3", "pertama").
//!
//! Words become small pieces first (`lexicon::Morph`), so "seratus", "se ratus" and
//! "seratusribu" all read the same; figures stay whole tokens until we know whether a
//! multiplier or a unit follows, because that decides how a lone separator reads.

use super::decimal::Decimal;
use super::digits::{self, Reading};
use super::lex::{Kind, Token};
use super::lexicon::{self, Morph};
use super::units::{self, Unit};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Atom<'t> {
    M(Morph),
    Num(&'t str),
    Sym(char),
    Frac(Decimal),
    Word(&'t str),
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Item<'t> {
    pub atom: Atom<'t>,
    pub tok: usize,
    /// Whitespace before this item (only the first item of a token can have it).
    pub gap: bool,
}

/// Tokens and the items they expand to, with the reading rules of the caller.
pub(super) struct Ctx<'t> {
    pub toks: &'t [Token<'t>],
    pub items: Vec<Item<'t>>,
    /// Index of the first item of each token.
    first: Vec<usize>,
    /// A whole text is one number: "kosong", "minus", "beberapa" count, "-5" is negative.
    pub whole_text: bool,
    /// A price field or a short text about one thing, not a chat message: "m"/"t" mean
    /// miliar/triliun however written, and "25 000" groups thousands with a space.
    pub field: bool,
}

impl<'t> Ctx<'t> {
    pub fn new(toks: &'t [Token<'t>], whole_text: bool, field: bool) -> Self {
        let mut items = Vec::with_capacity(toks.len());
        let mut first = Vec::with_capacity(toks.len());
        for (t, tok) in toks.iter().enumerate() {
            first.push(items.len());
            let push =
                |items: &mut Vec<Item<'t>>, atom, gap| items.push(Item { atom, tok: t, gap });
            match tok.kind {
                Kind::Digits => push(&mut items, Atom::Num(&tok.text), tok.gap),
                Kind::Symbol => {
                    let c = tok.text.chars().next().unwrap_or(' ');
                    let atom = lexicon::fraction_char(c).map_or(Atom::Sym(c), Atom::Frac);
                    push(&mut items, atom, tok.gap);
                }
                Kind::Word => match lexicon::morphs(&tok.text, whole_text) {
                    Some(ms) if !ms.is_empty() => {
                        for (k, &m) in ms.iter().enumerate() {
                            push(&mut items, Atom::M(m), tok.gap && k == 0);
                        }
                    }
                    _ => push(&mut items, Atom::Word(&tok.text), tok.gap),
                },
            }
        }
        Ctx {
            toks,
            items,
            first,
            whole_text,
            field,
        }
    }

    pub fn atom(&self, i: usize) -> Option<Atom<'t>> {
        self.items.get(i).map(|it| it.atom)
    }

    pub fn morph(&self, i: usize) -> Option<Morph> {
        match self.atom(i)? {
            Atom::M(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_sym(&self, i: usize, c: char) -> bool {
        self.atom(i) == Some(Atom::Sym(c))
    }

    /// Item `i` is written straight after the previous one ("1/2", "25rb", "kedua").
    pub fn glued(&self, i: usize) -> bool {
        self.items.get(i).is_some_and(|it| !it.gap)
    }

    /// First item of token `t` (or the end).
    pub fn item_of(&self, t: usize) -> usize {
        self.first.get(t).copied().unwrap_or(self.items.len())
    }

    /// The token that starts at item `i`, if `i` is at a token boundary.
    pub fn token_at(&self, i: usize) -> Option<usize> {
        if i >= self.items.len() {
            return Some(self.toks.len());
        }
        (i == 0 || self.items[i].tok != self.items[i - 1].tok).then_some(self.items[i].tok)
    }

    /// A unit at item `i`: a unit word, or the unit of "sekilo".
    pub fn unit_at(&self, i: usize) -> Option<Unit> {
        match self.atom(i)? {
            Atom::M(Morph::Unit(u)) => Some(u),
            Atom::Word(w) => units::lookup(w),
            _ => None,
        }
    }

    /// A multiplier at item `i` that this context accepts.
    fn big_at(&self, i: usize) -> Option<(i64, bool, bool)> {
        let Some(Morph::Big {
            value,
            abbrev,
            approx,
        }) = self.morph(i)
        else {
            return None;
        };
        // In chat "M" is miliar only glued and capital ("2M"): "2m" of cloth is metres
        // and "kaos 2 M" is two shirts in size M.
        let capital_glued = self
            .toks
            .get(self.items[i].tok)
            .is_some_and(|t| t.upper && !t.gap);
        if abbrev && value >= 1_000_000_000 && !(capital_glued || self.field) {
            return None;
        }
        Some((value, abbrev, approx))
    }

    fn plain_digits(&self, i: usize) -> Option<&'t str> {
        match self.atom(i)? {
            Atom::Num(s) if s.bytes().all(|b| b.is_ascii_digit()) => Some(s),
            _ => None,
        }
    }
}

/// A number read at some item.
#[derive(Clone, Copy, Debug)]
pub(super) struct Parsed {
    pub value: Decimal,
    /// Item after the number.
    pub end: usize,
    pub ordinal: bool,
    /// The largest multiplier used, and whether it was abbreviated ("rb", "k").
    pub big: Option<(i64, bool)>,
    /// "ribuan", "rban": about so many.
    pub approx: bool,
    /// The number is one figure token, nothing else: its token, for shape checks.
    pub figure: Option<usize>,
}

/// A number at item `i`: an ordinal, a signed number (whole text only) or a cardinal.
pub(super) fn number(ctx: &Ctx, i: usize, reading: Reading) -> Option<Parsed> {
    match ctx.atom(i)? {
        Atom::M(Morph::First) => Some(Parsed {
            value: Decimal::ONE,
            end: i + 1,
            ordinal: true,
            big: None,
            approx: false,
            figure: None,
        }),
        Atom::M(Morph::Ke) => {
            let mut k = i + 1;
            if ctx.is_sym(k, '-') {
                k += 1;
            }
            let p = cardinal(ctx, k, Reading::Whole)?;
            (p.value.is_integer() && p.value >= Decimal::ONE).then_some(Parsed {
                ordinal: true,
                figure: None,
                ..p
            })
        }
        Atom::M(Morph::Few) => Some(Parsed {
            value: Decimal::from_int(3),
            end: i + 1,
            ordinal: false,
            big: None,
            approx: true,
            figure: None,
        }),
        Atom::M(Morph::Minus) => negative(ctx, i + 1, reading),
        Atom::Sym('-') if ctx.whole_text && i == 0 => negative(ctx, i + 1, reading),
        _ => cardinal(ctx, i, reading),
    }
}

fn negative(ctx: &Ctx, i: usize, reading: Reading) -> Option<Parsed> {
    let p = cardinal(ctx, i, reading)?;
    Some(Parsed {
        value: p.value.checked_neg()?,
        figure: None,
        ..p
    })
}

/// A cardinal: coefficients with descending multipliers ("dua juta lima ratus ribu",
/// "1jt 250rb"), a trailing part ("sepuluh ribu sebelas"), "sejuta setengah", "1rb5".
pub(super) fn cardinal(ctx: &Ctx, i: usize, reading: Reading) -> Option<Parsed> {
    let mut total = Decimal::ZERO;
    let mut j = i;
    let mut last: Option<(i64, bool)> = None;
    let mut largest: Option<(i64, bool)> = None;
    let (mut approx, mut figure) = (false, None);
    while let Some(c) = coefficient(ctx, j, reading) {
        match ctx.big_at(c.end) {
            Some((m, abbrev, about)) if last.is_none_or(|(b, _)| m < b) && !c.value.is_zero() => {
                total = total.checked_add(c.value.checked_mul_int(m)?)?;
                approx |= about;
                largest = largest.or(Some((m, abbrev)));
                last = Some((m, abbrev));
                j = c.end + 1;
                let whole = c.value.is_integer() && !c.fraction;
                // "sejuta setengah", "2 juta setengah": and a half of the multiplier.
                if whole && ctx.morph(j) == Some(Morph::Half) {
                    total = total.checked_add(Decimal::ratio(i128::from(m), 2)?)?;
                    j += 1;
                    break;
                }
                // "1jt250", "1rb5", "2k5": figures glued after the multiplier continue it
                // as decimals (1,25 jt; 1,5 rb).
                if whole
                    && c.figure.is_some()
                    && ctx.glued(j)
                    && let Some(more) = ctx.plain_digits(j)
                    && more.len() <= 3
                    && ctx.big_at(j + 1).is_none()
                {
                    let scale = u32::try_from(more.len()).ok()?;
                    let fraction = Decimal::new(more.parse().ok()?, scale)?;
                    total = total.checked_add(fraction.checked_mul_int(m)?)?;
                    j += 1;
                    break;
                }
            }
            _ => {
                match last {
                    None => {
                        total = c.value;
                        j = c.end;
                        figure = c.figure;
                    }
                    Some((b, abbrev)) => {
                        // A trailing part under the last multiplier: words ("sepuluh ribu
                        // sebelas") or hundreds after a written-out one ("10 ribu 500"), never
                        // "25rb 2" (that 2 is a count).
                        let joins = c.value < Decimal::from_int(b)
                            && !c.fraction
                            && (c.words || (!abbrev && c.value >= Decimal::from_int(100)))
                            && ctx.unit_at(c.end).is_none();
                        if joins {
                            total = total.checked_add(c.value)?;
                            j = c.end;
                        }
                    }
                }
                break;
            }
        }
    }
    (j > i).then_some(Parsed {
        value: total,
        end: j,
        ordinal: false,
        big: largest,
        approx,
        figure: if largest.is_none() { figure } else { None },
    })
}

#[derive(Clone, Copy, Debug)]
struct Coefficient {
    value: Decimal,
    end: usize,
    words: bool,
    fraction: bool,
    figure: Option<usize>,
}

/// What stands before a multiplier: a figure, words under a thousand, a fraction, or a
/// whole with a fraction ("satu setengah", "2½"), or "koma" decimals.
fn coefficient(ctx: &Ctx, i: usize, reading: Reading) -> Option<Coefficient> {
    if let Some((value, end, words)) = fraction(ctx, i) {
        return Some(Coefficient {
            value,
            end,
            words,
            fraction: true,
            figure: None,
        });
    }
    let (mut value, mut k, words, mut figure) = match ctx.atom(i)? {
        Atom::Num(raw)
            if !(raw.len() == 1
                && matches!(
                    ctx.morph(i + 1),
                    Some(Morph::Puluh | Morph::Belas | Morph::Ratus)
                )) =>
        {
            // "0033" is 33, but "08123…" is a phone or account number, not a count.
            if raw.starts_with('0') && raw.len() > 4 && raw.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let before_multiplier = ctx.big_at(i + 1).is_some();
            let r = if before_multiplier {
                Reading::BeforeMultiplier
            } else {
                reading
            };
            let value = digits::read(raw, r)?;
            (value, i + 1, false, Some(ctx.items[i].tok))
        }
        _ => {
            let (v, end) = small_words(ctx, i)?;
            (Decimal::from_int(v), end, true, None)
        }
    };
    // "satu koma lima", "1 koma 25"
    if value.is_integer()
        && ctx.morph(k) == Some(Morph::Koma)
        && let Some((decimals, end)) = koma_decimals(ctx, k + 1)
    {
        value = value.checked_add(decimals)?;
        k = end;
        figure = None;
    }
    // "satu setengah", "2½", "1 1/2", "dua seperempat"
    let mut has_fraction = false;
    if value.is_integer()
        && let Some((f, end, _)) = fraction(ctx, k)
    {
        value = value.checked_add(f)?;
        k = end;
        has_fraction = true;
        figure = None;
    }
    Some(Coefficient {
        value,
        end: k,
        words,
        fraction: has_fraction,
        figure,
    })
}

/// A fraction under one: "setengah", "½", "seperempat", "tiga perempat", "1/2", "3/4",
/// "tiga per empat", "seperdelapan". Thirds have no exact decimal and are not read.
fn fraction(ctx: &Ctx, i: usize) -> Option<(Decimal, usize, bool)> {
    match ctx.atom(i)? {
        Atom::M(Morph::Half) => Some((Decimal::ratio(1, 2)?, i + 1, true)),
        Atom::Frac(f) => Some((f, i + 1, false)),
        Atom::M(Morph::Digit(n))
            if (1..=3).contains(&n) && ctx.morph(i + 1) == Some(Morph::Quarter) =>
        {
            Some((Decimal::ratio(i128::from(n), 4)?, i + 2, true))
        }
        Atom::M(Morph::Digit(n)) if ctx.morph(i + 1) == Some(Morph::Per) => {
            let Some(Morph::Digit(d)) = ctx.morph(i + 2) else {
                return None;
            };
            (n >= 1 && n < d).then_some(())?;
            Some((Decimal::ratio(i128::from(n), i128::from(d))?, i + 3, true))
        }
        Atom::Num(a) if a.len() == 1 && ctx.morph(i + 1) == Some(Morph::Quarter) => {
            let n: i128 = a.parse().ok()?;
            (1..=3).contains(&n).then_some(())?;
            Some((Decimal::ratio(n, 4)?, i + 2, false))
        }
        Atom::Num(a) => {
            // "1/2", "3/4", "1/8": small denominators only, so dates ("26/11", "1/12")
            // stay dates; "1/2/2020" is a date too.
            let b = ctx.plain_digits(i + 2)?;
            let glued = ctx.is_sym(i + 1, '/') && ctx.glued(i + 1) && ctx.glued(i + 2);
            let date = ctx.is_sym(i + 3, '/') && ctx.glued(i + 3);
            if !glued || date || !a.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (n, d): (i128, i128) = (a.parse().ok()?, b.parse().ok()?);
            (matches!(d, 2 | 4 | 8) && n >= 1 && n < d).then_some(())?;
            Some((Decimal::ratio(n, d)?, i + 3, false))
        }
        _ => None,
    }
}

/// A number under a thousand in words: "tiga", "sebelas", "dua belas", "dua puluh
/// lima", "seratus dua puluh dua", "nol"; a figure may stand for the digit before
/// "puluh"/"belas"/"ratus" ("2 ratus").
fn small_words(ctx: &Ctx, i: usize) -> Option<(i64, usize)> {
    let scale_after = |k: usize| {
        matches!(
            ctx.morph(k + 1),
            Some(Morph::Puluh | Morph::Belas | Morph::Ratus)
        )
    };
    let digit = |k: usize, lead: bool| -> Option<i64> {
        match ctx.atom(k)? {
            Atom::M(Morph::Digit(d)) => Some(i64::from(d)),
            Atom::Num(s) if lead && s.len() == 1 && scale_after(k) => s.parse().ok(),
            _ => None,
        }
    };
    let mut value = 0;
    let mut k = i;
    if let Some(d) = digit(k, true)
        && d >= 1
        && ctx.morph(k + 1) == Some(Morph::Ratus)
    {
        value = d * 100;
        k += 2;
    }
    if let Some(d) = digit(k, k == i) {
        match ctx.morph(k + 1) {
            Some(Morph::Puluh) if d >= 1 => {
                value += d * 10;
                k += 2;
                // "dua puluh lima" (but "sepuluh" takes no units: 15 is "lima belas").
                if d >= 2
                    && let Some(Atom::M(Morph::Digit(u))) = ctx.atom(k)
                    && u >= 1
                    && !scale_after(k)
                {
                    value += i64::from(u);
                    k += 1;
                }
            }
            Some(Morph::Belas) if d >= 1 => {
                value += 10 + d;
                k += 2;
            }
            Some(Morph::Ratus | Morph::Puluh | Morph::Belas) => {}
            _ if d >= 1 || k == i => {
                value += d;
                k += 1;
            }
            _ => {}
        }
    }
    (k > i).then_some((value, k))
}

/// The decimals after "koma": "lima" (.5), "dua lima" (.25), "nol lima" (.05), "25",
/// or a number in words read as digits ("dua puluh lima" = .25), as Duckling does.
fn koma_decimals(ctx: &Ctx, i: usize) -> Option<(Decimal, usize)> {
    let (digits, end) = if let Some(s) = ctx.plain_digits(i) {
        (s.to_owned(), i + 1)
    } else if matches!(
        ctx.morph(i + 1),
        Some(Morph::Puluh | Morph::Belas | Morph::Ratus)
    ) {
        let (v, end) = small_words(ctx, i)?;
        (v.to_string(), end)
    } else {
        let mut s = String::new();
        let mut k = i;
        while let Some(Morph::Digit(d)) = ctx.morph(k) {
            s.push(char::from(b'0' + d));
            k += 1;
        }
        (s, k)
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let scale = u32::try_from(digits.len()).ok()?;
    Some((Decimal::new(digits.parse().ok()?, scale)?, end))
}

#[cfg(test)]
mod tests {
    use super::super::lex::tokens;
    use super::*;

    fn read(s: &str) -> Option<String> {
        let toks = tokens(s);
        let ctx = Ctx::new(&toks, true, false);
        let p = number(&ctx, 0, Reading::Plain)?;
        (p.end == ctx.items.len()).then(|| p.value.to_string())
    }

    #[test]
    fn words_compose_like_the_grammar_says() {
        for (text, value) in [
            ("nol", "0"),
            ("sebelas", "11"),
            ("tujuh belas", "17"),
            ("dua puluh delapan", "28"),
            ("seratus dua puluh dua", "122"),
            ("dua ratus ribu", "200000"),
            ("sepuluh ribu sebelas", "10011"),
            ("tujuh ratus dua puluh satu ribu dua belas", "721012"),
            (
                "tiga puluh satu juta dua ratus lima puluh enam ribu tujuh ratus dua puluh satu",
                "31256721",
            ),
            ("duapuluhlima", "25"),
            ("2 ratus", "200"),
            ("satu koma lima", "1.5"),
            ("dua koma dua lima", "2.25"),
            ("nol koma nol lima", "0.05"),
        ] {
            assert_eq!(read(text).as_deref(), Some(value), "{text}");
        }
    }

    #[test]
    fn multipliers_after_any_number_form() {
        for (text, value) in [
            ("25rb", "25000"),
            ("1,5jt", "1500000"),
            ("1.5 juta", "1500000"),
            ("dua rb", "2000"),
            ("setengah juta", "500000"),
            ("satu setengah juta", "1500000"),
            ("sejuta setengah", "1500000"),
            ("1jt 250rb", "1250000"),
            ("1jt250", "1250000"),
            ("2k5", "2500"),
            ("10 ribu 500", "10500"),
            ("3M", "3000000000"),
        ] {
            assert_eq!(read(text).as_deref(), Some(value), "{text}");
        }
        // "25rb 2": the 2 is a count, not part of the price.
        assert_eq!(read("25rb 2"), None);
        // Lower-case "m" is metres in chat, not miliar.
        assert_eq!(read("3m"), None);
    }

    #[test]
    fn fractions() {
        for (text, value) in [
            ("setengah", "0.5"),
            ("stgh", "0.5"),
            ("seperempat", "0.25"),
            ("seperapat", "0.25"),
            ("tiga perempat", "0.75"),
            ("dua setengah", "2.5"),
            ("1/2", "0.5"),
            ("½", "0.5"),
            ("2½", "2.5"),
            ("1 1/2", "1.5"),
            ("tiga per empat", "0.75"),
            ("seperdelapan", "0.125"),
        ] {
            assert_eq!(read(text).as_deref(), Some(value), "{text}");
        }
        assert_eq!(read("sepertiga"), None);
        assert_eq!(read("26/11"), None);
    }

    #[test]
    fn ordinals_are_flagged() {
        let toks = tokens("ke-3");
        let ctx = Ctx::new(&toks, true, false);
        let p = number(&ctx, 0, Reading::Plain).expect("ke-3");
        assert!(p.ordinal);
        assert_eq!(p.value, Decimal::from_int(3));
        assert_eq!(read("kedua belas").as_deref(), Some("12"));
        assert_eq!(read("pertama").as_deref(), Some("1"));
    }
}
