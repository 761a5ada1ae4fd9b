// Each command is declared once; the parser, the permission check and the help text all read the declaration.
import type { Access } from '../access.ts';
import type { Role } from '../domain/vocabulary.ts';
import type { BotDeps, Inbound, Sender } from './types.ts';
import type { CardTap } from '../cards/template-card.ts';

export type { Access } from '../access.ts';

export type ArgKind =
  | 'taskCode' // 7.3, 七.3, （七）3 …
  | 'progress' // 60%, 已完成 …
  | 'word' // one token, e.g. a userid
  | 'role' // 管理员/领导/成员
  | 'department' // one department, by name, alias or unique prefix
  | 'departments' // the rest of the line as a list of departments
  | 'date' // one date as typed: 2026-12-31, 12月31日, 2026年12月31日 (read against the clock by the handler)
  | 'text'; // the rest of the line as typed

export interface ArgSpec {
  name: string; // shown in usage, e.g. 编号
  kind: ArgKind;
  optional?: boolean;
}

export interface ArgValues {
  [name: string]: unknown;
}

export interface CommandContext extends Omit<BotDeps, 'webBaseUrl'> {
  /** The pages' address when they are on: replies link to them. */
  webBaseUrl?: string;
  sender: Sender;
  inbound: Inbound;
  commands: readonly CommandSpec[];
  render(template: string, view: object): string;
}

/** A handler returns text, several texts (sent as separate messages), or a rendered template. */
export type HandlerResult = string | string[] | { template: string; view: object };

export interface CommandSpec {
  name: string;
  aliases: readonly string[];
  summary: string;
  args: readonly ArgSpec[];
  example: string;
  access: Access;
  /** Work for a department (汇报, 我的任务 …): help leaves it out for someone who belongs to none. */
  forUnits?: boolean;
  /** This command also receives photos (image messages): the dispatcher runs it with no arguments and ctx.inbound.image set. */
  acceptsImage?: boolean;
  run(ctx: CommandContext, args: ArgValues): Promise<HandlerResult>;
  /** The command word sent alone, without its required arguments: a guided start instead of the usage. */
  bare?(ctx: CommandContext): Promise<HandlerResult>;
}

/**
 * Answers a tap on one of the bot's template cards. `run` runs a chat command as if the sender had typed it (the
 * same parser, permission check and handler), under the message id given, so a repeat records nothing new.
 */
export type CardTapHandler = (ctx: CommandContext, tap: CardTap, run: (text: string, msgId: string) => Promise<HandlerResult>) => Promise<HandlerResult>;

export function usageOf(spec: Pick<CommandSpec, 'name' | 'args'>): string {
  return [spec.name, ...spec.args.map((a) => (a.optional ? `[${a.name}]` : `<${a.name}>`))].join(' ');
}

export const ROLE_WORDS: Record<string, Role> = {
  管理员: 'admin', admin: 'admin', 党政办管理员: 'admin',
  领导: 'leader', leader: 'leader',
  成员: 'member', 联络员: 'member', member: 'member',
};

export { ROLE_LABEL } from '../access.ts';
