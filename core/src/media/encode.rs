//! Pixels to JPEG, at the best quality that meets the byte budget.
//!
//! JPEG, not WebP: the only good lossy WebP encoder is libwebp (C, hundreds of KB in
//! the library), and every phone, browser and chat app shows JPEG. Optimised Huffman
//! tables and 4:2:0 chroma with averaged (not dropped) samples keep it small.

use super::error::PhotoError;
use super::raster::Rgb;
use jpeg_encoder::{
    ChromaSubsamplingMethod, Encoder, ImageBuffer, JpegColorType, QuantizationTableType,
    SamplingFactor, rgb_to_ycbcr,
};

/// `img` as a baseline JPEG at `quality` (1..=100, libjpeg's scale) with no metadata
/// segment at all: only the JFIF header (which says nothing but the pixel aspect) and
/// the picture. Baseline, not progressive: on the bench photo progressive saved 2.5%
/// of the bytes for twice the encoding time, and phones decode baseline faster.
pub fn jpeg(img: &Rgb, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let (w, h) = dims_u16(img)?;
    let mut out = Vec::with_capacity(img.data.len() / 8);
    let mut enc = Encoder::new(&mut out, quality.clamp(1, 100));
    enc.set_sampling_factor(SamplingFactor::F_2_2);
    enc.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    // Annex K tables, as libjpeg's. On the bench photo Robidoux's (mozjpeg's default)
    // needed ~8% more bytes for the same SSIM.
    enc.set_quantization_tables(
        QuantizationTableType::Default,
        QuantizationTableType::Default,
    );
    enc.set_optimized_huffman_tables(true);
    enc.encode_image(RgbRows(img, w, h))
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

/// The JPEG at `start` quality or, if that is over `max_bytes`, at the highest of a few
/// lower qualities (down to `min_quality`) that fits; at `min_quality` if none does, since
/// a photo a little over budget beats a refused listing. Returns the bytes and the
/// quality used.
pub fn jpeg_within(
    img: &Rgb,
    start: u8,
    min_quality: u8,
    max_bytes: usize,
) -> Result<(Vec<u8>, u8), PhotoError> {
    let mut quality = start;
    loop {
        let bytes = jpeg(img, quality)?;
        if bytes.len() <= max_bytes || quality <= min_quality {
            return Ok((bytes, quality));
        }
        // Size falls roughly linearly with quality in this range; aim a little under the
        // budget so the second try usually lands, and never take more than a few tries.
        let over = bytes.len() as f64 / max_bytes as f64;
        let step = ((over - 1.0) * 40.0).ceil().clamp(3.0, 15.0) as u8;
        quality = quality.saturating_sub(step).max(min_quality);
    }
}

/// Our RGB picture as the encoder's input. (The crate's own `encode` dispatches over
/// nine colour types; feeding one keeps the other eight out of the library.)
struct RgbRows<'a>(&'a Rgb, u16, u16);

impl ImageBuffer for RgbRows<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.1
    }

    fn height(&self) -> u16 {
        self.2
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let stride = usize::from(self.1) * 3;
        let start = usize::from(y) * stride;
        let Some(row) = self.0.data.get(start..start + stride) else {
            return;
        };
        for p in row.chunks_exact(3) {
            let (y, cb, cr) = rgb_to_ycbcr(p[0], p[1], p[2]);
            buffers[0].push(y);
            buffers[1].push(cb);
            buffers[2].push(cr);
        }
    }
}

fn dims_u16(img: &Rgb) -> Result<(u16, u16), PhotoError> {
    match (u16::try_from(img.width), u16::try_from(img.height)) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(PhotoError::Encode(format!(
            "cannot encode {}x{}",
            img.width, img.height
        ))),
    }
}
