// Counts for the /metrics page: queues by state and job runs, read from the database so that every instance
// reports the same truth. Plain collection counts (no models), cheap on the small collections they read.
import type { Store } from './database.ts';

/** Documents per `state` of a queue collection (outbox: pending | sent | dead; media_jobs: pending | stored | refused | dead). */
export async function countByState(store: Store, collection: 'outbox' | 'media_jobs', states: readonly string[]): Promise<Record<string, number>> {
  const coll = store.conn.db!.collection(collection);
  const out: Record<string, number> = {};
  for (const state of states) out[state] = await coll.countDocuments({ state });
  return out;
}

/** Pending deliveries that have failed at least once (waiting for their retry). */
export async function countRetrying(store: Store, collection: 'outbox' | 'media_jobs'): Promise<number> {
  return store.conn.db!.collection(collection).countDocuments({ state: 'pending', attempts: { $gt: 0 } });
}

/** Job runs by job, finished or not (a claim without a finish is running, or a crashed run to be resumed). */
export async function countJobRuns(store: Store): Promise<Array<{ job: string; finished: boolean; count: number }>> {
  const runs = await store.conn.db!.collection<{ job?: string; finishedAt?: Date | null }>('jobruns')
    .find({}, { projection: { job: 1, finishedAt: 1 } }).toArray();
  const counts = new Map<string, number>();
  for (const r of runs) {
    const key = `${r.job ?? 'unknown'}|${r.finishedAt ? '1' : '0'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => {
    const [job, finished] = key.split('|') as [string, string];
    return { job, finished: finished === '1', count };
  });
}
