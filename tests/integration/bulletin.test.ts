// The monthly 督查通报 and the 考核 scores after a scripted month of reports (some on time, one 超期, one 退回, one
// 受阻): the .docx's ranking table and lists match the 台账's 考核得分 sheet and the 考核 page; each department's
// score is the sum of its explained lines; a changed rule changes the scores; the monthly job sends the file to the
// group once (upload_media, then a file message), whatever instances run it; the file converts to PDF.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RANKING_HEADER, rankingRows } from '../../src/bulletin/docx.ts';
import { buildPeriodReview, type PeriodReview } from '../../src/bulletin/review.ts';
import { loadScoreRules } from '../../src/bulletin/rules-file.ts';
import { runBulletinCommand } from '../../src/cli/bulletin.ts';
import { runLedgerCommand } from '../../src/cli/ledger.ts';
import type { CliContext } from '../../src/cli/runtime.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { parsePeriod } from '../../src/domain/review-period.ts';
import { parseScoreRules } from '../../src/domain/score-rules.ts';
import { sumPoints } from '../../src/domain/scores.ts';
import { runBulletinJob } from '../../src/jobs/bulletin.ts';
import { createLogger } from '../../src/logger.ts';
import { findDemoLiaison } from '../../src/members/members.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { activePlans } from '../../src/store/plans.ts';
import { flushProgress } from '../../src/store/progress-cache.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const RULES_FILE = 'config/考核细则.yaml';
const clock = new ManualClock('2026-11-02T02:00:00Z'); // Monday 2 November 2026, 10:00 in Shanghai
const SETTINGS = { corpId: LOCAL_WECOM.corpId, agentId: LOCAL_WECOM.agentId, token: LOCAL_WECOM.token, encodingAESKey: LOCAL_WECOM.encodingAESKey };
const NOVEMBER = parsePeriod('month', '2026-11')!;
const ADMIN = 'demo-admin'; // 党政办, admin

let store: Store;
let service: Service;
let session: string;
let dir: string;
let msg = 0;
const liaison: Record<string, string> = {};
let docxPath: string;
let review: PeriodReview;
let ctx: CliContext;

