// Expiry by a cleanup job, not TTL indexes (FerretDB 1.x has none): de-dup keys, delivered messages and their
// claims, and expired tokens are deleted once they can no longer matter. Reports and the audit trail are kept.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { isDuplicateKeyError } from '../store/models.ts';
import { loopModels } from '../store/loop-models.ts';
import { deleteWebhookSlotsBefore } from '../store/webhook-slots.ts';
import { shanghaiDate } from '../domain/period.ts';

const DAY = 24 * 3600 * 1000;

export const RETENTION = {
  /** WeCom retries within seconds; a week is ample for recognising a duplicate. */
  inboundDays: 7,
  /** Delivered messages stay a month for "did it go out?" questions; dead letters stay until someone looks. */
  sentOutboxDays: 30,
  /** "One notice of a kind per member per day" claims matter for their day (held ones a few days ahead). */
  noticeClaimDays: 60,
} as const;

export interface CleanupResult {
  inbound: number;
  outbox: number;
  claims: number;
  tokens: number;
  noticeClaims: number;
}

export async function cleanup(store: Store, clock: Clock): Promise<CleanupResult> {
  const now = clock.now().getTime();
  const { Inbound, Outbox, OutboxClaim, Token } = store.models;
  const inbound = await Inbound.deleteMany({ at: { $lt: new Date(now - RETENTION.inboundDays * DAY) } });
  await store.models.InboundDone.deleteMany({ at: { $lt: new Date(now - RETENTION.inboundDays * DAY) } });
  const outbox = await Outbox.deleteMany({ state: 'sent', sentAt: { $lt: new Date(now - RETENTION.sentOutboxDays * DAY) } });
  const claims = await OutboxClaim.deleteMany({ at: { $lt: new Date(now - RETENTION.sentOutboxDays * DAY) } });
  const tokens = await Token.deleteMany({ expiresAt: { $lt: new Date(now - DAY) } });
  await deleteWebhookSlotsBefore(store, new Date(now - DAY));
  const { NoticeClaim } = await loopModels(store);
  const noticeClaims = await NoticeClaim.deleteMany({ at: { $lt: new Date(now - RETENTION.noticeClaimDays * DAY) } });
  return { inbound: inbound.deletedCount, outbox: outbox.deletedCount, claims: claims.deletedCount, tokens: tokens.deletedCount, noticeClaims: noticeClaims.deletedCount };
}

/** Once a day, whichever instance gets there first (claimed like the weekly jobs). */
export async function cleanupOncePerDay(store: Store, clock: Clock, workerId: string): Promise<CleanupResult | null> {
  const day = shanghaiDate(clock.now());
  try {
    await store.models.JobRun.create({ key: `cleanup:${day}`, job: 'cleanup', period: day, claimedAt: clock.now(), claimedBy: workerId });
  } catch (err) {
    if (isDuplicateKeyError(err)) return null;
    throw err;
  }
  const result = await cleanup(store, clock);
  await store.models.JobRun.updateOne({ key: `cleanup:${day}` }, { $set: { finishedAt: clock.now(), summary: result } });
  return result;
}
