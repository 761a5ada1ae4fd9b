// Roster import (.csv or .json): checks every row first and writes only when all of them are good,
// so a half-imported roster never has to be untangled (FerretDB has no transactions to roll back).
//
// An empty departments or roles cell leaves that member's value as it is (a new member gets no
// departments and the member role). Members absent from the file are left alone: an import is
// not a sync.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import type { Role } from '../domain/vocabulary.ts';
import { matchDepartmentName, type NamedDepartment } from './department-names.ts';
import { bindableDepartment, isValidUserid, loadDepartments, MemberError, sortRoles, upsertMember } from './members.ts';
import { decodeRosterBytes, parseRoleWord, parseRosterText, type RosterFormat, type RosterProblem, type RosterRow } from './roster-rows.ts';

export type ImportRosterResult =
  | { ok: true; created: string[]; updated: string[]; unchanged: string[] }
  | { ok: false; errors: RosterProblem[] };

interface CheckedRow {
  userid: string;
  name: string;
  departments?: string[];
  roles?: Role[];
}

export async function importRoster(store: Store, clock: Clock, file: string, actor: string): Promise<ImportRosterResult> {
  const format = formatOf(file);
  if (!format) return { ok: false, errors: [{ row: null, message: `只支持 .csv 和 .json 文件：${file}` }] };
  let text: string;
  try {
    text = decodeRosterBytes(await readFile(file));
  } catch (err) {
    return { ok: false, errors: [{ row: null, message: `读不到文件 ${file}：${(err as Error).message}` }] };
  }
  return importRosterText(store, clock, text, format, actor);
}

export async function importRosterText(
  store: Store,
  clock: Clock,
  text: string,
  format: RosterFormat,
  actor: string,
): Promise<ImportRosterResult> {
  const { rows, problems } = parseRosterText(text, format);
  const departments = await loadDepartments(store);
  const checked: CheckedRow[] = [];
  const errors: RosterProblem[] = [...problems];
  const firstRowOf = new Map<string, number>();
  for (const row of rows) {
    const messages = checkRow(row, departments, firstRowOf);
    if (messages.length) errors.push(...messages.map((message) => ({ row: row.row, userid: row.userid || undefined, message })));
    else checked.push(toChecked(row, departments));
  }
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)) };
  if (rows.length === 0) return { ok: false, errors: [{ row: null, message: '文件里没有成员' }] };

  const result = { ok: true as const, created: [] as string[], updated: [] as string[], unchanged: [] as string[] };
  for (const row of checked) {
    const r = await upsertMember(store, clock, actor, { ...row, source: 'import' });
    (r.created ? result.created : r.changed ? result.updated : result.unchanged).push(row.userid);
  }
  return result;
}

function checkRow(row: RosterRow, departments: NamedDepartment[], firstRowOf: Map<string, number>): string[] {
  const messages: string[] = [];
  if (!row.userid) messages.push('userid 为空');
  else if (!isValidUserid(row.userid)) messages.push(`userid“${row.userid}”不合规：只能用字母、数字和 _ - . @，最长 64 位`);
  else if (firstRowOf.has(row.userid)) messages.push(`userid“${row.userid}”与第 ${firstRowOf.get(row.userid)} 行重复`);
  else firstRowOf.set(row.userid, row.row);
  if (!row.name) messages.push('name 为空');
  for (const written of row.departments ?? []) {
    try {
      bindableDepartment(written, matchDepartmentName(written, departments), departments);
    } catch (err) {
      if (!(err instanceof MemberError)) throw err;
      messages.push(err.message);
    }
  }
  const badRoles = (row.roles ?? []).filter((r) => !parseRoleWord(r));
  if (badRoles.length) messages.push(`不认识的角色：${badRoles.join('、')}（可用 member/成员、leader/领导、admin/管理员）`);
  return messages;
}

function toChecked(row: RosterRow, departments: NamedDepartment[]): CheckedRow {
  const out: CheckedRow = { userid: row.userid, name: row.name };
  if (row.departments) {
    out.departments = [...new Set(row.departments.map((w) => bindableDepartment(w, matchDepartmentName(w, departments), departments)))];
  }
  if (row.roles) out.roles = sortRoles(row.roles.map((r) => parseRoleWord(r)!));
  return out;
}

function formatOf(file: string): RosterFormat | null {
  const ext = extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : null;
}

/** Row errors as lines for a person: "第 3 行（zhangsan）：没有部门“经贸”…". */
export function formatRosterProblems(errors: RosterProblem[], format: RosterFormat = 'csv'): string[] {
  const unit = format === 'csv' ? '行' : '条';
  return errors.map((e) => {
    const where = e.row === null ? '文件' : `第 ${e.row} ${unit}`;
    return `${where}${e.userid ? `（${e.userid}）` : ''}：${e.message}`;
  });
}
