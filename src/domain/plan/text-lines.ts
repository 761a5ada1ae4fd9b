// Lines of plan text: cleaning what Word exports leave behind, joining lines broken
// mid-sentence, and the parenthesis arithmetic the other stages share.

/** A cleaned, non-empty line and where it was in the document (1-based), for warnings. */
export interface SourceLine {
  text: string;
  line: number;
}

// Conversion debris: pandoc/mammoth bookmarks ("[bookmark: _GoBack]"), pandoc anchors.
const DEBRIS = [/\[bookmark:[^\]]*\]/gi, /\{#[^}\s]*\s*\.anchor\}/g];
// Zero-width and formatting characters that Word leaves behind and that break matching.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060\ufeff\u00ad]/g;

/** Splits into trimmed, non-empty lines with debris and invisible characters removed. */
export function cleanLines(text: string): string[] {
  return sourceLines(text).map((l) => l.text);
}

/** Like cleanLines, keeping each line's number in the original text. */
export function sourceLines(text: string): SourceLine[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\f\v\u2028\u2029]/g, '\n')
    .split('\n')
    .map((raw, i) => ({ text: cleanLine(raw), line: i + 1 }))
    .filter((l) => l.text !== '');
}

function cleanLine(line: string): string {
  let out = line.replace(INVISIBLE, '').replace(/[\u00a0\t]/g, ' ');
  for (const pattern of DEBRIS) out = out.replace(pattern, '');
  return out.trim();
}

/** Joins lines broken mid-sentence: Chinese needs no space; Latin words do. */
export function joinLines(lines: string[]): string {
  return lines.reduce((acc, line) => {
    if (acc === '') return line;
    const space = /[A-Za-z]$/.test(acc) && /^[A-Za-z]/.test(line) ? ' ' : '';
    return acc + space + line;
  }, '');
}

export function trimEndPunctuation(s: string): string {
  return s.replace(/[。；;，,、：:\s]+$/, '').trim();
}

/** A line ending like this closes its sentence, so a numbered line after it is a new item. */
export function endsSentence(line: string): boolean {
  return /[。！？!?；;：:）)”"」』】》]$/.test(line);
}

export function firstOutsideParentheses(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) {
    if (chars.includes(s[i] ?? '') && depthAt(s, i) === 0) return i;
  }
  return -1;
}

/** How many parentheses are open just before position i. */
export function depthAt(s: string, i: number): number {
  let depth = 0;
  for (const ch of s.slice(0, i)) {
    if (ch === '（' || ch === '(') depth++;
    if ((ch === '）' || ch === ')') && depth > 0) depth--;
  }
  return depth;
}

/** A short excerpt of a line for a warning. */
export function excerpt(s: string, max = 30): string {
  return s.length > max ? `${s.slice(0, max)}……` : s;
}
