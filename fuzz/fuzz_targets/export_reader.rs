//! Arbitrary bytes as a WhatsApp chat export: the reader must not panic, must keep its
//! bounds, and its one-pass and two-pass forms must find the same messages.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::chat::export::{ExportReader, MAX_TEXT};
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let Ok(one_pass) = ExportReader::new(data) else {
        return;
    };
    let mut lines = Vec::new();
    for message in one_pass {
        let Ok(m) = message else {
            panic!("reading a slice cannot fail");
        };
        assert!(m.text.len() <= MAX_TEXT);
        assert!(m.author.as_deref().is_none_or(|a| !a.is_empty()));
        assert!(lines.last().is_none_or(|&l| l < m.line));
        lines.push(m.line);
    }
    let Ok(two_pass) = ExportReader::new_seekable(Cursor::new(data)) else {
        return;
    };
    let again: Vec<usize> = two_pass.filter_map(Result::ok).map(|m| m.line).collect();
    assert_eq!(lines, again, "the same message lines in one pass and two");
});
