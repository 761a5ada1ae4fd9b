// A fresh database per test file (or per call) on the run's one server.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectStore, type Store } from '../../src/store/database.ts';
import { READ_CACHE_TTL_MS } from '../../src/service.ts';
import { flushProgress } from '../../src/store/progress-cache.ts';

export function testDbName(label = 't'): string {
  return `${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

/** With the service's read cache on, so tests see what production sees (writes through this store clear it). */
export async function openTestStore(label?: string, dbName = testDbName(label)): Promise<Store> {
  const store = await connectStore(inject('mongoUri'), dbName, inject('mongoKind'), READ_CACHE_TTL_MS);
  const close = store.close;
  store.close = async () => {
    await flushProgress(store).catch(() => undefined); // before the drop, so no held-back write recreates the database
    await store.conn.dropDatabase().catch(() => undefined);
    await close();
  };
  return store;
}

/** A second "instance" on the same database, as another replica would have. Dropping is the owner's job. */
export async function openSecondConnection(store: Store): Promise<Store> {
  return connectStore(inject('mongoUri'), store.conn.name, inject('mongoKind'));
}
