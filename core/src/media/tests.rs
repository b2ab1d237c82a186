//! The photo pipeline end to end, on pictures generated here (no fixtures but one
//! 114-byte lossy WebP, since we have no lossy WebP encoder).

use super::exif::tests::exif_block;
use super::raster::Rgb;
use super::*;
use proptest::prelude::*;

const RED: [u8; 3] = [220, 30, 30];
const GREEN: [u8; 3] = [30, 200, 40];
const GREY: [u8; 3] = [128, 128, 128];

pub(crate) fn solid(width: u32, height: u32, rgb: [u8; 3]) -> Rgb {
    Rgb {
        width,
        height,
        data: rgb.repeat((width * height) as usize),
    }
}

/// Paints a `side` x `side` square with its top-left corner at (x, y).
fn square(img: &mut Rgb, x: u32, y: u32, side: u32, rgb: [u8; 3]) {
    for yy in y..y + side {
        for xx in x..x + side {
            let i = ((yy * img.width + xx) * 3) as usize;
            img.data[i..i + 3].copy_from_slice(&rgb);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

fn corner_origin(img: &Rgb, corner: Corner, side: u32) -> (u32, u32) {
    let (r, b) = (img.width - side, img.height - side);
    match corner {
        Corner::TopLeft => (0, 0),
        Corner::TopRight => (r, 0),
        Corner::BottomLeft => (0, b),
        Corner::BottomRight => (r, b),
    }
}

/// The average colour of a `side` x `side` square inside `corner`, a little inset.
fn corner_colour(img: &Rgb, corner: Corner, side: u32) -> [u8; 3] {
    let (x0, y0) = corner_origin(img, corner, side);
    let inset = side / 4;
    let mut sum = [0u32; 3];
    let mut n = 0;
    for y in y0 + inset..y0 + side - inset {
        for x in x0 + inset..x0 + side - inset {
            let p = img.pixel(x, y);
            (0..3).for_each(|c| sum[c] += u32::from(p[c]));
            n += 1;
        }
    }
    sum.map(|s| (s / n) as u8)
}

fn close(got: [u8; 3], want: [u8; 3]) -> bool {
    got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 40)
}

/// A JPEG the way a phone writes one: EXIF (orientation + GPS) in APP1, plus XMP with
/// a GPS position, an ICC profile and a comment, so stripping has something to strip.
pub(crate) fn phone_jpeg(img: &Rgb, orientation: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 95);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    enc.add_exif_metadata(&exif_block(orientation, orientation.is_multiple_of(2)))
        .expect("exif");
    enc.add_app_segment(1, xmp_packet()).expect("xmp");
    enc.add_icc_profile(b"fake icc profile: Display P3, made by Xiaomi")
        .expect("icc");
    enc.encode(
        &img.data,
        img.width as u16,
        img.height as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .expect("encode");
    // A COM segment right after SOI, as some camera apps add.
    let comment = b"GPS -6.2088,106.8456 rumah Ibu Sari";
    let mut com = vec![0xFF, 0xFE];
    com.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    com.extend_from_slice(comment);
    out.splice(2..2, com);
    out
}

fn xmp_packet() -> Vec<u8> {
    let mut v = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    v.extend_from_slice(
        b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description \
          exif:GPSLatitude='6,12.528S' exif:GPSLongitude='106,50.736E'/></rdf:RDF></x:xmpmeta>",
    );
    v
}

fn png_bytes(
    width: u32,
    height: u32,
    color: png::ColorType,
    data: &[u8],
    exif: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("header");
        if let Some(exif) = exif {
            w.write_chunk(png::chunk::ChunkType(*b"eXIf"), exif)
                .expect("exif");
        }
        w.write_chunk(
            png::chunk::ChunkType(*b"tEXt"),
            b"Comment\0GPS -6.2088 106.8456",
        )
        .expect("text");
        w.write_image_data(data).expect("data");
    }
    out
}

fn webp_lossless(img: &Rgb, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = image_webp::WebPEncoder::new(&mut out);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif);
    }
    enc.set_xmp_metadata(xmp_packet());
    enc.encode(
        &img.data,
        img.width,
        img.height,
        image_webp::ColorType::Rgb8,
    )
    .expect("webp");
    out
}

