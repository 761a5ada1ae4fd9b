// Text → command and arguments, from the declarations alone. Pure: department names are resolved later.
import { looksLikeDate } from '../domain/deadline.ts';
import { looksNumeric, parseProgress, vagueAmount } from '../domain/progress.ts';
import { parseQualifiedTaskCode, parseTaskCode } from '../domain/task-code.ts';
import { normalizeInput, toHalfWidth } from '../domain/text.ts';
import { ROLE_WORDS, usageOf, type ArgSpec, type ArgValues, type CommandSpec } from './command-spec.ts';

export type ParsedCommand =
  | { kind: 'empty' }
  | { kind: 'command'; spec: CommandSpec; args: ArgValues }
  | { kind: 'bad_args'; spec: CommandSpec; problem: string }
  | { kind: 'unknown'; guess: CommandSpec | null; code: string | null };

/** Where a taskCode argument's plan qualifier goes, when one was typed. */
export const PLAN_QUALIFIER = '方案';

const LIST_SEPARATORS = /[、,，;；/|]+/;

export function parseCommand(text: string, specs: readonly CommandSpec[]): ParsedCommand {
  const original = text.replace(/[\u200b-\u200d\ufeff]/g, '').trim();
  if (normalizeInput(original) === '') return { kind: 'empty' };
  const match = matchCommandWord(original, specs);
  if (!match) return { kind: 'unknown', guess: guessCommand(original, specs), code: parseTaskCode(firstToken(original))?.code ?? null };
  const rest = original.slice(match.length);
  const parsed = parseArgs(rest, match.spec.args);
  if ('problem' in parsed) return { kind: 'bad_args', spec: match.spec, problem: parsed.problem };
  return { kind: 'command', spec: match.spec, args: parsed.values };
}

/** Longest command word at the start; Chinese words may be glued to what follows ("汇报7.5"). */
function matchCommandWord(original: string, specs: readonly CommandSpec[]): { spec: CommandSpec; length: number } | null {
  const folded = toHalfWidth(original).toLowerCase();
  let best: { spec: CommandSpec; length: number } | null = null;
  for (const spec of specs) {
    for (const word of [spec.name, ...spec.aliases]) {
      const w = toHalfWidth(word).toLowerCase();
      if (!folded.startsWith(w)) continue;
      const next = folded.charAt(w.length);
      const asciiWord = /^[a-z]+$/.test(w);
      if (asciiWord && next !== '' && /[a-z0-9]/.test(next)) continue; // "helpme" is not "help"
      if (!best || w.length > best.length) best = { spec, length: w.length };
    }
  }
  return best;
}

function firstToken(s: string): string {
  return s.split(/[\s\u3000]+/)[0] ?? '';
}

function parseArgs(rest: string, specs: readonly ArgSpec[]): { values: ArgValues } | { problem: string } {
  const tokens = rest.split(/[\s\u3000]+/).filter(Boolean);
  const values: ArgValues = {};
  for (const arg of specs) {
    const token = tokens[0];
    if (token === undefined) {
      if (arg.optional || arg.kind === 'text') continue;
      return { problem: `缺少${arg.name}` };
    }
    switch (arg.kind) {
      case 'taskCode': {
        const code = parseTaskCode(token);
        if (code) {
          values[arg.name] = code.code;
          replaceHead(tokens, code.rest);
          break;
        }
        // "安全生产1.2" / "安全 1.2": the plan's short name (or a prefix of it) qualifies the code.
        const qualified = parseQualifiedTaskCode(tokens);
        if (qualified) {
          values[arg.name] = qualified.code;
          values[PLAN_QUALIFIER] = qualified.plan;
          tokens.splice(0, qualified.used);
          if (qualified.rest) tokens.unshift(qualified.rest);
          break;
        }
        if (arg.optional) continue;
        return { problem: `“${token}”不是任务编号（例如 7.3，或带方案简称：安全生产1.2）` };
      }
      case 'progress': {
        const p = parseProgress(token);
        if (!p) {
          if (arg.optional) continue;
          const vague = vagueAmount(token);
          if (vague) return { problem: `“${vague}”说不准是多少，请写具体百分比（如 60%、八成、一半）或 已完成 / 推进中 / 受阻 / 未启动` };
          return { problem: `“${token}”不是进度：请写百分比（如 60%）或 已完成 / 推进中 / 受阻 / 未启动` };
        }
        values[arg.name] = { status: p.status, percent: p.percent };
        replaceHead(tokens, p.rest);
        // "60 %": a space typed before the percent sign; the sign belongs to the number, not the note.
        if (/^\d{1,3}$/.test(toHalfWidth(token)) && tokens[0] !== undefined && toHalfWidth(tokens[0]).startsWith('%')) {
          replaceHead(tokens, tokens[0].slice(1).replace(/^[,，:：、]+/, ''));
        }
        break;
      }
      case 'role': {
        const role = ROLE_WORDS[toHalfWidth(token).toLowerCase()];
        if (!role) return { problem: `“${token}”不是角色：请写 管理员 / 领导 / 联络员` };
        values[arg.name] = role;
        tokens.shift();
        break;
      }
      case 'department':
        // An optional department stands before the progress ("汇报 7.5 经贸办 60%"): a progress is not one.
        // Nor is a date ("延期 14 2026-12-31 原因").
        if (arg.optional && (parseProgress(token) || vagueAmount(token) || parseTaskCode(token) || looksNumeric(token) || looksLikeDate(token))) continue;
        values[arg.name] = normalizeInput(token);
        tokens.shift();
        break;
      case 'date':
        if (!looksLikeDate(token)) return { problem: `“${token}”不是日期：请写 2026-12-31 或 12月31日` };
        values[arg.name] = normalizeInput(token);
        tokens.shift();
        break;
      case 'word':
        values[arg.name] = normalizeInput(token);
        tokens.shift();
        break;
      case 'departments':
        values[arg.name] = tokens.splice(0).flatMap((t) => normalizeInput(t).split(LIST_SEPARATORS)).filter(Boolean);
        break;
      case 'text':
        values[arg.name] = tokens.splice(0).join(' ').trim();
        break;
    }
  }
  if (tokens.length > 0) return { problem: `多出了“${tokens.join(' ')}”` };
  return { values };
}

function replaceHead(tokens: string[], rest: string): void {
  if (rest) tokens[0] = rest;
  else tokens.shift();
}

/** The command someone most likely meant: shared characters with a name or alias, then edit distance. */
export function guessCommand(text: string, specs: readonly CommandSpec[]): CommandSpec | null {
  const head = toHalfWidth(firstToken(text)).toLowerCase().slice(0, 8);
  if (!head) return null;
  let best: { spec: CommandSpec; score: number } | null = null;
  for (const spec of specs) {
    for (const word of [spec.name, ...spec.aliases]) {
      const w = toHalfWidth(word).toLowerCase();
      const shared = [...new Set(w)].filter((ch) => head.includes(ch)).length;
      if (shared === 0) continue;
      const score = shared / Math.max(w.length, 1) - editDistance(head.slice(0, w.length + 1), w) * 0.1;
      if (!best || score > best.score) best = { spec, score };
    }
  }
  return best && best.score > 0.3 ? best.spec : null;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export { usageOf };
