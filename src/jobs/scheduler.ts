// The scheduled jobs. Every minute it asks which runs are due; a run claims its period, so ticks on several
// instances, restarts and catch-up after downtime all send once. The only node-cron user (for cron expressions
// richer than a weekly slot).
import cron from 'node-cron';
import { TIME_ZONE } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { weekKey } from '../domain/period.ts';
import { dueRuns, parseWeeklyCron, type JobName } from '../domain/schedule.ts';
import { cleanupOncePerDay, cleanupPlanPreviews } from './cleanup.ts';
import { runDueLoopJobs } from './loop-run.ts';
import { runBulletinJob } from './bulletin.ts';
import { runJob, type JobDeps, type JobOutcome } from './run-job.ts';
import type { ScheduleSettings } from './loop-types.ts';
import { isJobRunFinished } from '../store/job-runs.ts';
import { plansSince, runsToMake } from './catch-up.ts';
import { createLoop } from '../background/loop.ts';

export type { ScheduleSettings } from './loop-types.ts';

/**
 * Runs whatever is due now; also called once at start, which is how a missed run is caught up (the latest period
 * only, marked as such, and never one from before the plans existed: see catch-up.ts).
 */
export async function runDueJobs(deps: JobDeps, settings: ScheduleSettings): Promise<JobOutcome[]> {
  const now = deps.clock.now();
  const since = await plansSince(deps.store);
  const outcomes: JobOutcome[] = [];
  for (const [job, expr] of [['reminder', settings.reminderCron], ['digest', settings.digestCron]] as Array<[JobName, string]>) {
    const slot = parseWeeklyCron(expr);
    if (!slot) continue; // a richer cron expression runs on its own schedule, see startScheduler
    for (const run of runsToMake(dueRuns(job, slot, now, settings.workdayAdjust), now, since)) {
      if (await isJobRunFinished(deps.store, `${job}:${run.period}`)) continue;
      outcomes.push(await runJob(deps, job, run.period, { catchUp: run.catchUp }));
    }
  }
  return outcomes;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** How often the scheduler looks at what is due. Daily and weekly runs are then made within a minute of their time. */
export const SCHEDULER_TICK_MS = 60_000;

/**
 * The scheduled jobs on the background loop: a round at start (which is how a missed run is caught up) and every
 * minute after, never two at once. A richer cron expression than a weekly slot fires through node-cron, which
 * queues its run for the loop's next round, so it never overlaps the others either.
 */
export function startScheduler(deps: JobDeps, settings: ScheduleSettings, logger: Logger, clock: Clock): Scheduler {
  const queued: Array<{ job: JobName; period: string; at: Date }> = [];
  const round = async () => {
    await runDueJobs(deps, settings);
    await runDueLoopJobs(deps, settings);
    await runBulletinJob(deps);
    while (queued.length > 0) {
      const q = queued[0]!;
      for (const run of runsToMake([q], clock.now(), await plansSince(deps.store))) await runJob(deps, q.job, run.period, { catchUp: run.catchUp });
      queued.shift();
    }
    const cleaned = await cleanupOncePerDay(deps.store, clock, deps.workerId);
    if (cleaned) logger.info({ cleaned }, 'daily cleanup');
    const previews = await cleanupPlanPreviews(deps.store, clock);
    if (previews > 0) logger.info({ previews }, 'abandoned plan previews deleted');
  };
  const loop = createLoop(round, { name: 'scheduled jobs', logger, maxBackoffMs: 10 * 60_000, onError: (err) => logger.error({ err }, 'scheduled job failed') });
  const tasks: Array<ReturnType<typeof cron.schedule>> = [];
  // Expressions that are not a plain weekly slot run as written, without the holiday shift.
  for (const [job, expr] of [['reminder', settings.reminderCron], ['digest', settings.digestCron]] as Array<[JobName, string]>) {
    if (parseWeeklyCron(expr) || !cron.validate(expr)) continue;
    tasks.push(cron.schedule(expr, () => {
      const now = clock.now();
      const period = job === 'reminder' ? weekKey(now) : weekKey(new Date(now.getTime() - 7 * 24 * 3600 * 1000));
      queued.push({ job, period, at: now });
      loop.kick();
    }, { timezone: TIME_ZONE }));
  }
  loop.start(SCHEDULER_TICK_MS);
  return {
    async stop() {
      for (const t of tasks) await t.stop();
      await loop.stop();
    },
  };
}
