//! Photos: a seller's camera photo in, a listing-ready photo, thumbnail and placeholder
//! out. Pure functions over bytes; the app reads the file and stores the results.
//!
//! The pipeline: sniff the format from magic bytes → check size limits against the
//! declared dimensions → decode (JPEG shrinks on load) → Lanczos3 resize to at most
//! 1280 px → turn per EXIF orientation → JPEG at the best quality within 150 KB →
//! thumbnail (320 px) from that photo → BlurHash from the thumbnail → SHA-256 of the
//! photo's bytes as its content address. Nothing from the input's metadata is copied:
//! the encoders write fresh files from pixels, so EXIF (GPS), XMP, ICC profiles and
//! comments cannot survive.

mod blurhash;
mod decode;
mod encode;
mod error;
mod exif;
mod orient;
mod raster;
mod resize;
mod sniff;
pub use sniff::sniff;

#[cfg(test)]
pub(crate) mod tests;

pub use error::{Format, PhotoError};
pub use orient::Orientation;

use sha2::{Digest, Sha256};

/// MIME type of everything the pipeline writes.
pub const JPEG_MIME: &str = "image/jpeg";

/// Limits and targets; [`PhotoOptions::default`] is what listings use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoOptions {
    /// Long side of the product photo, px. Smaller photos are kept as they are.
    pub max_side: u32,
    /// Long side of the thumbnail, px.
    pub thumb_side: u32,
    /// Byte budget of the product photo; quality goes down (to `min_quality`) to meet it.
    pub photo_max_bytes: usize,
    /// Starting JPEG quality of the product photo.
    pub quality: u8,
    /// Lowest JPEG quality the budget may push the product photo to.
    pub min_quality: u8,
    /// JPEG quality of the thumbnail (small, seen small).
    pub thumb_quality: u8,
    /// Input larger than this is refused before parsing.
    pub max_input_bytes: usize,
    /// Declared width or height over this is refused before decoding.
    pub max_side_in: u32,
    /// Declared width x height over this is refused before decoding.
    pub max_pixels_in: u64,
    /// BlurHash components across and down.
    pub blurhash_components: (u32, u32),
}

impl Default for PhotoOptions {
    fn default() -> Self {
        PhotoOptions {
            max_side: 1280,
            thumb_side: 320,
            photo_max_bytes: 150_000,
            // libvips' default; with optimised Huffman tables the same quality takes
            // ~4% fewer bytes, leaving room for busier photos in the budget.
            quality: 80,
            min_quality: 60,
            thumb_quality: 75,
            // A 12-50 MP phone JPEG is 3-25 MB; a PNG screenshot of that size is rarer.
            max_input_bytes: 40 * 1024 * 1024,
            max_side_in: 16_384,
            max_pixels_in: 50_000_000,
            blurhash_components: (4, 3),
        }
    }
}

/// A photo ready to upload and show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedPhoto {
    /// SHA-256 of `photo`, lower-case hex: the name it is stored and deduplicated under.
    pub content_hash: String,
    /// The product photo, at most `max_side` px on its long side.
    pub photo: Vec<u8>,
    pub photo_mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub thumbnail_mime: &'static str,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// Placeholder for `photo`: `6 + 2 * (x * y - 1)` characters, 28 for 4x3.
    pub blurhash: String,
    /// What came in: its format, its stored size (before orientation) and orientation.
    pub source_format: Format,
    pub source_width: u32,
    pub source_height: u32,
    pub source_orientation: Orientation,
    /// The JPEG quality the photo was written at (lower when the budget demanded it).
    pub quality: u8,
}

/// Prepares a camera photo with the listing defaults.
pub fn prepare_photo(bytes: &[u8]) -> Result<PreparedPhoto, PhotoError> {
    prepare_photo_with(bytes, &PhotoOptions::default())
}

/// Prepares a photo with explicit limits and targets.
pub fn prepare_photo_with(bytes: &[u8], opts: &PhotoOptions) -> Result<PreparedPhoto, PhotoError> {
    let max_side = opts.max_side.max(1);
    let opts = &PhotoOptions {
        max_side,
        ..opts.clone()
    };
    let decoded = decode::decode(bytes, opts)?;

    // The target comes from the declared size, so it doesn't depend on the DCT scale
    // a JPEG was shrunk by on load. Resize before turning: turning 1.2 MP is cheaper.
    let (w, h) = resize::fit_within(decoded.source_width, decoded.source_height, max_side);
    let resized = if (decoded.rgb.width, decoded.rgb.height) == (w, h) {
        decoded.rgb
    } else {
        resize::resize(&decoded.rgb, w, h)?
    };
    let photo_px = decoded.orientation.apply(resized);

    let (photo, quality) = encode::jpeg_within(
        &photo_px,
        opts.quality,
        opts.min_quality,
        opts.photo_max_bytes,
    )?;

    let (tw, th) = resize::fit_within(photo_px.width, photo_px.height, opts.thumb_side.max(1));
    let thumb_px = resize::resize(&photo_px, tw, th)?;
    let thumbnail = encode::jpeg(&thumb_px, opts.thumb_quality)?;
    let (bx, by) = opts.blurhash_components;
    let blurhash = blurhash::encode(&thumb_px, bx, by);

    Ok(PreparedPhoto {
        content_hash: sha256_hex(&photo),
        photo,
        photo_mime: JPEG_MIME,
        width: photo_px.width,
        height: photo_px.height,
        thumbnail,
        thumbnail_mime: JPEG_MIME,
        thumb_width: thumb_px.width,
        thumb_height: thumb_px.height,
        blurhash,
        source_format: decoded.format,
        source_width: decoded.source_width,
        source_height: decoded.source_height,
        source_orientation: decoded.orientation,
        quality,
    })
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
