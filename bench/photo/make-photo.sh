#!/usr/bin/env bash
# Makes the benchmark's test photo: a 12-megapixel (4000x3000) photo-like JPEG at
# quality 92 with 4:2:0 chroma, like a phone camera's, carrying the metadata a phone
# writes (make, model, date, GPS position, orientation 6 = "rotate 90° clockwise") in
# EXIF and XMP. No downloads are possible here, so the picture is drawn: fractal plasma
# (smooth colour fields), fine grain (texture and sensor noise), shapes, large and small
# text (hard edges, the product label a seller photographs).
#
#   bench/photo/make-photo.sh OUT.jpg
set -euo pipefail
out=${1:?usage: make-photo.sh OUT.jpg}
# /usr/local/bin/convert may be a stand-in on these machines: use Debian's ImageMagick.
convert=/usr/bin/convert
font=/usr/share/fonts/truetype/dejavu
tmp="$out.tmp.jpg"

"$convert" -seed 42 -size 1000x750 plasma:fractal -blur 0x1 -resize '4000x3000!' \
  \( -size 4000x3000 xc:gray50 -seed 7 -attenuate 1.0 +noise Gaussian -blur 0x1.0 \) \
  -compose overlay -composite -compose over \
  -fill '#c0392b' -draw 'circle 1200,1000 1200,1450' \
  -fill '#f1c40f' -draw 'roundrectangle 2300,600 3500,1500 60,60' \
  -fill '#2c3e50' -draw 'polygon 400,2800 1400,1900 2400,2800' \
  -fill '#1a1a1a' -font "$font/DejaVuSans.ttf" -pointsize 44 -annotate +2380+720 \
  'Komposisi: biji kopi arabika 100%\nBerat bersih 250 g\nDisangrai di Takengon, Aceh\nSimpan di tempat sejuk dan kering\nBaik digunakan sebelum 12/2026\nPIRT 2.09.1101.01.23\nHalal ID00410000123' \
  -fill white -stroke black -strokewidth 4 -font "$font/DejaVuSans-Bold.ttf" -pointsize 220 \
  -annotate +600+2500 'Kopi Gayo 250g' \
  -stroke none -fill '#eee' -font "$font/DejaVuSans.ttf" -pointsize 90 -annotate +2300+1800 'Rp25.000  Pasar' \
  -attenuate 0.2 +noise Gaussian \
  -quality 92 -sampling-factor 2x2 "$tmp"

# What a phone writes, including the seller's home (Jakarta) that must never leave it.
exiftool -q -overwrite_original \
  -EXIF:Make=Xiaomi -EXIF:Model='Redmi Note 12' -EXIF:Software='MIUI Camera' \
  -EXIF:DateTimeOriginal='2025:03:14 09:26:53' -EXIF:Orientation#=6 \
  -EXIF:GPSLatitude=6.2088 -EXIF:GPSLatitudeRef=S -EXIF:GPSLongitude=106.8456 -EXIF:GPSLongitudeRef=E \
  -EXIF:GPSAltitude=12 -EXIF:GPSAltitudeRef=0 \
  -XMP:GPSLatitude='6.2088 S' -XMP:GPSLongitude='106.8456 E' -XMP:Creator='Ibu Sari' \
  -EXIF:ImageDescription='Rumah Ibu Sari, Jl. Melati 7' \
  "$tmp"
mv "$tmp" "$out"
