// The one font every chart is drawn with: a Noto Sans CJK SC subset shipped in the repository, so a chart
// looks the same on every machine and never depends on what fonts the server happens to have installed.
// Regular weight only: a bold face would double the repository's share of font.
//
// The chart needs two facts from the font: which characters it has, and how wide they are. Both come from
// three small OpenType tables read here (cmap, head, hhea/hmtx): a general font library takes longer to load
// than the whole chart takes to draw. tests/unit/digest-chart.test.ts checks this reader against fontkit.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** assets/fonts/NotoSansSC-chart.otf, made by tools/fonts/make-chart-font.sh (SIL OFL 1.1). */
export const CHART_FONT_FILE = fileURLToPath(new URL('../../assets/fonts/NotoSansSC-chart.otf', import.meta.url));

/** The family name inside the font file: the SVG asks for it and the rasteriser finds it by it. */
export const CHART_FONT_FAMILY = 'Noto Sans CJK SC';

export interface FontMetrics {
  unitsPerEm: number;
  /** Code point → glyph id, for every character the font draws. */
  glyphs: Map<number, number>;
  /** Advance width of each glyph id, in font units. */
  advance(glyph: number): number;
}

let loaded: FontMetrics | null = null;

/** Read once per process. */
export function chartFontMetrics(): FontMetrics {
  loaded ??= readFontMetrics(readFileSync(CHART_FONT_FILE));
  return loaded;
}

/** The characters of `text` the font has no glyph for (each once, in order of appearance); whitespace is never drawn. */
export function missingGlyphs(text: string): string[] {
  const { glyphs } = chartFontMetrics();
  const missing = new Set<string>();
  for (const ch of text) {
    if (!/\s/u.test(ch) && !glyphs.has(ch.codePointAt(0)!)) missing.add(ch);
  }
  return [...missing];
}

/** Width of `text` in px at `fontSize`, from the font's own advance widths: chart layout needs real text sizes. */
export function textWidth(text: string, fontSize: number): number {
  const f = chartFontMetrics();
  let units = 0;
  for (const ch of text) {
    const glyph = f.glyphs.get(ch.codePointAt(0)!);
    // A character the font lacks is drawn as .notdef (glyph 0).
    units += f.advance(glyph ?? 0);
  }
  return (units * fontSize) / f.unitsPerEm;
}

/** Parses an OpenType/TrueType font's cmap (format 4 or 12), head and hhea/hmtx tables. */
export function readFontMetrics(buf: Buffer): FontMetrics {
  const tables = new Map<string, number>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString('latin1', rec, rec + 4), buf.readUInt32BE(rec + 8));
  }
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`font has no ${tag} table`);
    return at;
  };

  const unitsPerEm = buf.readUInt16BE(table('head') + 18);
  const numberOfHMetrics = buf.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => buf.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  const cmap = table('cmap');
  const subtables: Array<{ platform: number; encoding: number; at: number }> = [];
  for (let i = 0; i < buf.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + i * 8;
    subtables.push({ platform: buf.readUInt16BE(rec), encoding: buf.readUInt16BE(rec + 2), at: cmap + buf.readUInt32BE(rec + 4) });
  }
  // Unicode subtables only: Windows (3,10) full repertoire or (3,1) BMP, or the Unicode platform (0,*).
  const unicode = subtables.filter((s) => (s.platform === 3 && (s.encoding === 1 || s.encoding === 10)) || s.platform === 0);
  const full = unicode.find((s) => buf.readUInt16BE(s.at) === 12);
  const bmp = unicode.find((s) => buf.readUInt16BE(s.at) === 4);
  const glyphs = full ? readFormat12(buf, full.at) : bmp ? readFormat4(buf, bmp.at) : null;
  if (!glyphs) throw new Error('font has no Unicode cmap of format 4 or 12');
  return { unitsPerEm, glyphs, advance };
}

function readFormat12(buf: Buffer, at: number): Map<number, number> {
  const glyphs = new Map<number, number>();
  const groups = buf.readUInt32BE(at + 12);
  for (let i = 0; i < groups; i++) {
    const g = at + 16 + i * 12;
    const start = buf.readUInt32BE(g);
    const end = buf.readUInt32BE(g + 4);
    const first = buf.readUInt32BE(g + 8);
    for (let cp = start; cp <= end; cp++) if (first + cp - start !== 0) glyphs.set(cp, first + cp - start);
  }
  return glyphs;
}

function readFormat4(buf: Buffer, at: number): Map<number, number> {
  const glyphs = new Map<number, number>();
  const segCount = buf.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segCount * 2 + 2;
  const deltas = starts + segCount * 2;
  const rangeOffsets = deltas + segCount * 2;
  for (let s = 0; s < segCount; s++) {
    const end = buf.readUInt16BE(ends + s * 2);
    const start = buf.readUInt16BE(starts + s * 2);
    const delta = buf.readInt16BE(deltas + s * 2);
    const rangeOffsetAt = rangeOffsets + s * 2;
    const rangeOffset = buf.readUInt16BE(rangeOffsetAt);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph: number;
      if (rangeOffset === 0) {
        glyph = (cp + delta) & 0xffff;
      } else {
        // idRangeOffset counts bytes from its own position to the glyph id of `start`.
        const raw = buf.readUInt16BE(rangeOffsetAt + rangeOffset + (cp - start) * 2);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) glyphs.set(cp, glyph);
    }
  }
  return glyphs;
}