/// Decodes our output JPEG (no shrink) for checks.
fn decode_jpeg(bytes: &[u8]) -> Rgb {
    let mut d = jpeg_decoder::Decoder::new(bytes);
    let data = d.decode().expect("our output decodes");
    let info = d.info().expect("info");
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    Rgb {
        width: u32::from(info.width),
        height: u32::from(info.height),
        data,
    }
}

/// A picture `display` as it should look, and the stored picture a camera with the
/// given orientation would write for it: red marks the displayed top-left corner,
/// green the displayed top-right. The stored corners come from the EXIF definitions
/// (where stored row 0 and column 0 are shown), not from the code under test.
fn stored_for(orientation: u16, display_w: u32, display_h: u32, side: u32) -> Rgb {
    use Corner::*;
    let (red, green) = match orientation {
        1 => (TopLeft, TopRight),
        2 => (TopRight, TopLeft),
        3 => (BottomRight, BottomLeft),
        4 => (BottomLeft, BottomRight),
        5 => (TopLeft, BottomLeft),
        6 => (BottomLeft, TopLeft),
        7 => (BottomRight, TopRight),
        8 => (TopRight, BottomRight),
        _ => unreachable!(),
    };
    let (w, h) = if orientation >= 5 {
        (display_h, display_w)
    } else {
        (display_w, display_h)
    };
    let mut img = solid(w, h, GREY);
    let (x, y) = corner_origin(&img, red, side);
    square(&mut img, x, y, side, RED);
    let (x, y) = corner_origin(&img, green, side);
    square(&mut img, x, y, side, GREEN);
    img
}

fn assert_upright(photo: &Rgb, side: u32, what: &str) {
    assert!(
        close(corner_colour(photo, Corner::TopLeft, side), RED),
        "{what}: top-left"
    );
    assert!(
        close(corner_colour(photo, Corner::TopRight, side), GREEN),
        "{what}: top-right"
    );
    assert!(
        close(corner_colour(photo, Corner::BottomLeft, side), GREY),
        "{what}: bottom-left"
    );
    assert!(
        close(corner_colour(photo, Corner::BottomRight, side), GREY),
        "{what}: bottom-right"
    );
}

#[test]
fn every_exif_orientation_ends_up_upright() {
    for v in 1..=8 {
        let jpeg = phone_jpeg(&stored_for(v, 96, 64, 16), v);
        let p = prepare_photo(&jpeg).expect("prepares");
        assert_eq!(p.source_orientation.exif_value(), v);
        assert_eq!((p.width, p.height), (96, 64), "orientation {v}");
        assert_upright(&decode_jpeg(&p.photo), 16, &format!("orientation {v}"));
        // The thumbnail is made from the turned photo: 96 px is under 320, kept.
        assert_eq!((p.thumb_width, p.thumb_height), (96, 64));
        assert_upright(&decode_jpeg(&p.thumbnail), 16, &format!("thumb {v}"));
    }
}

#[test]
fn a_large_turned_photo_shrinks_on_load_and_stays_upright() {
    // 2600 px: decoded at 1/2 (1300 px), then resized to 1280.
    for v in [6, 3] {
        let jpeg = phone_jpeg(&stored_for(v, 2600, 1950, 400), v);
        let p = prepare_photo(&jpeg).expect("prepares");
        assert_eq!(
            (p.source_width, p.source_height),
            if v == 6 { (1950, 2600) } else { (2600, 1950) }
        );
        assert_eq!((p.width, p.height), (1280, 960), "orientation {v}");
        assert_upright(&decode_jpeg(&p.photo), 190, &format!("orientation {v}"));
        assert_eq!((p.thumb_width, p.thumb_height), (320, 240));
        assert_upright(&decode_jpeg(&p.thumbnail), 46, &format!("thumb {v}"));
    }
}

