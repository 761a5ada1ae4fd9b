import { describe, expect, it } from 'vitest';
import { dayjs, local, weekKey } from '../../src/domain/period.ts';
import { dueRuns, parseWeeklyCron, plannedRun } from '../../src/domain/schedule.ts';
import { isWorkingDay, shiftToWorkingDay } from '../../src/domain/workdays.ts';

const at = (s: string) => new Date(s);
const shanghai = (d: Date) => local(d).format('YYYY-MM-DD HH:mm');
const FRIDAY_10 = parseWeeklyCron('0 10 * * 5')!;
const MONDAY_9 = parseWeeklyCron('0 9 * * 1')!;

describe('working days', () => {
  it('knows statutory holidays and make-up working days', () => {
    expect(isWorkingDay('2021-10-01')).toBe(false); // 国庆, a Friday
    expect(isWorkingDay('2021-09-30')).toBe(true);
    expect(isWorkingDay('2021-09-18')).toBe(true); // 中秋 make-up Saturday
    expect(isWorkingDay('2021-10-09')).toBe(true); // 国庆 make-up Saturday
    expect(isWorkingDay('2021-07-31')).toBe(false); // an ordinary Saturday
    expect(shiftToWorkingDay('2021-10-04', 'later')).toBe('2021-10-08');
    expect(shiftToWorkingDay('2021-10-01', 'earlier')).toBe('2021-09-30');
  });
});

describe('weekly slots', () => {
  it('reads plain weekly cron expressions and nothing richer', () => {
    expect(parseWeeklyCron('0 10 * * 5')).toEqual({ minute: 0, hour: 10, weekday: 5 });
    expect(parseWeeklyCron('30 9 * * 7')).toEqual({ minute: 30, hour: 9, weekday: 0 });
    expect(parseWeeklyCron('0 10 * * 1-5')).toBeNull();
    expect(parseWeeklyCron('0 10 1 * *')).toBeNull();
  });

  it('moves the reminder of 2021-10-01 (国庆, a Friday) to 2021-09-30', () => {
    const run = plannedRun('reminder', FRIDAY_10, at('2021-09-29T00:00:00Z'), true);
    expect(shanghai(run.at)).toBe('2021-09-30 10:00');
    expect(run.period).toBe('2021-W39');
    expect(shanghai(plannedRun('reminder', FRIDAY_10, at('2021-09-29T00:00:00Z'), false).at)).toBe('2021-10-01 10:00');
  });

  it('moves a digest that falls on a holiday to the next working day, still about the week before', () => {
    const run = plannedRun('digest', MONDAY_9, at('2021-10-05T00:00:00Z'), true);
    expect(shanghai(run.at)).toBe('2021-10-08 09:00');
    expect(run.period).toBe('2021-W39');
  });

  it('never moves a reminder back into the week before: a week that is all holiday gets none', () => {
    // 春节 2024: Sat 02-10 to Sat 02-17 off. Friday 02-16's reminder would move back to Friday 02-09, in W06.
    const run = plannedRun('reminder', FRIDAY_10, at('2024-02-14T00:00:00Z'), true);
    expect(run.runs).toBe(false);
    expect(dueRuns('reminder', FRIDAY_10, at('2024-02-11T16:00:30Z'), true)).toEqual([]); // Mon 02-12 00:00:30 Shanghai
    expect(dueRuns('reminder', FRIDAY_10, at('2024-02-16T02:00:00Z'), true)).toEqual([]);
  });

  it('treats a make-up working Saturday as a working day', () => {
    const saturday = parseWeeklyCron('0 10 * * 6')!;
    expect(shanghai(plannedRun('reminder', saturday, at('2021-09-16T00:00:00Z'), true).at)).toBe('2021-09-18 10:00');
    // An ordinary weekend Saturday is not: that week's reminder moves to Friday.
    expect(shanghai(plannedRun('reminder', saturday, at('2021-07-28T00:00:00Z'), true).at)).toBe('2021-07-30 10:00');
  });

  it('says a run is due from its time until its period ends, and not before', () => {
    expect(dueRuns('reminder', FRIDAY_10, at('2021-07-30T01:59:00Z'), true)).toEqual([]); // 09:59 Shanghai
    expect(dueRuns('reminder', FRIDAY_10, at('2021-07-30T02:00:00Z'), true).map((r) => r.period)).toEqual(['2021-W30']);
    expect(dueRuns('reminder', FRIDAY_10, at('2021-08-01T15:00:00Z'), true).map((r) => r.period)).toEqual(['2021-W30']); // Sunday 23:00
    expect(dueRuns('reminder', FRIDAY_10, at('2021-08-01T16:00:00Z'), true)).toEqual([]); // Monday 00:00: W30 is over
    expect(dueRuns('digest', MONDAY_9, at('2021-08-03T03:00:00Z'), true).map((r) => r.period)).toEqual(['2021-W30']); // Tuesday: caught up
    expect(dueRuns('digest', MONDAY_9, at('2021-08-09T00:59:00Z'), true)).toEqual([]); // next Monday 08:59: W30 expired, W31 not yet
  });
});

describe('ISO weeks in Shanghai', () => {
  it('agree with dayjs every few hours across six years, including the year boundaries', () => {
    for (let t = Date.parse('2019-12-25T00:00:00Z'); t < Date.parse('2026-01-10T00:00:00Z'); t += 3 * 3600_000 + 17 * 60_000) {
      const d = dayjs(t).tz('Asia/Shanghai');
      expect(weekKey(new Date(t))).toBe(`${d.isoWeekYear()}-W${String(d.isoWeek()).padStart(2, '0')}`);
    }
    expect(weekKey(new Date('2021-01-03T15:59:59Z'))).toBe('2020-W53'); // Sunday 23:59 in Shanghai
    expect(weekKey(new Date('2021-01-03T16:00:00Z'))).toBe('2021-W01'); // Monday 00:00 in Shanghai
  });
});
