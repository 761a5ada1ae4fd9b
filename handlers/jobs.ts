// Admin commands that run the weekly jobs now: still once per period, unless 重发 is added.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';

function jobCommand(name: string, job: 'digest' | 'reminder', summary: string): CommandSpec {
  return {
    name,
    aliases: [],
    summary,
    args: [{ name: '重发', kind: 'text', optional: true }],
    example: name,
    access: 'admin',
    async run(ctx, args) {
      if (!ctx.jobs) throw new BotError('jobs_unavailable', '此环境未启用定时任务，未发送。');
      const extra = String(args['重发'] ?? '').trim();
      if (extra && extra !== '重发') throw new BotError('bad_args', `看不懂“${extra}”。要再发一次请用：${name} 重发`);
      return ctx.jobs.run(job, { force: extra === '重发', actor: ctx.sender.userid, forceKey: ctx.inbound.msgId ?? undefined });
    },
  };
}

export const sendDigest = jobCommand('发送周报', 'digest', '立即发送上周周报（每周只发一次，加“重发”可再发）');
export const sendReminder = jobCommand('发送提醒', 'reminder', '立即提醒本周欠报的联络员（每周只发一次，加“重发”可再发）');

export const previewDigest: CommandSpec = {
  name: '预览周报',
  aliases: ['周报预览'],
  summary: '先看“发送周报”会发出的内容（不发送）',
  args: [],
  example: '预览周报',
  access: 'admin',
  async run(ctx) {
    if (!ctx.jobs?.previewDigest) throw new BotError('jobs_unavailable', '此环境未启用定时任务，无法预览。');
    return ctx.jobs.previewDigest();
  },
};
