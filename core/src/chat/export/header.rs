//! The date-and-time header that starts a message line, and the shape it has in a file.
//!
//! Android: `26/11/20 23.10 - `, `11/26/20, 11:10 PM - `; iOS: `[26/01/21 21.05.53] `,
//! `[1/26/21, 9:05:53 PM] `. Parsed on bytes, before any decoding: the header is ASCII
//! apart from spaces (U+00A0, U+202F) and direction marks.

use super::lines::mark_len;

/// How a file writes its headers. One export is written by one phone with one locale, so
/// every message line of a file has the same shape; a line that starts with a date in
/// another shape is a continuation (someone typed "30/11/2020 jam 10.00 ambil").
/// Day and month widths and the spacing before AM/PM vary inside a file, so they are not
/// part of the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    /// iOS: `[date time] `; Android: `date time - `.
    pub bracketed: bool,
    pub date_sep: u8,
    /// `2020-11-26`: the year comes first, and the order is settled.
    pub year_first: bool,
    pub year4: bool,
    /// `26/11/20, 23:10` rather than `26/11/20 23:10`.
    pub comma: bool,
    pub time_sep: u8,
    pub seconds: bool,
    pub twelve_hour: bool,
}

/// A parsed header: the three numbers of the date as written (their order is decided for
/// the whole file), the time, and where the rest of the line starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub shape: Shape,
    pub date: [u16; 3],
    /// 0–23 (converted from AM/PM).
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Byte offset of what follows the header ("Name: text" or a notice).
    pub rest: usize,
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Direction marks (they start with byte 0xE2 or 0xEF).
    #[inline(always)]
    fn marks(&mut self) {
        while self.peek().is_some_and(|c| c >= 0xE2) {
            let n = mark_len(self.b.get(self.i..).unwrap_or_default());
            if n == 0 {
                return;
            }
            self.i += n;
        }
    }

    /// Spaces (ASCII, no-break U+00A0, narrow no-break U+202F) and marks; how many spaces.
    #[inline(always)]
    fn spaces(&mut self) -> usize {
        let mut n = 0;
        loop {
            match self.peek() {
                Some(b' ') => {
                    self.i += 1;
                    n += 1;
                }
                Some(c) if c >= 0xC2 => {
                    let rest = self.b.get(self.i..).unwrap_or_default();
                    match rest {
                        [0xC2, 0xA0, ..] => self.i += 2,
                        [0xE2, 0x80, 0xAF, ..] => self.i += 3,
                        _ => {
                            let m = mark_len(rest);
                            if m == 0 {
                                return n;
                            }
                            self.i += m;
                            continue;
                        }
                    }
                    n += 1;
                }
                _ => return n,
            }
        }
    }

    /// Up to `max` digits: the value and how many there were.
    #[inline(always)]
    fn number(&mut self, max: usize) -> Option<(u16, usize)> {
        let b = self.b;
        let (start, end) = (self.i, (self.i + max).min(b.len()));
        let mut i = start;
        let mut v: u16 = 0;
        while i < end {
            let d = b[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v * 10 + u16::from(d);
            i += 1;
        }
        // A fifth digit means this is not a date or a time (a phone number, a price).
        if i == start || b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        self.i = i;
        Some((v, i - start))
    }

    /// `AM`, `pm`, `a.m.`, `p. m.`: whether it is PM.
    fn am_pm(&mut self) -> Option<bool> {
        let save = self.i;
        let pm = match self.peek()? {
            b'a' | b'A' => false,
            b'p' | b'P' => true,
            _ => return None,
        };
        self.i += 1;
        self.eat(b'.');
        self.eat(b' ');
        if !(self.eat(b'm') || self.eat(b'M')) {
            self.i = save;
            return None;
        }
        self.eat(b'.');
        // "PMx" is not a clock.
        if self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.i = save;
            return None;
        }
        Some(pm)
    }
}

