// The admin's way to fix a misread plan: export it as a 任务分解表, correct it in Excel, import it again. An
// untouched export must import back to the very same tasks; the same plan as a Word or Excel table must give
// the same tasks and units as the text.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan.ts';
import type { CliContext } from '../../src/cli/runtime.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { parsePlanFile } from '../../src/domain/plan/index.ts';
import { createLogger } from '../../src/logger.ts';
import { BUNDLED_PLAN, readPlanSource } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { previewImport } from '../../src/store/import-plan.ts';
import { openTestStore } from '../helpers/store.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/plans');
let store: Store;
let ctx: CliContext;
let lines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'round-trip-'));

async function cli(...argv: string[]) {
  lines = [];
  const code = await runPlanCommand(argv, ctx);
  return { code, out: lines.join('\n') };
}

// Every unit under 牵头单位 says the same as no unit marked lead: the importer stores both as "no lead".
const TASK_VIEW = (t: { code: string; text: string; departments: string[]; lead: string[]; deadline: string | null; deadlineText: string | null; sectionTitle: string; chapterTitle: string }) => ({
  code: t.code, text: t.text, departments: t.departments, lead: t.departments.every((d) => t.lead.includes(d)) ? [] : t.lead,
  deadline: t.deadline, deadlineText: t.deadlineText, sectionTitle: t.sectionTitle, chapterTitle: t.chapterTitle,
});

beforeAll(async () => {
  store = await openTestStore('roundtrip');
  ctx = {
    config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock: new ManualClock('2021-07-26T02:00:00Z'),
    out: (line) => lines.push(line), store: async () => store, close: async () => undefined,
  };
  expect((await cli('import', BUNDLED_PLAN, '--yes')).code).toBe(0);
});
afterAll(async () => store.close());

describe('plan export → plan import', () => {
  it('reads an untouched export back to identical tasks: nothing new, changed or retired', async () => {
    const out = join(dir, '政务公开.xlsx');
    const exported = await cli('export', '政务公开', '--out', out);
    expect(exported.code).toBe(0);
    const { parsed } = await readPlanSource(out);
    const original = (await readPlanSource(BUNDLED_PLAN)).parsed;
    expect(parsed.plan.docNumber).toBe(original.plan.docNumber);
    expect(parsed.tasks.map(TASK_VIEW)).toEqual(original.tasks.map(TASK_VIEW));
    const preview = await previewImport(store, parsed);
    expect(preview.refusal).toBeNull();
    expect(preview.existingStatus).toBe('active');
    expect({ created: preview.created, updated: preview.updated, retired: preview.retired }).toEqual({ created: [], updated: [], retired: [] });
    expect(preview.unchanged).toHaveLength(65);
    const again = await cli('import', out, '--yes');
    expect(again.out).toContain('新增 0，更新 0，未变 65，停用 0');
  });

  it('takes an edit made in the spreadsheet as a change to that task only', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const out = join(dir, 'edited.xlsx');
    await cli('export', '政务公开', '--out', out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0]!;
    ws.eachRow((row) => {
      if (row.getCell(2).value === '7.6') row.getCell(5).value = '经贸办、统计站';
    });
    await wb.xlsx.writeFile(out);
    const preview = await previewImport(store, (await readPlanSource(out)).parsed);
    expect(preview.updated).toEqual(['7.6']);
    expect(preview.responsibility).toEqual([{ code: '7.6', before: ['经贸办'], after: ['经贸办', '统计站'] }]);
  });
});

describe('the same plan as a table', () => {
  it.each(['seed-nanwang-2021-table.docx', 'seed-nanwang-2021-table.xlsx'])('%s gives the seed’s 65 tasks with the same units', async (file) => {
    const table = await parsePlanFile(join(FIXTURES, file));
    const text = await parsePlanFile(BUNDLED_PLAN);
    expect(table.tasks.map((t) => [t.code, t.departments])).toEqual(text.tasks.map((t) => [t.code, t.departments]));
  });
});

describe('files that are not plans', () => {
  it('refuses a file whose bytes are not what its name says, changing nothing', async () => {
    const { writeFileSync } = await import('node:fs');
    const fake = join(dir, 'fake.docx');
    writeFileSync(fake, '这不是 Word 文件');
    const r = await cli('import', fake, '--yes');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('现有方案未改动');
    expect(await store.models.Plan.countDocuments({})).toBe(1);
  });
});
