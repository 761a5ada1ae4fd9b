// The digest chart: a real PNG of sensible size, drawn with the bundled font, with a glyph for every character
// a township's plan and departments use.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { CHART_FONT_FAMILY, CHART_FONT_FILE, chartFontMetrics, missingGlyphs, textWidth } from '../../src/charts/chart-font.ts';
import { BAR_COLOR, digestChartSvg, MAX_BARS, renderDigestChart, ROBOT_IMAGE_MAX_BYTES, type DigestChartView } from '../../src/charts/digest-chart.ts';
import { parsePlan } from '../../src/domain/plan/parse-plan.ts';
import { readPlanFile } from '../../src/domain/plan/read-plan-file.ts';
import { BUNDLED_PLAN } from '../../src/plan-source.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk, which always comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every plan the project ships or tests with: their units and titles are what the chart will be asked to draw. */
async function planTexts(): Promise<string[]> {
  const dir = fileURLToPath(new URL('../fixtures/plans/', import.meta.url));
  const fixtures = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.txt'));
  expect(fixtures.length).toBeGreaterThan(10); // published plans of other towns and counties among them
  const files = [BUNDLED_PLAN, ...fixtures.map((f) => join(dir, f))];
  const texts: string[] = [];
  for (const file of files) {
    const plan = parsePlan(await readPlanFile(file));
    texts.push(plan.plan.title, ...plan.tasks.flatMap((t) => t.departments));
  }
  return texts;
}

function view(departments: DigestChartView['departments']): DigestChartView {
  return {
    plan: '南旺镇2021年政务公开工作实施方案', week: '2021-W30', range: '7月26日—8月1日', rate: 37, reported: 40, expected: 108,
    departments, lights: { red: 4, yellow: 20, green: 35, done: 6 },
  };
}

/** The same font through a general font library, to check the chart's own small reader against. */
function fontkitFont(): fontkit.Font {
  const f = fontkit.create(readFileSync(CHART_FONT_FILE));
  if (!('hasGlyphForCodePoint' in f)) throw new Error('a collection, not one font');
  return f;
}

describe('the chart font', () => {
  it('is the family the chart asks for, and the chart reads it as fontkit does', () => {
    const reference = fontkitFont();
    expect(reference.familyName).toBe(CHART_FONT_FAMILY);
    const ours = chartFontMetrics();
    expect(ours.unitsPerEm).toBe(reference.unitsPerEm);
    // fontkit lists the cmap's closing 0xFFFF too, mapped to .notdef: not a character the font draws.
    const drawn = reference.characterSet.filter((cp) => reference.glyphForCodePoint(cp).id !== 0);
    expect(drawn.length).toBeGreaterThan(7000);
    expect(new Set(ours.glyphs.keys())).toEqual(new Set(drawn));
    for (const cp of drawn) {
      expect(ours.glyphs.get(cp)).toBe(reference.glyphForCodePoint(cp).id);
    }
    expect(textWidth('经贸办 O2O 100%', 10)).toBeCloseTo((reference.layout('经贸办 O2O 100%').advanceWidth * 10) / reference.unitsPerEm, 6);
  });

  it('has a glyph for every character of every department and plan title the project knows', async () => {
    const texts = await planTexts();
    const departments = new Set(texts.slice(1));
    expect(departments.size).toBeGreaterThan(20); // the seed plan alone names dozens of units
    expect(missingGlyphs(texts.join(''))).toEqual([]);
  });

  it('covers all 6,763 hanzi of GB2312 and its punctuation', () => {
    const gb = new TextDecoder('gb18030');
    const row = (lead: number) => Array.from({ length: 94 }, (_, i) => gb.decode(Uint8Array.of(lead, 0xa1 + i))).filter((c) => !/\p{Co}|\uFFFD/u.test(c));
    const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i)).flat();
    const hanzi = rows(0xb0, 0xf7);
    expect(hanzi.filter((c) => /\p{Script=Han}/u.test(c))).toHaveLength(6763);
    expect(missingGlyphs(hanzi.join(''))).toEqual([]);
    expect(missingGlyphs(rows(0xa1, 0xa9).join(''))).toEqual([]);
  });

  it('names the characters it lacks, so a missing glyph cannot pass unnoticed', () => {
    expect(missingGlyphs('经贸办𠀀龘 办')).toEqual(['𠀀', '龘']);
  });
});

