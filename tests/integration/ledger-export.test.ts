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
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';

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
  expect(await say('demo-liaison-01', '汇报 1.1 40% 规划目录已梳理', '2021-07-27T16:00:00')).toContain('已记录');
  // The walk-through: 7.1 finished and sent back with a reason; 7.5 finished and approved.
  expect(await say('demo-liaison-01', '完成 7.1 已开展企业家培训', '2021-07-28T09:00:00')).toContain('待审核');
  expect(await say('demo-admin', '退回 7.1 经贸办 缺少佐证材料', '2021-07-28T10:00:00')).toContain('已退回');
  expect(await say('demo-liaison-01', '完成 7.5 经贸办 电商培训全部完成', '2021-07-28T09:30:00')).toContain('待审核');
  expect(await say('demo-admin', '审核通过 7.5 经贸办', '2021-07-28T11:00:00')).toContain('已销号');
  expect(await say('demo-admin', '分管 demo-leader 经贸办 财政所', '2021-07-28T11:10:00')).toContain('经贸办');
  clock.set(new Date('2021-07-29T02:00:00Z'));
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  lines = [];
  ctx = { config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, out: (l) => lines.push(l), store: async () => store, close: async () => undefined };
});
afterAll(async () => {
  await store.close();
  if (process.env.KEEP_LEDGER) process.stdout.write(`ledger kept in ${dir}\n`); else rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (ws: ExcelJS.Worksheet) => ws.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1));

describe('ledger export', () => {
  it('writes a 台账 to hand over: title rows, 序号, 责任领导, 销号状态 with 审核意见, 超期 and 催办 apart, printed with titles', async () => {
    const out = join(dir, 'ledger.xlsx');
    expect(await runLedgerCommand(['export', '--out', out], ctx)).toBe(0);
    expect(lines.join('\n')).toContain(out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['台账', '部门汇报率']); // 汇报记录 only when asked
    const ws = wb.getWorksheet('台账')!;
    // The title rows: the plan as the 党政办 names it (from the plan's issuer and title), the office (the admins'
    // department) and the date.
    expect(ws.getCell('A1').value).toBe('南旺镇2021年政务公开工作督办台账');
    expect(ws.getCell('A2').value).toBe('编制：党政办');
    expect(String(ws.getCell('I2').value)).toBe('截至 2021年7月29日 10:00');
    const sheet = readLedgerSheet(ws);
    expect(sheet.headerRow).toBe(3);
    expect(sheet.header).toEqual([
      '序号', '方案', '编号', '任务', '责任单位', '牵头/配合', '责任领导', '完成时限', '进展', '进度 (%)', '最近汇报时间', '最近汇报说明',
      '销号状态', '审核意见', '超期 (天)', '催办次数', '佐证 (份)', '状态灯',
    ]);
    // Printed: A4 landscape, one page wide, the header on every page, page numbers in the footer.
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, printTitlesRow: '3:3' });
    expect(ws.headerFooter.oddFooter).toContain('&P');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(sheet.rows.map((r) => r['序号'])).toEqual(sheet.rows.map((_, i) => i + 1));

    const returned = sheet.row('7.1', '经贸办')!;
    expect(returned).toMatchObject({ 销号状态: '退回', 审核意见: '缺少佐证材料', 进展: '退回重办', 责任领导: '镇领导（演示）' });
    const closed = sheet.row('7.5', '经贸办')!;
    expect(closed).toMatchObject({ 销号状态: '已销号', 进展: '已完成', '进度 (%)': 100, 最近汇报说明: '电商培训全部完成' });
    expect(String(closed['审核意见'])).toBe('7月28日 审核通过（党政办管理员（演示））');
    expect(sheet.row('7.2', '科技办')).toMatchObject({ 销号状态: '', 进展: '未汇报', 责任领导: '' });
    expect((closed['最近汇报时间'] as Date).toISOString()).toBe('2021-07-28T09:30:00.000Z'); // Shanghai wall-clock time, as Excel shows it
    const open = sheet.row('1.1', '经贸办')!;
    expect([open['进展'], open['进度 (%)'], open['最近汇报说明'], open['销号状态']]).toEqual(['推进中', 40, '规划目录已梳理', '']);
    expect(sheet.row('7.5', '村建办')!['进展']).toBe('未汇报'); // its own row, though only 经贸办 reported
    // A collective task (镇直各部门) gives every department its own row, as its obligations do.
    const collective = sheet.rows.filter((r) => r['编号'] === '8');
    expect(collective.length).toBeGreaterThan(20);
    expect(new Set(collective.map((r) => r['责任单位'])).size).toBe(collective.length);

    const rates = wb.getWorksheet('部门汇报率')!;
    const header = (rates.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 2)).toEqual(['方案', '责任单位']);
    expect(header).toContain('7月19日—25日'); // 2021-W29, as a date
    expect(header).toContain('7月26日—8月1日');
    expect(rates.pageSetup.printTitlesRow).toBe('1:1');
    const jmbRates = rowsOf(rates).find((r) => r[1] === '经贸办')!;
    expect(jmbRates[header.indexOf('7月19日—25日')]).toBeGreaterThan(0);
  });

  it('adds every report as 汇报记录 when asked', async () => {
    const out = join(dir, 'with-reports.xlsx');
    expect(await runLedgerCommand(['export', '--out', out, '--reports'], ctx)).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['台账', '部门汇报率', '汇报记录']);
    const reports = rowsOf(wb.getWorksheet('汇报记录')!);
    expect(reports.filter((r) => r[2] === '7.5').map((r) => [r[0], r[2], r[3], r[5], r[7]])).toEqual([
      ['2021-07-20 10:00', '7.5', '经贸办', '推进中', '已对接快递企业'],
      ['2021-07-27 15:00', '7.5', '经贸办', '推进中', '已完成电商培训两期'],
      ['2021-07-28 09:30', '7.5', '经贸办', '已完成', '电商培训全部完成'],
    ]);
  });

  it('exports one plan by name, and says which plans there are when the name is unknown', async () => {
    const plan = (await store.models.Plan.findOne({}).lean())!;
    expect(await runLedgerCommand(['export', '--out', join(dir, 'one.xlsx'), '--plan', plan.title], ctx)).toBe(0);
    await expect(runLedgerCommand(['export', '--out', join(dir, 'x.xlsx'), '--plan', '没有这个方案'], ctx)).rejects.toThrow(CliUsageError);
    await expect(runLedgerCommand(['export', '--out', join(dir, 'x.csv')], ctx)).rejects.toThrow(CliUsageError);
  });
});
