// Admin commands that move responsibility for a task: 转办, 增派, 撤派.
import type { ArgValues, CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import type { TaskDoc } from '../src/store/models.ts';
import { expandCollectiveUnits, liaisonsOf, setTaskDepartments, type AssignmentChange } from '../src/store/task-assignments.ts';
import { requireTask } from './lib/tasks.ts';

/** The task, by a code qualified or not; an ambiguous one gives the command again with each plan's code. */
async function loadTask(ctx: CommandContext, args: ArgValues, command: string): Promise<TaskDoc> {
  const rest = [args['部门…'], args['部门']].flat().filter(Boolean).join(' ');
  return (await requireTask(ctx, args, { retry: (code) => `${command} ${code} ${rest}`.trim() })).task;
}

/** Tells the liaisons of every department the change touched, once per change. */
async function announce(ctx: CommandContext, task: TaskDoc, change: AssignmentChange): Promise<number> {
  const affected = [...change.added, ...change.removed];
  const userids = (await liaisonsOf(ctx.store, affected)).filter((u) => u !== ctx.sender.userid);
  if (userids.length === 0) return 0;
  const notice = ctx.render('assign-notice', { ...changeView(task, change), added: change.added.join('、'), removed: change.removed.join('、') });
  await ctx.notifier.notifyUsers(`assign:${change.auditId}`, userids, notice);
  return userids.length;
}

function changeView(task: TaskDoc, change: AssignmentChange) {
  return { code: task.code, title: task.title, before: change.before.join('、') || '（无）', after: change.after.join('、') || '（无）' };
}

function confirm(ctx: CommandContext, task: TaskDoc, change: AssignmentChange | null, notified: number): string {
  if (!change) return `任务 ${task.code} 的责任部门没有变化（${task.departments.join('、')}），未做修改。`;
  return ctx.render('assign-changed', { ...changeView(task, change), notified });
}

/** 镇直各部门 spelled out as the departments it stands for; a collective unit with no definite set is refused. */
async function spelledOut(ctx: CommandContext, code: string, typed: string[]): Promise<string[]> {
  const expansion = await expandCollectiveUnits(ctx.store, typed);
  if ('refused' in expansion) {
    throw new BotError('collective_unit', `“${expansion.refused}”没有确定的部门名单，未做修改。请写具体部门，例如：转办 ${code} 经贸办 村建办`);
  }
  return expansion.departments;
}

type Action = 'task.departments.transfer' | 'task.departments.add' | 'task.departments.remove';

/**
 * The one shape of all three commands: load the task, work out the new list (or a reason to change nothing),
 * write it with its audit entry, tell whoever is affected.
 */
async function reassign(ctx: CommandContext, args: ArgValues, command: string, action: Action, next: (task: TaskDoc) => string[] | string): Promise<string> {
  const task = await loadTask(ctx, args, command);
  const after = next(task);
  if (typeof after === 'string') return after;
  if (after.length === 0) {
    throw new BotError('last_department', `任务 ${task.code} 不能没有责任部门，未做修改。要换部门请用：转办 ${task.code} 新部门`);
  }
  const change = await setTaskDepartments(ctx.store, ctx.clock, ctx.sender.userid, task, after, action);
  return confirm(ctx, task, change, change ? await announce(ctx, task, change) : 0);
}

export const transfer: CommandSpec = {
  name: '转办',
  aliases: ['改派', '转交'],
  summary: '把任务改由这些部门负责（替换原责任部门）',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门…', kind: 'departments' }],
  example: '转办 7.5 经贸办 村建办',
  access: 'admin',
  run: async (ctx, args) => {
    const code = args['编号'] as string;
    const typed = args['部门…'] as string[];
    if (!typed?.length) throw new BotError('missing_department', `请写新的责任部门，例如：转办 ${code} 经贸办`);
    const after = await spelledOut(ctx, code, typed);
    return reassign(ctx, args, '转办', 'task.departments.transfer', () => after);
  },
};

export const addDepartment: CommandSpec = {
  name: '增派',
  aliases: ['加派'],
  summary: '给任务增加一个责任部门',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department' }],
  example: '增派 7.5 统计站',
  access: 'admin',
  run: async (ctx, args) => {
    const code = args['编号'] as string;
    const dept = args['部门'] as string;
    const added = await spelledOut(ctx, code, [dept]);
    return reassign(ctx, args, '增派', 'task.departments.add', (task) => {
      const fresh = added.filter((d) => !task.departments.includes(d));
      if (fresh.length === 0) return `${dept}已经是任务 ${task.code} 的责任部门，未做修改。`;
      return [...task.departments, ...fresh];
    });
  },
};

export const removeDepartment: CommandSpec = {
  name: '撤派',
  aliases: ['移除部门'],
  summary: '从任务的责任部门中去掉一个',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department' }],
  example: '撤派 7.5 统计站',
  access: 'admin',
  run: (ctx, args) =>
    reassign(ctx, args, '撤派', 'task.departments.remove', (task) => {
      const dept = args['部门'] as string;
      if (!task.departments.includes(dept)) return `${dept}不是任务 ${task.code} 的责任部门（${task.departments.join('、')}），未做修改。`;
      if (task.departments.length === 1) {
        throw new BotError('last_department', `${dept}是任务 ${task.code} 唯一的责任部门，不能撤掉。要换部门请用：转办 ${task.code} 新部门`);
      }
      return task.departments.filter((d) => d !== dept);
    }),
};
