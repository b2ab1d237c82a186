//! BlurHash (blurha.sh): a ~30-character string the app paints as a soft colour
//! placeholder while the photo downloads. Computed from the thumbnail, which is plenty:
//! the hash keeps only a few cosine components.

use super::raster::Rgb;

const BASE83: &[u8; 83] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

/// The hash of `img` with `x` by `y` components (each 1..=9; 4x3 suits landscape
/// photos). Its length is `6 + 2 * (x * y - 1)`: size, scale, colour, then 2 per component.
pub fn encode(img: &Rgb, x: u32, y: u32) -> String {
    let (cx, cy) = (x.clamp(1, 9) as usize, y.clamp(1, 9) as usize);
    let (w, h) = (img.width as usize, img.height as usize);
    if w == 0 || h == 0 || img.data.len() < w * h * 3 {
        return String::new();
    }
    let lut: Vec<f32> = (0..=255u8).map(srgb_to_linear).collect();
    let cos_table = |n: usize, len: usize| -> Vec<Vec<f32>> {
        (0..n)
            .map(|i| {
                (0..len)
                    .map(|p| (std::f32::consts::PI * i as f32 * p as f32 / len as f32).cos())
                    .collect()
            })
            .collect()
    };
    let (cos_x, cos_y) = (cos_table(cx, w), cos_table(cy, h));

    // Separable: first each row against the horizontal cosines, then the rows against
    // the vertical ones; w*h*cx instead of w*h*cx*cy multiplications.
    let mut factors = vec![[0f32; 3]; cx * cy];
    let mut row_sums = vec![[0f32; 3]; cx];
    for (yy, row) in img.data.chunks_exact(w * 3).take(h).enumerate() {
        row_sums.iter_mut().for_each(|s| *s = [0.0; 3]);
        for (xx, p) in row.chunks_exact(3).enumerate() {
            let lin = [
                lut[usize::from(p[0])],
                lut[usize::from(p[1])],
                lut[usize::from(p[2])],
            ];
            for (i, s) in row_sums.iter_mut().enumerate() {
                let c = cos_x[i][xx];
                s[0] += c * lin[0];
                s[1] += c * lin[1];
                s[2] += c * lin[2];
            }
        }
        for j in 0..cy {
            let c = cos_y[j][yy];
            for i in 0..cx {
                let f = &mut factors[j * cx + i];
                f[0] += c * row_sums[i][0];
                f[1] += c * row_sums[i][1];
                f[2] += c * row_sums[i][2];
            }
        }
    }
    let scale = 1.0 / (w * h) as f32;
    for (k, f) in factors.iter_mut().enumerate() {
        let norm = if k == 0 { 1.0 } else { 2.0 };
        f.iter_mut().for_each(|v| *v *= norm * scale);
    }

    let mut hash = String::with_capacity(6 + 2 * (cx * cy - 1));
    push_base83(&mut hash, ((cx - 1) + (cy - 1) * 9) as u32, 1);
    let (dc, ac) = factors.split_at(1);
    let max = if ac.is_empty() {
        push_base83(&mut hash, 0, 1);
        1.0
    } else {
        let actual = ac.iter().flatten().fold(0f32, |m, v| m.max(v.abs()));
        let quantised = (actual * 166.0 - 0.5).floor().clamp(0.0, 82.0) as u32;
        push_base83(&mut hash, quantised, 1);
        (quantised + 1) as f32 / 166.0
    };
    let dc_value = (linear_to_srgb(dc[0][0]) << 16)
        | (linear_to_srgb(dc[0][1]) << 8)
        | linear_to_srgb(dc[0][2]);
    push_base83(&mut hash, dc_value, 4);
    for f in ac {
        let q = |v: f32| {
            (sign_pow(v / max, 0.5) * 9.0 + 9.5)
                .floor()
                .clamp(0.0, 18.0) as u32
        };
        push_base83(&mut hash, q(f[0]) * 19 * 19 + q(f[1]) * 19 + q(f[2]), 2);
    }
    hash
}

fn push_base83(out: &mut String, value: u32, digits: u32) {
    for i in 1..=digits {
        let digit = (value / 83u32.pow(digits - i)) % 83;
        out.push(char::from(BASE83[digit as usize]));
    }
}

fn srgb_to_linear(v: u8) -> f32 {
    let v = f32::from(v) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(v: f32) -> u32 {
    let v = v.clamp(0.0, 1.0);
    let s = if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    };
    (s * 255.0 + 0.5) as u32
}

