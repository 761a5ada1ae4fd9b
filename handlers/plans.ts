// 方案: the plans the bot knows, with their short names (to qualify codes), status and this week's reporting rate.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { computeDigest } from '../src/domain/digest.ts';
import { weekBounds, weekKey } from '../src/domain/period.ts';
import { allPlans } from '../src/store/plans.ts';
import { loadStandings } from '../src/standing/index.ts';

export const plans: CommandSpec = {
  name: '方案',
  aliases: ['方案列表', 'plans'],
  summary: '列出全部工作方案：简称、状态、本周汇报率',
  args: [],
  example: '方案',
  access: 'admin',
  async run(ctx) {
    const all = await allPlans(ctx.store);
    if (all.length === 0) return '还没有导入工作方案。导入：npm run -s cli -- plan import 文件';
    const now = ctx.clock.now();
    const lines = [`工作方案 ${all.length} 个（本周 ${weekKey(now)}）：`];
    for (const plan of all) {
      const tasks = await ctx.store.models.Task.countDocuments({ planId: plan._id, retired: false });
      if (plan.status === 'active') {
        const d = computeDigest(weekKey(now), await loadStandings(ctx.store, plan, weekBounds(now), now));
        lines.push(`▶ ${plan.name}｜进行中｜${tasks} 项｜本周汇报率 ${d.rate}%`);
      } else {
        lines.push(`■ ${plan.name}｜已归档｜${tasks} 项`);
      }
      lines.push(`   ${plan.title}${plan.docNumber ? `（${plan.docNumber}）` : ''}`);
    }
    const example = all.find((p) => p.status === 'active') ?? all[0]!;
    lines.push('', `编号前加简称即指定方案，例如：任务 ${example.name}1.1`, '归档/启用：npm run -s cli -- plan archive 简称 / plan activate 简称');
    return lines.join('\n');
  },
};
