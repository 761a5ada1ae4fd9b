// "Did you mean": a command word typed with a typo (我的任物) or as pinyin (wdrw, wodirenwu) is matched against the
// command vocabulary — names and aliases as declared in the specs — and suggested, never run.
import { pinyin } from 'pinyin-pro';
import { toHalfWidth } from '../domain/text.ts';
import type { CommandSpec } from './command-spec.ts';

/** Levenshtein distance, by characters (a Chinese character counts one). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const dp = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (x[i - 1] === y[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[y.length]!;
}

const HAN = /[\u3400-\u9fff]/;

/** A Chinese word's pinyin initials and its full pinyin, without tones: 我的任务 → wdrw, wodirenwu. */
function pinyinForms(word: string): string[] {
  if (!HAN.test(word)) return [];
  const initials = pinyin(word, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase();
  const full = pinyin(word, { toneType: 'none', type: 'array' }).join('').toLowerCase();
  return [initials, full];
}

/**
 * The command names a word most likely stands for, or none. Chinese: a homophone of a command word, else one
 * character off in a word of four or more (two in five or more). Latin letters: the pinyin initials or the full pinyin of a name or an alias. A word that is a command word
 * as typed is no typo.
 */
export function suggestCommands(word: string, specs: readonly CommandSpec[]): CommandSpec[] {
  const w = toHalfWidth(word).trim().toLowerCase();
  if ([...w].length < 2 || [...w].length > 12) return [];
  const words = specs.flatMap((spec) => [spec.name, ...spec.aliases].map((v) => ({ spec, v: toHalfWidth(v).toLowerCase() })));
  if (words.some(({ v }) => v === w)) return [];
  const found = new Set<CommandSpec>();
  if (/^[a-z]+$/.test(w)) {
    for (const { spec, v } of words) if (pinyinForms(v).includes(w)) found.add(spec);
  } else if (HAN.test(w)) {
    // A pinyin input method's slip is a homophone (汇抱 for 汇报, 我的任物 for 我的任务): same sound, any length.
    const sound = pinyinForms(w)[1];
    for (const { spec, v } of words) if ([...v].length === [...w].length && pinyinForms(v)[1] === sound) found.add(spec);
    if (found.size) return [...found];
    // Otherwise a character off in a longer word (two in a word of five or more); short words are too easily another word.
    const close: Array<{ spec: CommandSpec; d: number }> = [];
    for (const { spec, v } of words) {
      if (!HAN.test(v) || [...v].length < 4) continue;
      const d = editDistance(w, v);
      if (d <= ([...v].length >= 5 ? 2 : 1)) close.push({ spec, d });
    }
    const least = Math.min(...close.map((x) => x.d));
    for (const c of close) if (c.d === least) found.add(c.spec);
  }
  return [...found];
}
