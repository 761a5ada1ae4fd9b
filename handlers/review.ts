// 销号 review, admins only: 审核通过 closes a department's 完成 (已销号); 退回 sends it back with a reason and
// tells the department's liaisons; 重新打开 reopens a 已销号 part with a reason. Which of these may happen now is the
// lifecycle's guard (domain/lifecycle.ts); decisions are appended (never rewritten) and every one is audited.
import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { formatLocal } from '../src/domain/period.ts';
import { guard, STAGE_LABEL, TRANSITIONS, type Stage } from '../src/domain/lifecycle.ts';
import { memberNames, recordOnce, taskAuditTarget } from '../src/store/audit.ts';
import { actorName, unitNote } from '../src/domain/audit-sentence.ts';
import { claimNoticeSlot } from '../src/store/chases.ts';
import { activePlans } from '../src/store/plans.ts';
import { appendDecision, decisionOfMessage } from '../src/store/reviews.ts';
import type { ReviewDoc } from '../src/store/loop-models.ts';
import type { PlanDoc, TaskDoc } from '../src/store/models.ts';
import { onlyFittingUnit } from './lib/unit-choice.ts';
import { heldLines } from './chase.ts';
import { liaisonsOf } from '../src/store/task-assignments.ts';
import { isResponsible } from '../src/store/task-queries.ts';
import { pendingReviews, standingOf, stageOnly, type Standing } from '../src/standing/index.ts';
import { codeLabel, requireActivePlans, requireTask } from './lib/tasks.ts';

export const MAX_REASON_CHARS = 200;

type Decision = ReviewDoc['decision'];
const TRANSITION_OF = { approved: 'approve', returned: 'return', reopened: 'reopen' } as const;

async function decide(ctx: CommandContext, args: ArgValues, decision: Decision) {
  const command = TRANSITIONS[TRANSITION_OF[decision]].label;
  const named = (args['部门'] as string | undefined) ?? null;
  const reason = ((args['原因'] as string | undefined) ?? '').trim();
  const { plan, task } = await requireTask(ctx, args, { retry: (code) => [command, code, named, reason].filter(Boolean).join(' ') });
  const label = codeLabel(plan, task, await activePlans(ctx.store));
  const department = named ?? (await unitWithoutName(ctx, plan, task, label, decision, command, reason));
  if (!isResponsible(task, department)) {
    throw new BotError('not_responsible', `${department}不负责任务 ${label}（责任部门：${task.departments.join('、')}），未做修改。`);
  }
  if (decision !== 'approved' && !reason) {
    throw new BotError('reason_required', `请写明${command}原因，例如：\n${command} ${label} ${department} ${decision === 'returned' ? '缺少佐证材料' : '需补充新的佐证'}`);
  }
  if ([...reason].length > MAX_REASON_CHARS) {
    throw new BotError('reason_too_long', `原因太长（${[...reason].length} 字），请控制在 ${MAX_REASON_CHARS} 字以内，未做修改。`);
  }
  // The same message again (its first run crashed after the decision): finish what it started, decide nothing new.
  const earlier = await decisionOfMessage(ctx.store, ctx.inbound.msgId, task._id, department);
  if (earlier) return announce(ctx, task, label, department, earlier, earlier.decision === 'approved' ? STAGE_LABEL.pending_review : null);
  const state = await standingOf(ctx.store, plan, task, department, ctx.clock.now());
  if (decision === 'approved' && state.stage === 'closed') return `${department}的任务 ${label} 已销号，未做修改。\n查看：任务 ${label}`;
  const refused = guard(state, { kind: TRANSITION_OF[decision] });
  if (refused) throw new BotError('not_pending', refusal(label, department, state, command));
  const { decision: stored } = await appendDecision(ctx.store, {
    task, department, decision, reason, actor: ctx.sender.userid, at: ctx.clock.now(), sourceMsgId: ctx.inbound.msgId,
  });
  return announce(ctx, task, label, department, stored, STAGE_LABEL[state.stage]);
}

/**
 * What follows a decision: its audit entry and, for a 退回, the liaisons' notice. Safe to run again for the same
 * decision: the audit entry is written once (looked up by the decision's moment) and the notices carry its key.
 */
