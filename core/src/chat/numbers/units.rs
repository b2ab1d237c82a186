//! Units a quantity is written in, and what each one means: pieces per unit for counting
//! units (lusin = 12), grams or millilitres for weights and volumes, nothing for
//! containers whose size only the seller knows (dus, pack, loyang).
//!
//! Names are the catalog's canonical ones (`catalog::unit`), so a chat quantity and a
//! product's selling unit compare directly; the catalog also keeps units it does not
//! know as typed, which chat cannot (every word after a number would become a unit), so
//! chat has its own closed list.

use super::decimal::Decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// Counted in pieces: pcs = 1, lusin = 12, kodi = 20, gros = 144, rim = 500.
    Count(u32),
    /// Weight, in milligrams per unit (so mg, gram, ons and kg are all whole).
    Mass(u32),
    /// Volume, in millilitres per unit.
    Volume(u32),
    /// A container or serving: dus, pack, bungkus, loyang, porsi, box…
    Container,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Canonical name: "kg", "lusin", "bungkus".
    pub name: &'static str,
    pub kind: UnitKind,
}

impl Unit {
    /// Pieces in one of this unit, for counting units.
    pub fn pieces(self) -> Option<u32> {
        match self.kind {
            UnitKind::Count(n) => Some(n),
            _ => None,
        }
    }

    /// Whether a count of this unit can have a fraction ("1,5 kg" yes, "1,5 pcs" no):
    /// a comma before three digits then groups thousands ("2,500 pcs").
    pub fn fractional(self) -> bool {
        matches!(self.kind, UnitKind::Mass(_) | UnitKind::Volume(_))
    }
}

const fn unit(name: &'static str, kind: UnitKind) -> Unit {
    Unit { name, kind }
}

use UnitKind::{Container, Count, Mass, Volume};

/// Units and their spellings. The name is listed among its own spellings when people
/// type it that way.
const UNITS: &[(Unit, &[&str])] = &[
    (
        unit("pcs", Count(1)),
        &[
            "pcs", "pc", "pce", "piece", "pieces", "biji", "bj", "bji", "buah", "bh", "unit",
        ],
    ),
    (unit("butir", Count(1)), &["butir", "btr"]),
    (unit("ekor", Count(1)), &["ekor", "ekr"]),
    (
        unit("lusin", Count(12)),
        &["lusin", "lsn", "lusinan", "dozen", "dz"],
    ),
    (unit("kodi", Count(20)), &["kodi"]),
    (unit("gros", Count(144)), &["gros", "gross", "grs"]),
    (unit("rim", Count(500)), &["rim"]),
    (
        unit("kg", Mass(1_000_000)),
        &["kg", "kilo", "kilogram", "kgs", "kilogr"],
    ),
    (
        unit("gram", Mass(1_000)),
        &["gram", "gr", "g", "grm", "grams", "gramm"],
    ),
    (unit("ons", Mass(100_000)), &["ons"]),
    (unit("mg", Mass(1)), &["mg", "miligram", "milligram"]),
    (
        unit("liter", Volume(1_000)),
        &["liter", "ltr", "l", "litre", "lt", "litter"],
    ),
    (
        unit("ml", Volume(1)),
        &["ml", "mililiter", "milliliter", "cc"],
    ),
    (
        unit("bungkus", Container),
        &[
            "bungkus",
            "bks",
            "bgks",
            "bngks",
            "bkus",
            "bngkus",
            "bungkusan",
            "bksan",
        ],
    ),
    (
        unit("pack", Container),
        &["pack", "packs", "pak", "pck", "pk", "paket", "pax"],
    ),
    (unit("dus", Container), &["dus", "dos", "karton", "kardus"]),
    (
        unit("box", Container),
        &["box", "boks", "bx", "kotak", "kotakan", "boxes"],
    ),
    (unit("loyang", Container), &["loyang", "lyg", "loy"]),
    (
        unit("porsi", Container),
        &["porsi", "prs", "porsian", "portion"],
    ),
    (unit("botol", Container), &["botol", "btl"]),
    (unit("cup", Container), &["cup", "cups", "gelas"]),
    (unit("sachet", Container), &["sachet", "saset", "sachets"]),
    (unit("toples", Container), &["toples", "stoples", "jar"]),
    (
        unit("potong", Container),
        &["potong", "ptg", "slice", "slices"],
    ),
    (unit("ikat", Container), &["ikat"]),
    (unit("lembar", Container), &["lembar", "lbr", "helai"]),
    (unit("pasang", Container), &["pasang", "psg"]),
    (unit("set", Container), &["set", "stel", "setel"]),
    (unit("tray", Container), &["tray", "nampan"]),
    (unit("karung", Container), &["karung", "sak"]),
    (unit("renteng", Container), &["renteng", "renceng", "rtg"]),
    (unit("kaleng", Container), &["kaleng", "klg"]),
    (unit("mangkok", Container), &["mangkok", "mangkuk"]),
    (unit("piring", Container), &["piring"]),
    (unit("tusuk", Container), &["tusuk"]),
    (unit("sisir", Container), &["sisir"]),
    (unit("papan", Container), &["papan"]),
];

