// Tables (Word 任务分解表, Excel 分解表) → outline. The header row is found by meaning,
// wherever it starts (title rows above it, a second header row under a merged 责任单位);
// each data row is a task, a category column left of the task text is its section, a 章节
// column or a row spanning the whole table is its chapter. Codes are the table's own 序号
// when it has unique ones, else built from the path (section.item).
import { parseChineseNumeral, toAsciiDigits } from './chinese-numerals.ts';
import { parseUnitList, splitPeople, type UnitRef } from './annotations.ts';
import { isPersonWithTitle } from './cell-shapes.ts';
import { normalizeHeader, roleName, roleOfHeader, type ColumnRole } from './column-words.ts';
import { findLayout, type TableLayout } from './table-layout.ts';
import type { TableReport } from './types.ts';
import { newFragment, type Fragment, type Outline, type OutlineSection } from './outline.ts';
import { matchChapter, matchSection } from './text-outline.ts';
import { excerpt, joinLines } from './text-lines.ts';

export { findLayout, type TableLayout } from './table-layout.ts';
export type { ColumnRole } from './column-words.ts';

/**
 * Which columns hold what: the task text is the 任务内容 column, else the rightmost topic column; the
 * category (类别) column, else the topic column left of the text, is the section.
 */
function columns(roles: (ColumnRole | null)[]) {
  const all = (role: ColumnRole): number[] => roles.flatMap((r, i) => (r === role ? [i] : []));
  const text = all('text')[0] ?? all('topic').at(-1) ?? -1;
  const topics = all('topic').filter((i) => i !== text);
  const section = all('category')[0] ?? topics.at(-1) ?? -1;
  const chapter = all('chapter')[0] ?? (all('category').length === 0 && topics.length >= 2 ? (topics.at(-2) ?? -1) : -1);
  return {
    seq: all('seq')[0] ?? -1,
    chapter,
    section,
    text,
    lead: all('lead'),
    units: all('units'),
    assist: all('assist'),
    deadline: all('deadline'),
    leaders: all('leaders'),
  };
}

interface Row {
  cells: string[];
  line: number;
}

const cellAt = (row: Row, i: number): string => (i < 0 ? '' : cleanCell(row.cells[i] ?? ''));
const cleanCell = (s: string): string => s.replace(/[\u200b-\u200f\ufeff\u00a0]/g, '').replace(/\r/g, '').trim();
const cellText = (s: string): string => joinLines(s.split('\n').map((l) => l.trim()).filter((l) => l !== ''));

/** Strips "（一）" / "一、" / "1." from a category and returns the number it gave, if any. */
function numbered(label: string): { number: number | null; title: string } {
  const text = cellText(label);
  const asSection = matchSection(text) ?? matchChapter(text);
  if (asSection) return { number: asSection.number, title: asSection.rest.replace(/[。；;]$/, '') };
  const m = /^([0-9０-９]{1,3})\s*[、．.](?![0-9０-９])\s*(.+)$/.exec(text);
  if (m) return { number: Number(toAsciiDigits(m[1] ?? '')), title: (m[2] ?? '').trim() };
  return { number: null, title: text };
}

function normalizeSeq(seq: string): string {
  const s = toAsciiDigits(cellText(seq)).replace(/[\s、，,]+$/g, '').replace(/^[（(](.+)[）)]$/, '$1').replace(/[．·]/g, '.');
  if (/^\d+(\.\d+)*$/.test(s)) return s.split('.').map(Number).join('.');
  const n = parseChineseNumeral(s);
  return n !== null ? String(n) : s;
}

export interface TableContext {
  /** Where the rows above the header go (the first table's title and 文号). */
  headerLines: string[] | null;
  /** The chapter this table is under: a heading paragraph right above it, or its sheet's name. */
  chapterLabel: string | null;
  /** Units the database knows, and the roles a person gave the columns. */
  known?: ReadonlySet<string>;
  mapping?: (ColumnRole | null)[] | null;
  /** Where to report what was made of the table's columns. */
  reports?: TableReport[];
  name?: string | null;
}

/**
 * Adds the task rows of a table to the outline. Rows above the header go to
 * `context.headerLines` (title, 文号). Returns false when the table is not a task table.
 */
