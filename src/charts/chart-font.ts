// The one font every chart is drawn with: a Noto Sans CJK SC subset shipped in the repository, so a chart
// looks the same on every machine and never depends on what fonts the server happens to have installed.
// Regular weight only: a bold face would double the repository's share of font.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';

/** assets/fonts/NotoSansSC-chart.otf, made by tools/fonts/make-chart-font.sh (SIL OFL 1.1). */
export const CHART_FONT_FILE = fileURLToPath(new URL('../../assets/fonts/NotoSansSC-chart.otf', import.meta.url));

/** The family name inside the font file: the SVG asks for it and the rasteriser finds it by it. */
export const CHART_FONT_FAMILY = 'Noto Sans CJK SC';

let parsed: fontkit.Font | null = null;

/** Parsed once per process: reading the cmap and advance widths of 7,600 glyphs is not free. */
function font(): fontkit.Font {
  if (parsed) return parsed;
  const f = fontkit.create(readFileSync(CHART_FONT_FILE));
  if (!('hasGlyphForCodePoint' in f)) throw new Error(`${CHART_FONT_FILE} is a font collection, not one font`);
  if (f.familyName !== CHART_FONT_FAMILY) throw new Error(`${CHART_FONT_FILE} is "${f.familyName}", not "${CHART_FONT_FAMILY}"`);
  parsed = f;
  return f;
}

/** The characters of `text` the font has no glyph for (each once, in order of appearance); whitespace is never drawn. */
export function missingGlyphs(text: string): string[] {
  const f = font();
  const missing = new Set<string>();
  for (const ch of text) {
    if (/\s/u.test(ch)) continue;
    if (!f.hasGlyphForCodePoint(ch.codePointAt(0)!)) missing.add(ch);
  }
  return [...missing];
}

const advanceCache = new Map<number, number>();

/** Width of `text` in px at `fontSize`, from the font's own advance widths: chart layout needs real text sizes. */
export function textWidth(text: string, fontSize: number): number {
  const f = font();
  let units = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    let adv = advanceCache.get(cp);
    if (adv === undefined) {
      // A character the font lacks is drawn as .notdef, one em wide in this font.
      adv = f.hasGlyphForCodePoint(cp) ? f.glyphForCodePoint(cp).advanceWidth : f.unitsPerEm;
      advanceCache.set(cp, adv);
    }
    units += adv;
  }
  return (units * fontSize) / f.unitsPerEm;
}