async function say(userid: string, text: string, at: string): Promise<string> {
  clock.set(new Date(`${at}+08:00`));
  const cb = buildTextCallback(SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: `bulletin-${++msg}` });
  const res = await fetch(`${service.url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
  expect(res.status).toBe(200);
  return openPassiveReply(SETTINGS, await res.text())?.content ?? '';
}

/** Every table row of a .docx, as the cells' texts. */
async function docxTableRows(bytes: Buffer): Promise<string[][]> {
  const xml = await (await JSZip.loadAsync(bytes)).file('word/document.xml')!.async('string');
  const table = /<w:tbl>[\s\S]*?<\/w:tbl>/.exec(xml)![0];
  return [...table.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map(([row]) =>
    [...row.matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map(([cell]) => [...cell.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')));
}

async function docxText(bytes: Buffer): Promise<string> {
  const xml = await (await JSZip.loadAsync(bytes)).file('word/document.xml')!.async('string');
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map(([p]) => [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')).join('\n')
    .replaceAll('&quot;', '"').replaceAll('&amp;', '&');
}

beforeAll(async () => {
  store = await openTestStore('bulletin');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  for (const d of ['经贸办', '司法所']) liaison[d] = (await findDemoLiaison(store, d))!;
  dir = mkdtempSync(join(tmpdir(), 'bulletin-'));
  // November 2026: weeks W45–W48 (a week counts in the month of its Thursday).
  expect(await say(liaison['经贸办']!, '汇报 7.1 30% 技改项目完成摸底', '2026-11-02T10:00:00')).toContain('已记录');
  expect(await say(liaison['司法所']!, '汇报 15.3 40% 已与市直部门对接', '2026-11-03T10:00:00')).toContain('已记录');
  // A second report of 7.1 in W45: the progress cache keeps only the week's last one, every report keeps both.
  expect(await say(liaison['经贸办']!, '汇报 7.1 35% 摸底表已汇总', '2026-11-04T16:00:00')).toContain('已记录');
  expect(await say(liaison['经贸办']!, '汇报 7.1 50% 两家企业完成设备更新', '2026-11-10T10:00:00')).toContain('已记录');
  expect(await say(liaison['司法所']!, '完成 15.3 复议对接机制已建立', '2026-11-10T15:00:00')).toContain('');
  expect(await say(ADMIN, '退回 15.3 司法所 缺少佐证材料', '2026-11-11T09:00:00')).toContain('已退回');
  expect(await say(ADMIN, '汇报 19 受阻 等待上级培训安排', '2026-11-12T09:00:00')).toContain('已记录');
  expect(await say(liaison['经贸办']!, '汇报 7.1 70% 第三家企业在改造', '2026-11-17T10:00:00')).toContain('已记录');
  await say(liaison['经贸办']!, '完成 7.6 招商项目已签约', '2026-11-17T11:00:00');
  expect(await say(ADMIN, '审核通过 7.6 经贸办', '2026-11-18T09:00:00')).toContain('已销号');
  // Task 14 (due 2021年年底前) is 超期 for 党政办 and 司法所; 司法所 asks for a 延期 and an admin approves it.
  expect(await say(liaison['司法所']!, '延期 14 2026-12-31 需与法院协调', '2026-11-19T10:00:00')).toContain('已提交延期申请');
  expect(await say(ADMIN, '同意延期 14 司法所', '2026-11-19T11:00:00')).toContain('已同意延期：14 司法所');
  expect(await say(liaison['经贸办']!, '汇报 7.1 90% 验收准备中', '2026-11-24T10:00:00')).toContain('已记录');
  // Task 14 stays unreported: still 超期 for 党政办, no longer for 司法所 (延期 to 2026-12-31).
  clock.set(new Date('2026-12-01T10:00:00+08:00'));
  session = await loginAs(service.url, ADMIN);
  review = await buildPeriodReview(store, await activePlans(store), loadScoreRules(RULES_FILE), NOVEMBER, clock.now());
  docxPath = join(dir, '通报.docx');
  const lines: string[] = [];
  ctx = { config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, out: (l) => lines.push(l), store: async () => store, close: async () => undefined };
  expect(await runBulletinCommand(['--month', '2026-11', '--out', docxPath], ctx)).toBe(0);
  expect(lines.join('\n')).toContain('2026年11月督查通报');
}, 180_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the monthly 督查通报 and the 考核 scores', () => {
  it('ranks every department in the .docx as the 台账 sheet and the 考核 page do', async () => {
    const bytes = readFileSync(docxPath);
    const table = await docxTableRows(bytes);
    expect(table[0]).toEqual(RANKING_HEADER);
    const expected = rankingRows(review);
    expect(expected.length).toBeGreaterThan(20);
    expect(table.slice(1)).toEqual(expected);
    // 台账 (downloaded as an admin, the month named): the 考核得分 sheet's ranking rows.
    const res = await fetch(`${service.url}/web/ledger.xlsx?month=2026-11`, { headers: { cookie: `duban_session=${session}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = wb.getWorksheet('考核得分')!;
    const sheetRows: string[][] = [];
    for (let r = 1; r <= expected.length + 1; r++) sheetRows.push((sheet.getRow(r).values as unknown[]).slice(1).map(String));
    expect(sheetRows[0]).toEqual(RANKING_HEADER);
    expect(sheetRows.slice(1)).toEqual(table.slice(1));
    // The 台账 from the command line, the month named.
    const cliLedger = join(dir, '台账.xlsx');
    expect(await runLedgerCommand(['export', '--out', cliLedger, '--month', '2026-11'], ctx)).toBe(0);
    const cliWb = new ExcelJS.Workbook();
    await cliWb.xlsx.readFile(cliLedger);
    const cliSheet = cliWb.getWorksheet('考核得分')!;
    expect(Array.from({ length: expected.length }, (_, i) => (cliSheet.getRow(i + 2).values as unknown[]).slice(1).map(String))).toEqual(expected);
    // The page.
    const page = await (await fetch(`${service.url}/web/scores?month=2026-11`, { headers: { cookie: `duban_session=${session}` } })).text();
    const ranking = /<table class="table ranking">[\s\S]*?<\/table>/.exec(page)![0];
    const webRows = [...ranking.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, tr]) => [...tr!.matchAll(/<t[hd]>([^<]*)<\/t[hd]>/g)].map((m) => m[1]));
    expect(webRows).toEqual(table);
  });

  it('lists the items done on time and those that need attention, with their units and latest notes', async () => {
    const text = await docxText(readFileSync(docxPath));
    for (const part of ['督 查 通 报', '督通〔2026〕', '南旺镇党政办公室', '2026年11月督查督办情况通报', '一、总体情况', '二、各单位推进情况排名', '三、完成较好的事项', '四、需要关注的事项', '五、下一步工作']) {
      expect(text).toContain(part);
    }
    const section = (from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));
    const good = section('三、完成较好的事项', '四、需要关注的事项');
    expect(good).toMatch(/任务 7\.6“[^”]+”（经贸办）：11月18日销号；最新进展（11月17日）：招商项目已签约/);
    const overdue = section('（一）超期未完成事项', '（二）推进受阻事项');
    expect(overdue).toMatch(/任务 14“[^”]+”（党政办）：超期 \d+ 天/);
    expect(overdue).not.toContain('（司法所）');
    expect(section('（二）推进受阻事项', '（三）审核退回事项')).toMatch(/任务 19“[^”]+”（党政办）：受阻；原因：等待上级培训安排；最新进展（11月12日）：等待上级培训安排/);
    expect(section('（三）审核退回事项', '（四）批准延期事项')).toMatch(/任务 15\.3“[^”]+”（司法所）：退回；原因：缺少佐证材料；最新进展（11月10日）：复议对接机制已建立/);
    // The same lists on the page.
    const page = await (await fetch(`${service.url}/web/scores?month=2026-11`, { headers: { cookie: `duban_session=${session}` } })).text();
    for (const item of [...review.wellDone, ...review.attention]) expect(page).toContain(`（${item.department}）`);
    expect(review.attention.map((a) => `${a.code} ${a.department}`).sort()).toEqual(['14 党政办', '15.3 司法所', '19 党政办']);
    expect(review.figures).toMatchObject({ closed: 1, closedOnTime: 1, overdue: 1, blocked: 1, returned: 1 });
  });

  it('shows the approved 延期 of 14 / 司法所 with its original deadline, alike in the .docx, on the page and in the 台账', async () => {
    const text = await docxText(readFileSync(docxPath));
    const extended = text.slice(text.indexOf('（四）批准延期事项'), text.indexOf('五、下一步工作'));
    const line = /1\. 任务 14“[^”]+”（司法所）：完成时限由2021年年底前延至 2026-12-31。/;
    expect(extended).toMatch(line);
    expect(extended).not.toContain('（党政办）');
    expect(review.extended.map((e) => `${e.code} ${e.department} ${e.original} → ${e.deadline}`)).toEqual(['14 司法所 2021年年底前 → 2026-12-31']);
    // The page lists the same line under 批准延期, and 14 / 司法所 nowhere under 需要关注.
    const page = await (await fetch(`${service.url}/web/scores?month=2026-11`, { headers: { cookie: `duban_session=${session}` } })).text();
    const pageText = page.replaceAll('&quot;', '"');
    const pageExtended = pageText.slice(pageText.indexOf('<h2>批准延期</h2>'));
    expect(pageExtended).toMatch(line);
    const pageAttention = pageText.slice(pageText.indexOf('<h2>需要关注</h2>'), pageText.indexOf('<h2>批准延期</h2>'));
    expect(pageAttention).toMatch(/任务 14“[^”]+”（党政办）：超期 \d+ 天/);
    expect(pageAttention).not.toMatch(/任务 14“[^”]+”（司法所）/);
    // The 台账: 14 / 司法所 carries the new deadline beside the original and no 超期 days; 14 / 党政办 is still 超期.
    const res = await fetch(`${service.url}/web/ledger.xlsx?month=2026-11`, { headers: { cookie: `duban_session=${session}` } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = wb.getWorksheet('台账')!;
    // Under the 台账's title rows, the header is the row that names 编号.
    let headerAt = 0;
    sheet.eachRow((row, n) => { if (!headerAt && (row.values as unknown[]).map(String).includes('编号')) headerAt = n; });
    const head = (sheet.getRow(headerAt).values as unknown[]).map(String);
    const col = (name: string) => head.indexOf(name);
    const rowsOf14 = new Map<string, unknown[]>();
    sheet.eachRow((row, n) => {
      const v = row.values as unknown[];
      if (n > headerAt && String(v[col('编号')]) === '14') rowsOf14.set(String(v[col('责任单位')]), v);
    });
    expect(rowsOf14.get('司法所')![col('完成时限')]).toBe('2026-12-31（已延期，原时限 2021年年底前）');
    expect(rowsOf14.get('司法所')![col('超期 (天)')] ?? '').toBe('');
    expect(rowsOf14.get('党政办')![col('完成时限')]).toBe('2021年年底前');
    expect(Number(rowsOf14.get('党政办')![col('超期 (天)')])).toBeGreaterThan(0);
  });

  it('explains each score line by line, and the lines add up to it', () => {
    for (const d of review.scores) expect(d.score, d.department).toBe(sumPoints(d.lines));
    const jmb = review.scores.find((d) => d.department === '经贸办')!;
    expect(jmb.lines.find((l) => l.item === '按期办结')).toMatchObject({ points: 1, text: expect.stringContaining('任务 7.6') });
    expect(jmb.lines.filter((l) => l.item === '按时汇报').map((l) => l.text.slice(0, 8))).toEqual(['2026-W45', '2026-W46', '2026-W47', '2026-W48']);
    const sfs = review.scores.find((d) => d.department === '司法所')!;
    expect(sfs.lines.find((l) => l.item === '退回')).toMatchObject({ points: -2, text: expect.stringContaining('缺少佐证材料') });
    // 延期 approved: 司法所 has no 超期 deduction for 14; 党政办 still has one.
    expect(sfs.lines.filter((l) => l.item === '超期')).toEqual([]);
    expect(sfs.overdue).toBe(0);
    expect(sfs.returned).toBe(1);
    const dzb = review.scores.find((d) => d.department === '党政办')!;
    expect(dzb.lines.find((l) => l.item === '超期')).toMatchObject({ points: -1, text: expect.stringContaining('任务 14') });
    expect(dzb.overdue).toBe(1);
  });

  it('follows the rules file: a changed rule changes exactly the scores it touches', async () => {
    const text = readFileSync(RULES_FILE, 'utf8');
    const harsher = parseScoreRules(text.replace(/(退回:\n {4}说明: [^\n]+\n {4}分值: )2\n/, '$15\n'));
    expect(harsher.rules.退回.points).toBe(-5);
    const again = await buildPeriodReview(store, await activePlans(store), harsher, NOVEMBER, clock.now());
    for (const d of again.scores) {
      const before = review.scores.find((x) => x.department === d.department)!;
      expect(d.score, d.department).toBe(before.score - 3 * before.returned);
    }
    expect(again.scores.find((d) => d.department === '司法所')!.score).toBe(review.scores.find((d) => d.department === '司法所')!.score - 3);
  });

  it('counts the same from every report as from the progress cache\'s weekly entries', async () => {
    // The review counts from the cache when its cells reach back to the month before's first week (they do here).
    // Marked as having dropped older weeks, the cells no longer answer, and the review reads every report instead.
    await flushProgress(store);
    await store.models.Progress.updateMany({}, { $set: { truncated: true } });
    try {
      const fromReports = await buildPeriodReview(store, await activePlans(store), loadScoreRules(RULES_FILE), NOVEMBER, clock.now());
      expect(fromReports).toEqual(review);
    } finally {
      await store.models.Progress.updateMany({}, { $set: { truncated: false } });
    }
  });

  it('sends the month\'s 通报 to the 党政办 group once, as upload_media then a file message', async () => {
    const local = service.localWecom!;
    const before = local.webhookPosts().length;
    const other = { ...service.jobs, workerId: 'another-instance' };
    const outcomes = await Promise.all([runBulletinJob(service.jobs), runBulletinJob(other)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(expect.arrayContaining(['sent']));
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(1);
    expect((await runBulletinJob(service.jobs)).status).toBe('already'); // a restart or the next round
    // The service's own outbox worker may be the one that sends them: wait for the group to have both.
    await service.outbox.drain(5_000);
    await expect.poll(() => local.webhookPosts().length - before, { timeout: 30_000, interval: 200 }).toBe(2);
    const posts = local.webhookPosts().slice(before);
    expect(posts.map((p) => p.msgtype)).toEqual(['markdown', 'file']);
    expect(local.requests.filter((r) => r.path === '/cgi-bin/webhook/upload_media')).toHaveLength(1);
    const media = local.webhookMedia((posts[1]!.file as { media_id: string }).media_id)!;
    expect(media.filename).toBe('2026年11月督查通报.docx');
    expect((await docxTableRows(media.bytes)).slice(1)).toEqual(rankingRows(review));
  });

  it('serves the 考核 page and the 通报 to leaders and admins only; a liaison\'s 台账 has no 考核得分 sheet', async () => {
    const leader = await loginAs(service.url, 'demo-leader');
    const docx = await fetch(`${service.url}/web/bulletin.docx?month=2026-11`, { headers: { cookie: `duban_session=${leader}` } });
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-type')).toContain('wordprocessingml');
    expect((await docxTableRows(Buffer.from(await docx.arrayBuffer()))).slice(1)).toEqual(rankingRows(review));
    if (process.env.BULLETIN_KEEP_PAGES && existsSync('/usr/bin/chromium')) {
      // For looking at the page by eye, next to the .docx's pages.
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
      const context = await browser.newContext({ viewport: { width: 900, height: 900 }, locale: 'zh-CN' });
      await context.addCookies([{ name: 'duban_session', value: session, url: service.url }]);
      const page = await context.newPage();
      await page.goto(`${service.url}/web/scores?month=2026-11`);
      await page.locator('details.score').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
      await page.screenshot({ path: join(process.env.BULLETIN_KEEP_PAGES, 'scores-page.png'), fullPage: false });
      await browser.close();
    }
    const member = await loginAs(service.url, liaison['经贸办']!);
    for (const path of ['/web/scores?month=2026-11', '/web/bulletin.docx?month=2026-11']) {
      expect((await fetch(`${service.url}${path}`, { headers: { cookie: `duban_session=${member}` } })).status, path).toBe(403);
    }
    const ledger = await fetch(`${service.url}/web/ledger.xlsx?month=2026-11`, { headers: { cookie: `duban_session=${member}` } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await ledger.arrayBuffer()) as never);
    // (汇报记录 comes only when asked for: ?reports=1.)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['台账', '部门汇报率']);
  });

  it('refuses to start with a wrong rules file, naming the line', async () => {
    const bad = join(dir, '考核细则.yaml');
    writeFileSync(bad, readFileSync(RULES_FILE, 'utf8').replace('基础分: 100', '基础分: 一百'));
    const line = readFileSync(bad, 'utf8').split('\n').findIndex((l) => l.startsWith('基础分')) + 1;
    await expect(startService({ config: loadConfig({ SCORE_RULES_FILE: bad }, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false }))
      .rejects.toThrow(`第 ${line} 行：“基础分”：基础分须是数字`);
  });

  it.skipIf(!existsSync('/usr/bin/soffice'))('converts to PDF with LibreOffice, and to PNG pages to look at', () => {
    const profile = join(dir, 'lo-profile');
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, docxPath], {
      timeout: 120_000, stdio: 'ignore', env: { ...process.env, FONTCONFIG_FILE: join(process.cwd(), 'tools/fonts/bulletin-fonts.conf') },
    });
    const pdf = join(dir, '通报.pdf');
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    execFileSync('pdftoppm', ['-png', '-r', '50', pdf, join(dir, 'page')], { timeout: 60_000 });
    const pages = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    if (process.env.BULLETIN_KEEP_PAGES) execFileSync('cp', [...pages.map((p) => join(dir, p)), pdf, docxPath, process.env.BULLETIN_KEEP_PAGES]);
  }, 180_000);
});
