// The seed plan in every format an office sends it gives the same 65 tasks: the text as
// written, a Word 任务分解表 (.docx and, converted by LibreOffice, .doc), and an Excel 分解表.
// The tables are written by tests/fixtures/plans/make-table-fixtures.ts.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePlan, parsePlanFile, type ParsedPlan, type ParsedTask } from '../../../src/domain/plan/index.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/plans/${name}`, import.meta.url));

type Pinned = Omit<ParsedTask, 'leaders'>;
let pinned: { plan: ParsedPlan['plan']; tasks: Pinned[] };

beforeAll(async () => {
  pinned = JSON.parse(await readFile(fixture('expected/seed-nanwang-2021.json'), 'utf8'));
});

const FIELDS = ['code', 'chapter', 'section', 'item', 'chapterTitle', 'sectionTitle', 'title', 'text', 'departments', 'collective', 'deadline', 'deadlineText'] as const;
const pick = (t: Pinned) => Object.fromEntries(FIELDS.map((k) => [k, t[k]]));

describe('the seed as text', () => {
  it('gives exactly the pinned 65 tasks, codes, units and deadlines, with no warnings', async () => {
    const plan = parsePlan(await readFile(fixture('seed-nanwang-2021.txt'), 'utf8'));
    expect(plan.tasks).toHaveLength(65);
    expect(plan.tasks.map((t) => ({ ...pick(t), lead: t.lead }))).toEqual(pinned.tasks.map((t) => ({ ...pick(t), lead: t.lead })));
    expect(plan.plan).toEqual(pinned.plan);
    expect(plan.warnings).toEqual([]);
    expect(plan.tasks.every((t) => t.leaders.length === 0)).toBe(true);
  });

  it('gives the same through parsePlanFile and as bytes of a .txt', async () => {
    const plan = await parsePlanFile(fixture('seed-nanwang-2021.txt'));
    expect(plan.tasks.map(pick)).toEqual(pinned.tasks.map(pick));
  });
});

describe.each([
  ['seed-nanwang-2021-table.docx', '.docx table: 重点任务 merged down its rows (w:vMerge), chapter rows across (w:gridSpan)'],
  ['seed-nanwang-2021-table.doc', '.doc of the same table (LibreOffice), read by word-extractor'],
])('%s', (name) => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = await parsePlanFile(fixture(name));
  });

  it('gives the same 65 tasks with the same codes, texts, sections, chapters, units and deadlines', () => {
    expect(plan.tasks).toHaveLength(65);
    expect(plan.tasks.map(pick)).toEqual(pinned.tasks.map(pick));
    expect(plan.tasks.map((t) => t.lead)).toEqual(pinned.tasks.map((t) => t.lead));
    expect(plan.warnings).toEqual([]);
  });

  it('reads the title and 文号 above the table and the signature below it', () => {
    expect(plan.plan).toEqual({ docNumber: '旺政发〔2021〕37号', title: '南旺镇2021年政务公开工作任务分解表', issuer: '南旺镇人民政府', date: '2021-06-11' });
    expect(plan.chapters.map((c) => c.title)).toEqual(pinned.tasks.map((t) => t.chapterTitle).filter((t, i, all) => all.indexOf(t) === i));
    expect(plan.sections).toHaveLength(21);
  });
});

describe('seed-nanwang-2021-table.xlsx (title rows, 责任单位 over 牵头单位 | 配合单位, merged 重点任务, 序号 restarting)', () => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = await parsePlanFile(fixture('seed-nanwang-2021-table.xlsx'));
  });

  it('gives the same 65 tasks with the same codes (built from 重点任务 + 序号), texts and units', () => {
    expect(plan.tasks).toHaveLength(65);
    expect(plan.tasks.map(pick)).toEqual(pinned.tasks.map(pick));
    expect(plan.warnings).toEqual([]);
  });

  it('keeps each unit with the role its column gives: 牵头单位 leads, 配合单位 assists', () => {
    for (const [i, t] of plan.tasks.entries()) {
      const seed = pinned.tasks[i]!;
      expect(t.lead).toEqual([seed.departments[0]]);
      expect(t.departments).toEqual(seed.departments);
    }
    expect(plan.tasks.find((t) => t.code === '13.2')).toMatchObject({
      lead: ['为民服务中心'],
      departments: ['为民服务中心', '村建办', '自然资源南旺事务中心', '教体办', '南旺医院', '应急办'],
    });
  });

  it('reads the title and 文号 from the rows above the header', () => {
    expect(plan.plan).toMatchObject({ docNumber: '旺政发〔2021〕37号', title: '南旺镇2021年政务公开工作任务分解表' });
  });
});

describe.each([
  ['seed-nanwang-2021-text.doc', 'a .doc written by LibreOffice from the text'],
  ['seed-nanwang-2021-text.docx', 'a .docx written by LibreOffice from the text'],
])('%s (%s)', (name) => {
  it('gives the same 65 tasks and header', async () => {
    const plan = await parsePlanFile(fixture(name));
    expect(plan.tasks.map(pick)).toEqual(pinned.tasks.map(pick));
    expect(plan.plan).toEqual(pinned.plan);
    expect(plan.warnings).toEqual([]);
  });
});

describe('the tables as saved again by an office suite (LibreOffice: .doc → .docx, .xlsx re-saved)', () => {
  it.each(['seed-nanwang-2021-table-libreoffice.docx', 'seed-nanwang-2021-table-libreoffice.xlsx'])('%s gives the same 65 tasks', async (name) => {
    const plan = await parsePlanFile(fixture(name));
    expect(plan.tasks.map(pick)).toEqual(pinned.tasks.map(pick));
    expect(plan.plan).toMatchObject({ docNumber: '旺政发〔2021〕37号', title: '南旺镇2021年政务公开工作任务分解表' });
    expect(plan.warnings).toEqual([]);
  });
});
