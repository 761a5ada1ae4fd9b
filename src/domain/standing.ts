// The read model's record: where every (task, unit) of a plan stands, one record each, built by the 督办 lifecycle
// (lifecycle.ts) from that unit's history. Pure: tasks, units, reports, decisions, 催办 and 佐证 counts in, records
// out; the clock's "as of" is passed in. Chat, the digest and its chart, the loop jobs, the pages and the 台账 all
// read these records (src/standing/ loads and caches them); none of them decides a state of its own.
import { monthKey } from './period.ts';
import { apply, foldUnit, initialState, isFinishedStage, overdueDays, type DecisionEvent, type ExtensionEvent, type ReportEvent, type Stage, type UnitEvent, type UnitState } from './lifecycle.ts';
import { statusLight, type Light } from './status-light.ts';
import type { Cadence, ReportStatus } from './vocabulary.ts';

export interface SnapshotTask {
  id: string;
  code: string;
  title: string;
  section: number;
  sectionTitle: string;
  departments: string[];
  lead?: string[];
  collective: boolean;
  deadline: string | null;
  cadence: Cadence;
  since: Date;
}

export interface SnapshotReport {
  taskId: string;
  department: string;
  userid: string;
  at: Date;
  seq?: number | null;
  status: ReportStatus;
  percent: number | null;
  note: string;
}

/** A reviewer's decision on a unit's part of a task, as the store keeps it. */
export interface ReviewDecision {
  at: Date;
  decision: 'approved' | 'returned' | 'reopened';
  reason: string;
  actor: string;
}

/** The latest 催办 of a unit's part. */
export interface LastChase {
  at: Date;
  actor: string;
  note: string;
  kind: 'manual' | 'auto';
}

export interface Standing {
  task: SnapshotTask;
  department: string;
  /** The lifecycle's stage: 未启动 / 推进中 / 受阻 / 待审核 / 已销号 / 退回. */
  stage: Stage;
  /** The 退回 / 重新打开 reason, or the 受阻 note. */
  reason: string | null;
  /** When the stage began (the report or the decision that set it). */
  since: Date | null;
  /** Who decided it (a userid), for 已销号 / 退回. */
  decidedBy: string | null;
  /** Latest report before the period ends (as of `asOf`). */
  latest: SnapshotReport | null;
  /** Latest report before the period started: tells "newly completed" from "done long ago". */
  latestBefore: SnapshotReport | null;
  reportedInPeriod: boolean;
  /** Finished (待审核 / 已销号) before the period started: nothing is expected any more. */
  doneBefore: boolean;
  /** Owes a report in this period: unfinished, and not reported in it (month, for monthly tasks), or sent back. */
  owes: boolean;
  light: Light;
  /** The unit's deadline (the task's, or a 延期's) and the days past it while unfinished (超期). */
  deadline: string | null;
  /** The approved 延期 that set `deadline` (the task's own stays on the task), else null. */
  extension: ExtensionEvent | null;
  overdue: boolean;
  overdueDays: number;
  /** 佐证材料: distinct files. */
  evidence: number;
  chases: number;
  lastChase: LastChase | null;
}

export interface StandingInput {
  tasks: SnapshotTask[];
  /** The plan's own units, which its collective tasks (镇直各部门 …) bind. */
  departments: string[];
  /** Reports up to `asOf`, any order. */
  reports: SnapshotReport[];
  period: { start: Date; end: Date };
  /** The moment the records describe: now, or the end of a past period. */
  asOf: Date;
  planStart: string | null;
  /** Decisions by cell (`taskId|department`). */
  decisions?: ReadonlyMap<string, readonly ReviewDecision[]>;
  /** Approved 延期 by cell. */
  extensions?: ReadonlyMap<string, readonly ExtensionEvent[]>;
  /** 佐证 file counts and 催办 by cell. */
  evidence?: ReadonlyMap<string, number>;
  chases?: ReadonlyMap<string, { count: number; last: LastChase | null }>;
}

/** A cell's key in maps: the same shape as the progress cache's ids. */
export function cellKey(taskId: string, department: string): string {
  return `${taskId}|${department}`;
}

/**
 * Expected to report in the period: not finished before it, and either reported or still owing (a monthly task
 * already reported this month owes nothing this week). The denominator of every reporting rate.
 */
export function isExpected(c: Pick<Standing, 'doneBefore' | 'reportedInPeriod' | 'owes'>): boolean {
  return !c.doneBefore && (c.reportedInPeriod || c.owes);
}

export function responsibleDepartments(task: Pick<SnapshotTask, 'departments' | 'collective'>, all: readonly string[]): string[] {
  return task.collective ? [...new Set([...task.departments.filter((d) => all.includes(d)), ...all])] : task.departments;
}

export function toReportEvent(r: SnapshotReport): ReportEvent {
  return { kind: 'report', at: r.at, seq: r.seq ?? null, status: r.status, percent: r.percent, note: r.note, userid: r.userid };
}

