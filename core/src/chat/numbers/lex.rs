//! Chat text → tokens with byte spans: digit runs (with their separators), letter runs,
//! and single symbols. Letters and digits are split ("25rb", "2pcs", "ke3"), so every
//! later rule sees words and numbers the same however they were glued.

use super::markers::word_key;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Digits with the `.`/`,` between them: "25.000", "1,5", ",77".
    Digits,
    /// Letters, lower-cased.
    Word,
    /// Any other visible character, one per token; dashes and minus signs fold to `-`.
    Symbol,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub kind: Kind,
    /// Lower case, invisible characters dropped.
    pub text: String,
    /// Byte span in the input.
    pub start: usize,
    pub end: usize,
    /// Whitespace (or the start of the text) before it: "ke-3" vs "ke - 3", "25rb" vs "25 rb".
    pub gap: bool,
    /// Written with a capital: "2M" (miliar) vs "2m" (meter).
    pub upper: bool,
    /// [`word_key`] of `text`, for the marker phrase lists' filter.
    pub key: u8,
}

impl Token {
    pub fn is(&self, text: &str) -> bool {
        self.text == text
    }

    pub fn is_symbol(&self, c: char) -> bool {
        self.kind == Kind::Symbol && self.text.starts_with(c)
    }

    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }

    pub fn is_digits(&self) -> bool {
        self.kind == Kind::Digits
    }

    /// Pure digits, no separators.
    pub fn is_plain_digits(&self) -> bool {
        self.kind == Kind::Digits && self.text.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Zero-width and direction marks chats carry (WhatsApp wraps numbers in them).
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}'
    )
}

fn fold_symbol(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => '-',
        '\u{ff0c}' => ',',
        '\u{ff0e}' => '.',
        '\u{ff1a}' => ':',
        '\u{ff0f}' => '/',
        c => c,
    }
}

pub(super) fn tokens(input: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = input
        .char_indices()
        .filter(|(_, c)| !invisible(*c))
        .collect();
    let end_of = |k: usize| chars[k].0 + chars[k].1.len_utf8();
    let digit_at = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut out: Vec<Token> = Vec::new();
    let mut gap = true;
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        if c.is_whitespace() {
            gap = true;
            k += 1;
            continue;
        }
        let first = k;
        let kind;
        let mut text = String::new();
        let mut upper = false;
        // A leading separator belongs to the number only at a word boundary (",77").
        let leading_separator = (c == ',' || c == '.') && gap && digit_at(k + 1);
        if c.is_ascii_digit() || leading_separator {
            kind = Kind::Digits;
            while k < chars.len() {
                let ch = chars[k].1;
                let separator = (ch == '.' || ch == ',') && digit_at(k + 1);
                if !(ch.is_ascii_digit() || separator) {
                    break;
                }
                text.push(ch);
                k += 1;
            }
        } else if c.is_alphabetic() {
            kind = Kind::Word;
            while k < chars.len() && chars[k].1.is_alphabetic() {
                let ch = chars[k].1;
                upper |= ch.is_uppercase();
                text.extend(ch.to_lowercase());
                k += 1;
            }
        } else {
            kind = Kind::Symbol;
            text.push(fold_symbol(c));
            k += 1;
        }
        out.push(Token {
            kind,
            key: word_key(text.as_bytes(), text.len()),
            text,
            start,
            end: end_of(k - 1).max(end_of(first)),
            gap,
            upper,
        });
        gap = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_glued_words_and_numbers() {
        assert_eq!(texts("25rb"), ["25", "rb"]);
        assert_eq!(texts("Rp25.000,-"), ["rp", "25.000", ",", "-"]);
        assert_eq!(texts("1.500,75 kg"), ["1.500,75", "kg"]);
        assert_eq!(texts("ke-3"), ["ke", "-", "3"]);
        assert_eq!(texts("harga ,77"), ["harga", ",77"]);
        assert_eq!(texts("50–75rb"), ["50", "-", "75", "rb"]);
        assert_eq!(texts("25."), ["25", "."]);
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let s = "\u{202a}Rp\u{a0}25.000\u{202c} ½kg";
        let toks = tokens(s);
        let shown: Vec<&str> = toks.iter().map(|t| &s[t.start..t.end]).collect();
        assert_eq!(shown, ["Rp", "25.000", "½", "kg"]);
        assert!(toks[1].gap && !toks[3].gap && toks[0].upper);
    }
}
