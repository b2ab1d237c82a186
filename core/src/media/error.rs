//! Why a photo was refused, typed for code and worded for the seller.

use crate::i18n::Text;
use std::fmt;

/// The image formats the core reads. HEIC never arrives: the phone converts it first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

impl Format {
    /// Lower-case name, as the CLI and logs print it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::WebP => "webp",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A photo the pipeline refuses, or could not finish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Zero bytes: the picker returned nothing.
    #[error("the photo is empty")]
    Empty,
    /// Not JPEG, PNG or WebP. `detected` names what it looks like, when we can tell
    /// (`"heic"`, `"gif"`...), so a log shows which converter on the phone was skipped.
    #[error("unsupported image format ({})", detected.unwrap_or("unknown"))]
    Unsupported { detected: Option<&'static str> },
    /// The header says JPEG/PNG/WebP but the data is damaged or cut short.
    #[error("corrupt {format} image: {reason}")]
    Corrupt { format: Format, reason: String },
    /// More input bytes than we accept, checked before anything is parsed.
    #[error("photo is {bytes} bytes, more than the {max} accepted")]
    TooLarge { bytes: usize, max: usize },
    /// The declared size is over the limits (a decompression bomb, or a panorama
    /// larger than any listing needs); checked before any pixel is decoded.
    #[error("photo is {width}x{height} pixels, more than accepted")]
    TooManyPixels { width: u32, height: u32 },
    /// Our own encoder failed; a bug, not the seller's fault.
    #[error("could not encode the photo: {0}")]
    Encode(String),
}

impl PhotoError {
    /// What the seller reads, in Indonesian and English.
    pub fn user_message(&self) -> Text {
        match self {
            PhotoError::Empty => Text::new(
                "Foto kosong. Pilih atau ambil foto lagi.",
                "The photo is empty. Choose or take the photo again.",
            ),
            PhotoError::Unsupported { .. } => Text::new(
                "Format foto tidak didukung. Gunakan foto JPEG, PNG atau WebP.",
                "This photo format is not supported. Use a JPEG, PNG or WebP photo.",
            ),
            PhotoError::Corrupt { .. } => Text::new(
                "Foto rusak atau tidak bisa dibaca.",
                "The photo is damaged or cannot be read.",
            ),
            PhotoError::TooLarge { max, .. } => Text::new(
                format!("Foto terlalu besar (maksimal {} MB).", max / (1024 * 1024)),
                format!(
                    "The photo is too large (at most {} MB).",
                    max / (1024 * 1024)
                ),
            ),
            PhotoError::TooManyPixels { .. } => Text::new(
                "Ukuran gambar foto terlalu besar.",
                "The photo's picture size is too large.",
            ),
            PhotoError::Encode(_) => Text::new(
                "Foto tidak bisa diproses. Coba lagi.",
                "The photo could not be processed. Please try again.",
            ),
        }
    }

    /// True when the fault is ours (the seller can't fix it by choosing another photo).
    pub fn is_internal(&self) -> bool {
        matches!(self, PhotoError::Encode(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_exist_in_both_languages() {
        let all = [
            PhotoError::Empty,
            PhotoError::Unsupported {
                detected: Some("heic"),
            },
            PhotoError::Corrupt {
                format: Format::Jpeg,
                reason: "truncated".into(),
            },
            PhotoError::TooLarge {
                bytes: 50 << 20,
                max: 40 << 20,
            },
            PhotoError::TooManyPixels {
                width: 100_000,
                height: 100_000,
            },
            PhotoError::Encode("x".into()),
        ];
        for e in all {
            let t = e.user_message();
            assert!(!t.id.is_empty() && !t.en.is_empty(), "{e:?}");
            assert_ne!(t.id, t.en, "{e:?}");
        }
        let t = PhotoError::TooLarge {
            bytes: 50 << 20,
            max: 40 << 20,
        }
        .user_message();
        assert_eq!(t.id, "Foto terlalu besar (maksimal 40 MB).");
        assert_eq!(
            PhotoError::Corrupt {
                format: Format::Png,
                reason: String::new()
            }
            .user_message()
            .id,
            "Foto rusak atau tidak bisa dibaca."
        );
    }
}