#[test]
fn sizes_fit_the_long_side_and_small_photos_are_not_upscaled() {
    let cases = [
        ((2000, 700), (1280, 448), (320, 112)),
        ((700, 2000), (448, 1280), (112, 320)),
        ((1280, 720), (1280, 720), (320, 180)),
        ((640, 480), (640, 480), (320, 240)),
        ((200, 150), (200, 150), (200, 150)),
        ((1, 1), (1, 1), (1, 1)),
        ((5000, 2), (1280, 1), (320, 1)),
    ];
    for ((w, h), photo, thumb) in cases {
        let png = png_bytes(w, h, png::ColorType::Rgb, &solid(w, h, GREY).data, None);
        let p = prepare_photo(&png).expect("prepares");
        assert_eq!((p.width, p.height), photo, "{w}x{h}");
        assert_eq!((p.thumb_width, p.thumb_height), thumb, "{w}x{h}");
        let back = decode_jpeg(&p.photo);
        assert_eq!((back.width, back.height), photo);
        let back = decode_jpeg(&p.thumbnail);
        assert_eq!((back.width, back.height), thumb);
    }
}

/// The marker segments before the picture data of a JPEG, in order.
fn header_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "segment at {i}");
        let marker = jpeg[i + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        i += 2 + len;
    }
    markers
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn assert_no_metadata(jpeg: &[u8], what: &str) {
    for needle in [
        &b"Exif\0\0"[..],
        b"GPS",
        b"xmp",
        b"adobe",
        b"ICC_PROFILE",
        b"Ibu Sari",
        b"II*\0",
        b"MM\0*",
    ] {
        assert!(
            !contains(&jpeg.to_ascii_lowercase(), &needle.to_ascii_lowercase()),
            "{what}: {:?} survived",
            String::from_utf8_lossy(needle)
        );
    }
    // Only the JFIF header, tables, frame and scan: no APP1 (EXIF/XMP), APP2 (ICC),
    // APPn of any kind but APP0, no COM.
    let markers = header_markers(jpeg);
    for m in &markers {
        assert!(
            matches!(m, 0xE0 | 0xDB | 0xC0 | 0xC2 | 0xC4 | 0xDD | 0xDA),
            "{what}: unexpected marker FF{m:02X} in {markers:02X?}"
        );
    }
    assert_eq!(&jpeg[6..11], b"JFIF\0", "{what}: APP0 is JFIF");
    // And a decoder finds nothing either.
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    d.read_info().expect("parses");
    assert!(d.exif_data().is_none(), "{what}: exif");
    assert!(d.xmp_data().is_none(), "{what}: xmp");
    assert!(d.icc_profile().is_none(), "{what}: icc");
}

#[test]
fn no_metadata_survives() {
    let mut img = solid(300, 200, GREY);
    square(&mut img, 0, 0, 50, RED);
    let jpeg = phone_jpeg(&img, 6);
    // The input really carries what we claim to strip.
    assert!(contains(&jpeg, b"Exif\0\0") && contains(&jpeg, b"GPS"));
    assert!(contains(&jpeg, b"ICC_PROFILE") && contains(&jpeg, b"Ibu Sari"));
    let p = prepare_photo(&jpeg).expect("prepares");
    assert_no_metadata(&p.photo, "jpeg photo");
    assert_no_metadata(&p.thumbnail, "jpeg thumbnail");

    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_block(1, false));
    let png = png_bytes(
        300,
        200,
        png::ColorType::Rgb,
        &img.data,
        Some(&exif_block(1, true)),
    );
    assert!(contains(&png, b"eXIf"));
    let p = prepare_photo(&png).expect("prepares");
    assert_no_metadata(&p.photo, "png photo");
    assert_no_metadata(&p.thumbnail, "png thumbnail");

    let webp = webp_lossless(&img, Some(exif_block(1, false)));
    assert!(contains(&webp, b"EXIF") && contains(&webp, b"XMP "));
    let p = prepare_photo(&webp).expect("prepares");
    assert_no_metadata(&p.photo, "webp photo");
    assert_no_metadata(&p.thumbnail, "webp thumbnail");
}

