//! An exact decimal number: "1,5 kg" and "seperempat" stay 1.5 and 0.25, never 1.4999….
//!
//! Chat quantities are small and decimal ("1,5", "0,25", "2½"), and prices must come out
//! as exact integers, so a float would only add rounding to undo. An `i128` mantissa with
//! a power-of-ten scale holds every number a message can sensibly carry; every operation
//! is checked and says `None` rather than wrap or round.

use std::cmp::Ordering;
use std::fmt;

/// The most decimal places kept. Chat never needs more; it bounds every power of ten.
const MAX_SCALE: u32 = 18;

/// `mantissa / 10^scale`, normalised (no trailing zero digits after the point), so equal
/// values are equal structs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };
    pub const ONE: Decimal = Decimal {
        mantissa: 1,
        scale: 0,
    };

    /// `mantissa / 10^scale`; `None` past 18 decimal places.
    pub fn new(mantissa: i128, scale: u32) -> Option<Decimal> {
        normalise(mantissa, scale)
    }

    pub const fn from_int(n: i64) -> Decimal {
        Decimal {
            mantissa: n as i128,
            scale: 0,
        }
    }

    pub const fn mantissa(self) -> i128 {
        self.mantissa
    }

    /// Digits after the decimal point.
    pub const fn scale(self) -> u32 {
        self.scale
    }

    pub const fn is_integer(self) -> bool {
        self.scale == 0
    }

    pub const fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    pub const fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The value as an `i64` when it is a whole number that fits.
    pub fn to_i64(self) -> Option<i64> {
        if self.scale == 0 {
            i64::try_from(self.mantissa).ok()
        } else {
            None
        }
    }

    /// Thousandths, rounded half away from zero: how a cart counts quantities (1,5 kg
    /// is 1500). `None` when it does not fit an `i64`.
    pub fn to_milli(self) -> Option<i64> {
        let m = self.checked_mul_int(1000)?;
        let p = 10_i128.checked_pow(m.scale)?;
        let half = if m.mantissa < 0 { -p / 2 } else { p / 2 };
        i64::try_from(m.mantissa.checked_add(half)? / p).ok()
    }

    /// Nearest `f64`, for display and JSON; the exact value stays here.
    pub fn to_f64(self) -> f64 {
        // Formatting then parsing gives the correctly rounded float.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    pub fn checked_neg(self) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_neg()?,
            scale: self.scale,
        })
    }

    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let (a, b, scale) = align(self, other)?;
        normalise(a.checked_add(b)?, scale)
    }

    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(other.checked_neg()?)
    }

    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        normalise(
            self.mantissa.checked_mul(other.mantissa)?,
            self.scale.checked_add(other.scale)?,
        )
    }

    pub fn checked_mul_int(self, n: i64) -> Option<Decimal> {
        self.checked_mul(Decimal::from_int(n))
    }

    /// `numerator / denominator` when it has a finite decimal expansion (halves,
    /// quarters, fifths, eighths…); `None` for thirds and the like.
    pub fn ratio(numerator: i128, denominator: i128) -> Option<Decimal> {
        if denominator == 0 {
            return None;
        }
        let g = gcd(numerator.unsigned_abs(), denominator.unsigned_abs()).max(1);
        let g = i128::try_from(g).ok()?;
        let (mut num, mut den) = (numerator / g, denominator / g);
        if den < 0 {
            num = num.checked_neg()?;
            den = den.checked_neg()?;
        }
        // The denominator must be 2^a·5^b; scale by 10^max(a,b).
        let (mut rest, mut twos, mut fives) = (den, 0u32, 0u32);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        if rest != 1 {
            return None;
        }
        let scale = twos.max(fives);
        let factor = 10_i128.checked_pow(scale)? / den;
        normalise(num.checked_mul(factor)?, scale)
    }

    /// `self / other` when exact (see [`Decimal::ratio`]).
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        let (a, b, _) = align(self, other)?;
        Decimal::ratio(a, b)
    }

    /// Written the Indonesian way: `1.500,75`, `0,5`, `-2`.
    pub fn to_indonesian(self) -> String {
        let plain = self.to_string();
        let (sign, body) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let grouped = whole
            .parse::<u64>()
            .map(crate::money::group_thousands)
            .unwrap_or_else(|_| whole.to_owned());
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped},{fraction}")
        }
    }
}

