// Task codes as people write them: 7.3, 7-3, 7．3, （七）3, 七.3, 第七节第3项, 5.
import { parseChineseNumeral } from './plan/chinese-numerals.ts';
import { toHalfWidth } from './text.ts';

const NUM = '[0-9零〇一二两三四五六七八九十百]+';
const CODE_RE = new RegExp(
  `^(?:第)?[(（]?(${NUM})[)）]?(?:节|部分)?(?:(?:[.\\-—_、·/．]|第)?(${NUM})(?:项|条|点)?)?`,
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
  // "73" is not 7.3: a bare number is a section.
  const code = item === null ? String(section) : `${section}.${item}`;
  const rest = token.trim().slice(m[0].length).replace(/^[,，:：、\s]+/, '');
  return { code, rest };
}
