// Expiry by a cleanup job, not TTL indexes (FerretDB 1.x has none): de-dup keys, delivered messages and their
// claims, expired tokens, abandoned plan previews, logged-out sessions' records and expired chat conversations are deleted once they can no
// longer matter. Reports and the audit trail are kept.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { deleteInboundBefore } from '../store/inbound-ledger.ts';
import { finishJobRun, insertJobRun } from '../store/job-runs.ts';
import { deleteNoticeClaimsBefore } from '../store/notice-claims.ts';
import { deleteDeliveredOutboxBefore } from '../store/outbox-repo.ts';
import { deleteTokensExpiredBefore } from '../store/tokens.ts';
import { deletePlanUploadsBefore, PLAN_UPLOAD_KEEP_MS } from '../store/plan-uploads.ts';
import { deleteRevokedSessionsBefore } from '../store/sessions.ts';
import { deleteConversationsExpiredBefore } from '../store/conversations.ts';
import { deleteWebhookSlotsBefore } from '../store/webhook-slots.ts';
import { shanghaiDate } from '../domain/period.ts';
import { deleteCardsBefore } from '../store/cards.ts';

const DAY = 24 * 3600 * 1000;

export const RETENTION = {
  /** WeCom retries within seconds; a week is ample for recognising a duplicate. */
  inboundDays: 7,
  /** Delivered messages stay a month for "did it go out?" questions; dead letters stay until someone looks. */
  sentOutboxDays: 30,
  /** "One notice of a kind per member per day" claims matter for their day (held ones a few days ahead). */
  noticeClaimDays: 60,
  /** A card's response codes die after 72 hours; its record answers late taps ("已失效") for a few weeks more. */
  cardDays: 60,
} as const;

export interface CleanupResult {
  inbound: number;
  outbox: number;
  claims: number;
  tokens: number;
  noticeClaims: number;
  planUploads: number;
  revokedSessions: number;
  conversations: number;
  cards: number;
}

export async function cleanup(store: Store, clock: Clock): Promise<CleanupResult> {
  const now = clock.now().getTime();
  const inbound = await deleteInboundBefore(store, new Date(now - RETENTION.inboundDays * DAY));
  const outbox = await deleteDeliveredOutboxBefore(store, new Date(now - RETENTION.sentOutboxDays * DAY));
  const tokens = await deleteTokensExpiredBefore(store, new Date(now - DAY));
  await deleteWebhookSlotsBefore(store, new Date(now - DAY));
  const noticeClaims = await deleteNoticeClaimsBefore(store, new Date(now - RETENTION.noticeClaimDays * DAY));
  const planUploads = await cleanupPlanPreviews(store, clock);
  // A revoked session's cookie has expired by itself after its `until`: the record has nothing left to stop.
  const revokedSessions = await deleteRevokedSessionsBefore(store, new Date(now));
  // A guided 汇报 or a guess waiting for “是” that nobody answered in time.
  const conversations = await deleteConversationsExpiredBefore(store, new Date(now));
  const cards = await deleteCardsBefore(store, new Date(now - RETENTION.cardDays * DAY));
  return { inbound, outbox: outbox.messages, claims: outbox.claims, tokens, noticeClaims, planUploads, revokedSessions, conversations, cards };
}

/**
 * Plan previews nobody confirmed: a file of up to 10 MB each, so they go within the hour rather than at the daily
 * cleanup (the scheduler calls this every round; any instance may, deleting twice deletes nothing more).
 */
export async function cleanupPlanPreviews(store: Store, clock: Clock): Promise<number> {
  return deletePlanUploadsBefore(store, new Date(clock.now().getTime() - PLAN_UPLOAD_KEEP_MS));
}

/** Once a day, whichever instance gets there first (claimed like the weekly jobs). */
export async function cleanupOncePerDay(store: Store, clock: Clock, workerId: string): Promise<CleanupResult | null> {
  const day = shanghaiDate(clock.now());
  if (!(await insertJobRun(store, { key: `cleanup:${day}`, job: 'cleanup', period: day, claimedAt: clock.now(), claimedBy: workerId }))) return null;
  const result = await cleanup(store, clock);
  await finishJobRun(store, `cleanup:${day}`, clock.now(), result);
  return result;
}
