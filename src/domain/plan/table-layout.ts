// Where a task table's header is and what each column holds. Three ways, tried in order:
//   a mapping the person gave (--columns, the web preview's choice per column, one remembered);
//   header words that make a task table (序号 | 重点任务 | 责任单位 | 完成时限), checked against the cells;
//   the cells alone, under a header of any words (农村人居环境整治提升 | 承担部门 | 节点).
// Title rows and notes above the header are skipped; a header written over two rows (责任 / 科室,
// 责任单位 over 牵头单位 | 配合单位) is read as one.
import { looksLikeDeadlineCell, looksLikeNumberCell, looksLikeUnitCell } from './cell-shapes.ts';
import { judgeColumns, type ColumnJudgement } from './column-evidence.ts';
import { normalizeHeader, roleOfHeader, type ColumnRole } from './column-words.ts';

export interface TableLayout {
  headerRow: number; // index of the last header row; -1 when the table has none
  firstHeaderRow: number;
  roles: (ColumnRole | null)[];
  columns: ColumnJudgement[];
  /** How the roles were found. */
  by: 'mapping' | 'words' | 'cells';
}

export interface LayoutOptions {
  known?: ReadonlySet<string>;
  /** Roles by column index, from a person; columns it leaves out are not used. */
  mapping?: (ColumnRole | null)[] | null;
}

const SCAN_ROWS = 15;
const clean = (s: string): string => s.replace(/[\u200b-\u200f\ufeff\u00a0]/g, '').replace(/\r/g, '').trim();
const distinctCells = (row: string[]): string[] => [...new Set(row.map(clean).filter((c) => c !== ''))];
const isSentence = (s: string): boolean => s.length > 14 || /[，。；,;：:]/.test(s);

/** Finds the header row(s) of a task table and the role of each column, or null when it is not one. */
export function findLayout(rows: string[][], opts: LayoutOptions = {}): TableLayout | null {
  const known = opts.known ?? new Set<string>();
  const found = byWords(rows, known) ?? byCells(rows, known);
  if (opts.mapping) return byMapping(rows, opts.mapping, found);
  return found;
}

/**
 * The header over each column: the rows of a multi-row header joined (repeats once), and the role its
 * words name — the lower row's (牵头单位 under 责任单位), else the rows' together (责任 + 科室), else the upper's.
 */
function headerTexts(rows: string[][], first: number, last: number): { text: string; word: ColumnRole | null }[] {
  const width = Math.max(0, ...rows.slice(first, last + 1).map((r) => r.length));
  return Array.from({ length: width }, (_, c) => {
    const parts: string[] = [];
    for (let r = first; r <= last; r++) {
      const cell = normalizeHeader(clean(rows[r]?.[c] ?? ''));
      if (cell !== '' && parts.at(-1) !== cell) parts.push(cell);
    }
    const text = parts.join('');
    return { text, word: roleOfHeader(parts.at(-1) ?? '') ?? roleOfHeader(text) ?? roleOfHeader(parts[0] ?? '') };
  });
}

/** Rows below the header that carry content: not spans across the table, not the header again. */
function dataRows(rows: string[][], headerRow: number): string[][] {
  const header = rows[headerRow]?.map(clean).join('|');
  return rows.slice(headerRow + 1, headerRow + 61).filter((r) => distinctCells(r).length > 1 && r.map(clean).join('|') !== header);
}

function byWords(rows: string[][], known: ReadonlySet<string>): TableLayout | null {
  for (let r = 0; r < Math.min(rows.length, SCAN_ROWS); r++) {
    const words = (rows[r] ?? []).map(roleOfHeader);
    const named = new Set(words.filter((x) => x !== null));
    const hasUnits = named.has('units') || named.has('lead') || named.has('assist');
    if (!named.has('topic') || !(hasUnits || named.has('deadline') || named.has('seq'))) continue;
    const last = subHeader(rows, r, words) ? r + 1 : r;
    const headers = headerTexts(rows, r, last);
    const columns = judgeColumns(headers, dataRows(rows, last), known, true);
    // The words made it a task table: the cells may move a column, never leave it without a task text.
    if (!columns.some((c) => c.role === 'topic' || c.role === 'text')) columns.forEach((c, i) => (c.role = headers[i]?.word ?? c.role));
    // A column of much longer text under a word not taught ("主要举措" beside "目标任务") is the task text;
    // the named topic column becomes its section.
    const textAt = columns.reduce((best, c, i) => (c.role === 'topic' || c.role === 'text' ? i : best), -1);
    const longer = columns.findIndex((c) => c.role === null && c.cells === 'topic' && (c.length ?? 0) >= Math.max(10, 1.5 * (columns[textAt]?.length ?? 0)));
    if (longer >= 0 && columns[longer]) columns[longer] = { ...columns[longer], role: 'text', confidence: 0.6 };
    return { headerRow: last, firstHeaderRow: r, roles: columns.map((c) => c.role), columns, by: 'words' };
  }
  return null;
}

