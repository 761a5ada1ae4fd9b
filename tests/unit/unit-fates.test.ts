// A plan's units from its tasks and the admins' changes (src/domain/unit-fates.ts; pure, no database).
import { describe, expect, it } from 'vitest';
import { resolverOf, unitsOf, type UnitChange } from '../../src/domain/unit-fates.ts';

// Plans are compared by their id's string, so plain strings stand for them here.
const PLAN = 'plan-zhengwu';
const OTHER = 'plan-anquan';
let minute = 0;
function change(kind: UnitChange['kind'], unit: string, opts: { into?: string; planId?: string } = {}): UnitChange {
  minute += 1;
  return { at: new Date(Date.UTC(2021, 6, 1, 0, minute)), kind, unit, into: opts.into ?? null, planId: opts.planId ?? null };
}

describe('unitsOf', () => {
  it('takes the concrete units the tasks name, never the collective names, sorted as people read them', () => {
    expect(unitsOf([['镇直各部门'], ['统计站', '经贸办'], ['经贸办', '各村（社区）']], [], PLAN)).toEqual(['经贸办', '统计站']);
  });

  it('adds what admins added to this plan only, and maps merged and removed units', () => {
    const changes = [
      change('add', '司法所', { planId: PLAN }),
      change('add', '水利站', { planId: OTHER }),
      change('merge', '经贸力', { into: '经贸办' }),
      change('remove', '档案室'),
    ];
    expect(unitsOf([['经贸力', '档案室'], ['统计站']], changes, PLAN)).toEqual(['经贸办', '司法所', '统计站']);
    expect(unitsOf([['统计站']], changes, OTHER)).toEqual(['水利站', '统计站']);
    expect(unitsOf([['统计站']], changes, null)).toEqual(['统计站']); // a plan not imported yet: nobody added to it
  });

  it('lets the latest change win: a unit added back to a plan after a removal is in again, for that plan', () => {
    const changes = [change('remove', '档案室'), change('add', '档案室', { planId: PLAN })];
    expect(unitsOf([['档案室']], changes, PLAN)).toEqual(['档案室']);
    expect(unitsOf([['档案室']], changes, OTHER)).toEqual([]);
  });
});

describe('resolverOf', () => {
  it('follows merges through chains, and stops on a cycle instead of looping', () => {
    const chain = resolverOf([change('merge', '经贸力', { into: '经贸科' }), change('merge', '经贸科', { into: '经贸办' })]);
    expect(chain('经贸力')).toBe('经贸办');
    expect(chain('经贸办')).toBe('经贸办');
    const cycle = resolverOf([change('merge', '甲办', { into: '乙办' }), change('merge', '乙办', { into: '甲办' })]);
    expect(['甲办', '乙办']).toContain(cycle('甲办'));
  });

  it('says null for a removed unit, so a reader leaves its name out', () => {
    expect(resolverOf([change('remove', '档案室')])('档案室')).toBeNull();
  });
});