describe('renderDigestChart', () => {
  it('draws every department of the seed plan into a PNG the group robot accepts', async () => {
    const names = [...new Set((await planTexts()).slice(1))].slice(0, 40);
    const image = await renderDigestChart(view(names.map((name, i) => ({ name, rate: (i * 7) % 101, reported: i, expected: 40 }))));

    expect(image.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(image.png.length).toBeLessThanOrEqual(ROBOT_IMAGE_MAX_BYTES);
    expect(pngSize(image.png)).toEqual({ width: image.width, height: image.height });
    expect(image.width).toBe(1440); // 720 px laid out, drawn at twice that for sharp text
    // A bar per department, so the picture grows with them: 40 rows of 26 px plus header and footer, doubled.
    expect(image.height).toBeGreaterThan(40 * 26 * 2);
    expect(image.height).toBeLessThan(4000);
    expect(image.missingGlyphs).toEqual([]);
    expect(image.omittedDepartments).toBe(0);
  });

  it('reports a department name the font cannot draw', async () => {
    const image = await renderDigestChart(view([{ name: '𠀀𠀁办', rate: 50, reported: 1, expected: 2 }]));
    expect(image.missingGlyphs).toEqual(['𠀀', '𠀁']);
  });

  it('stays under the robot limit with the most bars it draws, and says how many it left out', async () => {
    const many = Array.from({ length: MAX_BARS + 15 }, (_, i) => ({ name: `农业综合服务中心第${i + 1}组`, rate: i % 101, reported: i, expected: 100 }));
    const image = await renderDigestChart(view(many));
    expect(image.png.length).toBeLessThanOrEqual(ROBOT_IMAGE_MAX_BYTES);
    expect(image.omittedDepartments).toBe(15);
    const few = await renderDigestChart(view(many.slice(0, MAX_BARS)));
    // The 15 are left out (a footnote line says so), not squeezed in: less than one bar's row taller.
    expect(image.height - few.height).toBeGreaterThan(0);
    expect(image.height - few.height).toBeLessThan(26 * 2);
  });

  it('draws a chart with no departments at all (a week with nothing to report)', async () => {
    const image = await renderDigestChart(view([]));
    expect(image.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(image.height).toBeGreaterThan(0);
    expect(image.missingGlyphs).toEqual([]);
  });
});

/** The boxes the SVG draws: bars (the series' paths), the dashed average line, and every text with its measured box. */
function measure(svg: string) {
  const num = (s: string) => Number(s);
  const bars = [...svg.matchAll(/<path d="M([\d.-]+) ([\d.-]+)l([\d.-]+) 0l0 ([\d.-]+)[^"]*" fill="(#[0-9a-f]+)"[^>]*ecmeta_ssr_type="chart"/g)]
    .map((m) => ({ x: num(m[1]!), y: num(m[2]!), width: num(m[3]!), height: num(m[4]!), fill: m[5]!, at: m.index! }));
  const dashed = [...svg.matchAll(/<path d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)" fill="none"[^>]*stroke-dasharray[^>]*>/g)]
    .filter((m) => !/transform=/.test(m[0])).map((m) => ({ x: num(m[1]!), top: num(m[2]!), bottom: num(m[4]!), at: m.index! }));
  const texts = [...svg.matchAll(/<text dominant-baseline="central" text-anchor="(start|end|middle)" style="font-size:(\d+)px[^"]*"[^>]*?(?: y="([\d.-]+)")? transform="translate\(([\d.-]+) ([\d.-]+)\)"[^>]*>([^<]*)<\/text>/g)]
    .map((m) => {
      const size = num(m[2]!);
      const width = textWidth(m[6]!, size);
      const cx = num(m[4]!);
      const x = m[1] === 'start' ? cx : m[1] === 'end' ? cx - width : cx - width / 2;
      const y = num(m[5]!) + num(m[3] ?? '0');
      return { text: m[6]!, size, anchor: m[1]!, x, y: y - size * 0.6, width, height: size * 1.2 };
    });
  return { bars, dashed, texts };
}

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the chart’s geometry, measured on the SVG', () => {
  const LONG = ['县市场监督管理局南旺镇市场监督管理所', '南旺镇人民政府党政综合办公室（政务公开办）', '自然资源和规划局南旺自然资源事务中心', '经贸办'];
  const cases: Array<[string, DigestChartView]> = [
    ['few departments', view([{ name: '统计站', rate: 0, reported: 0, expected: 4 }, { name: '经贸办', rate: 45, reported: 5, expected: 11 }, { name: '党政办', rate: 100, reported: 3, expected: 3 }])],
    // 29 departments, the overall rate right where many bars end: the old chart's labels and line collided there.
    ['29 departments', { ...view(Array.from({ length: 29 }, (_, i) => ({ name: `部门${i + 1}`, rate: [0, 5, 36, 37, 38, 59, 60, 99, 100][i % 9]!, reported: i, expected: 120 }))), rate: 37 }],
    ['long names', view(LONG.map((name, i) => ({ name, rate: [10, 37, 80, 100][i]!, reported: i, expected: 9 })))],
  ];

  for (const [name, v] of cases) {
    it(`${name}: no label touches a bar or the average line, and the line runs behind the bars`, () => {
      const { svg } = digestChartSvg(v);
      const { bars, dashed, texts } = measure(svg);
      expect(bars).toHaveLength(v.departments.length);
      const [line] = dashed;
      expect(dashed).toHaveLength(1);
      expect(line!.x).toBeCloseTo(bars[0]!.x + ((bars.at(-1)!.x + Math.max(...bars.map((b) => b.width)) - bars[0]!.x) * v.rate) / 100, 0);
      // Every label of the picture: department names, values, the axis, the header.
      expect(texts.length).toBeGreaterThan(2 * v.departments.length);
      for (const t of texts) {
        for (const b of bars) expect(overlaps(t, b), `“${t.text}” over a bar`).toBe(false);
        const crossesLine = t.x < line!.x && line!.x < t.x + t.width && t.y < line!.bottom && line!.top < t.y + t.height;
        expect(crossesLine, `“${t.text}” on the average line`).toBe(false);
      }
      // Painted first, so the bars cover it: the line shows between them, never across a bar.
      expect(line!.at).toBeLessThan(Math.min(...bars.map((b) => b.at)));
      // Long names are cut, so the bars keep most of the width.
      const names = texts.filter((x) => x.size === 13 && x.anchor === 'end');
      expect(names).toHaveLength(v.departments.length);
      for (const t of names) expect(t.width).toBeLessThanOrEqual(190);
    });
  }

  it('tells the two reds apart: bars never take a task light’s colour, and each has its own legend', () => {
    const { svg } = digestChartSvg(cases[1]![1]);
    const { bars, texts } = measure(svg);
    const lightColours = ['#e5484d', '#f5a524', '#30a46c', '#3e63dd'];
    expect(new Set(bars.map((b) => b.fill))).toEqual(new Set(Object.values(BAR_COLOR)));
    for (const c of lightColours) expect(Object.values(BAR_COLOR)).not.toContain(c);
    expect(bars.filter((b) => b.fill === BAR_COLOR.low)).toHaveLength(cases[1]![1].departments.filter((d) => d.rate < 60).length);
    const words = texts.map((t) => t.text);
    expect(words).toEqual(expect.arrayContaining(['任务状态灯（按任务）', '红灯 4', '各部门汇报率（条形）', '不足 60%', '整体 37%']));
    // The lights are dots, the bars' colours squares.
    expect(svg).toMatch(/<circle[^>]*fill="#e5484d"|<path d="M[^"]*A[^"]*"[^>]*fill="#e5484d"/);
  });
});
