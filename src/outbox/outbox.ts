/**
 * Durable delivery: enqueue once per idempotency key, claim, send, retry with backoff, dead-letter.
 *
 * Works where updates are not atomic (FerretDB 1.x): the only race-deciding write is an INSERT into a
 * unique index. Attempt N of a message belongs to whoever inserts OutboxClaim `${id}:${N}` first; the
 * doc's `attempts` and `nextAttemptAt` are bookkeeping written by that winner alone.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { createLoop, type BackgroundLoop } from '../background/loop.ts';
import type { Store } from '../store/database.ts';
import type { OutboxDoc } from '../store/models.ts';
import {
  countPendingOutbox, dueOutboxMessages, findOutboxClaim, findOutboxMessage, insertOutboxClaim, insertOutboxMessage, nextWaitingOutboxMessage,
  updateOutboxMessage, waitingOutboxMessages,
} from '../store/outbox-repo.ts';
import type { AppMessageBody, WebhookBody, WecomClient } from '../wecom/api-client.ts';
import { LOCAL_ERRCODES, WecomApiError } from '../wecom/errors.ts';

export type OutboxMessage =
  | { channel: 'app'; body: Record<string, unknown> }
  | { channel: 'webhook'; body: Record<string, unknown> }
  /** message/update_template_card: a tapped card shows what was recorded (its response_code works once). */
  | { channel: 'card-update'; body: Record<string, unknown> };

export type OutboxState = 'pending' | 'sent' | 'dead';

/** Stores the message unless one with this key exists; the key makes a rerun of a job harmless. */
export async function enqueue(store: Store, clock: Clock, key: string, msg: OutboxMessage, opts: { notBefore?: Date } = {}): Promise<'queued' | 'exists'> {
  const now = clock.now();
  // A notice held back to respect "one of a kind per member per day" waits for its day. It is queued as of that
  // moment too: the per-recipient order counts it from when it may go, so it never holds up what comes meanwhile.
  const at = opts.notBefore && opts.notBefore > now ? opts.notBefore : now;
  return insertOutboxMessage(store, { key, channel: msg.channel, payload: msg.body, createdAt: at, nextAttemptAt: at });
}

/**
 * A file for the group robot as the outbox keeps it: `{msgtype: 'file', file: {name, base64}}`. The sender turns it
 * into the robot's two calls, upload_media and then a `file` message with the media_id.
 */
export function robotFileMessage(name: string, bytes: Buffer): { msgtype: 'file'; file: { name: string; base64: string } } {
  return { msgtype: 'file', file: { name, base64: bytes.toString('base64') } };
}

function robotFileOf(body: Record<string, unknown>): { name: string; base64: string } | null {
  if (body.msgtype !== 'file' || typeof body.file !== 'object' || body.file === null) return null;
  const { name, base64 } = body.file as Record<string, unknown>;
  return typeof name === 'string' && typeof base64 === 'string' ? { name, base64 } : null;
}

export interface OutboxSender {
  send(msg: OutboxMessage): Promise<void>;
}

/** App messages go through message/send, webhook messages to the one configured group robot. */
export function createWecomSender(client: WecomClient, webhookKey: string | undefined): OutboxSender {
  return {
    async send(msg) {
      if (msg.channel === 'app') {
        const { fallback, ...body } = msg.body as AppMessageBody & { fallback?: AppMessageBody };
        // A retry after a timeout may repeat a send WeCom already made: its duplicate check drops the second.
        try {
          await client.sendMessage({ enable_duplicate_check: 1, duplicate_check_interval: 1800, ...body });
        } catch (err) {
          // A card WeCom will never take (refused, not a passing failure): the text it stands for goes instead.
          if (!fallback || !(err instanceof WecomApiError) || err.retryable) throw err;
          await client.sendMessage({ enable_duplicate_check: 1, duplicate_check_interval: 1800, ...fallback });
        }
        return;
      }
      if (msg.channel === 'card-update') {
        await client.updateTemplateCard(msg.body);
        return;
      }
      if (!webhookKey) {
        throw new WecomApiError({
          errcode: LOCAL_ERRCODES.notConfigured,
          errmsg: 'WECOM_GROUP_WEBHOOK_KEY is not set',
          api: '/cgi-bin/webhook/send',
          retryable: false,
        });
      }
      const file = robotFileOf(msg.body);
      if (file) {
        // A file for the group: uploaded on every attempt (a media_id lives three days; a retry may come later).
        const mediaId = await client.uploadWebhookFile(webhookKey, file.name, Buffer.from(file.base64, 'base64'));
        await client.sendGroupWebhook(webhookKey, { msgtype: 'file', file: { media_id: mediaId } });
        return;
      }
      await client.sendGroupWebhook(webhookKey, msg.body as WebhookBody);
    },
  };
}

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  sender: OutboxSender;
  logger: Logger;
  workerId: string;
  /** Attempts before a message is dead. Default 8. */
  maxAttempts?: number;
  /** How long a claim keeps others away; after it a crashed attempt is retried. Default 5 min. */
  leaseMs?: number;
  /** Wait before attempt `attempt + 1`; default exponential from 30 s, capped at 1 h, with jitter. */
  backoff?: (attempt: number) => number;
  /** Messages looked at per round. Default 20. */
  batchSize?: number;
  /** Used by drain() between rounds; with a ManualClock pass one that advances it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RunResult {
  sent: number;
  retried: number;
  dead: number;
  skipped: number;
}

export interface DrainResult extends RunResult {
  /** Messages still pending when drain gave up (due after its deadline, or leased elsewhere). */
  pending: number;
}