/// The unit a word names, if it is one.
pub(super) fn lookup(word: &str) -> Option<Unit> {
    let word = word.strip_suffix('.').unwrap_or(word);
    UNITS
        .iter()
        .find(|(_, spellings)| spellings.contains(&word))
        .map(|(u, _)| *u)
}

/// Weight or volume in grams or millilitres.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Grams(Decimal),
    Millilitres(Decimal),
}

/// `amount` of `unit` in grams or millilitres, for weights and volumes.
pub(super) fn measure(amount: Decimal, unit: Unit) -> Option<Measure> {
    match unit.kind {
        Mass(mg) => Some(Measure::Grams(
            amount.checked_mul(Decimal::new(i128::from(mg), 3)?)?,
        )),
        Volume(ml) => Some(Measure::Millilitres(amount.checked_mul_int(i64::from(ml))?)),
        _ => None,
    }
}

/// `measure` expressed in the weight or volume unit named `to` ("kg", "ons", "ml"…).
pub(super) fn convert(measure: Measure, to: &str) -> Option<Decimal> {
    let target = lookup(to)?;
    match (measure, target.kind) {
        (Measure::Grams(g), Mass(mg)) => g
            .checked_mul_int(1_000)?
            .checked_div(Decimal::from_int(i64::from(mg))),
        (Measure::Millilitres(v), Volume(ml)) => v.checked_div(Decimal::from_int(i64::from(ml))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::unit::canonical_unit;

    #[test]
    fn names_agree_with_the_catalog() {
        // Where the catalog knows a spelling, chat must land on the same unit, so an
        // order line matches the product's selling unit.
        for (unit, spellings) in UNITS {
            assert_eq!(canonical_unit(unit.name).as_deref(), Some(unit.name));
            for s in *spellings {
                // The catalog returns a word it does not know as typed; any other answer
                // is its canonical unit and must be ours.
                let catalog = canonical_unit(s).unwrap_or_default();
                if catalog != *s {
                    assert_eq!(catalog, unit.name, "{s}");
                }
            }
        }
    }

    #[test]
    fn weights_and_volumes_convert() {
        let half = Decimal::new(5, 1).expect("0.5");
        let kg = lookup("kilo").expect("kilo");
        let m = measure(half, kg).expect("mass");
        assert_eq!(m, Measure::Grams(Decimal::from_int(500)));
        assert_eq!(convert(m, "ons"), Some(Decimal::from_int(5)));
        assert_eq!(convert(m, "liter"), None);
        let ml = measure(Decimal::from_int(250), lookup("ml").expect("ml")).expect("vol");
        assert_eq!(convert(ml, "liter"), Decimal::new(25, 2));
        assert_eq!(lookup("lsn").and_then(Unit::pieces), Some(12));
        assert_eq!(lookup("ribu"), None);
    }
}