/**
 * A second header row under merged cells: 责任单位 over 牵头单位 | 配合单位, or a word broken over two
 * rows (责任 / 科室). Every cell of it names a column, repeats the cell above, or completes it.
 */
function subHeader(rows: string[][], r: number, words: (ColumnRole | null)[]): boolean {
  const cells = rows[r + 1] ?? [];
  if (cells.length === 0) return false;
  const upper = (rows[r] ?? []).map((c) => normalizeHeader(clean(c)));
  const lower = cells.map((c) => normalizeHeader(clean(c)));
  const roleAt = (i: number): ColumnRole | null => roleOfHeader(lower[i] ?? '') ?? (lower[i] !== upper[i] ? roleOfHeader(`${upper[i] ?? ''}${lower[i] ?? ''}`) : null);
  const differs = lower.some((cell, i) => cell !== '' && cell !== upper[i] && roleAt(i) !== null && roleAt(i) !== words[i]);
  const allHeader = lower.every((cell, i) => cell === '' || cell === upper[i] || roleAt(i) !== null);
  return differs && allHeader;
}

function byCells(rows: string[][], known: ReadonlySet<string>): TableLayout | null {
  for (let r = 0; r < Math.min(rows.length, SCAN_ROWS); r++) {
    const row = rows[r] ?? [];
    const cells = distinctCells(row);
    if (cells.length < 2 || cells.some((c) => c.length > 20)) continue;
    let last = r;
    const next = rows[r + 1] ?? [];
    // A second header row: short words only, under a header that is not yet complete.
    // A data row of short cells is not one: its number, units or deadline give it away.
    const headerLike = (c: string): boolean =>
      c === '' || roleOfHeader(c) !== null || (c.length <= 8 && !/[，。；]/.test(c) && !looksLikeNumberCell(c) && !looksLikeDeadlineCell(c) && !looksLikeUnitCell(c));
    if (distinctCells(next).length >= 1 && next.every((c) => headerLike(clean(c))) && next.some((c, i) => clean(c) !== '' && clean(c) !== clean(row[i] ?? ''))) last = r + 1;
    const data = dataRows(rows, last);
    if (data.length === 0) continue;
    const columns = judgeColumns(headerTexts(rows, r, last), data, known, false);
    const text = textColumn(columns, data);
    if (text < 0 || !columns.some((c) => c.role !== null && ['units', 'lead', 'assist', 'deadline'].includes(c.role))) continue;
    if (isSentence(clean(row[text] ?? ''))) continue; // the row is a task itself: there is no header above it
    columns.forEach((c, i) => {
      if (c.role === 'topic' && i !== text) c.role = 'category';
    });
    if (columns[text]) columns[text].role = 'text';
    return { headerRow: last, firstHeaderRow: r, roles: columns.map((c) => c.role), columns, by: 'cells' };
  }
  return null;
}

/** The task text: of the text columns, the one with the longest cells. */
function textColumn(columns: ColumnJudgement[], data: string[][]): number {
  let best = -1;
  let bestLength = 0;
  columns.forEach((c, i) => {
    if (c.role !== 'topic') return;
    const length = data.reduce((s, r) => s + clean(r[i] ?? '').length, 0);
    if (length > bestLength) [best, bestLength] = [i, length];
  });
  return best;
}

function byMapping(rows: string[][], mapping: (ColumnRole | null)[], found: TableLayout | null): TableLayout | null {
  const text = mapping.findIndex((m) => m === 'text') >= 0 ? mapping.findIndex((m) => m === 'text') : mapping.lastIndexOf('topic');
  if (text < 0) return null;
  let headerRow = found?.headerRow ?? -1;
  let firstHeaderRow = found?.firstHeaderRow ?? 0;
  if (found === null) {
    // The header is the row right above the first row whose task cell is a sentence.
    headerRow = rows.findIndex((r) => isSentence(clean(r[text] ?? ''))) - 1;
    if (headerRow < -1) return null;
    firstHeaderRow = Math.max(headerRow, 0);
  }
  const headers = headerRow < 0 ? [] : headerTexts(rows, firstHeaderRow, headerRow).map((h) => h.text);
  const width = Math.max(mapping.length, ...rows.map((r) => r.length));
  const roles = Array.from({ length: width }, (_, i) => mapping[i] ?? null);
  return { headerRow, firstHeaderRow, roles, columns: roles.map((role, i) => ({ role, confidence: 1, header: headers[i] ?? '' })), by: 'mapping' };
}
