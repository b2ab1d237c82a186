//! Bytes to pixels, with the limits checked before any pixel is decoded.
//!
//! JPEG is decoded with shrink-on-load: the decoder's inverse DCT produces 1/2, 1/4 or
//! 1/8 of the size directly, the largest reduction that still leaves at least the size
//! we resize to. A 12-megapixel phone photo headed for 1280 px is decoded at 2000x1500,
//! a quarter of the pixels, memory and colour conversion, as libvips does.

use super::error::{Format, PhotoError};
use super::exif;
use super::orient::Orientation;
use super::raster::{self, Rgb};
use super::resize::fit_within;
use super::{PhotoOptions, sniff};
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A decoded photo, still as stored (not yet turned).
#[derive(Debug)]
pub struct Decoded {
    pub format: Format,
    /// The full stored size the file declares.
    pub source_width: u32,
    pub source_height: u32,
    pub orientation: Orientation,
    /// The pixels, possibly already shrunk on load (JPEG).
    pub rgb: Rgb,
}

/// Sniffs, checks the limits, decodes. `opts.max_side` is the size the caller will
/// resize to, so a JPEG can shrink on load.
pub fn decode(bytes: &[u8], opts: &PhotoOptions) -> Result<Decoded, PhotoError> {
    if bytes.len() > opts.max_input_bytes {
        return Err(PhotoError::TooLarge {
            bytes: bytes.len(),
            max: opts.max_input_bytes,
        });
    }
    let format = sniff::sniff(bytes)?;
    // The decoders are third-party code fed hostile bytes; if one of them panics on a
    // file nobody fuzzed yet, the seller gets "damaged photo", not a crash.
    catch_unwind(AssertUnwindSafe(|| match format {
        Format::Jpeg => decode_jpeg(bytes, opts),
        Format::Png => decode_png(bytes, opts),
        Format::WebP => decode_webp(bytes, opts),
    }))
    .unwrap_or_else(|_| Err(corrupt(format, "decoder failed")))
}

fn corrupt(format: Format, reason: impl ToString) -> PhotoError {
    PhotoError::Corrupt {
        format,
        reason: reason.to_string(),
    }
}

/// The declared size against the limits, before anything is allocated for pixels.
fn check_size(width: u32, height: u32, opts: &PhotoOptions) -> Result<(), PhotoError> {
    let pixels = u64::from(width) * u64::from(height);
    if width > opts.max_side_in || height > opts.max_side_in || pixels > opts.max_pixels_in {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    Ok(())
}

/// Bytes a decoder may allocate for a picture the limits allow: the RGBA frame plus
/// room for its working buffers (progressive JPEG keeps every coefficient).
fn decoder_memory_limit(opts: &PhotoOptions) -> usize {
    usize::try_from(opts.max_pixels_in.saturating_mul(8)).unwrap_or(usize::MAX)
}

fn decode_jpeg(bytes: &[u8], opts: &PhotoOptions) -> Result<Decoded, PhotoError> {
    let bad = |e: jpeg_decoder::Error| corrupt(Format::Jpeg, e);
    let mut dec = jpeg_decoder::Decoder::new(bytes);
    dec.read_info().map_err(bad)?;
    let info = dec
        .info()
        .ok_or_else(|| corrupt(Format::Jpeg, "no frame header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(width, height, opts)?;
    if width == 0 || height == 0 {
        return Err(corrupt(Format::Jpeg, "zero-sized image"));
    }
    let orientation = dec.exif_data().map(exif::orientation).unwrap_or_default();

    let (want_w, want_h) = fit_within(width, height, opts.max_side);
    if (want_w, want_h) != (width, height) {
        // Both sides fit in u16: they are no larger than the JPEG's own.
        let (w16, h16) = (
            u16::try_from(want_w).unwrap_or(u16::MAX),
            u16::try_from(want_h).unwrap_or(u16::MAX),
        );
        dec.scale(w16, h16).map_err(bad)?;
    }
    dec.set_max_decoding_buffer_size(decoder_memory_limit(opts));
    let pixels = dec.decode().map_err(bad)?;
    let info = dec
        .info()
        .ok_or_else(|| corrupt(Format::Jpeg, "no frame header"))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let data = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => raster::from_luma(&pixels),
        // 9- to 16-bit grey (lossless JPEG, medical scans: never a phone camera),
        // native-endian; scaled by the bit depth the samples actually use.
        jpeg_decoder::PixelFormat::L16 => {
            let samples: Vec<u16> = pixels
                .chunks_exact(2)
                .map(|p| u16::from_ne_bytes([p[0], p[1]]))
                .collect();
            let bits = 16 - samples.iter().max().map_or(16, |m| m.leading_zeros());
            let shift = bits.saturating_sub(8);
            let luma: Vec<u8> = samples.iter().map(|&v| (v >> shift) as u8).collect();
            raster::from_luma(&luma)
        }
        jpeg_decoder::PixelFormat::CMYK32 => raster::from_cmyk(&pixels),
    };
    finish(Format::Jpeg, (width, height), orientation, w, h, data)
}

fn decode_png(bytes: &[u8], opts: &PhotoOptions) -> Result<Decoded, PhotoError> {
    let bad = |e: png::DecodingError| corrupt(Format::Png, e);
    let limits = png::Limits {
        bytes: decoder_memory_limit(opts),
    };
    let mut dec = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let header = dec.read_header_info().map_err(bad)?;
    let (width, height) = (header.width, header.height);
    check_size(width, height, opts)?;
    let mut reader = dec.read_info().map_err(bad)?;
    let orientation = reader
        .info()
        .exif_metadata
        .as_deref()
        .map(exif::orientation)
        .unwrap_or_default();
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| corrupt(Format::Png, "image too large for memory"))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    buf.truncate(frame.buffer_size());
    let data = match frame.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => raster::from_rgba(&buf),
        png::ColorType::Grayscale => raster::from_luma(&buf),
        png::ColorType::GrayscaleAlpha => raster::from_luma_alpha(&buf),
        // EXPAND turns palettes into RGB(A); seeing one means the transformation failed.
        png::ColorType::Indexed => return Err(corrupt(Format::Png, "unexpanded palette")),
    };
    let (w, h) = (frame.width, frame.height);
    finish(Format::Png, (width, height), orientation, w, h, data)
}

