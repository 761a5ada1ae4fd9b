// The weekly digest's chart: this week's reporting rate by department, worst first, and the task lights, as a PNG
// for the group robot. Pure: a view model in, a PNG out. ECharts lays the chart out as SVG on the server (no
// browser), resvg rasterises it with the repository's own font only, so the picture is the same on every machine.
import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';
import type { Light } from '../domain/status-light.ts';
import { CHART_FONT_FAMILY, CHART_FONT_FILE, missingGlyphs, textWidth } from './chart-font.ts';

// The minified single-file build: it loads in a fraction of the time of the ES module tree (hundreds of
// files), and a digest pays that on its first chart.
const echarts = createRequire(import.meta.url)('echarts/dist/echarts.min.js') as typeof import('echarts');
// ECharts measures text to place axis labels; without a canvas it guesses, and guesses CJK text too narrow.
echarts.setPlatformAPI({
  measureText: (text: string, font?: string) => ({ width: textWidth(text, fontSizeOf(font)) }),
});

export interface DigestChartView {
  /** The plan's title, or the names of the plans the figures cover. */
  plan: string;
  week: string;
  /** e.g. 7月26日—8月1日 */
  range: string;
  rate: number;
  reported: number;
  expected: number;
  /** Worst first, as the digest sorts them. */
  departments: ReadonlyArray<{ name: string; rate: number; reported: number; expected: number }>;
  lights: Record<Light, number>;
}

export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
  /** Characters drawn that the font lacks (they show as empty boxes): the caller logs them. */
  missingGlyphs: string[];
  /** Departments past MAX_BARS, left out of the picture (its subtitle says how many). */
  omittedDepartments: number;
}

/** The group robot takes images of at most 2 MB before base64 (doc 99110). */
export const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** More bars than this make a picture nobody reads on a phone; the text digest lists every department. */
export const MAX_BARS = 60;

const WIDTH = 720;
const MARGIN = 20;
/** The plot starts below the title, the overall rate and the two legends. */
const HEADER = 168;
const ROW = 26;
const BAR = 14;
const FOOTNOTE_LINE = 20;
/** Long unit names are cut to this width (13 px text), so the bars keep most of the picture. */
const NAME_MAX = 190;
const NAME_SIZE = 13;
const VALUE_SIZE = 12;
/** Drawn at twice the layout size so the text stays sharp when WeCom shows it full screen. */
const PIXEL_RATIO = 2;

/**
 * Two kinds of "red" must not be confused: the task lights (红灯 … a task's state, drawn as round dots) and a
 * department's low reporting rate (a bar under 60 %, drawn as a square-ended bar in another colour family).
 */
const COLOR = { red: '#e5484d', yellow: '#f5a524', green: '#30a46c', done: '#3e63dd', text: '#1c2024', muted: '#60646c', line: '#1c2024' };
export const BAR_COLOR = { low: '#b5541c', mid: '#7b8cb8', full: '#2d7f74' } as const;
const LIGHT_LABEL: Record<Light, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', done: '已完成' };

/** Under 60 %, 60 % and above, everyone reported. */
function barColor(rate: number): string {
  return rate >= 100 ? BAR_COLOR.full : rate >= 60 ? BAR_COLOR.mid : BAR_COLOR.low;
}

function fontSizeOf(font: string | undefined): number {
  const m = /(\d+(?:\.\d+)?)px/.exec(font ?? '');
  return m ? Number(m[1]) : 12;
}

export interface Box { x: number; y: number; width: number; height: number }

/**
 * Where everything goes, in layout pixels: names in a column on the left, bars in the plot, each value in a column
 * of its own to the right of the plot, the overall rate as a dashed line behind the bars. No value label can touch
 * a bar or the line, whatever the rates: they never share the plot.
 */
export interface ChartLayout {
  width: number;
  height: number;
  plot: Box;
  rows: Array<{ name: string; label: string; bar: Box; labelBox: Box; nameBox: Box }>;
  average: { x: number; top: number; bottom: number };
  footnotes: string[];
  hidden: number;
}

