//! Promoter codes ("KIRANA"): what one may look like, a code suggested from a name, and
//! a code found in a chat message ("kode: KIRANA", "pake kode kirana ya kak").

use std::fmt;

/// Shortest and longest code: short enough to say over the phone, long enough that
/// most names fit and guessing is not free.
pub const CODE_MIN: usize = 3;
pub const CODE_MAX: usize = 16;

/// A promoter's code: letters A–Z and digits, at least one letter, kept in capitals
/// (people type it in any case; "kirana" and "KIRANA" are one code).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PromoCode(String);

/// Why a text is not a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    Length,
    /// Something other than letters A–Z and digits.
    Characters,
    /// Digits only: too easily a number from another context (a postcode, a price).
    NoLetter,
}

impl PromoCode {
    /// `text` as a code: trimmed, in capitals, checked.
    pub fn parse(text: &str) -> Result<PromoCode, CodeError> {
        let text = text.trim();
        if !(CODE_MIN..=CODE_MAX).contains(&text.len()) {
            return Err(CodeError::Length);
        }
        if !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CodeError::Characters);
        }
        if !text.bytes().any(|b| b.is_ascii_alphabetic()) {
            return Err(CodeError::NoLetter);
        }
        Ok(PromoCode(text.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A code for someone called `name`: the letters and digits of the first word that
    /// has at least three of them ("Kirana Putri" → `KIRANA`, "Bu Sri" → `SRI`), at most
    /// ten; then, while `taken` says so, the same with 2, 3, … after it. A name with no
    /// usable word gives `PROMO`.
    pub fn suggest(name: &str, taken: impl Fn(&PromoCode) -> bool) -> PromoCode {
        let stem = name
            .split(|c: char| !c.is_alphanumeric())
            .map(|word| {
                word.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(10)
                    .collect::<String>()
                    .to_ascii_uppercase()
            })
            .find(|w| w.len() >= CODE_MIN && w.bytes().any(|b| b.is_ascii_alphabetic()))
            .unwrap_or_else(|| "PROMO".to_owned());
        let first = PromoCode(stem.clone());
        if !taken(&first) {
            return first;
        }
        // Ten letters and up to six digits stay within CODE_MAX.
        (2u32..1_000_000)
            .map(|n| PromoCode(format!("{stem}{n}")))
            .find(|c| !taken(c))
            .unwrap_or(first)
    }
}

impl fmt::Display for PromoCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Words that may stand between the cue and the code: "kode promo KIRANA", "kode
/// referral: KIRANA", "kode reseller KIRANA".
const BETWEEN: &[&str] = &[
    "promo",
    "promonya",
    "referral",
    "referal",
    "ref",
    "reseller",
    "afiliasi",
    "affiliate",
    "nya",
    "dari",
    "saya",
    "aku",
    "ku",
    "ya",
    "kak",
];

/// What follows "kode" when it is another kind of code: a postcode, a booking or
/// payment code, a one-time code, a tracking number, a voucher of the marketplace.
const NOT_A_PROMO: &[&str] = &[
    "pos",
    "booking",
    "bayar",
    "pembayaran",
    "unik",
    "transfer",
    "otp",
    "verifikasi",
    "resi",
    "voucher",
    "kupon",
    "warna",
    "produk",
    "barang",
    "warnanya",
    "ukuran",
];

/// The promoter code a chat message names, if any: the word after "kode" (or "code",
/// "ref", "referral"), past the words that may stand between ("kode promo: KIRANA"),
/// unless it says another kind of code ("kode pos 60111", "kode bayar"). The first one
/// in the message wins.
pub fn find_in_chat(text: &str) -> Option<PromoCode> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        let cue = word.to_lowercase();
        if !matches!(
            cue.as_str(),
            "kode" | "kodenya" | "code" | "ref" | "referral" | "referal"
        ) {
            continue;
        }
        let mut rest = words[i + 1..].iter().map(|w| w.to_lowercase());
        let candidate = rest.find(|w| !BETWEEN.contains(&w.as_str()));
        let Some(candidate) = candidate else { continue };
        if NOT_A_PROMO.contains(&candidate.as_str()) {
            continue;
        }
        if let Ok(code) = PromoCode::parse(&candidate) {
            return Some(code);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_capitals_letters_and_digits() {
        assert_eq!(
            PromoCode::parse(" kirana ").map(|c| c.0),
            Ok("KIRANA".into())
        );
        assert_eq!(PromoCode::parse("Sri2").map(|c| c.0), Ok("SRI2".into()));
        assert_eq!(PromoCode::parse("ab"), Err(CodeError::Length));
        assert_eq!(
            PromoCode::parse("A".repeat(17).as_str()),
            Err(CodeError::Length)
        );
        assert_eq!(PromoCode::parse("kir-ana"), Err(CodeError::Characters));
        assert_eq!(PromoCode::parse("kiräna"), Err(CodeError::Characters));
        assert_eq!(PromoCode::parse("60111"), Err(CodeError::NoLetter));
    }

    #[test]
    fn a_code_is_suggested_from_a_name_and_kept_unique() {
        let none = |_: &PromoCode| false;
        assert_eq!(PromoCode::suggest("Kirana Putri", none).as_str(), "KIRANA");
        assert_eq!(PromoCode::suggest("Bu Sri", none).as_str(), "SRI");
        assert_eq!(
            PromoCode::suggest("Dapur Bundanya Aisyah", none).as_str(),
            "DAPUR"
        );
        assert_eq!(
            PromoCode::suggest("Muhammad Abdurrahman", none).as_str(),
            "MUHAMMAD"
        );
        assert_eq!(
            PromoCode::suggest("Kusumawardhani", none).as_str(),
            "KUSUMAWARD"
        );
        assert_eq!(PromoCode::suggest("🌸 ✨", none).as_str(), "PROMO");
        assert_eq!(PromoCode::suggest("Ésa Çakra", none).as_str(), "AKRA");
        let taken = |c: &PromoCode| ["KIRANA", "KIRANA2"].contains(&c.as_str());
        assert_eq!(PromoCode::suggest("kirana", taken).as_str(), "KIRANA3");
        for name in ["Kusumawardhani", "x", "", "Sri"] {
            let code = PromoCode::suggest(name, |c| c.0.len() < 14);
            assert!(PromoCode::parse(code.as_str()).is_ok(), "{code}");
        }
    }

    #[test]
    fn codes_are_found_in_chat_as_people_write_them() {
        let found = |t: &str| find_in_chat(t).map(|c| c.0);
        for (text, code) in [
            ("pesan 2 bantal ya kak, kode: KIRANA", "KIRANA"),
            ("Kode promo kirana", "KIRANA"),
            ("mau donat 1 lusin, pake kode kirana ya kak", "KIRANA"),
            ("kode referral: sri2", "SRI2"),
            ("code KIRANA pls", "KIRANA"),
            ("ref: Kirana\nnama: Dewi", "KIRANA"),
            ("kodenya KIRANA kak", "KIRANA"),
            ("kode pos 60111, kode: KIRANA", "KIRANA"),
        ] {
            assert_eq!(found(text).as_deref(), Some(code), "{text}");
        }
        for text in [
            "kode pos 60111",
            "kode bayar 123",
            "kode unik 321 ya",
            "kode 60111",
            "kode",
            "minta kode ya kak",
            "pesan 2 bantal sm 1 lusin donat ya kak, cod",
            "",
        ] {
            assert_eq!(found(text), None, "{text}");
        }
    }
}
