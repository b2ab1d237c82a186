#!/usr/bin/env bash
# `bench/run photo`: the listing photo pipeline against libvips' vipsthumbnail on a
# 12-megapixel phone-like JPEG. Prints one JSON line per figure (see bench/run).
#
#   prepare_12mp  wall ms of one process reading the photo and writing the 1280 px photo
#                 and the 320 px thumbnail (Pasar: also the blurhash and hash), against
#                 the two vipsthumbnail runs making the same two sizes; interleaved
#                 repetitions, medians. Both start a process per run, so both pay it.
#   photo_bytes   the 1280 px photo against vipsthumbnail's at Q=80 (libjpeg's usual
#                 "good" setting): measured on the same photo in the same run, it pairs
#                 with ssim so the two read as one size/quality trade-off.
#   photo_bytes_vs_goal  the same bytes against the 150 KB goal.
#   ssim          mean SSIM (luma, 11x11 Gaussian) of each 1280 px photo against a
#                 lossless reference ImageMagick makes from the full-size decode
#                 (auto-orient, Lanczos); every file is decoded by ImageMagick.
#   peak_rss_mb   peak RSS of the Pasar process, against the larger of the two
#                 vipsthumbnail runs' (GNU time's %M).
#
# Release build with the workspace's release profile, as the library ships.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

# Debian packages, installed only when missing. /usr/local/bin/convert may be a
# stand-in on these machines, so the real ImageMagick is called by its full path.
need=()
command -v vipsthumbnail >/dev/null || need+=(libvips-tools)
[ -x /usr/bin/convert ] || need+=(imagemagick)
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench photo: installing ${need[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

cargo build --quiet --release -p pasar-cli --example photo_bench >&2
bench_bin="$root/target/release/examples/photo_bench"

work="$root/target/bench-photo"
mkdir -p "$work"
# The photo is regenerated when its recipe changes.
stamp=$(sha256sum bench/photo/make-photo.sh | cut -c1-16)
src="$work/src-$stamp.jpg"
if [ ! -f "$src" ]; then
  echo "bench photo: drawing the 12 MP test photo" >&2
  bench/photo/make-photo.sh "$src"
fi
if [ ! -f "$src.ref.ppm" ]; then
  /usr/bin/convert "$src" -auto-orient -filter Lanczos -resize 1280x1280 "$src.ref.ppm"
fi

python3 - "$bench_bin" "$src" "$work" <<'PY'
import json, os, statistics, subprocess, sys, time

bench_bin, src, work = sys.argv[1:4]
pasar_dir = os.path.join(work, "pasar")
vips_dir = os.path.join(work, "vips")
os.makedirs(pasar_dir, exist_ok=True)
os.makedirs(vips_dir, exist_ok=True)

def timed(cmd):
    """Wall ms and peak RSS (KB) of one process."""
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    ms = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"bench photo: {' '.join(cmd)} failed:\n{r.stderr}")
    return ms, int(r.stderr.strip().splitlines()[-1])

pasar_cmd = [bench_bin, "prepare", src, pasar_dir]
vips_cmds = [
    ["vipsthumbnail", src, "--size", "1280", "-o", os.path.join(vips_dir, "v1280.jpg[Q=80,strip]")],
    ["vipsthumbnail", src, "--size", "320", "-o", os.path.join(vips_dir, "v320.jpg[Q=80,strip]")],
]

# One warm-up of each (page cache, lazy loading), then interleaved repetitions.
timed(pasar_cmd)
for c in vips_cmds:
    timed(c)
pasar_ms, vips_ms, pasar_rss, vips_rss = [], [], [], []
for _ in range(9):
    ms, rss = timed(pasar_cmd)
    pasar_ms.append(ms)
    pasar_rss.append(rss)
    total = 0.0
    for c in vips_cmds:
        ms, rss = timed(c)
        total += ms
        vips_rss.append(rss)
    vips_ms.append(total)

def ppm(path):
    out = path + ".ppm"
    subprocess.run(["/usr/bin/convert", path, out], check=True)
    return out

def ssim(path):
    r = subprocess.run([bench_bin, "ssim", src + ".ref.ppm", ppm(path)],
                       check=True, capture_output=True, text=True)
    return float(r.stdout)

pasar_photo = os.path.join(pasar_dir, "photo.jpg")
vips_photo = os.path.join(vips_dir, "v1280.jpg")
pasar_bytes, vips_bytes = os.path.getsize(pasar_photo), os.path.getsize(vips_photo)
pasar_ssim, vips_ssim = ssim(pasar_photo), ssim(vips_photo)

def line(metric, unit, pasar, baseline, name, higher_is_better=False):
    ratio = pasar / baseline if higher_is_better else baseline / pasar
    print(json.dumps({"bench": "photo", "metric": metric, "unit": unit,
                      "pasar": pasar, "baseline": baseline, "baseline_name": name,
                      "ratio": round(ratio, 3)}))

line("prepare_12mp", "ms", round(statistics.median(pasar_ms), 1),
     round(statistics.median(vips_ms), 1), "vipsthumbnail_1280_plus_320")
line("photo_bytes", "bytes", pasar_bytes, vips_bytes, "vipsthumbnail_1280_q80")
line("photo_bytes_vs_goal", "bytes", pasar_bytes, 150000, "goal_150KB")
line("ssim", "ssim", round(pasar_ssim, 4), round(vips_ssim, 4), "vipsthumbnail_1280_q80",
     higher_is_better=True)
line("peak_rss_mb", "MB", round(max(pasar_rss) / 1024, 1), round(max(vips_rss) / 1024, 1),
     "vipsthumbnail_peak")
PY