fn decode_webp(bytes: &[u8], opts: &PhotoOptions) -> Result<Decoded, PhotoError> {
    let bad = |e: image_webp::DecodingError| corrupt(Format::WebP, e);
    // An extended WebP's canvas can claim up to 2^24 px a side, which the decoder
    // refuses with an untyped error; read it first so a bomb gets its typed one.
    if let Some((w, h)) = extended_canvas(bytes) {
        check_size(w, h, opts)?;
    }
    let mut dec = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(bad)?;
    let (width, height) = dec.dimensions();
    check_size(width, height, opts)?;
    // Metadata that fails to read is only metadata: the picture may still be fine.
    let orientation = dec
        .exif_metadata()
        .ok()
        .flatten()
        .map(|e| exif::orientation(&e))
        .unwrap_or_default();
    dec.set_memory_limit(decoder_memory_limit(opts));
    let size = dec
        .output_buffer_size()
        .ok_or_else(|| corrupt(Format::WebP, "image too large for memory"))?;
    let mut buf = vec![0u8; size];
    dec.read_image(&mut buf).map_err(bad)?;
    let data = if dec.has_alpha() {
        raster::from_rgba(&buf)
    } else {
        buf
    };
    finish(
        Format::WebP,
        (width, height),
        orientation,
        width,
        height,
        data,
    )
}

/// The canvas size of an extended (`VP8X`) WebP: 24-bit width-1 and height-1 after
/// the chunk's flags.
fn extended_canvas(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"VP8X" {
        return None;
    }
    let u24 = |b: &[u8]| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    Some((1 + u24(bytes.get(24..27)?), 1 + u24(bytes.get(27..30)?)))
}

fn finish(
    format: Format,
    (source_width, source_height): (u32, u32),
    orientation: Orientation,
    width: u32,
    height: u32,
    data: Vec<u8>,
) -> Result<Decoded, PhotoError> {
    if width == 0 || height == 0 || Rgb::byte_len(width, height) != Some(data.len()) {
        return Err(corrupt(format, "decoded size does not match the header"));
    }
    Ok(Decoded {
        format,
        source_width,
        source_height,
        orientation,
        rgb: Rgb {
            width,
            height,
            data,
        },
    })
}