/// Plain machine form with a dot: `1500`, `1.5`, `-0.25` (what JSON and logs want).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mantissa < 0 {
            f.write_str("-")?;
        }
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(&digits);
        }
        if digits.len() <= scale {
            write!(f, "0.{}{digits}", "0".repeat(scale - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(digits.len() - scale);
            write!(f, "{whole}.{fraction}")
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match align(*self, *other) {
            Some((a, b, _)) => a.cmp(&b),
            // Out of i128 range once aligned: the floats are far enough apart to decide.
            None => self.to_f64().total_cmp(&other.to_f64()),
        }
    }
}

impl From<i64> for Decimal {
    fn from(n: i64) -> Self {
        Decimal::from_int(n)
    }
}

fn normalise(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if mantissa == 0 {
        scale = 0;
    }
    (scale <= MAX_SCALE).then_some(Decimal { mantissa, scale })
}

/// Both mantissas at the larger scale.
fn align(a: Decimal, b: Decimal) -> Option<(i128, i128, u32)> {
    let scale = a.scale.max(b.scale);
    let up = |d: Decimal| {
        10_i128
            .checked_pow(scale - d.scale)
            .and_then(|f| d.mantissa.checked_mul(f))
    };
    Some((up(a)?, up(b)?, scale))
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: i128, s: u32) -> Decimal {
        Decimal::new(m, s).expect("in range")
    }

    #[test]
    fn thousandths_round_half_away_from_zero() {
        assert_eq!(d(15, 1).to_milli(), Some(1500));
        assert_eq!(d(12, 0).to_milli(), Some(12_000));
        assert_eq!(d(25, 2).to_milli(), Some(250));
        assert_eq!(d(12345, 7).to_milli(), Some(1));
        assert_eq!(d(5, 4).to_milli(), Some(1));
        assert_eq!(d(-5, 4).to_milli(), Some(-1));
        assert_eq!(Decimal::from_int(i64::MAX).to_milli(), None);
    }

    #[test]
    fn normalised_so_equal_values_compare_equal() {
        assert_eq!(d(150, 2), d(15, 1));
        assert_eq!(d(0, 5), Decimal::ZERO);
        assert_eq!(d(1500, 0).to_string(), "1500");
        assert_eq!(d(15, 1).to_string(), "1.5");
        assert_eq!(d(-25, 2).to_string(), "-0.25");
        assert_eq!(d(5, 3).to_string(), "0.005");
    }

    #[test]
    fn exact_arithmetic_and_ratios() {
        assert_eq!(d(15, 1).checked_mul_int(1000), Some(d(1500, 0)));
        assert_eq!(d(1, 0).checked_add(d(5, 1)), Some(d(15, 1)));
        assert_eq!(Decimal::ratio(3, 4), Some(d(75, 2)));
        assert_eq!(Decimal::ratio(1, 8), Some(d(125, 3)));
        assert_eq!(Decimal::ratio(1, 3), None);
        assert_eq!(Decimal::ratio(26, 11), None);
        assert_eq!(Decimal::ratio(1, 0), None);
        assert_eq!(d(15, 1).checked_div(d(5, 1)), Some(d(3, 0)));
        assert_eq!(Decimal::new(1, 19), None);
        assert_eq!(
            Decimal::from_int(i64::MAX).checked_mul(d(i128::MAX, 0)),
            None
        );
    }

    #[test]
    fn ordering_and_indonesian_form() {
        assert!(d(15, 1) < d(2, 0));
        assert!(d(-1, 0) < d(0, 0));
        assert_eq!(d(150075, 2).to_indonesian(), "1.500,75");
        assert_eq!(d(5, 1).to_indonesian(), "0,5");
        assert_eq!(d(-2, 0).to_indonesian(), "-2");
        assert_eq!(d(25, 2).to_f64(), 0.25);
    }
}
