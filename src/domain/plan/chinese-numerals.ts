// Chinese numerals as they appear in plan documents: chapter numbers (一、), section
// numbers (（二十一）), and dates written out in full (二〇二一年六月十一日; typists also
// use ○ or Ｏ for the zero).

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, '○': 0, Ｏ: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** Characters that may make up a numeral, for building regular expressions. */
export const CHINESE_NUMERAL_CHARS = '零〇○Ｏ一二两三四五六七八九十百千';

/** Converts full-width digits (０-９) to ASCII so one code path handles both. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/**
 * Parses a number written in Arabic digits (half or full width) or Chinese numerals.
 * "二十一" → 21, "十" → 10, "二〇二一" → 2021 (digit by digit, the way years are written).
 * Returns null when the string is not a numeral.
 */
export function parseChineseNumeral(input: string): number | null {
  const s = toAsciiDigits(input.trim());
  if (s === '') return null;
  if (/^\d+$/.test(s)) return Number(s);
  if (![...s].every((ch) => ch in DIGITS || ch in UNITS)) return null;
  const hasUnit = [...s].some((ch) => ch in UNITS);
  return hasUnit ? parseWithUnits(s) : parseDigitByDigit(s);
}

// "二〇二一": years are read out digit by digit, without 十/百/千.
function parseDigitByDigit(s: string): number {
  return [...s].reduce((acc, ch) => acc * 10 + (DIGITS[ch] ?? 0), 0);
}

// "二十一", "一百零五": a digit multiplies the unit that follows; a bare unit means one of it.
function parseWithUnits(s: string): number | null {
  let total = 0;
  let pending: number | null = null;
  for (const ch of s) {
    const digit = DIGITS[ch];
    if (digit !== undefined) {
      if (pending !== null && pending !== 0) return null; // two digits in a row: "二三十"
      pending = digit;
      continue;
    }
    total += (pending ?? 1) * (UNITS[ch] ?? 0);
    pending = null;
  }
  return total + (pending ?? 0);
}

/** Writes 0…9999 the way headings do: 21 → "二十一", 10 → "十", 105 → "一百零五". */
export function toChineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) throw new RangeError(`cannot write ${n} in Chinese numerals`);
  if (n === 0) return '零';
  const names = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  const units: [number, string][] = [[1000, '千'], [100, '百'], [10, '十'], [1, '']];
  let out = '';
  let needZero = false;
  for (const [value, unit] of units) {
    const digit = Math.floor(n / value) % 10;
    if (digit === 0) {
      if (out !== '') needZero = true;
      continue;
    }
    if (needZero) out += '零';
    needZero = false;
    // Headings say "十一", not "一十一", when ten is the leading unit.
    out += value === 10 && out === '' && digit === 1 ? unit : `${names[digit]}${unit}`;
  }
  return out;
}
