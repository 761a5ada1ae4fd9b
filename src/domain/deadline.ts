// When a deadline warns: three working days before it, and on the day (the last working day up to it when the
// deadline itself is a holiday or weekend). Pure; the holiday calendar comes from workdays.ts.
import { dayjs } from './period.ts';
import { isWorkingDay } from './workdays.ts';

export const WARN_WORKING_DAYS_BEFORE = 3;

/** The last working day on or before `date` ("YYYY-MM-DD"). */
export function workingDayOnOrBefore(date: string): string {
  let d = dayjs(date);
  for (let i = 0; i < 31 && !isWorkingDay(d.format('YYYY-MM-DD')); i++) d = d.subtract(1, 'day');
  return d.format('YYYY-MM-DD');
}

/** The Nth working day before `date` (not counting `date` itself). */
export function workingDaysBefore(date: string, n: number): string {
  let d = dayjs(date);
  let left = n;
  for (let i = 0; i < 90 && left > 0; i++) {
    d = d.subtract(1, 'day');
    if (isWorkingDay(d.format('YYYY-MM-DD'))) left--;
  }
  return d.format('YYYY-MM-DD');
}

export type DeadlineWarning = 'soon' | 'today';

/** Which warning (if any) a deadline gives on `today`. */
export function deadlineWarningOn(today: string, deadline: string): DeadlineWarning | null {
  if (today === workingDayOnOrBefore(deadline)) return 'today';
  if (today === workingDaysBefore(deadline, WARN_WORKING_DAYS_BEFORE)) return 'soon';
  return null;
}
