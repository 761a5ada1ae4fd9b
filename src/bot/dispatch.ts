// The one entry point for the conversation: handle(inbound) → reply, whatever the transport.
import { accessLabel, canUseCommand, loadUser } from '../access.ts';
import { splitNumbered } from '../domain/text.ts';
import { APP_TEXT_MAX_BYTES } from '../wecom/api-client.ts';
import { MemberError, resolveDepartmentName } from '../members/members.ts';
import { usageOf, type ArgValues, type CardTapHandler, type CommandContext, type CommandSpec, type HandlerResult } from './command-spec.ts';
import { BotError } from './errors.ts';
import { parseCommand, type ParsedCommand } from './parse-command.ts';
import { endConversation, isCancel, isYes, nextStep, openState, startState } from './conversation.ts';
import { understandFreeText } from './free-text.ts';
import { suggestCommands } from './suggest.ts';
import { normalizeInput, toHalfWidth } from '../domain/text.ts';
import { render } from './render.ts';
import { isDatabaseUnavailable } from '../store/database-errors.ts';
import type { BotDeps, Inbound, Reply, Sender } from './types.ts';


export interface Bot {
  handle(inbound: Inbound): Promise<Reply>;
  commands: readonly CommandSpec[];
}

export interface BotOptions {
  /** Taps on template cards (handlers/card-tap.ts); without it a tap is answered with the commands to type. */
  cardTap?: CardTapHandler;
}

export function createBot(deps: BotDeps, commands: readonly CommandSpec[], opts: BotOptions = {}): Bot {
  return {
    commands,
    async handle(inbound) {
      const log = deps.logger.child({ userid: inbound.userid, msgId: inbound.msgId, channel: inbound.channel });
      try {
        const sender = await loadUser(deps.store, inbound.userid);
        const result = await dispatch(deps, commands, inbound, sender, opts);
        return toReply(result);
      } catch (err) {
        if (err instanceof BotError || err instanceof MemberError) {
          log.info({ code: err.code }, 'command refused');
          return toReply(err instanceof MemberError ? `${err.message}，未做修改。` : err.message);
        }
        if (isDatabaseUnavailable(err)) {
          // Not the user's fault and not final: the transport keeps the message and runs it again.
          log.warn({ err }, 'database unavailable; the message will be run again');
          return { ...toReply('数据库暂时不可用，您的消息已保存，稍后会自动处理并回复。'), retryable: true };
        }
        log.error({ err }, 'command failed');
        return toReply('抱歉，处理时出错了，请稍后再试。如果一直出错，请联系党政办。');
      }
    },
  };
}

async function dispatch(deps: BotDeps, commands: readonly CommandSpec[], inbound: Inbound, sender: Sender, opts: BotOptions): Promise<HandlerResult> {
  if (inbound.card) {
    if (!sender.bound) return unboundAnswer(sender);
    if (!opts.cardTap) return '卡片操作暂不可用，请直接发送命令。发送“帮助”查看可用命令。';
    // A tap runs the command it stands for through the same path as typed text; it never joins a conversation.
    return opts.cardTap(contextOf(deps, commands, inbound, sender), inbound.card, (text, msgId) =>
      dispatchCommand(deps, commands, { ...inbound, text, msgId, card: null }, sender, { composed: true }));
  }
  if (inbound.image || !sender.bound) return dispatchCommand(deps, commands, inbound, sender);
  // A conversation in progress (the guided 汇报, a guess waiting for “是”) gets the message first.
  const now = deps.clock.now();
  const conv = await openState(deps.store, sender.userid, now);
  if (!conv) {
    if (isCancel(inbound.text)) return '没有进行中的对话，无需取消。';
    if (isYes(inbound.text)) return '没有等待确认的内容，未做任何记录。';
    return dispatchCommand(deps, commands, inbound, sender);
  }
  if (isCancel(inbound.text)) {
    await endConversation(deps.store, sender.userid, conv.id);
    return '已取消，未做任何记录。';
  }
  const step = nextStep(conv.state, inbound.text, (t) => isCommandText(t, commands));
  if (step.kind === 'reply') {
    if (step.next) await startState(deps.store, sender.userid, step.next, now);
    else if (step.end) await endConversation(deps.store, sender.userid, conv.id);
    return step.result;
  }
  if (step.kind === 'leave') {
    await endConversation(deps.store, sender.userid, conv.id);
    return dispatchCommand(deps, commands, inbound, sender);
  }
  // The command the conversation composed, through the same path as typed text. A confirmed guess carries the
  // conversation's id as its message id: however often “是” arrives, it is written once.
  const msgId = conv.state.kind === 'confirm' ? `confirm:${conv.id}` : inbound.msgId;
  try {
    const result = await dispatchCommand(deps, commands, { ...inbound, text: step.text, msgId }, sender, { composed: true });
    await endConversation(deps.store, sender.userid, conv.id);
    return result;
  } catch (err) {
    // Kept when the database is away: the message runs again and finds it.
    if (!isDatabaseUnavailable(err)) await endConversation(deps.store, sender.userid, conv.id);
    throw err;
  }
}