#[test]
fn png_inputs_in_every_colour_type_work() {
    let (w, h) = (40u32, 30u32);
    let mut rgb = solid(w, h, GREY);
    square(&mut rgb, 0, 0, 10, RED);
    let n = (w * h) as usize;

    // RGBA: a transparent background lands on white, the opaque square keeps its colour.
    let rgba: Vec<u8> = rgb
        .data
        .chunks_exact(3)
        .flat_map(|p| {
            let opaque = p == RED;
            [p[0], p[1], p[2], if opaque { 255 } else { 0 }]
        })
        .collect();
    let p = prepare_photo(&png_bytes(w, h, png::ColorType::Rgba, &rgba, None)).expect("rgba");
    let out = decode_jpeg(&p.photo);
    assert!(close(out.pixel(5, 5), RED));
    assert!(
        close(out.pixel(30, 20), [255, 255, 255]),
        "{:?}",
        out.pixel(30, 20)
    );

    let grey = vec![77u8; n];
    let p = prepare_photo(&png_bytes(w, h, png::ColorType::Grayscale, &grey, None)).expect("grey");
    assert!(close(decode_jpeg(&p.photo).pixel(20, 15), [77, 77, 77]));

    let grey_alpha: Vec<u8> = (0..n).flat_map(|_| [0u8, 255]).collect();
    let p = prepare_photo(&png_bytes(
        w,
        h,
        png::ColorType::GrayscaleAlpha,
        &grey_alpha,
        None,
    ))
    .expect("grey alpha");
    assert!(close(decode_jpeg(&p.photo).pixel(20, 15), [0, 0, 0]));

    // A palette PNG with an orientation in eXIf: turned like a JPEG.
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 4, 2);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_palette(vec![0, 0, 0, 255, 255, 255]);
        let mut wr = enc.write_header().expect("header");
        wr.write_chunk(png::chunk::ChunkType(*b"eXIf"), &exif_block(6, false))
            .expect("exif");
        wr.write_image_data(&[0, 1, 1, 1, 1, 1, 1, 1])
            .expect("data");
    }
    let p = prepare_photo(&out).expect("palette");
    assert_eq!(p.source_format, Format::Png);
    assert_eq!((p.width, p.height), (2, 4));
    // Stored top-left black, turned 90° clockwise: now top-right.
    let back = decode_jpeg(&p.photo);
    assert!(
        back.pixel(1, 0)[1] + 60 < back.pixel(0, 0)[1],
        "{:?}",
        back.data
    );

    // 16-bit RGB.
    let rgb16: Vec<u8> = rgb.data.iter().flat_map(|&v| [v, 0]).collect();
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Sixteen);
        enc.write_header()
            .expect("header")
            .write_image_data(&rgb16)
            .expect("data");
    }
    let p = prepare_photo(&out).expect("16-bit");
    assert!(close(decode_jpeg(&p.photo).pixel(5, 5), RED));
}

#[test]
fn cmyk_and_grey_jpegs_work() {
    // Cyan ink on the left half, none on the right, as Adobe's (inverted) CMYK.
    let (w, h) = (32u16, 16u16);
    let cmyk: Vec<u8> = (0..h)
        .flat_map(|_| (0..w).flat_map(|x| if x < 16 { [255, 0, 0, 0] } else { [0; 4] }))
        .collect();
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 95)
        .encode(&cmyk, w, h, jpeg_encoder::ColorType::Cmyk)
        .expect("cmyk");
    let out = decode_jpeg(&prepare_photo(&jpeg).expect("cmyk").photo);
    assert!(
        close(out.pixel(4, 8), [0, 255, 255]),
        "{:?}",
        out.pixel(4, 8)
    );
    assert!(
        close(out.pixel(28, 8), [255, 255, 255]),
        "{:?}",
        out.pixel(28, 8)
    );

    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 95)
        .encode(&[90u8; 64], 8, 8, jpeg_encoder::ColorType::Luma)
        .expect("grey");
    let out = decode_jpeg(&prepare_photo(&jpeg).expect("grey").photo);
    assert!(close(out.pixel(4, 4), [90, 90, 90]));
}