async function announce(ctx: CommandContext, task: TaskDoc, label: string, department: string, stored: ReviewDoc, before: string | null) {
  const { decision, reason } = stored;
  const action = decision === 'approved' ? 'task.review.approve' : decision === 'returned' ? 'task.review.return' : 'task.reopen';
  await recordOnce(ctx.store, {
    at: stored.at, actor: stored.actor, action, ...taskAuditTarget(task),
    before: before ?? STAGE_LABEL.pending_review, after: decision === 'approved' ? STAGE_LABEL.closed : STAGE_LABEL.returned,
    note: unitNote(department, reason),
  });
  if (decision === 'approved') return confirmation(label, department, decision, reason, [], null);

  const now = ctx.clock.now();
  const userids = (await liaisonsOf(ctx.store, [department])).filter((u) => u !== stored.actor).sort();
  const known = await memberNames(ctx.store, [stored.actor]);
  const actor = ctx.sender.userid === stored.actor ? ctx.sender.member?.name || stored.actor : actorName(stored.actor, { member: (id) => known.get(id) });
  const text = ctx.render('return-notice', { code: label, title: task.title, department, reason, actor, reopened: decision === 'reopened' });
  const names = await memberNames(ctx.store, userids);
  const held: Array<{ name: string; at: Date }> = [];
  const sentNow: string[] = [];
  for (const userid of userids) {
    const slot = await claimNoticeSlot(ctx.store, 'review-return', userid, now);
    if (slot.today) sentNow.push(names.get(userid) ?? userid);
    else held.push({ name: names.get(userid) ?? userid, at: slot.at });
    await ctx.notifier.notifyUsers(`review-return:${stored._id}:${userid}`, [userid], text, slot.today ? undefined : { notBefore: slot.at });
  }
  return confirmation(label, department, decision, reason, sentNow, held);
}

/** No 部门 typed: the only unit waiting for this decision (待审核 for 审核通过 / 退回, 已销号 for 重新打开). */
async function unitWithoutName(ctx: CommandContext, plan: PlanDoc, task: TaskDoc, label: string, decision: Decision, command: string, reason: string): Promise<string> {
  // The same message again after a crash midway: the unit it decided on, though it waits no more.
  for (const d of task.departments) if (await decisionOfMessage(ctx.store, ctx.inbound.msgId, task._id, d)) return d;
  const wanted: Stage = decision === 'reopened' ? 'closed' : 'pending_review';
  const what = decision === 'reopened' ? '已销号' : '待审核';
  return onlyFittingUnit(ctx, plan, task, {
    fits: (s) => s.stage === wanted,
    command: (d) => [command, label, d, reason || (decision === 'approved' ? '' : '原因')].filter(Boolean).join(' '),
    what: `任务 ${label} ${what}的`,
    none: `任务 ${label} 没有${what}的部门，未做修改。\n查看：任务 ${label}`,
  });
}

function refusal(label: string, department: string, state: Standing, command: string): string {
  const now = state.stage === 'not_started' || state.stage === 'in_progress' || state.stage === 'blocked'
    ? (state.latest ? `尚未完成（最新：${stageOnly(state)}）` : '尚未汇报')
    : stageOnly(state);
  const next = nextStep(label, department, state.stage);
  return `${department}的任务 ${label} 当前${now}，不能${command}，未做修改。\n${next}`;
}

function nextStep(label: string, department: string, stage: Stage): string {
  if (stage === 'closed') return `要重新打开请用：重新打开 ${label} ${department} 原因`;
  if (stage === 'pending_review') return `审核请用：审核通过 ${label} ${department}，或：退回 ${label} ${department} 原因`;
  return `查看：任务 ${label}`;
}

function confirmation(label: string, department: string, decision: Decision, reason: string, sentNow: string[], held: Array<{ name: string; at: Date }> | null): string {
  if (decision === 'approved') return `已销号：${label} ${department}。\n查看：任务 ${label}`;
  const lines = [decision === 'returned' ? `已退回：${label} ${department}（${reason}），需重新汇报。` : `已重新打开：${label} ${department}（${reason}），需重新汇报。`];
  if (held !== null) {
    if (sentNow.length) lines.push(`已通知：${sentNow.join('、')}。`);
    lines.push(...heldLines(held, decision === 'returned' ? '退回' : '重新打开'));
    if (!sentNow.length && !held.length) lines.push(`${department}没有绑定联络员，未能通知；请先：绑定 账号 ${department}`);
  }
  lines.push(`查看：任务 ${label}`);
  return lines.join('\n');
}

export const approve: CommandSpec = {
  name: '审核通过',
  aliases: ['销号'],
  summary: '审核部门的“完成”，通过后该部门的任务销号',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }],
  example: '审核通过 7.5 经贸办',
  access: 'admin',
  run: (ctx, args) => decide(ctx, args, 'approved'),
};

export const sendBack: CommandSpec = {
  name: '退回',
  aliases: ['审核退回', '不通过'],
  summary: '把部门的“完成”退回推进中，写明原因并通知联络员',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }, { name: '原因', kind: 'text' }],
  example: '退回 7.1 经贸办 缺少佐证材料',
  access: 'admin',
  run: (ctx, args) => decide(ctx, args, 'returned'),
};

export const reopen: CommandSpec = {
  name: '重新打开',
  aliases: ['撤销销号', '重开'],
  summary: '把已销号的任务重新打开，写明原因并通知联络员',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }, { name: '原因', kind: 'text' }],
  example: '重新打开 7.5 经贸办 上级检查发现资料不全',
  access: 'admin',
  run: (ctx, args) => decide(ctx, args, 'reopened'),
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
