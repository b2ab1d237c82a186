//! Click-to-chat links (`https://wa.me/62...?text=...`) with a prefilled message the
//! seller sends from WhatsApp. Pure.

use crate::phone::PhoneNumber;

/// `https://wa.me/<digits>?text=<percent-encoded text>`.
pub fn wa_me(phone: &PhoneNumber, text: &str) -> String {
    format!(
        "https://wa.me/{}?text={}",
        phone.digits(),
        percent_encode(text)
    )
}

/// RFC 3986 percent-encoding of everything but unreserved characters, as wa.me expects.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_number_and_the_encoded_text() {
        let p = PhoneNumber::parse("0812-3456-7890").expect("phone");
        assert_eq!(
            wa_me(&p, "Halo kak, total Rp75.123 & ongkir"),
            "https://wa.me/6281234567890?text=Halo%20kak%2C%20total%20Rp75.123%20%26%20ongkir"
        );
        assert_eq!(
            wa_me(&p, "Pesanan #A1 🍩\nterima kasih"),
            "https://wa.me/6281234567890?text=Pesanan%20%23A1%20%F0%9F%8D%A9%0Aterima%20kasih"
        );
    }
}
