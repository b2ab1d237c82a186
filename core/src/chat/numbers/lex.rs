//! Chat text → tokens with byte spans: digit runs (with their separators), letter runs,
//! and single symbols. Letters and digits are split ("25rb", "2pcs", "ke3"), so every
//! later rule sees words and numbers the same however they were glued.

use super::markers::word_key;
use std::borrow::Cow;

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
pub(super) struct Token<'a> {
    pub kind: Kind,
    /// Lower case, invisible characters dropped: the input's own bytes when that is what
    /// they are (almost every token; a string each was most of the lexer's cost).
    pub text: Cow<'a, str>,
    /// Byte span in the input.
    pub start: usize,
    pub end: usize,
    /// Whitespace (or the start of the text) before it: "ke-3" vs "ke - 3", "25rb" vs "25 rb".
    pub gap: bool,
    /// Written with a capital: "2M" (miliar) vs "2m" (meter).
    pub upper: bool,
    /// [`word_key`] of `text`, for the marker phrase lists' filter.
    pub key: u32,
}

impl Token<'_> {
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

pub(super) fn tokens(input: &str) -> Vec<Token<'_>> {
    if input.is_ascii() {
        ascii_tokens(input)
    } else {
        any_tokens(input)
    }
}

/// [`tokens`] of ASCII text (four messages in five), byte by byte: no character is
/// invisible or wider than a byte, so every token is the input's own bytes (or their
/// lower case).
fn ascii_tokens(input: &str) -> Vec<Token<'_>> {
    let bytes = input.as_bytes();
    let digit_at = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_digit);
    let mut out: Vec<Token> = Vec::with_capacity(input.len() / 4 + 4);
    let mut gap = true;
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        // `char::is_whitespace` in ASCII: tab, line feed, vertical tab, form feed,
        // carriage return, space.
        if matches!(b, b' ' | b'\t'..=b'\r') {
            gap = true;
            k += 1;
            continue;
        }
        let first = k;
        let kind;
        let mut upper = false;
        let leading_separator = (b == b',' || b == b'.') && gap && digit_at(k + 1);
        if b.is_ascii_digit() || leading_separator {
            kind = Kind::Digits;
            while k < bytes.len() {
                let ch = bytes[k];
                let separator = (ch == b'.' || ch == b',') && digit_at(k + 1);
                if !(ch.is_ascii_digit() || separator) {
                    break;
                }
                k += 1;
            }
        } else if b.is_ascii_alphabetic() {
            kind = Kind::Word;
            while k < bytes.len() && bytes[k].is_ascii_alphabetic() {
                upper |= bytes[k].is_ascii_uppercase();
                k += 1;
            }
        } else {
            kind = Kind::Symbol;
            k += 1;
        }
        let written = &input[first..k];
        let text = if upper {
            Cow::Owned(written.to_ascii_lowercase())
        } else {
            Cow::Borrowed(written)
        };
        out.push(Token {
            kind,
            key: word_key(text.as_bytes(), text.len()),
            text,
            start: first,
            end: k,
            gap,
            upper,
        });
        gap = false;
    }
    out
}

fn any_tokens(input: &str) -> Vec<Token<'_>> {
    // (Sized once: no characters are more than the bytes.)
    let mut chars: Vec<(usize, char)> = Vec::with_capacity(input.len());
    chars.extend(input.char_indices().filter(|(_, c)| !invisible(*c)));
    let end_of = |k: usize| chars[k].0 + chars[k].1.len_utf8();
    let digit_at = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    // The characters `first..k` as written, when they lie side by side in the input
    // (no invisible character dropped between them).
    let written = |first: usize, k: usize| {
        let (start, end) = (chars[first].0, end_of(k - 1));
        let bytes: usize = chars[first..k].iter().map(|(_, c)| c.len_utf8()).sum();
        (end - start == bytes).then(|| &input[start..end])
    };
    // About a token for every four bytes of chat: the vector rarely grows (a token is
    // large, and growing copies all of them).
    let mut out: Vec<Token> = Vec::with_capacity(input.len() / 4 + 4);
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
        let text: Cow<str>;
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
                k += 1;
            }
            text = match written(first, k) {
                Some(w) => Cow::Borrowed(w),
                None => Cow::Owned(chars[first..k].iter().map(|(_, c)| c).collect()),
            };
        } else if c.is_alphabetic() {
            kind = Kind::Word;
            // Lower case already: each letter is its own lower case.
            let mut lower = true;
            while k < chars.len() && chars[k].1.is_alphabetic() {
                let ch = chars[k].1;
                upper |= ch.is_uppercase();
                lower &= ch.is_ascii_lowercase() || {
                    let mut l = ch.to_lowercase();
                    l.len() == 1 && l.next() == Some(ch)
                };
                k += 1;
            }
            text = match written(first, k).filter(|_| lower) {
                Some(w) => Cow::Borrowed(w),
                // A capitalised ASCII word lower-cased in one go.
                None => match written(first, k).filter(|w| w.is_ascii()) {
                    Some(w) => Cow::Owned(w.to_ascii_lowercase()),
                    None => {
                        let mut s = String::new();
                        for &(_, ch) in &chars[first..k] {
                            s.extend(ch.to_lowercase());
                        }
                        Cow::Owned(s)
                    }
                },
            };
        } else {
            kind = Kind::Symbol;
            let folded = fold_symbol(c);
            text = if folded == c {
                Cow::Borrowed(&input[start..start + c.len_utf8()])
            } else {
                Cow::Owned(folded.to_string())
            };
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
        tokens(s).into_iter().map(|t| t.text.into_owned()).collect()
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
    fn ascii_text_reads_the_same_byte_by_byte() {
        let cases = [
            "Rp25.000,- sm 2 Lusin DONAT ya kak\r\n- 1,5kg @2 x3 (cod) 0812-3456-7890",
            ",77 .5 ke-3 25. a.n. Bu Ani\tJl. Melati 5\x0bRT 02/RW 03 #1 ~!",
            "",
            "   ",
            "ABC123def,,4.5.6",
        ];
        for case in cases {
            let fast = format!("{:?}", ascii_tokens(case));
            let general = format!("{:?}", any_tokens(case));
            assert_eq!(fast, general, "{case:?}");
        }
        // And any mix of what chat is made of, from a fixed seed.
        let alphabet = b"aZk9 0.,-\n\t\x0b\r@+/(x#";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3_000 {
            let mut case = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                case.push(char::from(
                    alphabet[(seed % alphabet.len() as u64) as usize],
                ));
            }
            seed = seed.wrapping_add(1);
            let fast = format!("{:?}", ascii_tokens(&case));
            let general = format!("{:?}", any_tokens(&case));
            assert_eq!(fast, general, "{case:?}");
        }
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