export function addTable(rows: string[][], outline: Outline, context: TableContext): boolean {
  const layout = findLayout(rows, { known: context.known, mapping: context.mapping });
  if (layout === null) {
    context.reports?.push(reportOf(rows, null, context.name ?? null, 0));
    return false;
  }
  let tasks = 0;
  const headerLines = context.headerLines;
  if (headerLines !== null) {
    for (const row of rows.slice(0, layout.firstHeaderRow)) {
      const distinct = [...new Set(row.map(cleanCell).filter((c) => c !== ''))];
      if (distinct.length > 0) headerLines.push(...distinct);
    }
  }
  const col = columns(layout.roles);
  const headerTexts = layout.headerRow < 0 ? [] : rows.slice(layout.firstHeaderRow, layout.headerRow + 1).map((r) => r.map(cleanCell).join('|'));
  const data: Row[] = rows
    .map((cells, i) => ({ cells, line: i + 1 }))
    .slice(layout.headerRow + 1)
    .filter((row) => row.cells.some((c) => cleanCell(c) !== '') && !headerTexts.includes(row.cells.map(cleanCell).join('|')) && !isHeaderAgain(row.cells, layout));

  // A row numbered "一" / "（二）" in the 序号 column that names no unit or deadline is a
  // category heading ("一 | 产业发展 | | "), not a task.
  const headingSeqOf = (row: Row): string | null => {
    const seq = col.seq >= 0 ? cellAt(row, col.seq) : '';
    if (!/^[（(]?[一二三四五六七八九十]{1,3}[)）]?[、.．]?$/.test(seq)) return null;
    const stated = [...col.lead, ...col.units, ...col.assist, ...col.deadline].some((i) => {
      const c = cellAt(row, i);
      return c !== '' && c !== cellAt(row, col.text);
    });
    return stated ? null : seq;
  };
  const seqOf = (row: Row): string => {
    if (headingSeqOf(row) !== null) return '';
    if (col.seq >= 0) return normalizeSeq(cellAt(row, col.seq));
    const own = /^([0-9０-９]{1,3})\s*[、．.](?![0-9０-９])/.exec(cellText(cellAt(row, col.text)));
    return own ? normalizeSeq(own[1] ?? '') : '';
  };
  const seqs = data.map(seqOf).filter((s) => s !== '');
  // One table's own 序号 are its codes; tables under several chapters number from the path.
  const seqUnique = seqs.length > 0 && new Set(seqs).size === seqs.length && context.chapterLabel === null;

  let chapter = outline.chapters.at(-1) ?? { number: 0, title: '' };
  let chapterLabel: string | null = null;
  let section: OutlineSection | null = null;
  let sectionLabel: string | null = null;
  let lastSectionNumber = outline.sections.reduce((n, s) => Math.max(n, s.number ?? 0), 0);

  const openChapter = (label: string): void => {
    const { number, title } = numbered(label);
    chapter = { number: number ?? chapter.number + 1, title };
    outline.chapters.push(chapter);
    chapterLabel = label;
    section = null;
    sectionLabel = null;
  };

  if (context.chapterLabel !== null) openChapter(context.chapterLabel);
  let unitCellsAbove: Map<number, string> | null = null;
  // Categories written in a column without a number ("地区生产总值", "白仙山水库工程"): when one covers a single
  // row it is that task's name, and the task's text starts with it.
  const namedSections = new Set<OutlineSection>();
  const namedChapters = new Set<number>();
  for (const row of data) {
    const headingSeq = headingSeqOf(row);
    if (headingSeq !== null) {
      const label = cellText(cellAt(row, col.text)) || cellText(cellAt(row, col.section));
      const number = parseChineseNumeral(headingSeq.replace(/[（()）、.．]/g, ''));
      // Under a category column it heads a chapter; otherwise it is the category itself.
      if (col.section >= 0) {
        openChapter(`${headingSeq.replace(/[、.．]$/, '')}、${label}`);
      } else {
        sectionLabel = null;
        section = openTableSection(outline, label, chapter, number ?? lastSectionNumber + 1, row.line);
        lastSectionNumber = section.number ?? lastSectionNumber;
      }
      continue;
    }
    const distinct = [...new Set(row.cells.map(cleanCell).filter((c) => c !== ''))];
    // A row merged across the whole table is a heading: "一、…" a chapter, "（一）…" a section.
    // (.doc text loses the merge, leaving a row shorter than the header with one cell.)
    const spansRow = row.cells.filter((c) => cleanCell(c) !== '').length > 1 || row.cells.length < layout.roles.length;
    if (distinct.length === 1 && spansRow && col.text >= 0) {
      const label = distinct[0] ?? '';
      if (matchSection(label) && !matchChapter(label)) {
        sectionLabel = null;
        section = openTableSection(outline, label, chapter, ++lastSectionNumber, row.line);
        lastSectionNumber = section.number ?? lastSectionNumber;
      } else {
        openChapter(label);
      }
      continue;
    }
    const chapterCell = cellAt(row, col.chapter);
    if (col.chapter >= 0 && chapterCell !== '' && chapterCell !== chapterLabel) {
      openChapter(chapterCell);
      if (numbered(chapterCell).number === null) namedChapters.add(chapter.number);
    }

    const sectionCell = cellAt(row, col.section);
    if (col.section >= 0 && sectionCell !== '' && sectionCell !== sectionLabel) {
      sectionLabel = sectionCell;
      section = openTableSection(outline, sectionCell, chapter, lastSectionNumber + 1, row.line);
      lastSectionNumber = section.number ?? lastSectionNumber;
      if (numbered(sectionCell).number === null) namedSections.add(section);
    }
    if (section === null || (col.section < 0 && section.chapter !== chapter.number)) {
      section = {
        number: null, chapter: chapter.number, chapterTitle: chapter.title, title: '', leadIn: null,
        intro: newFragment(row.line), items: [], code: null,
      };
      outline.sections.push(section);
    }

    const text = cellText(cellAt(row, col.text));
    if (text === '') {
      if (distinct.length > 0 && sectionCell === '') {
        outline.warnings.push({ kind: 'line_not_understood', message: `表格第${row.line}行未能识别：${excerpt(distinct.join(' '))}` });
      }
      continue;
    }
    // Without a 序号 column, a number the text cell starts with ("1.积极推进…") is the 序号.
    const ownNumber = col.seq < 0 ? /^([0-9０-９]{1,3})\s*[、．.](?![0-9０-９])\s*(.+)$/s.exec(text) : null;
    // A unit cell merged down over several rows reaches us filled only in its first row (a web page's
    // rowspan): a row that continues its category with every unit cell empty shares the row above's.
    const unitColumns = [...col.lead, ...col.units, ...col.assist];
    const continuesCategory = (col.section < 0 || sectionCell === '') && (col.chapter < 0 || chapterCell === '');
    let taskRow = row;
    if (unitColumns.length > 0 && unitColumns.every((i) => cellAt(row, i) === '') && continuesCategory && unitCellsAbove !== null) {
      const cells = [...row.cells];
      for (const [i, value] of unitCellsAbove) cells[i] = value;
      taskRow = { ...row, cells };
      outline.warnings.push({ kind: 'units_from_merged_cell', message: `表格第${row.line}行责任单位为空，按合并单元格沿用上一行：${excerpt([...unitCellsAbove.values()].join(' '))}` });
    }
    if (unitColumns.some((i) => cellAt(row, i) !== '')) unitCellsAbove = new Map(unitColumns.map((i) => [i, cellAt(row, i)]));
    const fragment = rowFragment(taskRow, col, ownNumber ? (ownNumber[2] ?? '') : text);
    const seq = ownNumber ? normalizeSeq(ownNumber[1] ?? '') : col.seq < 0 ? '' : normalizeSeq(cellAt(row, col.seq));
    const current: OutlineSection = section;
    const ordinal = current.items.length + 1;
    const itemNumber = /^\d+(\.\d+)*$/.test(seq) ? Number(seq.split('.').at(-1)) : ordinal;
    tasks++;
    current.items.push({ number: itemNumber, code: seqUnique && seq !== '' ? seq : null, body: fragment });
  }
  context.reports?.push(reportOf(rows, layout, context.name ?? null, tasks));
  // A category with a single row is one task, like a section without items in a text plan.
  // A column that groups rows anywhere in the table is a grouping column throughout (the seed's 重点任务);
  // only a column with one value per row names its rows.
  const tasksPerChapter = new Map<number, number>();
  for (const s of outline.sections) tasksPerChapter.set(s.chapter, (tasksPerChapter.get(s.chapter) ?? 0) + s.items.length);
  const namesRows = {
    chapters: namedChapters.size > 0 && [...namedChapters].every((c) => tasksPerChapter.get(c) === 1),
    sections: namedSections.size > 0 && [...namedSections].every((sec) => sec.items.length === 1),
  };
  for (const s of outline.sections) {
    if (s.number === null || s.items.length !== 1 || s.intro.lines.length > 0) continue;
    const only = s.items[0]!;
    const names = [
      namedChapters.has(s.chapter) && namesRows.chapters ? s.chapterTitle : '',
      namedSections.has(s) && namesRows.sections ? s.title : '',
    ].filter((n) => n !== '' && n.length <= 40 && !only.body.lines.join('').includes(n));
    const joined = (a: string, b: string): string => `${a}${/[。；;，,：:！？]$/.test(a) ? '' : '：'}${b}`;
    if (names.length > 0) only.body.lines = [[...names, only.body.lines.join('')].reduce(joined)];
    s.intro = only.body;
    s.code = only.code;
    s.items = [];
  }
  return true;
}

