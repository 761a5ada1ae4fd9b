// What Chinese input methods produce, made uniform: full-width letters, digits, punctuation and spaces.

/** Full-width → half-width for ASCII-range characters and the ideographic space; Chinese stays as is. */
export function toHalfWidth(s: string): string {
  return s
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** Trim, unify widths, drop zero-width characters, collapse runs of white space. */
export function normalizeInput(s: string): string {
  return toHalfWidth(s.replace(/[\u200b-\u200d\ufeff]/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

/** UTF-8 byte length: WeCom's limits are in bytes, and a Chinese character takes three. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Splits text into parts of at most maxBytes, on line boundaries where possible. */
export function splitByBytes(text: string, maxBytes: number): string[] {
  if (byteLength(text) <= maxBytes) return [text];
  const parts: string[] = [];
  let current = '';
  const push = () => {
    if (current !== '') parts.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (byteLength(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    push();
    if (byteLength(line) <= maxBytes) {
      current = line;
      continue;
    }
    // A single line longer than the limit: cut it by characters.
    let piece = '';
    for (const ch of line) {
      if (byteLength(piece + ch) > maxBytes) {
        parts.push(piece);
        piece = '';
      }
      piece += ch;
    }
    current = piece;
  }
  push();
  return parts;
}

/** Splits and numbers the parts "（1/3）" so a reader on a phone knows more is coming. */
export function splitNumbered(text: string, maxBytes: number): string[] {
  // Room is left for the widest number; with 100 parts or more "（99/99）" is not wide enough, so widen and split again.
  for (let digits = 2; ; digits++) {
    const widest = '9'.repeat(digits);
    const parts = splitByBytes(text, maxBytes - byteLength(`（${widest}/${widest}）\n`));
    if (parts.length === 1) return parts;
    if (String(parts.length).length <= digits) return parts.map((p, i) => `（${i + 1}/${parts.length}）\n${p}`);
  }
}
