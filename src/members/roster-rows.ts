// Reading a roster file into rows, before anything is checked against the database. Rosters are
// kept by office staff in Excel or WPS: the header may be Chinese, lists may use 、 or full-width
// punctuation, and a file saved as "CSV" may be GBK rather than UTF-8. Pure: text in, rows out.
import { parse as parseCsv } from 'csv-parse/sync';
import type { Role } from '../domain/vocabulary.ts';

export interface RosterRow {
  /** CSV: the line in the file (the header is line 1). JSON: the element's position, from 1. */
  row: number;
  userid: string;
  name: string;
  /** undefined when the cell is empty: the member's departments stay as they are. */
  departments?: string[];
  /** Raw words as written (admin, 管理员 …); undefined when the cell is empty. */
  roles?: string[];
}

export interface RosterProblem {
  /** null when the problem is the whole file (unreadable, bad header). */
  row: number | null;
  userid?: string;
  message: string;
}

export type RosterFormat = 'csv' | 'json';

const LIST_SEPARATORS = /[、;；|｜，,]/;

/** "经贸办、统计站" or "经贸办；统计站" → names; empty parts dropped. */
export function splitCell(cell: string): string[] {
  return cell.split(LIST_SEPARATORS).map((s) => s.trim()).filter(Boolean);
}

const ROLE_WORDS: Record<string, Role> = {
  member: 'member', 成员: 'member', 联络员: 'member', 人员: 'member',
  leader: 'leader', 领导: 'leader',
  admin: 'admin', 管理员: 'admin',
};

/** A role as written in a roster (admin, 管理员, Leader) → the role, or null. */
export function parseRoleWord(word: string): Role | null {
  return ROLE_WORDS[word.trim().toLowerCase()] ?? null;
}

const HEADER_WORDS: Record<string, keyof Omit<RosterRow, 'row'>> = {
  userid: 'userid', 账号: 'userid', 帐号: 'userid', 用户id: 'userid', 成员账号: 'userid',
  name: 'name', 姓名: 'name', 名字: 'name',
  departments: 'departments', department: 'departments', 部门: 'departments',
  roles: 'roles', role: 'roles', 角色: 'roles',
};

/** UTF-8 if the bytes are valid UTF-8 (BOM dropped), else GB18030, which covers GBK files from Excel. */
export function decodeRosterBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export function parseRosterText(text: string, format: RosterFormat): { rows: RosterRow[]; problems: RosterProblem[] } {
  return format === 'csv' ? parseCsvRoster(text) : parseJsonRoster(text);
}

function parseCsvRoster(text: string): { rows: RosterRow[]; problems: RosterProblem[] } {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  // Excel writes commas, "Unicode text" writes tabs, and some people type full-width commas.
  const delimiter = [',', '\t', '，'].find((d) => firstLine.includes(d)) ?? ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true each record comes with the line it ended on; the typings do not say so.
    records = parseCsv(body, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    return { rows: [], problems: [{ row: null, message: `CSV 读不懂：${(err as Error).message}` }] };
  }
  const [header, ...data] = records;
  if (!header) return { rows: [], problems: [{ row: null, message: '文件是空的' }] };

  const columns = header.record.map((h) => HEADER_WORDS[h.trim().toLowerCase()]);
  const problems: RosterProblem[] = [];
  header.record.forEach((h, i) => {
    if (!columns[i]) problems.push({ row: 1, message: `不认识的列“${h}”，应为 userid,name,departments,roles` });
  });
  if (!columns.includes('userid')) problems.push({ row: 1, message: '缺少 userid 列' });
  if (problems.length) return { rows: [], problems };

  const rows: RosterRow[] = [];
  for (const { record, info } of data) {
    // info.lines is where the record ended; a quoted cell may span lines, and people look for the start.
    const line = info.lines - record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
    const cell = (field: keyof Omit<RosterRow, 'row'>) => {
      const i = columns.indexOf(field);
      return i < 0 ? '' : (record[i] ?? '').trim();
    };
    if (record.length > columns.length && record.slice(columns.length).some((c) => c.trim() !== '')) {
      problems.push({ row: line, userid: cell('userid') || undefined, message: `多出 ${record.length - columns.length} 列：列表里的逗号请换成“、”或给单元格加引号` });
      continue;
    }
    rows.push(withLists(line, cell('userid'), cell('name'), cell('departments'), cell('roles')));
  }
  return { rows, problems };
}

function parseJsonRoster(text: string): { rows: RosterRow[]; problems: RosterProblem[] } {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { rows: [], problems: [{ row: null, message: `JSON 读不懂：${(err as Error).message}` }] };
  }
  if (!Array.isArray(data)) return { rows: [], problems: [{ row: null, message: 'JSON 应是数组：[{"userid","name","departments":[],"roles":[]}]' }] };

  const rows: RosterRow[] = [];
  const problems: RosterProblem[] = [];
  data.forEach((item: unknown, i) => {
    const row = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ row, message: '应是一个对象 {"userid", "name", "departments", "roles"}' });
      return;
    }
    const o = item as Record<string, unknown>;
    const unknownKeys = Object.keys(o).filter((k) => !HEADER_WORDS[k.toLowerCase()]);
    if (unknownKeys.length) problems.push({ row, message: `不认识的字段：${unknownKeys.join('、')}` });
    const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
    const list = (v: unknown, field: string): string | undefined => {
      if (v === undefined || v === null) return '';
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('、');
      problems.push({ row, message: `${field} 应是字符串数组` });
      return undefined;
    };
    const departments = list(o.departments, 'departments');
    const roles = list(o.roles, 'roles');
    if (departments === undefined || roles === undefined) return;
    rows.push(withLists(row, str(o.userid), str(o.name), departments, roles));
  });
  return { rows, problems };
}

function withLists(row: number, userid: string, name: string, departments: string, roles: string): RosterRow {
  const out: RosterRow = { row, userid, name };
  const d = splitCell(departments);
  const r = splitCell(roles);
  if (d.length) out.departments = d;
  if (r.length) out.roles = r;
  return out;
}
