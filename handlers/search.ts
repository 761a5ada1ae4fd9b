import type { CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { activeTasks } from '../src/store/task-queries.ts';
import { codeLabel, requireActivePlans } from './lib/tasks.ts';

const MAX_RESULTS = 10;

export const search: CommandSpec = {
  name: '搜索',
  aliases: ['查找', '找', 'search'],
  summary: '按关键词查找任务',
  args: [{ name: '关键词', kind: 'text' }],
  example: '搜索 电商',
  access: 'member',
  async run(ctx, args) {
    const words = String(args['关键词'] ?? '').split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new BotError('missing_keyword', '请写关键词，例如：搜索 电商');
    const plans = await requireActivePlans(ctx);
    const hits = [];
    for (const plan of plans) {
      // Every word must appear, in the text, the section title or a responsible department.
      for (const t of await activeTasks(ctx.store, plan._id)) {
        if (words.every((w) => t.text.includes(w) || t.sectionTitle.includes(w) || t.departments.some((d) => d.includes(w)))) {
          hits.push({ code: codeLabel(plan, t, plans), title: t.title, departments: t.departments.join('、') });
        }
      }
    }
    return { template: 'search', view: { query: words.join(' '), total: hits.length, rows: hits.slice(0, MAX_RESULTS) } };
  },
};
