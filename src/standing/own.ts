// A member's own items: the records of the units they belong to, as 我的任务 lists them (a named task once per unit,
// a collective one once, under the first of their units). Read by the guided 汇报 and by free text naming a task.
import { weekBounds } from '../domain/period.ts';
import type { Standing } from '../domain/standing.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { activePlans } from '../store/plans.ts';
import { loadStandings } from './load.ts';

export interface OwnItem {
  plan: PlanDoc;
  /** The code as the user types it: qualified by the plan's short name when several plans are active. */
  label: string;
  standing: Standing;
}

export async function ownItems(store: Store, departments: readonly string[], asOf: Date): Promise<OwnItem[]> {
  if (departments.length === 0) return [];
  const plans = await activePlans(store);
  const out: OwnItem[] = [];
  for (const plan of plans) {
    const records = await loadStandings(store, plan, weekBounds(asOf), asOf, { departments: [...departments] });
    const named = records.filter((c) => c.task.departments.includes(c.department));
    const namedTasks = new Set(named.map((c) => c.task.id));
    const firstUnit = new Map<string, string>();
    for (const c of records) if (c.task.collective && !firstUnit.has(c.task.id)) firstUnit.set(c.task.id, departments.find((d) => records.some((x) => x.task.id === c.task.id && x.department === d))!);
    const collective = records.filter((c) => c.task.collective && !namedTasks.has(c.task.id) && firstUnit.get(c.task.id) === c.department);
    for (const c of [...named, ...collective]) out.push({ plan, label: plans.length > 1 ? `${plan.name}${c.task.code}` : c.task.code, standing: c });
  }
  return out;
}
