// A column mapping as a person writes it: "任务=B,牵头单位=C,配合单位=D,完成时限=E" (letters as in Excel,
// counted in the task table), read into roles by column index and written back for a hint.
import { ROLE_NAMES, roleName, type ColumnRole } from './column-words.ts';
import type { TableReport } from './types.ts';

export class ColumnSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ColumnSpecError';
  }
}

const ROLE_LIST = Object.keys(ROLE_NAMES).join('、');

/** "B" → 1, "AA" → 26. */
export function columnIndex(letters: string): number | null {
  const l = letters.trim().toUpperCase();
  if (!/^[A-Z]{1,2}$/.test(l)) return null;
  return [...l].reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 64), 0) - 1;
}

/** Parses a mapping; the error message says in Chinese what is wrong and what roles exist. */
export function parseColumnSpec(spec: string): (ColumnRole | null)[] {
  const roles: (ColumnRole | null)[] = [];
  for (const part of spec.split(/[,，;；]/).map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(.+?)\s*[=＝:：]\s*([A-Za-z]{1,2})$/.exec(part);
    const role = m ? ROLE_NAMES[m[1] ?? ''] : undefined;
    const index = m ? columnIndex(m[2] ?? '') : null;
    if (!m || role === undefined || index === null) {
      throw new ColumnSpecError(`无法理解“${part}”。格式：角色=列字母，如 --columns 任务=B,牵头单位=C,配合单位=D,完成时限=E；角色可用 ${ROLE_LIST}。`);
    }
    if (roles[index] != null) throw new ColumnSpecError(`第 ${m[2]!.toUpperCase()} 列指定了两次。`);
    roles[index] = role;
  }
  if (!roles.some((r) => r === 'topic' || r === 'text')) throw new ColumnSpecError('请至少指定任务所在的列，如 任务=B。');
  return Array.from({ length: roles.length }, (_, i) => roles[i] ?? null);
}

/** The mapping as a person would type it. */
export function formatColumnSpec(roles: (ColumnRole | null)[]): string {
  return roles.flatMap((role, i) => (role === null ? [] : [`${roleName(role)}=${String.fromCharCode(65 + i)}`])).join(',');
}

/** The spec a table's automatic roles amount to, for a person to start from ("任务=B,责任单位=C"). */
export function specOfReport(report: TableReport): string {
  return report.columns
    .filter((c) => ROLE_NAMES[c.role] !== undefined)
    .map((c) => `${c.role}=${c.letter}`)
    .join(',');
}

/** The columns a table showed, for a refusal: "A 序号、B 农村人居环境整治提升、C 责任单位". */
export function describeColumnsSeen(tables: TableReport[]): string {
  const seen = tables.filter((t) => t.columns.length > 0);
  if (seen.length === 0) return '';
  return seen
    .map((t) => t.columns.filter((c) => c.header !== '').map((c) => `${c.letter} ${c.header}`).join('、'))
    .filter((s) => s !== '')
    .join('；');
}
