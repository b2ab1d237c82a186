//! Downscaling with a Lanczos3 filter (sharp, no moiré on fabric and text): separable,
//! in 14-bit fixed point, written here rather than taken from a SIMD crate because the
//! SIMD crate cost ~0.45 MB of the phone library for a step that runs once per photo
//! on a picture already shrunk on load (ARCHITECTURE.md, "Photos").

use super::error::PhotoError;
use super::raster::Rgb;

/// Fixed-point weights: 1.0 is `1 << SHIFT`.
const SHIFT: u32 = 14;
const ONE: i32 = 1 << SHIFT;

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

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-9 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

fn lanczos3(x: f64) -> f64 {
    if x.abs() < 3.0 {
        sinc(x) * sinc(x / 3.0)
    } else {
        0.0
    }
}

/// For each output position: the first input index and the fixed-point weights of the
/// inputs from there, summing to exactly `ONE`.
struct Taps {
    start: Vec<usize>,
    len: usize,
    weights: Vec<i32>,
}

fn taps(src: u32, dst: u32) -> Taps {
    let (src_f, dst_f) = (f64::from(src), f64::from(dst));
    let scale = src_f / dst_f;
    // Downscaling widens the filter so every input pixel contributes (no aliasing).
    let filter_scale = scale.max(1.0);
    let support = 3.0 * filter_scale;
    let len = (support.ceil() as usize) * 2 + 1;
    let mut start = Vec::with_capacity(dst as usize);
    let mut weights = vec![0i32; dst as usize * len];
    for x in 0..dst as usize {
        let center = (x as f64 + 0.5) * scale;
        let first = ((center - support).floor().max(0.0) as usize).min(src as usize - 1);
        let last = ((center + support).ceil() as usize).min(src as usize);
        let row = &mut weights[x * len..(x + 1) * len];
        let mut raw = Vec::with_capacity(len);
        for i in first..last.min(first + len) {
            raw.push(lanczos3((i as f64 + 0.5 - center) / filter_scale));
        }
        let sum: f64 = raw.iter().sum();
        let mut total = 0;
        for (k, w) in raw.iter().enumerate() {
            let fixed = ((w / sum) * f64::from(ONE)).round() as i32;
            row[k] = fixed;
            total += fixed;
        }
        // Rounding must not brighten or darken a flat area: the largest weight takes
        // the remainder.
        if let Some(max) = row.iter_mut().max_by_key(|w| **w) {
            *max += ONE - total;
        }
        start.push(first);
    }
    Taps {
        start,
        len,
        weights,
    }
}

fn clamp_u8(acc: i32) -> u8 {
    ((acc + (ONE >> 1)) >> SHIFT).clamp(0, 255) as u8
}

/// `src` resized to exactly `width` x `height`.
pub fn resize(src: &Rgb, width: u32, height: u32) -> Result<Rgb, PhotoError> {
    let internal = |what: &str| PhotoError::Encode(format!("resize: {what}"));
    if width == 0 || height == 0 || src.width == 0 || src.height == 0 {
        return Err(internal("empty picture"));
    }
    let (sw, sh) = (src.width as usize, src.height as usize);
    if src.data.len() != Rgb::byte_len(src.width, src.height).ok_or_else(|| internal("size"))? {
        return Err(internal("buffer does not match its size"));
    }
    let (dw, dh) = (width as usize, height as usize);

    // Horizontal pass: each source row to `dw` pixels.
    let h = taps(src.width, width);
    let mut mid = vec![0u8; Rgb::byte_len(width, src.height).ok_or_else(|| internal("size"))?];
    for y in 0..sh {
        let row = &src.data[y * sw * 3..(y + 1) * sw * 3];
        let out = &mut mid[y * dw * 3..(y + 1) * dw * 3];
        for x in 0..dw {
            let first = h.start[x];
            let w = &h.weights[x * h.len..(x + 1) * h.len];
            let (mut r, mut g, mut b) = (0i32, 0i32, 0i32);
            let avail = (sw - first).min(h.len);
            for (k, &wk) in w[..avail].iter().enumerate() {
                let p = (first + k) * 3;
                r += wk * i32::from(row[p]);
                g += wk * i32::from(row[p + 1]);
                b += wk * i32::from(row[p + 2]);
            }
            out[x * 3] = clamp_u8(r);
            out[x * 3 + 1] = clamp_u8(g);
            out[x * 3 + 2] = clamp_u8(b);
        }
    }

    // Vertical pass: rows of the intermediate combined into `dh` rows. The inner loop
    // runs along a contiguous row, which the compiler vectorises.
    let v = taps(src.height, height);
    let stride = dw * 3;
    let mut data = vec![0u8; Rgb::byte_len(width, height).ok_or_else(|| internal("size"))?];
    let mut acc = vec![0i32; stride];
    for y in 0..dh {
        acc.iter_mut().for_each(|a| *a = 0);
        let first = v.start[y];
        let w = &v.weights[y * v.len..(y + 1) * v.len];
        let avail = (sh - first).min(v.len);
        for (k, &wk) in w[..avail].iter().enumerate() {
            if wk == 0 {
                continue;
            }
            let row = &mid[(first + k) * stride..(first + k + 1) * stride];
            for (a, &p) in acc.iter_mut().zip(row) {
                *a += wk * i32::from(p);
            }
        }
        for (o, &a) in data[y * stride..(y + 1) * stride].iter_mut().zip(&acc) {
            *o = clamp_u8(a);
        }
    }
    Ok(Rgb {
        width,
        height,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::tests::solid;

    #[test]
    fn a_flat_colour_stays_exactly_that_colour() {
        let out = resize(&solid(2000, 1500, [200, 120, 40]), 1280, 960).expect("resize");
        assert_eq!((out.width, out.height), (1280, 960));
        assert!(out.data.chunks(3).all(|p| p == [200, 120, 40]));
    }

    #[test]
    fn weights_sum_to_one_and_sizes_fit() {
        for (src, dst) in [(4000, 1280), (1281, 1280), (7, 3), (1280, 320), (10, 10)] {
            let t = taps(src, dst);
            for x in 0..dst as usize {
                let s: i32 = t.weights[x * t.len..(x + 1) * t.len].iter().sum();
                assert_eq!(s, ONE, "{src}->{dst} at {x}");
            }
        }
        assert_eq!(fit_within(4000, 3000, 1280), (1280, 960));
        assert_eq!(fit_within(800, 600, 1280), (800, 600));
    }

    #[test]
    fn a_sharp_edge_stays_where_it_was() {
        // Left half black, right half white: after halving, the edge is still in the
        // middle, with at most one pixel of transition either side.
        let mut img = solid(400, 10, [0, 0, 0]);
        for y in 0..10 {
            for x in 200..400 {
                let i = (y * 400 + x) * 3;
                img.data[i..i + 3].copy_from_slice(&[255, 255, 255]);
            }
        }
        let out = resize(&img, 200, 5).expect("resize");
        let px = |x: usize| out.data[x * 3];
        assert!(px(97) < 10 && px(102) > 245, "{} {}", px(97), px(102));
        assert!(px(0) == 0 && px(199) == 255);
    }

    #[test]
    fn bad_sizes_are_errors_not_panics() {
        assert!(resize(&solid(10, 10, [1, 2, 3]), 0, 5).is_err());
        let broken = Rgb {
            width: 10,
            height: 10,
            data: vec![0; 7],
        };
        assert!(resize(&broken, 5, 5).is_err());
    }
}
