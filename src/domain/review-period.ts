// The periods of 月通报, 季推进 and 年考评: a month, a quarter or a year in Shanghai time, and the report weeks that
// belong to it. A week belongs to the month of its Thursday (as an ISO week belongs to the year of its Thursday), so
// every week counts in exactly one month, and a quarter's weeks are its months' weeks.
import { monthKey, weekKey } from './period.ts';

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface ReviewPeriod {
  kind: PeriodKind;
  /** "2026-11", "2026Q4", "2026". */
  key: string;
  /** "2026年11月", "2026年第四季度", "2026年". */
  label: string;
  /** 00:00 Shanghai of the first day, and of the day after the last. */
  start: Date;
  end: Date;
  /** The months it spans, "YYYY-MM". */
  months: string[];
}

export interface PeriodWeek {
  week: string;
  start: Date;
  end: Date;
  /** The week's last millisecond, or now for the running week. */
  asOf: Date;
}

const QUARTER_WORD = ['一', '二', '三', '四'];
const DAY_MS = 24 * 3600 * 1000;
const WEEK_MS = 7 * DAY_MS;

function shanghaiMidnight(year: number, month: number): Date {
  // month is 1-based and may be 13 (January of the next year).
  return new Date(Date.UTC(year, month - 1, 1) - 8 * 3600 * 1000);
}

function monthsOf(year: number, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${year}-${String(first + i).padStart(2, '0')}`);
}

export function monthPeriod(year: number, month: number): ReviewPeriod {
  return { kind: 'month', key: `${year}-${String(month).padStart(2, '0')}`, label: `${year}年${month}月`, start: shanghaiMidnight(year, month), end: shanghaiMidnight(year, month + 1), months: monthsOf(year, month, 1) };
}

export function quarterPeriod(year: number, quarter: number): ReviewPeriod {
  const first = (quarter - 1) * 3 + 1;
  return { kind: 'quarter', key: `${year}Q${quarter}`, label: `${year}年第${QUARTER_WORD[quarter - 1]}季度`, start: shanghaiMidnight(year, first), end: shanghaiMidnight(year, first + 3), months: monthsOf(year, first, 3) };
}

export function yearPeriod(year: number): ReviewPeriod {
  return { kind: 'year', key: String(year), label: `${year}年`, start: shanghaiMidnight(year, 1), end: shanghaiMidnight(year, 13), months: monthsOf(year, 1, 12) };
}

/** "2026-11" (month), "2026Q4" (quarter), "2026" (year); null when it is none of them. */
export function parsePeriod(kind: PeriodKind, text: string): ReviewPeriod | null {
  const t = text.trim();
  if (kind === 'month') {
    const m = /^(\d{4})-(\d{1,2})$/.exec(t);
    const month = m ? Number(m[2]) : 0;
    return m && month >= 1 && month <= 12 ? monthPeriod(Number(m[1]), month) : null;
  }
  if (kind === 'quarter') {
    const m = /^(\d{4})\s*[Qq]([1-4])$/.exec(t);
    return m ? quarterPeriod(Number(m[1]), Number(m[2])) : null;
  }
  return /^\d{4}$/.test(t) ? yearPeriod(Number(t)) : null;
}

/** The period of this kind that contains `at`. */
export function periodContaining(kind: PeriodKind, at: Date): ReviewPeriod {
  const [y, m] = monthKey(at).split('-').map(Number) as [number, number];
  if (kind === 'month') return monthPeriod(y, m);
  if (kind === 'quarter') return quarterPeriod(y, Math.floor((m - 1) / 3) + 1);
  return yearPeriod(y);
}

/** The period just before: October before November, Q3 before Q4, 2025 before 2026. */
export function previousPeriod(p: ReviewPeriod): ReviewPeriod {
  return periodContaining(p.kind, new Date(p.start.getTime() - 1));
}

/** The moment a period's figures describe: its last millisecond, or now while it runs. */
export function periodAsOf(p: ReviewPeriod, now: Date): Date {
  return now < p.end ? now : new Date(p.end.getTime() - 1);
}

/** The report weeks of the period that have begun by `now`: those whose Thursday falls in one of its months. */
export function periodWeeks(p: ReviewPeriod, now: Date): PeriodWeek[] {
  const out: PeriodWeek[] = [];
  // The Monday on or before the period's first day, three days back at most from a Thursday in it.
  const firstDay = new Date(p.start.getTime() + 8 * 3600 * 1000); // UTC fields = Shanghai calendar
  const weekday = (firstDay.getUTCDay() + 6) % 7;
  for (let start = new Date(p.start.getTime() - weekday * DAY_MS); start < p.end && start <= now; start = new Date(start.getTime() + WEEK_MS)) {
    const thursday = new Date(start.getTime() + 3 * DAY_MS);
    if (!p.months.includes(monthKey(thursday))) continue;
    const end = new Date(start.getTime() + WEEK_MS);
    out.push({ week: weekKey(start), start, end, asOf: end > now ? now : new Date(end.getTime() - 1) });
  }
  return out;
}

/** How many periods of the rules' cap length a period spans (a quarter is 3 months; a month is at least 1). */
export function capUnits(p: ReviewPeriod, per: 'month' | 'quarter' | 'year'): number {
  const months = p.months.length;
  return Math.max(1, per === 'month' ? months : per === 'quarter' ? months / 3 : months / 12);
}
