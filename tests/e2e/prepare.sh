#!/usr/bin/env bash
# Makes the archive the browser tests and Lighthouse serve: a copy of the bundled archive in
# $1/archive, plus three real phone photos on one site and one 13-megapixel photo on another
# (deep zoom needs a pyramid of several levels) when DISAN_TESTDATA is set (the bundled archive
# has none, and the photo viewer, deep zoom and the photo weight need some).
set -euo pipefail
out="$1"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$out/archive" "$out/index"
mkdir -p "$out"
cp -r "$repo/archive" "$out/archive"
if [ -n "${DISAN_TESTDATA:-}" ]; then
  site="$out/archive/ninh-binh/den-thai-vi"
  mkdir -p "$site/photos"
  ls "$DISAN_TESTDATA/photos/gps/"*.jpg | head -3 | while read -r photo; do cp "$photo" "$site/photos/"; done
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1], file = path.join(dir, "site.json");
    const record = JSON.parse(fs.readFileSync(file, "utf8"));
    record.photos = fs.readdirSync(path.join(dir, "photos")).sort().map((f, i) => ({
      file: "photos/" + f,
      caption: "Ảnh minh hoạ " + (i + 1), caption_en: "Sample photo " + (i + 1),
      author: "Disan test data", license: "CC-BY-4.0" }));
    fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  ' "$site"
  echo "added $(ls "$site/photos" | wc -l) photos to den-thai-vi"
  large="$out/archive/ninh-binh/chua-bai-dinh"
  mkdir -p "$large/photos"
  cp "$DISAN_TESTDATA/photos/large/Dragonfly_by_Bolly.jpg" "$large/photos/"
  node -e '
    const fs = require("fs"), file = process.argv[1] + "/site.json";
    const record = JSON.parse(fs.readFileSync(file, "utf8"));
    record.photos = [{ file: "photos/Dragonfly_by_Bolly.jpg", caption: "Ảnh lớn để thử phóng to",
      caption_en: "A large photo to try deep zoom", author: "Bolly", license: "CC-BY-SA-4.0" }];
    fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  ' "$large"
  echo "added a 13-megapixel photo to chua-bai-dinh"
else
  echo "DISAN_TESTDATA is not set: serving the bundled archive without photos"
fi
