// The only node-cron user. Every minute (Asia/Shanghai) it asks which weekly runs are due; a run claims its
// period, so ticks on several instances, restarts and catch-up after downtime all send once.
import cron from 'node-cron';
import { TIME_ZONE } from '../config.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { weekKey } from '../domain/period.ts';
import { dueRuns, parseWeeklyCron, type JobName } from '../domain/schedule.ts';
import { cleanupOncePerDay } from './cleanup.ts';
import { runDueLoopJobs } from './loop-run.ts';
import { runJob, type JobDeps, type JobOutcome } from './run-job.ts';
import type { ScheduleSettings } from './loop-types.ts';

export type { ScheduleSettings } from './loop-types.ts';

/** Runs whatever is due now; also called once at start, which is how a missed run is caught up. */
export async function runDueJobs(deps: JobDeps, settings: ScheduleSettings): Promise<JobOutcome[]> {
  const now = deps.clock.now();
  const outcomes: JobOutcome[] = [];
  for (const [job, expr] of [['reminder', settings.reminderCron], ['digest', settings.digestCron]] as Array<[JobName, string]>) {
    const slot = parseWeeklyCron(expr);
    if (!slot) continue; // a richer cron expression runs on its own schedule, see startScheduler
    for (const run of dueRuns(job, slot, now, settings.workdayAdjust)) {
      const exists = await deps.store.models.JobRun.findOne({ key: `${job}:${run.period}` }, { finishedAt: 1 }).lean();
      if (exists?.finishedAt) continue;
      outcomes.push(await runJob(deps, job, run.period));
    }
  }
  return outcomes;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(deps: JobDeps, settings: ScheduleSettings, logger: Logger, clock: Clock): Scheduler {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running
      .then(() => runDueJobs(deps, settings))
      .then(() => runDueLoopJobs(deps, settings))
      .then(() => cleanupOncePerDay(deps.store, clock, deps.workerId))
      .then((cleaned) => cleaned && logger.info({ cleaned }, 'daily cleanup'))
      .catch((err) => logger.error({ err }, 'scheduled job failed'));
    return running;
  };
  const tasks = [cron.schedule('* * * * *', tick, { timezone: TIME_ZONE })];
  // Expressions that are not a plain weekly slot run as written, without the holiday shift.
  for (const [job, expr] of [['reminder', settings.reminderCron], ['digest', settings.digestCron]] as Array<[JobName, string]>) {
    if (parseWeeklyCron(expr) || !cron.validate(expr)) continue;
    tasks.push(cron.schedule(expr, () => {
      const now = clock.now();
      const period = job === 'reminder' ? weekKey(now) : weekKey(new Date(now.getTime() - 7 * 24 * 3600 * 1000));
      running = running.then(() => runJob(deps, job, period)).catch((err) => logger.error({ err, job }, 'scheduled job failed'));
    }, { timezone: TIME_ZONE }));
  }
  void tick(); // catch up at start
  return {
    async stop() {
      for (const t of tasks) await t.stop();
      await running;
    },
  };
}
