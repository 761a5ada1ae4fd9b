// `cli ledger export`: the 督办台账 workbook from the same snapshot the pages and the digest use, read back with exceljs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/dispatch.ts';
import { runLedgerCommand } from '../../src/cli/ledger.ts';
import { CliUsageError, type CliContext } from '../../src/cli/runtime.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { ensureDemoRoster } from '../../src/members/members.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-01T00:00:00Z');
let store: Store;
let dir: string;
let lines: string[];
let ctx: CliContext;

beforeAll(async () => {
  store = await openTestStore('ledger');
  await importPlanFile(store, BUNDLED_PLAN, clock);
  await ensureDemoRoster(store, clock);
  const bot = createBot({ store, clock, logger: createLogger('silent'), notifier: { notifyUsers: async () => undefined } }, COMMANDS);
  const say = async (userid: string, text: string, at: string) => {
    clock.set(new Date(`${at}+08:00`));
    return (await bot.handle({ channel: 'test', userid, text, msgId: `${userid}-${at}`, at: clock.now() })).messages.join('\n');
  };
  expect(await say('demo-liaison-01', '汇报 7.5 30% 已对接快递企业', '2021-07-20T10:00:00')).toContain('已记录');
  expect(await say('demo-liaison-01', '汇报 7.5 60% 已完成电商培训两期', '2021-07-27T15:00:00')).toContain('已记录');
  clock.set(new Date('2021-07-29T02:00:00Z'));
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  lines = [];
  ctx = { config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, out: (l) => lines.push(l), store: async () => store, close: async () => undefined };
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (ws: ExcelJS.Worksheet) => ws.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1));

describe('ledger export', () => {
  it('writes 台账 (a row per task × department), 汇报记录 and 部门汇报率', async () => {
    const out = join(dir, 'ledger.xlsx');
    expect(await runLedgerCommand(['export', '--out', out], ctx)).toBe(0);
    expect(lines.join('\n')).toContain(out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['台账', '汇报记录', '部门汇报率']);
    const ledger = rowsOf(wb.getWorksheet('台账')!);
    const jmb = ledger.find((r) => r[1] === '7.5' && r[3] === '经贸办')!;
    expect([jmb[6], jmb[7] ?? '', jmb[8]]).toEqual(['推进中', '', 60]); // 当前状态, 退回/受阻原因, 进度
    expect(jmb[9]).toBeInstanceOf(Date);
    expect((jmb[9] as Date).toISOString()).toBe('2021-07-27T15:00:00.000Z'); // Shanghai wall-clock time, as Excel shows it
    expect(jmb[10]).toBe('已完成电商培训两期');
    const cjb = ledger.find((r) => r[1] === '7.5' && r[3] === '村建办')!; // its own row, though only 经贸办 reported
    expect(cjb[6]).toBe('未汇报');
    expect(cjb[10] ?? '').toBe('');
    // A collective task (镇直各部门) gives every department its own row, as its obligations do.
    const collective = ledger.filter((r) => r[1] === '8');
    expect(collective.length).toBeGreaterThan(20);
    expect(new Set(collective.map((r) => r[3])).size).toBe(collective.length);
    const reports = rowsOf(wb.getWorksheet('汇报记录')!);
    expect(reports.map((r) => [r[0], r[2], r[3], r[5], r[7]])).toEqual([
      ['2021-07-20 10:00', '7.5', '经贸办', '推进中', '已对接快递企业'],
      ['2021-07-27 15:00', '7.5', '经贸办', '推进中', '已完成电商培训两期'],
    ]);
    const rates = wb.getWorksheet('部门汇报率')!;
    const header = (rates.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 2)).toEqual(['方案', '责任单位']);
    expect(header).toContain('2021-W29');
    expect(header).toContain('2021-W30');
    const jmbRates = rowsOf(rates).find((r) => r[1] === '经贸办')!;
    expect(jmbRates[header.indexOf('2021-W29')]).toBeGreaterThan(0);
  });

  it('exports one plan by name, and says which plans there are when the name is unknown', async () => {
    const plan = (await store.models.Plan.findOne({}).lean())!;
    expect(await runLedgerCommand(['export', '--out', join(dir, 'one.xlsx'), '--plan', plan.title], ctx)).toBe(0);
    await expect(runLedgerCommand(['export', '--out', join(dir, 'x.xlsx'), '--plan', '没有这个方案'], ctx)).rejects.toThrow(CliUsageError);
    await expect(runLedgerCommand(['export', '--out', join(dir, 'x.csv')], ctx)).rejects.toThrow(CliUsageError);
  });
});
