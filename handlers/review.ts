// 销号 review, admins only: 审核通过 closes a department's 完成 (已销号); 退回 sends it back with a reason and
// tells the department's liaisons; 重新打开 reopens a 已销号 part with a reason. Which of these may happen now is the
// lifecycle's guard (domain/lifecycle.ts); decisions are appended (never rewritten) and every one is audited.
import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { TRANSITIONS } from '../src/domain/lifecycle.ts';
import { activePlans } from '../src/store/plans.ts';
import { decideReview, type Decision } from '../src/review/decide.ts';
import type { Stage } from '../src/domain/lifecycle.ts';
import type { PlanDoc, TaskDoc } from '../src/store/models.ts';
import { decisionOfMessage } from '../src/store/reviews.ts';
import { onlyFittingUnit } from './lib/unit-choice.ts';
import { pendingReviews } from '../src/standing/index.ts';
import { codeLabel, requireActivePlans, requireTask } from './lib/tasks.ts';

export { MAX_REASON_CHARS } from '../src/review/decide.ts';

const TRANSITION_OF = { approved: 'approve', returned: 'return', reopened: 'reopen' } as const;

/** The chat side of a decision: the task named by its code, then the one shared action (src/review/decide.ts). */
async function decide(ctx: CommandContext, args: ArgValues, decision: Decision) {
  const command = TRANSITIONS[TRANSITION_OF[decision]].label;
  const named = (args['部门'] as string | undefined) ?? null;
  const reason = ((args['原因'] as string | undefined) ?? '').trim();
  const { plan, task } = await requireTask(ctx, args, { retry: (code) => [command, code, named, reason].filter(Boolean).join(' ') });
  const label = codeLabel(plan, task, await activePlans(ctx.store));
  const department = named ?? (await unitWithoutName(ctx, plan, task, label, decision, command, reason));
  const outcome = await decideReview(ctx, { actor: ctx.sender, plan, task, label, department, decision, reason, sourceKey: ctx.inbound.msgId });
  if (!outcome.ok && outcome.code !== 'already_closed') throw new BotError(outcome.code, outcome.text);
  return outcome.text;
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
