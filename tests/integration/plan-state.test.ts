// The pages' shared view of a plan: the same figures as the digest, and recomputed after this process's writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { computeWeekDigest } from '../../src/jobs/digest.ts';
import { weekKey } from '../../src/domain/period.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { appendReport } from '../../src/store/reports.ts';
import { activePlans } from '../../src/store/plans.ts';
import { PlanStandings as PlanStates } from '../../src/standing/index.ts';
import { openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;

beforeAll(async () => {
  store = await openTestStore('planstate');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
});
afterAll(async () => {
  await store.close();
});

const report = async (code: string, department: string, at: string) => {
  const task = (await store.models.Task.findOne({ code }).lean())!;
  await appendReport(store, { task, department, userid: 'u', at: new Date(`${at}+08:00`), status: 'in_progress', percent: 50, note: '', sourceMsgId: `${code}|${department}|${at}` });
};

describe('PlanStates', () => {
  it('matches the digest of the week and recomputes after a report written here', async () => {
    await report('7.5', '经贸办', '2021-07-20T10:00:00');
    const plan = (await activePlans(store))[0]!;
    const states = new PlanStates(store, clock, 30_000, 0);
    const first = await states.get(plan);
    expect(first.week).toBe(weekKey(clock.now()));
    const digest = await computeWeekDigest(store, plan, first.week, clock.now());
    expect({ rate: first.digest.rate, expected: first.digest.expected, lights: first.digest.lights }).toEqual({ rate: digest.rate, expected: digest.expected, lights: digest.lights });
    expect(first.trend.at(-2)).toMatchObject({ week: '2021-W29', reported: 1 });
    expect(await states.get(plan)).toBe(first); // nothing changed: the same view

    await report('7.5', '村建办', '2021-07-27T16:00:00');
    const second = await states.get(plan);
    expect(second).not.toBe(first);
    expect(second.digest.reported).toBe(first.digest.reported + 1);
  });

  it('serves a brand-new view during a burst of writes, and the new one once it is ready', async () => {
    const plan = (await activePlans(store))[0]!;
    const states = new PlanStates(store, clock, 30_000, 60_000);
    const first = await states.get(plan);
    await report('1.1', '经贸办', '2021-07-27T17:00:00');
    expect(await states.get(plan)).toBe(first); // younger than a minute: served as it is …
    await expect.poll(async () => (await states.get(plan)).digest.reported).toBe(first.digest.reported + 1); // … and replaced
  });
});
