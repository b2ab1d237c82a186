//! Prices as sellers type them: "25rb", "25k", "Rp 25.000", "Rp25.000,-", "1,5jt",
//! "1.5 juta", "goceng". One amount in, integer rupiah out.
//!
//! Rupiah has no minor unit, so separators are read the Indonesian way: a dot or comma
//! followed by exactly three digits groups thousands ("25.000", "25,000"); a trailing
//! ",-" or ",00" is the zero decimal shops print. After a multiplier ("rb", "jt") the
//! separator is a decimal point ("1,5jt" = 1.500.000).
//!
//! What this quick reading does not take (words: "dua puluh lima ribu"; "20 rupiah",
//! "cepek ceng") goes to the chat grammar in `chat::numbers`, which reads every form and
//! holds the slang table; a price field still wants one exact amount, so ranges, bounds
//! and "sekitar" are refused here.

use super::Rupiah;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("no amount given")]
    Empty,
    #[error("not an amount of money")]
    NotAnAmount,
    /// Fractions of a rupiah ("Rp1,5"): not a price anyone means.
    #[error("amount has a fraction of a rupiah")]
    Fraction,
    #[error("amount is too large")]
    TooLarge,
}

/// Multipliers sellers write after a number, longest first so "ribu" wins over "rb".
const MULTIPLIERS: &[(&str, i64)] = &[
    ("triliun", 1_000_000_000_000),
    ("milyar", 1_000_000_000),
    ("miliar", 1_000_000_000),
    ("juta", 1_000_000),
    ("jeti", 1_000_000),
    ("ribu", 1_000),
    ("rebu", 1_000),
    ("ewu", 1_000),
    ("jt", 1_000_000),
    ("rb", 1_000),
    ("t", 1_000_000_000_000),
    ("m", 1_000_000_000),
    ("k", 1_000),
];

/// Reads one amount of rupiah.
pub fn parse_rupiah(input: &str) -> Result<Rupiah, MoneyParseError> {
    let text = normalise(input);
    if text.is_empty() {
        return Err(MoneyParseError::Empty);
    }
    if let Some(v) = crate::chat::numbers::slang_value(&text) {
        return Ok(Rupiah::new(v));
    }
    match quick(&text) {
        // Words, "20 rupiah", "cepek ceng": the chat grammar reads them, and must find
        // one exact amount and nothing else.
        Err(MoneyParseError::NotAnAmount) => {
            crate::chat::numbers::parse_price(input).ok_or(MoneyParseError::NotAnAmount)
        }
        other => other,
    }
}

/// The quick reading: currency, a number with separators, a multiplier.
fn quick(text: &str) -> Result<Rupiah, MoneyParseError> {
    // "Rp", "Rp.", "IDR" before the number.
    let body = ["rp.", "rp", "idr"]
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or(text)
        .trim_start_matches(['.', ' ']);
    // A multiplier after the number ("25rb", "1,5 jt").
    let (number, multiplier) = MULTIPLIERS
        .iter()
        .find_map(|(w, m)| {
            body.strip_suffix(w)
                .filter(|n| n.ends_with(|c: char| c.is_ascii_digit() || c == ' '))
                .map(|n| (n.trim_end(), *m))
        })
        .unwrap_or((body, 1));
    // The zero decimals shops print: "25.000,-", "25.000,00", "25.000.-".
    let number = [",-", ".-", ",00", ",0", "-"]
        .iter()
        .find_map(|s| number.strip_suffix(s))
        .unwrap_or(number)
        .trim();
    if number.is_empty()
        || !number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(MoneyParseError::NotAnAmount);
    }
    let (whole, fraction) = split_number(number, multiplier > 1)?;
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| MoneyParseError::TooLarge)?
    };
    let mut value = whole
        .checked_mul(multiplier)
        .ok_or(MoneyParseError::TooLarge)?;
    if !fraction.is_empty() {
        // Scale the fraction by the multiplier exactly, in integers.
        let digits = u32::try_from(fraction.len()).map_err(|_| MoneyParseError::NotAnAmount)?;
        let denominator = 10_i64
            .checked_pow(digits)
            .ok_or(MoneyParseError::Fraction)?;
        let numerator: i64 = fraction.parse().map_err(|_| MoneyParseError::NotAnAmount)?;
        let scaled = numerator
            .checked_mul(multiplier)
            .ok_or(MoneyParseError::TooLarge)?;
        if scaled % denominator != 0 {
            return Err(MoneyParseError::Fraction);
        }
        value = value
            .checked_add(scaled / denominator)
            .ok_or(MoneyParseError::TooLarge)?;
    }
    Ok(Rupiah::new(value))
}

