// The warnings about finished tasks: no unit, a deadline without a date, units the
// caller has never seen.
import type { ParsedTask, PlanWarning } from './types.ts';
import { isCollectiveUnit, normalizeUnitName } from './units.ts';

export function checkTasks(tasks: ParsedTask[], knownUnits: string[] | undefined, warnings: PlanWarning[]): void {
  for (const task of tasks) {
    if (task.departments.length === 0) {
      warnings.push({ kind: 'no_unit', message: `任务 ${task.code} 没有责任单位`, code: task.code });
    }
    if (task.deadlineText !== null && task.deadline === null) {
      warnings.push({ kind: 'no_date', message: `任务 ${task.code} 的完成时限“${task.deadlineText}”没有具体日期`, code: task.code });
    }
  }
  if (knownUnits === undefined) return;
  const known = new Set(knownUnits.map(normalizeUnitName));
  const unknown = new Map<string, string[]>();
  for (const task of tasks) {
    for (const unit of task.departments) {
      // Collective units (镇直各部门…) stand for many departments; they are never in the list.
      if (known.has(unit) || isCollectiveUnit(unit)) continue;
      unknown.set(unit, [...(unknown.get(unit) ?? []), task.code]);
    }
  }
  for (const [unit, codes] of unknown) {
    const which = codes.length > 3 ? `${codes.slice(0, 3).join('、')} 等 ${codes.length} 项` : codes.join('、');
    warnings.push({ kind: 'unknown_unit', message: `单位“${unit}”不在已有部门中（任务 ${which}）`, code: codes[0] });
  }
}
