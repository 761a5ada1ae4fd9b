import { describe, expect, it } from 'vitest';
import { CATCH_UP_AFTER_MS, periodEnd, runsToMake } from '../../src/jobs/catch-up.ts';

const shanghai = (s: string) => new Date(`${s}+08:00`);

describe('runsToMake', () => {
  const digestW29 = { period: '2021-W29', at: shanghai('2021-07-26T09:00:00') };
  const digestW30 = { period: '2021-W30', at: shanghai('2021-08-02T09:00:00') };

  it('makes nothing without a plan', () => {
    expect(runsToMake([digestW29], shanghai('2021-07-26T09:00:00'), null)).toEqual([]);
  });

  it('makes nothing about a period that ended before the plan was imported, even when due after it', () => {
    expect(runsToMake([digestW29], shanghai('2021-07-26T09:00:00'), shanghai('2021-07-26T08:00:00'))).toEqual([]);
  });

  it('makes nothing that fell due before the plan was imported', () => {
    const reminder = { period: '2021-W30', at: shanghai('2021-07-30T10:00:00') };
    expect(runsToMake([reminder], shanghai('2021-07-31T10:00:00'), shanghai('2021-07-30T11:00:00'))).toEqual([]);
  });

  it('makes a run on time as a plain run, and a late one as a catch-up', () => {
    const since = shanghai('2021-07-01T00:00:00');
    expect(runsToMake([digestW29], shanghai('2021-07-26T09:01:00'), since)).toEqual([{ ...digestW29, catchUp: false }]);
    const late = new Date(digestW29.at.getTime() + CATCH_UP_AFTER_MS);
    expect(runsToMake([digestW29], late, since)).toEqual([{ ...digestW29, catchUp: true }]);
  });

  it('catches up the latest period only', () => {
    const since = shanghai('2021-07-01T00:00:00');
    expect(runsToMake([digestW29, digestW30], shanghai('2021-08-03T09:00:00'), since).map((r) => r.period)).toEqual(['2021-W30']);
  });
});

describe('periodEnd', () => {
  it('ends a week on the Monday after it and a day at the midnight after it, Shanghai time', () => {
    expect(periodEnd('2021-W29')).toEqual(shanghai('2021-07-26T00:00:00'));
    expect(periodEnd('2021-07-28')).toEqual(shanghai('2021-07-29T00:00:00'));
  });
});