/// Lower case, no spaces around, the invisible and typographic characters chats carry
/// folded away.
fn normalise(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.trim().chars() {
        match ch {
            '\u{a0}' | '\u{202f}' | '\u{2009}' => out.push(' '),
            '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    // "25 000" (space as thousands separator) and "Rp 25.000" read the same.
    let collapsed: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
        let digits_after = chars
            .get(i + 1..i + 4)
            .is_some_and(|w| w.iter().all(char::is_ascii_digit))
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        if c == ' ' && digit_before && digits_after {
            s.push('.');
        } else if c == ' ' && (digit_before || i > 0 && chars[i - 1] == '.') {
            // "Rp. 25" and "25 rb": the space carries no meaning.
        } else {
            s.push(c);
        }
    }
    s.replace("rp ", "rp")
}

/// Splits "1.500.000" / "1,5" into whole and fraction digits.
fn split_number(n: &str, has_multiplier: bool) -> Result<(String, String), MoneyParseError> {
    let separators: Vec<(usize, char)> = n
        .char_indices()
        .filter(|(_, c)| !c.is_ascii_digit())
        .collect();
    match separators.as_slice() {
        [] => Ok((n.to_owned(), String::new())),
        // One separator after a multiplier is a decimal point: "1,5jt", "2.25rb".
        [(i, _)] if has_multiplier => Ok((n[..*i].to_owned(), n[i + 1..].to_owned())),
        seps => {
            // Thousands groups: every separator followed by exactly three digits, the
            // first group 1..3 digits, and all separators the same character.
            let first = seps[0].1;
            let groups: Vec<&str> = n.split(first).collect();
            let grouped = seps.iter().all(|(_, c)| *c == first)
                && (1..=3).contains(&groups[0].len())
                && groups[1..].iter().all(|g| g.len() == 3);
            if grouped {
                return Ok((groups.concat(), String::new()));
            }
            // "1.500.000,5" or "25,5" without a multiplier: a fraction of a rupiah.
            if seps.len() == 1 || seps.last().is_some_and(|(_, c)| *c != first) {
                return Err(MoneyParseError::Fraction);
            }
            Err(MoneyParseError::NotAnAmount)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn idr(s: &str) -> Result<i64, MoneyParseError> {
        parse_rupiah(s).map(Rupiah::idr)
    }

    #[test]
    fn every_way_sellers_write_a_price() {
        for (input, expected) in [
            ("25000", 25_000),
            ("25.000", 25_000),
            ("25,000", 25_000),
            ("25 000", 25_000),
            ("Rp 25.000", 25_000),
            ("Rp25.000", 25_000),
            ("Rp. 25.000", 25_000),
            ("rp25rb", 25_000),
            ("Rp25.000,-", 25_000),
            ("Rp 25.000,00", 25_000),
            ("IDR 25.000", 25_000),
            ("25rb", 25_000),
            ("25 rb", 25_000),
            ("25RB", 25_000),
            ("25ribu", 25_000),
            ("25 ribu", 25_000),
            ("25k", 25_000),
            ("25K", 25_000),
            ("1,5jt", 1_500_000),
            ("1.5jt", 1_500_000),
            ("1,5 juta", 1_500_000),
            ("Rp 1,5 jt", 1_500_000),
            ("2,25rb", 2_250),
            ("1.250.000", 1_250_000),
            ("1,250,000", 1_250_000),
            ("3jt", 3_000_000),
            ("2 M", 2_000_000_000),
            ("goceng", 5_000),
            ("Ceban", 10_000),
            ("\u{202a}Rp\u{a0}25.000\u{202c}", 25_000),
            ("500", 500),
        ] {
            assert_eq!(idr(input), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn what_is_not_a_price_says_why() {
        assert_eq!(idr(""), Err(MoneyParseError::Empty));
        assert_eq!(idr("   "), Err(MoneyParseError::Empty));
        assert_eq!(idr("murah"), Err(MoneyParseError::NotAnAmount));
        assert_eq!(idr("rb"), Err(MoneyParseError::NotAnAmount));
        assert_eq!(idr("25.00.0"), Err(MoneyParseError::NotAnAmount));
        assert_eq!(idr("-5000"), Err(MoneyParseError::NotAnAmount));
        assert_eq!(idr("Rp 1,5"), Err(MoneyParseError::Fraction));
        assert_eq!(idr("1,2345rb"), Err(MoneyParseError::Fraction));
        assert_eq!(idr("99999999999999999999"), Err(MoneyParseError::TooLarge));
        assert_eq!(idr("9999999999t"), Err(MoneyParseError::TooLarge));
    }

    #[test]
    fn words_slang_and_currency_after_the_number() {
        for (input, expected) in [
            ("dua puluh lima ribu", 25_000),
            ("seratus lima puluh ribu", 150_000),
            ("lima ratus", 500),
            ("setengah juta", 500_000),
            ("sejuta setengah", 1_500_000),
            ("25 ribu rupiah", 25_000),
            ("20 Rupiah", 20),
            ("20Rp", 20),
            ("lima ribu perak", 5_000),
            ("harga 25rb", 25_000),
            ("noban", 20_000),
            ("samceng", 3_000),
            ("cepek ceng", 100_000),
        ] {
            assert_eq!(idr(input), Ok(expected), "{input:?}");
        }
        // One exact price only.
        for input in [
            "50-75rb",
            "sekitar 50rb",
            "maks 100rb",
            "2 lusin",
            "26/11",
            "$10",
        ] {
            assert_eq!(idr(input), Err(MoneyParseError::NotAnAmount), "{input:?}");
        }
    }

    #[test]
    fn chat_grammar_knows_every_multiplier() {
        // The quick reading and the chat grammar must agree on what a multiplier is.
        for (word, value) in MULTIPLIERS {
            let text = format!("2{}", word.to_uppercase());
            let chat = crate::chat::numbers::parse_number(&text).map(|n| n.value.to_i64());
            assert_eq!(chat, Some(Some(2 * value)), "{text}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = parse_rupiah(&s);
        }

        #[test]
        fn formatted_amounts_read_back(n in 0i64..1_000_000_000_000) {
            let shown = Rupiah::new(n).to_string();
            prop_assert_eq!(idr(&shown), Ok(n));
            prop_assert_eq!(idr(&format!("{shown},-")), Ok(n));
        }
    }
}
