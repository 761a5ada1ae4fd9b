// Shared lookups for handlers: the current plan, a task by code (with suggestions when it is wrong).
import type { CommandContext } from '../../src/bot/command-spec.ts';
import { BotError } from '../../src/bot/errors.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import { activeTasks, currentPlan, findTask, isResponsible, suggestTasks } from '../../src/store/task-queries.ts';

export async function requirePlan(ctx: CommandContext): Promise<PlanDoc> {
  const plan = await currentPlan(ctx.store);
  if (!plan) throw new BotError('no_plan', '还没有导入工作方案。请管理员先导入：npm run -s cli -- plan import 文件');
  return plan;
}

export async function requireTask(ctx: CommandContext, plan: PlanDoc, code: string, keyword: string | null = null): Promise<TaskDoc> {
  const task = await findTask(ctx.store, plan._id, code);
  if (task) return task;
  const close = suggestTasks(await activeTasks(ctx.store, plan._id), code, keyword);
  const lines = [`没有编号为 ${code} 的任务。`];
  if (close.length) {
    lines.push('相近的任务：');
    for (const t of close) lines.push(`${t.code} ${t.title}`);
    lines.push(`查看：任务 ${close[0]!.code}`);
  } else {
    lines.push('发送“我的任务”查看你的任务编号。');
  }
  throw new BotError('unknown_task', lines.join('\n'));
}

/**
 * The department a member reports for: the one they named, else their only one responsible for the task,
 * else (collective tasks) their main one. Ambiguity is an error that lists the choices.
 */
export function chooseDepartment(ctx: CommandContext, task: TaskDoc, named: string | null, example: (dept: string) => string): string {
  const mine = ctx.sender.departments;
  const isAdmin = ctx.sender.roles.includes('admin');
  if (named) {
    if (!isResponsible(task, named)) {
      throw new BotError('not_responsible', `${named}不负责任务 ${task.code}（责任部门：${task.departments.join('、')}），未记录。`);
    }
    if (!mine.includes(named) && !isAdmin) {
      throw new BotError('forbidden_department', `你不属于${named}，不能替它汇报，未记录。`);
    }
    return named;
  }
  const candidates = task.collective ? mine : mine.filter((d) => task.departments.includes(d));
  if (candidates.length === 0) {
    throw new BotError(
      'not_responsible',
      `任务 ${task.code} 的责任部门是${task.departments.join('、')}，不含你的部门（${mine.join('、') || '无'}），未记录。\n发送“我的任务”查看你负责的任务。`,
    );
  }
  if (candidates.length === 1 || task.collective) return candidates[0]!;
  throw new BotError(
    'ambiguous_department',
    `你在${candidates.join('、')}都负责任务 ${task.code}，请指明部门，例如：\n${example(candidates[0]!)}`,
  );
}
