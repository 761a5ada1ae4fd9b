// Runs a weekly job exactly once per period: claimed by inserting (job, period) into a unique index, its
// messages enqueued with idempotency keys derived from the claim, so a resumed run sends nothing twice.
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { JobName } from '../domain/schedule.ts';
import type { OutboxMessage } from '../outbox/outbox.ts';
import type { ScoreRules } from '../domain/score-rules.ts';
import type { Store } from '../store/database.ts';
import { findJobRun, finishJobRun, insertJobRun } from '../store/job-runs.ts';
import { activeLeaderIds } from '../store/members-repo.ts';
import { archiveDigest } from '../store/digest-archive.ts';
import { activePlans } from '../store/plans.ts';
import { buildDigest, groupMessages } from './digest.ts';
import { buildReminders } from './reminder.ts';
import { deliverCards } from './card-delivery.ts';

export interface JobDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  workerId: string;
  digestMentions: boolean;
  /** Group robot configured: the digest goes to the 党政办 group too. */
  hasGroupRobot: boolean;
  /** WEB_BASE_URL when the pages are published: reminders link to them. */
  webBaseUrl?: string;
  /** REVIEW_REQUIRED: with review off nothing waits for 审核, so no 待审核 notice goes out. Default true. */
  reviewRequired?: boolean;
  /** WECOM_CARDS: reminders and notices as interactive template cards. Default false here (the service turns it on). */
  cards?: boolean;
  /** The 考核细则 (checked at start): the monthly 督查通报 and its scores follow them. Without them no 通报 is sent. */
  scoreRules?: ScoreRules;
  /** Durable delivery (the outbox); the same key twice stores one message. */
  deliver(key: string, msg: OutboxMessage, opts?: { notBefore?: Date }): Promise<void>;
}

export type JobOutcome =
  | { status: 'done'; runKey: string; messages: number; recipients: number; resumed: boolean }
  | { status: 'already'; runKey: string; finishedAt: Date }
  | { status: 'busy'; runKey: string; claimedAt: Date }
  | { status: 'no_plan'; runKey: string };

/** A claim older than this without a finish is a crashed run: it is resumed, not repeated. */
export const RESUME_AFTER_MS = 5 * 60_000;

export type JobClaim =
  | { status: 'claimed'; resumed: boolean }
  | { status: 'already'; finishedAt: Date }
  | { status: 'busy'; claimedAt: Date };

/**
 * Claims a run by inserting its key into a unique index. A claim older than RESUME_AFTER_MS without a finish
 * belongs to a claimer that died: it is resumed, and the idempotency keys derived from the run make that safe.
 */
export async function claimJobRun(deps: Pick<JobDeps, 'store' | 'clock' | 'workerId'>, runKey: string, job: string, period: string): Promise<JobClaim> {
  const { store, clock } = deps;
  if (await insertJobRun(store, { key: runKey, job, period, claimedAt: clock.now(), claimedBy: deps.workerId })) return { status: 'claimed', resumed: false };
  const prior = await findJobRun(store, runKey);
  if (!prior) throw new Error(`job run ${runKey}: claimed, yet not found`);
  if (prior.finishedAt) return { status: 'already', finishedAt: prior.finishedAt };
  if (clock.now().getTime() - prior.claimedAt.getTime() < RESUME_AFTER_MS) return { status: 'busy', claimedAt: prior.claimedAt };
  return { status: 'claimed', resumed: true };
}

export interface RunOptions {
  forceKey?: string;
  actor?: string;
  /** The scheduler makes this run late, after downtime: the digest says it is a 补发. */
  catchUp?: boolean;
}

export async function runJob(deps: JobDeps, job: JobName, period: string, opts: RunOptions = {}): Promise<JobOutcome> {
  const { store, clock } = deps;
  const runKey = opts.forceKey ? `${job}:${period}:force:${opts.forceKey}` : `${job}:${period}`;
  const claim = await claimJobRun(deps, runKey, job, period);
  if (claim.status !== 'claimed') return { ...claim, runKey };
  const resumed = claim.resumed;

  const plans = await activePlans(store);
  if (plans.length === 0) {
    await finish(deps, runKey, { skipped: 'no plan' });
    return { status: 'no_plan', runKey };
  }
  const now = clock.now();
  let messages = 0;
  let recipients = 0;
  if (job === 'reminder') {
    for (const r of await buildReminders(store, plans, now, { webBaseUrl: deps.webBaseUrl })) {
      recipients++;
      if (deps.cards && r.items.length) {
        messages += await deliverCards(deps, `${runKey}:${r.userid}`, { kind: 'report', source: 'reminder', heading: '督办提醒', userid: r.userid, items: r.items, link: r.link });
        continue;
      }
      for (const [i, content] of r.messages.entries()) {
        await deps.deliver(`${runKey}:${r.userid}:${i}`, { channel: 'app', body: { touser: r.userid, msgtype: 'text', text: { content } } });
        messages++;
      }
    }
  } else {
    const built = await buildDigest(store, plans, period, now, { mentions: deps.digestMentions, webBaseUrl: deps.webBaseUrl, catchUp: opts.catchUp });
    if (deps.hasGroupRobot) {
      recipients++;
      // The text first, then the chart, keyed by the run: a resumed or repeated run stores no second one.
      let part = 0;
      for (const body of await groupMessages(built, deps.logger)) {
        await deps.deliver(`${runKey}:group:${body.msgtype === 'image' ? 'chart' : part++}`, { channel: 'webhook', body });
        messages++;
      }
    } else {
      deps.logger.warn({ job, period }, 'no group robot configured (WECOM_GROUP_WEBHOOK_KEY): digest goes to leaders only');
    }
    const leaders = await activeLeaderIds(store);
    if (leaders.length) {
      recipients += leaders.length;
      for (const [i, content] of built.leaderParts.entries()) {
        await deps.deliver(`${runKey}:leaders:${i}`, { channel: 'app', body: { touser: leaders.join('|'), msgtype: 'text', text: { content } } });
        messages++;
      }
    }
    await archiveDigest(store, { runKey, planId: plans[0]!._id, planTitle: plans.map((p) => p.title).join('；'), week: period, sentAt: now, ...built }); // the 周报 page shows what was sent
  }
  await finish(deps, runKey, { messages, recipients, actor: opts.actor ?? 'scheduler', ...(opts.catchUp ? { catchUp: true } : {}) });
  deps.logger.info({ job, period, runKey, messages, recipients, resumed }, 'job run finished');
  return { status: 'done', runKey, messages, recipients, resumed };
}

async function finish(deps: JobDeps, runKey: string, summary: Record<string, unknown>) {
  await finishJobRun(deps.store, runKey, deps.clock.now(), summary);
}
