//! Ids made on the device (UUIDv7), so anything can be created offline.
//!
//! v7 ids start with a millisecond timestamp: they sort by creation time, which keeps
//! SQLite's B-tree inserts at the end of the index and makes "newest first" a plain
//! keyset over the id.

/// A fresh UUIDv7 in its 36-character text form.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// Whether `s` is an id this app could have made (any UUID, canonical text form).
/// Ids coming from outside (FFI, server, deep links) are checked before they reach SQL.
pub fn is_valid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_valid_and_time_ordered() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        assert!(ids.iter().all(|id| is_valid(id)));
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, ids, "UUIDv7 text sorts in creation order");
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
    }

    #[test]
    fn outside_strings_are_checked() {
        assert!(!is_valid(""));
        assert!(!is_valid("'; DROP TABLE products; --"));
        assert!(!is_valid("0190a3e0-7d2c-7cc0-8000-00000000000"));
        assert!(is_valid("0190a3e0-7d2c-7cc0-8000-000000000000"));
    }
}
