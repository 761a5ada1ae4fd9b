import type { CommandSpec } from '../src/bot/command-spec.ts';
import { concreteDepartments } from '../src/store/snapshot-queries.ts';

export const departments: CommandSpec = {
  name: '部门',
  aliases: ['部门列表', '全部部门'],
  summary: '列出方案中的全部责任部门',
  args: [],
  example: '部门',
  access: 'member',
  async run(ctx) {
    const names = await concreteDepartments(ctx.store);
    return `方案中的责任部门（${names.length} 个）：\n${names.join('、')}\n\n查看我的任务：我的任务`;
  },
};
