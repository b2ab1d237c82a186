//! EXIF orientation: how the camera says its stored pixels must be turned for display.
//! Phones store the sensor's rows as they come and record the turn; we apply it, since
//! the orientation tag is dropped with the rest of the metadata.

use super::raster::Rgb;

/// The 8 EXIF orientations, named for what has to be done to the stored picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Orientation {
    /// 1
    #[default]
    Normal,
    /// 2
    MirrorHorizontal,
    /// 3
    Rotate180,
    /// 4
    MirrorVertical,
    /// 5: mirror horizontally, then turn 90° anticlockwise (a transpose).
    Transpose,
    /// 6: turn 90° clockwise (a phone held upright, home button down).
    Rotate90,
    /// 7: mirror horizontally, then turn 90° clockwise.
    Transverse,
    /// 8: turn 90° anticlockwise.
    Rotate270,
}

impl Orientation {
    pub fn from_exif(value: u16) -> Option<Self> {
        Some(match value {
            1 => Orientation::Normal,
            2 => Orientation::MirrorHorizontal,
            3 => Orientation::Rotate180,
            4 => Orientation::MirrorVertical,
            5 => Orientation::Transpose,
            6 => Orientation::Rotate90,
            7 => Orientation::Transverse,
            8 => Orientation::Rotate270,
            _ => return None,
        })
    }

    pub fn exif_value(self) -> u16 {
        match self {
            Orientation::Normal => 1,
            Orientation::MirrorHorizontal => 2,
            Orientation::Rotate180 => 3,
            Orientation::MirrorVertical => 4,
            Orientation::Transpose => 5,
            Orientation::Rotate90 => 6,
            Orientation::Transverse => 7,
            Orientation::Rotate270 => 8,
        }
    }

    /// Whether width and height trade places on display.
    pub fn swaps_axes(self) -> bool {
        self.exif_value() >= 5
    }

    /// Display size of a stored `width` x `height` picture.
    pub fn display_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// The picture as it should be displayed. Done on the resized photo, not the
    /// camera's full frame: turning 1.2 megapixels is cheap, 12 is not.
    pub fn apply(self, src: Rgb) -> Rgb {
        if self == Orientation::Normal {
            return src;
        }
        let (sw, sh) = (src.width as usize, src.height as usize);
        let (dw, dh) = self.display_size(src.width, src.height);
        let (dw_us, dh_us) = (dw as usize, dh as usize);
        let mut data = vec![0u8; src.data.len()];
        // For each displayed pixel (x, y), the stored pixel it shows. Written from the
        // EXIF definition of where stored row 0 and column 0 end up.
        let source = |x: usize, y: usize| -> (usize, usize) {
            match self {
                Orientation::Normal => (x, y),
                Orientation::MirrorHorizontal => (sw - 1 - x, y),
                Orientation::Rotate180 => (sw - 1 - x, sh - 1 - y),
                Orientation::MirrorVertical => (x, sh - 1 - y),
                Orientation::Transpose => (y, x),
                Orientation::Rotate90 => (y, sh - 1 - x),
                Orientation::Transverse => (sw - 1 - y, sh - 1 - x),
                Orientation::Rotate270 => (sw - 1 - y, x),
            }
        };
        for y in 0..dh_us {
            let row = &mut data[y * dw_us * 3..(y + 1) * dw_us * 3];
            for (x, out) in row.chunks_exact_mut(3).enumerate() {
                let (sx, sy) = source(x, y);
                let i = (sy * sw + sx) * 3;
                out.copy_from_slice(&src.data[i..i + 3]);
            }
        }
        Rgb {
            width: dw,
            height: dh,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 picture whose pixels are numbered 0..6 in reading order.
    fn numbered() -> Rgb {
        Rgb {
            width: 3,
            height: 2,
            data: (0..6u8).flat_map(|v| [v, v, v]).collect(),
        }
    }

    fn values(img: &Rgb) -> Vec<u8> {
        img.data.chunks_exact(3).map(|p| p[0]).collect()
    }

    #[test]
    fn each_orientation_moves_pixels_as_exif_defines() {
        // Stored:  0 1 2
        //          3 4 5
        let cases: [(u16, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (v, size, want) in cases {
            let o = Orientation::from_exif(v).expect("valid");
            let out = o.apply(numbered());
            assert_eq!((out.width, out.height), size, "orientation {v}");
            assert_eq!(values(&out), want, "orientation {v}");
            assert_eq!(o.exif_value(), v);
        }
        assert_eq!(Orientation::from_exif(0), None);
        assert_eq!(Orientation::from_exif(9), None);
    }
}