function openTableSection(
  outline: Outline, label: string, chapter: { number: number; title: string }, fallbackNumber: number, line: number,
): OutlineSection {
  const { number, title } = numbered(label);
  const section: OutlineSection = {
    number: number ?? fallbackNumber, chapter: chapter.number, chapterTitle: chapter.title, title, leadIn: null,
    intro: newFragment(line), items: [], code: null,
  };
  outline.sections.push(section);
  return section;
}

/** A task row's text with what its columns state: units, deadline, leaders. */
function rowFragment(row: Row, col: ReturnType<typeof columns>, text: string): Fragment {
  const fragment = newFragment(row.line, [text]);
  fragment.units = rowUnits(row, col);
  fragment.deadlineTexts = col.deadline.map((i) => cellText(cellAt(row, i))).filter((s) => s !== '' && !/^(无|\/|—+|-+)$/.test(s));
  fragment.leaders = [...col.leaders.flatMap((i) => splitPeople(cellAt(row, i).replace(/\n/g, '、'))), ...peopleInUnitColumns(row, col)];
  return fragment;
}

/** Units of a row with their roles: 牵头 columns lead; 责任单位 beside a 牵头 column assists. People with titles are left out. */
function rowUnits(row: Row, col: ReturnType<typeof columns>): UnitRef[] {
  const read = (indexes: number[], lead: boolean): UnitRef[] =>
    indexes.flatMap((i) => parseUnitList(cellAt(row, i).replace(/\n/g, '、'), lead)).filter((u) => !isPersonWithTitle(u.name));
  // 责任单位 beside a 配合单位 column, with no 牵头 column, is the lead.
  const unitsLead = col.lead.length === 0 && col.assist.length > 0;
  return [...read(col.lead, true), ...read(col.units, unitsLead), ...read(col.assist, false)];
}

