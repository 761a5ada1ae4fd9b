// 销号 review, admins only: 审核通过 closes a department's 完成 (已销号); 退回 sends it back with a reason and
// tells the department's liaisons. Decisions are appended (never rewritten) and every one is audited.
import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { formatLocal } from '../src/domain/period.ts';
import { describeProgress } from '../src/domain/progress.ts';
import { REVIEW_LABEL } from '../src/domain/review.ts';
import { taskAuditTarget } from '../src/store/audit.ts';
import { claimNoticeSlot } from '../src/store/chases.ts';
import { activePlans } from '../src/store/plans.ts';
import { appendDecision, decisionOfMessage } from '../src/store/reviews.ts';
import type { ReviewDoc } from '../src/store/loop-models.ts';
import type { TaskDoc } from '../src/store/models.ts';
import { liaisonsOf } from '../src/store/task-assignments.ts';
import { isResponsible } from '../src/store/task-queries.ts';
import { cellStates } from './lib/cell-state.ts';
import { codeLabel, requireActivePlans, requireTask } from './lib/tasks.ts';
import { pendingReviews } from '../src/store/pending-reviews.ts';

export const MAX_REASON_CHARS = 200;

async function decide(ctx: CommandContext, args: ArgValues, decision: 'approved' | 'returned') {
  const command = decision === 'approved' ? '审核通过' : '退回';
  const department = args['部门'] as string;
  const reason = ((args['原因'] as string | undefined) ?? '').trim();
  const { plan, task } = await requireTask(ctx, args, { retry: (code) => [command, code, department, reason].filter(Boolean).join(' ') });
  const label = codeLabel(plan, task, await activePlans(ctx.store));
  if (!isResponsible(task, department)) {
    throw new BotError('not_responsible', `${department}不负责任务 ${label}（责任部门：${task.departments.join('、')}），未做修改。`);
  }
  if (decision === 'returned' && !reason) {
    throw new BotError('reason_required', `请写明退回原因，例如：\n退回 ${label} ${department} 缺少佐证材料`);
  }
  if ([...reason].length > MAX_REASON_CHARS) {
    throw new BotError('reason_too_long', `原因太长（${[...reason].length} 字），请控制在 ${MAX_REASON_CHARS} 字以内，未做修改。`);
  }
  // The same message again (its first run crashed after the decision): finish what it started, decide nothing new.
  const earlier = await decisionOfMessage(ctx.store, ctx.inbound.msgId, task._id, department);
  if (earlier) return announce(ctx, task, label, department, earlier, earlier.decision === 'approved' ? REVIEW_LABEL.pending : null);
  const state = (await cellStates(ctx.store, task, [department])).get(department)!;
  const now = ctx.clock.now();
  const { state: current } = state.review;
  if (decision === 'approved' && current === 'closed') return `${department}的任务 ${label} 已销号，未做修改。\n查看：任务 ${label}`;
  if (decision === 'approved' && current !== 'pending') {
    throw new BotError('not_pending', refusal(label, department, current, state.latest ? describeProgress(state.latest) : null, '审核通过'));
  }
  if (decision === 'returned' && current !== 'pending' && current !== 'closed') {
    throw new BotError('not_pending', refusal(label, department, current, state.latest ? describeProgress(state.latest) : null, '退回'));
  }
  const { decision: stored } = await appendDecision(ctx.store, {
    task, department, decision, reason, actor: ctx.sender.userid, at: now, sourceMsgId: ctx.inbound.msgId,
  });
  return announce(ctx, task, label, department, stored, REVIEW_LABEL[current]);
}

/**
 * What follows a decision: its audit entry and, for a 退回, the liaisons' notice. Safe to run again for the same
 * decision: the audit entry is written once (looked up by the decision's moment) and the notices carry its key.
 */
