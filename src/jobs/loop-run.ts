// The 督办 loop's scheduled jobs: 到期提醒 and the 待审核 notice once a working day, the escalation (automatic 催办
// and the leaders' lists) once a week with the digest. Each run claims (job, period) by a unique insert, as the
// weekly jobs do, and enqueues with keys derived from the claim: a rerun, a second instance or a resumed crash
// sends nothing twice.
import { TIME_ZONE } from '../config.ts';
import { dayjs, shanghaiDate } from '../domain/period.ts';
import { dueRuns, parseWeeklyCron } from '../domain/schedule.ts';
import { isWorkingDay } from '../domain/workdays.ts';
import { splitNumbered } from '../domain/text.ts';
import { activePlans } from '../store/plans.ts';
import { APP_TEXT_MAX_BYTES } from '../wecom/api-client.ts';
import { claimJobRun, type JobDeps } from './run-job.ts';
import { buildDeadlineWarnings } from './deadline-warnings.ts';
import { deliverCards } from './card-delivery.ts';
import { buildEscalation } from './escalation.ts';
import { buildReviewNotice, previousReviewCutoff } from './review-notice.ts';
import type { LoopMessage, ScheduleSettings } from './loop-types.ts';
import { plansSince, runsToMake, type RunToMake } from './catch-up.ts';
import { findJobRun, finishJobRun, isJobRunFinished } from '../store/job-runs.ts';

export type LoopJob = 'deadline-warning' | 'review-notice' | 'escalation';

/** Local times of the daily runs: off the :00 and :30 marks, as WeCom asks. */
export const DAILY_AT: Record<Exclude<LoopJob, 'escalation'>, string> = {
  'deadline-warning': '09:10', // the morning, so the day is left to act
  'review-notice': '16:40', // after the day's 完成 came in, before the office closes
};

/** Without a plain weekly DIGEST_CRON the escalation keeps the default digest slot, Monday 09:00. */
const DEFAULT_ESCALATION_SLOT = { minute: 0, hour: 9, weekday: 1 };

export type LoopOutcome =
  | { status: 'done'; runKey: string; messages: number; recipients: number; resumed: boolean }
  | { status: 'already' | 'busy' | 'skipped'; runKey: string };

/** A daily job's period (the Shanghai date) when it is due now: a working day, at or after its time. */
export function dueDaily(job: keyof typeof DAILY_AT, now: Date): string | null {
  const day = shanghaiDate(now);
  if (!isWorkingDay(day)) return null;
  const at = dayjs.tz(`${day} ${DAILY_AT[job]}`, TIME_ZONE).toDate();
  return now >= at ? day : null;
}

/** Runs whatever of the loop is due now; called on every scheduler tick after the weekly jobs. */
export async function runDueLoopJobs(deps: JobDeps, settings: ScheduleSettings): Promise<LoopOutcome[]> {
  const now = deps.clock.now();
  const out: LoopOutcome[] = [];
  const since = await plansSince(deps.store); // nothing about a time before the plans existed: see catch-up.ts
  const due: Array<[LoopJob, RunToMake]> = [];
  for (const job of ['deadline-warning', 'review-notice'] as const) {
    const period = dueDaily(job, now);
    if (period) for (const run of runsToMake([{ period, at: dayjs.tz(`${period} ${DAILY_AT[job]}`, TIME_ZONE).toDate() }], now, since)) due.push([job, run]);
  }
  const slot = parseWeeklyCron(settings.digestCron) ?? DEFAULT_ESCALATION_SLOT;
  for (const run of runsToMake(dueRuns('digest', slot, now, settings.workdayAdjust), now, since)) due.push(['escalation', run]);
  for (const [job, run] of due) {
    if (await isJobRunFinished(deps.store, `${job}:${run.period}`)) continue;
    out.push(await runLoopJob(deps, job, run.period, { catchUp: run.catchUp }));
  }
  return out;
}

export async function runLoopJob(deps: JobDeps, job: LoopJob, period: string, opts: { catchUp?: boolean } = {}): Promise<LoopOutcome> {
  const { store, clock } = deps;
  const runKey = `${job}:${period}`;
  const claim = await claimJobRun(deps, runKey, job, period);
  if (claim.status !== 'claimed') return { status: claim.status, runKey };
  const resumed = claim.resumed;
  const plans = await activePlans(store);
  const now = clock.now();
  let messages: LoopMessage[] = [];
  const summary: Record<string, unknown> = opts.catchUp ? { catchUp: true } : {};
  if (plans.length > 0) {
    if (job === 'deadline-warning') messages = await buildDeadlineWarnings(store, plans, now);
    else if (job === 'review-notice') {
      if (deps.reviewRequired !== false) {
        // The claim's own time is the cutoff, so a resumed run lists exactly what the first attempt saw.
        const claim = await findJobRun(store, runKey);
        const cutoff = claim?.claimedAt ?? now;
        messages = await buildReviewNotice(store, plans, await previousReviewCutoff(store, runKey), cutoff);
        summary.cutoff = cutoff;
      }
    } else {
      const built = await buildEscalation(store, plans, period, now, deps.clock);
      messages = built.messages;
      summary.chased = built.chased;
    }
  }
  let sent = 0;
  for (const m of messages) {
    if (deps.cards && m.cards && m.cards.items.length) {
      sent += await deliverCards(deps, `${runKey}:${m.userid}`, m.cards, m.notBefore ? { notBefore: m.notBefore } : undefined);
      continue;
    }
    for (const [i, content] of splitNumbered(m.text, APP_TEXT_MAX_BYTES).entries()) {
      await deps.deliver(`${runKey}:${m.userid}:${i}`, { channel: 'app', body: { touser: m.userid, msgtype: 'text', text: { content } } }, m.notBefore ? { notBefore: m.notBefore } : undefined);
      sent++;
    }
  }
  await finishJobRun(store, runKey, clock.now(), { ...summary, messages: sent, recipients: messages.length });
  deps.logger.info({ job, period, runKey, messages: sent, recipients: messages.length, resumed }, 'loop job finished');
  return { status: 'done', runKey, messages: sent, recipients: new Set(messages.map((m) => m.userid)).size, resumed };
}
