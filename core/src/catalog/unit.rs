//! Selling units: "pcs", "kg", "loyang"... as sellers type them, in one canonical form.

/// Canonical units and the ways people write them. Units sold by weight, volume or
/// length allow fractional quantities in a cart ("1,5 kg").
const UNITS: &[(&str, &[&str], bool)] = &[
    (
        "pcs",
        &[
            "pc", "piece", "pieces", "buah", "bh", "biji", "bj", "unit", "pcs.",
        ],
        false,
    ),
    ("pack", &["pak", "pck", "pk", "paket"], false),
    ("kg", &["kilo", "kilogram", "kgs"], true),
    ("gram", &["gr", "g", "grm"], true),
    ("ons", &["on"], true),
    ("liter", &["l", "ltr", "litre"], true),
    ("ml", &["mililiter"], true),
    ("meter", &["m", "mtr"], true),
    ("loyang", &["lyg"], false),
    ("botol", &["btl"], false),
    ("box", &["boks", "kotak", "kotakan"], false),
    ("dus", &["dos", "karton", "kardus"], false),
    ("lusin", &["lsn", "selusin"], false),
    ("kodi", &[], false),
    ("porsi", &["prs"], false),
    ("bungkus", &["bks", "bgks", "bungkusan"], false),
    ("set", &["stel", "setel"], false),
    ("lembar", &["lbr", "helai"], false),
    ("pasang", &["psg"], false),
    ("toples", &["stoples", "jar"], false),
    ("cup", &["gelas"], false),
    ("sachet", &["saset"], false),
    ("ikat", &[], false),
    ("potong", &["ptg", "slice"], false),
    ("roll", &["rol", "gulung"], false),
    ("tray", &["nampan"], false),
    ("karung", &["sak"], false),
];

pub const DEFAULT_UNIT: &str = "pcs";
const MAX_CUSTOM_CHARS: usize = 16;

/// The canonical form of a unit, or `None` if `raw` cannot be a unit. A unit we do not
/// know is kept as typed (lower case), as long as it is a short word.
pub fn canonical_unit(raw: &str) -> Option<String> {
    let word = raw.trim().trim_end_matches('.').to_lowercase();
    if word.is_empty() {
        return Some(DEFAULT_UNIT.to_owned());
    }
    if let Some((canonical, _, _)) = UNITS
        .iter()
        .find(|(c, aliases, _)| *c == word || aliases.contains(&word.as_str()))
    {
        return Some((*canonical).to_owned());
    }
    let plain = word.chars().all(|c| c.is_alphabetic() || c == ' ')
        && word.chars().count() <= MAX_CUSTOM_CHARS;
    plain.then_some(word)
}

/// Whether a cart may hold a fraction of this unit (1,5 kg yes; 1,5 loyang no).
pub fn allows_fraction(unit: &str) -> bool {
    UNITS.iter().any(|(c, _, frac)| *c == unit && *frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_become_one_unit() {
        assert_eq!(canonical_unit("Kilo").as_deref(), Some("kg"));
        assert_eq!(canonical_unit(" btl ").as_deref(), Some("botol"));
        assert_eq!(canonical_unit("").as_deref(), Some("pcs"));
        assert_eq!(canonical_unit("Loyang").as_deref(), Some("loyang"));
        assert_eq!(canonical_unit("tusuk").as_deref(), Some("tusuk"));
        assert_eq!(canonical_unit("12 pcs"), None);
        assert_eq!(canonical_unit("x".repeat(40).as_str()), None);
    }

    #[test]
    fn weights_are_fractional_and_pieces_are_not() {
        assert!(allows_fraction("kg"));
        assert!(allows_fraction("liter"));
        assert!(!allows_fraction("pcs"));
        assert!(!allows_fraction("loyang"));
    }
}
