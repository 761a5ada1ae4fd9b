// Dates in plan documents: signature dates, and deadlines written in running text
// ("9月底前") or in a 时限 annotation ("2021年9月", "下半年").
import { parseChineseNumeral, toAsciiDigits } from './chinese-numerals.ts';

export const YEAR = `(\\d{4}|[〇零○Ｏ一二三四五六七八九]{4})`;
const MONTH = `(\\d{1,2}|[一二三四五六七八九十]{1,3})`;
const DAY = `(\\d{1,2}|[一二三四五六七八九十]{1,3})`;
const DATE_LINE_RE = new RegExp(`^[（(]?${YEAR}\\s*年\\s*${MONTH}\\s*月\\s*${DAY}\\s*日[）)]?$`);

/** "2021年6月11日" (or in Chinese numerals) → "2021-06-11"; null if not a valid date. */
export function parseDateLine(line: string): string | null {
  const m = DATE_LINE_RE.exec(toAsciiDigits(line));
  if (!m) return null;
  return isoDate(parseChineseNumeral(m[1] ?? ''), parseChineseNumeral(m[2] ?? ''), parseChineseNumeral(m[3] ?? ''));
}

export function isoDate(year: number | null, month: number | null, day: number | null): string | null {
  if (year === null || month === null || day === null) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

interface DateHit {
  index: number;
  end: number;
  iso: string | null;
  text: string;
}

export type DateMode = 'annotation' | 'text';

// In running text a date is a deadline only with 前 ("9月底前"); in a 时限 annotation the
// value is a deadline whatever its wording ("2021年9月", "下半年").
const BEFORE = '(?:\\s*(?:之前|以前|前))';

interface DatePattern {
  re: string;
  modes: DateMode[];
  toIso: (m: RegExpMatchArray, year: number | null) => string | null;
}

const num = (s: string | undefined): number | null => (s === undefined ? null : parseChineseNumeral(s));
const yearOf = (s: string | undefined, fallback: number | null): number | null => (s === undefined ? fallback : num(s));
const lastDay = (year: number | null, month: number | null): string | null =>
  year === null || month === null || month < 1 || month > 12 ? null : isoDate(year, month, daysInMonth(year, month));

const QUARTER_END: Record<string, number> = { 一: 3, '1': 3, 二: 6, '2': 6, 三: 9, '3': 9, 四: 12, '4': 12 };

const DATE_PATTERNS: DatePattern[] = [
  {
    // 2021年6月30日前, 6月30日前
    re: `(?:${YEAR}\\s*年\\s*)?${MONTH}\\s*月\\s*${DAY}\\s*[日号]`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => isoDate(yearOf(m[1], y), num(m[2]), num(m[3])),
  },
  {
    // 2021.6.30, 2021-06-30, 2021/6/30 — as typed into a 完成时限 cell
    re: `(\\d{4})\\s*[.．\\-/]\\s*(\\d{1,2})\\s*[.．\\-/]\\s*(\\d{1,2})(?!\\d)`,
    modes: ['annotation'],
    toIso: (m) => isoDate(num(m[1]), num(m[2]), num(m[3])),
  },
  {
    // 2021.9 — a month alone, by its end
    re: `(\\d{4})\\s*[.．\\-/]\\s*(\\d{1,2})(?![\\d.．\\-/])`,
    modes: ['annotation'],
    toIso: (m) => lastDay(num(m[1]), num(m[2])),
  },
  {
    // 2021年9月底前, 9月底前, 9月份末
    re: `(?:${YEAR}\\s*年\\s*)?${MONTH}\\s*月份?\\s*(?:底|末)`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), num(m[2])),
  },
  {
    // 2021年年底前, 年底前, 年末
    re: `(?:${YEAR}\\s*年\\s*)?年(?:底|末|终)`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), 12),
  },
  {
    // 2021年底前
    re: `${YEAR}\\s*年(?:底|末)`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), 12),
  },
  {
    // 上半年 / 下半年 / 全年 / 第三季度
    re: `(?:${YEAR}\\s*年\\s*)?(上半年|下半年|全年|第?[一二三四1-4]季度)(?:末|底)?`,
    modes: ['annotation'],
    toIso: (m, y) => {
      const period = m[2] ?? '';
      const quarter = /([一二三四1-4])季度/.exec(period)?.[1];
      const month = period === '上半年' ? 6 : quarter !== undefined ? (QUARTER_END[quarter] ?? null) : 12;
      return lastDay(yearOf(m[1], y), month);
    },
  },
  {
    // 2021年9月 — a month alone in a 时限 annotation means by its end
    re: `(?:${YEAR}\\s*年\\s*)?${MONTH}\\s*月份?`,
    modes: ['annotation'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), num(m[2])),
  },
];

/** Date phrases in s, left to right; at one position the longest phrase wins. */
export function findDeadlines(s: string, year: number | null, mode: DateMode): DateHit[] {
  const ascii = toAsciiDigits(s); // same length as s, so indices carry over
  const hits: DateHit[] = [];
  for (const pattern of DATE_PATTERNS) {
    if (!pattern.modes.includes(mode)) continue;
    const suffix = mode === 'text' ? BEFORE : `${BEFORE}?`;
    for (const m of ascii.matchAll(new RegExp(pattern.re + suffix, 'g'))) {
      const index = m.index ?? 0;
      const end = index + m[0].length;
      hits.push({ index, end, iso: pattern.toIso(m, year), text: s.slice(index, end) });
    }
  }
  hits.sort((a, b) => a.index - b.index || b.end - a.end);
  const kept: DateHit[] = [];
  for (const hit of hits) {
    const last = kept.at(-1);
    if (last === undefined || hit.index >= last.end) kept.push(hit);
  }
  return kept;
}

/**
 * The stated deadline: the latest one in 时限 annotations; failing that, the first date
 * phrase with 前 in the text. An annotation like "长期坚持" keeps its wording with no date.
 */
export function resolveDeadline(
  stated: string[],
  text: string,
  year: number | null,
): { deadline: string | null; deadlineText: string | null } {
  let best: { deadline: string; deadlineText: string } | null = null;
  for (const value of stated) {
    for (const hit of findDeadlines(value, year, 'annotation')) {
      if (hit.iso !== null && (best === null || hit.iso >= best.deadline)) best = { deadline: hit.iso, deadlineText: value };
    }
  }
  if (best) return best;
  const inText = findDeadlines(text, year, 'text')[0];
  if (inText) return { deadline: inText.iso, deadlineText: inText.text };
  return { deadline: null, deadlineText: stated.length > 0 ? stated.join('；') : null };
}
