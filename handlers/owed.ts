import type { CommandSpec } from '../src/bot/command-spec.ts';
import { weekBounds, weekKey } from '../src/domain/period.ts';
import { loadStandings, stageIcon, stageText } from '../src/standing/index.ts';
import { codeLabel, requireActivePlans } from './lib/tasks.ts';
import { planHeading } from './my-tasks.ts';
import { taskListUrl } from '../src/web/links.ts';

export const owed: CommandSpec = {
  name: '待汇报',
  aliases: ['待办', '欠报', '本周待汇报', 'todo'],
  summary: '我的部门本周还没汇报的任务（按方案分组）',
  args: [],
  example: '待汇报',
  access: 'member',
  forUnits: true,
  async run(ctx) {
    const plans = await requireActivePlans(ctx);
    const depts = ctx.sender.departments;
    if (depts.length === 0) return '你没有绑定部门，没有需要汇报的任务。';
    const now = ctx.clock.now();
    const groups = [];
    for (const plan of plans) {
      const cells = (await loadStandings(ctx.store, plan, weekBounds(now), now, { departments: depts })).filter((c) => c.owes);
      const rows = cells.map((c) => ({
        code: codeLabel(plan, c.task, plans), title: c.task.title, icon: stageIcon(c), dept: depts.length > 1 ? c.department : null,
        last: stageText(c), collective: c.task.collective,
      }));
      if (rows.length) groups.push({ plan: planHeading(plan, plans), rows: rows.filter((r) => !r.collective), collective: rows.filter((r) => r.collective) });
    }
    const total = groups.reduce((n, g) => n + g.rows.length + g.collective.length, 0);
    const first = groups.flatMap((g) => [...g.rows, ...g.collective])[0];
    const link = ctx.webBaseUrl ? taskListUrl(ctx.webBaseUrl, depts.length === 1 ? { dept: depts[0] } : {}) : null;
    return { template: 'owed', view: { week: weekKey(now), depts, groups, total, example: first?.code ?? null, link } };
  },
};
