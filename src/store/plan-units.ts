// The town departments a plan's collective tasks (镇直各部门 …) bind: the plan's own units, never a unit that only
// another plan names. They are the concrete units the plan's active tasks name, plus the units admins added to
// the plan, minus the units admins removed or merged into another (unit_changes, append-only).
// A merged unit's old reports stay filed under the old name (reports are history, never rewritten): readers map
// them with `unitResolver`, which also says which names were removed.
import type { Types } from 'mongoose';
import { isCollectiveUnit } from '../domain/plan/units.ts';
import type { Store } from './database.ts';
import { activeTasks } from './task-queries.ts';
import type { UnitChangeDoc } from './unit-models.ts';

/** What became of a unit name: nothing (null), merged into another, removed, or added to some plans. */
type Fate = { kind: 'merge'; into: string } | { kind: 'remove' } | { kind: 'add' };

/** Every change, oldest first. A tiny collection: read whole, cached with the tasks it goes with. */
export async function unitChanges(store: Store): Promise<UnitChangeDoc[]> {
  return store.cache.get('unit-changes', async () => {
    const docs = await store.models.UnitChange.find({}).lean<UnitChangeDoc[]>();
    return docs.sort((a, b) => a.at.getTime() - b.at.getTime() || String(a._id).localeCompare(String(b._id)));
  });
}

/** The latest fate of each name, as seen from one plan (null: from no plan in particular). */
function fatesOf(changes: readonly UnitChangeDoc[], planId: Types.ObjectId | string | null): Map<string, Fate> {
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
  return current; // a cycle of merges (A→B, B→A): stop at wherever it got to rather than loop
}

/** Maps a unit name as history wrote it (a report's department) to the unit it counts as now; null: removed. */
export async function unitResolver(store: Store, planId: Types.ObjectId | string | null = null): Promise<(name: string) => string | null> {
  const fates = fatesOf(await unitChanges(store), planId);
  return (name) => resolve(fates, name);
}

/** The units a plan's collective tasks bind, sorted as people read them. */
export async function planUnits(store: Store, planId: Types.ObjectId | string): Promise<string[]> {
  const [tasks, changes] = await Promise.all([activeTasks(store, planId as Types.ObjectId), unitChanges(store)]);
  return unitsOf(tasks.map((t) => t.departments), changes, planId);
}

/**
 * The same from the departments of a plan's active tasks, as they are or as an import would leave them (the
 * preview asks before anything is written). `planId` null: a plan not imported yet, which no admin has added to.
 */
export function unitsOf(departmentLists: Iterable<readonly string[]>, changes: readonly UnitChangeDoc[], planId: Types.ObjectId | string | null): string[] {
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

export async function isPlanUnit(store: Store, planId: Types.ObjectId | string, name: string): Promise<boolean> {
  return (await planUnits(store, planId)).includes(name);
}
