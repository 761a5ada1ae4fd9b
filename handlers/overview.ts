// 总览: the town's standing this week so far, in the same short shape as the weekly digest (domain/digest-brief.ts):
// the rate and its change from last week, a few 红灯 tasks, the slowest departments, 0 % on one line, 销号 counts,
// and the web 总览 for everything else.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { homeUrl } from '../src/web/links.ts';
import { computeDigest } from '../src/domain/digest.ts';
import { briefView, digestBrief } from '../src/domain/digest-brief.ts';
import { formatLocal, weekBounds, weekKey } from '../src/domain/period.ts';
import type { Standing } from '../src/domain/standing.ts';
import { loadStandingsOfPeriods } from '../src/standing/index.ts';
import { codeLabel, requireActivePlans } from './lib/tasks.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export const overview: CommandSpec = {
  name: '总览',
  aliases: ['概览', '全局', 'overview'],
  summary: '全镇本周进展：汇报率、红灯任务、汇报最慢的部门',
  args: [],
  example: '总览',
  access: 'leader',
  async run(ctx) {
    const plans = await requireActivePlans(ctx);
    const now = ctx.clock.now();
    const current = weekBounds(now);
    const before = { start: new Date(current.start.getTime() - WEEK_MS), end: current.start };
    const several = plans.length > 1;
    const all: Standing[] = [];
    const lastWeek: Standing[] = [];
    const perPlan = [];
    let firstLabel: string | undefined;
    for (const plan of plans) {
      const [cells, cellsBefore] = await loadStandingsOfPeriods(ctx.store, plan, [
        { period: current, asOf: now },
        { period: before, asOf: new Date(current.start.getTime() - 1) },
      ]);
      all.push(...cells!);
      if (!firstLabel && cells![0]) firstLabel = codeLabel(plan, cells![0].task, plans);
      if (!plan.date || current.start.getTime() > Date.parse(`${plan.date}T00:00:00+08:00`)) lastWeek.push(...cellsBefore!);
      perPlan.push({ prefix: several ? plan.name : '', digest: computeDigest(weekKey(now), cells!) });
    }
    const town = computeDigest(weekKey(now), all);
    const brief = digestBrief(town, lastWeek.length ? computeDigest(weekKey(before.start), lastWeek) : null, perPlan);
    const example = brief.red[0]?.label ?? firstLabel;
    const range = `${formatLocal(current.start, 'M月D日')}—${formatLocal(new Date(current.end.getTime() - 1), 'M月D日')}`;
    return {
      template: 'digest-brief',
      view: briefView(brief, {
        markdown: false, rateLabel: '本周汇报率',
        heading: `全镇进展｜本周（${range}，截至${formatLocal(now)}）${several ? `，${plans.length} 个方案` : ''}`,
        url: ctx.webBaseUrl ? homeUrl(ctx.webBaseUrl) : undefined, linkText: '各部门、各小节的全部情况',
        hint: example ? `查看某项：任务 ${example}` : undefined,
      }),
    };
  },
};
