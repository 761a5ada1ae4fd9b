// The 督查通报 as a .docx (the `docx` library): a draft the 党政办 edits, laid out as a 公文 after GB/T 9704-2012
// as far as the fonts allow. Plain paragraphs, one table, page numbers in the footer: no text boxes, no shapes, no
// fields beyond the page number, so Word, WPS and LibreOffice open it alike.
//
// Layout (GB/T 9704): A4; top margin 37 mm, left 28 mm, type area 156 × 225 mm (right 26 mm, bottom 35 mm);
// body in 3号 (16 pt), 28 pt fixed line pitch (22 lines a page); the title in 2号 (22 pt); 一级标题 黑体, 二级 楷体;
// page numbers "— 1 —" in 4号 (14 pt), right on odd pages and left on even ones.
import {
  AlignmentType, BorderStyle, Document, Footer, LineRuleType, Packer, PageNumber, Paragraph, Table, TableCell, TableLayoutType,
  TableRow, TabStopType, TextRun, VerticalAlign, WidthType,
} from 'docx';
import { formatLocal } from '../domain/period.ts';
import type { DepartmentScore } from '../domain/scores.ts';
import type { ExtendedItem, Figures, PeriodReview, ReviewItem } from './review.ts';

/**
 * The fonts a 公文 names, and what stands in where they are missing. The document names the first; Word and WPS
 * substitute a font they lack by its script (these are all GB2312 fonts), LibreOffice through fontconfig, which
 * picks an installed CJK face (Noto Serif / Sans CJK SC on a Debian server). Digits and Latin letters use Times
 * New Roman, as GB/T 9704's examples do.
 */
export const BULLETIN_FONTS = {
  title: { name: '方正小标宋简体', fallbacks: ['华文中宋', '宋体 (SimSun)', 'Noto Serif CJK SC'] },
  body: { name: '仿宋_GB2312', fallbacks: ['仿宋 (FangSong)', 'Noto Serif CJK SC'] },
  heading: { name: '黑体', fallbacks: ['SimHei', 'Noto Sans CJK SC'] },
  subheading: { name: '楷体_GB2312', fallbacks: ['楷体 (KaiTi)', 'Noto Serif CJK SC'] },
  pageNumber: { name: '宋体', fallbacks: ['SimSun', 'Noto Serif CJK SC'] },
  latin: 'Times New Roman',
} as const;

const MM = 56.6929; // twips per millimetre
const PT = 20; // twips per point
const SIZE = { chu: 84, xiaochu: 72, er: 44, san: 32, si: 28, xiaosi: 24 }; // half-points: 初号, 小初, 2号, 3号, 4号, 小四
const LINE = 28 * PT; // fixed line pitch of the body
const INDENT = 2 * 16 * PT; // two characters of 3号
const RED = 'C00000';
const TYPE_WIDTH = Math.round(156 * MM);
/** Long lists stop here; the 台账 has every row. */
export const LIST_LIMIT = 30;

type FontKey = Exclude<keyof typeof BULLETIN_FONTS, 'latin'>;

function run(text: string, font: FontKey, size: number, extra: { bold?: boolean; color?: string } = {}): TextRun {
  return new TextRun({ text, size, font: { eastAsia: BULLETIN_FONTS[font].name, ascii: BULLETIN_FONTS.latin, hAnsi: BULLETIN_FONTS.latin }, ...extra });
}

