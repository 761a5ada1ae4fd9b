import { canUseCommand } from '../src/access.ts';
import { usageOf, type CommandContext, type CommandSpec } from '../src/bot/command-spec.ts';
import { byteLength } from '../src/domain/text.ts';
import { APP_TEXT_MAX_BYTES } from '../src/wecom/api-client.ts';
import { homeUrl } from '../src/web/links.ts';

/** How much each command's entry says: usage, summary and example; usage and example; usage and summary; usage alone. */
type Detail = 'full' | 'example' | 'brief' | 'usage';
/** From the most to the least said, for the everyday commands and the admin ones: the first that fits one message. */
// An example teaches more than a summary on a phone, so the everyday commands keep theirs the longest.
const LEVELS: Array<[Detail, Detail]> = [['full', 'full'], ['full', 'brief'], ['full', 'usage'], ['example', 'usage'], ['brief', 'usage'], ['usage', 'usage']];

/** The commands this user may use and has work for: no 汇报 for someone who belongs to no department. */
export function helpCommands(ctx: Pick<CommandContext, 'sender' | 'commands'>): CommandSpec[] {
  const hasUnits = ctx.sender.departments.length > 0;
  return ctx.commands.filter((c) => canUseCommand(ctx.sender, c.access) && (!c.forUnits || hasUnits));
}

export const help: CommandSpec = {
  name: '帮助',
  aliases: ['help', '?', '菜单', '命令'],
  summary: '列出你可以用的命令',
  args: [],
  example: '帮助',
  access: 'anyone',
  async run(ctx) {
    const usable = helpCommands(ctx);
    const entry = (c: CommandSpec) => ({ usage: usageOf(c), summary: c.summary, example: c.example, admin: c.access === 'admin' });
    const view = (detail: [Detail, Detail]) => ({
      bound: ctx.sender.bound,
      userid: ctx.sender.userid,
      departments: ctx.sender.departments,
      commands: usable.map(entry),
      detail: { everyday: detail[0], admin: detail[1] },
      link: ctx.webBaseUrl && ctx.sender.bound ? homeUrl(ctx.webBaseUrl) : null,
    });
    // One message: an admin's long list says less about each command rather than run to a second message.
    for (const level of LEVELS) {
      const text = ctx.render('help', view(level));
      if (byteLength(text) <= APP_TEXT_MAX_BYTES) return text;
    }
    return ctx.render('help', view(LEVELS[LEVELS.length - 1]!));
  },
};