function isCommandText(text: string, commands: readonly CommandSpec[]): boolean {
  const p = parseCommand(text, commands);
  return p.kind === 'command' || p.kind === 'bad_args';
}

async function dispatchCommand(deps: BotDeps, commands: readonly CommandSpec[], inbound: Inbound, sender: Sender, opts: { composed?: boolean } = {}): Promise<HandlerResult> {
  if (inbound.image) {
    const photos = commands.find((c) => c.acceptsImage);
    if (!photos) return '暂不接收图片。发送“帮助”查看可用命令。';
    if (!canUseCommand(sender, photos.access)) return unboundAnswer(sender);
    return runSpec(deps, commands, inbound, sender, photos, {});
  }
  const parsed = parseCommand(inbound.text, commands);
  const helpSpec = commands.find((c) => c.name === '帮助');
  if (parsed.kind === 'empty') {
    return helpSpec ? runSpec(deps, commands, inbound, sender, helpSpec, {}) : '请发送：帮助';
  }
  if (sender.bound && !opts.composed) {
    // A command word with a typo or in pinyin: suggested, never run.
    const suggestion = typoSuggestion(inbound.text, parsed, commands.filter((c) => canUseCommand(sender, c.access)));
    if (suggestion) return suggestion;
  }
  if (parsed.kind === 'unknown') {
    if (!sender.bound) return unboundAnswer(sender);
    const understood = await understandFreeText(deps, inbound, sender);
    if (understood) return understood;
    return unknownAnswer(inbound.text, parsed.guess, parsed.code);
  }
  const spec = parsed.spec;
  if (!canUseCommand(sender, spec.access)) {
    if (!sender.bound) return unboundAnswer(sender);
    const who = accessLabel(spec.access as 'leader' | 'admin');
    throw new BotError('forbidden', `“${spec.name}”只有${who}可以使用，未做任何修改。\n发送“帮助”查看你可以用的命令。`);
  }
  if (parsed.kind === 'bad_args') {
    // The command word alone ("汇报"): the command's guided start, where it has one.
    if (spec.bare && isBareWord(inbound.text, spec)) return spec.bare(contextOf(deps, commands, inbound, sender));
    return `${parsed.problem}。\n用法：${usageOf(spec)}\n例如：${spec.example}`;
  }
  const args = await resolveDepartments(deps, spec, parsed.args);
  return runSpec(deps, commands, inbound, sender, spec, args);
}

function isBareWord(text: string, spec: CommandSpec): boolean {
  const t = toHalfWidth(normalizeInput(text)).toLowerCase();
  return [spec.name, ...spec.aliases].some((w) => toHalfWidth(w).toLowerCase() === t);
}

/**
 * "你是不是要发：我的任务？" when the first word is no command word as typed but a typo or the pinyin of one. Only
 * where the parse failed (unknown, or a shorter command word with extra text: 我的任物 starts with 我的).
 */
