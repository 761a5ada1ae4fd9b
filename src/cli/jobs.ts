// `digest` and `remind`: preview the weekly messages, or run the job now (once per period).
import { pagesBaseUrl } from '../config.ts';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { previousWeekKey, weekStart } from '../domain/period.ts';
import type { JobName } from '../domain/schedule.ts';
import { buildDigest, groupMessages, previewOf } from '../jobs/digest.ts';
import { currentPeriod, describeOutcome } from '../jobs/job-runner.ts';
import { buildReminders } from '../jobs/reminder.ts';
import { runJob, type JobDeps } from '../jobs/run-job.ts';
import { createWecomSender, enqueue, OutboxWorker } from '../outbox/outbox.ts';
import { activePlans } from '../store/plans.ts';
import { effectiveWecom } from '../wecom/settings.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';
import { withWecomClient } from './wecom.ts';

export const DIGEST_USAGE = 'digest --preview [--week 2021-W30] [--group --json] [--chart FILE.png] | digest --send [--force]';
export const REMIND_USAGE = 'remind --preview [--json] | remind --send [--force]';

const DRAIN_MS = 60_000;

export async function runDigestCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv, ['preview', 'send', 'force', 'json', 'group']);
  if (flags.send) return send(ctx, 'digest', flags.force === true);
  if (!flags.preview) throw new CliUsageError(DIGEST_USAGE);
  const week = typeof flags.week === 'string' ? flags.week : previousWeekKey(ctx.clock.now());
  if (!weekStart(week)) throw new CliUsageError(`--week 要写成 2021-W30 的形式（${DIGEST_USAGE}）`);
  const store = await ctx.store();
  if (flags.chart === true) throw new CliUsageError(`--chart 后面要写图片文件名（${DIGEST_USAGE}）`);
  const plans = await activePlans(store);
  if (plans.length === 0) throw new Error('没有进行中的工作方案（plan list 查看，plan import 导入）');
  // Built as the digest job builds it: the same options from the same configuration.
  const built = await buildDigest(store, plans, week, ctx.clock.now(), { mentions: ctx.config.digestMentions, webBaseUrl: pagesBaseUrl(ctx.config) });
  if (flags.json && !flags.group) {
    ctx.out(JSON.stringify(built.digest));
    return 0;
  }
  const messages = await groupMessages(built, ctx.logger);
  if (flags.json) {
    // Exactly what the group robot would receive, in order.
    ctx.out(JSON.stringify(messages.map(previewOf)));
    return 0;
  }
  for (const [i, m] of messages.entries()) {
    ctx.out(`── 群消息 ${i + 1}/${messages.length}（${m.msgtype}）`);
    if (m.msgtype === 'markdown') ctx.out(m.markdown.content);
    else {
      const png = Buffer.from(m.image.base64, 'base64');
      ctx.out(`［图表 ${png.readUInt32BE(16)}×${png.readUInt32BE(20)}，${Math.round(png.length / 1024)} KB］`);
    }
  }
  if (!flags.group) ctx.out(`\n── 网页周报的全文（消息里的链接打开的页面）\n${built.detailParts.join('\n\n')}`);
  if (typeof flags.chart === 'string') {
    // The picture the group robot gets, to look at before it is sent.
    const image = messages.find((m) => m.msgtype === 'image');
    if (!image) {
      ctx.out(built.empty ? '这一周没有数据，群里只收到一条简短通知，没有图表。' : '图表画不出来（见日志），群里只收到文字。');
    } else {
      const png = Buffer.from(image.image.base64, 'base64');
      await writeFile(flags.chart, png);
      ctx.out(`群图表已写入 ${flags.chart}（${png.readUInt32BE(16)}×${png.readUInt32BE(20)}，${Math.round(png.length / 1024)} KB）`);
    }
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
  const reminders = await buildReminders(store, plans, ctx.clock.now(), { webBaseUrl: pagesBaseUrl(ctx.config) });
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
      store, clock: ctx.clock, logger: ctx.logger, workerId, digestMentions: ctx.config.digestMentions, hasGroupRobot: !!wecom.webhookKey, webBaseUrl: pagesBaseUrl(ctx.config),
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
