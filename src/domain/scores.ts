// 考核 scores: each department's score for a period, explained line by line, from the read model's records at the
// period's end, the weeks' reporting obligations and the 退回 decisions of the period, by the rules of the 考核细则.
// Pure. The score is the sum of its lines, computed in hundredths of a point so the sum is exact.
import { formatLocal, shanghaiDate } from './period.ts';
import { capUnits, type ReviewPeriod } from './review-period.ts';
import type { ScoreItem, ScoreRules } from './score-rules.ts';
import type { Standing } from './standing.ts';

/** One unit's obligation for one task in one week: expected to report, and whether it did. */
export interface CellWeek {
  department: string;
  week: string;
  weekStart: Date;
  /** The task's code as people type it ("7.3", or "安全7.3" with several plans). */
  code: string;
  reported: boolean;
}

/** A record of the read model at the period's end, with the code people type. */
export type PeriodRecord = Pick<Standing, 'department' | 'stage' | 'since' | 'latest' | 'deadline' | 'overdue' | 'overdueDays' | 'reason'> & {
  code: string;
  title: string;
};

export interface ReturnEvent {
  department: string;
  code: string;
  at: Date;
  reason: string;
}

export interface ScoreInput {
  rules: ScoreRules;
  period: ReviewPeriod;
  departments: readonly string[];
  cellWeeks: readonly CellWeek[];
  records: readonly PeriodRecord[];
  returns: readonly ReturnEvent[];
}

export interface ScoreLine {
  item: ScoreItem | '基础分' | '上限';
  /** The events in words: which week, which tasks. */
  text: string;
  count: number;
  points: number;
}

export interface DepartmentScore {
  department: string;
  score: number;
  lines: ScoreLine[];
  /** Obligations (task-weeks) in the period and those reported: the 汇报率. */
  expected: number;
  reported: number;
  reportRate: number | null;
  /** 销号 in the period, and of them finished by the deadline. */
  closed: number;
  closedOnTime: number;
  /** 超期 and 受阻 at the period's end; 退回 decisions in the period. */
  overdue: number;
  blocked: number;
  returned: number;
  /** 按时完成率: closed on time / (closed + 超期 at the end); null when neither happened. */
  onTimeRate: number | null;
}

const cents = (p: number) => Math.round(p * 100);

/** Closed (销号) during the period. */
export function closedIn(r: Pick<PeriodRecord, 'stage' | 'since'>, period: Pick<ReviewPeriod, 'start' | 'end'>): boolean {
  return r.stage === 'closed' && !!r.since && r.since >= period.start && r.since < period.end;
}

/** Finished (its 完成 report) by the unit's deadline, 延期 included; a task without deadline is always on time. */
export function finishedOnTime(r: Pick<PeriodRecord, 'latest' | 'deadline'>): boolean {
  if (!r.deadline || !r.latest) return true;
  return shanghaiDate(r.latest.at) <= r.deadline;
}

/** Percent, rounded to a whole number; null without a denominator. */
export function percent(n: number, of: number): number | null {
  return of === 0 ? null : Math.round((n / of) * 100);
}

/** The exact sum of lines' points (hundredths). */
export function sumPoints(lines: readonly Pick<ScoreLine, 'points'>[]): number {
  return lines.reduce((s, l) => s + cents(l.points), 0) / 100;
}

function weekRange(start: Date): string {
  return `${formatLocal(start, 'M月D日')}—${formatLocal(new Date(start.getTime() + 6 * 24 * 3600 * 1000), 'M月D日')}`;
}

function codes(list: string[]): string {
  const shown = list.slice(0, 12).join('、');
  return list.length > 12 ? `${shown} 等 ${list.length} 项` : shown;
}

