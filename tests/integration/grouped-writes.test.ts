// Grouped inserts (src/store/grouped-writes.ts) on the real database: a burst goes as a few insertMany calls, and
// every caller still learns exactly what happened to its own document — inserted, or there already.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.ts';
import { insertGrouped, MAX_UPDATES, updateByIdGrouped } from '../../src/store/grouped-writes.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
beforeAll(async () => {
  store = await openTestStore('batches');
});
afterAll(async () => store.close());

describe('grouped inserts', () => {
  it('inserts a burst once each, tells each caller whether its document was new, and groups the burst', async () => {
    const coll = store.models.InboundDone.collection;
    await coll.insertOne({ _id: 'k3', at: new Date(), reply: 'earlier' } as never);
    await coll.insertOne({ _id: 'k17', at: new Date(), reply: 'earlier' } as never);
    const calls: number[] = [];
    const counting = {
      insertOne: (doc: never) => { calls.push(1); return coll.insertOne(doc); },
      insertMany: (docs: never[], options: { ordered: boolean }) => { calls.push(docs.length); return coll.insertMany(docs, options); },
    };
    // 60 documents at once; k3 and k17 exist already, k40 is sent twice within the burst.
    const keys = [...Array.from({ length: 60 }, (_, i) => `k${i}`), 'k40'];
    const outcomes = await Promise.all(keys.map((k) => insertGrouped(counting, { _id: k, at: new Date(), reply: `r-${k}` })));

    const byKey = new Map<string, string[]>();
    keys.forEach((k, i) => byKey.set(k, [...(byKey.get(k) ?? []), outcomes[i]!]));
    expect(byKey.get('k3')).toEqual(['duplicate']);
    expect(byKey.get('k17')).toEqual(['duplicate']);
    expect([...byKey.get('k40')!].sort()).toEqual(['duplicate', 'inserted']);
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(58);
    expect(await coll.countDocuments({})).toBe(60);
    // The earlier documents were not overwritten.
    expect((await coll.findOne({ _id: 'k3' } as never))?.reply).toBe('earlier');
    // Grouped: far fewer round trips than documents, every document sent once.
    expect(calls.length).toBeLessThan(10);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(61);
  });

  it('sends a lone insert at once, and a failure that is not a duplicate reaches its caller', async () => {
    const coll = store.models.InboundDone.collection;
    expect(await insertGrouped(coll, { _id: 'alone', at: new Date(), reply: null })).toBe('inserted');
    const broken = {
      insertOne: () => Promise.reject(new Error('connection closed')),
      insertMany: () => Promise.reject(new Error('connection closed')),
    };
    const results = await Promise.allSettled([1, 2, 3].map((i) => insertGrouped(broken, { _id: `b${i}` })));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // The lane is free again afterwards.
    const ok = { ...broken, insertOne: () => Promise.resolve({}), insertMany: () => Promise.resolve({}) };
    expect(await insertGrouped(ok, { _id: 'b4' })).toBe('inserted');
  });

  it('updates a burst of documents by _id in a few bulk writes, and says which were missing', async () => {
    // 160 at once: FerretDB 1.24 stops answering when one update command carries 100 statements, so the bulks
    // must stay smaller than that however many arrive.
    const coll = store.models.Progress.collection;
    await coll.insertMany(Array.from({ length: 160 }, (_, i) => ({ _id: `c${i}`, entries: '[]', truncated: false, rev: 1 })) as never[]);
    const calls: string[] = [];
    const counting = {
      updateOne: (f: never, u: never) => { calls.push('one'); return coll.updateOne(f, u); },
      bulkWrite: (ops: never[], o: { ordered: boolean }) => { calls.push(`bulk${ops.length}`); return coll.bulkWrite(ops, o); },
    };
    const ids = [...Array.from({ length: 160 }, (_, i) => `c${i}`), 'gone-1', 'gone-2'];
    const matched = await Promise.all(ids.map((id) => updateByIdGrouped(counting, id, { entries: `["${id}"]`, rev: 2 })));
    expect(matched.slice(0, 160).every(Boolean)).toBe(true);
    expect(matched.slice(160)).toEqual([false, false]);
    const docs = await coll.find({}).toArray();
    expect(docs).toHaveLength(160); // nothing created for the missing ones
    for (const d of docs) expect(d).toMatchObject({ entries: `["${d._id}"]`, rev: 2 });
    const bulks = calls.filter((c) => c.startsWith('bulk')).map((c) => Number(c.slice(4)));
    expect(bulks.length).toBeGreaterThan(0);
    expect(Math.max(...bulks)).toBeLessThanOrEqual(MAX_UPDATES);
    expect(MAX_UPDATES).toBeLessThan(100);
  });
});
