// Which of the scheduled runs due now are worth making. Two rules, one place, for the weekly jobs and the 督办 loop:
// - nothing about a time before the plans existed: a run whose period ended before the first active plan was
//   imported, or that fell due before it, is not made (a fresh install does not open with last week's 0 % digest
//   and a 催办 for it). Such a run is not claimed either, so an admin's `发送周报` still works.
// - after downtime, at most the latest period is made, and it is marked as a catch-up.
import { dayjs, weekStart } from '../domain/period.ts';
import { TIME_ZONE } from '../config.ts';
import type { Store } from '../store/database.ts';
import { activePlans } from '../store/plans.ts';

/** A run made this long after its time was missed (the process was down), not merely picked up by a later tick. */
export const CATCH_UP_AFTER_MS = 15 * 60_000;

export interface DueRun {
  /** A week ("2021-W30") or a day ("2021-07-30"). */
  period: string;
  /** When it was scheduled. */
  at: Date;
}

export interface RunToMake extends DueRun {
  catchUp: boolean;
}

/** When a period ends: the Monday after its week, or the midnight after its day (Asia/Shanghai). */
export function periodEnd(period: string): Date {
  const monday = weekStart(period);
  if (monday) return dayjs(monday).add(1, 'week').toDate();
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) return dayjs.tz(`${period} 00:00`, TIME_ZONE).add(1, 'day').toDate();
  throw new Error(`not a period: ${period}`);
}

/** Of the runs due now, the latest one, unless it is about or from a time before `plansSince` (null: no plan). */
export function runsToMake(due: readonly DueRun[], now: Date, plansSince: Date | null): RunToMake[] {
  const latest = [...due].sort((a, b) => a.at.getTime() - b.at.getTime() || periodEnd(a.period).getTime() - periodEnd(b.period).getTime()).at(-1);
  if (!latest || !plansSince) return [];
  if (latest.at < plansSince || periodEnd(latest.period) <= plansSince) return [];
  return [{ ...latest, catchUp: now.getTime() - latest.at.getTime() >= CATCH_UP_AFTER_MS }];
}

/** Since when the active plans exist: the first import of the earliest one; null when none is active. */
export async function plansSince(store: Store): Promise<Date | null> {
  const times = (await activePlans(store)).map((p) => (p.firstImportedAt ?? p.importedAt).getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}
