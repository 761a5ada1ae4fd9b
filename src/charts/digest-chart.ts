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
const HEADER = 152;
const ROW = 26;
const FOOTNOTE_LINE = 20;
/** Drawn at twice the layout size so the text stays sharp when WeCom shows it full screen. */
const PIXEL_RATIO = 2;

const COLOR = { red: '#e5484d', yellow: '#f5a524', green: '#30a46c', done: '#3e63dd', text: '#1c2024', muted: '#60646c', line: '#8b8d98' };
const LIGHT_LABEL: Record<Light, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', done: '已完成' };

/** At a glance: green when everyone reported, amber from 60 %, red below. */
function barColor(rate: number): string {
  return rate >= 100 ? COLOR.green : rate >= 60 ? COLOR.yellow : COLOR.red;
}

function fontSizeOf(font: string | undefined): number {
  const m = /(\d+(?:\.\d+)?)px/.exec(font ?? '');
  return m ? Number(m[1]) : 12;
}

export async function renderDigestChart(view: DigestChartView): Promise<ChartImage> {
  const shown = view.departments.slice(0, MAX_BARS);
  const hidden = view.departments.length - shown.length;
  const title = `各部门汇报率｜${view.week}`;
  const subtitle = `${fitText(view.plan, WIDTH - 2 * MARGIN - textWidth(`　${view.range}`, 13), 13)}　${view.range}`;
  const total = `整体汇报率 ${view.rate}%（${view.reported}/${view.expected}）`;
  const lightItems = (['red', 'yellow', 'green', 'done'] as const).map((l) => ({ light: l, text: `${LIGHT_LABEL[l]} ${view.lights[l]}` }));
  const label = (d: DigestChartView['departments'][number]) => `${d.rate}%（${d.reported}/${d.expected}）`;
  const footnotes = [
    ...(hidden > 0 ? [`只画出汇报率最低的 ${shown.length} 个部门，另有 ${hidden} 个见文字周报`] : []),
    shown.length ? '条形颜色：绿 全部已报　黄 60% 及以上　红 不足 60%　虚线：整体汇报率' : '本周没有需要汇报的任务',
  ];
  // Below the plot: the x-axis labels, then one line per footnote.
  const footer = 44 + footnotes.length * FOOTNOTE_LINE;

  const height = HEADER + Math.max(shown.length, 1) * ROW + footer;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  let svg: string;
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: CHART_FONT_FAMILY },
      title: {
        text: title, subtext: subtitle, left: MARGIN, top: 14,
        textStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 20, color: COLOR.text },
        subtextStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 13, color: COLOR.muted },
      },
      graphic: headerGraphics(total, lightItems),
      // 'same': the axis labels stay inside these margins (what containLabel did before ECharts 6).
      grid: { left: MARGIN, right: MARGIN + 8, top: HEADER, bottom: footer - 8, outerBoundsMode: 'same' },
      xAxis: {
        type: 'value', min: 0, max: 100, interval: 20,
        axisLabel: { formatter: '{value}%', fontFamily: CHART_FONT_FAMILY, color: COLOR.muted, fontSize: 12 },
        splitLine: { lineStyle: { color: '#e8e8ec' } },
      },
      yAxis: {
        type: 'category', inverse: true, data: shown.map((d) => d.name),
        axisTick: { show: false }, axisLine: { lineStyle: { color: '#cdced6' } },
        axisLabel: { fontFamily: CHART_FONT_FAMILY, fontSize: 13, color: COLOR.text, interval: 0 },
      },
      series: [{
        type: 'bar', barWidth: 16,
        data: shown.map((d) => ({ value: d.rate, itemStyle: { color: barColor(d.rate), borderRadius: [0, 3, 3, 0] } })),
        label: {
          show: true, position: 'insideLeft', distance: 4, fontFamily: CHART_FONT_FAMILY, fontSize: 12, color: COLOR.text,
          // Inside the plot, at the bar's start, so a 100 % bar's label never runs off the picture.
          formatter: (p: { dataIndex: number }) => label(shown[p.dataIndex]!),
        },
        markLine: shown.length ? {
          silent: true, symbol: 'none',
          lineStyle: { color: COLOR.line, type: 'dashed', width: 1 },
          label: { show: false },
          data: [{ xAxis: view.rate }],
        } : undefined,
      }],
    });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const footnoteTop = height - 8 - footnotes.length * FOOTNOTE_LINE;
  svg = svg.replace('</svg>', `${footnotes.map((f, i) => footnoteSvg(f, footnoteTop + (i + 1) * FOOTNOTE_LINE - 6)).join('')}</svg>`);

  const drawn = [title, subtitle, total, ...footnotes, '任务状态灯', ...lightItems.map((i) => i.text), ...shown.flatMap((d) => [d.name, label(d)]), '0%20%40%60%80%100%'].join('');
  const image = await rasterise(svg);
  return { ...image, missingGlyphs: missingGlyphs(drawn), omittedDepartments: hidden };
}

/** The overall rate, and on the line below the four light counts, under the title. */
function headerGraphics(total: string, items: Array<{ light: Light; text: string }>) {
  const size = 14;
  const graphics: object[] = [
    { type: 'text', left: MARGIN, top: 76, style: { text: total, fontFamily: CHART_FONT_FAMILY, fontSize: 16, fill: COLOR.text } },
  ];
  const y = 108;
  let x = MARGIN;
  graphics.push({ type: 'text', left: x, top: y - 2, style: { text: '任务状态灯', fontFamily: CHART_FONT_FAMILY, fontSize: size, fill: COLOR.muted } });
  x += textWidth('任务状态灯', size) + 14;
  for (const item of items) {
    graphics.push({ type: 'circle', shape: { cx: x + 6, cy: y + 8, r: 6 }, style: { fill: COLOR[item.light] } });
    graphics.push({ type: 'text', left: x + 16, top: y - 2, style: { text: item.text, fontFamily: CHART_FONT_FAMILY, fontSize: size, fill: COLOR.text } });
    x += 16 + textWidth(item.text, size) + 18;
  }
  return graphics;
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
