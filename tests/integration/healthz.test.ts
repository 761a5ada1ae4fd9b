// /healthz answers within a second whatever the database does: 200 when a ping and a write probe succeed, else 503.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { connectStore, type Store } from '../../src/store/database.ts';
import { listen, type TestServer } from '../helpers/http.ts';
import { startSlowProxy, type SlowProxy } from '../helpers/processes.ts';
import { testDbName } from '../helpers/store.ts';
import { inject } from 'vitest';

let proxy: SlowProxy;
let store: Store;
let server: TestServer;
beforeAll(async () => {
  proxy = await startSlowProxy(inject('mongoUri'));
  const name = testDbName('health');
  store = await connectStore(proxy.uri(name), name, 'external');
  server = await listen(createApp({ store, logger: createLogger('silent') }));
});
afterAll(async () => {
  await server.close();
  proxy.setDelay(0);
  await store.conn.dropDatabase().catch(() => undefined);
  await store.close();
  await proxy.close();
});

async function health() {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: await res.json(), ms: performance.now() - t0 };
}

describe('/healthz', () => {
  it('is 200 when the database answers, 503 within a second while it stalls, and 200 again after', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { ok: true } });
    proxy.setDelay(3000);
    const stalled = await health();
    expect(stalled).toMatchObject({ status: 503, body: { ok: false, problem: 'no answer within 800 ms' } });
    expect(stalled.ms).toBeLessThan(2000); // the probe gives up at 800 ms; the rest is this busy machine
    proxy.setDelay(0);
    await expect.poll(async () => (await health()).status, { timeout: 10_000, interval: 200 }).toBe(200);
    expect(await store.conn.db!.collection('health').countDocuments({})).toBe(1); // the write probe, one document per instance
  });
});
