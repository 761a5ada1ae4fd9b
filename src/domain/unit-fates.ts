// What a plan's collective tasks (镇直各部门 …) bind, derived from history: the units its tasks name, plus the units
// admins added to it, minus those removed or merged into another. Pure: the store reads, this decides.
import { isCollectiveUnit } from './plan/units.ts';

/** One admin change to the units, as recorded (append-only); `planId` null: about the name in every plan. */
export interface UnitChange {
  at: Date;
  kind: 'add' | 'remove' | 'merge';
  unit: string;
  into: string | null;
  planId: { toString(): string } | null;
}

type PlanRef = { toString(): string } | string | null;
type Fate = { kind: 'merge'; into: string } | { kind: 'remove' } | { kind: 'add' };

/** The latest fate of each name, as seen from one plan (null: from no plan in particular). Changes oldest first. */
function fatesOf(changes: readonly UnitChange[], planId: PlanRef): Map<string, Fate> {
  const fates = new Map<string, Fate>();
  for (const c of changes) {
    if (c.planId && (planId === null || String(c.planId) !== String(planId))) continue;
    if (c.kind === 'merge' && c.into) fates.set(c.unit, { kind: 'merge', into: c.into });
    else if (c.kind === 'remove') fates.set(c.unit, { kind: 'remove' });
    else if (c.kind === 'add') fates.set(c.unit, { kind: 'add' });
  }
  return fates;
}

/** The name a unit goes by now: itself, the unit it was merged into (through chains), or null when removed. */
function resolve(fates: Map<string, Fate>, name: string): string | null {
  let current = name;
  for (let hops = 0; hops < 20; hops++) {
    const fate = fates.get(current);
    if (!fate || fate.kind === 'add') return current;
    if (fate.kind === 'remove') return null;
    current = fate.into;
  }
  return current; // a cycle of merges (A→B, B→A): stop wherever it got to rather than loop
}

/** Maps a unit name as history wrote it (a report's department) to the unit it counts as now; null: removed. */
export function resolverOf(changes: readonly UnitChange[], planId: PlanRef = null): (name: string) => string | null {
  const fates = fatesOf(changes, planId);
  return (name) => resolve(fates, name);
}

/**
 * A plan's units from the departments of its active tasks (as they are, or as an import would leave them) and
 * the changes. `planId` null: a plan not imported yet, which no admin has added to.
 */
export function unitsOf(departmentLists: Iterable<readonly string[]>, changes: readonly UnitChange[], planId: PlanRef): string[] {
  const fates = fatesOf(changes, planId);
  const units = new Set<string>();
  const take = (name: string) => {
    if (isCollectiveUnit(name)) return;
    const now = resolve(fates, name);
    if (now && !isCollectiveUnit(now)) units.add(now);
  };
  for (const list of departmentLists) for (const d of list) take(d);
  for (const [name, fate] of fates) if (fate.kind === 'add') take(name);
  return [...units].sort((a, b) => a.localeCompare(b, 'zh-CN'));
}
