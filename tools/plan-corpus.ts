// Scores the plan parser against the corpus (tests/fixtures/plans/corpus/*.expected.json): each file names
// its document and the items a reader found in it, with their lead and assisting units and deadline.
// Used by `npm run -s eval:plans` and by the corpus test, so the figures in the README and the test agree.
// An item is found when a task's text contains the expected wording. Lead is right when the task's lead units
// (all its units when the document names no lead) are exactly the expected ones; assist is right when the rest
// are exactly the expected assisting units, so a stray unit counts against it. Unit names are compared after the
// product's own normalisation (full-width parentheses, no stray spaces), since that is how a unit is stored.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePlan, parsePlanFile, PlanReadError, type ParsedPlan, type ParsedTask } from '../src/domain/plan/index.ts';
import { blocksOutline } from '../src/domain/plan/blocks-outline.ts';
import { planFromOutline } from '../src/domain/plan/parse-plan.ts';
import { normalizeUnitName } from '../src/domain/plan/units.ts';

export const CORPUS = fileURLToPath(new URL('../tests/fixtures/plans/corpus/', import.meta.url));

interface Expected {
  file: string;
  source: string;
  items: { text: string; lead: string[]; assist: string[]; deadline: string | null }[];
}

export interface ItemScore {
  text: string;
  found: boolean;
  leadRight: boolean;
  assistRight: boolean;
  deadlineRight: boolean;
  miss: string[];
}

export interface DocumentScore {
  name: string;
  file: string;
  refused: boolean;
  tasks: number;
  duplicateCodes: number;
  headerRowsAsTasks: number;
  items: ItemScore[];
}

export interface Totals {
  documents: number; items: number; found: number; leadRight: number; assistRight: number; deadlineRight: number;
  duplicateCodes: number; emptyDocuments: number; headerRowsAsTasks: number;
}

// Words that head a column; a task whose code, text or unit is one of them is a header row read as a task.
const HEADER_WORDS = /^(序号|编号|序|No\.?|工作任务|重点任务|任务|具体任务|工作内容|任务内容|具体要求|工作措施|责任单位|责任部门|责任科室|牵头单位|配合单位|责任|科室|单位|牵头|配合|完成时限|时限|完成时间|时间安排|时限要求|备注|类别)$/i;

async function parse(file: string): Promise<ParsedPlan | null> {
  const path = resolve(CORPUS, file);
  try {
    if (path.endsWith('.json')) {
      const { rows } = JSON.parse(readFileSync(path, 'utf8')) as { rows: string[][] };
      return planFromOutline(blocksOutline([{ kind: 'table', rows }]));
    }
    if (path.endsWith('.txt')) return parsePlan(readFileSync(path, 'utf8').replace(/^# 来源.*\n/, ''));
    return await parsePlanFile(path);
  } catch (err) {
    if (err instanceof PlanReadError) return null; // refused, with a reason
    throw err;
  }
}

const squash = (s: string): string => s.replace(/[\s\u3000]+/g, '');
const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

function roles(task: ParsedTask): { lead: string[]; assist: string[] } {
  const lead = task.lead.length > 0 ? task.lead : task.departments;
  return { lead, assist: task.departments.filter((d) => !lead.includes(d)) };
}

export const corpusFiles = (): string[] => readdirSync(CORPUS).filter((f) => f.endsWith('.expected.json')).sort();

export async function scoreDocument(name: string): Promise<DocumentScore> {
  const expected = JSON.parse(readFileSync(resolve(CORPUS, name), 'utf8')) as Expected;
  const plan = await parse(expected.file);
  const tasks = plan?.tasks ?? [];
  const used = new Set<ParsedTask>();
  const items = expected.items.map((item): ItemScore => {
    const task = tasks.find((t) => !used.has(t) && squash(t.text).includes(squash(item.text)));
    if (!task) return { text: item.text, found: false, leadRight: false, assistRight: false, deadlineRight: false, miss: [`缺 ${item.text}`] };
    used.add(task);
    const got = roles(task);
    const lead = item.lead.map(normalizeUnitName);
    const assist = item.assist.map(normalizeUnitName);
    const score = { text: item.text, found: true, leadRight: sameSet(got.lead, lead), assistRight: sameSet(got.assist, assist), deadlineRight: task.deadline === item.deadline, miss: [] as string[] };
    if (!score.leadRight) score.miss.push(`${task.code} 牵头 ${got.lead.join('、')} ≠ ${lead.join('、')}`);
    if (!score.assistRight) score.miss.push(`${task.code} 配合 ${got.assist.join('、')} ≠ ${assist.join('、')}`);
    if (!score.deadlineRight) score.miss.push(`${task.code} 时限 ${task.deadline} ≠ ${item.deadline}`);
    return score;
  });
  return {
    name,
    file: expected.file,
    refused: plan === null,
    tasks: tasks.length,
    duplicateCodes: tasks.length - new Set(tasks.map((t) => t.code)).size,
    headerRowsAsTasks: tasks.filter((t) => HEADER_WORDS.test(squash(t.code)) || HEADER_WORDS.test(squash(t.text)) || t.departments.some((d) => HEADER_WORDS.test(d))).length,
    items,
  };
}

export function totalsOf(documents: DocumentScore[]): Totals {
  const items = documents.flatMap((d) => d.items);
  return {
    documents: documents.length,
    items: items.length,
    found: items.filter((i) => i.found).length,
    leadRight: items.filter((i) => i.leadRight).length,
    assistRight: items.filter((i) => i.assistRight).length,
    deadlineRight: items.filter((i) => i.deadlineRight).length,
    duplicateCodes: documents.reduce((n, d) => n + d.duplicateCodes, 0),
    emptyDocuments: documents.filter((d) => d.tasks === 0).length,
    headerRowsAsTasks: documents.reduce((n, d) => n + d.headerRowsAsTasks, 0),
  };
}
