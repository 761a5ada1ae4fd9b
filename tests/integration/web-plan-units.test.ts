// The 方案 page lists each plan's units and lets an admin merge a misspelled unit or remove one added by mistake,
// with the same rules and audit as 合并单位 / 删除单位 in chat.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { importPlanFile } from '../../src/plan-source.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { planUnits } from '../../src/store/plan-units.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const TYPO = join(import.meta.dirname, '../fixtures/plans/multi/jingmao-typo-2021.txt');
const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;
let service: Service;
let planId = '';
const sessions: Record<string, string> = {};

const get = (path: string, who: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

async function post(path: string, who: string, fields: Record<string, string>) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const res = await fetch(`${service.url}${path}`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });
  return { status: res.status, html: await res.text() };
}

beforeAll(async () => {
  store = await openTestStore('webunits');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  for (const who of ['demo-admin', 'demo-leader']) sessions[who] = await loginAs(service.url, who);
  planId = (await importPlanFile(store, TYPO, clock, 'demo-admin', '营商')).planId;
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('units on the 方案 page', () => {
  it('lists each plan\'s units, and only admins may change them', async () => {
    const page = await (await get('/web/plans', 'demo-admin')).text();
    expect(page).toContain('经贸力');
    expect(page).toContain(`action="/web/plans/${planId}/units"`);
    const token = field(page, 'csrf');
    expect((await post(`/web/plans/${planId}/units`, 'demo-leader', { csrf: token, unit: '经贸力', action: 'merge', into: '经贸办' })).status).toBe(403);
    expect((await post(`/web/plans/${planId}/units`, 'demo-admin', { csrf: 'stale', unit: '经贸力', action: 'merge', into: '经贸办' })).status).toBe(403);
    expect(await planUnits(store, planId)).toContain('经贸力');
  });

  it('merges and removes as chat does, and shows a refusal on the page', async () => {
    const token = field(await (await get('/web/plans', 'demo-admin')).text(), 'csrf');
    const refused = await post(`/web/plans/${planId}/units`, 'demo-admin', { csrf: token, unit: '经贸力', action: 'merge', into: '火星办' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('没有单位“火星办”');

    const merged = await post(`/web/plans/${planId}/units`, 'demo-admin', { csrf: token, unit: '经贸力', action: 'merge', into: '经贸办', reason: '写错' });
    expect(merged.status).toBe(200);
    expect(merged.html).toContain('已把“经贸力”合并到“经贸办”');
    expect(await planUnits(store, planId)).not.toContain('经贸力');

    expect((await post(`/web/plans/${planId}/units`, 'demo-admin', { csrf: token, unit: '档案室', action: 'remove' })).status).toBe(400);
    const removed = await post(`/web/plans/${planId}/units`, 'demo-admin', { csrf: token, unit: '档案室', action: 'remove', reason: '误列' });
    expect(removed.html).toContain('已删除单位“档案室”');
    expect(await store.models.Audit.find({ action: { $in: ['unit.merge', 'unit.remove'] } }).lean()).toHaveLength(2);
  });
});
