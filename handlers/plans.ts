// 方案: the plans the bot knows, with their short names (to qualify codes), status and this week's reporting rate.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { computeDigest } from '../src/domain/digest.ts';
import { weekBounds, weekKey } from '../src/domain/period.ts';
import { allPlans } from '../src/store/plans.ts';
import { loadStandings } from '../src/standing/index.ts';
import { countActiveTasks } from '../src/store/task-queries.ts';
import { plansPageUrl } from '../src/web/links.ts';

export const plans: CommandSpec = {
  name: '方案',
  aliases: ['方案列表', 'plans'],
  summary: '列出全部工作方案：简称、状态、本周汇报率',
  args: [],
  example: '方案',
  access: 'admin',
  async run(ctx) {
    const all = await allPlans(ctx.store);
    const page = ctx.webBaseUrl ? plansPageUrl(ctx.webBaseUrl) : null;
    const where = page ? `网页“方案”页：${page}` : '网页的“方案”页（网页未开启时请联系系统维护人员）';
    if (all.length === 0) return `还没有导入工作方案。上传方案文件：${where}`;
    const now = ctx.clock.now();
    const lines = [`工作方案 ${all.length} 个（本周 ${weekKey(now)}）：`];
    for (const plan of all) {
      const tasks = await countActiveTasks(ctx.store, plan._id);
      if (plan.status === 'active') {
        const d = computeDigest(weekKey(now), await loadStandings(ctx.store, plan, weekBounds(now), now));
        lines.push(`▶ ${plan.name}｜进行中｜${tasks} 项｜本周汇报率 ${d.rate}%`);
      } else {
        lines.push(`■ ${plan.name}｜已归档｜${tasks} 项`);
      }
      lines.push(`   ${plan.title}${plan.docNumber ? `（${plan.docNumber}）` : ''}`);
    }
    const example = all.find((p) => p.status === 'active') ?? all[0]!;
    lines.push('', `编号前加简称即指定方案，例如：任务 ${example.name}1.1`, `导入、归档、启用方案：${where}`);
    return lines.join('\n');
  },
};