/// `cwebp -q 90` of a 32x24 white picture with a red square top-left (0..8),
/// a green one top-right (24..32) and a blue band along the bottom (rows 16..24).
const LOSSY_WEBP: [u8; 114] = [
    0x52, 0x49, 0x46, 0x46, 0x6a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20,
    0x5e, 0x00, 0x00, 0x00, 0x70, 0x04, 0x00, 0x9d, 0x01, 0x2a, 0x20, 0x00, 0x18, 0x00, 0x3e, 0x2d,
    0x12, 0x87, 0x42, 0xa1, 0xa1, 0x0d, 0xfa, 0x00, 0x0c, 0x01, 0x62, 0x5a, 0x00, 0x2f, 0xdc, 0x50,
    0x5f, 0x80, 0x7e, 0x00, 0x69, 0x80, 0xfc, 0x00, 0x01, 0x8e, 0xa3, 0x28, 0x0f, 0x9e, 0x82, 0x14,
    0x00, 0xfe, 0xfc, 0x69, 0x0f, 0xff, 0xe0, 0x67, 0xff, 0xfe, 0x04, 0xe7, 0xff, 0xfe, 0x02, 0xcd,
    0x98, 0xca, 0x32, 0x7c, 0x33, 0x0e, 0xaf, 0x06, 0x00, 0x34, 0x7f, 0xf1, 0x32, 0xe7, 0xe9, 0xf7,
    0x1e, 0x5f, 0xb8, 0xf2, 0xff, 0xdc, 0xf6, 0x85, 0xfc, 0x30, 0xfe, 0x18, 0x7f, 0x48, 0x4f, 0x79,
    0x00, 0x00,
];

#[test]
fn webp_inputs_work() {
    let p = prepare_photo(&LOSSY_WEBP).expect("lossy webp");
    assert_eq!(p.source_format, Format::WebP);
    assert_eq!((p.width, p.height), (32, 24));
    let out = decode_jpeg(&p.photo);
    assert!(close(out.pixel(3, 3), [255, 0, 0]), "{:?}", out.pixel(3, 3));
    assert!(
        close(out.pixel(28, 3), [0, 192, 0]),
        "{:?}",
        out.pixel(28, 3)
    );
    assert!(
        close(out.pixel(16, 20), [32, 64, 255]),
        "{:?}",
        out.pixel(16, 20)
    );
    assert!(
        close(out.pixel(16, 8), [255, 255, 255]),
        "{:?}",
        out.pixel(16, 8)
    );

    // Lossless, turned by its EXIF chunk (orientation 8: 90° anticlockwise).
    let stored = stored_for(8, 96, 64, 16);
    let webp = webp_lossless(&stored, Some(exif_block(8, false)));
    let p = prepare_photo(&webp).expect("lossless webp");
    assert_eq!((p.width, p.height), (96, 64));
    assert_upright(&decode_jpeg(&p.photo), 16, "webp orientation 8");
}

fn small_jpeg() -> Vec<u8> {
    let mut img = solid(64, 48, GREY);
    square(&mut img, 0, 0, 16, RED);
    phone_jpeg(&img, 1)
}

