// Where every (task, department) stands in a period: the shared basis of 待汇报, 总览, the reminder and
// the digest. Pure: tasks, departments and reports in, cells out; the clock's "as of" is passed in.
import type { Cadence, ReportStatus } from './vocabulary.ts';
import { monthKey, shanghaiDate } from './period.ts';
import { cellKey, reviewStateOf, type ReviewDecision, type ReviewState } from './review.ts';
import { statusLight, type Light } from './status-light.ts';

export interface SnapshotTask {
  id: string;
  code: string;
  title: string;
  section: number;
  sectionTitle: string;
  departments: string[];
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
  status: ReportStatus;
  percent: number | null;
  note: string;
}

export interface Cell {
  task: SnapshotTask;
  department: string;
  /** Latest report before the period ends (as of `asOf`). */
  latest: SnapshotReport | null;
  /** Latest report before the period started: tells "newly completed" from "done long ago". */
  latestBefore: SnapshotReport | null;
  reportedInPeriod: boolean;
  /** Done before the period started: nothing is expected any more. */
  doneBefore: boolean;
  /** Owes a report in this period: not done, and not reported in the period (month, for monthly tasks). */
  owes: boolean;
  light: Light;
  /** 销号 review: 待审核 / 已销号 / 退回 (a returned cell counts as not done). */
  review: ReviewState;
  /** Past its deadline (as of `asOf`) and not done: 超期. */
  overdue: boolean;
}

export interface SnapshotInput {
  tasks: SnapshotTask[];
  /** Every department collective tasks bind (the non-collective ones). */
  departments: string[];
  /** Reports up to `asOf`, any order. */
  reports: SnapshotReport[];
  period: { start: Date; end: Date };
  /** The moment the snapshot describes: now, or the end of a past period. */
  asOf: Date;
  planStart: string | null;
  /** 销号 decisions by cell (`taskId|department`); none means nothing was reviewed yet. */
  decisions?: ReadonlyMap<string, readonly ReviewDecision[]>;
}

/**
 * Expected to report in the period: not done before it, and either reported or still owing (a monthly task
 * already reported this month owes nothing this week). The denominator of every reporting rate.
 */
export function isExpected(c: Pick<Cell, 'doneBefore' | 'reportedInPeriod' | 'owes'>): boolean {
  return !c.doneBefore && (c.reportedInPeriod || c.owes);
}

export function responsibleDepartments(task: SnapshotTask, all: readonly string[]): string[] {
  return task.collective ? [...new Set([...task.departments.filter((d) => all.includes(d)), ...all])] : task.departments;
}

export function buildSnapshot(input: SnapshotInput): Cell[] {
  const byCell = new Map<string, SnapshotReport[]>();
  for (const r of input.reports) {
    if (r.at > input.asOf) continue;
    const key = `${r.taskId}|${r.department}`;
    const list = byCell.get(key);
    if (list) list.push(r);
    else byCell.set(key, [r]);
  }
  const cells: Cell[] = [];
  const asOfMonth = monthKey(input.asOf);
  for (const task of input.tasks) {
    for (const department of responsibleDepartments(task, input.departments)) {
      const reports = byCell.get(`${task.id}|${department}`) ?? [];
      let latest: SnapshotReport | null = null;
      let latestBefore: SnapshotReport | null = null;
      let reportedInPeriod = false;
      let reportedInMonth = false;
      for (const r of reports) {
        if (!latest || r.at > latest.at) latest = r;
        if (r.at < input.period.start) {
          if (!latestBefore || r.at > latestBefore.at) latestBefore = r;
        } else if (r.at < input.period.end) reportedInPeriod = true;
        if (monthKey(r.at) === asOfMonth) reportedInMonth = true;
      }
      const decisions = input.decisions?.get(cellKey(task.id, department)) ?? [];
      const review = reviewStateOf(latest, decisions, input.asOf);
      // A 完成 sent back (退回) is 推进中 again from the moment of the decision, and owes a report again.
      const returned = review.state === 'returned';
      const doneBefore = latestBefore?.status === 'done' && reviewStateOf(latestBefore, decisions, input.period.start).state !== 'returned';
      const done = latest?.status === 'done' && !returned;
      const reported = task.cadence === 'monthly' ? reportedInMonth : reportedInPeriod;
      const effective = returned ? { at: review.decision!.at, status: 'in_progress' as const, percent: null } : latest;
      cells.push({
        task, department, latest, latestBefore, reportedInPeriod, doneBefore,
        owes: !done && (returned || !reported),
        light: statusLight({ now: input.asOf, since: task.since, latest: effective, deadline: task.deadline, planStart: input.planStart }),
        review: review.state,
        overdue: !done && !!task.deadline && shanghaiDate(input.asOf) > task.deadline,
      });
    }
  }
  return cells;
}
