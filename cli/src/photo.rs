//! `pasar photo IN --out DIR`: the listing photo pipeline on a file, for checking what
//! the apps will upload and for benchmarks. Writes `<hash>.jpg` and `<hash>.thumb.jpg`
//! into DIR and prints a JSON summary on stdout.

use pasar_core::media::{self, PhotoError, PreparedPhoto};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

const USAGE: &str = "usage: pasar photo IN --out DIR";

/// Usage mistakes come back as `Err` (exit 2, like every command); a photo that can't
/// be read or written is reported here and exits 1.
pub fn run(args: &[String]) -> Result<(), String> {
    let (input, rest) = match args.split_first() {
        Some((first, rest)) if !first.starts_with("--") => (PathBuf::from(first), rest),
        _ => return Err(USAGE.into()),
    };
    let mut out = None;
    for (flag, value) in crate::parse_flags(rest, &["--out"])? {
        if flag == "--out" {
            out = Some(PathBuf::from(value));
        }
    }
    let out = out.ok_or_else(|| format!("missing --out DIR\n{USAGE}"))?;
    match prepare(&input, &out) {
        Ok(summary) => {
            println!("{summary}");
            Ok(())
        }
        Err(message) => {
            eprintln!("pasar photo: {message}");
            std::process::exit(1);
        }
    }
}

fn prepare(input: &Path, out: &Path) -> Result<serde_json::Value, String> {
    let bytes =
        std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let started = Instant::now();
    let photo = media::prepare_photo(&bytes).map_err(|e| describe(&e))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;

    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let ext = extension(photo.photo_mime);
    let photo_file = out.join(format!("{}.{ext}", photo.content_hash));
    let thumb_file = out.join(format!(
        "{}.thumb.{}",
        photo.content_hash,
        extension(photo.thumbnail_mime)
    ));
    for (path, data) in [(&photo_file, &photo.photo), (&thumb_file, &photo.thumbnail)] {
        std::fs::write(path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(summary(&bytes, &photo, &photo_file, &thumb_file, ms))
}

fn summary(
    input: &[u8],
    p: &PreparedPhoto,
    photo_file: &Path,
    thumb_file: &Path,
    ms: f64,
) -> serde_json::Value {
    json!({
        "input": {
            "bytes": input.len(),
            "width": p.source_width,
            "height": p.source_height,
            "format": p.source_format.name(),
            "orientation": p.source_orientation.exif_value(),
        },
        "photo": {
            "file": photo_file.display().to_string(),
            "bytes": p.photo.len(),
            "width": p.width,
            "height": p.height,
            "mime": p.photo_mime,
            "quality": p.quality,
        },
        "thumbnail": {
            "file": thumb_file.display().to_string(),
            "bytes": p.thumbnail.len(),
            "width": p.thumb_width,
            "height": p.thumb_height,
            "mime": p.thumbnail_mime,
        },
        "blurhash": p.blurhash,
        "content_hash": p.content_hash,
        // Always true: the encoders write new files from pixels; the core's tests prove
        // no EXIF/XMP/GPS bytes survive.
        "metadata_stripped": true,
        "ms": (ms * 10.0).round() / 10.0,
    })
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/webp" => "webp",
        _ => "jpg",
    }
}

/// The typed error, then what the seller would read.
fn describe(e: &PhotoError) -> String {
    format!("{e} ({})", e.user_message().en)
}