export function toDecisionEvent(d: ReviewDecision): DecisionEvent {
  return { kind: d.decision === 'approved' ? 'approve' : d.decision === 'returned' ? 'return' : 'reopen', at: d.at, reason: d.reason, actor: d.actor };
}

export function buildStandings(input: StandingInput): Standing[] {
  const byCell = new Map<string, SnapshotReport[]>();
  for (const r of input.reports) {
    if (r.at > input.asOf) continue;
    const key = cellKey(r.taskId, r.department);
    const list = byCell.get(key);
    if (list) list.push(r);
    else byCell.set(key, [r]);
  }
  const out: Standing[] = [];
  const asOfMonth = monthKey(input.asOf);
  for (const task of input.tasks) {
    for (const department of responsibleDepartments(task, input.departments)) {
      const key = cellKey(task.id, department);
      const reports = byCell.get(key) ?? [];
      let latest: SnapshotReport | null = null;
      let latestBefore: SnapshotReport | null = null;
      let reportedInPeriod = false;
      let reportedInMonth = false;
      for (const r of reports) {
        if (!latest || later(r, latest)) latest = r;
        if (r.at < input.period.start) {
          if (!latestBefore || later(r, latestBefore)) latestBefore = r;
        } else if (r.at < input.period.end) reportedInPeriod = true;
        if (monthKey(r.at) === asOfMonth) reportedInMonth = true;
      }
      const decisions = input.decisions?.get(key);
      const extensions = input.extensions?.get(key);
      let state: UnitState;
      let before: UnitState;
      if (!decisions?.length && !extensions?.length) {
        // Most cells have only reports: the fold of reports alone is the latest one (a county's digest has tens of
        // thousands of cells, so they skip building and sorting a history).
        state = latest ? apply(initialState(task.deadline), toReportEvent(latest)) : initialState(task.deadline);
        before = latestBefore ? apply(initialState(task.deadline), toReportEvent(latestBefore)) : initialState(task.deadline);
      } else {
        const history: UnitEvent[] = [...reports.map(toReportEvent), ...(decisions ?? []).map(toDecisionEvent), ...(extensions ?? [])];
        state = foldUnit(history, task.deadline, input.asOf);
        before = foldUnit(history, task.deadline, new Date(input.period.start.getTime() - 1));
      }
      const finished = isFinishedStage(state.stage);
      const reported = task.cadence === 'monthly' ? reportedInMonth : reportedInPeriod;
      // A 退回 is 推进中 again from the moment of the decision, and owes a report again.
      const returned = state.stage === 'returned';
      const effective = returned ? { at: state.since!, status: 'in_progress' as const, percent: null } : latest;
      const late = overdueDays(state, input.asOf);
      const chases = input.chases?.get(key);
      out.push({
        task, department, stage: state.stage, reason: state.reason, since: state.since, decidedBy: state.decision?.actor ?? null,
        latest, latestBefore, reportedInPeriod,
        doneBefore: isFinishedStage(before.stage),
        owes: !finished && (returned || !reported),
        light: finished ? 'done' : statusLight({ now: input.asOf, since: task.since, latest: effective, deadline: state.deadline, planStart: input.planStart }),
        deadline: state.deadline, extension: state.extension, overdue: late > 0, overdueDays: late,
        evidence: input.evidence?.get(key) ?? 0, chases: chases?.count ?? 0, lastChase: chases?.last ?? null,
      });
    }
  }
  return out;
}

function later(a: SnapshotReport, b: SnapshotReport): boolean {
  const d = a.at.getTime() - b.at.getTime();
  return d > 0 || (d === 0 && (a.seq ?? 0) > (b.seq ?? 0));
}

/** Where a task stands across its units, in one word: what lists and filters show for a whole task. */
export type TaskStage = Stage | 'none';

/**
 * The worst-off unit speaks for the task: 退回 and 受阻 first, then anything still open; a task is 待审核 only when
 * every unit has finished and one still waits, 已销号 when every unit's part is closed. 'none': nobody reported.
 */
export function taskStageOf(records: readonly Pick<Standing, 'stage' | 'latest'>[]): TaskStage {
  if (records.length === 0) return 'none';
  const stages = new Set(records.map((r) => r.stage));
  if (stages.has('returned')) return 'returned';
  if (stages.has('blocked')) return 'blocked';
  const open = records.filter((r) => !isFinishedStage(r.stage));
  if (open.length === 0) return stages.has('pending_review') ? 'pending_review' : 'closed';
  if (stages.has('in_progress') || open.length < records.length) return 'in_progress';
  return open.some((r) => r.latest) ? 'not_started' : 'none';
}

/** Percent done of a unit's part: 100 once finished, the reported percent while open, null before any report. */
export function percentOf(c: Pick<Standing, 'stage' | 'latest'>): number | null {
  if (isFinishedStage(c.stage)) return 100;
  if (!c.latest) return null;
  return c.latest.status === 'done' ? null : c.latest.percent;
}
