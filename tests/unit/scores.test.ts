// 考核 scores: lines per event, caps as correcting lines, the score the exact sum of its lines; periods and weeks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePeriod, periodWeeks, previousPeriod, capUnits } from '../../src/domain/review-period.ts';
import { parseScoreRules } from '../../src/domain/score-rules.ts';
import { computeScores, sumPoints, type CellWeek, type PeriodRecord } from '../../src/domain/scores.ts';

const RULES = parseScoreRules(readFileSync('config/考核细则.yaml', 'utf8'));
const NOV = parsePeriod('month', '2026-11')!;
const at = (s: string) => new Date(`${s}+08:00`);

function record(department: string, code: string, extra: Partial<PeriodRecord>): PeriodRecord {
  return { department, code, title: `任务${code}`, stage: 'in_progress', since: null, latest: null, deadline: null, overdue: false, overdueDays: 0, reason: null, ...extra };
}

describe('periods', () => {
  it('parses months, quarters and years, and knows the one before', () => {
    expect(NOV).toMatchObject({ key: '2026-11', label: '2026年11月', months: ['2026-11'] });
    expect(NOV.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(NOV.end.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(parsePeriod('quarter', '2026Q4')).toMatchObject({ label: '2026年第四季度', months: ['2026-10', '2026-11', '2026-12'] });
    expect(parsePeriod('year', '2026')!.months).toHaveLength(12);
    expect(parsePeriod('month', '2026-13')).toBeNull();
    expect(previousPeriod(NOV).key).toBe('2026-10');
    expect(previousPeriod(parsePeriod('quarter', '2026Q1')!).key).toBe('2025Q4');
    expect(capUnits(parsePeriod('quarter', '2026Q4')!, 'month')).toBe(3);
  });

  it('gives a week to the month of its Thursday, so each week counts once', () => {
    const weeks = periodWeeks(NOV, at('2026-12-15T00:00:00')).map((w) => w.week);
    expect(weeks).toEqual(['2026-W45', '2026-W46', '2026-W47', '2026-W48']); // W44's Thursday is 29 October, W49's 3 December
    const q4 = periodWeeks(parsePeriod('quarter', '2026Q4')!, at('2027-01-15T00:00:00')).map((w) => w.week);
    expect(new Set(q4).size).toBe(q4.length);
    expect(q4).toEqual(expect.arrayContaining(weeks));
    expect(periodWeeks(NOV, at('2026-11-10T12:00:00')).map((w) => w.week)).toEqual(['2026-W45', '2026-W46']); // not yet begun: left out
  });
});

describe('scores', () => {
  const weeks = periodWeeks(NOV, at('2026-12-01T10:00:00'));
  const cellWeeks: CellWeek[] = weeks.flatMap((w, i) => [
    { department: '经贸办', week: w.week, weekStart: w.start, code: '7.1', reported: true },
    { department: '司法所', week: w.week, weekStart: w.start, code: '15.3', reported: i < 2 },
  ]);
  const records: PeriodRecord[] = [
    record('经贸办', '7.6', { stage: 'closed', since: at('2026-11-18T09:00:00'), latest: { taskId: 't', department: '经贸办', userid: 'u', at: at('2026-11-17T11:00:00'), status: 'done', percent: 100, note: '已签约' } }),
    record('司法所', '14', { overdue: true, overdueDays: 1795, deadline: '2021-12-31' }),
  ];
  const returns = [{ department: '司法所', code: '15.3', at: at('2026-11-11T09:00:00'), reason: '缺少佐证材料' }];
  const input = { rules: RULES, period: NOV, departments: ['经贸办', '司法所'], cellWeeks, records, returns };

  it('explains each score line by line, and the lines add up to it', () => {
    const [jmb, sfs] = computeScores(input);
    expect(jmb!.lines.map((l) => [l.item, l.points])).toEqual([['基础分', 100], ['按时汇报', 0.1], ['按时汇报', 0.1], ['按时汇报', 0.1], ['按时汇报', 0.1], ['按期办结', 1]]);
    expect(jmb!.score).toBe(101.4);
    expect(sfs!.lines.map((l) => [l.item, l.points])).toEqual([['基础分', 100], ['按时汇报', 0.1], ['按时汇报', 0.1], ['缺报', -0.5], ['缺报', -0.5], ['超期', -1], ['退回', -2]]);
    expect(sfs!.score).toBe(96.2);
    for (const d of [jmb!, sfs!]) expect(d.score).toBe(sumPoints(d.lines));
    expect(sfs).toMatchObject({ expected: 4, reported: 2, reportRate: 50, overdue: 1, returned: 1, onTimeRate: 0 });
    expect(jmb).toMatchObject({ reportRate: 100, closed: 1, closedOnTime: 1, onTimeRate: 100 });
  });

  it('caps an item with a correcting line, so the sum still holds', () => {
    const strict = parseScoreRules(readFileSync('config/考核细则.yaml', 'utf8').replace('    上限: 20\n  超期:', '    上限: 0.5\n  超期:'));
    const sfs = computeScores({ ...input, rules: strict })[1]!;
    const cap = sfs.lines.find((l) => l.item === '上限')!;
    expect(cap).toMatchObject({ points: 0.5, text: expect.stringContaining('缺报扣分共 1 分，超过本期上限 0.5 分') });
    expect(sfs.score).toBe(96.7);
    expect(sfs.score).toBe(sumPoints(sfs.lines));
  });

  it('changes with a rule: 退回 at 5 points costs 司法所 three more', () => {
    const harsher = parseScoreRules(readFileSync('config/考核细则.yaml', 'utf8').replace(/(退回:\n {4}说明: [^\n]+\n {4}分值: )2\n/, '$15\n'));
    const [jmb, sfs] = computeScores({ ...input, rules: harsher });
    expect(jmb!.score).toBe(101.4);
    expect(sfs!.score).toBe(93.2);
  });

  it('does not count a 销号 past its deadline as on time', () => {
    const late = record('经贸办', '7.6', { ...records[0], deadline: '2026-11-10' });
    const [jmb] = computeScores({ ...input, records: [late] });
    expect(jmb).toMatchObject({ closed: 1, closedOnTime: 0 });
    expect(jmb!.lines.some((l) => l.item === '按期办结')).toBe(false);
  });
});
