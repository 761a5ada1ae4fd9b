import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { describeProgress, type Progress } from '../src/domain/progress.ts';
import { appendReport } from '../src/store/reports.ts';
import { chooseDepartment, codeLabel, requireTask } from './lib/tasks.ts';
import { activePlans } from '../src/store/plans.ts';
import { appendDecision } from '../src/store/reviews.ts';
import { guard } from '../src/domain/lifecycle.ts';
import { formatLocal } from '../src/domain/period.ts';
import { taskPageUrl } from '../src/web/links.ts';
import { lifecycleStateOf, ownItems } from '../src/standing/index.ts';
import { pickPrompt, startState } from '../src/bot/conversation.ts';

/** The guided 汇报: `汇报` alone lists the sender's owed items, numbered; the conversation takes it from there. */
async function startGuidedReport(ctx: CommandContext) {
  if (ctx.sender.departments.length === 0) return '你没有绑定部门，没有需要汇报的任务。';
  const now = ctx.clock.now();
  const owed = (await ownItems(ctx.store, ctx.sender.departments, now)).filter((i) => i.standing.owes);
  if (owed.length === 0) return `${ctx.sender.departments.join('、')}本周的汇报都已完成，辛苦了！\n要再汇报某项：${report.example}`;
  // A phone screen's worth: the rest stay in 待汇报 and can be reported by command.
  const items = owed.slice(0, 20).map((i) => ({ label: i.label, department: i.standing.department, title: i.standing.task.title }));
  await startState(ctx.store, ctx.sender.userid, { kind: 'report.pick', items }, now);
  const more = owed.length > items.length ? `\n（另有 ${owed.length - items.length} 项，发送“待汇报”查看）` : '';
  return pickPrompt(items, ctx.sender.departments.length > 1) + more;
}

export const MAX_NOTE_CHARS = 500;

/** Shared by 汇报 and its shortcut 完成. */
export async function recordReport(ctx: CommandContext, args: ArgValues, named: string | null, progress: Progress, note: string, commandName: string) {
  const typed = commandName === '完成' ? '' : progressWord(progress);
  const { plan, task } = await requireTask(ctx, args, {
    keyword: note || null,
    retry: (code) => [commandName, code, named, typed, note].filter(Boolean).join(' '),
  });
  const label = codeLabel(plan, task, await activePlans(ctx.store));
  const department = chooseDepartment(ctx, task, named, (d) => [commandName, label, d, typed].filter(Boolean).join(' '));
  if (progress.status === 'blocked' && !note) {
    throw new BotError('reason_required', `请写明受阻原因，例如：\n汇报 ${task.code} 受阻 资金未到位`);
  }
  if ([...note].length > MAX_NOTE_CHARS) {
    throw new BotError('note_too_long', `说明太长（${[...note].length} 字），请控制在 ${MAX_NOTE_CHARS} 字以内，未记录。`);
  }
  // The lifecycle decides whether a report may change this part now: never silently over a 完成 or a 销号.
  const state = await lifecycleStateOf(ctx.store, task, department);
  const refused = guard(state, { kind: 'report', status: progress.status });
  if (refused?.code === 'closed') {
    const when = state.since ? `（${formatLocal(state.since, 'M月D日')}）` : '';
    throw new BotError('closed', `${department}的任务 ${label} 已审核通过、已销号${when}，未记录。\n如需重新打开，请管理员发送：重新打开 ${label} ${department} 原因`);
  }
  if (refused?.code === 'pending_review') {
    throw new BotError('pending_review', [
      `${department}的任务 ${label} 已报完成，正在等待审核，未记录。`,
      `补充说明或佐证请发：完成 ${label} 说明（仍待审核）`,
      `要撤回“完成”，请管理员发送：退回 ${label} ${department} 原因`,
    ].join('\n'));
  }
  const { report, created } = await appendReport(ctx.store, {
    task, department, userid: ctx.sender.userid, at: ctx.inbound.at, status: progress.status,
    percent: progress.percent, note, sourceMsgId: ctx.inbound.msgId, seq: ctx.inbound.seq,
  });
  const done = report.status === 'done';
  if (done && ctx.reviewRequired === false) {
    // Review is off: the department's word closes it, recorded as the system's approval so the state reads the same.
    await appendDecision(ctx.store, {
      task, department, decision: 'approved', reason: '', actor: 'system:auto', at: report.at, sourceMsgId: report._id,
    });
  }
  return {
    template: 'report-recorded',
    view: {
      code: label, title: task.title, department, progress: describeProgress(report),
      note: report.note, duplicate: !created, done, review: done ? (ctx.reviewRequired === false ? 'closed' : 'pending') : null,
      link: ctx.webBaseUrl ? taskPageUrl(ctx.webBaseUrl, plan, task.code) : null,
    },
  };
}

/** The progress as the user would type it again: "60%", or the status word. */
function progressWord(progress: Progress): string {
  return progress.status === 'in_progress' && progress.percent !== null ? `${progress.percent}%` : describeProgress(progress);
}

export const report: CommandSpec = {
  name: '汇报',
  aliases: ['报告', '上报', '进度', 'report'],
  summary: '汇报任务进度（百分比或 已完成/推进中/受阻/未启动）',
  args: [
    { name: '编号', kind: 'taskCode' },
    { name: '部门', kind: 'department', optional: true },
    { name: '进度', kind: 'progress' },
    { name: '说明', kind: 'text', optional: true },
  ],
  example: '汇报 7.5 60% 已完成电商培训两期',
  access: 'member',
  forUnits: true,
  run: (ctx, args: ArgValues) =>
    recordReport(ctx, args, (args['部门'] as string) ?? null, args['进度'] as Progress, (args['说明'] as string) ?? '', '汇报'),
  bare: startGuidedReport,
};

export const complete: CommandSpec = {
  name: '完成',
  aliases: ['已完成', 'done'],
  summary: '把任务标记为已完成',
  args: [
    { name: '编号', kind: 'taskCode' },
    { name: '部门', kind: 'department', optional: true },
    { name: '说明', kind: 'text', optional: true },
  ],
  example: '完成 7.5 已全部落实',
  access: 'member',
  forUnits: true,
  run: (ctx, args) =>
    recordReport(ctx, args, (args['部门'] as string) ?? null, { status: 'done', percent: 100 }, (args['说明'] as string) ?? '', '完成'),
};
