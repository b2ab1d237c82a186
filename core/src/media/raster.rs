//! An 8-bit RGB picture in memory: what the pipeline's stages hand each other.

/// Tightly packed RGB rows, top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgb {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Rgb {
    /// Bytes needed for a `width` x `height` RGB picture, if that fits in memory at all.
    pub fn byte_len(width: u32, height: u32) -> Option<usize> {
        usize::try_from(width)
            .ok()?
            .checked_mul(usize::try_from(height).ok()?)?
            .checked_mul(3)
    }

    /// The pixel at (`x`, `y`); for tests and small loops, not hot paths.
    #[cfg(test)]
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }
}

/// Grey to RGB.
pub fn from_luma(luma: &[u8]) -> Vec<u8> {
    luma.iter().flat_map(|&l| [l, l, l]).collect()
}

/// Grey + alpha to RGB, composited over white.
pub fn from_luma_alpha(la: &[u8]) -> Vec<u8> {
    la.chunks_exact(2)
        .flat_map(|p| {
            let l = over_white(p[0], p[1]);
            [l, l, l]
        })
        .collect()
}

/// RGBA to RGB, composited over white: a transparent product cut-out lands on the white
/// background listings use, instead of black.
pub fn from_rgba(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| {
            [
                over_white(p[0], p[3]),
                over_white(p[1], p[3]),
                over_white(p[2], p[3]),
            ]
        })
        .collect()
}

/// CMYK to RGB. `jpeg-decoder` has already undone the inversion Adobe's CMYK JPEGs
/// store, so 255 here means full ink. No ICC profile is applied (print CMYK photos
/// don't come from phone cameras); the colours are close, not exact.
pub fn from_cmyk(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let white = 255 - u32::from(p[3]);
            let ch = |c: u8| (((255 - u32::from(c)) * white + 127) / 255) as u8;
            [ch(p[0]), ch(p[1]), ch(p[2])]
        })
        .collect()
}

fn over_white(c: u8, a: u8) -> u8 {
    let (c, a) = (u32::from(c), u32::from(a));
    ((c * a + 255 * (255 - a) + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_lands_on_white() {
        assert_eq!(from_rgba(&[10, 20, 30, 0]), vec![255, 255, 255]);
        assert_eq!(from_rgba(&[10, 20, 30, 255]), vec![10, 20, 30]);
        assert_eq!(from_luma_alpha(&[0, 128]), vec![127, 127, 127]);
        assert_eq!(from_cmyk(&[0, 0, 0, 0]), vec![255, 255, 255]);
        assert_eq!(from_cmyk(&[255, 0, 0, 0]), vec![0, 255, 255]);
        assert_eq!(from_cmyk(&[0, 0, 0, 255]), vec![0, 0, 0]);
        assert_eq!(Rgb::byte_len(4, 2), Some(24));
    }
}
