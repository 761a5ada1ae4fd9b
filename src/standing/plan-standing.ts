// One plan's read model as the pages and the 台账 use it, computed once and shared by every request: this week's
// records (the same records as 待汇报, 总览 and the digest), its digest figures, the reporting rate of the weeks
// before, and the full tasks. Recomputed when this process writes a report, a task or a member (generation counters), and after a
// short lifetime for writes of another instance; a stale view is served while its successor is computed.
import type { Clock } from '../clock.ts';
import { computeDigest, type Digest } from '../domain/digest.ts';
import { weekBounds, weekKey } from '../domain/period.ts';
import { buildStandings, type ReviewDecision, type SnapshotReport, type Standing } from '../domain/standing.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import { chasesByCell, evidenceByCell } from '../store/cell-tallies.ts';
import { cachedReportsWithCoverage, progressGeneration } from '../store/progress-cache.ts';
import { decisionsOfPlan } from '../store/reviews.ts';
import { approvedExtensionsOfPlan } from '../store/extensions.ts';
import { toSnapshotTask } from '../store/snapshot-queries.ts';
import { activeTasks } from '../store/task-queries.ts';
import { loadStandings, underCurrentUnits, unitsOfPlan } from './load.ts';

/** Weeks in the trend chart, this one included. The progress cache keeps eight report weeks per cell. */
export const TREND_WEEKS = 8;
/** How long a view may stand for another instance's writes (this process's own show at once). */
export const PLAN_STATE_TTL_MS = 30_000;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface TrendPoint {
  week: string;
  rate: number;
  expected: number;
  reported: number;
  /** Per department, for the ledger's 部门汇报率 sheet. */
  departments: Digest['departments'];
}

export interface PlanStanding {
  plan: PlanDoc;
  week: string;
  asOf: Date;
  /** This week's records, one per (task, unit). */
  records: Standing[];
  digest: Digest;
  /** Oldest first, this week last; weeks the cache no longer covers are left out. */
  trend: TrendPoint[];
  tasks: TaskDoc[];
  tasksById: Map<string, TaskDoc>;
  departments: string[];
  /** 销号 decisions by cell, for figures computed over many weeks (the 台账's 部门汇报率). */
  decisions: ReadonlyMap<string, readonly ReviewDecision[]>;
}

/**
 * After this process's own write, a view younger than this may still be served while its successor is computed.
 * Zero by default: a page opened right after a 退回 or a report must show it, as chat does (one truth). A burst
 * of reports still costs at most one computation at a time: requests during it wait for the one in flight.
 */
export const PLAN_STATE_MIN_AGE_MS = 0;

interface Entry {
  key: string;
  at: number;
  state: Promise<PlanStanding>;
  next: Promise<PlanStanding> | null;
}

export class PlanStandings {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly ttlMs = PLAN_STATE_TTL_MS, private readonly minAgeMs = PLAN_STATE_MIN_AGE_MS) {}

  get(plan: PlanDoc): Promise<PlanStanding> {
    const id = String(plan._id);
    const key = `${this.store.cache.generation}:${progressGeneration(this.store)}:${weekKey(this.clock.now())}`;
    const hit = this.entries.get(id);
    const compute = () => {
      const state = computePlanStanding(this.store, plan, this.clock.now());
      return { key, at: performance.now(), state, next: null } satisfies Entry;
    };
    if (!hit) {
      const entry = compute();
      this.entries.set(id, entry);
      entry.state.catch(() => this.entries.delete(id)); // a failed computation is not remembered
      return entry.state;
    }
    const age = performance.now() - hit.at; // an interval, not a calendar time: not the clock's business
    if (hit.key === key && age <= this.ttlMs) return hit.state;
    if (!hit.next) {
      const entry = compute();
      hit.next = entry.state;
      entry.state.then(() => this.entries.set(id, entry), () => (hit.next = null));
    }
    // Changed here and not brand new: wait for the new view. Only old (another instance may have written): serve it.
    return hit.key !== key && age >= this.minAgeMs ? hit.next : hit.state;
  }
}

/**
 * The figures of weeks that have ended, per store: reports are stamped with their arrival, so an ended week never
 * gains one; only a change of tasks or members (the read cache's generation) can change its figures.
 */
const pastWeeks = new WeakMap<Store, Map<string, TrendPoint>>();

function pastWeekMemo(store: Store): Map<string, TrendPoint> {
  let m = pastWeeks.get(store);
  if (!m || m.size > 1000) pastWeeks.set(store, (m = new Map()));
  return m;
}

export async function computePlanStanding(store: Store, plan: PlanDoc, now: Date): Promise<PlanStanding> {
  const generation = store.cache.generation; // before the reads: a change during them must not be memoized as older
  const [tasks, departments, cached, decisions, extensions, chases] = await Promise.all([
    activeTasks(store, plan._id),
    unitsOfPlan(store, plan),
    cachedReportsWithCoverage(store, plan._id).then(async (c) => ({ ...c, reports: await underCurrentUnits(store, plan, c.reports) })),
    decisionsOfPlan(store, plan._id),
    approvedExtensionsOfPlan(store, plan._id),
    chasesByCell(store, { planId: plan._id }),
  ]);
  const evidence = await evidenceByCell(store, tasks.map((t) => t._id));
  const snapshotTasks = tasks.map((t) => toSnapshotTask(t, now));
  const current = weekBounds(now);
  const covered = (start: Date) => !cached.coveredAfter || start > cached.coveredAfter;
  const snapshot = (reports: SnapshotReport[], period: { start: Date; end: Date }, asOf: Date) =>
    buildStandings({ tasks: snapshotTasks, departments, reports, period, asOf, planStart: plan.date, decisions, extensions, chases, evidence });
  // This week from the cache when it covers it (it keeps eight weeks per cell), else the slow path reads reports.
  const records = covered(current.start) ? snapshot(cached.reports, current, now) : await loadStandings(store, plan, current, now);
  const week = weekKey(now);
  const digest = computeDigest(week, records);
  const trend: TrendPoint[] = [];
  for (let i = TREND_WEEKS - 1; i >= 1; i--) {
    const start = new Date(current.start.getTime() - i * WEEK_MS);
    if (!covered(start)) continue;
    if (plan.date && start.getTime() + WEEK_MS <= Date.parse(`${plan.date}T00:00:00+08:00`)) continue;
    const end = new Date(start.getTime() + WEEK_MS);
    const memo = pastWeekMemo(store);
    const memoKey = `${String(plan._id)}|${weekKey(start)}|${generation}`;
    let point = memo.get(memoKey);
    if (!point) {
      const d = computeDigest(weekKey(start), snapshot(cached.reports, { start, end }, new Date(end.getTime() - 1)));
      point = { week: d.week, rate: d.rate, expected: d.expected, reported: d.reported, departments: d.departments };
      memo.set(memoKey, point);
    }
    trend.push(point);
  }
  trend.push({ week, rate: digest.rate, expected: digest.expected, reported: digest.reported, departments: digest.departments });
  return { plan, week, asOf: now, records, digest, trend, tasks, tasksById: new Map(tasks.map((t) => [String(t._id), t])), departments, decisions };
}