export function computeScores(input: ScoreInput): DepartmentScore[] {
  const { rules, period } = input;
  const units = capUnits(period, rules.capPer);
  const out: DepartmentScore[] = [];
  for (const department of input.departments) {
    const lines: ScoreLine[] = [{ item: '基础分', text: `${period.label}基础分`, count: 1, points: rules.base }];
    const add = (item: ScoreItem, text: string, count: number) => {
      if (count > 0) lines.push({ item, text, count, points: (cents(rules.rules[item].points) * count) / 100 });
    };
    // Weekly obligations, a line per week and kind.
    const weeks = new Map<string, { start: Date; reported: string[]; missing: string[] }>();
    let expected = 0;
    let reported = 0;
    for (const c of input.cellWeeks) {
      if (c.department !== department) continue;
      let w = weeks.get(c.week);
      if (!w) weeks.set(c.week, (w = { start: c.weekStart, reported: [], missing: [] }));
      expected++;
      if (c.reported) {
        reported++;
        w.reported.push(c.code);
      } else w.missing.push(c.code);
    }
    for (const [week, w] of [...weeks].sort((a, b) => a[0].localeCompare(b[0]))) {
      add('按时汇报', `${week}（${weekRange(w.start)}）按时汇报 ${w.reported.length} 项次：${codes(w.reported)}`, w.reported.length);
    }
    for (const [week, w] of [...weeks].sort((a, b) => a[0].localeCompare(b[0]))) {
      add('缺报', `${week}（${weekRange(w.start)}）应报未报 ${w.missing.length} 项次：${codes(w.missing)}`, w.missing.length);
    }
    const mine = input.records.filter((r) => r.department === department);
    let closed = 0;
    let closedOnTime = 0;
    for (const r of mine) {
      if (!closedIn(r, period)) continue;
      closed++;
      if (!finishedOnTime(r)) continue;
      closedOnTime++;
      add('按期办结', `任务 ${r.code} ${formatLocal(r.since!, 'M月D日')}销号${r.deadline ? `（时限 ${r.deadline}）` : '（无时限）'}`, 1);
    }
    const overdue = mine.filter((r) => r.overdue);
    for (const r of overdue) add('超期', `任务 ${r.code} 期末超期 ${r.overdueDays} 天（时限 ${r.deadline}）`, 1);
    const returns = input.returns.filter((e) => e.department === department).sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const e of returns) add('退回', `任务 ${e.code} ${formatLocal(e.at, 'M月D日')}被退回${e.reason ? `：${e.reason}` : ''}`, 1);
    // Caps: one correcting line per item past its cap, so the lines still add up to the score.
    for (const item of Object.keys(rules.rules) as ScoreItem[]) {
      const cap = rules.rules[item].cap;
      if (cap === null) continue;
      const total = lines.filter((l) => l.item === item).reduce((s, l) => s + cents(l.points), 0);
      const limit = cents(cap * units);
      if (Math.abs(total) <= limit) continue;
      const over = Math.abs(total) - limit;
      const sign = total > 0 ? -1 : 1;
      lines.push({ item: '上限', text: `${item}${total > 0 ? '加分' : '扣分'}共 ${Math.abs(total) / 100} 分，超过本期上限 ${limit / 100} 分，${total > 0 ? '核减' : '核增'} ${over / 100} 分`, count: 1, points: (sign * over) / 100 });
    }
    out.push({
      department, score: sumPoints(lines), lines, expected, reported, reportRate: percent(reported, expected),
      closed, closedOnTime, overdue: overdue.length, blocked: mine.filter((r) => r.stage === 'blocked').length, returned: returns.length,
      onTimeRate: percent(closedOnTime, closed + overdue.length),
    });
  }
  return out;
}

/** Best first: score, then 汇报率, then name. */
export function rankScores(scores: readonly DepartmentScore[]): DepartmentScore[] {
  return [...scores].sort((a, b) => b.score - a.score || (b.reportRate ?? -1) - (a.reportRate ?? -1) || a.department.localeCompare(b.department, 'zh-CN'));
}
