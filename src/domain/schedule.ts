// When the weekly jobs run: a weekly slot from the cron setting, moved off holidays.
// Pure: the moment is passed in, the calendar is consulted for working days.
import { TIME_ZONE } from '../config.ts';
import { dayjs, local, weekKey } from './period.ts';
import { shiftToWorkingDay } from './workdays.ts';

export type JobName = 'reminder' | 'digest';

export interface WeeklySlot {
  minute: number;
  hour: number;
  /** 0 = Sunday … 6 = Saturday, as in cron. */
  weekday: number;
}

/** Reads "m h * * d" with plain numbers; anything richer is not a weekly slot (null). */
export function parseWeeklyCron(expr: string): WeeklySlot | null {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5 || f[2] !== '*' || f[3] !== '*') return null;
  const [m, h, , , d] = f.map((x) => (/^\d+$/.test(x!) ? Number(x) : NaN));
  if (!(m! >= 0 && m! < 60 && h! >= 0 && h! < 24 && d! >= 0 && d! <= 7)) return null;
  return { minute: m!, hour: h!, weekday: d! % 7 };
}

export interface PlannedRun {
  job: JobName;
  /** False when the whole rest of the week is holiday: that week gets no reminder. */
  runs: boolean;
  /** The period the run is about: the week reminded, or the week the digest reports on. */
  period: string;
  /** When it runs (after the holiday shift). */
  at: Date;
  /** After this the period is no longer current: a missed run is not caught up. */
  expires: Date;
}

/**
 * The run of JOB scheduled in the week that contains `weekOf`. A reminder that falls on a holiday moves to the
 * previous working day, a digest to the next one (unless `adjust` is off).
 */
export function plannedRun(job: JobName, slot: WeeklySlot, weekOf: Date, adjust: boolean): PlannedRun {
  const monday = local(weekOf).startOf('isoWeek');
  const nominal = monday.add((slot.weekday + 6) % 7, 'day').format('YYYY-MM-DD');
  const day = adjust ? shiftToWorkingDay(nominal, job === 'reminder' ? 'earlier' : 'later') : nominal;
  const at = dayjs.tz(`${day} ${String(slot.hour).padStart(2, '0')}:${String(slot.minute).padStart(2, '0')}`, TIME_ZONE).toDate();
  const weekEnd = monday.add(1, 'week').toDate();
  if (job === 'reminder') {
    // Reminding about week W makes sense until W ends, and only from within W: a reminder moved back into the
    // week before (春节 can take a whole week) would ask about a week that has not begun, so it is dropped.
    return { job, runs: at >= monday.toDate(), period: weekKey(monday.toDate()), at, expires: weekEnd };
  }
  // The digest in week W reports on W-1, and stays worth sending until the next digest's week begins.
  const endOfRunWeek = local(at).startOf('isoWeek').add(1, 'week').toDate();
  return { job, runs: true, period: weekKey(monday.subtract(1, 'week').toDate()), at, expires: endOfRunWeek > weekEnd ? endOfRunWeek : weekEnd };
}

/** Runs due at `now`: this week's and (for a digest shifted past the weekend) last week's. */
export function dueRuns(job: JobName, slot: WeeklySlot, now: Date, adjust: boolean): PlannedRun[] {
  const candidates = [plannedRun(job, slot, local(now).subtract(1, 'week').toDate(), adjust), plannedRun(job, slot, now, adjust)];
  return candidates.filter((r) => r.runs && r.at <= now && now < r.expires);
}
