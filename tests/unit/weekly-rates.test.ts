import { describe, expect, it } from 'vitest';
import { computeDigest } from '../../src/domain/digest.ts';
import { weekKey } from '../../src/domain/period.ts';
import { buildStandings as buildSnapshot, type SnapshotReport, type SnapshotTask } from '../../src/domain/standing.ts';
import { weeklyDepartmentRates, type RateWeek } from '../../src/domain/weekly-rates.ts';
import { REPORT_STATUSES } from '../../src/domain/vocabulary.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('weeklyDepartmentRates', () => {
  it('gives every week the same figures as a full snapshot and digest of that week', () => {
    const random = rng(7);
    const departments = ['甲', '乙', '丙', '丁'];
    const since = new Date('2021-06-01T00:00:00+08:00');
    const tasks: SnapshotTask[] = Array.from({ length: 40 }, (_, i) => ({
      id: `t${i}`, code: `1.${i + 1}`, title: `任务${i}`, section: 1, sectionTitle: '', collective: i % 13 === 0,
      departments: i % 13 === 0 ? [] : departments.filter(() => random() < 0.5).slice(0, 2).concat(departments[i % 4]!).filter((d, j, a) => a.indexOf(d) === j),
      deadline: null, cadence: i % 5 === 0 ? 'monthly' : 'weekly', since,
    }));
    const monday = new Date('2021-06-07T00:00:00+08:00').getTime();
    const WEEK = 7 * 24 * 3600 * 1000;
    const reports: SnapshotReport[] = Array.from({ length: 400 }, () => {
      const t = tasks[Math.floor(random() * tasks.length)]!;
      const department = t.collective ? departments[Math.floor(random() * 4)]! : t.departments[Math.floor(random() * t.departments.length)]!;
      return { taskId: t.id, department, userid: 'u', at: new Date(monday + Math.floor(random() * 10 * WEEK)), status: REPORT_STATUSES[Math.floor(random() * 4)]!, percent: null, note: '' };
    });
    const now = new Date(monday + 9 * WEEK + 3 * 24 * 3600 * 1000);
    const weeks: RateWeek[] = Array.from({ length: 10 }, (_, i) => {
      const start = new Date(monday + i * WEEK);
      const end = new Date(start.getTime() + WEEK);
      return { week: weekKey(start), start, end, asOf: end > now ? now : new Date(end.getTime() - 1) };
    });
    const fast = weeklyDepartmentRates(tasks, departments, reports, weeks);
    let compared = 0;
    for (const w of weeks) {
      const digest = computeDigest(w.week, buildSnapshot({ tasks, departments, reports, period: w, asOf: w.asOf, planStart: null }));
      for (const d of digest.departments) {
        expect(fast.get(d.name)?.get(w.week), `${d.name} ${w.week}`).toEqual({ expected: d.expected, reported: d.reported });
        compared++;
      }
      for (const [name, perWeek] of fast) if (perWeek.has(w.week)) expect(digest.departments.some((d) => d.name === name)).toBe(true);
    }
    expect(compared).toBeGreaterThan(30);
  });
});