type LeanOutbox = OutboxDoc;

/** Longest a drain round waits before looking again: another worker may finish early. */
const DRAIN_POLL_MS = 100;

export class OutboxWorker {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly sender: OutboxSender;
  private readonly logger: Logger;
  private readonly workerId: string;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly backoff: (attempt: number) => number;
  private readonly batchSize: number;
  private readonly sleep: (ms: number) => Promise<void>;

  private readonly loop: BackgroundLoop;

  constructor(opts: OutboxWorkerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.sender = opts.sender;
    this.workerId = opts.workerId;
    this.logger = opts.logger.child({ component: 'outbox', worker: opts.workerId });
    this.maxAttempts = opts.maxAttempts ?? 8;
    // Longer than the slowest send (retries, a token refetch, the robot's per-minute wait), so a live
    // attempt is never taken over.
    this.leaseMs = opts.leaseMs ?? 300_000;
    const random = opts.random ?? Math.random;
    this.backoff =
      opts.backoff ??
      ((attempt) => {
        const ceiling = Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));
        return Math.round(ceiling / 2 + (random() * ceiling) / 2);
      });
    this.batchSize = opts.batchSize ?? 20;
    this.sleep = opts.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
    this.loop = createLoop(() => this.runOnce(), { name: 'outbox', logger: this.logger });
  }

  /** One round over the due messages, oldest first. */
  async runOnce(): Promise<RunResult> {
    const result: RunResult = { sent: 0, retried: 0, dead: 0, skipped: 0 };
    const now = this.clock.now();
    const due = await dueOutboxMessages(this.store, now, this.batchSize);
    if (due.length === 0) return result;

    // Per-recipient order: a message waits while an older one to the same recipient is still pending
    // (scheduled for a retry, or leased to another worker), so split digests and replies stay in order.
    const blocked = await this.olderPendingByRecipient(due, now);

    for (const doc of due) {
      const recipient = recipientOf(doc);
      const blocker = blocked.get(recipient);
      if (blocker && isBefore(blocker, doc)) {
        result.skipped++;
        continue;
      }
      const outcome = await this.deliver(doc);
      result[outcome]++;
      if (outcome !== 'sent' && outcome !== 'dead') {
        if (!blocker || isBefore(doc, blocker)) blocked.set(recipient, doc);
      }
    }
    return result;
  }

  /** Runs every intervalMs, and soon after kick(). */
  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  /** Asks for a round soon; several kicks while one runs coalesce into one more round. */
  kick(): void {
    this.loop.kick();
  }

  /** Stops the timer and waits for the round in progress, so shutdown never cuts a send in half. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Rounds until nothing is pending, or what is pending is not due before the deadline (clock time).
   * For tests and the CLI; the service uses start().
   */
  async drain(timeoutMs: number): Promise<DrainResult> {
    const total: RunResult = { sent: 0, retried: 0, dead: 0, skipped: 0 };
    const deadline = this.clock.now().getTime() + timeoutMs;
    for (;;) {
      const r = await this.runOnce();
      total.sent += r.sent;
      total.retried += r.retried;
      total.dead += r.dead;
      total.skipped += r.skipped;
      const pending = await countPendingOutbox(this.store);
      const now = this.clock.now().getTime();
      if (pending === 0 || now >= deadline) return { ...total, pending };
      if (r.sent + r.retried + r.dead > 0) continue; // progress: go again at once
      // Nothing moved: what is due waits behind an older message or is held by another worker.
      // Sleep until the next retry or lease comes due, polling meanwhile in case another worker finishes.
      const next = await nextWaitingOutboxMessage(this.store, new Date(now));
      if (next && next.nextAttemptAt.getTime() > deadline) return { ...total, pending };
      const wait = next ? Math.min(next.nextAttemptAt.getTime() - now, DRAIN_POLL_MS) : DRAIN_POLL_MS;
      await this.sleep(Math.max(1, wait));
    }
  }

  private async olderPendingByRecipient(due: LeanOutbox[], now: Date): Promise<Map<string, LeanOutbox>> {
    const last = due[due.length - 1]!;
    const waiting = await waitingOutboxMessages(this.store, now, last.createdAt);
    const blocked = new Map<string, LeanOutbox>();
    for (const doc of waiting) {
      const r = recipientOf(doc);
      if (!blocked.has(r)) blocked.set(r, doc);
    }
    return blocked;
  }

  /** Claims the next attempt of one message and, if it won, sends it and records the outcome. */
  private async deliver(doc: LeanOutbox): Promise<keyof RunResult> {
    const attempt = await this.claim(doc);
    if (attempt === null) return 'skipped';
    const id = doc._id;
    if (attempt > this.maxAttempts) {
      // Only reachable after lease recoveries used up the attempts without a real failure to report.
      await this.markDead(id, doc.key, attempt - 1, 'gave up: every attempt was claimed by a worker that did not finish');
      return 'dead';
    }
    const leaseUntil = new Date(this.clock.now().getTime() + this.leaseMs);
    await updateOutboxMessage(this.store, id, { attempts: attempt, nextAttemptAt: leaseUntil });

    try {
      await this.sender.send({ channel: doc.channel as OutboxMessage['channel'], body: doc.payload as Record<string, unknown> });
    } catch (err) {
      const reason = failureReason(err);
      if (!isRetryableFailure(err)) {
        await this.markDead(id, doc.key, attempt, `permanent error: ${reason}`, err);
        return 'dead';
      }
      if (attempt >= this.maxAttempts) {
        await this.markDead(id, doc.key, attempt, `gave up after ${attempt} attempts: ${reason}`, err);
        return 'dead';
      }
      const wait = this.backoff(attempt);
      const nextAttemptAt = new Date(this.clock.now().getTime() + wait);
      await updateOutboxMessage(this.store, id, { nextAttemptAt, lastError: reason });
      this.logger.warn({ outboxKey: doc.key, attempt, waitMs: wait, ...errorFields(err) }, 'outbox send failed; will retry');
      return 'retried';
    }
    await updateOutboxMessage(this.store, id, { state: 'sent', sentAt: this.clock.now(), lastError: null });
    this.logger.debug({ outboxKey: doc.key, attempt, channel: doc.channel }, 'outbox message sent');
    return 'sent';
  }

  /**
   * Inserts the claim for the next attempt. Returns the attempt number won, or null when another worker
   * holds it. A claim older than the lease whose doc never moved past it was left by a worker that
   * crashed between claiming and recording the claim: count that attempt as used and claim the next.
   */
  private async claim(doc: LeanOutbox): Promise<number | null> {
    let attempt = (doc.attempts ?? 0) + 1;
    for (;;) {
      const key = `${doc._id.toString()}:${attempt}`;
      if (await insertOutboxClaim(this.store, { key, outboxId: doc._id, attempt, worker: this.workerId, at: this.clock.now() })) return attempt;
      const held = await findOutboxClaim(this.store, key);
      const now = this.clock.now().getTime();
      if (!held || now - held.at.getTime() < this.leaseMs) return null; // someone is on it
      const fresh = await findOutboxMessage(this.store, doc._id);
      if (!fresh || fresh.state !== 'pending' || (fresh.attempts ?? 0) !== attempt - 1) return null; // moved on
      if (fresh.nextAttemptAt.getTime() > now) return null;
      await updateOutboxMessage(this.store, doc._id, { attempts: attempt }, attempt - 1);
      this.logger.warn({ outboxKey: doc.key, attempt, claimedBy: held.worker }, 'stale outbox claim; taking the next attempt');
      attempt++;
    }
  }

  private async markDead(id: OutboxDoc['_id'], key: string, attempts: number, reason: string, err?: unknown): Promise<void> {
    await updateOutboxMessage(this.store, id, { state: 'dead', attempts, lastError: reason, nextAttemptAt: this.clock.now() });
    this.logger.error({ outboxKey: key, attempts, reason, ...(err ? errorFields(err) : {}) }, 'outbox message dead-lettered');
  }
}

/** Messages to the same recipient keep their order; different recipients do not wait for each other. */
function recipientOf(doc: LeanOutbox): string {
  if (doc.channel !== 'app') return doc.channel;
  const p = (doc.payload ?? {}) as Record<string, unknown>;
  return `app:${String(p.touser ?? '')}/${String(p.toparty ?? '')}/${String(p.totag ?? '')}`;
}

function isBefore(a: LeanOutbox, b: LeanOutbox): boolean {
  const ta = a.createdAt.getTime();
  const tb = b.createdAt.getTime();
  return ta !== tb ? ta < tb : a._id.toString() < b._id.toString();
}

/** WeCom's classification when there is one; any error may say `retryable: false`; else assume transient. */
export function isRetryableFailure(err: unknown): boolean {
  if (err instanceof WecomApiError) return err.retryable;
  const flag = (err as { retryable?: unknown } | null)?.retryable;
  return flag !== false;
}

/** The dead-letter reason: errcode and meaning, never the message content. */
function failureReason(err: unknown): string {
  if (err instanceof WecomApiError) return `errcode ${err.errcode} ${err.meaning} ${err.lookupUrl}`;
  return errorText(err);
}

function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof WecomApiError ? err.toLogFields() : { err: errorText(err) };
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
