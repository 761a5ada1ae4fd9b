import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { cleanupOncePerDay } from '../../src/jobs/cleanup.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';

const DAY = 24 * 3600 * 1000;
let store: Store;
beforeAll(async () => {
  store = await openTestStore('cleanup');
});
afterAll(async () => store.close());

describe('daily cleanup', () => {
  it('deletes old de-dup keys, old delivered messages and their claims, keeps dead letters and recent ones, once a day', async () => {
    const clock = new ManualClock('2021-08-01T04:00:00Z');
    const ago = (days: number) => new Date(clock.now().getTime() - days * DAY);
    await store.models.Inbound.create([
      { _id: 'old', key: 'old', at: ago(8), channel: 'app' },
      { _id: 'new', key: 'new', at: ago(1), channel: 'app' },
    ]);
    const base = { channel: 'app', payload: { touser: 'u' }, attempts: 1, nextAttemptAt: ago(40) };
    await store.models.Outbox.create([
      { ...base, key: 'sent-old', createdAt: ago(40), state: 'sent', sentAt: ago(40) },
      { ...base, key: 'sent-new', createdAt: ago(2), state: 'sent', sentAt: ago(2) },
      { ...base, key: 'dead-old', createdAt: ago(40), state: 'dead' },
      { ...base, key: 'pending-old', createdAt: ago(40), state: 'pending' },
    ]);

    const outboxId = (await store.models.Outbox.findOne({ key: 'sent-old' }).lean())!._id;
    await store.models.OutboxClaim.create([
      { key: 'c-old', outboxId, attempt: 1, worker: 'w', at: ago(40) },
      { key: 'c-new', outboxId, attempt: 2, worker: 'w', at: ago(2) },
    ]);

    const first = await cleanupOncePerDay(store, clock, 'w1');
    expect(first).toMatchObject({ inbound: 1, outbox: 1, claims: 1 });
    expect((await store.models.OutboxClaim.find({}).lean()).map((c) => c.key)).toEqual(['c-new']);
    expect((await store.models.Inbound.find({}).lean()).map((d) => d.key)).toEqual(['new']);
    expect((await store.models.Outbox.find({}).lean()).map((d) => d.key).sort()).toEqual(['dead-old', 'pending-old', 'sent-new']);
    expect(await cleanupOncePerDay(store, clock, 'w2')).toBeNull(); // same day, another instance
  });
});
