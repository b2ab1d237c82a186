//! Phone numbers as Indonesians write them, normalised to E.164 (`+62...`).
//!
//! Accounts, chat orders and delivery addresses all carry phone numbers typed in every
//! shape: `0812-3456-7890`, `+62 812 3456 7890`, `62812...`, `(021) 555-1234`,
//! `+62 (0) 812...`, with the invisible direction marks WhatsApp exports add. One
//! canonical form lets us match a buyer across chat, app and server.

use serde::{Deserialize, Serialize};
use std::fmt;

const INDONESIA: &str = "62";

/// A phone number in E.164 form, for example `+6281234567890`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("phone number contains a character that is not a digit")]
    InvalidCharacter,
    #[error("phone number is too short")]
    TooShort,
    #[error("phone number is too long")]
    TooLong,
    #[error("phone number does not start like an Indonesian number")]
    InvalidPrefix,
}

impl PhoneNumber {
    /// Reads a number as people type it. Numbers without a country code are Indonesian.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let mut digits = String::with_capacity(input.len());
        let mut plus = false;
        let mut seen_digit = false;
        for ch in input.chars() {
            match ch {
                '0'..='9' => {
                    digits.push(ch);
                    seen_digit = true;
                }
                '+' if !seen_digit && !plus => plus = true,
                // Separators people type, and the invisible marks chat exports carry.
                ' '
                | '-'
                | '.'
                | '('
                | ')'
                | '/'
                | '\u{a0}'
                | '\u{202f}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}' => {}
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        // "00" is the international call prefix: 0062... is +62...
        let international = if plus {
            Some(digits.as_str())
        } else {
            digits.strip_prefix("00")
        };
        let national = match international {
            Some(rest) => match rest.strip_prefix(INDONESIA) {
                Some(nsn) => nsn,
                None => return Self::foreign(rest),
            },
            None => match digits.strip_prefix('0') {
                Some(nsn) => nsn,
                // "62812..." typed without the plus, or "812..." without the trunk zero.
                None => digits
                    .strip_prefix(INDONESIA)
                    .filter(|nsn| nsn.starts_with('8') && nsn.len() >= 9)
                    .unwrap_or(&digits),
            },
        };
        // "+62 (0) 812..." keeps the trunk zero after the country code.
        let national = national.strip_prefix('0').unwrap_or(national);
        match national.len() {
            0..=7 => return Err(PhoneError::TooShort),
            8..=12 => {}
            _ => return Err(PhoneError::TooLong),
        }
        // Indonesian numbers begin with an area code (2..7, 9) or a mobile prefix (8).
        if !national.starts_with(['2', '3', '4', '5', '6', '7', '8', '9']) {
            return Err(PhoneError::InvalidPrefix);
        }
        Ok(PhoneNumber(format!("+{INDONESIA}{national}")))
    }

    fn foreign(digits: &str) -> Result<Self, PhoneError> {
        // E.164 allows at most 15 digits; nothing real is shorter than 8.
        match digits.len() {
            0..=7 => Err(PhoneError::TooShort),
            8..=15 if !digits.starts_with('0') => Ok(PhoneNumber(format!("+{digits}"))),
            8..=15 => Err(PhoneError::InvalidPrefix),
            _ => Err(PhoneError::TooLong),
        }
    }

    /// `+6281234567890`
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// Digits only, as `wa.me/<digits>` links want them: `6281234567890`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    pub fn is_indonesian(&self) -> bool {
        self.0.starts_with("+62")
    }

    /// Mobile numbers (the ones that have WhatsApp) start with 8 after the country code.
    pub fn is_mobile(&self) -> bool {
        self.0.starts_with("+628")
    }

    /// How Indonesians read a number back: `0812-3456-7890`.
    pub fn national_display(&self) -> String {
        match self.0.strip_prefix("+62") {
            Some(nsn) if nsn.starts_with('8') => {
                let (a, rest) = nsn.split_at(3.min(nsn.len()));
                let (b, c) = rest.split_at(4.min(rest.len()));
                format!("0{a}-{b}-{c}")
            }
            Some(nsn) => format!("0{nsn}"),
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, PhoneError> {
        PhoneNumber::parse(&s)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(s: &str) -> Result<String, PhoneError> {
        PhoneNumber::parse(s).map(|p| p.e164().to_owned())
    }

    #[test]
    fn every_common_way_of_writing_a_mobile_number() {
        for input in [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "+62 812-3456-7890",
            "+6281234567890",
            "6281234567890",
            "62 812 3456 7890",
            "81234567890",
            "+62 (0) 812 3456 7890",
            "0062 812 3456 7890",
            "\u{202a}+62 812\u{a0}3456\u{2011}7890\u{202c}"
                .replace('\u{2011}', "-")
                .as_str(),
        ] {
            assert_eq!(e164(input).as_deref(), Ok("+6281234567890"), "{input:?}");
        }
    }

    #[test]
    fn landlines_and_foreign_numbers() {
        assert_eq!(e164("(021) 555-1234").as_deref(), Ok("+62215551234"));
        assert_eq!(e164("0274 123456").as_deref(), Ok("+62274123456"));
        assert_eq!(e164("+60 12-345 6789").as_deref(), Ok("+60123456789"));
        assert!(!PhoneNumber::parse("+60123456789").is_ok_and(|p| p.is_indonesian()));
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(e164(""), Err(PhoneError::Empty));
        assert_eq!(e164(" - "), Err(PhoneError::Empty));
        assert_eq!(e164("0812-34"), Err(PhoneError::TooShort));
        assert_eq!(e164("0812345678901234"), Err(PhoneError::TooLong));
        assert_eq!(e164("0812abc4567"), Err(PhoneError::InvalidCharacter));
        assert_eq!(e164("01234567890"), Err(PhoneError::InvalidPrefix));
        assert_eq!(e164("+62+812345678"), Err(PhoneError::InvalidCharacter));
    }

    #[test]
    fn shown_back_the_indonesian_way() {
        let p = PhoneNumber::parse("+6281234567890").expect("valid");
        assert_eq!(p.national_display(), "0812-3456-7890");
        assert_eq!(p.digits(), "6281234567890");
        assert!(p.is_mobile());
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(p) = PhoneNumber::parse(&s) {
                prop_assert_eq!(PhoneNumber::parse(p.e164()), Ok(p.clone()));
                prop_assert!(p.e164().len() <= 16);
            }
        }

        #[test]
        fn mobile_numbers_in_any_format_agree(rest in "[0-9]{7,9}", sep in "[ .-]?") {
            let local = format!("08{}{sep}{}", &rest[..2], &rest[2..]);
            let intl = format!("+62 8{rest}");
            prop_assert_eq!(e164(&local), e164(&intl));
        }
    }
}
