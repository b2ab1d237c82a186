//! Lines out of any `BufRead`, bounded in length, and the invisible marks WhatsApp adds.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// The longest line kept: the rest of a longer line is read and dropped, so no input makes
/// the reader hold more than this for one line, or spend more than linear time on it.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// Reads one line into `buf` without its `\n` (and `\r`), keeping at most [`MAX_LINE`]
/// bytes of it. `None` at the end of the input; otherwise whether the line was cut.
pub(crate) fn read_line<R: BufRead>(src: &mut R, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let (mut cut, mut any) = (false, false);
    loop {
        let chunk = match src.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            if !any {
                return Ok(None);
            }
            break;
        }
        any = true;
        let (take, used, end) = match find_newline(chunk) {
            Some(i) => (i, i + 1, true),
            None => (chunk.len(), chunk.len(), false),
        };
        let room = MAX_LINE - buf.len();
        if take > room {
            cut = true;
        }
        buf.extend_from_slice(&chunk[..take.min(room)]);
        src.consume(used);
        if end {
            break;
        }
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(cut))
}

/// The first `\n`.
#[inline]
fn find_newline(hay: &[u8]) -> Option<usize> {
    find_byte(hay, b'\n')
}

/// The first `needle` in `hay`, eight bytes at a time. The std searches are either private
/// (`memchr`) or, for a `char` pattern, confirm each hit with a `memcmp` call.
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(needle);
    let mut at = 0;
    for word in hay.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w) ^ pattern;
        // A zero byte in `x` is the needle (the classic has-zero-byte test).
        if x.wrapping_sub(LO) & !x & HI != 0 {
            break;
        }
        at += 8;
    }
    hay[at..].iter().position(|&b| b == needle).map(|i| at + i)
}

/// Direction marks (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the byte-order
/// mark: invisible, written by WhatsApp around names, numbers and notices.
pub(crate) fn is_mark(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// The length in bytes of the mark at the start of `b`, if there is one.
pub(crate) fn mark_len(b: &[u8]) -> usize {
    match b {
        [0xE2, 0x80, 0x8E | 0x8F | 0xAA..=0xAE, ..] | [0xE2, 0x81, 0xA6..=0xA9, ..] => 3,
        [0xEF, 0xBB, 0xBF, ..] => 3,
        _ => 0,
    }
}

/// A line as text: borrowed when it is valid UTF-8 (checked by the fast validator),
/// otherwise with U+FFFD for each bad sequence.
pub(crate) fn decode(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// The first byte 0xE2 or 0xEF (a mark's first byte); ASCII text eight bytes at a time.
#[inline]
pub(crate) fn find_mark_lead(b: &[u8]) -> Option<usize> {
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    for word in b.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        if u64::from_le_bytes(w) & HI != 0 {
            break;
        }
        at += 8;
    }
    b[at..]
        .iter()
        .position(|&c| c == 0xE2 || c == 0xEF)
        .map(|i| at + i)
}

/// Appends `s` to `out` without its marks, copying the runs between them.
pub(crate) fn push_clean(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let (mut from, mut at) = (0, 0);
    // Every mark starts with byte 0xE2 or 0xEF; other text is copied as it is.
    while let Some(p) = find_mark_lead(&b[at..]) {
        let lead = at + p;
        let n = mark_len(&b[lead..]);
        if n > 0 {
            // `lead` starts a character and `lead + n` ends one: the slices are whole text.
            out.push_str(s.get(from..lead).unwrap_or_default());
            from = lead + n;
        }
        at = lead + n.max(1);
    }
    out.push_str(s.get(from..).unwrap_or_default());
}

/// `s` without the white space and marks at its ends; ASCII spaces cheaply.
pub(crate) fn trim(s: &str) -> &str {
    let blank = |c: char| c.is_whitespace() || is_mark(c);
    let mut t = s.trim_ascii();
    // Only a non-ASCII end (an emoji, U+202F, a mark) needs a character decoded.
    while t.as_bytes().last().is_some_and(|&b| b >= 0x80) {
        match t.chars().next_back() {
            Some(c) if blank(c) => t = t.get(..t.len() - c.len_utf8()).unwrap_or_default(),
            _ => break,
        }
        t = t.trim_ascii_end();
    }
    while t.as_bytes().first().is_some_and(|&b| b >= 0x80) {
        match t.chars().next() {
            Some(c) if blank(c) => t = t.get(c.len_utf8()..).unwrap_or_default(),
            _ => break,
        }
        t = t.trim_ascii_start();
    }
    t
}

/// Trims `s` like [`trim`], in place (keeping its buffer).
pub(crate) fn trim_in_place(s: &mut String) {
    let t = trim(s);
    if t.len() == s.len() {
        return;
    }
    // `t` is a slice of `s`: its offset is the distance between their starts.
    let (start, len) = (t.as_ptr() as usize - s.as_ptr() as usize, t.len());
    s.truncate(start + len);
    s.drain(..start);
}

/// `s` without marks, trimmed of white space (a name written `\u{202a}+62 812\u{202c}`
/// becomes `+62 812`).
pub(crate) fn clean(s: &str) -> String {
    let t = trim(s);
    let mut out = String::with_capacity(t.len());
    push_clean(&mut out, t);
    // A mark between spaces at an end ("x \u{200e} ") leaves a space behind.
    let end = trim(&out).len();
    out.truncate(end);
    out
}

/// Whether `s` starts with a mark (after any spaces).
pub(crate) fn starts_with_mark(s: &str) -> bool {
    s.trim_ascii_start().chars().next().is_some_and(is_mark)
}

/// The longest prefix of `s` that fits in `max` bytes and ends on a character boundary.
pub(crate) fn prefix_within(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded_and_lose_their_endings() {
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.extend_from_slice(b"\r\nnext\nlast");
        let mut src = io::BufReader::with_capacity(100, &long[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut src, &mut buf).ok(), Some(Some(true)));
        assert_eq!(buf.len(), MAX_LINE);
        assert_eq!(read_line(&mut src, &mut buf).ok(), Some(Some(false)));
        assert_eq!(buf, b"next");
        assert_eq!(read_line(&mut src, &mut buf).ok(), Some(Some(false)));
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut src, &mut buf).ok(), Some(None));
    }

    #[test]
    fn newline_search_matches_the_plain_one() {
        for len in 0..40 {
            for at in 0..=len {
                let mut hay = vec![b'a'; len];
                if at < len {
                    hay[at] = b'\n';
                }
                let want = hay.iter().position(|&b| b == b'\n');
                assert_eq!(find_newline(&hay), want, "len {len} at {at}");
            }
        }
    }

    #[test]
    fn marks_go_and_spaces_trim() {
        assert_eq!(
            clean(" \u{202a}+62 812-3456-7890\u{202c} "),
            "+62 812-3456-7890"
        );
        assert!(starts_with_mark("\u{200e}x"));
        assert_eq!(prefix_within("aé", 2), "a");
    }
}
