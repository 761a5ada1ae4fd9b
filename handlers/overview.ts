import { homeUrl } from '../src/web/links.ts';
import type { CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import type { PlanDoc } from '../src/store/models.ts';
import { activePlans } from '../src/store/plans.ts';
import { isExpected, type Standing } from '../src/domain/standing.ts';
import { weekBounds, weekKey } from '../src/domain/period.ts';
import { LIGHT_ICON, type Light } from '../src/domain/status-light.ts';
import { loadStandings } from '../src/standing/index.ts';
import { codeLabel, requireActivePlans } from './lib/tasks.ts';
import { planHeading } from './my-tasks.ts';

function tally(cells: Standing[]) {
  const lights: Record<Light, number> = { done: 0, green: 0, yellow: 0, red: 0 };
  for (const c of cells) lights[c.light]++;
  const expected = cells.filter(isExpected);
  const reported = expected.filter((c) => c.reportedInPeriod).length;
  // 销号 review and deadlines, counted apart: 待审核 is done by the department but not yet accepted.
  const review = { pending: 0, closed: 0, returned: 0, overdue: 0 };
  for (const c of cells) {
    if (c.stage === 'pending_review') review.pending++;
    else if (c.stage === 'closed') review.closed++;
    else if (c.stage === 'returned') review.returned++;
    if (c.overdue) review.overdue++;
  }
  return { lights, total: cells.length, rate: expected.length ? Math.round((reported / expected.length) * 100) : 100, review };
}

function groupBy<K>(cells: Standing[], key: (c: Standing) => K): Map<K, Standing[]> {
  const m = new Map<K, Standing[]>();
  for (const c of cells) {
    const k = key(c);
    const list = m.get(k);
    if (list) list.push(c);
    else m.set(k, [c]);
  }
  return m;
}

export const overview: CommandSpec = {
  name: '总览',
  aliases: ['概览', '全局', 'overview'],
  summary: '全镇按部门、按小节的当前进展',
  args: [],
  example: '总览',
  access: 'leader',
  async run(ctx) {
    const plans = await requireActivePlans(ctx);
    const now = ctx.clock.now();
    const blocks = [];
    for (const plan of plans) blocks.push({ heading: planHeading(plan, plans), ...(await planOverview(ctx, plan, now)) });
    return { template: 'overview', view: { week: weekKey(now), plans: blocks, example: blocks[0]?.example ?? '7.5', link: ctx.webBaseUrl ? homeUrl(ctx.webBaseUrl) : null } };
  },
};

const icons = (t: ReturnType<typeof tally>) =>
  (['done', 'green', 'yellow', 'red'] as Light[]).filter((l) => t.lights[l] > 0).map((l) => `${LIGHT_ICON[l]}${t.lights[l]}`).join(' ');

async function planOverview(ctx: CommandContext, plan: PlanDoc, now: Date) {
  const cells = await loadStandings(ctx.store, plan, weekBounds(now), now);
  const byDept = [...groupBy(cells, (c) => c.department)].map(([name, cs]) => ({ name, t: tally(cs) }))
    .sort((a, b) => a.t.rate - b.t.rate || b.t.lights.red - a.t.lights.red);
  const bySection = [...groupBy(cells, (c) => c.task.section)].sort((a, b) => a[0] - b[0])
    .map(([section, cs]) => ({ section, title: cs[0]!.task.sectionTitle, t: tally(cs) }));
  const plans = await activePlans(ctx.store);
  return {
    all: { ...tally(cells), icons: icons(tally(cells)) },
    departments: byDept.map((d) => ({ name: d.name, rate: d.t.rate, icons: icons(d.t) })),
    sections: bySection.map((s) => ({ section: s.section, title: s.title.length > 14 ? `${s.title.slice(0, 14)}…` : s.title, rate: s.t.rate, icons: icons(s.t) })),
    example: cells[0] ? codeLabel(plan, cells[0].task, plans) : null,
  };
}
