//! Street slang for amounts, from Hokkien numerals as used in Jakarta markets and chats:
//! "cepek" 100, "gopek" 500, "goceng" 5.000, "ceban" 10.000, "goban" 50.000.

/// Street slang for amounts (from Hokkien numerals), as used in markets and chats.
/// More are composed by [`slang_value`].
const SLANG: &[(&str, i64)] = &[
    ("cepek", 100),
    ("gopek", 500),
    ("seceng", 1_000),
    ("noceng", 2_000),
    ("goceng", 5_000),
    ("ceban", 10_000),
    ("goban", 50_000),
    ("cetiao", 1_000_000),
    ("ceceng", 1_000),
    ("gocap", 50),
    ("jigo", 25),
];

/// Hokkien digits as they begin a slang amount: "go" 5 in goceng, "no" 2 in noban.
/// "sa" (saban: "every" in Javanese) and "it"/"ci" are left out as too close to words.
const SLANG_DIGITS: &[(&str, i64)] = &[
    ("ce", 1),
    ("se", 1),
    ("no", 2),
    ("ji", 2),
    ("sam", 3),
    ("si", 4),
    ("go", 5),
    ("lak", 6),
    ("cit", 7),
    ("pat", 8),
    ("kau", 9),
];

/// Hokkien magnitudes: pek 100, ceng 1.000, ban 10.000, tiao 1.000.000.
const SLANG_MAGNITUDES: &[(&str, i64)] = &[
    ("pek", 100),
    ("ceng", 1_000),
    ("ban", 10_000),
    ("tiao", 1_000_000),
];

/// The value of a slang amount word: the common ones, any Hokkien digit + magnitude
/// ("samceng" 3.000, "noban" 20.000, "gotiao" 5.000.000), and a slang hundred
/// + "ceng" ("cepekceng" 100.000). "lakban" is packing tape, not 60.000.
pub(crate) fn slang_value(word: &str) -> Option<i64> {
    // Every slang amount ends in a magnitude, or is "gocap" or "jigo": most words are
    // turned away by their last letters (the scan asks of a dozen words a message).
    let ends = |tail: &str| word.ends_with(tail);
    if !(ends("pek") || ends("ceng") || ends("ban") || ends("tiao") || ends("cap") || ends("jigo"))
    {
        return None;
    }
    if let Some((_, v)) = SLANG.iter().find(|(w, _)| *w == word) {
        return Some(*v);
    }
    if word == "lakban" {
        return None;
    }
    let composed = SLANG_MAGNITUDES.iter().find_map(|(m, mv)| {
        let digit = word.strip_suffix(m)?;
        let (_, dv) = SLANG_DIGITS.iter().find(|(d, _)| *d == digit)?;
        dv.checked_mul(*mv)
    });
    composed.or_else(|| {
        let head = word.strip_suffix("ceng").filter(|h| h.ends_with("pek"))?;
        slang_value(head)?.checked_mul(1_000)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_composed_slang() {
        for (word, value) in [
            ("cepek", 100),
            ("gopek", 500),
            ("seceng", 1_000),
            ("ceceng", 1_000),
            ("noceng", 2_000),
            ("samceng", 3_000),
            ("goceng", 5_000),
            ("ceban", 10_000),
            ("noban", 20_000),
            ("goban", 50_000),
            ("cepekceng", 100_000),
            ("cetiao", 1_000_000),
            ("gocap", 50),
        ] {
            assert_eq!(slang_value(word), Some(value), "{word}");
        }
        for word in [
            "lakban", "saban", "jawaban", "capek", "bonceng", "ban", "ceng",
        ] {
            assert_eq!(slang_value(word), None, "{word}");
        }
    }
}
