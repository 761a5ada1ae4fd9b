import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Store } from '../../src/store/database.ts';
import { isDuplicateKeyError } from '../../src/store/models.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

describe('store on the real test server', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore('store');
  });
  afterAll(async () => {
    await store.close();
  });

  it('runs on the embedded FerretDB unless MONGODB_URI is given', async () => {
    expect(['embedded', 'external']).toContain(inject('mongoKind'));
    expect(await store.ping()).toBe(true);
    const info = await store.conn.db!.admin().command({ buildInfo: 1 });
    if (inject('mongoKind') === 'embedded') expect(JSON.stringify(info)).toMatch(/ferretdb/i);
  });

  it('refuses a second insert of the same key: the idempotency the outbox, de-dup and job claims rely on', async () => {
    const { Inbound } = store.models;
    await Inbound.create({ _id: 'msg:1', key: 'msg:1', at: new Date(0), channel: 'app' });
    let caught: unknown;
    try {
      await Inbound.create({ _id: 'msg:1-other', key: 'msg:1', at: new Date(1), channel: 'app' });
    } catch (err) {
      caught = err;
    }
    expect(isDuplicateKeyError(caught)).toBe(true);
    expect(await Inbound.countDocuments({ key: 'msg:1' })).toBe(1);
  });

  it('lets exactly one of two concurrent connections win the same key', async () => {
    const other = await openSecondConnection(store);
    try {
      const attempts = Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? other : store).models.JobRun.create({
          key: 'digest:2021-W30', job: 'digest', period: '2021-W30', claimedAt: new Date(0), claimedBy: `w${i}`,
        }).then(() => 'won', (e) => (isDuplicateKeyError(e) ? 'lost' : Promise.reject(e))),
      );
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r === 'won')).toHaveLength(1);
      expect(await store.models.JobRun.countDocuments({})).toBe(1);
    } finally {
      await other.close();
    }
  });
});
