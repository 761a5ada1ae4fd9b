import { canUseCommand } from '../src/access.ts';
import { usageOf, type CommandSpec } from '../src/bot/command-spec.ts';

export const help: CommandSpec = {
  name: '帮助',
  aliases: ['help', '?', '菜单', '命令'],
  summary: '列出你可以用的命令',
  args: [],
  example: '帮助',
  access: 'anyone',
  async run(ctx) {
    const usable = ctx.commands.filter((c) => canUseCommand(ctx.sender, c.access));
    return {
      template: 'help',
      view: {
        bound: ctx.sender.bound,
        userid: ctx.sender.userid,
        departments: ctx.sender.departments,
        commands: usable.map((c) => ({ usage: usageOf(c), summary: c.summary, example: c.example, admin: c.access === 'admin' })),
      },
    };
  },
};