/// Parses the header at the start of `line`, or `None` if the line does not start with one.
pub(crate) fn parse(line: &[u8]) -> Option<Header> {
    // Most continuation lines fail here: a header starts with a digit, `[` or a mark.
    if !matches!(line.first(), Some(b'0'..=b'9' | b'[' | 0xE2 | 0xEF)) {
        return None;
    }
    let mut c = Cursor { b: line, i: 0 };
    c.marks();
    let bracketed = c.eat(b'[');
    c.marks();

    let (d1, n1) = c.number(4)?;
    let date_sep = c.peek().filter(|s| matches!(s, b'/' | b'.' | b'-'))?;
    c.i += 1;
    c.eat(b' ');
    let (d2, n2) = c.number(2)?;
    if !c.eat(date_sep) {
        return None;
    }
    c.eat(b' ');
    let (d3, n3) = c.number(4)?;
    let year_first = n1 == 4;
    let year4 = if year_first {
        if n3 > 2 {
            return None;
        }
        true
    } else {
        if n1 > 2 || !(n3 == 2 || n3 == 4) {
            return None;
        }
        n3 == 4
    };
    let _ = n2;

    let comma = c.eat(b',');
    if c.spaces() == 0 {
        return None;
    }
    let (hour, _) = c.number(2)?;
    let time_sep = c.peek().filter(|s| matches!(s, b':' | b'.'))?;
    c.i += 1;
    let (minute, mn) = c.number(2)?;
    let mut second = 0;
    let mut seconds = false;
    if c.peek() == Some(time_sep) && c.b.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
        c.i += 1;
        let (s, sn) = c.number(2)?;
        if sn != 2 {
            return None;
        }
        second = s;
        seconds = true;
    }
    if mn != 2 || minute > 59 || second > 59 {
        return None;
    }
    let save = c.i;
    c.spaces();
    let pm = c.am_pm();
    if pm.is_none() {
        c.i = save;
    }
    let hour = match pm {
        Some(_) if hour > 12 => return None,
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        Some(_) => hour,
        None if hour > 23 => return None,
        None => hour,
    };

    if bracketed {
        c.spaces();
        if !c.eat(b']') {
            return None;
        }
    } else {
        if c.spaces() == 0 {
            return None;
        }
        // A hyphen, or an en dash (U+2013) some locales write.
        if !c.eat(b'-') {
            if c.b[c.i..].starts_with("\u{2013}".as_bytes()) {
                c.i += 3;
            } else {
                return None;
            }
        }
    }
    // One space before the rest; a line may also end right after the header.
    if c.i < line.len() && !c.eat(b' ') {
        return None;
    }

    Some(Header {
        shape: Shape {
            bracketed,
            date_sep,
            year_first,
            year4,
            comma,
            time_sep,
            seconds,
            twelve_hour: pm.is_some(),
        },
        date: [d1, d2, d3],
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        rest: c.i,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<(Header, &str)> {
        parse(s.as_bytes()).map(|h| (h, &s[h.rest..]))
    }

    #[test]
    fn every_platform_and_locale() {
        let (h, rest) = p("26/11/20 23.10 - Bu Rina: halo").expect("android id");
        assert_eq!((h.date, h.hour, h.minute), ([26, 11, 20], 23, 10));
        assert!(!h.shape.bracketed && !h.shape.comma && h.shape.time_sep == b'.');
        assert_eq!(rest, "Bu Rina: halo");

        let (h, rest) = p("11/26/20, 11:10\u{202f}PM - Budi: hi").expect("android us");
        assert_eq!((h.date, h.hour), ([11, 26, 20], 23));
        assert!(h.shape.twelve_hour && h.shape.comma);
        assert_eq!(rest, "Budi: hi");

        let (h, _) = p("\u{200e}[26/01/21 21.05.53] Pasar: x").expect("ios id");
        assert!(h.shape.bracketed && h.shape.seconds);
        assert_eq!(h.second, 53);

        let (h, rest) = p("[1/26/21, 12:05:53 AM] A: b").expect("ios us");
        assert_eq!((h.date, h.hour), ([1, 26, 21], 0));
        assert_eq!(rest, "A: b");

        let (h, _) = p("26/11/2020 23:10 - A: b").expect("4-digit year");
        assert!(h.shape.year4);
        let (h, _) = p("2020-11-26 23:10 - A: b").expect("year first");
        assert!(h.shape.year_first);
        assert!(p("26/11/20, 9:10 a. m. - A: b").is_some());
        assert!(p("26/11/20 23.10 -").is_some());
    }

    #[test]
    fn near_misses_are_not_headers() {
        for s in [
            "26/11/20 ambil jam 10.00",
            "26/11 23.10 - A: b",
            "26/11/20 24.10 - A: b",
            "26/11/20 23.61 - A: b",
            "26/11/20 13:10 PM - A: b",
            "123/11/20 23.10 - A: b",
            "26/11/20 23.10 A: b",
            "[26/11/20 23.10 A: b",
            "26/11/20 23.10 -A: b",
            "26/11/202 23.10 - A: b",
            "",
            "[",
        ] {
            assert!(p(s).is_none(), "{s:?}");
        }
    }
}
