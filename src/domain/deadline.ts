// When a deadline warns: three working days before it, and on the day (the last working day up to it when the
// deadline itself is a holiday or weekend). Pure; the holiday calendar comes from workdays.ts.
import { dayjs } from './period.ts';
import { isWorkingDay } from './workdays.ts';
import { findDeadlines } from './plan/dates.ts';

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

/**
 * A new deadline as a person types it (延期): "2026-12-31", "2026/12/31", "2026年12月31日", "12月31日", "12月底",
 * "年底" — the plan parser's own date phrases (plan/dates.ts), the whole token and nothing else. Without a year the
 * date is this year's, or next year's when this year's has passed (a 延期 is always forward). null: not a date.
 */
export function parseNewDeadline(text: string, today: string): string | null {
  const token = text.trim().replace(/(之前|以前|前)$/, '');
  if (!token) return null;
  const year = Number(today.slice(0, 4));
  const hits = findDeadlines(token, year, 'annotation');
  if (hits.length !== 1 || hits[0]!.index !== 0 || hits[0]!.end !== token.length || !hits[0]!.iso) return null;
  const iso = hits[0]!.iso;
  const hasYear = /^\s*(\d{4}|[〇零○Ｏ一二三四五六七八九]{4})/.test(token);
  if (!hasYear && iso < today) return findDeadlines(token, year + 1, 'annotation')[0]?.iso ?? null;
  return iso;
}

/** Looks like a date (any year): how the command parser tells a 新时限 from a department. */
export function looksLikeDate(text: string): boolean {
  return parseNewDeadline(text, '2000-01-01') !== null;
}
