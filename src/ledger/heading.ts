// What the 督办台账's title rows say: the plan as the 党政办 names it, the office that keeps the 台账, and who is in
// charge of each unit. Pure: the plans, the admins and the 分管 come in from the store.
import type { PlanDoc } from '../store/models.ts';

/** "南旺镇人民政府" → "南旺镇": the place a plan's issuer governs. */
export function placeOf(issuer: string | null | undefined): string {
  return (issuer ?? '').trim().replace(/(人民政府|政府|党委|委员会|办公室)$/, '');
}

/**
 * "南旺镇2021年政务公开工作督办台账": the issuer's place, then the plan's title with its 实施方案 / 方案 ending turned
 * into 督办台账. Several plans share one title that names each by its 简称.
 */
export function ledgerTitle(plans: Array<Pick<PlanDoc, 'title' | 'issuer' | 'name'>>): string {
  const place = placeOf(plans.find((p) => p.issuer)?.issuer);
  if (plans.length !== 1) return `${place}督办台账${plans.length ? `（${plans.map((p) => p.name).join('、')}）` : ''}`;
  const core = plans[0]!.title.replace(/《|》/g, '').replace(/(的)?(工作)?(实施)?(方案|计划|要点|清单)$/, (_m, _de, work: string | undefined) => work ?? '');
  return `${core.startsWith(place) ? '' : place}${core}督办台账`;
}

/** The office that keeps the 台账: the department most admins belong to (党政办), else the plans' issuer. */
export function officeOf(admins: Array<{ departments: string[] }>, plans: Array<Pick<PlanDoc, 'issuer'>>): string {
  const count = new Map<string, number>();
  for (const a of admins) for (const d of a.departments) count.set(d, (count.get(d) ?? 0) + 1);
  const best = [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh-CN'))[0]?.[0];
  return best ?? plans.find((p) => p.issuer)?.issuer ?? '';
}

/** 责任领导 of each unit: the active leaders whose 分管 names it, by name, in a stable order. */
export function leadersByUnit(charges: Array<{ _id: string; departments: string[] }>, leaders: ReadonlySet<string>, names: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of charges) {
    if (!leaders.has(c._id)) continue;
    for (const d of c.departments) out.set(d, [...(out.get(d) ?? []), names.get(c._id) || c._id]);
  }
  return out;
}
