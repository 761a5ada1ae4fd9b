// `digest` and `remind`: preview the weekly messages, or run the job now (once per period).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { previousWeekKey, weekStart } from '../domain/period.ts';
import type { JobName } from '../domain/schedule.ts';
import { buildDigest, renderDigestChart } from '../jobs/digest.ts';
import { currentPeriod, describeOutcome } from '../jobs/job-runner.ts';
import { buildReminders } from '../jobs/reminder.ts';
import { runJob, type JobDeps } from '../jobs/run-job.ts';
import { createWecomSender, enqueue, OutboxWorker } from '../outbox/outbox.ts';
import { activePlans } from '../store/plans.ts';
import { effectiveWecom } from '../wecom/settings.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';
import { withWecomClient } from './wecom.ts';

export const DIGEST_USAGE = 'digest --preview [--week 2021-W30] [--chart FILE.png] | digest --send [--force]';
export const REMIND_USAGE = 'remind --preview [--json] | remind --send [--force]';

const DRAIN_MS = 60_000;

export async function runDigestCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv, ['preview', 'send', 'force', 'json']);
  if (flags.send) return send(ctx, 'digest', flags.force === true);
  if (!flags.preview) throw new CliUsageError(DIGEST_USAGE);
  const week = typeof flags.week === 'string' ? flags.week : previousWeekKey(ctx.clock.now());
  if (!weekStart(week)) throw new CliUsageError(`--week 要写成 2021-W30 的形式（${DIGEST_USAGE}）`);
  const store = await ctx.store();
  if (flags.chart === true) throw new CliUsageError(`--chart 后面要写图片文件名（${DIGEST_USAGE}）`);
  const plans = await activePlans(store);
  if (plans.length === 0) throw new Error('没有进行中的工作方案（plan list 查看，plan import 导入）');
  const built = await buildDigest(store, plans, week, ctx.clock.now(), { mentions: ctx.config.digestMentions, webBaseUrl: ctx.config.web.baseUrl });
  if (flags.json) ctx.out(JSON.stringify(built.digest));
  else ctx.out(built.groupParts.join('\n\n'));
  if (typeof flags.chart === 'string') {
    // The picture the group robot gets, to look at before it is sent.
    const chart = await renderDigestChart(built.chartView);
    await writeFile(flags.chart, chart.png);
    ctx.out(`群图表已写入 ${flags.chart}（${chart.width}×${chart.height}，${Math.round(chart.png.length / 1024)} KB）${chart.missingGlyphs.length ? `；字体缺字：${chart.missingGlyphs.join('')}` : ''}`);
  }
  return 0;
}

export async function runRemindCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv, ['preview', 'send', 'force', 'json']);
  if (flags.send) return send(ctx, 'reminder', flags.force === true);
  if (!flags.preview) throw new CliUsageError(REMIND_USAGE);
  const store = await ctx.store();
  const plans = await activePlans(store);
  if (plans.length === 0) throw new Error('没有进行中的工作方案（plan list 查看，plan import 导入）');
  const reminders = await buildReminders(store, plans, ctx.clock.now(), { webBaseUrl: ctx.config.web.baseUrl });
  if (flags.json) {
    ctx.out(JSON.stringify(reminders.map((r) => ({ userid: r.userid, tasks: r.tasks }))));
  } else {
    for (const r of reminders) ctx.out(`── ${r.userid}\n${r.messages.join('\n')}\n`);
    ctx.out(`共 ${reminders.length} 人需要提醒。`);
  }
  return 0;
}

/** Runs the job now through the outbox and delivers what it queued (a running bot may deliver some of it). */
async function send(ctx: CliContext, job: JobName, force: boolean): Promise<number> {
  const store = await ctx.store();
  const wecom = effectiveWecom(ctx.config);
  return withWecomClient(ctx, async (client) => {
    const workerId = `cli-${randomBytes(3).toString('hex')}`;
    const worker = new OutboxWorker({ store, clock: ctx.clock, logger: ctx.logger, sender: createWecomSender(client, wecom.webhookKey), workerId });
    const deps: JobDeps = {
      store, clock: ctx.clock, logger: ctx.logger, workerId, digestMentions: ctx.config.digestMentions, hasGroupRobot: !!wecom.webhookKey, webBaseUrl: ctx.config.web.baseUrl,
      deliver: async (key, msg) => void (await enqueue(store, ctx.clock, key, msg)),
    };
    const period = currentPeriod(job, ctx.clock.now());
    const outcome = await runJob(deps, job, period, { actor: 'cli', forceKey: force ? workerId : undefined });
    ctx.out(describeOutcome(job, period, outcome).replace(/发送周报 重发|发送提醒 重发/, `${job === 'digest' ? 'digest' : 'remind'} --send --force`));
    const drained = await worker.drain(DRAIN_MS);
    ctx.out(`已送出 ${drained.sent} 条${drained.dead ? `，失败 ${drained.dead} 条（见日志）` : ''}${drained.pending ? `，尚有 ${drained.pending} 条待重试` : ''}。`);
    return drained.dead ? 1 : 0;
  });
}
