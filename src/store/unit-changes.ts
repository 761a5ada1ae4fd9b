// Admins' corrections to the units plans named: merge a misspelled unit (经贸力) into the right one (经贸办), remove a
// unit added by mistake, add a town department to a plan that never names it. Each is written as one unit_changes
// entry (the truth readers derive from, plan-units.ts) and one audit entry, then the current state (task
// assignments, members, the department list) is brought in line. No transactions on FerretDB 1.x: the change entry
// goes first, so a crash half-way leaves readers already right and the command can simply be given again.
// Reports are history and are never rewritten: a merged unit's reports keep its old name and readers map it.
import type { Types } from 'mongoose';
import type { Clock } from '../clock.ts';
import { isCollectiveUnit } from '../domain/plan/units.ts';
import type { Store } from './database.ts';
import type { PlanDoc, TaskDoc } from './models.ts';
import type { UnitChangeKind } from './unit-models.ts';

export type UnitAuditAction = 'unit.merge' | 'unit.remove' | 'unit.add';

/** Where a unit is named today, by plan: what a merge moves and what a removal would take away. */
export interface UnitUse {
  tasks: Array<{ plan: string; code: string; only: boolean }>;
  members: string[];
  reports: number;
  known: boolean;
}

export class UnitChangeRefused extends Error {
  override name = 'UnitChangeRefused';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export async function unitUse(store: Store, unit: string): Promise<UnitUse> {
  const { Task, Member, Report, Department, Plan } = store.models;
  const [tasks, members, reports, dept, plans] = await Promise.all([
    Task.find({ departments: unit }, { planId: 1, code: 1, departments: 1, order: 1 }).lean<TaskDoc[]>(),
    Member.find({ departments: unit }, { userid: 1, name: 1 }).lean(),
    Report.countDocuments({ department: unit }),
    Department.findOne({ name: unit }).lean(),
    Plan.find({}, { name: 1 }).lean<PlanDoc[]>(),
  ]);
  const planName = new Map(plans.map((p) => [String(p._id), p.name]));
  return {
    tasks: tasks
      .sort((a, b) => String(a.planId).localeCompare(String(b.planId)) || a.order - b.order)
      .map((t) => ({ plan: planName.get(String(t.planId)) ?? '', code: t.code, only: t.departments.length === 1 })),
    members: members.map((m) => m.name || m.userid),
    reports,
    known: dept !== null || tasks.length > 0 || members.length > 0,
  };
}

/** The one place unit changes reach the audit log (留痕). */
export async function recordUnitAudit(
  store: Store,
  entry: { at: Date; actor: string; action: UnitAuditAction; unit: string; before: unknown; after: unknown; note: string; planId?: Types.ObjectId | null },
): Promise<void> {
  await store.models.Audit.create({
    at: entry.at, actor: entry.actor, action: entry.action, target: `unit:${entry.unit}`, planId: entry.planId ?? null,
    before: entry.before, after: entry.after, note: entry.note,
  });
}

async function appendChange(store: Store, change: { at: Date; actor: string; kind: UnitChangeKind; unit: string; into?: string; planId?: Types.ObjectId; reason: string }) {
  await store.models.UnitChange.create({ ...change, into: change.into ?? null, planId: change.planId ?? null });
  store.cache.clear(); // readers of plan units must see it at once, in this process at least
}

function taskLabel(t: { plan: string; code: string }): string {
  return `${t.plan} ${t.code}`.trim();
}

/** Rewrites every task and member naming `from`: replaced by `into`, or dropped when `into` is null. */
async function reassignEverywhere(store: Store, from: string, into: string | null): Promise<void> {
  const { Task, Member } = store.models;
  const swap = (list: string[]) => {
    const out: string[] = [];
    for (const d of list) {
      const next = d === from ? into : d;
      if (next !== null && !out.includes(next)) out.push(next);
    }
    return out;
  };
  // plannedDepartments keep what the document wrote: a re-import of the same file then keeps the correction.
  for (const t of await Task.find({ $or: [{ departments: from }, { lead: from }] }, { departments: 1, lead: 1 }).lean<TaskDoc[]>()) {
    const departments = swap(t.departments);
    await Task.updateOne({ _id: t._id }, { $set: { departments, lead: swap(t.lead ?? []), collective: departments.some(isCollectiveUnit) } });
  }
  for (const m of await Member.find({ departments: from }, { departments: 1 }).lean()) {
    await Member.updateOne({ _id: m._id }, { $set: { departments: swap(m.departments) } });
  }
}

export interface MergeResult {
  from: string;
  into: string;
  tasks: string[];
  members: string[];
  reports: number;
}

/** 合并单位: `from` becomes another name of `into` everywhere; its reports count for `into` from now on. */
export async function mergeUnit(store: Store, clock: Clock, actor: string, from: string, into: string, reason = ''): Promise<MergeResult> {
  const { Department } = store.models;
  if (from === into) throw new UnitChangeRefused('same_unit', `“${from}”和“${into}”是同一个单位，未做修改。`);
  if (isCollectiveUnit(from) || isCollectiveUnit(into)) {
    throw new UnitChangeRefused('collective_unit', `“${isCollectiveUnit(from) ? from : into}”是统称，不能合并。请写具体单位，例如：合并单位 经贸力 经贸办`);
  }
  const target = await Department.findOne({ name: into }).lean();
  if (!target) throw new UnitChangeRefused('unknown_target', `没有单位“${into}”，未做修改。发送“部门”查看全部单位。`);
  const use = await unitUse(store, from);
  if (!use.known) throw new UnitChangeRefused('unknown_unit', `没有单位“${from}”，未做修改。发送“部门”查看全部单位。`);

  const at = clock.now();
  await appendChange(store, { at, actor, kind: 'merge', unit: from, into, reason });
  await reassignEverywhere(store, from, into);
  // Typing the old name later still finds the right unit.
  const old = await Department.findOne({ name: from }).lean();
  const aliases = [...new Set([...(target.aliases ?? []), from, ...(old?.aliases ?? [])])].filter((a) => a !== into);
  await Department.updateOne({ _id: target._id }, { $set: { aliases } });
  if (old) await Department.deleteOne({ _id: old._id });

  const result: MergeResult = { from, into, tasks: use.tasks.map(taskLabel), members: use.members, reports: use.reports };
  await recordUnitAudit(store, {
    at, actor, action: 'unit.merge', unit: from,
    before: { unit: from, tasks: result.tasks, members: result.members, reports: result.reports }, after: { unit: into }, note: reason,
  });
  return result;
}

export interface RemoveResult {
  unit: string;
  tasks: string[];
}

/**
 * 删除单位: for a unit that never did anything. Refused while it has reports (they are history: merge it into the
 * right unit instead, and they count there), while members are bound to it, and while it is the only unit of a
 * task (that task would have nobody; 转办 it first).
 */
export async function removeUnit(store: Store, clock: Clock, actor: string, unit: string, reason: string): Promise<RemoveResult> {
  if (isCollectiveUnit(unit)) throw new UnitChangeRefused('collective_unit', `“${unit}”是统称，不能删除。`);
  const use = await unitUse(store, unit);
  if (!use.known) throw new UnitChangeRefused('unknown_unit', `没有单位“${unit}”，未做修改。发送“部门”查看全部单位。`);
  if (use.reports > 0) {
    throw new UnitChangeRefused('has_reports', `“${unit}”已有 ${use.reports} 条汇报，不能删除（汇报记录要保留）。未做修改。\n如是错名，请合并到正确单位，汇报随之归入：合并单位 ${unit} 正确名称`);
  }
  if (use.members.length > 0) {
    throw new UnitChangeRefused('has_members', `“${unit}”还有成员：${use.members.slice(0, 5).join('、')}${use.members.length > 5 ? ' 等' : ''}，未做修改。\n请先改绑这些成员，或合并到正确单位：合并单位 ${unit} 正确名称`);
  }
  const alone = use.tasks.filter((t) => t.only);
  if (alone.length > 0) {
    const first = alone[0]!;
    throw new UnitChangeRefused('only_unit', `“${unit}”是任务 ${alone.map(taskLabel).join('、')} 唯一的责任单位，删除后无人负责，未做修改。\n请先转办，例如：转办 ${first.plan}${first.code} 正确单位；或合并：合并单位 ${unit} 正确名称`);
  }

  const at = clock.now();
  await appendChange(store, { at, actor, kind: 'remove', unit, reason });
  await reassignEverywhere(store, unit, null);
  await store.models.Department.deleteOne({ name: unit });
  const result: RemoveResult = { unit, tasks: use.tasks.map(taskLabel) };
  await recordUnitAudit(store, { at, actor, action: 'unit.remove', unit, before: { unit, tasks: result.tasks }, after: null, note: reason });
  return result;
}

/** 纳入单位: a town department the plan never names still takes part in its collective tasks. */
export async function addPlanUnit(store: Store, clock: Clock, actor: string, plan: PlanDoc, unit: string, reason = ''): Promise<void> {
  if (isCollectiveUnit(unit)) throw new UnitChangeRefused('collective_unit', `“${unit}”是统称，不能作为单位加入。`);
  const at = clock.now();
  await appendChange(store, { at, actor, kind: 'add', unit, planId: plan._id, reason });
  await store.models.Department.updateOne({ name: unit }, { $setOnInsert: { name: unit, collective: false } }, { upsert: true }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 11000) throw err;
  });
  await recordUnitAudit(store, { at, actor, action: 'unit.add', unit, planId: plan._id, before: null, after: { unit, plan: plan.name }, note: reason });
}
