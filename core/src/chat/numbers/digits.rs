//! Digits with separators, read the Indonesian way: "1.500" = 1500, "1,5" = 1.5,
//! "1.500,75" = 1500.75, with the forms phones and copy-paste bring ("1.5", "1,500.75").

use super::decimal::Decimal;

/// How to read a lone separator, which is the only ambiguous case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reading {
    /// A number on its own: "1.500" groups thousands, "1,500" is 1.5 (a scale's reading).
    Plain,
    /// Before "rb"/"jt": one separator is a decimal point ("1.5jt", "2,25rb").
    BeforeMultiplier,
    /// Rupiah or whole pieces: nothing has three decimals, so "25,000" and "2,500 pcs"
    /// group thousands too.
    Whole,
}

/// The value of a digits token (digits, `.`, `,`), or `None` when its separators make no
/// sense ("25.00.0", "1.2.3").
pub(super) fn read(raw: &str, reading: Reading) -> Option<Decimal> {
    let seps: Vec<(usize, u8)> = raw
        .bytes()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_digit())
        .collect();
    let Some(&(last_at, last)) = seps.last() else {
        return integer(raw);
    };
    let other = if last == b'.' { b',' } else { b'.' };
    let mixed = seps.iter().any(|(_, b)| *b == other);
    let count = seps.iter().filter(|(_, b)| *b == last).count();
    if mixed {
        // "1.500,75" / "1,500.75": the last separator, used once, is the decimal point
        // and the other groups thousands.
        if count != 1 {
            return None;
        }
        let (whole, fraction) = (&raw[..last_at], &raw[last_at + 1..]);
        return decimal(&grouped(whole, other)?, fraction);
    }
    if count > 1 {
        return integer(&grouped(raw, last)?);
    }
    let (whole, fraction) = (&raw[..last_at], &raw[last_at + 1..]);
    let thousands = fraction.len() == 3 && (1..=3).contains(&whole.len()) && whole != "0";
    let groups = match (reading, last) {
        (Reading::BeforeMultiplier, _) => false,
        (_, b'.') => thousands,
        (Reading::Whole, _) => thousands,
        (Reading::Plain, _) => false,
    };
    if groups {
        integer(&format!("{whole}{fraction}"))
    } else {
        decimal(whole, fraction)
    }
}

/// "1.500.000" → "1500000" when every group after the first has three digits.
fn grouped(s: &str, sep: u8) -> Option<String> {
    let mut parts = s.split(sep as char);
    let first = parts.next()?;
    if !(1..=3).contains(&first.len()) {
        return None;
    }
    let mut out = first.to_owned();
    for part in parts {
        if part.len() != 3 {
            return None;
        }
        out.push_str(part);
    }
    Some(out)
}

fn integer(digits: &str) -> Option<Decimal> {
    if digits.is_empty() || digits.len() > 30 {
        return None;
    }
    Decimal::new(digits.parse().ok()?, 0)
}

fn decimal(whole: &str, fraction: &str) -> Option<Decimal> {
    if fraction.is_empty() || fraction.len() > 18 || whole.len() > 20 {
        return None;
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i128 = fraction.parse().ok()?;
    let mantissa = whole
        .checked_mul(10_i128.checked_pow(scale)?)?
        .checked_add(fraction)?;
    Decimal::new(mantissa, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Option<String> {
        read(s, Reading::Plain).map(|d| d.to_string())
    }

    #[test]
    fn indonesian_separators() {
        assert_eq!(plain("1.500").as_deref(), Some("1500"));
        assert_eq!(plain("1,5").as_deref(), Some("1.5"));
        assert_eq!(plain("1.500,75").as_deref(), Some("1500.75"));
        assert_eq!(plain("1.500.000").as_deref(), Some("1500000"));
        assert_eq!(plain("1,500,000").as_deref(), Some("1500000"));
        assert_eq!(plain(",77").as_deref(), Some("0.77"));
        assert_eq!(plain("0033").as_deref(), Some("33"));
    }

    #[test]
    fn phone_keyboard_and_english_forms() {
        // A dot before one or two digits cannot group thousands: a decimal point.
        assert_eq!(plain("1.5").as_deref(), Some("1.5"));
        assert_eq!(plain("12.25").as_deref(), Some("12.25"));
        assert_eq!(plain("0.500").as_deref(), Some("0.5"));
        assert_eq!(plain("1,500.75").as_deref(), Some("1500.75"));
        // A lone comma is a decimal comma, as a scale shows "1,500 kg"…
        assert_eq!(plain("1,500").as_deref(), Some("1.5"));
        // …unless the thing cannot have three decimals: rupiah, whole pieces.
        assert_eq!(
            read("25,000", Reading::Whole),
            Some(Decimal::from_int(25_000))
        );
        assert_eq!(
            read("1.500", Reading::BeforeMultiplier)
                .map(|d| d.to_string())
                .as_deref(),
            Some("1.5")
        );
    }

    #[test]
    fn nonsense_separators_are_refused() {
        assert_eq!(plain("25.00.0"), None);
        assert_eq!(plain("1.2.3"), None);
        assert_eq!(plain("1.500,7,5"), None);
        assert_eq!(plain("1234.567.890"), None);
        assert_eq!(plain(&"9".repeat(40)), None);
    }
}