async function announce(ctx: CommandContext, task: TaskDoc, label: string, department: string, stored: ReviewDoc, before: string | null) {
  const { decision, reason } = stored;
  const action = decision === 'approved' ? 'task.review.approve' : 'task.review.return';
  const target = taskAuditTarget(task);
  if ((await ctx.store.models.Audit.countDocuments({ action, ...target, at: stored.at, actor: stored.actor })) === 0) {
    await ctx.store.models.Audit.create({
      at: stored.at, actor: stored.actor, action, ...target,
      before: before ?? REVIEW_LABEL.pending, after: decision === 'approved' ? REVIEW_LABEL.closed : REVIEW_LABEL.returned,
      note: [department, reason].filter(Boolean).join('：'),
    });
  }
  if (decision === 'approved') return confirmation(label, department, decision, reason, 0, null);

  const now = ctx.clock.now();
  const userids = (await liaisonsOf(ctx.store, [department])).filter((u) => u !== stored.actor).sort();
  const actor = ctx.sender.userid === stored.actor ? ctx.sender.member?.name || stored.actor : stored.actor;
  const text = ctx.render('return-notice', { code: label, title: task.title, department, reason, actor });
  const held: string[] = [];
  for (const userid of userids) {
    const slot = await claimNoticeSlot(ctx.store, 'review-return', userid, now);
    if (!slot.today) held.push(`${userid}（${formatLocal(slot.at, 'M月D日 HH:mm')}）`);
    await ctx.notifier.notifyUsers(`review-return:${stored._id}:${userid}`, [userid], text, slot.today ? undefined : { notBefore: slot.at });
  }
  return confirmation(label, department, decision, reason, userids.length, held);
}

function refusal(label: string, department: string, state: keyof typeof REVIEW_LABEL, latest: string | null, command: string): string {
  const now = state === 'open' ? (latest ? `尚未完成（最新：${latest}）` : '尚未汇报') : REVIEW_LABEL[state];
  const next = state === 'closed' ? `要撤销销号请用：退回 ${label} ${department} 原因` : `查看：任务 ${label}`;
  return `${department}的任务 ${label} 当前${now}，不能${command}，未做修改。\n${next}`;
}

function confirmation(label: string, department: string, decision: 'approved' | 'returned', reason: string, notified: number, held: string[] | null): string {
  if (decision === 'approved') return `已销号：${label} ${department}。\n查看：任务 ${label}`;
  const lines = [`已退回：${label} ${department}（${reason}），状态回到推进中。`];
  if (held !== null) {
    lines.push(notified ? `已通知该部门 ${notified} 人。` : `${department}没有绑定联络员，未能通知；请先：绑定 账号 ${department}`);
    if (held.length) lines.push(`其中今天已收到过退回通知的，顺延至：${held.join('、')}`);
  }
  lines.push(`查看：任务 ${label}`);
  return lines.join('\n');
}

export const approve: CommandSpec = {
  name: '审核通过',
  aliases: ['销号'],
  summary: '审核部门的“完成”，通过后该部门的任务销号',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department' }],
  example: '审核通过 7.5 经贸办',
  access: 'admin',
  run: (ctx, args) => decide(ctx, args, 'approved'),
};

export const sendBack: CommandSpec = {
  name: '退回',
  aliases: ['审核退回', '不通过'],
  summary: '把部门的“完成”退回推进中，写明原因并通知联络员',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department' }, { name: '原因', kind: 'text' }],
  example: '退回 7.1 经贸办 缺少佐证材料',
  access: 'admin',
  run: (ctx, args) => decide(ctx, args, 'returned'),
};

export const pendingReview: CommandSpec = {
  name: '待审核',
  aliases: ['待销号', '审核列表'],
  summary: '列出报了完成、等待审核销号的任务',
  args: [],
  example: '待审核',
  access: 'admin',
  async run(ctx) {
    const plans = await requireActivePlans(ctx);
    const items = await pendingReviews(ctx.store, plans, ctx.clock.now());
    if (items.length === 0) return '没有待审核的任务。';
    return ctx.render('review-notice', { items, older: 0, example: items[0]!, listing: true });
  },
};
