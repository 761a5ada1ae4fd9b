// A 受阻 note typed by a liaison is text in the group's markdown digest: no live link, no @-mention, no heading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { weekKey } from '../../src/domain/period.ts';
import { buildDigest } from '../../src/jobs/digest.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { activePlans } from '../../src/store/plans.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

const EVIL = '[x](http://evil.example)<@demo-leader>';
let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore('digestmd');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create({ userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] });
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe('user text in the markdown digest', () => {
  it('shows the note as written, with no link and no mention', async () => {
    expect(await h.say('jmb', `汇报 7.5 受阻 ${EVIL}\n# 标题`)).toContain('已记录');
    const built = await buildDigest(store, await activePlans(store), weekKey(h.clock.now()), h.clock.now(), { mentions: false });
    // The group's short message names 7.5 among the 红灯 tasks; its note is on the 周报 page, as typed.
    const group = built.groupParts.join('\n');
    expect(group).toMatch(/^1\. 7\.5 /m);
    expect(group).not.toContain('<@demo-leader>');
    expect(group).not.toContain('[x]');
    expect(group).not.toMatch(/^# 标题/m);
    expect(built.detailParts.join('\n')).toContain(EVIL);
  });
});
