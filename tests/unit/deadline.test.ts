import { describe, expect, it } from 'vitest';
import { deadlineWarningOn, workingDayOnOrBefore, workingDaysBefore } from '../../src/domain/deadline.ts';

describe('deadline warnings on working days', () => {
  it('warns three working days before an ordinary Friday deadline (Tuesday) and on the day', () => {
    expect(workingDaysBefore('2021-08-20', 3)).toBe('2021-08-17');
    expect(deadlineWarningOn('2021-08-17', '2021-08-20')).toBe('soon');
    expect(deadlineWarningOn('2021-08-20', '2021-08-20')).toBe('today');
    for (const d of ['2021-08-16', '2021-08-18', '2021-08-19', '2021-08-21']) expect(deadlineWarningOn(d, '2021-08-20')).toBeNull();
  });

  it('counts across a weekend: a Tuesday deadline warns the Thursday before', () => {
    expect(workingDaysBefore('2021-08-24', 3)).toBe('2021-08-19');
  });

  it('skips 国庆 and counts the 调休 Saturday as a working day', () => {
    // 2021-10-01…07 are holidays; Saturday 2021-10-09 is a make-up working day.
    expect(workingDaysBefore('2021-10-08', 3)).toBe('2021-09-28');
    expect(workingDaysBefore('2021-10-12', 3)).toBe('2021-10-08');
    expect(deadlineWarningOn('2021-10-09', '2021-10-09')).toBe('today');
  });

  it('warns "on the day" on the last working day before a deadline that falls on a holiday', () => {
    expect(workingDayOnOrBefore('2021-10-03')).toBe('2021-09-30');
    expect(deadlineWarningOn('2021-09-30', '2021-10-03')).toBe('today');
    expect(deadlineWarningOn('2021-10-03', '2021-10-03')).toBeNull();
  });
});