export function layoutDigestChart(view: DigestChartView): ChartLayout {
  const shown = view.departments.slice(0, MAX_BARS);
  const hidden = view.departments.length - shown.length;
  const label = (d: DigestChartView['departments'][number]) => `${d.rate}%（${d.reported}/${d.expected}）`;
  const names = shown.map((d) => fitText(d.name, NAME_MAX, NAME_SIZE));
  const labels = shown.map(label);
  const nameCol = Math.ceil(Math.max(0, ...names.map((n) => textWidth(n, NAME_SIZE))));
  const labelCol = Math.ceil(Math.max(textWidth('100%（0/0）', VALUE_SIZE), ...labels.map((l) => textWidth(l, VALUE_SIZE))));
  const footnotes = [
    ...(hidden > 0 ? [`只画出汇报率最低的 ${shown.length} 个部门，另有 ${hidden} 个见文字周报`] : []),
    ...(shown.length ? [] : ['本周没有需要汇报的任务']),
  ];
  const footer = 40 + footnotes.length * FOOTNOTE_LINE;
  const plot: Box = { x: MARGIN + nameCol + 10, y: HEADER, width: 0, height: Math.max(shown.length, 1) * ROW };
  plot.width = WIDTH - MARGIN - labelCol - 12 - plot.x;
  const xOf = (rate: number) => plot.x + (Math.min(100, Math.max(0, rate)) / 100) * plot.width;
  const rows = shown.map((d, i) => {
    const mid = plot.y + (i + 0.5) * ROW;
    return {
      name: names[i]!, label: labels[i]!,
      bar: { x: plot.x, y: mid - BAR / 2, width: xOf(d.rate) - plot.x, height: BAR },
      labelBox: { x: plot.x + plot.width + 12, y: mid - VALUE_SIZE * 0.7, width: textWidth(labels[i]!, VALUE_SIZE), height: VALUE_SIZE * 1.4 },
      nameBox: { x: plot.x - 10 - textWidth(names[i]!, NAME_SIZE), y: mid - NAME_SIZE * 0.7, width: textWidth(names[i]!, NAME_SIZE), height: NAME_SIZE * 1.4 },
    };
  });
  return {
    width: WIDTH, height: HEADER + plot.height + footer, plot, rows,
    average: { x: xOf(view.rate), top: plot.y, bottom: plot.y + plot.height }, footnotes, hidden,
  };
}

/** The chart as SVG (ECharts on the server) and its layout: what the PNG is rasterised from, and what tests measure. */
export function digestChartSvg(view: DigestChartView): { svg: string; layout: ChartLayout; drawn: string } {
  const layout = layoutDigestChart(view);
  const { plot, rows } = layout;
  const title = `各部门汇报率｜${view.range}`;
  const subtitle = fitText(view.plan, WIDTH - 2 * MARGIN, 13);
  const total = `整体汇报率 ${view.rate}%（${view.reported}/${view.expected}）`;
  const lightItems = (['red', 'yellow', 'green', 'done'] as const).map((l) => ({ light: l, text: `${LIGHT_LABEL[l]} ${view.lights[l]}` }));
  const barItems = [
    { color: BAR_COLOR.low, text: '不足 60%' }, { color: BAR_COLOR.mid, text: '60% 及以上' }, { color: BAR_COLOR.full, text: '全部已报' },
  ];
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: layout.height });
  let svg: string;
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: CHART_FONT_FAMILY },
      title: {
        text: title, subtext: subtitle, left: MARGIN, top: 14, itemGap: 6,
        textStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 20, color: COLOR.text },
        subtextStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 13, color: COLOR.muted },
      },
      graphic: [...headerGraphics(total, lightItems, barItems, rows.length > 0, view.rate), ...plotGraphics(layout)],
      grid: { left: plot.x, top: plot.y, width: plot.width, height: plot.height, outerBoundsMode: 'none' },
      xAxis: {
        type: 'value', min: 0, max: 100, interval: 20,
        axisLabel: { formatter: '{value}%', fontFamily: CHART_FONT_FAMILY, color: COLOR.muted, fontSize: 12 },
        splitLine: { lineStyle: { color: '#ececf0' } },
      },
      yAxis: {
        type: 'category', inverse: true, data: rows.map((r) => r.name),
        axisTick: { show: false }, axisLine: { lineStyle: { color: '#cdced6' } },
        axisLabel: { fontFamily: CHART_FONT_FAMILY, fontSize: NAME_SIZE, color: COLOR.text, interval: 0, margin: 10 },
      },
      series: [{
        type: 'bar', barWidth: BAR, z: 3,
        data: view.departments.slice(0, rows.length).map((d) => ({ value: d.rate, itemStyle: { color: barColor(d.rate) } })),
        label: { show: false },
      }],
    });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const footnoteTop = layout.height - 8 - layout.footnotes.length * FOOTNOTE_LINE;
  svg = svg.replace('</svg>', `${layout.footnotes.map((f, i) => footnoteSvg(f, footnoteTop + (i + 1) * FOOTNOTE_LINE - 6)).join('')}</svg>`);
  const drawn = [title, subtitle, total, ...layout.footnotes, '任务状态灯（按任务）', '各部门汇报率（条形）', `整体 ${view.rate}%`, ...lightItems.map((i) => i.text), ...barItems.map((i) => i.text),
    ...rows.flatMap((r) => [r.name, r.label]), '0%20%40%60%80%100%'].join('');
  return { svg, layout, drawn };
}

