//! Which format a photo is in, from its first bytes (never from a file name or a MIME
//! type the picker guessed).

use super::error::{Format, PhotoError};

/// The format of `bytes`, or why we won't read them.
pub fn sniff(bytes: &[u8]) -> Result<Format, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Format::WebP);
    }
    Err(PhotoError::Unsupported {
        detected: detect_other(bytes),
    })
}

/// Names formats we recognise but don't read, for logs: a HEIC here means the phone's
/// converter was skipped.
fn detect_other(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(match &bytes[8..12] {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => "heic",
            b"avif" | b"avis" => "avif",
            _ => "iso-media",
        });
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("gif");
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some("tiff");
    }
    if bytes.starts_with(b"BM") {
        return Some("bmp");
    }
    if bytes.starts_with(&[0xFF, 0x0A]) || bytes.starts_with(b"\0\0\0\x0cJXL ") {
        return Some("jxl");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Ok(Format::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Ok(Format::WebP));
        assert_eq!(sniff(b""), Err(PhotoError::Empty));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Err(PhotoError::Unsupported {
                detected: Some("heic")
            })
        );
        assert_eq!(
            sniff(b"GIF89a...."),
            Err(PhotoError::Unsupported {
                detected: Some("gif")
            })
        );
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WAVEfmt "),
            Err(PhotoError::Unsupported { detected: None })
        );
        // A short prefix of a real signature is not that format.
        assert_eq!(
            sniff(&[0xFF, 0xD8]),
            Err(PhotoError::Unsupported { detected: None })
        );
    }
}
