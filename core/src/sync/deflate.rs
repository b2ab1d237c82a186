//! A small gzip writer for request bodies: LZ77 with DEFLATE's fixed Huffman codes.
//!
//! Why our own: miniz's full compressor (dynamic Huffman trees, lazy matching) cost the
//! phone library 37 KB, for bodies of a few kilobytes of JSON that a phone sends now and
//! then. Fixed codes and greedy matching give most of the gain on JSON (keys and values
//! repeat) in a few hundred lines of code. Any gzip reader reads the output (RFC 1951
//! block type 1 inside an RFC 1952 member); answers are still read by flate2.

/// Longest match DEFLATE can say, shortest worth saying, farthest back it can point.
const MAX_MATCH: usize = 258;
const MIN_MATCH: usize = 4;
const WINDOW: usize = 32 * 1024;
const HASH_BITS: u32 = 14;

/// `data` as one gzip member.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = Bits::with_capacity(data.len() / 2 + 32);
    // Header: magic, deflate, no flags, no time, no extra flags, unknown OS.
    out.bytes
        .extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    deflate_fixed(data, &mut out);
    out.flush();
    let crc = crc32fast::hash(data);
    out.bytes.extend_from_slice(&crc.to_le_bytes());
    out.bytes
        .extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.bytes
}

/// One final block of fixed Huffman codes.
fn deflate_fixed(data: &[u8], out: &mut Bits) {
    out.put(1, 1); // BFINAL
    out.put(1, 2); // BTYPE = 01, fixed codes
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut prev = vec![u32::MAX; WINDOW];
    let hash = |i: usize| -> usize {
        let v = u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
    };
    let mut i = 0;
    while i < data.len() {
        let mut best_len = 0;
        let mut best_dist = 0;
        if i + MIN_MATCH <= data.len() {
            let h = hash(i);
            let mut candidate = head[h];
            let mut tries = 32;
            while candidate != u32::MAX && tries > 0 {
                let c = candidate as usize;
                if i - c > WINDOW - 1 {
                    break;
                }
                let limit = (data.len() - i).min(MAX_MATCH);
                let len = data[c..]
                    .iter()
                    .zip(&data[i..i + limit])
                    .take_while(|(a, b)| a == b)
                    .count();
                if len > best_len {
                    best_len = len;
                    best_dist = i - c;
                    if len == limit {
                        break;
                    }
                }
                candidate = prev[c % WINDOW];
                tries -= 1;
            }
            prev[i % WINDOW] = head[h];
            head[h] = i as u32;
        }
        if best_len >= MIN_MATCH {
            put_length(out, best_len);
            put_distance(out, best_dist);
            // Index the positions the match covers, so later text can point into it.
            for j in i + 1..(i + best_len).min(data.len().saturating_sub(MIN_MATCH - 1)) {
                let h = hash(j);
                prev[j % WINDOW] = head[h];
                head[h] = j as u32;
            }
            i += best_len;
        } else {
            put_literal(out, u16::from(data[i]));
            i += 1;
        }
    }
    put_literal(out, 256); // end of block
}

/// A literal/length symbol in the fixed code (RFC 1951 3.2.6).
fn put_literal(out: &mut Bits, symbol: u16) {
    let (code, len) = match symbol {
        0..=143 => (0x30 + u32::from(symbol), 8),
        144..=255 => (0x190 + u32::from(symbol) - 144, 9),
        256..=279 => (u32::from(symbol) - 256, 7),
        _ => (0xC0 + u32::from(symbol) - 280, 8),
    };
    out.put_code(code, len);
}

/// Base lengths of symbols 257..=285 and their extra bits.
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distances of codes 0..=29 and their extra bits.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

fn put_length(out: &mut Bits, len: usize) {
    // The last base not above `len` (258 has its own code, 285).
    let k = LENGTH_BASE
        .iter()
        .rposition(|&b| usize::from(b) <= len)
        .unwrap_or(0);
    put_literal(out, 257 + k as u16);
    out.put(
        (len - usize::from(LENGTH_BASE[k])) as u32,
        u32::from(LENGTH_EXTRA[k]),
    );
}

fn put_distance(out: &mut Bits, dist: usize) {
    let k = DIST_BASE
        .iter()
        .rposition(|&b| usize::from(b) <= dist)
        .unwrap_or(0);
    // Distance codes are 5 bits, fixed, written like Huffman codes.
    out.put_code(k as u32, 5);
    out.put(
        (dist - usize::from(DIST_BASE[k])) as u32,
        u32::from(DIST_EXTRA[k]),
    );
}

/// DEFLATE's bit order: values least significant bit first, Huffman codes most
/// significant bit first.
struct Bits {
    bytes: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn with_capacity(n: usize) -> Bits {
        Bits {
            bytes: Vec::with_capacity(n),
            acc: 0,
            n: 0,
        }
    }

    fn put(&mut self, value: u32, bits: u32) {
        if bits == 0 {
            return;
        }
        self.acc |= u64::from(value & ((1u32 << bits) - 1)) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn put_code(&mut self, code: u32, bits: u32) {
        self.put(code.reverse_bits() >> (32 - bits), bits);
    }

    fn flush(&mut self) {
        if self.n > 0 {
            self.bytes.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("a valid gzip member");
        out
    }

    #[test]
    fn json_comes_back_whole_and_much_smaller() {
        let mut body = String::from(r#"{"device_id":"d1","mutations":["#);
        for i in 0..200 {
            body.push_str(&format!(
                r#"{{"id":{i},"at":1700000000{i:03},"op":{{"put_product":{{"product":{{"id":"0190a3e0-7d2c-7cc0-8000-{i:012}","name":"Donat kentang coklat {i}","price_idr":25000,"unit":"box"}},"fields":["price_idr"]}}}}}},"#
            ));
        }
        body.push_str("]}");
        let packed = gzip(body.as_bytes());
        assert_eq!(gunzip(&packed), body.as_bytes());
        assert!(
            packed.len() * 4 < body.len(),
            "{} of {}",
            packed.len(),
            body.len()
        );
    }

    #[test]
    fn edge_cases_round_trip() {
        for data in [
            Vec::new(),
            vec![0u8],
            vec![7u8; 3],
            vec![7u8; 100_000],
            (0..=255u8).cycle().take(70_000).collect::<Vec<_>>(),
            b"abcabcabcabcabcabcabcabcabcabcabcabcabc".to_vec(),
        ] {
            assert_eq!(gunzip(&gzip(&data)), data, "{} bytes", data.len());
        }
    }

    proptest! {
        #[test]
        fn anything_round_trips(data in proptest::collection::vec(
            prop_oneof![Just(b'a'), Just(b'b'), Just(b'{'), Just(b'"'), any::<u8>()], 0..5000)) {
            prop_assert_eq!(gunzip(&gzip(&data)), data);
        }
    }
}
