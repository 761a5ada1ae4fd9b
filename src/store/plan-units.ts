// The town departments a plan's collective tasks (镇直各部门 …) bind: the plan's own units, never a unit that only
// another plan names (the rule is src/domain/unit-fates.ts). A merged unit's old reports stay filed under the old
// name (reports are history, never rewritten): readers map them with `unitResolver`, which also says which names
// were removed.
import type { Types } from 'mongoose';
import { resolverOf, unitsOf } from '../domain/unit-fates.ts';
import type { Store } from './database.ts';
import { activeTasks } from './task-queries.ts';
import type { UnitChangeDoc } from './unit-models.ts';

/** Every admin change to the units, oldest first. A tiny collection: read whole, cached like the tasks. */
export async function unitChanges(store: Store): Promise<UnitChangeDoc[]> {
  return store.cache.get('unit-changes', async () => {
    const docs = await store.models.UnitChange.find({}).lean<UnitChangeDoc[]>();
    return docs.sort((a, b) => a.at.getTime() - b.at.getTime() || String(a._id).localeCompare(String(b._id)));
  });
}

/** Maps a unit name as history wrote it (a report's department) to the unit it counts as now; null: removed. */
export async function unitResolver(store: Store, planId: Types.ObjectId | string | null = null): Promise<(name: string) => string | null> {
  return resolverOf(await unitChanges(store), planId);
}

/** The units a plan's collective tasks bind, sorted as people read them. */
export async function planUnits(store: Store, planId: Types.ObjectId | string): Promise<string[]> {
  const [tasks, changes] = await Promise.all([activeTasks(store, planId as Types.ObjectId), unitChanges(store)]);
  return unitsOf(tasks.map((t) => t.departments), changes, planId);
}

export async function isPlanUnit(store: Store, planId: Types.ObjectId | string, name: string): Promise<boolean> {
  return (await planUnits(store, planId)).includes(name);
}
