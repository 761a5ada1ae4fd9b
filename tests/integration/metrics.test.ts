// /metrics on the running service: it counts the callbacks of this run by outcome and times them, shows the
// outbox, media queue, job runs and database health, and answers only loopback callers that no proxy relayed,
// or those with the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { buildTextCallback } from '../../src/wecom/simulator.ts';
import { LOCAL_SETTINGS, sendReport } from '../helpers/processes.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'metrics-token-0123456789';
let store: Store;
let service: Service;
const clock = new ManualClock('2021-07-26T02:00:00Z');

beforeAll(async () => {
  store = await openTestStore('metrics');
  service = await startService({
    config: loadConfig({ METRICS_TOKEN: TOKEN, WECOM_DOMAIN_VERIFY_FILE: 'WW_verify_Ab12Cd34Ef56Gh78.txt', WECOM_DOMAIN_VERIFY_CONTENT: 'Ab12Cd34Ef56Gh78' }, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false,
  });
});
afterAll(async () => {
  await service.stop();
  await store.close();
});

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  it('counts the callbacks of a run by outcome and shows queues, job runs and database health', async () => {
    const before = await (await fetch(`${service.url}/metrics`)).text();
    const okBefore = sample(before, 'duban_callbacks_total', { channel: 'app', kind: 'message', outcome: 'ok' }) ?? 0;
    for (let i = 0; i < 5; i++) {
      const sent = await sendReport(service.url, 'demo-liaison-01', `汇报 7.5 ${10 + i}% 指标测试`, `77000000${i}`, clock.now());
      expect(sent.status).toBe(200);
    }
    const forged = buildTextCallback({ ...LOCAL_SETTINGS, token: 'not-the-token' }, { userid: 'demo-liaison-01', text: '我的任务', createTime: Math.floor(clock.now().getTime() / 1000) });
    expect((await fetch(`${service.url}${forged.path}`, { method: 'POST', body: forged.body })).status).toBeGreaterThanOrEqual(400);

    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(sample(text, 'duban_callbacks_total', { channel: 'app', kind: 'message', outcome: 'ok' })).toBe(okBefore + 5);
    expect(sample(text, 'duban_callbacks_total', { channel: 'app', kind: 'message', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'duban_callback_reply_seconds_count', { channel: 'app' })).toBe(okBefore + 6);
    expect(sample(text, 'duban_database_up')).toBe(1);
    expect(sample(text, 'duban_outbox_messages', { state: 'dead' })).toBe(0);
    expect(sample(text, 'duban_media_jobs', { state: 'pending' })).toBe(0);
    expect(text).toContain('# TYPE duban_job_runs gauge');
    expect(text).toContain('duban_process_resident_memory_bytes');
  });

  it('refuses a caller relayed by a proxy unless it sends the token', async () => {
    const relayed = { 'x-forwarded-for': '203.0.113.9' };
    expect((await fetch(`${service.url}/metrics`, { headers: relayed })).status).toBe(403);
    expect((await fetch(`${service.url}/metrics`, { headers: { ...relayed, authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(403);
    expect((await fetch(`${service.url}/metrics`, { headers: { ...relayed, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('is served beside the domain-verification file WeCom asks for (the same service, its configuration)', async () => {
    const res = await fetch(`${service.url}/WW_verify_Ab12Cd34Ef56Gh78.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ab12Cd34Ef56Gh78');
    expect((await fetch(`${service.url}/WW_verify_other.txt`)).status).toBe(404);
  });
});