function body(text: string | TextRun[], opts: { indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {}): Paragraph {
  return new Paragraph({
    children: typeof text === 'string' ? [run(text, 'body', SIZE.san)] : text,
    alignment: opts.align ?? AlignmentType.JUSTIFIED,
    indent: opts.indent === false ? undefined : { firstLine: INDENT },
    spacing: { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 },
  });
}

function heading(text: string): Paragraph {
  return body([run(text, 'heading', SIZE.san)]);
}

function subheading(text: string): Paragraph {
  return body([run(text, 'subheading', SIZE.san)]);
}

const pct = (n: number | null) => (n === null ? '—' : `${n}%`);

/** "82%（上月 75%，上升 7 个百分点）". */
function change(now: number | null, before: number | null, word: string, unit: '%' | '项' | '次'): string {
  const shown = (n: number | null) => (n === null ? '—' : `${n}${unit === '%' ? '%' : ` ${unit}`}`);
  if (before === null) return `${shown(now)}（${word}无可比数据）`;
  if (now === null) return `${shown(now)}（${word}${shown(before)}）`;
  const d = now - before;
  const diff = unit === '%' ? `${Math.abs(d)} 个百分点` : `${Math.abs(d)} ${unit}`;
  return `${shown(now)}（${word}${shown(before)}，${d === 0 ? '持平' : `${d > 0 ? '增加' : '减少'} ${diff}`}）`;
}

function overall(review: PeriodReview): Paragraph[] {
  const f: Figures = review.figures;
  const p: Figures = review.previousFigures;
  const word = review.period.kind === 'month' ? '上月' : review.period.kind === 'quarter' ? '上季度' : '上年';
  const rate = (x: Figures) => x.reportRate;
  return [
    body(`${review.period.label}，${review.plans.map((x) => `《${x.title}》`).join('、')}共 ${f.tasks} 项任务、${f.cells} 个责任事项纳入督办。` +
      `各单位应报进展 ${f.expected} 项次，按时汇报 ${f.reported} 项次，汇报率 ${change(rate(f), rate(p), word, '%')}。`),
    body(`本期销号 ${change(f.closed, p.closed, word, '项')}，其中按期办结 ${f.closedOnTime} 项，按时完成率 ${change(f.onTimeRate, p.onTimeRate, word, '%')}；` +
      `期末超期未完成 ${change(f.overdue, p.overdue, word, '项')}，受阻 ${change(f.blocked, p.blocked, word, '项')}，审核退回 ${change(f.returned, p.returned, word, '次')}。`),
  ];
}

const COLUMNS: Array<{ title: string; width: number; value: (d: DepartmentScore, rank: number) => string }> = [
  { title: '排名', width: 700, value: (_d, rank) => String(rank) },
  { title: '单位', width: 1900, value: (d) => d.department },
  { title: '汇报率', width: 1150, value: (d) => pct(d.reportRate) },
  { title: '按时完成率', width: 1450, value: (d) => pct(d.onTimeRate) },
  { title: '超期（项）', width: 1150, value: (d) => String(d.overdue) },
  { title: '退回（次）', width: 1150, value: (d) => String(d.returned) },
  { title: '考核得分', width: TYPE_WIDTH - 700 - 1900 - 1150 - 1450 - 1150 - 1150, value: (d) => formatScore(d.score) },
];

/** 100, 98.5, 97.25: as few decimals as the score has. */
export function formatScore(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** The ranking's rows as the table shows them (also what tests compare with the 台账 and the page). */
export function rankingRows(review: PeriodReview): string[][] {
  return review.scores.map((d, i) => COLUMNS.map((c) => c.value(d, i + 1)));
}

export const RANKING_HEADER = COLUMNS.map((c) => c.title);

function cell(text: string, width: number, header: boolean): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    margins: { top: 40, bottom: 40, left: 60, right: 60 },
    children: [new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { line: 24 * PT, lineRule: LineRuleType.AT_LEAST, before: 0, after: 0 },
      children: [run(text, header ? 'heading' : 'body', SIZE.xiaosi)],
    })],
  });
}

function rankingTable(review: PeriodReview): Table {
  const line = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  return new Table({
    width: { size: TYPE_WIDTH, type: WidthType.DXA },
    columnWidths: COLUMNS.map((c) => c.width),
    layout: TableLayoutType.FIXED,
    alignment: AlignmentType.CENTER,
    borders: { top: line, bottom: line, left: line, right: line, insideHorizontal: line, insideVertical: line },
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: COLUMNS.map((c) => cell(c.title, c.width, true)) }),
      ...rankingRows(review).map((cells) => new TableRow({ cantSplit: true, children: cells.map((t, i) => cell(t, COLUMNS[i]!.width, false)) })),
    ],
  });
}

/** "1. 任务 14“…”（司法所）：超期 120 天；原因：…；最新进展（11月20日）：…。" */
export function itemText(i: number, item: ReviewItem): string {
  const detail = [...(item.marks.length ? [item.marks.join('、')] : []), ...(item.reason ? [`原因：${item.reason}`] : [])];
  detail.push(item.note ? `最新进展（${item.noteAt}）：${item.note}` : '尚未报送进展');
  return `${i + 1}. 任务 ${item.code}“${item.title}”（${item.department}）：${detail.join('；')}。`;
}

/** "1. 任务 14“…”（司法所）：完成时限由2021年年底前延至 2026-12-31。": the 通报's and the 考核 page's 延期 line. */
export function extendedText(i: number, e: ExtendedItem): string {
  return `${i + 1}. 任务 ${e.code}“${e.title}”（${e.department}）：完成时限由${e.original ?? '未定'}延至 ${e.deadline}。`;
}

function list(items: ReviewItem[], none: string): Paragraph[] {
  if (items.length === 0) return [body(none)];
  const shown = items.slice(0, LIST_LIMIT).map((it, i) => body(itemText(i, it)));
  if (items.length > LIST_LIMIT) shown.push(body(`另有 ${items.length - LIST_LIMIT} 项，详见督办台账。`));
  return shown;
}

export interface BulletinOptions {
  /** 成文日期: the day it is generated. */
  date: Date;
}

