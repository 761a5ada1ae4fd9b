#!/usr/bin/env bash
# Rebuilds assets/fonts/NotoSansSC-chart.otf: Noto Sans CJK SC Regular (SIL OFL 1.1, Debian's fonts-noto-cjk)
# cut down to the characters in tools/fonts/chart-charset.ts, so the repository carries ~2 MB, not 19 MB.
# Needs: apt-get install fonts-noto-cjk python3-fonttools. Run from the repository root.
set -euo pipefail
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
out=assets/fonts/NotoSansSC-chart.otf
charset=$(mktemp)
trap 'rm -f "$charset"' EXIT
npx tsx tools/fonts/chart-charset.ts data tests/fixtures templates src handlers > "$charset"
# Face 2 of the collection is Noto Sans CJK SC (fc-scan lists them). Only kerning and ligatures are kept (the
# vertical and other-language forms are most of the layout tables); hinting is dropped (resvg does not hint).
/usr/bin/python3 -m fontTools.subset "$src" --font-number=2 --text-file="$charset" --output-file="$out" \
  --layout-features='kern,liga' --no-hinting --name-IDs='*' --name-legacy --name-languages='*' --notdef-outline
ls -l "$out"
