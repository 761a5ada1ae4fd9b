// Scores the plan parser against the corpus (tests/fixtures/plans/corpus/*.expected.json): each file names
// its document and the items a reader found in it, with their lead and assisting units and deadline.
//   npm run -s eval:plans            one line per document, then the totals
//   npm run -s eval:plans -- --json  the totals as one JSON object
// An item is found when a task's text contains the expected wording. Lead is right when the task's lead units
// (all its units when the document names no lead) are exactly the expected ones; assist is right when the rest
// are exactly the expected assisting units, so a stray unit counts against it. Unit names are compared after the
// product's own normalisation (full-width parentheses, no stray spaces), since that is how a unit is stored.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePlan, parsePlanFile, PlanReadError, type ParsedPlan, type ParsedTask } from '../src/domain/plan/index.ts';
import { blocksOutline } from '../src/domain/plan/blocks-outline.ts';
import { planFromOutline } from '../src/domain/plan/parse-plan.ts';
import { normalizeUnitName } from '../src/domain/plan/units.ts';

const CORPUS = fileURLToPath(new URL('../tests/fixtures/plans/corpus/', import.meta.url));

interface Expected {
  file: string;
  source: string;
  items: { text: string; lead: string[]; assist: string[]; deadline: string | null }[];
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

const totals = { documents: 0, items: 0, found: 0, leadRight: 0, assistRight: 0, deadlineRight: 0, duplicateCodes: 0, emptyDocuments: 0, headerRowsAsTasks: 0 };
const lines: string[] = [];
for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.expected.json')).sort()) {
  const expected = JSON.parse(readFileSync(resolve(CORPUS, name), 'utf8')) as Expected;
  const plan = await parse(expected.file);
  const tasks = plan?.tasks ?? [];
  const doc = { items: expected.items.length, found: 0, lead: 0, assist: 0, deadline: 0 };
  const used = new Set<ParsedTask>();
  const misses: string[] = [];
  for (const item of expected.items) {
    const task = tasks.find((t) => !used.has(t) && squash(t.text).includes(squash(item.text)));
    if (!task) {
      misses.push(`缺 ${item.text}`);
      continue;
    }
    used.add(task);
    doc.found++;
    const got = roles(task);
    // Names are compared as the product stores them: 各镇(街) and 各镇（街） are one unit.
    item.lead = item.lead.map(normalizeUnitName);
    item.assist = item.assist.map(normalizeUnitName);
    if (sameSet(got.lead, item.lead)) doc.lead++;
    else misses.push(`${task.code} 牵头 ${got.lead.join('、')} ≠ ${item.lead.join('、')}`);
    if (sameSet(got.assist, item.assist)) doc.assist++;
    else misses.push(`${task.code} 配合 ${got.assist.join('、')} ≠ ${item.assist.join('、')}`);
    if (task.deadline === item.deadline) doc.deadline++;
    else misses.push(`${task.code} 时限 ${task.deadline} ≠ ${item.deadline}`);
  }
  totals.documents++;
  totals.items += doc.items;
  totals.found += doc.found;
  totals.leadRight += doc.lead;
  totals.assistRight += doc.assist;
  totals.deadlineRight += doc.deadline;
  totals.duplicateCodes += tasks.length - new Set(tasks.map((t) => t.code)).size;
  if (tasks.length === 0) totals.emptyDocuments++;
  totals.headerRowsAsTasks += tasks.filter((t) => HEADER_WORDS.test(squash(t.code)) || HEADER_WORDS.test(squash(t.text)) || t.departments.some((d) => HEADER_WORDS.test(d))).length;
  lines.push(`${basename(expected.file).padEnd(34)} ${plan === null ? 'refused' : `${tasks.length} tasks`}  found ${doc.found}/${doc.items}  lead ${doc.lead}  assist ${doc.assist}  deadline ${doc.deadline}`);
  for (const m of misses) lines.push(`    ${m}`);
}

if (process.argv.includes('--json')) console.log(JSON.stringify(totals));
else console.log([...lines, JSON.stringify(totals)].join('\n'));
