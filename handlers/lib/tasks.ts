// Shared lookups for handlers: the active plans, a task by (optionally plan-qualified) code, with suggestions
// when it is wrong and the exact commands to type when it is ambiguous.
import { canReport } from '../../src/access.ts';
import type { ArgValues, CommandContext } from '../../src/bot/command-spec.ts';
import { BotError } from '../../src/bot/errors.ts';
import { PLAN_QUALIFIER } from '../../src/bot/parse-command.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import { activePlans, allPlans, matchPlans } from '../../src/store/plans.ts';
import { activeTasks, findTask, isResponsible, suggestTasks } from '../../src/store/task-queries.ts';

export interface PlanTask {
  plan: PlanDoc;
  task: TaskDoc;
}

// Said to people on phones: the 方案 page imports a plan; the shell commands are for whoever runs the service (README).
const NO_PLAN = '还没有导入工作方案。请管理员在网页的“方案”页上传方案文件。';

/** The plans the bot works on now; an error the user can act on when there are none. */
export async function requireActivePlans(ctx: CommandContext): Promise<PlanDoc[]> {
  const plans = await activePlans(ctx.store);
  if (plans.length > 0) return plans;
  if ((await allPlans(ctx.store)).length === 0) throw new BotError('no_plan', NO_PLAN);
  throw new BotError('no_active_plan', '所有方案都已归档，没有进行中的任务。管理员可发送“方案”查看。');
}

import { codeLabel } from '../../src/review/decide.ts';

export { codeLabel };

/**
 * The task a command names. A qualified code ("安全生产1.2") looks in that plan, archived ones included; an
 * unqualified one in the active plans. When several active plans have the code, those the sender is responsible
 * for decide; if that still leaves more than one, nothing is done and the reply gives the exact commands.
 * `retry(code)` writes the command again with a qualified code.
 */
export async function requireTask(
  ctx: CommandContext,
  args: ArgValues,
  opts: { keyword?: string | null; retry: (qualifiedCode: string) => string },
): Promise<PlanTask> {
  const code = args['编号'] as string;
  const qualifier = (args[PLAN_QUALIFIER] as string | undefined) ?? null;
  if (qualifier !== null) return requireQualifiedTask(ctx, qualifier, code, opts.keyword ?? null);

  const plans = await requireActivePlans(ctx);
  const found: PlanTask[] = [];
  for (const plan of plans) {
    const task = await findTask(ctx.store, plan._id, code);
    if (task) found.push({ plan, task });
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw await unknownTask(ctx, plans, code, opts.keyword ?? null);
  const mine = found.filter(({ task }) => ctx.sender.departments.some((d) => isResponsible(task, d)));
  if (mine.length === 1) return mine[0]!;
  const choices = mine.length > 1 ? mine : found;
  throw new BotError(
    'ambiguous_task',
    [
      `编号 ${code} 在 ${choices.length} 个方案中都有：${choices.map(({ plan }) => `${plan.name}（${plan.title}）`).join('、')}。未做任何记录。`,
      '请带上方案简称再发一次：',
      ...choices.map(({ plan }) => opts.retry(`${plan.name}${code}`)),
    ].join('\n'),
  );
}

async function requireQualifiedTask(ctx: CommandContext, qualifier: string, code: string, keyword: string | null): Promise<PlanTask> {
  const plans = await matchPlans(ctx.store, qualifier);
  if (plans.length === 0) {
    const all = await allPlans(ctx.store);
    if (all.length === 0) throw new BotError('no_plan', NO_PLAN);
    throw new BotError('unknown_plan', `没有简称为“${qualifier}”的方案。现有方案：${all.map((p) => p.name).join('、')}。\n例如：任务 ${all[0]!.name}${code}`);
  }
  if (plans.length > 1) {
    throw new BotError('ambiguous_plan', `“${qualifier}”可指 ${plans.map((p) => p.name).join('、')}，请写完整的简称，例如：任务 ${plans[0]!.name}${code}`);
  }
  const plan = plans[0]!;
  const task = await findTask(ctx.store, plan._id, code);
  if (task) return { plan, task };
  throw await unknownTask(ctx, [plan], code, keyword, `${plan.name}中`);
}

async function unknownTask(ctx: CommandContext, plans: PlanDoc[], code: string, keyword: string | null, where = ''): Promise<BotError> {
  const all = await activePlans(ctx.store);
  const shown = plans.length > 1 || all.length > 1 ? [...new Set([...plans, ...all])] : plans;
  const candidates: PlanTask[] = [];
  for (const plan of plans) {
    for (const task of suggestTasks(await activeTasks(ctx.store, plan._id), code, keyword)) candidates.push({ plan, task });
  }
  const close = candidates.slice(0, 3);
  const lines = [`${where}没有编号为 ${code} 的任务。`];
  if (close.length) {
    lines.push('相近的任务：');
    for (const { plan, task } of close) lines.push(`${codeLabel(plan, task, shown)} ${task.title}`);
    lines.push(`查看：任务 ${codeLabel(close[0]!.plan, close[0]!.task, shown)}`);
  } else {
    lines.push('发送“我的任务”查看你的任务编号。');
  }
  return new BotError('unknown_task', lines.join('\n'));
}

/**
 * The department a member reports for: the one they named, else their only one responsible for the task,
 * else (collective tasks) their main one. Ambiguity is an error that lists the choices.
 */
export function chooseDepartment(ctx: CommandContext, task: TaskDoc, named: string | null, example: (dept: string) => string): string {
  const mine = ctx.sender.departments;
  if (named) {
    if (!isResponsible(task, named)) {
      throw new BotError('not_responsible', `${named}不负责任务 ${task.code}（责任部门：${task.departments.join('、')}），未记录。`);
    }
    if (!canReport(ctx.sender, named)) {
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
