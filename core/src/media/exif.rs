//! The one EXIF field we read: the orientation. Everything else in EXIF (GPS position,
//! camera serial, dates) is dropped, never parsed, never copied.

use super::orient::Orientation;

/// The orientation recorded in an EXIF block (a TIFF structure, with or without the
/// `Exif\0\0` prefix JPEG puts before it). Anything unreadable means "as stored": a
/// damaged EXIF block is common and must not make a good photo unusable.
pub fn orientation(exif: &[u8]) -> Orientation {
    read_orientation(exif)
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::Normal)
}

const ORIENTATION_TAG: u16 = 0x0112;
const SHORT: u16 = 3;

fn read_orientation(exif: &[u8]) -> Option<u16> {
    let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    let big_endian = match tiff.get(0..2)? {
        b"II" => false,
        b"MM" => true,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd0)?);
    // Each entry is 12 bytes; the count comes from the file, so every read is checked.
    (0..count).find_map(|i| {
        let entry = ifd0.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        if u16_at(entry)? != ORIENTATION_TAG || u16_at(entry + 2)? != SHORT {
            return None;
        }
        u16_at(entry + 8)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little- or big-endian TIFF block with the orientation tag, then a GPS IFD
    /// pointer and a GPS latitude, as phones write them (for the stripping tests).
    pub(crate) fn exif_block(orientation: u16, big_endian: bool) -> Vec<u8> {
        let w16 = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let w32 = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut t = Vec::new();
        t.extend_from_slice(if big_endian { b"MM" } else { b"II" });
        t.extend_from_slice(&w16(42));
        t.extend_from_slice(&w32(8)); // IFD0 right after the header
        // IFD0: 2 entries: Orientation, GPSInfo pointer.
        t.extend_from_slice(&w16(2));
        t.extend_from_slice(&w16(ORIENTATION_TAG));
        t.extend_from_slice(&w16(SHORT));
        t.extend_from_slice(&w32(1));
        t.extend_from_slice(&w16(orientation));
        t.extend_from_slice(&[0, 0]);
        let gps_ifd = 8 + 2 + 2 * 12 + 4;
        t.extend_from_slice(&w16(0x8825));
        t.extend_from_slice(&w16(4)); // LONG
        t.extend_from_slice(&w32(1));
        t.extend_from_slice(&w32(gps_ifd));
        t.extend_from_slice(&w32(0)); // no IFD1
        // GPS IFD: GPSLatitudeRef "S", GPSLatitude 6/1 12/1 3168/100 (Jakarta).
        let rationals = gps_ifd + 2 + 2 * 12 + 4;
        t.extend_from_slice(&w16(2));
        t.extend_from_slice(&w16(1));
        t.extend_from_slice(&w16(2)); // ASCII
        t.extend_from_slice(&w32(2));
        t.extend_from_slice(b"S\0\0\0");
        t.extend_from_slice(&w16(2));
        t.extend_from_slice(&w16(5)); // RATIONAL
        t.extend_from_slice(&w32(3));
        t.extend_from_slice(&w32(rationals));
        t.extend_from_slice(&w32(0));
        for (n, d) in [(6u32, 1u32), (12, 1), (3168, 100)] {
            t.extend_from_slice(&w32(n));
            t.extend_from_slice(&w32(d));
        }
        t
    }

    #[test]
    fn reads_every_orientation_in_both_byte_orders() {
        for v in 1..=8u16 {
            for be in [false, true] {
                let block = exif_block(v, be);
                assert_eq!(read_orientation(&block), Some(v));
                let mut prefixed = b"Exif\0\0".to_vec();
                prefixed.extend_from_slice(&block);
                assert_eq!(read_orientation(&prefixed), Some(v));
                assert_eq!(orientation(&block).exif_value(), v);
            }
        }
    }

    #[test]
    fn damaged_exif_means_as_stored() {
        assert_eq!(orientation(b""), Orientation::Normal);
        assert_eq!(orientation(b"II*\0\xff\xff\xff\xff"), Orientation::Normal);
        assert_eq!(orientation(&exif_block(9, false)), Orientation::Normal);
        let block = exif_block(6, false);
        for cut in 0..block.len() {
            let _ = orientation(&block[..cut]);
        }
        // The orientation's value ends at byte 20: anything shorter can't hold it.
        assert_eq!(orientation(&block[..19]), Orientation::Normal);
        assert_eq!(orientation(&block[..20]), Orientation::Rotate90);
    }
}
