//! Money: an integer number of rupiah, never a float.
//!
//! Rupiah has no minor unit in practice (sen went out of use), so `i64` rupiah is exact
//! and holds any realistic sum. Arithmetic is checked: an overflow is an error, not a
//! wrapped price.

mod parse;

pub use parse::{MoneyParseError, parse_rupiah};

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of Indonesian rupiah (IDR).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Rupiah(i64);

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);

    pub const fn new(idr: i64) -> Self {
        Rupiah(idr)
    }

    pub const fn idr(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(other.0).map(Rupiah)
    }

    pub fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_sub(other.0).map(Rupiah)
    }

    pub fn checked_mul(self, n: i64) -> Option<Rupiah> {
        self.0.checked_mul(n).map(Rupiah)
    }

    /// Sum of many amounts, `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Rupiah>>(items: I) -> Option<Rupiah> {
        items
            .into_iter()
            .try_fold(Rupiah::ZERO, |acc, x| acc.checked_add(x))
    }
}

/// Shown the way Indonesian shops and banks write it: `Rp25.000`, `-Rp1.500`.
impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0 {
            f.write_str("-")?;
        }
        f.write_str("Rp")?;
        f.write_str(&group_thousands(self.0.unsigned_abs()))
    }
}

/// `1234567` → `1.234.567` (Indonesian thousands separator is the dot).
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// Signed variant of [`group_thousands`]: `-1500` → `-1.500`.
pub fn group_thousands_i64(n: i64) -> String {
    let grouped = group_thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_like_indonesian_shops() {
        assert_eq!(Rupiah::new(0).to_string(), "Rp0");
        assert_eq!(Rupiah::new(500).to_string(), "Rp500");
        assert_eq!(Rupiah::new(25_000).to_string(), "Rp25.000");
        assert_eq!(Rupiah::new(1_500_000).to_string(), "Rp1.500.000");
        assert_eq!(Rupiah::new(-1_500).to_string(), "-Rp1.500");
        assert_eq!(
            Rupiah::new(i64::MIN).to_string(),
            "-Rp9.223.372.036.854.775.808"
        );
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        assert_eq!(Rupiah::new(i64::MAX).checked_add(Rupiah::new(1)), None);
        assert_eq!(Rupiah::new(i64::MAX / 2 + 1).checked_mul(2), None);
        assert_eq!(
            Rupiah::checked_sum([Rupiah::new(1), Rupiah::new(2)]),
            Some(Rupiah::new(3))
        );
    }

    proptest! {
        #[test]
        fn formatted_amount_reads_back(n in any::<i64>()) {
            let s = Rupiah::new(n).to_string();
            let negative = s.starts_with('-');
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            let back: i128 = digits.parse::<i128>().unwrap_or_default() * if negative { -1 } else { 1 };
            prop_assert_eq!(back, i128::from(n));
            // Separators every three digits, never leading or doubled.
            let body = s.trim_start_matches('-').trim_start_matches("Rp");
            prop_assert!(!body.starts_with('.') && !body.ends_with('.') && !body.contains(".."));
            for group in body.split('.').skip(1) {
                prop_assert_eq!(group.len(), 3);
            }
        }

        #[test]
        fn checked_add_matches_wide_arithmetic(a in any::<i64>(), b in any::<i64>()) {
            let wide = i128::from(a) + i128::from(b);
            match Rupiah::new(a).checked_add(Rupiah::new(b)) {
                Some(sum) => prop_assert_eq!(i128::from(sum.idr()), wide),
                None => prop_assert!(wide > i128::from(i64::MAX) || wide < i128::from(i64::MIN)),
            }
        }
    }
}