fn sign_pow(v: f32, exp: f32) -> f32 {
    v.abs().powf(exp).copysign(v)
}

/// The reference decoder, to check our hashes in tests.
#[cfg(test)]
pub fn decode(hash: &str, width: u32, height: u32) -> Option<Rgb> {
    let digits: Vec<u32> = hash
        .bytes()
        .map(|b| BASE83.iter().position(|&c| c == b).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        digits
            .get(r)
            .map(|d| d.iter().fold(0, |acc, v| acc * 83 + v))
    };
    let size = num(0..1)?;
    let (cx, cy) = ((size % 9 + 1) as usize, (size / 9 + 1) as usize);
    if hash.len() != 6 + 2 * (cx * cy - 1) {
        return None;
    }
    let max = (num(1..2)? + 1) as f32 / 166.0;
    let dc = num(2..6)?;
    let mut colors = vec![[
        srgb_to_linear((dc >> 16) as u8),
        srgb_to_linear((dc >> 8 & 255) as u8),
        srgb_to_linear((dc & 255) as u8),
    ]];
    for k in 1..cx * cy {
        let v = num(4 + 2 * k..6 + 2 * k)?;
        let unq = |q: u32| sign_pow((q as f32 - 9.0) / 9.0, 2.0) * max;
        colors.push([unq(v / 361), unq(v / 19 % 19), unq(v % 19)]);
    }
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let mut px = [0f32; 3];
            for j in 0..cy {
                for i in 0..cx {
                    let basis = (std::f32::consts::PI * x as f32 * i as f32 / width as f32).cos()
                        * (std::f32::consts::PI * y as f32 * j as f32 / height as f32).cos();
                    let c = colors[j * cx + i];
                    px.iter_mut().zip(c).for_each(|(p, c)| *p += c * basis);
                }
            }
            data.extend(px.map(|v| linear_to_srgb(v) as u8));
        }
    }
    Some(Rgb {
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
    fn a_solid_colour_round_trips() {
        let hash = encode(&solid(32, 24, [200, 40, 90]), 4, 3);
        assert_eq!(hash.len(), 6 + 2 * 11);
        // The reference encoder's hash (Python `blurhash`) for the same picture.
        assert_eq!(hash, "L7M_Ai]VfQ]V||o2fQo2fQfQfQfQ");
        // Blurhash's cosines start at pixel edges, so even a flat picture has small
        // AC terms: the centre comes back exact, the corners (like the reference
        // decoder's) within ~10%.
        let back = decode(&hash, 32, 24).expect("decodes");
        assert_eq!(back.pixel(16, 12), [200, 40, 90]);
        assert_eq!(back.pixel(0, 0), [219, 44, 99]);
        // One component: size flag 0, scale 0, DC only (black).
        assert_eq!(encode(&solid(4, 4, [0, 0, 0]), 1, 1), "000000");
    }

    #[test]
    fn matches_the_reference_implementation() {
        // Hashes from the `blurhash` Python package (a port of woltapp's reference
        // encoder) for this 8x6 gradient.
        let (w, h) = (8u32, 6u32);
        let data = (0..h)
            .flat_map(|y| {
                (0..w).flat_map(move |x| {
                    [
                        ((x * 37 + y * 11) % 256) as u8,
                        ((x * 5 + y * 53) % 256) as u8,
                        ((x * 91 + y * 7 + 40) % 256) as u8,
                    ]
                })
            })
            .collect();
        let img = Rgb {
            width: w,
            height: h,
            data,
        };
        assert_eq!(encode(&img, 4, 3), "LmGS1QK562=svsNca]wOQFjEoHV}");
        assert_eq!(encode(&img, 1, 1), "00GS1Q");
    }

    #[test]
    fn keeps_colours_where_they_were() {
        // Left half red, right half blue.
        let mut img = solid(4, 2, [255, 0, 0]);
        for y in 0..2 {
            for x in 2..4 {
                let i = (y * 4 + x) * 3;
                img.data[i..i + 3].copy_from_slice(&[0, 0, 255]);
            }
        }
        let hash = encode(&img, 4, 3);
        let back = decode(&hash, 4, 2).expect("decodes");
        // Left stays red-dominant, right blue-dominant.
        assert!(back.pixel(0, 0)[0] > back.pixel(0, 0)[2]);
        assert!(back.pixel(3, 1)[2] > back.pixel(3, 1)[0]);
        assert_eq!(hash.len(), 28);
    }
}
