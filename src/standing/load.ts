// Loads the read model's records: one per (task, unit), built by the lifecycle (domain/standing.ts) from the
// store's reports, decisions, approved 延期, 催办 and 佐证. Every view that shows where a unit stands gets it from here.
import { weekBounds } from '../domain/period.ts';
import { foldUnit, type UnitState } from '../domain/lifecycle.ts';
import { buildStandings, cellKey, toDecisionEvent, toReportEvent, type ReviewDecision, type Standing } from '../domain/standing.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import { cachedReports, reportsOfCells, scanReports } from '../store/progress-cache.ts';
import { chasesByCell, evidenceByCell } from '../store/cell-tallies.ts';
import { decisionsOfPlan, decisionsOfTask } from '../store/reviews.ts';
import { approvedExtensionsOfPlan, approvedExtensionsOfTask } from '../store/extensions.ts';
import { planUnits, unitChanges, unitResolver } from '../store/plan-units.ts';
import { resolverOf, unitsOf } from '../domain/unit-fates.ts';
import { SNAPSHOT_TASK_FIELDS, toSnapshotTask } from '../store/snapshot-queries.ts';
import { activeTasks } from '../store/task-queries.ts';

export type Period = { start: Date; end: Date };

/** The units a plan's collective tasks (镇直各部门 …) bind: that plan's own, never one only another plan names. */
export function unitsOfPlan(store: Store, plan: Pick<PlanDoc, '_id'>): Promise<string[]> {
  return planUnits(store, plan._id);
}

/**
 * Reports filed under a unit an admin since merged (经贸力 → 经贸办) count for the unit it became; those of a removed
 * unit count for nobody. Reports themselves are history and keep the name they were filed under.
 */
export async function underCurrentUnits<T extends { department: string }>(store: Store, plan: Pick<PlanDoc, '_id'>, rows: T[]): Promise<T[]> {
  return underResolved(await unitResolver(store, plan._id), rows);
}

/**
 * Everything a plan's records are built from, read at once: the database answers the reads side by side while this
 * process decodes what has arrived (a county's tasks and progress cells take most of a digest's time).
 */
export async function readPlanInputs(store: Store, plan: PlanDoc, since: Date, asOf: Date, departments?: string[], knownTasks?: TaskDoc[]) {
  const [tasks, changes, cached, decisions, extensions, chases, evidence] = await Promise.all([
    // The caller's whole tasks when it has them (the read cache's), else only the fields the records need.
    knownTasks ?? activeTasks(store, plan._id, SNAPSHOT_TASK_FIELDS),
    unitChanges(store),
    cachedReports(store, plan._id, since, departments),
    decisionsOfPlan(store, plan._id),
    approvedExtensionsOfPlan(store, plan._id),
    chasesByCell(store, { planId: plan._id }),
    evidenceByCell(store, { planId: plan._id }),
  ]);
  // The plan's units and the merged names, from the same read of the tasks (as planUnits and unitResolver give them).
  const units = unitsOf(tasks.map((t) => t.departments), changes, plan._id);
  const resolve = resolverOf(changes, plan._id);
  const reports = underResolved(resolve, cached ?? (await scanReports(store, plan._id, asOf, departments)));
  return { tasks, units, reports, decisions, extensions, chases, evidence };
}

export type PlanInputs = Awaited<ReturnType<typeof readPlanInputs>>;

/** A plan's records for a period, as of a moment, from inputs read once (readPlanInputs, with `since` early enough). */
export function standingsFrom(inputs: PlanInputs, plan: PlanDoc, period: Period, asOf: Date): Standing[] {
  const { tasks, units: departments, reports, decisions, extensions, chases, evidence } = inputs;
  return buildStandings({ tasks: tasks.map((t) => toSnapshotTask(t, asOf)), departments, reports, period, asOf, planStart: plan.date, decisions, extensions, chases, evidence });
}

function underResolved<T extends { department: string }>(resolve: (name: string) => string | null, rows: T[]): T[] {
  const out: T[] = [];
  for (const r of rows) {
    const unit = resolve(r.department);
    if (unit === r.department) out.push(r);
    else if (unit !== null) out.push({ ...r, department: unit });
  }
  return out;
}