function typoSuggestion(text: string, parsed: ParsedCommand, commands: readonly CommandSpec[]): string | null {
  if (parsed.kind !== 'unknown' && parsed.kind !== 'bad_args') return null;
  const t = normalizeInput(text);
  const [first = '', ...rest] = t.split(' ');
  if (/\d/.test(first)) return null;
  const found = suggestCommands(first, commands);
  if (found.length === 0) return null;
  const whole = (spec: CommandSpec) => [spec.name, ...rest].join(' ');
  return `你是不是要发：${found.map(whole).join(' 或 ')}？\n（没有执行。如果是，请直接发送上面的命令。）`;
}

function contextOf(deps: BotDeps, commands: readonly CommandSpec[], inbound: Inbound, sender: Sender): CommandContext {
  const base = typeof deps.webBaseUrl === 'function' ? deps.webBaseUrl() : deps.webBaseUrl;
  return { ...deps, webBaseUrl: base || undefined, sender, inbound, commands, render };
}

function runSpec(deps: BotDeps, commands: readonly CommandSpec[], inbound: Inbound, sender: Sender, spec: CommandSpec, args: ArgValues) {
  return spec.run(contextOf(deps, commands, inbound, sender), args);
}

/** Department arguments are understood by name, alias or unique prefix; otherwise the user gets the choices. */
async function resolveDepartments(deps: BotDeps, spec: CommandSpec, args: ArgValues): Promise<ArgValues> {
  const out: ArgValues = { ...args };
  for (const arg of spec.args) {
    if (arg.kind !== 'department' && arg.kind !== 'departments') continue;
    const raw = out[arg.name];
    if (raw === undefined) continue;
    const written = Array.isArray(raw) ? (raw as string[]) : [raw as string];
    const names: string[] = [];
    for (const w of written) {
      const r = await resolveDepartmentName(deps.store, w);
      const textArg = spec.args.find((a) => a.kind === 'text');
      const hasProgress = spec.args.some((a) => a.kind === 'progress' || a.kind === 'date');
      if (!r.ok && arg.optional && arg.kind === 'department' && textArg && !hasProgress) {
        // Not a department after all ("完成 7.5 已全部落实"): it is the start of the note. Where a progress
        // follows ("汇报 7.1 火星办 60%"), or a date ("延期 14 火星办 12月31日"), the word stood where a department goes: a typo.
        out[textArg.name] = [w, out[textArg.name]].filter(Boolean).join(' ');
        delete out[arg.name];
        break;
      }
      if (!r.ok) {
        const choices = r.candidates.length ? `可能是：${r.candidates.slice(0, 5).join('、')}` : '发送“部门”可查看全部部门';
        throw new BotError('unknown_department', `没有找到部门“${w}”，${choices}。\n用法：${usageOf(spec)}`);
      }
      if (!names.includes(r.name)) names.push(r.name);
    }
    if (names.length) out[arg.name] = Array.isArray(raw) ? names : names[0];
  }
  return out;
}

function unboundAnswer(sender: Sender): string {
  return render('unbound', { userid: sender.userid });
}

function unknownAnswer(text: string, guess: CommandSpec | null, code: string | null): string {
  if (code) return `要查看还是汇报任务 ${code}？\n查看：任务 ${code}\n汇报：汇报 ${code} 60% 说明`;
  const hint = guess ? `你是不是想用“${guess.name}”？例如：${guess.example}` : '发送“帮助”查看可用命令。';
  const shown = text.length > 12 ? `${text.slice(0, 12)}…` : text;
  return `看不懂“${shown}”。${hint}`;
}

function toReply(result: HandlerResult): Reply {
  const texts = typeof result === 'string' ? [result] : Array.isArray(result) ? result : [render(result.template, result.view)];
  const whole = texts.filter((t) => t.trim() !== '');
  // A reply longer than one WeCom message is split on line boundaries into numbered parts.
  const messages = whole.length === 1 ? splitNumbered(whole[0]!, APP_TEXT_MAX_BYTES) : whole.flatMap((t) => splitNumbered(t, APP_TEXT_MAX_BYTES));
  return { messages: messages.length ? messages : ['（无内容）'] };
}
