// What 发送周报 / 发送提醒 and the CLI call: run a job now for its current period, once unless forced.
import type { JobRunner } from '../bot/types.ts';
import { formatLocal, previousWeekKey, weekKey } from '../domain/period.ts';
import type { JobName } from '../domain/schedule.ts';
import { activePlans } from '../store/plans.ts';
import { buildDigest } from './digest.ts';
import { runJob, type JobDeps, type JobOutcome } from './run-job.ts';

/** The reminder is about this week; the digest about the week that has just ended. */
export function currentPeriod(job: JobName, now: Date): string {
  return job === 'reminder' ? weekKey(now) : previousWeekKey(now);
}

const LABEL: Record<JobName, string> = { reminder: '提醒', digest: '周报' };
const COMMAND: Record<JobName, string> = { reminder: '发送提醒', digest: '发送周报' };

export function describeOutcome(job: JobName, period: string, o: JobOutcome): string {
  switch (o.status) {
    case 'done':
      return o.messages === 0
        ? `${period} 的${LABEL[job]}已处理：没有需要发送的人（都已汇报）。`
        : `${period} 的${LABEL[job]}已排队发送：${o.messages} 条消息，${o.recipients} 个接收方${o.resumed ? '（接续上次中断的发送）' : ''}。`;
    case 'already':
      return `${period} 的${LABEL[job]}已于 ${formatLocal(o.finishedAt)} 发送过，本次未重复发送。\n确需再发一次请用：${COMMAND[job]} 重发`;
    case 'busy':
      return `${period} 的${LABEL[job]}正在发送中（${formatLocal(o.claimedAt)} 开始），请稍后再查看。`;
    case 'no_plan':
      return '还没有导入工作方案，无法生成。';
  }
}

export function createJobRunner(deps: JobDeps): JobRunner {
  return {
    async run(job, opts) {
      const period = currentPeriod(job, deps.clock.now());
      const outcome = await runJob(deps, job, period, {
        actor: opts.actor,
        // A forced run gets its own key, so it sends again, but once: a retried message reuses the key.
        forceKey: opts.force ? opts.forceKey ?? String(deps.clock.now().getTime()) : undefined,
      });
      return describeOutcome(job, period, outcome);
    },
    async previewDigest() {
      const period = currentPeriod('digest', deps.clock.now());
      const plans = await activePlans(deps.store);
      if (plans.length === 0) return [describeOutcome('digest', period, { status: 'no_plan', runKey: '' })];
      // Built as the job builds it; the leaders' text is the group's markdown without the markup.
      const built = await buildDigest(deps.store, plans, period, deps.clock.now(), { mentions: deps.digestMentions, webBaseUrl: deps.webBaseUrl });
      const chart = built.empty ? '不带图表（这一周没有数据）' : '随后一张各部门汇报率图表';
      return [[
        `【预览】${period} 的周报，尚未发送。领导收到下面这条；${deps.hasGroupRobot ? `党政办群收到同样内容（Markdown），${chart}` : '未配置群机器人，群里不发'}：`,
        ...built.leaderParts,
        '确认无误后发送：发送周报',
      ].join('\n\n')];
    },
  };
}
