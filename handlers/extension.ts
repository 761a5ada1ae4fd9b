// 延期: a liaison asks for a later deadline (延期), an admin or the leader in charge decides (同意延期 / 不同意延期).
// The rules and the writing are src/extensions/extensions.ts, shared with the pages and the cards.
import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { decideExtension, pendingExtensionsText, requestExtension } from '../src/extensions/extensions.ts';
import type { ExtensionVerdict } from '../src/store/extensions.ts';
import { activePlans } from '../src/store/plans.ts';
import { codeLabel, requireTask } from './lib/tasks.ts';

export const requestExtensionCommand: CommandSpec = {
  name: '延期',
  aliases: ['申请延期'],
  summary: '申请延长本部门任务的完成时限，写明新时限和原因，由管理员或分管领导审批',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }, { name: '新时限', kind: 'date' }, { name: '原因', kind: 'text' }],
  example: '延期 14 2026-12-31 需与法院协调',
  access: 'member',
  async run(ctx, args) {
    const department = (args['部门'] as string | undefined) ?? null;
    const date = args['新时限'] as string;
    const reason = ((args['原因'] as string | undefined) ?? '').trim();
    const { plan, task } = await requireTask(ctx, args, { retry: (code) => ['延期', code, department, date, reason].filter(Boolean).join(' ') });
    const label = codeLabel(plan, task, await activePlans(ctx.store));
    return requestExtension(ctx, { user: ctx.sender, plan, task, department, deadline: date, reason, sourceMsgId: ctx.inbound.msgId, label });
  },
};

async function decide(ctx: CommandContext, args: ArgValues, verdict: ExtensionVerdict) {
  const department = (args['部门'] as string | undefined) ?? null;
  const reason = ((args['原因'] as string | undefined) ?? '').trim();
  const command = verdict === 'approved' ? '同意延期' : '不同意延期';
  const { plan, task } = await requireTask(ctx, args, { retry: (code) => [command, code, department, reason].filter(Boolean).join(' ') });
  const label = codeLabel(plan, task, await activePlans(ctx.store));
  return decideExtension(ctx, { user: ctx.sender, plan, task, department, verdict, reason, label });
}

export const approveExtension: CommandSpec = {
  name: '同意延期',
  aliases: ['批准延期'],
  summary: '同意部门的延期申请，该部门的时限改为申请的日期（管理员，或分管该部门的领导）',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }],
  example: '同意延期 14 司法所',
  access: 'leader',
  run: (ctx, args) => decide(ctx, args, 'approved'),
};

export const refuseExtension: CommandSpec = {
  name: '不同意延期',
  aliases: ['驳回延期'],
  summary: '不同意部门的延期申请，写明原因并告知申请人（管理员，或分管该部门的领导）',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }, { name: '原因', kind: 'text' }],
  example: '不同意延期 14 司法所 请按原时限完成',
  access: 'leader',
  run: (ctx, args) => decide(ctx, args, 'refused'),
};

export const pendingExtensionList: CommandSpec = {
  name: '待批延期',
  aliases: ['延期列表', '待审批延期'],
  summary: '列出等待你审批的延期申请（管理员看全部，领导看分管的部门）',
  args: [],
  example: '待批延期',
  access: 'leader',
  run: (ctx) => pendingExtensionsText(ctx.store, ctx.sender),
};