export function bulletinDocument(review: PeriodReview, opts: BulletinOptions): Document {
  const date = formatLocal(opts.date, 'YYYY年M月D日');
  const year = formatLocal(opts.date, 'YYYY');
  const overdue = review.attention.filter((a) => a.marks.some((m) => m.startsWith('超期')));
  const blocked = review.attention.filter((a) => a.marks.includes('受阻'));
  const returned = review.attention.filter((a) => a.marks.includes('退回'));
  const pageNumber = (align: (typeof AlignmentType)[keyof typeof AlignmentType]) => new Footer({
    children: [new Paragraph({
      alignment: align,
      indent: align === AlignmentType.RIGHT ? { right: 14 * PT } : { left: 14 * PT },
      children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], size: SIZE.si, font: { eastAsia: BULLETIN_FONTS.pageNumber.name, ascii: BULLETIN_FONTS.latin, hAnsi: BULLETIN_FONTS.latin } })],
    })],
  });
  const children: Array<Paragraph | Table> = [
    // 版头: 发文机关标志 in red, 发文字号 (a placeholder the 党政办 fills in), the red separating line.
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after: 0, line: 60 * PT, lineRule: LineRuleType.EXACT }, children: [run('督 查 通 报', 'title', SIZE.xiaochu, { color: RED })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 12 * PT, after: 0, line: LINE, lineRule: LineRuleType.EXACT }, children: [run(`督通〔${year}〕  号`, 'body', SIZE.san)] }),
    new Paragraph({
      spacing: { before: 0, after: 0, line: LINE, lineRule: LineRuleType.EXACT },
      tabStops: [{ type: TabStopType.RIGHT, position: TYPE_WIDTH }],
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: RED, space: 4 } },
      children: [run(review.office, 'body', SIZE.san), run(`\t${date}`, 'body', SIZE.san)],
    }),
    new Paragraph({ spacing: { before: 0, after: 0, line: LINE, lineRule: LineRuleType.EXACT }, children: [] }),
    // 标题
    new Paragraph({
      alignment: AlignmentType.CENTER, spacing: { before: 0, after: LINE, line: 35 * PT, lineRule: LineRuleType.EXACT },
      children: [run(`${review.period.label}督查督办情况通报`, 'title', SIZE.er)],
    }),
    body('各部门、各单位：', { indent: false }),
    body(`现将${review.period.label}重点工作督查督办情况通报如下。`),
    heading('一、总体情况'),
    ...overall(review),
    heading('二、各单位推进情况排名'),
    body(`按考核得分排序（得分相同的按汇报率排序）。汇报率为按时汇报项次占应报项次的比例；按时完成率为按期办结项数占本期销号与期末超期项数之和的比例；考核得分按《考核细则》计算，明细见督办助手“考核”页面和督办台账“考核得分”表。`),
    rankingTable(review),
    heading('三、完成较好的事项'),
    body(`以下事项本期按期办结并销号，予以通报表扬。`),
    ...list(review.wellDone, '本期没有按期办结销号的事项。'),
    heading('四、需要关注的事项'),
    subheading('（一）超期未完成事项'),
    ...list(overdue, '本期末没有超期未完成的事项。'),
    subheading('（二）推进受阻事项'),
    ...list(blocked, '本期末没有推进受阻的事项。'),
    subheading('（三）审核退回事项'),
    ...list(returned, '本期末没有退回待整改的事项。'),
    ...(review.extended.length ? [
      subheading('（四）批准延期事项'),
      ...review.extended.slice(0, LIST_LIMIT).map((e, i) => body(extendedText(i, e))),
    ] : []),
    heading('五、下一步工作'),
    ...review.nextSteps.map((s, i) => body(`${i + 1}. ${s}`)),
    // 署名 and 成文日期, right-aligned with four characters' room as GB/T 9704 sets them.
    body('', { indent: false }),
    body('', { indent: false }),
    new Paragraph({ alignment: AlignmentType.RIGHT, indent: { right: 4 * 16 * PT }, spacing: { line: LINE, lineRule: LineRuleType.EXACT }, children: [run(review.office, 'body', SIZE.san)] }),
    new Paragraph({ alignment: AlignmentType.RIGHT, indent: { right: 4 * 16 * PT }, spacing: { line: LINE, lineRule: LineRuleType.EXACT }, children: [run(date, 'body', SIZE.san)] }),
  ];
  return new Document({
    creator: '督办助手',
    title: `${review.period.label}督查通报`,
    evenAndOddHeaderAndFooters: true,
    styles: { default: { document: { run: { font: { eastAsia: BULLETIN_FONTS.body.name, ascii: BULLETIN_FONTS.latin, hAnsi: BULLETIN_FONTS.latin }, size: SIZE.san } } } },
    sections: [{
      properties: {
        page: {
          size: { width: Math.round(210 * MM), height: Math.round(297 * MM) },
          margin: { top: Math.round(37 * MM), bottom: Math.round(35 * MM), left: Math.round(28 * MM), right: Math.round(26 * MM), header: Math.round(15 * MM), footer: Math.round(25 * MM) },
        },
      },
      footers: { default: pageNumber(AlignmentType.RIGHT), even: pageNumber(AlignmentType.LEFT) },
      children,
    }],
  });
}

/** The 通报's bytes. */
export async function bulletinDocx(review: PeriodReview, opts: BulletinOptions): Promise<Buffer> {
  return Packer.toBuffer(bulletinDocument(review, opts));
}

/** "2026年11月督查通报.docx". */
export function bulletinFileName(review: Pick<PeriodReview, 'period'>): string {
  return `${review.period.label}督查通报.docx`;
}
