//! Helper of `bench/run photo` (not shipped):
//!
//!   photo_bench ssim REF.ppm IMG.ppm   mean SSIM of IMG against REF (luma, 11x11 Gaussian)
//!   photo_bench time IN.jpg N          median in-process ms of `prepare_photo` over N runs
//!   photo_bench prepare IN.jpg DIR     what `pasar photo` does (read, prepare, write
//!                                      DIR/photo.jpg and DIR/thumb.jpg), timed as a process
//!
//! Pictures come in as binary PPM (P6), which ImageMagick writes from anything: the same
//! neutral decoder reads Pasar's and libvips' output, so neither is judged by its own.

use std::time::Instant;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["ssim", reference, image] => {
            let (a, b) = (read_ppm(reference)?, read_ppm(image)?);
            println!("{:.5}", ssim(&a, &b)?);
            Ok(())
        }
        ["time", input, runs] => {
            let bytes = std::fs::read(input).map_err(|e| e.to_string())?;
            let runs: usize = runs.parse().map_err(|_| "N must be a number")?;
            let mut ms = Vec::new();
            for _ in 0..runs.max(1) {
                let t = Instant::now();
                pasar_core::media::prepare_photo(&bytes).map_err(|e| e.to_string())?;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            ms.sort_by(f64::total_cmp);
            println!("{:.1}", ms[ms.len() / 2]);
            Ok(())
        }
        ["prepare", input, dir, rest @ ..] => {
            let bytes = std::fs::read(input).map_err(|e| e.to_string())?;
            // An optional quality, to explore the size/SSIM trade-off by hand.
            let mut opts = pasar_core::media::PhotoOptions::default();
            if let Some(q) = rest.first() {
                opts.quality = q.parse().map_err(|_| "quality must be a number")?;
                opts.photo_max_bytes = usize::MAX;
            }
            let p =
                pasar_core::media::prepare_photo_with(&bytes, &opts).map_err(|e| e.to_string())?;
            let dir = std::path::Path::new(dir);
            std::fs::write(dir.join("photo.jpg"), &p.photo).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("thumb.jpg"), &p.thumbnail).map_err(|e| e.to_string())?;
            Ok(())
        }
        _ => Err("usage: photo_bench ssim REF.ppm IMG.ppm | time IN N | prepare IN DIR".into()),
    }
}

struct Gray {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

/// A P6 PPM (8-bit) as BT.601 luma.
fn read_ppm(path: &str) -> Result<Gray, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while i < data.len() && data[i].is_ascii_whitespace() {
            i += 1;
        }
        if data.get(i) == Some(&b'#') {
            while i < data.len() && data[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < data.len() && !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    let num = |s: &str| {
        s.parse::<usize>()
            .map_err(|_| format!("{path}: bad PPM header"))
    };
    if fields[0] != "P6" || num(&fields[3])? != 255 {
        return Err(format!("{path}: not an 8-bit P6 PPM"));
    }
    let (w, h) = (num(&fields[1])?, num(&fields[2])?);
    let pixels = data
        .get(i + 1..i + 1 + w * h * 3)
        .ok_or_else(|| format!("{path}: truncated"))?;
    let px = pixels
        .chunks_exact(3)
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect();
    Ok(Gray { w, h, px })
}

/// Mean SSIM (Wang et al. 2004): 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03.
fn ssim(a: &Gray, b: &Gray) -> Result<f64, String> {
    if (a.w, a.h) != (b.w, b.h) {
        return Err(format!("sizes differ: {}x{} vs {}x{}", a.w, a.h, b.w, b.h));
    }
    let kernel: Vec<f32> = {
        let k: Vec<f32> = (-5..=5i32)
            .map(|x| (-(x * x) as f32 / (2.0 * 1.5 * 1.5)).exp())
            .collect();
        let sum: f32 = k.iter().sum();
        k.iter().map(|v| v / sum).collect()
    };
    let blur = |src: &[f32]| -> Vec<f32> {
        let (w, h) = (a.w, a.h);
        let mut tmp = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for (k, kv) in kernel.iter().enumerate() {
                    let xx = (x + k).saturating_sub(5).min(w - 1);
                    s += kv * src[y * w + xx];
                }
                tmp[y * w + x] = s;
            }
        }
        let mut out = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for (k, kv) in kernel.iter().enumerate() {
                    let yy = (y + k).saturating_sub(5).min(h - 1);
                    s += kv * tmp[yy * w + x];
                }
                out[y * w + x] = s;
            }
        }
        out
    };
    let prod = |p: &[f32], q: &[f32]| -> Vec<f32> { p.iter().zip(q).map(|(x, y)| x * y).collect() };
    let (mu_a, mu_b) = (blur(&a.px), blur(&b.px));
    let (aa, bb, ab) = (
        blur(&prod(&a.px, &a.px)),
        blur(&prod(&b.px, &b.px)),
        blur(&prod(&a.px, &b.px)),
    );
    let (c1, c2) = ((0.01f32 * 255.0).powi(2), (0.03f32 * 255.0).powi(2));
    let mut total = 0f64;
    for i in 0..a.px.len() {
        let (ma, mb) = (mu_a[i], mu_b[i]);
        let (va, vb, cov) = (aa[i] - ma * ma, bb[i] - mb * mb, ab[i] - ma * mb);
        let s =
            ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        total += f64::from(s);
    }
    Ok(total / a.px.len() as f64)
}