#[test]
fn damaged_and_foreign_inputs_get_typed_errors() {
    assert_eq!(prepare_photo(b""), Err(PhotoError::Empty));

    let jpeg = small_jpeg();
    for cut in [3, 20, jpeg.len() / 2, jpeg.len() - 40] {
        match prepare_photo(&jpeg[..cut]) {
            Err(PhotoError::Corrupt {
                format: Format::Jpeg,
                ..
            }) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let png = png_bytes(40, 30, png::ColorType::Rgb, &solid(40, 30, GREY).data, None);
    assert!(matches!(
        prepare_photo(&png[..png.len() - 30]),
        Err(PhotoError::Corrupt {
            format: Format::Png,
            ..
        })
    ));
    assert!(matches!(
        prepare_photo(&LOSSY_WEBP[..60]),
        Err(PhotoError::Corrupt {
            format: Format::WebP,
            ..
        })
    ));

    // Random bytes (a fixed LCG, so the test is repeatable).
    let mut x = 0x1234_5678u32;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    assert_eq!(
        prepare_photo(&noise),
        Err(PhotoError::Unsupported { detected: None })
    );
    assert_eq!(
        prepare_photo(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
        Err(PhotoError::Unsupported {
            detected: Some("heic")
        })
    );
}

/// A PNG header declaring `width` x `height`, with no picture data at all.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgba);
    drop(enc.write_header().expect("header"));
    out
}

/// A valid small JPEG whose frame header now claims `width` x `height`.
fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = small_jpeg();
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// A lossless WebP header declaring `width` x `height` (both under 16384).
fn webp_declaring(width: u32, height: u32) -> Vec<u8> {
    let bits = (width - 1) | ((height - 1) << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&[0; 16]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((4 + 8 + vp8l.len()) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBPVP8L");
    out.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    out.extend_from_slice(&vp8l);
    out
}

/// An extended (VP8X) WebP header whose canvas is `width` x `height` (up to 2^24).
fn webp_extended_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut vp8x = vec![0u8; 4];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((4 + 8 + vp8x.len()) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBPVP8X");
    out.extend_from_slice(&(vp8x.len() as u32).to_le_bytes());
    out.extend_from_slice(&vp8x);
    out
}

fn refuse_bombs() {
    assert_eq!(
        prepare_photo(&png_declaring(100_000, 100_000)),
        Err(PhotoError::TooManyPixels {
            width: 100_000,
            height: 100_000
        })
    );
    // Few pixels, but a side longer than any decoder buffer we allow.
    assert_eq!(
        prepare_photo(&png_declaring(20_000, 2)),
        Err(PhotoError::TooManyPixels {
            width: 20_000,
            height: 2
        })
    );
    assert_eq!(
        prepare_photo(&jpeg_declaring(65_000, 65_000)),
        Err(PhotoError::TooManyPixels {
            width: 65_000,
            height: 65_000
        })
    );
    // 60 MP within the side limit: over the pixel limit.
    assert_eq!(
        prepare_photo(&jpeg_declaring(10_000, 6_000)),
        Err(PhotoError::TooManyPixels {
            width: 10_000,
            height: 6_000
        })
    );
    assert_eq!(
        prepare_photo(&webp_declaring(16_000, 16_000)),
        Err(PhotoError::TooManyPixels {
            width: 16_000,
            height: 16_000
        })
    );
    assert_eq!(
        prepare_photo(&webp_extended_declaring(100_000, 100_000)),
        Err(PhotoError::TooManyPixels {
            width: 100_000,
            height: 100_000
        })
    );
    // 24 MP, within limits, but with the picture data of a 64x48 one. The decoder
    // reads what there is (like libjpeg, it fills a scan that ends early) at 1/4
    // scale: what matters here is that it stays within the memory cap.
    match prepare_photo(&jpeg_declaring(6_000, 4_000)) {
        Ok(p) => assert_eq!((p.width, p.height), (1280, 853)),
        Err(PhotoError::Corrupt { .. }) => {}
        other => panic!("{other:?}"),
    }
}

/// The bombs are refused from their headers: run in a child process whose address
/// space is capped at 1 GiB, so allocating a bomb's gigabytes would abort the child
/// and fail this test. (`ulimit -v` is Linux's; elsewhere the bombs run uncapped.)
#[test]
fn bombs_are_refused_without_allocating_gigabytes() {
    if !cfg!(target_os = "linux") {
        refuse_bombs();
        return;
    }
    const CHILD: &str = "PASAR_MEDIA_BOMB_CHILD";
    if std::env::var_os(CHILD).is_some() {
        refuse_bombs();
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(exe)
        .args([
            "--exact",
            "media::tests::bombs_are_refused_without_allocating_gigabytes",
            "--test-threads=1",
            "--quiet",
        ])
        .env(CHILD, "1")
        .status()
        .expect("spawn the capped child");
    assert!(status.success(), "child under a 1 GiB cap: {status}");
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = vec![0u8; 40 * 1024 * 1024 + 1];
    assert_eq!(
        prepare_photo(&big),
        Err(PhotoError::TooLarge {
            bytes: big.len(),
            max: 40 * 1024 * 1024
        })
    );
    let opts = PhotoOptions {
        max_input_bytes: 100,
        ..PhotoOptions::default()
    };
    assert!(matches!(
        prepare_photo_with(&small_jpeg(), &opts),
        Err(PhotoError::TooLarge { max: 100, .. })
    ));
}

#[test]
fn the_hash_is_stable_and_is_the_sha256_of_the_photo() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let jpeg = small_jpeg();
    let a = prepare_photo(&jpeg).expect("prepares");
    let b = prepare_photo(&jpeg).expect("prepares");
    assert_eq!(a, b);
    assert_eq!(a.content_hash, sha256_hex(&a.photo));
    assert_eq!(a.content_hash.len(), 64);
    assert!(
        a.content_hash
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(a.photo_mime, "image/jpeg");
    assert_eq!(a.thumbnail_mime, "image/jpeg");
}

#[test]
fn the_blurhash_has_its_length_and_decodes_to_the_photo_colours() {
    let mut img = solid(120, 90, [40, 90, 200]);
    square(&mut img, 0, 0, 60, [230, 200, 20]);
    let p = prepare_photo(&phone_jpeg(&img, 1)).expect("prepares");
    assert_eq!(p.blurhash.len(), 6 + 2 * (4 * 3 - 1));
    let back = blurhash::decode(&p.blurhash, 40, 30).expect("valid blurhash");
    // Yellow-ish top-left, blue-ish bottom-right.
    let tl = back.pixel(3, 3);
    let br = back.pixel(36, 26);
    assert!(tl[0] > 150 && tl[2] < 120, "{tl:?}");
    assert!(br[2] > 150 && br[0] < 100, "{br:?}");
}

#[test]
fn the_budget_lowers_quality_but_never_below_the_floor() {
    // Noise compresses badly: at 80 it's far over a 20 KB budget.
    let (w, h) = (600u32, 400u32);
    let mut x = 99u32;
    let data: Vec<u8> = (0..w * h * 3)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    let png = png_bytes(w, h, png::ColorType::Rgb, &data, None);
    let free = prepare_photo_with(
        &png,
        &PhotoOptions {
            photo_max_bytes: usize::MAX,
            ..PhotoOptions::default()
        },
    )
    .expect("prepares");
    assert_eq!(free.quality, 80);
    let tight = prepare_photo_with(
        &png,
        &PhotoOptions {
            photo_max_bytes: free.photo.len() * 3 / 4,
            ..PhotoOptions::default()
        },
    )
    .expect("prepares");
    assert!(
        tight.quality < 80 && tight.quality >= 60,
        "{}",
        tight.quality
    );
    assert!(tight.photo.len() <= free.photo.len() * 3 / 4);
    let floor = prepare_photo_with(
        &png,
        &PhotoOptions {
            photo_max_bytes: 1000,
            ..PhotoOptions::default()
        },
    )
    .expect("a photo over budget is still a photo");
    assert_eq!(floor.quality, 60);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = prepare_photo(&bytes);
    }

    #[test]
    fn damaged_real_files_never_panic(
        which in 0usize..3,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = match which {
            0 => small_jpeg(),
            1 => png_bytes(40, 30, png::ColorType::Rgb, &solid(40, 30, GREY).data, None),
            _ => LOSSY_WEBP.to_vec(),
        };
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(1));
        if let Ok(p) = prepare_photo(&bytes) {
            prop_assert!(p.width.max(p.height) <= 1280);
            prop_assert_eq!(p.content_hash, sha256_hex(&p.photo));
        }
    }
}
