// Each department's reporting rate, week by week, over a plan's whole history, in one pass over its reports.
// The same definitions as buildSnapshot + computeDigest (expected = not done before the week, and reported in it
// or still owing; a monthly task owes nothing in a week of a month it already reported), which a test checks;
// computing a full snapshot per week instead costs a county's ledger seconds for every week of the year.
import { monthKey } from './period.ts';
import { responsibleDepartments, type SnapshotReport, type SnapshotTask } from './standing.ts';

/** What the rates need of a report; the task id may be an ObjectId (its string form is used), so a caller's list need not be copied. */
export type RateReport = Pick<SnapshotReport, 'department' | 'at' | 'status'> & { taskId: string | { toString(): string } };

export interface RateWeek {
  week: string;
  start: Date;
  end: Date;
  /** The snapshot's moment: the week's last millisecond, or now for the running week. */
  asOf: Date;
}

export interface WeekTally {
  expected: number;
  reported: number;
}

/** department → week → tally (only weeks where the department was expected to report something). */
export function weeklyDepartmentRates(tasks: SnapshotTask[], departments: string[], reports: readonly RateReport[], weeks: RateWeek[]): Map<string, Map<string, WeekTally>> {
  const byCell = new Map<string, RateReport[]>();
  for (const r of reports) {
    const key = `${String(r.taskId)}|${r.department}`;
    const list = byCell.get(key);
    if (list) list.push(r);
    else byCell.set(key, [r]);
  }
  for (const list of byCell.values()) list.sort((a, b) => a.at.getTime() - b.at.getTime());
  const months = weeks.map((w) => monthKey(w.asOf));
  const out = new Map<string, Map<string, WeekTally>>();
  for (const task of tasks) {
    for (const department of responsibleDepartments(task, departments)) {
      const rs = byCell.get(`${task.id}|${department}`) ?? [];
      let before = 0; // reports before the week starts
      weeks.forEach((w, wi) => {
        while (before < rs.length && rs[before]!.at < w.start) before++;
        let upTo = before; // reports up to asOf
        let reportedInPeriod = false;
        while (upTo < rs.length && rs[upTo]!.at <= w.asOf) {
          if (rs[upTo]!.at < w.end) reportedInPeriod = true;
          upTo++;
        }
        const doneBefore = before > 0 && rs[before - 1]!.status === 'done';
        const done = upTo > 0 && rs[upTo - 1]!.status === 'done';
        let reported = reportedInPeriod;
        if (task.cadence === 'monthly') {
          reported = false;
          for (let i = upTo - 1; i >= 0; i--) {
            const m = monthKey(rs[i]!.at);
            if (m === months[wi]) { reported = true; break; }
            if (m < months[wi]!) break;
          }
        }
        const owes = !done && !reported;
        if (doneBefore || !(reportedInPeriod || owes)) return;
        let perWeek = out.get(department);
        if (!perWeek) out.set(department, (perWeek = new Map()));
        const t = perWeek.get(w.week) ?? { expected: 0, reported: 0 };
        t.expected++;
        if (reportedInPeriod) t.reported++;
        perWeek.set(w.week, t);
      });
    }
  }
  return out;
}
