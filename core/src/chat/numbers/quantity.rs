//! Quantities: a number and its unit, as orders state them: "2 lusin" (24 pieces),
//! "1,5 kg", "setengah kilo", "sekilo setengah", "1 kg 250 gr", "1 dus isi 12", "x2".

use super::decimal::Decimal;
use super::digits::{self, Reading};
use super::grammar::{self, Atom, Ctx};
use super::lexicon::Morph;
use super::units::{self, Measure, Unit, UnitKind};

/// How much of something: the number as written, its unit, and what it comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    /// The number as written: 2 for "2 lusin", 0.5 for "setengah kilo".
    pub amount: Decimal,
    /// The unit as written, in its canonical name ("kilo" → kg, "bks" → bungkus);
    /// `None` for a bare count ("brownies 2").
    pub unit: Option<Unit>,
    /// Pieces, when they are known: counting units (2 lusin → 24), pieces (3 pcs → 3),
    /// or a container with its content stated (2 dus isi 12 → 24).
    pub pieces: Option<Decimal>,
    /// Pieces in one unit, when stated: "1 dus isi 12" → 12.
    pub inner: Option<Decimal>,
    /// Weights and volumes in grams or millilitres ("5 ons" → 500 g).
    pub measure: Option<Measure>,
}

impl Quantity {
    /// The amount in another weight or volume unit: "setengah kilo" in "gram" is 500.
    pub fn convert(&self, to: &str) -> Option<Decimal> {
        units::convert(self.measure?, to)
    }
}

/// A quantity at item `i`, and the item after it.
pub(super) fn quantity(ctx: &Ctx, i: usize) -> Option<(Quantity, usize)> {
    let mut k = i;
    // "x2": a count.
    let times_before = matches!(ctx.atom(k), Some(Atom::Word("x")))
        && matches!(ctx.atom(k + 1), Some(Atom::Num(_)))
        && ctx.glued(k + 1);
    if times_before {
        k += 1;
    }
    let n = grammar::number(ctx, k, Reading::Plain)?;
    if n.ordinal || n.value.is_negative() {
        return None;
    }
    let mut amount = n.value;
    k = n.end;
    let unit = ctx.unit_at(k);
    if let Some(u) = unit {
        k += 1;
        // Whole pieces have no three decimals: "2,500 pcs" is 2500.
        if !u.fractional()
            && let Some(t) = n.figure
        {
            amount = digits::read(&ctx.toks[t].text, Reading::Whole)?;
        }
        if amount.is_integer() && ctx.morph(k) == Some(Morph::Half) {
            // "sekilo setengah", "2 kg setengah"
            amount = amount.checked_add(Decimal::ratio(1, 2)?)?;
            k += 1;
        } else if let Some((more, end)) = smaller_part(ctx, k, u) {
            // "1 kg 250 gr" = 1,25 kg
            amount = amount.checked_add(more)?;
            k = end;
        }
    } else if !times_before && matches!(ctx.atom(k), Some(Atom::Word("x"))) && ctx.glued(k) {
        // "2x"
        k += 1;
    }
    let mut inner = None;
    if let Some((count, end)) = inner_count(ctx, k) {
        inner = Some(count);
        k = end;
    }
    let pieces = match (inner, unit.and_then(Unit::pieces)) {
        (Some(c), _) => amount.checked_mul(c),
        (None, Some(per)) => amount.checked_mul_int(i64::from(per)),
        (None, None) => None,
    };
    let measure = unit.and_then(|u| units::measure(amount, u));
    Some((
        Quantity {
            amount,
            unit,
            pieces,
            inner,
            measure,
        },
        k,
    ))
}

/// "250 gr" after "1 kg": a smaller unit of the same kind, in the first unit.
fn smaller_part(ctx: &Ctx, k: usize, first: Unit) -> Option<(Decimal, usize)> {
    let size = |u: Unit| match u.kind {
        UnitKind::Mass(f) => Some((0, f)),
        UnitKind::Volume(f) => Some((1, f)),
        _ => None,
    };
    let (kind, big) = size(first)?;
    let n = grammar::number(ctx, k, Reading::Plain)?;
    let second = ctx.unit_at(n.end)?;
    let (kind2, small) = size(second)?;
    if n.ordinal || kind2 != kind || small >= big || n.value.is_negative() {
        return None;
    }
    let value = n
        .value
        .checked_mul_int(i64::from(small))?
        .checked_div(Decimal::from_int(i64::from(big)))?;
    Some((value, n.end + 1))
}

/// "isi 12", "(isi 12 pcs)", "isinya 6", "berisi 2 lusin", "@12 pcs": pieces in one unit.
fn inner_count(ctx: &Ctx, k: usize) -> Option<(Decimal, usize)> {
    let mut j = k;
    let paren = ctx.is_sym(j, '(');
    if paren {
        j += 1;
    }
    let at = ctx.is_sym(j, '@');
    match ctx.atom(j)? {
        Atom::Word("isi" | "isinya" | "berisi" | "isian" | "isine") => j += 1,
        Atom::Sym('@') => j += 1,
        _ => return None,
    }
    if ctx.is_sym(j, ':') {
        j += 1;
    }
    let n = grammar::number(ctx, j, Reading::Whole)?;
    let small =
        n.value.is_integer() && n.value >= Decimal::ONE && n.value < Decimal::from_int(10_000);
    if n.ordinal || n.big.is_some() || !small {
        return None;
    }
    j = n.end;
    let mut count = n.value;
    match ctx.unit_at(j) {
        Some(u) => match u.kind {
            UnitKind::Count(per) => {
                count = count.checked_mul_int(i64::from(per))?;
                j += 1;
            }
            UnitKind::Container => j += 1,
            // "isi 250 gram" is the content's weight, not a count.
            UnitKind::Mass(_) | UnitKind::Volume(_) => return None,
        },
        // "@12" alone is more often a price than a count.
        None if at => return None,
        None => {}
    }
    if paren {
        ctx.is_sym(j, ')').then_some(())?;
        j += 1;
    }
    Some((count, j))
}
