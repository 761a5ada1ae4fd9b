// Calendar periods in Asia/Shanghai, whatever the machine's time zone.
import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import isoWeek from 'dayjs/plugin/isoWeek.js';
import { TIME_ZONE } from '../config.ts';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(isoWeek);

export { dayjs };

/** The moment in Shanghai local time. */
export function local(at: Date | string | number): Dayjs {
  return dayjs(at).tz(TIME_ZONE);
}

/**
 * ISO week key, e.g. "2021-W30" (weeks start on Monday), of the Shanghai date. Computed from the fixed UTC+8 offset
 * (see shanghaiDate): every report takes this path, and dayjs's time-zone conversion was a tenth of a burst's CPU.
 */
export function weekKey(at: Date): string {
  const d = new Date(at.getTime() + SHANGHAI_OFFSET_MS); // its UTC fields are the Shanghai calendar fields
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The Thursday of this week decides the ISO year; week 1 is the week with that year's first Thursday.
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - weekday + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 24 * 3600 * 1000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * China Standard Time is UTC+8 all year (no daylight saving since 1991), so the Shanghai calendar date is a fixed
 * offset away. Hot loops (a county's digest touches tens of thousands of dates) use this instead of dayjs.tz,
 * which formats through Intl on every call.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** "YYYY-MM-DD" in Shanghai, fast. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export function monthKey(at: Date): string {
  return shanghaiDate(at).slice(0, 7);
}

/** Monday 00:00 (Shanghai) of the week containing `at`, and the following Monday. */
export function weekBounds(at: Date): { start: Date; end: Date } {
  const start = local(at).startOf('isoWeek');
  return { start: start.toDate(), end: start.add(1, 'week').toDate() };
}

/** Parses "2021-W30" into the Monday (Shanghai) that starts it. */
export function weekStart(key: string): Date | null {
  const m = /^(\d{4})-W(\d{1,2})$/.exec(key.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  // ISO week 1 contains January 4th.
  const jan4 = dayjs.tz(`${year}-01-04 00:00`, TIME_ZONE);
  const start = jan4.startOf('isoWeek').add(week - 1, 'week');
  if (start.isoWeekYear() !== year || week < 1 || week > 53) return null;
  return start.toDate();
}

export function previousWeekKey(at: Date): string {
  return weekKey(local(at).subtract(1, 'week').toDate());
}


/**
 * Shanghai wall-clock text. Through the fixed UTC+8 offset (see shanghaiDate), not dayjs.tz: a 考核 review formats
 * the date of every closed item, and the time-zone conversion (Intl on each call) was a sixth of its time.
 */
export function formatLocal(at: Date, pattern = 'M月D日 HH:mm'): string {
  return dayjs(at).utcOffset(SHANGHAI_OFFSET_MS / 60_000).format(pattern);
}

/**
 * A week as people read it: "11月23日—29日", or "7月26日—8月1日" across a month's end (Monday to Sunday, Shanghai).
 * The ISO key itself ("2021-W30") is for machines. An unreadable key is returned as it is.
 */
export function weekLabel(key: string): string {
  const start = weekStart(key);
  if (!start) return key;
  const first = local(start);
  const last = first.add(6, 'day');
  return `${first.format('M月D日')}—${last.month() === first.month() ? last.format('D日') : last.format('M月D日')}`;
}
