//! Downscaling with a Lanczos3 filter (sharp, no moiré on fabric and text), SIMD on
//! ARM and x86 through `fast_image_resize`.

use super::error::PhotoError;
use super::raster::Rgb;
use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::U8x3;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};

/// The size of a `width` x `height` picture fitted within `max` on its long side,
/// keeping the aspect ratio. Never larger than the input: small photos are not
/// upscaled (it would only add bytes, not detail).
pub fn fit_within(width: u32, height: u32, max: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max || long == 0 {
        return (width, height);
    }
    let scale = f64::from(max) / f64::from(long);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, max);
    (side(width), side(height))
}

/// `src` resized to exactly `width` x `height`.
pub fn resize(src: &Rgb, width: u32, height: u32) -> Result<Rgb, PhotoError> {
    // Only the RGB pixel type is used, so only its code is compiled in (the untyped
    // `resize` would bring every pixel type's SIMD kernels into the library).
    let internal = |e: &dyn std::fmt::Display| PhotoError::Encode(format!("resize: {e}"));
    let from = TypedImageRef::<U8x3>::from_buffer(src.width, src.height, &src.data)
        .map_err(|e| internal(&e))?;
    let mut data = vec![0u8; Rgb::byte_len(width, height).ok_or_else(|| internal(&"size"))?];
    let mut to =
        TypedImage::<U8x3>::from_buffer(width, height, &mut data).map_err(|e| internal(&e))?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize_typed(&from, &mut to, &options)
        .map_err(|e| internal(&e))?;
    Ok(Rgb {
        width,
        height,
        data,
    })
}
