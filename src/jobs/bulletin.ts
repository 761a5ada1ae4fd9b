// The monthly 督查通报: on the 1st of a month from 09:30 (Shanghai), the .docx of the month just ended goes to the
// 党政办 group through the group robot (a short note, then the file: upload_media and a `file` message). Claimed
// per month in job runs, so several instances, restarts and catch-up after downtime send it once.
import { bulletinDocx, bulletinFileName } from '../bulletin/docx.ts';
import { buildPeriodReview } from '../bulletin/review.ts';
import { local } from '../domain/period.ts';
import { periodContaining, previousPeriod, type ReviewPeriod } from '../domain/review-period.ts';
import { robotFileMessage } from '../outbox/outbox.ts';
import { finishJobRun, isJobRunFinished } from '../store/job-runs.ts';
import { activePlans } from '../store/plans.ts';
import { WEBHOOK_FILE_MAX_BYTES, WEBHOOK_FILE_MIN_BYTES } from '../wecom/api-client.ts';
import { plansSince } from './catch-up.ts';
import { claimJobRun, type JobDeps } from './run-job.ts';

export const BULLETIN_JOB = 'bulletin';
/** Sent from this time on the 1st: after the Monday digest's 09:00, and off :00 and :30, which WeCom asks senders to avoid. */
export const BULLETIN_AT = { hour: 9, minute: 40 };

/** The month whose 通报 is due at `now`: the month before the one `now` is in, once the 1st's sending time has passed. */
export function dueBulletinMonth(now: Date): ReviewPeriod {
  const shifted = local(now).subtract(BULLETIN_AT.hour, 'hour').subtract(BULLETIN_AT.minute, 'minute').toDate();
  return previousPeriod(periodContaining('month', shifted));
}

export type BulletinOutcome =
  | { status: 'sent'; runKey: string; bytes: number }
  | { status: 'already' | 'busy' | 'not_due' | 'no_plan' | 'no_robot' | 'too_large'; runKey: string };

/** Sends the month's 通报 unless it went out already; `period` defaults to the month due now. */
export async function runBulletinJob(deps: JobDeps, period: ReviewPeriod = dueBulletinMonth(deps.clock.now())): Promise<BulletinOutcome> {
  const { store, clock, logger } = deps;
  const runKey = `${BULLETIN_JOB}:${period.key}`;
  if (!deps.scoreRules) return { status: 'not_due', runKey };
  if (await isJobRunFinished(store, runKey)) return { status: 'already', runKey };
  // Never about a month that ended before the plans were imported (a fresh install sends no old news).
  const since = await plansSince(store);
  if (!since || period.end <= since) return { status: 'not_due', runKey };
  const claim = await claimJobRun(deps, runKey, BULLETIN_JOB, period.key);
  if (claim.status === 'already') return { status: 'already', runKey };
  if (claim.status === 'busy') return { status: 'busy', runKey };
  const finish = (summary: Record<string, unknown>) => finishJobRun(store, runKey, clock.now(), summary);
  const plans = await activePlans(store);
  if (plans.length === 0) {
    await finish({ skipped: 'no plan' });
    return { status: 'no_plan', runKey };
  }
  if (!deps.hasGroupRobot) {
    logger.warn({ job: BULLETIN_JOB, period: period.key }, 'no group robot configured (WECOM_GROUP_WEBHOOK_KEY): the monthly bulletin is not sent');
    await finish({ skipped: 'no group robot' });
    return { status: 'no_robot', runKey };
  }
  const now = clock.now();
  const review = await buildPeriodReview(store, plans, deps.scoreRules, period, now);
  const bytes = await bulletinDocx(review, { date: now });
  if (bytes.length < WEBHOOK_FILE_MIN_BYTES || bytes.length > WEBHOOK_FILE_MAX_BYTES) {
    logger.error({ job: BULLETIN_JOB, period: period.key, bytes: bytes.length }, 'the bulletin is outside the group robot\'s file limits (6 bytes to 20 MB): not sent');
    await finish({ skipped: 'too large', bytes: bytes.length });
    return { status: 'too_large', runKey };
  }
  const f = review.figures;
  const note = [
    `**${review.period.label}督查通报（草稿）**`,
    `汇报率 ${f.reportRate ?? '—'}%，本期销号 ${f.closed} 项，超期 ${f.overdue} 项，受阻 ${f.blocked} 项，退回 ${f.returned} 次。`,
    '文件见下一条消息，请党政办修改定稿、填写文号后印发。',
  ].join('\n');
  await deps.deliver(`${runKey}:group:note`, { channel: 'webhook', body: { msgtype: 'markdown', markdown: { content: note } } });
  await deps.deliver(`${runKey}:group:file`, { channel: 'webhook', body: robotFileMessage(bulletinFileName(review), bytes) });
  await finish({ messages: 2, bytes: bytes.length, actor: 'scheduler' });
  logger.info({ job: BULLETIN_JOB, period: period.key, bytes: bytes.length }, 'monthly bulletin queued for the group');
  return { status: 'sent', runKey, bytes: bytes.length };
}
