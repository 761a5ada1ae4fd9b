// Input normalisation and splitting long replies into WeCom-sized messages (limits are in UTF-8 bytes).
import { describe, expect, it } from 'vitest';
import { byteLength, normalizeInput, splitByBytes, splitNumbered, toHalfWidth } from '../../src/domain/text.ts';

/** A deterministic pseudo-random generator so failures can be reproduced. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['a', 'Z', '7', ' ', '汇', '报', '，', '％', '😀', 'é'];

function randomText(rand: () => number, lines: number, maxLine: number): string {
  return Array.from({ length: lines }, () => {
    const n = Math.floor(rand() * maxLine);
    return Array.from({ length: n }, () => PIECES[Math.floor(rand() * PIECES.length)]!).join('');
  }).join('\n');
}

const NUMBER_PREFIX = /^（(\d+)\/(\d+)）\n/;

describe('toHalfWidth and normalizeInput', () => {
  it('turns full-width digits, letters, punctuation and spaces into ASCII and leaves Chinese alone', () => {
    expect(toHalfWidth('７．５　６０％')).toBe('7.5 60%');
    expect(toHalfWidth('ｈｅｌｐ，ＡＢＣ！（）：')).toBe('help,ABC!():');
    expect(toHalfWidth('汇报经贸办')).toBe('汇报经贸办');
    expect(toHalfWidth('，')).toBe(','); // U+FF0C
    expect(toHalfWidth('、。')).toBe('、。'); // not in the full-width ASCII block
  });

  it('keeps the string length, so offsets found in the folded text apply to the original', () => {
    const s = '汇报　７．５，６０％ 已对接';
    expect(toHalfWidth(s)).toHaveLength(s.length);
  });

  it('trims, drops zero-width characters and collapses runs of white space', () => {
    expect(normalizeInput('\u200b  汇报　　７．５ \t ６０％\ufeff ')).toBe('汇报 7.5 60%');
    expect(normalizeInput('\u200b\u3000 ')).toBe('');
  });
});

describe('byteLength', () => {
  it('counts CJK as 3 bytes, ASCII as 1, and an emoji as 4', () => {
    expect(byteLength('a')).toBe(1);
    expect(byteLength('汇')).toBe(3);
    expect(byteLength('汇报 7.5')).toBe(10);
    expect(byteLength('，')).toBe(3);
    expect(byteLength('😀')).toBe(4);
  });
});

describe('splitByBytes', () => {
  it('returns short text unchanged as one part', () => {
    expect(splitByBytes('汇报 7.5 60%', 2048)).toEqual(['汇报 7.5 60%']);
    expect(splitByBytes('', 10)).toEqual(['']);
  });

  it('counts bytes, not characters: 700 CJK characters do not fit in 2048 bytes', () => {
    const text = '汇'.repeat(700); // 700 characters, 2100 bytes
    const parts = splitByBytes(text, 2048);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => byteLength(p) <= 2048)).toBe(true);
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toBe('汇'.repeat(682)); // 2046 bytes: one more would be 2049
  });

  it('splits on line boundaries and keeps every line, in order', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `第${i + 1}行：经贸办 推进中 ${i}%`);
    const text = lines.join('\n');
    const parts = splitByBytes(text, 200);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(byteLength(p)).toBeLessThanOrEqual(200);
    expect(parts.flatMap((p) => p.split('\n'))).toEqual(lines); // no line was cut: each fits
  });

  it('cuts a line longer than the limit by characters, never inside a character', () => {
    const line = '电商换市'.repeat(30); // 360 bytes
    const parts = splitByBytes(`开头\n${line}\n结尾`, 100);
    for (const p of parts) expect(byteLength(p)).toBeLessThanOrEqual(100);
    expect(parts.join('\n').replace(/\n/g, '')).toBe(`开头${line}结尾`);
    expect(parts.join('')).not.toContain('\ufffd');
  });

  it('never exceeds the limit and loses no text, on random mixed input', () => {
    const rand = rng(20210726);
    for (let round = 0; round < 200; round++) {
      const text = randomText(rand, 1 + Math.floor(rand() * 30), 60);
      const max = 8 + Math.floor(rand() * 120);
      const parts = splitByBytes(text, max);
      for (const p of parts) expect(byteLength(p), `round ${round}, max ${max}`).toBeLessThanOrEqual(max);
      // Order kept: the parts, concatenated, are the text with some line breaks dropped (and only those).
      expect(parts.join('').replace(/\n/g, ''), `round ${round}`).toBe(text.replace(/\n/g, ''));
      // A line that fits is never cut in two.
      for (const line of text.split('\n')) {
        if (line !== '' && byteLength(line) <= max) expect(parts.some((p) => p.split('\n').includes(line))).toBe(true);
      }
    }
  });
});

describe('splitNumbered', () => {
  it('leaves a message that fits alone, without a number', () => {
    expect(splitNumbered('你好', 2048)).toEqual(['你好']);
  });

  it('numbers the parts (1/n)…(n/n) and keeps each, number included, within the limit', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `${i + 1}. 任务 7.${i} 实施“电商换市”战略 — 推进中 60%`);
    const text = lines.join('\n');
    const parts = splitNumbered(text, 2048);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(byteLength(p)).toBeLessThanOrEqual(2048);
      const m = NUMBER_PREFIX.exec(p);
      expect(m?.[1]).toBe(String(i + 1));
      expect(m?.[2]).toBe(String(parts.length));
    });
    const body = parts.map((p) => p.replace(NUMBER_PREFIX, ''));
    expect(body.flatMap((b) => b.split('\n'))).toEqual(lines);
  });

  it('stays within the limit when there are 100 parts or more (three-digit numbers)', () => {
    for (const [text, max] of [
      ['a'.repeat(5000), 40],
      ['a\n'.repeat(3000), 24],
      ['汇'.repeat(2000), 60],
    ] as const) {
      const parts = splitNumbered(text, max);
      expect(parts.length).toBeGreaterThanOrEqual(100);
      for (const p of parts) expect(byteLength(p), `max ${max}`).toBeLessThanOrEqual(max);
      expect(parts.map((p) => p.replace(NUMBER_PREFIX, '')).join('\n').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
      expect(NUMBER_PREFIX.exec(parts.at(-1)!)?.slice(1)).toEqual([String(parts.length), String(parts.length)]);
    }
  });

  it('never exceeds the limit on random mixed input', () => {
    const rand = rng(7);
    for (let round = 0; round < 200; round++) {
      const text = randomText(rand, 1 + Math.floor(rand() * 40), 80);
      const max = 30 + Math.floor(rand() * 200);
      const parts = splitNumbered(text, max);
      for (const p of parts) expect(byteLength(p), `round ${round}, max ${max}`).toBeLessThanOrEqual(max);
      const body = parts.length === 1 ? parts : parts.map((p) => p.replace(NUMBER_PREFIX, ''));
      expect(body.join('').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
    }
  });
});
