import type { CommandSpec } from '../src/bot/command-spec.ts';
import { describeProgress } from '../src/domain/progress.ts';
import { LIGHT_ICON, statusLight } from '../src/domain/status-light.ts';
import { formatLocal } from '../src/domain/period.ts';
import type { PlanDoc, TaskDoc } from '../src/store/models.ts';
import { progressId, progressOf } from '../src/store/progress-cache.ts';
import { activeTasks, isNamedResponsible } from '../src/store/task-queries.ts';
import { codeLabel, requireActivePlans } from './lib/tasks.ts';

export const myTasks: CommandSpec = {
  name: '我的任务',
  aliases: ['任务列表', '我的', 'mytasks', 'tasks'],
  summary: '我所在部门的任务、状态灯和最近汇报（按方案分组）',
  args: [],
  example: '我的任务',
  access: 'member',
  async run(ctx) {
    const plans = await requireActivePlans(ctx);
    const depts = ctx.sender.departments;
    if (depts.length === 0) {
      return '你没有绑定部门，没有需要汇报的任务。\n查看全局进展：总览';
    }
    const now = ctx.clock.now();
    const groups = [];
    for (const plan of plans) {
      const tasks = await activeTasks(ctx.store, plan._id);
      const named = tasks.filter((t) => depts.some((d) => isNamedResponsible(t, d)));
      const collective = tasks.filter((t) => t.collective && !named.includes(t));
      const cells = [
        ...named.flatMap((t) => depts.filter((d) => isNamedResponsible(t, d)).map((d) => ({ taskId: t._id, department: d }))),
        ...collective.map((t) => ({ taskId: t._id, department: depts[0]! })),
      ];
      const progress = await progressOf(ctx.store, cells);
      const row = (t: TaskDoc, dept: string) => {
        const r = progress.get(progressId(t._id, dept))?.[0] ?? null;
        const light = statusLight({ now, since: t.createdAt ?? now, latest: r, deadline: t.deadline, planStart: plan.date });
        return {
          code: codeLabel(plan, t, plans),
          title: t.title,
          icon: LIGHT_ICON[light],
          dept: depts.length > 1 ? dept : null,
          last: r ? `${describeProgress(r)}（${formatLocal(r.at, 'M月D日')}）` : '尚未汇报',
        };
      };
      const rows = named.flatMap((t) => depts.filter((d) => isNamedResponsible(t, d)).map((d) => row(t, d)));
      const collectiveRows = collective.map((t) => row(t, depts[0]!));
      if (rows.length || collectiveRows.length || plans.length === 1) groups.push({ plan: planHeading(plan, plans), rows, collectiveRows });
    }
    const first = groups.flatMap((g) => [...g.rows, ...g.collectiveRows])[0];
    const total = groups.reduce((n, g) => n + g.rows.length, 0);
    return { template: 'my-tasks', view: { depts, groups, total, example: first?.code ?? null } };
  },
};

/** A group heading only when several plans are active: "【政务公开】2021年政务公开工作实施方案". */
export function planHeading(plan: PlanDoc, plans: readonly PlanDoc[]): string | null {
  return plans.length > 1 ? `【${plan.name}】${plan.title}` : null;
}