/** People with titles written in a unit column (张书记): the task's leaders. */
function peopleInUnitColumns(row: Row, col: ReturnType<typeof columns>): string[] {
  return [...col.lead, ...col.units, ...col.assist].flatMap((i) => splitPeople(cellAt(row, i).replace(/\n/g, '、')).filter(isPersonWithTitle));
}

/**
 * The header again, as a page break in Word or a pasted block repeats it, or a second header row: every
 * filled cell is a header word, or the text cell holds the header's own text.
 */
function isHeaderAgain(cells: string[], layout: TableLayout): boolean {
  const filled = cells.map(cleanCell).filter((c) => c !== '');
  if (filled.length >= 2 && filled.every((c) => c.length <= 12 && roleOfHeader(c) !== null)) return true;
  const text = layout.roles.findIndex((r) => r === 'text') >= 0 ? layout.roles.findIndex((r) => r === 'text') : layout.roles.lastIndexOf('topic');
  const header = layout.columns[text]?.header ?? '';
  return text >= 0 && header !== '' && cleanCell(cells[text] ?? '').replace(/\s+/g, '') === header;
}

/** The header of a table no role was found for: the row above its first sentence, as a mapping will take it. */
function seenHeader(rows: string[][]): string[] {
  const several = (r: string[] | undefined): boolean => r !== undefined && new Set(r.map(cleanCell).filter((c) => c !== '')).size >= 2;
  const firstSentence = rows.findIndex((r) => r.some((c) => { const t = cleanCell(c); return t.length > 14 || /[，。；,;：:]/.test(t); }));
  if (firstSentence > 0 && several(rows[firstSentence - 1])) return rows[firstSentence - 1]!;
  return rows.slice(0, 15).find(several) ?? [];
}

const letterOf = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `${String.fromCharCode(64 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`);

/** The report of a table read as no task table (a tab-separated paste that reads better as text). */
export function reportUnreadTable(rows: string[][], name: string | null = null): TableReport {
  return reportOf(rows, null, name, 0);
}

/** What was made of a table's columns, for the person importing it to check or correct. */
function reportOf(rows: string[][], layout: TableLayout | null, name: string | null, tasks: number): TableReport {
  const headers = layout === null ? seenHeader(rows).map((c) => normalizeHeader(cleanCell(c))) : layout.columns.map((c) => c.header);
  const columns = headers.map((header, i) => {
    const role = layout?.roles[i] ?? null;
    return { letter: letterOf(i), header, role: roleName(role), confidence: Math.round((layout?.columns[i]?.confidence ?? 0) * 100) / 100 };
  });
  return { name, headerRow: layout === null ? 0 : layout.headerRow + 1, by: layout?.by ?? null, columns, headerKey: headers.join('|'), tasks };
}
