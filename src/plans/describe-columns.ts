// The parts of an import preview that let a person check the reading before importing: how each table's
// columns were understood, the tasks as parsed (编号, 任务, 牵头, 配合, 时限), and the new units with the
// tasks that name them.
import { specOfReport } from '../domain/plan/column-mapping.ts';
import type { ImportPreview } from '../store/import-plan.ts';

const ROWS_SHOWN = 80;

export function describeColumns(p: Pick<ImportPreview, 'columns'>): string[] {
  const tables = p.columns.filter((t) => t.by !== null);
  if (tables.length === 0) return [];
  const lines: string[] = [];
  for (const t of tables) {
    const how = t.by === 'mapping' ? '按指定的列' : t.by === 'cells' ? '按单元格内容判断' : '按表头（已对照单元格内容）';
    const cols = t.columns.map((c) => `${c.letter}“${c.header || '（无表头）'}”→${c.role}${t.by === 'mapping' ? '' : `(${Math.round(c.confidence * 100)}%)`}`);
    lines.push(`列对应${t.name ? `（${t.name}）` : ''}，${how}：${cols.join('　')}`);
  }
  const spec = specOfReport(tables[0]!);
  if (spec) lines.push(`如有不对，可重新指定，例如：--columns ${spec}`);
  return lines;
}

export function describeRows(p: Pick<ImportPreview, 'rows'>): string[] {
  if (p.rows.length === 0) return [];
  const lines = ['编号 | 任务 | 牵头 | 配合 | 时限'];
  for (const r of p.rows.slice(0, ROWS_SHOWN)) {
    lines.push(`  ${r.code} | ${r.title} | ${r.lead.join('、') || '—'} | ${r.assist.join('、') || '—'} | ${r.deadline ?? '—'}`);
  }
  if (p.rows.length > ROWS_SHOWN) lines.push(`  ……另有 ${p.rows.length - ROWS_SHOWN} 项`);
  return lines;
}

export function describeNewUnits(p: Pick<ImportPreview, 'newUnits'>): string[] {
  if (p.newUnits.length === 0) return [];
  return [
    `新部门 ${p.newUnits.length} 个（导入时新建，请核对名称）：`,
    ...p.newUnits.map((u) => `  ${u.name}：任务 ${u.tasks.length > 5 ? `${u.tasks.slice(0, 5).join('、')} 等 ${u.tasks.length} 项` : u.tasks.join('、')}`),
  ];
}
