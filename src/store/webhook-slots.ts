// The group robot's 20-posts-a-minute limit, decided in the database so that every instance counts the same
// posts. Posts to one robot are numbered by inserting into a unique _id (the only race-deciding write that
// FerretDB 1.x and MongoDB both make atomic); post n may leave once post n−20 has been answered a minute ago.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

interface SlotDoc {
  _id: string;
  robot: string;
  n: number;
  reservedAt: Date;
  landedAt: Date | null;
}

const MINUTE_MS = 60_000;
/** A post reserved this long ago and never marked answered belongs to a process that died: count it landed. */
const ABANDONED_MS = 5 * MINUTE_MS;

/** The robot's webhook key is a credential: only a hash of it is stored. */
function robotId(webhookKey: string): string {
  return createHash('sha256').update(webhookKey).digest('hex').slice(0, 16);
}

/**
 * Waits for a slot to post to the robot; returns the hook to call once WeCom has answered the post (a slot counts
 * from when the post landed, which comes after the reservation).
 */
export async function takeWebhookSlot(
  store: Store, clock: Clock, sleep: (ms: number) => Promise<void>, webhookKey: string, perMinute: number,
): Promise<() => void> {
  const coll = store.conn.db!.collection<SlotDoc>('webhook_slots');
  const robot = robotId(webhookKey);
  let n = 0;
  for (;;) {
    const [last] = await coll.find({ robot }).sort({ n: -1 }).limit(1).toArray();
    n = Math.max(n, last?.n ?? 0) + 1;
    try {
      await coll.insertOne({ _id: `${robot}:${n}`, robot, n, reservedAt: clock.now(), landedAt: null });
      break;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // another post (maybe another instance) took number n first
    }
  }
  for (let prior = n - perMinute; prior > 0;) {
    const doc = await coll.findOne({ _id: `${robot}:${prior}` });
    if (!doc) break;
    const now = clock.now().getTime();
    const landed = doc.landedAt?.getTime() ?? (now - doc.reservedAt.getTime() > ABANDONED_MS ? doc.reservedAt.getTime() : null);
    if (landed === null) {
      await sleep(200); // still in flight: it counts as "now" until answered
      continue;
    }
    if (landed + MINUTE_MS <= now) break;
    await sleep(landed + MINUTE_MS - now);
  }
  const id = `${robot}:${n}`;
  return () => {
    void coll.updateOne({ _id: id }, { $set: { landedAt: clock.now() } }).catch(() => undefined);
  };
}

/** Slots older than `before` can no longer hold a post back; the daily cleanup removes them. */
export async function deleteWebhookSlotsBefore(store: Store, before: Date): Promise<number> {
  const res = await store.conn.db!.collection<SlotDoc>('webhook_slots').deleteMany({ reservedAt: { $lt: before } });
  return res.deletedCount;
}
