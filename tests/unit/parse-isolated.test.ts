// Plan files from outside are parsed in a worker thread: the answer is the one parsePlanBuffer gives in this thread,
// options included; a file that is not a plan is refused with the same words; past the limits, a Chinese refusal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseColumnSpec } from '../../src/domain/plan/column-mapping.ts';
import { parsePlanBuffer, PlanReadError } from '../../src/domain/plan/index.ts';
import { parsePlanIsolated } from '../../src/plans/parse-isolated.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/plans');

describe('parsePlanIsolated', () => {
  it('gives the same parsed plan as the in-thread parse, for a .docx table and a text plan', async () => {
    for (const name of ['seed-nanwang-2021-table.docx', 'seed-nanwang-2021.txt']) {
      const bytes = readFileSync(join(FIXTURES, name));
      const opts = { knownUnits: ['经贸办', '财政所'] };
      expect(await parsePlanIsolated(bytes, name, opts)).toEqual(await parsePlanBuffer(bytes, name, opts));
    }
  });

  it('passes the column roles a person gave through to the worker', async () => {
    const bytes = readFileSync(join(FIXTURES, 'seed-nanwang-2021-table.xlsx'));
    const columns = parseColumnSpec('任务=B,牵头单位=C');
    const isolated = await parsePlanIsolated(bytes, 'plan.xlsx', { columns });
    expect(isolated).toEqual(await parsePlanBuffer(bytes, 'plan.xlsx', { columns }));
    // The roles change the reading, so an answer without them would differ.
    expect(isolated).not.toEqual(await parsePlanBuffer(bytes, 'plan.xlsx'));
  });

  it('refuses a file that is not a plan with the same PlanReadError', async () => {
    const bytes = Buffer.from('not a zip at all');
    const expected = (await parsePlanBuffer(bytes, 'fake.docx').catch((err: unknown) => err)) as PlanReadError;
    const got = await parsePlanIsolated(bytes, 'fake.docx').catch((err: unknown) => err);
    expect(got).toBeInstanceOf(PlanReadError);
    expect(got).toMatchObject({ code: expected.code, message: expected.message });
  });

  it('stops the worker and refuses in Chinese when the time is up', async () => {
    // Other limits than the warm worker's: a fresh worker, whose start alone outlasts the millisecond.
    const bytes = readFileSync(join(FIXTURES, 'seed-nanwang-2021-table.docx'));
    const got = await parsePlanIsolated(bytes, 'plan.docx', {}, { timeoutMs: 1, maxOldGenerationSizeMb: 256 }).catch((err: unknown) => err);
    expect(got).toBeInstanceOf(PlanReadError);
    expect((got as PlanReadError).message).toBe('方案文件太大或太复杂，未能在 1 秒内读完。');
    // The stopped worker is not reused: the next parse gets a working one.
    expect(await parsePlanIsolated(bytes, 'plan.docx', {}, { timeoutMs: 20_000, maxOldGenerationSizeMb: 256 })).toEqual(await parsePlanBuffer(bytes, 'plan.docx'));
  });
});