export async function renderDigestChart(view: DigestChartView): Promise<ChartImage> {
  const { svg, layout, drawn } = digestChartSvg(view);
  const image = await rasterise(svg);
  return { ...image, missingGlyphs: missingGlyphs(drawn), omittedDepartments: layout.hidden };
}

/**
 * Under the title: the overall rate; the task lights as dots (a task's state, counted in tasks); the bars' colours
 * as squares (a department's rate) with the dashed line's meaning.
 */
function headerGraphics(total: string, lights: Array<{ light: Light; text: string }>, bars: Array<{ color: string; text: string }>, withBars: boolean, rate: number) {
  const size = 13;
  const graphics: object[] = [
    { type: 'text', left: MARGIN, top: 70, style: { text: total, fontFamily: CHART_FONT_FAMILY, fontSize: 16, fill: COLOR.text } },
  ];
  const row = (y: number, lead: string, items: Array<{ swatch: object; text: string }>) => {
    let x = MARGIN;
    graphics.push({ type: 'text', left: x, top: y, style: { text: lead, fontFamily: CHART_FONT_FAMILY, fontSize: size, fill: COLOR.muted } });
    x += textWidth(lead, size) + 12;
    for (const item of items) {
      graphics.push({ ...item.swatch, x, y });
      graphics.push({ type: 'text', left: x + 16, top: y, style: { text: item.text, fontFamily: CHART_FONT_FAMILY, fontSize: size, fill: COLOR.text } });
      x += 16 + textWidth(item.text, size) + 16;
    }
    return x;
  };
  row(100, '任务状态灯（按任务）', lights.map((l) => ({ swatch: { type: 'circle', shape: { cx: 6, cy: 9, r: 6 }, style: { fill: COLOR[l.light] } }, text: l.text })));
  if (withBars) {
    const x = row(128, '各部门汇报率（条形）', bars.map((b) => ({ swatch: { type: 'rect', shape: { x: 0, y: 3, width: 12, height: 12 }, style: { fill: b.color } }, text: b.text })));
    graphics.push({ type: 'line', x, y: 128, shape: { x1: 0, y1: 9, x2: 18, y2: 9 }, style: { stroke: COLOR.line, lineWidth: 1.5, lineDash: [4, 3] } });
    graphics.push({ type: 'text', left: x + 22, top: 128, style: { text: `整体 ${rate}%`, fontFamily: CHART_FONT_FAMILY, fontSize: size, fill: COLOR.text } });
  }
  return graphics;
}

/** The overall rate as a dashed line behind the bars (z below the series), and each value in the column right of the plot. */
function plotGraphics(layout: ChartLayout) {
  if (layout.rows.length === 0) return [];
  const { average: a } = layout;
  return [
    { type: 'line', z: 1, shape: { x1: a.x, y1: a.top, x2: a.x, y2: a.bottom }, style: { stroke: COLOR.line, lineWidth: 1.5, lineDash: [4, 3] }, silent: true },
    ...layout.rows.map((r) => ({
      type: 'text', z: 4, x: r.labelBox.x, y: r.labelBox.y + r.labelBox.height / 2,
      style: { text: r.label, fontFamily: CHART_FONT_FAMILY, fontSize: VALUE_SIZE, fill: COLOR.text, verticalAlign: 'middle', align: 'left' },
    })),
  ];
}

/** `text`, cut with an ellipsis to fit `width` px: a long plan title must not run off the picture. */
function fitText(text: string, width: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  const chars = [...text];
  while (chars.length && textWidth(`${chars.join('')}…`, fontSize) > width) chars.pop();
  return `${chars.join('')}…`;
}

function footnoteSvg(text: string, baseline: number): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<text x="${MARGIN}" y="${baseline}" font-family="${CHART_FONT_FAMILY}" font-size="12" fill="${COLOR.muted}">${escaped}</text>`;
}

/** SVG → PNG with the bundled font alone; on a libuv thread, so callbacks keep being answered meanwhile. */
async function rasterise(svg: string): Promise<Pick<ChartImage, 'png' | 'width' | 'height'>> {
  for (const ratio of [PIXEL_RATIO, 1]) {
    const rendered = await renderAsync(svg, {
      font: { fontFiles: [CHART_FONT_FILE], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY },
      fitTo: { mode: 'zoom', value: ratio },
      background: '#ffffff',
      logLevel: 'off',
    });
    const png = rendered.asPng();
    if (png.length <= ROBOT_IMAGE_MAX_BYTES) return { png, width: rendered.width, height: rendered.height };
  }
  throw new Error(`digest chart over ${ROBOT_IMAGE_MAX_BYTES} bytes even at its smallest size`);
}
