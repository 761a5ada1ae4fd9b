// Judges what each column of a task table holds from two kinds of evidence: the words over it
// (column-words.ts) and the shapes of its cells (cell-shapes.ts). Header words alone are not enough —
// offices name the task column after the plan's subject ("农村人居环境整治提升") or call the deadline
// 时间安排 — so a column without a known word takes the role its cells show, and a column whose cells
// contradict its word (people under 责任单位, progress reports under 工作内容) follows the cells.
import {
  looksLikeDeadlineCell, looksLikeNumberCell, looksLikePeopleCell, looksLikeProgressCell, looksLikeUnitCell,
} from './cell-shapes.ts';
import type { ColumnRole } from './column-words.ts';

export interface ColumnJudgement {
  role: ColumnRole | null;
  /** 0–1: how sure the judgement is (words and cells agreeing ≈ 0.95, cells alone ≈ 0.7, words alone ≈ 0.5). */
  confidence: number;
  /** The header as seen over the column (rows of a multi-row header joined). */
  header: string;
  /** The role the cells alone suggest. */
  cells?: ColumnRole | null;
  /** The mean length of its filled cells. */
  length?: number;
}

interface Shape {
  filled: number;
  number: number;
  unit: number;
  people: number;
  deadline: number;
  progress: number;
  long: number;
  avgLength: number;
  distinct: number;
}

function shapeOf(cells: string[], known: ReadonlySet<string>): Shape {
  const filled = cells.filter((c) => c !== '');
  const n = Math.max(filled.length, 1);
  const share = (test: (c: string) => boolean): number => filled.filter(test).length / n;
  return {
    filled: filled.length,
    number: share(looksLikeNumberCell),
    unit: share((c) => looksLikeUnitCell(c, known)),
    people: share(looksLikePeopleCell),
    deadline: share(looksLikeDeadlineCell),
    progress: share(looksLikeProgressCell),
    long: share((c) => c.length >= 12 || /[，。；,;]/.test(c)),
    avgLength: filled.reduce((s, c) => s + c.length, 0) / n,
    distinct: new Set(filled).size / n,
  };
}

/** The role the cells alone suggest; 'topic' for text, 'category' for short repeated labels. */
function contentRole(s: Shape): ColumnRole | null {
  if (s.filled === 0) return null;
  if (s.people >= 0.6) return 'leaders';
  if (s.number >= 0.8 && s.avgLength <= 5) return 'seq';
  if (s.deadline >= 0.6) return 'deadline';
  if (s.unit >= 0.6) return 'units';
  if (s.progress >= 0.4) return 'note';
  if (s.long >= 0.5 || s.avgLength >= 10) return 'topic';
  if (s.distinct <= 0.7 && s.avgLength <= 16) return 'category';
  return null;
}

const UNIT_ROLES: ColumnRole[] = ['lead', 'units', 'assist'];
const TEXT_ROLES: ColumnRole[] = ['topic', 'text', 'category', 'chapter'];

function agrees(word: ColumnRole, cells: ColumnRole): boolean {
  if (word === cells) return true;
  if (UNIT_ROLES.includes(word) && cells === 'units') return true;
  return TEXT_ROLES.includes(word) && TEXT_ROLES.includes(cells);
}

/**
 * One judgement per column. `headers` holds each column's header text and the role its words name, `data` the rows below it.
 * `wordsFirst`: the header words already make a task table; cells may then only fill columns the
 * words leave unnamed with units, deadlines, leaders or notes, never a second task text.
 */
export function judgeColumns(
  headers: { text: string; word: ColumnRole | null }[], data: string[][], known: ReadonlySet<string>, wordsFirst: boolean,
): ColumnJudgement[] {
  const width = Math.max(headers.length, ...data.map((r) => r.length));
  const judgements: ColumnJudgement[] = [];
  for (let c = 0; c < width; c++) {
    const header = headers[c]?.text ?? '';
    const word = headers[c]?.word ?? null;
    const shape = shapeOf(data.map((r) => (r[c] ?? '').trim()), known);
    const cells = contentRole(shape);
    judgements.push({ ...weigh(header, word, cells, wordsFirst), cells, length: shape.avgLength });
  }
  return judgements;
}

function weigh(header: string, word: ColumnRole | null, cells: ColumnRole | null, wordsFirst: boolean): ColumnJudgement {
  if (word !== null && cells !== null && agrees(word, cells)) return { role: word, confidence: 0.95, header };
  if (word === null) {
    if (cells === null) return { role: null, confidence: 0, header };
    if (wordsFirst && TEXT_ROLES.includes(cells)) return { role: null, confidence: 0.3, header };
    return { role: cells, confidence: 0.7, header };
  }
  if (cells === null) return { role: word, confidence: 0.6, header };
  // Named people are leaders whatever the column is called; reports of progress are never tasks.
  if (cells === 'leaders' && word !== 'leaders') return { role: 'leaders', confidence: 0.7, header };
  if (cells === 'note' && TEXT_ROLES.includes(word)) return { role: 'note', confidence: 0.6, header };
  return { role: word, confidence: 0.5, header };
}
