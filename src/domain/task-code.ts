// Task codes as people write them: 7.3, 7-3, 7．3, （七）3, 七.3, 第七节第3项, 5, and three levels (2.1.3) for plans
// whose numbering restarts under each chapter.
import { parseChineseNumeral } from './plan/chinese-numerals.ts';
import { toHalfWidth } from './text.ts';

const NUM = '[0-9零〇一二两三四五六七八九十百]+';
const CODE_RE = new RegExp(
  `^(?:第)?[(（]?(${NUM})[)）]?(?:节|部分)?(?:(?:[.\\-—_、·/．]|第)?(${NUM})(?:项|条|点)?)?(?:[.．](${NUM}))?`,
);

/**
 * Returns the canonical code ("7.3" or "5") and whatever followed it in the token, or null when the
 * token does not start with a code.
 */
export function parseTaskCode(token: string): { code: string; rest: string } | null {
  const t = toHalfWidth(token.trim());
  const m = CODE_RE.exec(t);
  if (!m || m[0] === '') return null;
  const section = parseChineseNumeral(m[1]!);
  if (section === null || section < 1) return null;
  let item: number | null = null;
  if (m[2] !== undefined) {
    item = parseChineseNumeral(m[2]);
    if (item === null || item < 1) return null;
  }
  let sub: number | null = null;
  if (m[3] !== undefined) {
    sub = parseChineseNumeral(m[3]);
    if (sub === null || sub < 1) return null;
  }
  // "73" is not 7.3: a bare number is a section.
  const code = item === null ? String(section) : sub === null ? `${section}.${item}` : `${section}.${item}.${sub}`;
  const rest = token.trim().slice(m[0].length).replace(/^[,，:：、\s]+/, '');
  return { code, rest };
}

/**
 * A code qualified by a plan's short name, glued or not: "安全生产1.2", "安全 1.2" (two tokens). Returns the
 * qualifier, the code and what followed it, or null when the tokens do not start that way. The qualifier is
 * letters or Chinese characters only, so "60%" or a department never passes for one.
 */
export function parseQualifiedTaskCode(tokens: readonly string[]): { plan: string; code: string; rest: string; used: number } | null {
  const first = toHalfWidth(tokens[0] ?? '').trim();
  for (let i = 1; i < first.length; i++) {
    const prefix = first.slice(0, i);
    if (!QUALIFIER_RE.test(prefix)) break;
    const parsed = parseTaskCode(first.slice(i));
    if (parsed) return { plan: prefix, ...parsed, used: 1 };
  }
  const second = tokens[1];
  if (QUALIFIER_RE.test(first) && second !== undefined) {
    const parsed = parseTaskCode(second);
    if (parsed && parsed.rest === '') return { plan: first, code: parsed.code, rest: '', used: 2 };
  }
  return null;
}

const QUALIFIER_RE = /^[A-Za-z\u4e00-\u9fff]+$/;
