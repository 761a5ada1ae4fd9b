// An import preview as people read it, in the terminal and on the 方案 page alike.
import type { ImportPreview } from '../store/import-plan.ts';
import { describeColumns, describeNewUnits, describeRows } from './describe-columns.ts';

/** The preview as people read it: what would change, who would become responsible, what looks wrong. */
export function describePreview(p: ImportPreview): string[] {
  const lines = [
    `方案：${p.title}${p.docNumber ? `（${p.docNumber}）` : ''}　简称：${p.name}　${p.existingStatus ? `已有方案，将更新${p.existingStatus === 'archived' ? '（已归档）' : ''}` : '新方案'}`,
    `识别任务 ${p.tasks} 项：新增 ${p.created.length}，有变化 ${p.updated.length}，未变 ${p.unchanged.length}，停用 ${p.retired.length}`,
  ];
  if (p.updated.length) lines.push(`有变化：${p.updated.join(' ')}`);
  if (p.retired.length) lines.push(`停用（文件中已没有）：${p.retired.join(' ')}`);
  const moved = p.existingStatus ? p.responsibility : [];
  if (moved.length) {
    lines.push(`责任变化 ${moved.length} 项：`);
    for (const r of moved.slice(0, 30)) lines.push(`  ${r.code}：${r.before.join('、') || '（无）'} → ${r.after.join('、') || '（无）'}`);
    if (moved.length > 30) lines.push(`  ……另有 ${moved.length - 30} 项`);
  }
  lines.push(...describeUnits(p));
  // New units are proposed with the tasks that name them; the column reading and the tasks follow, to check.
  lines.push(...describeNewUnits(p), ...describeColumns(p), ...describeRows(p));
  if (p.warnings.length) {
    lines.push(`提示 ${p.warnings.length} 条：`);
    for (const w of p.warnings.slice(0, 40)) lines.push(`  - ${w}`);
    if (p.warnings.length > 40) lines.push(`  ……另有 ${p.warnings.length - 40} 条`);
  }
  return lines;
}

/**
 * Who the plan's collective tasks (镇直各部门 …) will bind: its own units, never another plan's. A unit new to the
 * database is named with the plan it joins, so a misspelling (经贸力) is caught before it is imported.
 */
function describeUnits(p: ImportPreview): string[] {
  const u = p.units;
  const lines: string[] = [];
  const label = u.collectiveLabel || '镇直各部门';
  const scope = `本方案“${p.name}”`;
  if (!p.existingStatus && u.collectiveTasks > 0) {
    lines.push(`${scope}的“${label}”任务（共 ${u.collectiveTasks} 项）由本方案点名的 ${u.after.length} 个单位承担：${u.after.join('、')}`);
  }
  for (const j of u.joining) {
    const similar = j.similar ? `（与已有的“${j.similar}”只差一字，如是写错，导入后可用：合并单位 ${j.unit} ${j.similar}）` : '';
    if (j.isNew) {
      const joins = u.collectiveTasks > 0 ? `将纳入${scope}的“${label}”任务（共 ${u.collectiveTasks} 项）` : `只负责${scope}点名的任务`;
      lines.push(`新单位“${j.unit}”${joins}，不纳入其他方案的“镇直各部门”任务${similar}`);
    } else if (p.existingStatus && u.collectiveTasks > 0) {
      lines.push(`单位“${j.unit}”将纳入${scope}的“${label}”任务（共 ${u.collectiveTasks} 项）`);
    }
  }
  return lines;
}
