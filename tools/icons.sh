#!/usr/bin/env bash
# Renders the app icons the web app manifest lists (PNG, as Chromium's install check wants)
# from the two SVG icons in static/: the site's icon as it is ("any"), and the maskable one
# (full-bleed background, the drawing inside the central safe zone), each at 192 and 512 px.
# Run it after changing either SVG; needs `rsvg-convert` (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../static"
command -v rsvg-convert > /dev/null || { echo "install rsvg-convert: apt-get install librsvg2-bin" >&2; exit 1; }
for size in 192 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icon-$size.png"
  rsvg-convert -w "$size" -h "$size" icon-maskable.svg -o "icon-maskable-$size.png"
done
ls -l icon-*.png
