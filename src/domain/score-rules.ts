// The 考核细则 as the 党政办 writes it (config/考核细则.yaml): read, checked, and turned into the rules the scores
// use. Pure: the text in, rules or a list of problems out, each naming its line, so a start with a wrong file
// says exactly where to look.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';

/** The rules' events: what earns or costs points. */
export const SCORE_ITEMS = ['按时汇报', '按期办结', '缺报', '超期', '退回'] as const;
export type ScoreItem = (typeof SCORE_ITEMS)[number];
export const BONUS_ITEMS = ['按时汇报', '按期办结'] as const;
export const PENALTY_ITEMS = ['缺报', '超期', '退回'] as const;

export interface ScoreRule {
  item: ScoreItem;
  /** What the rule says, for the explanations. */
  text: string;
  /** Points per event: positive for a bonus, negative for a deduction. */
  points: number;
  /** Most points (as a positive number) the item may add or take per cap period; null for no cap. */
  cap: number | null;
}

export interface ScoreRules {
  base: number;
  capPer: 'month' | 'quarter' | 'year';
  rules: Record<ScoreItem, ScoreRule>;
  /** Where they were read from, for messages. */
  source: string;
}

export class ScoreRulesError extends Error {
  constructor(public readonly source: string, public readonly problems: Array<{ line: number | null; message: string }>) {
    super(`考核细则有误（${source}）：\n${problems.map((p) => `  - ${p.line ? `第 ${p.line} 行：` : ''}${p.message}`).join('\n')}`);
    this.name = 'ScoreRulesError';
  }
}

const points = z.number({ message: '分值须是数字' }).min(0, '分值写正数，加分扣分由所在的“加分”“扣分”决定').max(100, '分值不能超过 100');
const rule = z.object({
  说明: z.string({ message: '说明须是文字' }).optional(),
  分值: points,
  上限: z.number({ message: '上限须是数字' }).positive('上限须大于 0').nullable().optional(),
}, { message: '须写明“分值”，可选“上限”“说明”' }).strict();

const schema = z.object({
  基础分: z.number({ message: '基础分须是数字' }).min(0, '基础分不能小于 0').max(1000, '基础分不能超过 1000'),
  上限周期: z.enum(['月', '季度', '年'], { message: '上限周期只能是“月”“季度”或“年”' }).default('月'),
  加分: z.object({ 按时汇报: rule, 按期办结: rule }, { message: '“加分”下须有“按时汇报”和“按期办结”' }).strict(),
  扣分: z.object({ 缺报: rule, 超期: rule, 退回: rule }, { message: '“扣分”下须有“缺报”“超期”和“退回”' }).strict(),
}).strict();

const CAP_PER = { 月: 'month', 季度: 'quarter', 年: 'year' } as const;

/** Reads the rules' text; throws ScoreRulesError listing every problem with its line. */
export function parseScoreRules(text: string, source = '考核细则.yaml'): ScoreRules {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScoreRulesError(source, doc.errors.map((e) => ({ line: lines.linePos(e.pos[0]).line, message: `格式错误（${e.code}）：${e.message.split('\n')[0]}` })));
  }
  const result = schema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new ScoreRulesError(source, result.error.issues.map((issue) => ({ line: lineOf(doc, lines, issue), message: describeIssue(issue, doc.hasIn(issue.path.map(String))) })));
  }
  const v = result.data;
  const make = (item: ScoreItem, r: z.infer<typeof rule>, sign: 1 | -1): ScoreRule => ({
    item, text: r.说明 ?? item, points: sign * r.分值, cap: r.上限 ?? null,
  });
  return {
    base: v.基础分,
    capPer: CAP_PER[v.上限周期],
    source,
    rules: {
      按时汇报: make('按时汇报', v.加分.按时汇报, 1), 按期办结: make('按期办结', v.加分.按期办结, 1),
      缺报: make('缺报', v.扣分.缺报, -1), 超期: make('超期', v.扣分.超期, -1), 退回: make('退回', v.扣分.退回, -1),
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue, present: boolean): string {
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `${where ? `“${where}”下` : ''}不认识的项目：${issue.keys.join('、')}`;
  if (issue.code === 'invalid_type' && !present) return `缺少“${where}”`;
  return `${where ? `“${where}”：` : ''}${issue.message}`;
}

/** The line of the value an issue is about; for a missing key, the line of the map that should hold it. */
function lineOf(doc: Document, lines: LineCounter, issue: z.core.$ZodIssue): number | null {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const parent = path.length ? doc.getIn(path, true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && issue.keys.includes(String(p.key.value)));
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return lines.linePos(range[0]).line;
    }
  }
  for (let n = path.length; n >= 0; n--) {
    if (n > 0 && n < path.length) {
      // A key missing from a map: the line of that map's own key ("扣分:"), not of its first entry.
      const holder = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      const pair = isMap(holder) ? holder.items.find((p) => isScalar(p.key) && String(p.key.value) === path[n - 1]) : undefined;
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return lines.linePos(range[0]).line;
    }
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return null;
}
