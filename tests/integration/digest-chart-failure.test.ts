// A chart that cannot be drawn must not cost the group its digest: the text goes out, the failure is logged.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { runJob } from '../../src/jobs/run-job.ts';
import type { OutboxMessage } from '../../src/outbox/outbox.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { appendReport } from '../../src/store/reports.ts';
import { openTestStore } from '../helpers/store.ts';

vi.mock('../../src/charts/digest-chart.ts', () => ({
  renderDigestChart: async () => {
    throw new Error('resvg: no binary for this platform');
  },
}));

const clock = new ManualClock('2021-08-02T01:00:00Z'); // Monday 09:00 in Shanghai
let store: Store;

beforeAll(async () => {
  store = await openTestStore('chartfail');
  await importPlanFile(store, BUNDLED_PLAN, clock);
  // A report in W30: a week with no reports gets a short notice and no chart at all.
  const task = (await store.models.Task.findOne({ code: '7.5' }).lean())!;
  await appendReport(store, { task, department: '经贸办', userid: 'jmb', at: new Date('2021-07-28T02:00:00Z'), status: 'in_progress', percent: 50, note: '', sourceMsgId: null });
});
afterAll(async () => {
  await store.close();
});

it('sends the text digest without the chart and logs why', async () => {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) }));
  const delivered: Array<{ key: string; msg: OutboxMessage }> = [];
  const outcome = await runJob(
    { store, clock, logger, workerId: 'w', digestMentions: false, hasGroupRobot: true, deliver: async (key, msg) => void delivered.push({ key, msg }) },
    'digest', '2021-W30',
  );

  expect(outcome).toMatchObject({ status: 'done', messages: delivered.length });
  const group = delivered.filter((d) => d.msg.channel === 'webhook');
  expect(group.length).toBeGreaterThan(0);
  expect(group.every((d) => d.msg.body.msgtype === 'markdown')).toBe(true);
  expect(delivered.some((d) => d.key.endsWith(':group:chart'))).toBe(false);
  const error = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 50);
  expect(error?.msg).toContain('digest chart could not be drawn');
  expect(JSON.stringify(error?.err)).toContain('no binary for this platform');
});
