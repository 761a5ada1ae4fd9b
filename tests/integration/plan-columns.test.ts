// A table whose columns the automatic pass cannot read: refused naming its columns, imported with --columns,
// and read the same way next time because the mapping is remembered for that header.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan.ts';
import type { CliContext } from '../../src/cli/runtime.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let ctx: CliContext;
let lines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'plan-columns-'));

async function cli(...argv: string[]) {
  lines = [];
  const code = await runPlanCommand(argv, ctx);
  return { code, out: lines.join('\n') };
}

const table = (title: string) => [
  title,
  ['编号', '事项', '谁办', '何时'].join('\t'),
  ['1', '把村口的路灯修好，保证晚上通行安全。', '老王', '2024年3月底前'].join('\t'),
  ['2', '组织村民清理河道垃圾，每月一次。', '小李', '2024年6月底前'].join('\t'),
].join('\n');

beforeAll(async () => {
  store = await openTestStore('plancolumns');
  ctx = {
    config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock: new ManualClock('2024-01-10T02:00:00Z'),
    out: (line) => lines.push(line), store: async () => store, close: async () => undefined,
  };
});
afterAll(async () => store.close());

describe('plan import with a column mapping', () => {
  it('refuses the table naming its columns, imports it with --columns, and remembers the mapping', async () => {
    const first = join(dir, 'a.txt');
    writeFileSync(first, table('杨柳村2024年村务工作安排'));
    const refused = await cli('import', first, '--name', '村务', '--yes');
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('A 编号、B 事项、C 谁办、D 何时');
    expect(refused.out).toContain('--columns');

    const parsed = await cli('parse', first, '--json', '--columns', '序号=A,任务=B,责任单位=C,完成时限=D');
    const json = JSON.parse(parsed.out) as { tables: { by: string; columns: { letter: string; role: string }[] }[]; tasks: { departments: string[] }[] };
    expect(json.tables[0]?.by).toBe('mapping');
    expect(json.tasks.map((t) => t.departments)).toEqual([['老王'], ['小李']]);

    const imported = await cli('import', first, '--name', '村务', '--columns', '序号=A,任务=B,责任单位=C,完成时限=D', '--yes');
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('按指定的列');
    expect(imported.out).toContain('老王：任务 1');
    expect(await store.models.Task.countDocuments({})).toBe(2);

    // Another document with the same header is read with the remembered mapping.
    const second = join(dir, 'b.txt');
    writeFileSync(second, table('杨柳村2025年村务工作安排'));
    const again = await cli('import', second, '--name', '村务新', '--yes');
    expect(again.out).toContain('按当时指定的列对应读取');
    expect(again.code).toBe(0);
    expect(await store.models.Task.countDocuments({})).toBe(4);
  });
});
