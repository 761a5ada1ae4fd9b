// What a sentence in plain Chinese says about a task's progress: done (做完了), an amount (八成, 60%), blocked
// (卡住了), or a vague amount (过半) that must be asked about. Pure; which task it names is decided elsewhere.
import { parseProgress } from './progress.ts';
import { toHalfWidth } from './text.ts';

export type Intent =
  | { kind: 'done' }
  | { kind: 'percent'; percent: number }
  | { kind: 'blocked' }
  | { kind: 'vague'; word: string };

const NOT_DONE = /(没|未|还没|尚未|没有|不)(有)?(能)?(做完|完成|办完|搞定|弄好|干完|落实|做好)/;
const DONE = /(做完|完成|办完|搞定|弄好|干完|办结|落实完|做好|弄完|结束)了?/;
const BLOCKED = /(受阻|卡住|卡壳|有困难|遇到困难|推不动|进展不了|推进不了|停滞)/;
const VAGUE = /(一大半|过半|大半|大部分|小半|基本完成|快完成|差不多完成|接近完成|差不多了)/;
/** Where an amount may start: 百分之…, 八成, 一半, 60%, 八十%. */
const AMOUNT_START = /(百分之|[一二两三四五六七八九十]成|一半|\d{1,3}\s*%|[零一二两三四五六七八九十百]+\s*%)/g;

/** The amount itself, without what follows it. */
const AMOUNT = /^(百分之[零一二两三四五六七八九十百\d]+|[一二两三四五六七八九十]成半?|一半|\d{1,3}\s*%|[零一二两三四五六七八九十百]+\s*%)/;

/** The first unambiguous amount in the text, as a percentage. */
function amountIn(text: string): number | null {
  for (const m of text.matchAll(AMOUNT_START)) {
    const lead = AMOUNT.exec(text.slice(m.index!));
    const p = lead ? parseProgress(lead[0]) : null;
    if (p && p.percent !== null) return p.percent;
  }
  return null;
}

export function readIntent(text: string): Intent | null {
  const t = toHalfWidth(text);
  const percent = amountIn(t);
  if (percent !== null) return percent >= 100 ? { kind: 'done' } : { kind: 'percent', percent };
  const vague = VAGUE.exec(t);
  if (vague) return { kind: 'vague', word: vague[1]! };
  if (BLOCKED.test(t)) return { kind: 'blocked' };
  if (NOT_DONE.test(t)) return null;
  if (DONE.test(t)) return { kind: 'done' };
  return null;
}

/** The command an intent becomes, for a task label (and a unit when one must be named). */
export function intentCommand(intent: Exclude<Intent, { kind: 'vague' }>, label: string, department: string | null, note: string): string {
  const head = intent.kind === 'done' ? ['完成', label] : ['汇报', label];
  const dept = department ? [department] : [];
  const progress = intent.kind === 'percent' ? [`${intent.percent}%`] : intent.kind === 'blocked' ? ['受阻'] : [];
  return [...head, ...dept, ...progress, note].filter(Boolean).join(' ');
}

/** Longest run of Chinese characters two texts share: how strongly a sentence names a task's title. */
export function sharedRun(a: string, b: string): string {
  let best = '';
  const x = [...a];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + best.length + 1; j <= x.length; j++) {
      const piece = x.slice(i, j).join('');
      if (!/^[\u4e00-\u9fff]+$/.test(piece) || !b.includes(piece)) break;
      best = piece;
    }
  }
  return best;
}
