import type { CommandSpec } from '../src/bot/command-spec.ts';
import { weekBounds } from '../src/domain/period.ts';
import type { PlanDoc } from '../src/store/models.ts';
import { loadStandings, stageIcon, stageText, type Standing } from '../src/standing/index.ts';
import { codeLabel, requireActivePlans } from './lib/tasks.ts';
import { taskListUrl } from '../src/web/links.ts';

export const myTasks: CommandSpec = {
  name: '我的任务',
  aliases: ['任务列表', '我的', 'mytasks', 'tasks'],
  summary: '我所在部门的任务、状态灯和最近汇报（按方案分组）',
  args: [],
  example: '我的任务',
  access: 'member',
  forUnits: true,
  async run(ctx) {
    const plans = await requireActivePlans(ctx);
    const depts = ctx.sender.departments;
    if (depts.length === 0) {
      return '你没有绑定部门，没有需要汇报的任务。\n查看全局进展：总览';
    }
    const now = ctx.clock.now();
    const groups = [];
    for (const plan of plans) {
      const records = await loadStandings(ctx.store, plan, weekBounds(now), now, { departments: depts });
      const row = (c: Standing) => ({
        code: codeLabel(plan, c.task, plans),
        title: c.task.title,
        icon: stageIcon(c),
        dept: depts.length > 1 ? c.department : null,
        last: stageText(c) + (c.extension ? `，已延期至 ${c.extension.deadline}` : ''),
      });
      // Named tasks once per department of the member; a collective task (镇直各部门) once, under the first.
      const named = records.filter((c) => c.task.departments.includes(c.department));
      const namedTasks = new Set(named.map((c) => c.task.id));
      const collective = records.filter((c) => c.task.collective && !namedTasks.has(c.task.id) && c.department === depts.find((d) => records.some((x) => x.task.id === c.task.id && x.department === d)));
      const rows = named.map(row);
      const collectiveRows = collective.map(row);
      if (rows.length || collectiveRows.length || plans.length === 1) groups.push({ plan: planHeading(plan, plans), rows, collectiveRows });
    }
    const first = groups.flatMap((g) => [...g.rows, ...g.collectiveRows])[0];
    const total = groups.reduce((n, g) => n + g.rows.length, 0);
    const link = ctx.webBaseUrl ? taskListUrl(ctx.webBaseUrl, depts.length === 1 ? { dept: depts[0] } : {}) : null;
    return { template: 'my-tasks', view: { depts, groups, total, example: first?.code ?? null, link } };
  },
};

/** A group heading only when several plans are active: "【政务公开】2021年政务公开工作实施方案". */
export function planHeading(plan: PlanDoc, plans: readonly PlanDoc[]): string | null {
  return plans.length > 1 ? `【${plan.name}】${plan.title}` : null;
}