/** Every record of a plan for a period (this week by default), or only those of some units (a member's). */
export async function loadStandings(store: Store, plan: PlanDoc, period: Period, asOf: Date, only?: { departments?: string[] }): Promise<Standing[]> {
  const input = await readPlanInputs(store, plan, period.start, asOf, only?.departments);
  const departments = only?.departments ? input.units.filter((d) => only.departments!.includes(d)) : input.units;
  const snapshotTasks = input.tasks
    .map((t) => toSnapshotTask(t, asOf))
    .filter((t) => !only?.departments || t.collective || t.departments.some((d) => only.departments!.includes(d)));
  const { reports, decisions, extensions, chases, evidence } = input;
  const records = buildStandings({ tasks: snapshotTasks, departments, reports, period, asOf, planStart: plan.date, decisions, extensions, chases, evidence });
  return only?.departments ? records.filter((c) => only.departments!.includes(c.department)) : records;
}

/**
 * The records of several periods of a plan from one read (a digest's week and the week before it, for the change
 * in the rate): the same inputs as loadStandings, read once, built once per period as of its own moment.
 */
export async function loadStandingsOfPeriods(store: Store, plan: PlanDoc, periods: ReadonlyArray<{ period: Period; asOf: Date }>): Promise<Standing[][]> {
  if (periods.length === 0) return [];
  const earliest = periods.reduce((a, b) => (b.period.start < a.period.start ? b : a));
  const latest = periods.reduce((a, b) => (b.asOf > a.asOf ? b : a));
  const inputs = await readPlanInputs(store, plan, earliest.period.start, latest.asOf);
  return periods.map(({ period, asOf }) => standingsFrom(inputs, plan, period, asOf));
}

/**
 * The records of one task: every unit responsible for it (for a collective task, the plan's units), or only
 * `departments`. From the cache's entries by _id, so a chat 任务 costs a few indexed reads.
 */
export async function standingsOfTask(store: Store, plan: PlanDoc, task: TaskDoc, asOf: Date, departments?: string[]): Promise<Standing[]> {
  const wanted = departments ?? (task.collective ? await unitsOfPlan(store, plan) : task.departments);
  // The units are given, so the record is built for exactly those (a collective task's are the plan's units).
  const full = toSnapshotTask(task, asOf);
  const snapshotTask = task.collective ? full : { ...full, departments: wanted };
  const [reports, decisions, extensions, chases, evidence] = await Promise.all([
    reportsOfCells(store, wanted.map((d) => ({ taskId: task._id, department: d }))),
    decisionsOfTask(store, task._id),
    approvedExtensionsOfTask(store, task._id),
    chasesByCell(store, { taskId: task._id }),
    evidenceByCell(store, [task._id]),
  ]);
  const byCell = new Map<string, ReviewDecision[]>();
  for (const d of decisions) {
    const key = cellKey(String(task._id), d.department);
    byCell.set(key, [...(byCell.get(key) ?? []), d]);
  }
  return buildStandings({ tasks: [snapshotTask], departments: wanted, reports, period: weekBounds(asOf), asOf, planStart: plan.date, decisions: byCell, extensions, chases, evidence });
}

/** One unit's record of a task: what a command checks before it changes anything. */
export async function standingOf(store: Store, plan: PlanDoc, task: TaskDoc, department: string, asOf: Date): Promise<Standing> {
  const [one] = await standingsOfTask(store, plan, task, asOf, [department]);
  return one!;
}

/**
 * Only the lifecycle state of one unit's part, for a command's guard on the hot path (every 汇报): the cell's cached
 * reports, the task's decisions and its approved 延期, three indexed reads, no tallies.
 */
export async function lifecycleStateOf(store: Store, task: Pick<TaskDoc, '_id' | 'deadline'>, department: string, asOf?: Date): Promise<UnitState> {
  const [reports, decisions, extensions] = await Promise.all([
    reportsOfCells(store, [{ taskId: task._id, department }]),
    decisionsOfTask(store, task._id),
    approvedExtensionsOfTask(store, task._id),
  ]);
  const extended = extensions.get(cellKey(String(task._id), department)) ?? [];
  return foldUnit([...reports.map(toReportEvent), ...decisions.filter((d) => d.department === department).map(toDecisionEvent), ...extended], task.deadline, asOf);
}
