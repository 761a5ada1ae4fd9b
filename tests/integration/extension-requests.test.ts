// 延期 through the real encrypted callback, the pages and the 台账, on the embedded database. Seed task 14 (党政办、
// 司法所) is due 2021年年底前, so on 2 December 2026 it is 超期 for both. After 司法所's liaison asks for 2026-12-31
// and an admin approves, 司法所 is no longer 超期 anywhere (chat 任务, 我的任务, the task page, the 台账 row, the
// deadline warning) while 党政办 still is; the original deadline and the history stay in sight. Also: bad input and
// a second request write nothing, a refusal tells the liaison why, a liaison of another unit and a leader not in
// charge cannot decide, the leader in charge can, and the page's form decides only with its CSRF token.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { buildDeadlineWarnings } from '../../src/jobs/deadline-warnings.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { setCharge } from '../../src/store/leader-charges.ts';
import { activePlans } from '../../src/store/plans.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2026-12-02T02:00:00Z'); // Wednesday 10:00 in Shanghai
const SETTINGS = { corpId: LOCAL_WECOM.corpId, agentId: LOCAL_WECOM.agentId, token: LOCAL_WECOM.token, encodingAESKey: LOCAL_WECOM.encodingAESKey };
const ADMIN = 'demo-admin';
const SFS = 'ext-sfs'; // 司法所
const DZB = 'ext-dzb'; // 党政办
const JMB = 'ext-jmb'; // 经贸办
const LEADER_SFS = 'ext-leader-sfs'; // in charge of 司法所
const LEADER_OTHER = 'ext-leader-jmb'; // in charge of 经贸办 only

let store: Store;
let service: Service;
let session: string;
let msg = 0;

async function say(userid: string, text: string): Promise<string> {
  const cb = buildTextCallback(SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: `ext-${++msg}` });
  const res = await fetch(`${service.url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
  expect(res.status).toBe(200);
  const passive = openPassiveReply(SETTINGS, await res.text())?.content ?? '';
  clock.advance(60_000);
  return passive;
}

const page = async (path: string, cookie = session) => {
  const res = await fetch(`${service.url}${path}`, { headers: { cookie: `duban_session=${cookie}` } });
  expect(res.status, path).toBe(200);
  return res.text();
};
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');

const requests = () => store.models.ExtensionRequest.countDocuments({});
const decisions = () => store.models.ExtensionDecision.countDocuments({});
/** App messages queued for USERID whose text contains WORDS. */
async function noticesTo(userid: string, words: string): Promise<string[]> {
  const rows = await store.models.Outbox.find({}).lean<Array<{ payload: { touser?: string; text?: { content?: string } } }>>();
  return rows.filter((r) => (r.payload.touser ?? '').split('|').includes(userid) && (r.payload.text?.content ?? '').includes(words)).map((r) => r.payload.text!.content!);
}

/** The line of a unit in chat 任务, and the line after it (the 延期 line, when there is one). */
function unitLines(reply: string, unit: string): [string, string] {
  const lines = reply.split('\n');
  const i = lines.findIndex((l) => l.includes(` ${unit}：`) || l.includes(` ${unit}（牵头）：`));
  expect(i, `${unit} in ${reply}`).toBeGreaterThanOrEqual(0);
  return [lines[i]!, lines[i + 1] ?? ''];
}

async function planId(): Promise<string> {
  return String((await activePlans(store))[0]!._id);
}

async function ledgerRow(code: string, unit: string): Promise<{ deadline: string; overdue: string; status: string }> {
  const res = await fetch(`${service.url}/web/ledger.xlsx?plan=${await planId()}`, { headers: { cookie: `duban_session=${session}` } });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  const ws = wb.getWorksheet('台账')!;
  // The 台账 opens with its title rows: the header is the row that names 编号.
  let headerAt = 0;
  ws.eachRow((row, n) => { if (!headerAt && (row.values as unknown[]).map(String).includes('编号')) headerAt = n; });
  const header = (ws.getRow(headerAt).values as unknown[]).map(String);
  const col = (name: string) => header.indexOf(name);
  let found: { deadline: string; overdue: string; status: string } | null = null;
  ws.eachRow((row, n) => {
    const v = row.values as unknown[];
    if (n > headerAt && String(v[col('编号')]) === code && String(v[col('责任单位')]) === unit) {
      found = { deadline: String(v[col('完成时限')] ?? ''), overdue: String(v[col('超期 (天)')] ?? ''), status: String(v[col('进展')] ?? '') };
    }
  });
  expect(found, `台账 row ${code} ${unit}`).not.toBeNull();
  return found!;
}

/** What the task page says of a unit in 各责任单位: its state, its last report and its 延期 line, up to the next unit. */
async function webUnit(code: string, unit: string): Promise<string> {
  const html = await page(`/web/tasks/${await planId()}/${code}`);
  const units = html.slice(html.indexOf('<h2>各责任单位</h2>'), html.indexOf('</section>', html.indexOf('<h2>各责任单位</h2>')));
  const item = units.split('<li>').find((li) => text(li).trim().startsWith(`${unit} `)) ?? '';
  expect(item, `${unit} on the task page`).not.toBe('');
  return text(item);
}

beforeAll(async () => {
  store = await openTestStore('extensions');
  // Cards off: the 延期申请 goes to the approvers as text (the cards are tests/integration/template-cards.test.ts's).
  service = await startService({ config: loadConfig({ WECOM_CARDS: 'false' }, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  await store.models.Member.create([
    { userid: SFS, name: '司法所联络员', departments: ['司法所'], roles: ['member'] },
    { userid: DZB, name: '党政办联络员', departments: ['党政办'], roles: ['member'] },
    { userid: JMB, name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: LEADER_SFS, name: '分管司法副镇长', departments: [], roles: ['leader'] },
    { userid: LEADER_OTHER, name: '分管经贸副镇长', departments: [], roles: ['leader'] },
  ]);
  await setCharge(store, clock, 'cli', LEADER_SFS, ['司法所']);
  await setCharge(store, clock, 'cli', LEADER_OTHER, ['经贸办']);
  store.cache.clear();
  session = await loginAs(service.url, ADMIN);
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('延期 of task 14', () => {
  it('starts 超期 for both 党政办 and 司法所', async () => {
    const reply = await say(ADMIN, '任务 14');
    expect(reply).toContain('时限：2021年年底前');
    expect(unitLines(reply, '司法所')[0]).toContain('⏰超期');
    expect(unitLines(reply, '党政办')[0]).toContain('⏰超期');
  });

  it('answers bad input shortly in Chinese and writes nothing', async () => {
    expect(await say(SFS, '延期 14 司法所 明年 需与法院协调')).toContain('“明年”不是日期');
    expect(await say(SFS, '延期 14 明年 需与法院协调')).toContain('不是日期');
    expect(await say(SFS, '延期 14 2026-12-31')).toContain('请写明延期原因');
    expect(await say(SFS, '延期 14 2026-02-30 原因')).toContain('不是日期');
    expect(await say(SFS, '延期 14 2026-11-30 需与法院协调')).toContain('不晚于今天');
    expect(await say(SFS, '延期 999 2026-12-31 需与法院协调')).toContain('没有编号为 999 的任务');
    expect(await say(JMB, '延期 14 2026-12-31 需与法院协调')).toMatch(/经贸办.*不负责任务 14/);
    expect(await say(SFS, '延期 14 党政办 2026-12-31 需与法院协调')).toContain('只有党政办的联络员');
    expect(await say(SFS, '延期 14 火星办 2026-12-31 需与法院协调')).toContain('没有找到部门“火星办”');
    expect(await requests()).toBe(0);
    expect(await store.models.Audit.countDocuments({ action: 'task.extension.request' })).toBe(0);
  });

  it('stores 司法所’s request and tells the admins and the leader in charge, with the exact commands', async () => {
    const reply = await say(SFS, '延期 14 2026-12-31 需与法院协调');
    expect(reply).toContain('已提交延期申请：14 司法所，时限 2021年年底前 → 2026-12-31（需与法院协调）');
    expect(await requests()).toBe(1);
    for (const approver of [ADMIN, LEADER_SFS]) {
      const [notice] = await noticesTo(approver, '【延期申请】');
      expect(notice, approver).toContain('同意：同意延期 14 司法所');
      expect(notice).toContain('不同意：不同意延期 14 司法所 原因');
      expect(notice).toContain('司法所申请把时限从 2021年年底前 延至 2026-12-31');
    }
    expect(await noticesTo(LEADER_OTHER, '【延期申请】')).toEqual([]);
    // The list of what waits: the leader in charge and the admins see it, another leader does not.
    const list = await say(LEADER_SFS, '待批延期');
    expect(list).toContain('待审批的延期申请 1 项');
    expect(list).toContain('· 14 司法所 延至 2026-12-31（需与法院协调；司法所联络员，12月2日）');
    expect(list).toContain('同意：同意延期 14 司法所');
    expect(await say(ADMIN, '待批延期')).toContain('· 14 司法所 延至 2026-12-31');
    expect(await say(LEADER_OTHER, '待批延期')).toContain('你分管的部门没有待审批的延期申请');
    expect(await store.models.Audit.countDocuments({ action: 'task.extension.request', target: 'task:14' })).toBe(1);
    // Pending is not approved: 司法所 is still 超期.
    expect(unitLines(await say(ADMIN, '任务 14'), '司法所')[0]).toContain('⏰超期');
  });

  it('refuses a second pending request for the same unit, writing nothing', async () => {
    const reply = await say(SFS, '延期 14 司法所 2027-03-31 再延三个月');
    expect(reply).toContain('已有一份待审批的延期申请（延至 2026-12-31');
    expect(reply).toContain('未做修改');
    expect(await requests()).toBe(1);
  });

  it('lets neither a liaison of another unit nor a leader not in charge decide', async () => {
    expect(await say(JMB, '同意延期 14 司法所')).toContain('只有领导和管理员');
    expect(await say(DZB, '同意延期 14 司法所')).toContain('只有领导和管理员');
    expect(await say(LEADER_OTHER, '同意延期 14 司法所')).toContain('只有管理员或分管司法所的领导');
    expect(await decisions()).toBe(0);
  });

  it('a refusal (党政办’s request, in 年月日) tells the liaison why, and the deadline stays', async () => {
    expect(await say(DZB, '延期 14 2027年6月30日 人手不足')).toContain('时限 2021年年底前 → 2027-06-30');
    // Two requests pending: a decision without a unit names both commands.
    const ambiguous = await say(ADMIN, '同意延期 14');
    expect(ambiguous).toContain('2 份待审批的延期申请');
    expect(ambiguous).toContain('同意延期 14 司法所');
    expect(ambiguous).toContain('同意延期 14 党政办');
    expect(await say(LEADER_SFS, '不同意延期 14 党政办 请按原时限完成')).toContain('只有管理员或分管党政办的领导');
    expect(await say(ADMIN, '不同意延期 14 党政办')).toContain('请写明不同意的原因');
    expect(await decisions()).toBe(0);
    const reply = await say(ADMIN, '不同意延期 14 党政办 请按原时限完成');
    expect(reply).toContain('已不同意延期：14 党政办（请按原时限完成），时限仍为 2021年年底前');
    const [told] = await noticesTo(DZB, '【延期未同意】');
    expect(told).toContain('原因：请按原时限完成');
    expect(await store.models.Audit.countDocuments({ action: 'task.extension.refuse', target: 'task:14' })).toBe(1);
    expect(unitLines(await say(ADMIN, '任务 14'), '党政办')[0]).toContain('⏰超期');
  });

  it('同意延期 14 司法所: 司法所 no longer 超期 (due 2026-12-31), 党政办 still is, everywhere', async () => {
    const reply = await say(ADMIN, '同意延期 14 司法所');
    expect(reply).toContain('已同意延期：14 司法所，时限 2021年年底前 → 2026-12-31');
    expect((await noticesTo(SFS, '【延期已同意】'))[0]).toContain('司法所的时限由 2021年年底前 延至 2026-12-31');
    expect(await store.models.Audit.countDocuments({ action: 'task.extension.approve', target: 'task:14' })).toBe(1);
    // The task itself is not edited: the original deadline stays the task's.
    expect((await store.models.Task.findOne({ code: '14' }).lean())!.deadline).toBe('2021-12-31');
    expect(await say(ADMIN, '同意延期 14 司法所')).toContain('没有待审批的延期申请');

    // chat 任务
    const detail = await say(ADMIN, '任务 14');
    const [sfsLine, sfsExtension] = unitLines(detail, '司法所');
    expect(sfsLine).not.toContain('超期');
    expect(sfsExtension).toMatch(/原时限 2021年年底前，延期至 2026-12-31（党政办管理员（演示），12月2日）/);
    expect(unitLines(detail, '党政办')[0]).toContain('⏰超期');
    expect(detail).toContain('延期记录');
    expect(detail).toMatch(/司法所 司法所联络员申请延至 2026-12-31（需与法院协调）：党政办管理员（演示） 12月2日同意/);
    expect(detail).toMatch(/党政办 党政办联络员申请延至 2027-06-30（人手不足）：党政办管理员（演示） 12月2日不同意：请按原时限完成/);

    // chat 我的任务
    /** A task's row in 我的任务: its heading line and the state line under it. */
    const row = (reply: string, code: string) => {
      const lines = reply.split('\n');
      const i = lines.findIndex((l) => l.split(' ')[1] === code);
      expect(i, reply).toBeGreaterThanOrEqual(0);
      return `${lines[i]} ${lines[i + 1]}`;
    };
    const mine = row(await say(SFS, '我的任务'), '14');
    expect(mine).toContain('已延期至 2026-12-31');
    expect(mine).not.toContain('超期');
    expect(row(await say(DZB, '我的任务'), '14')).toContain('⏰超期');

    // the task page: 司法所 not 超期 with its 延期 line; 党政办 超期; the history
    const sfsWeb = await webUnit('14', '司法所');
    expect(sfsWeb).not.toContain('超期');
    expect(sfsWeb).toContain('原时限 2021年年底前，延期至 2026-12-31');
    expect(await webUnit('14', '党政办')).toContain('超期');
    const html = text(await page(`/web/tasks/${await planId()}/14`));
    expect(html).toContain('同意延期 14（司法所）：原时限 2021年年底前，延期至 2026-12-31');
    expect(html).toContain('不同意延期 14（党政办）至 2027-06-30，原因：请按原时限完成');

    // the 台账 rows
    const sfsRow = await ledgerRow('14', '司法所');
    expect(sfsRow.overdue).toBe('');
    expect(sfsRow.deadline).toBe('2026-12-31（已延期，原时限 2021年年底前）');
    const dzbRow = await ledgerRow('14', '党政办');
    expect(Number(dzbRow.overdue)).toBeGreaterThan(0);
    expect(dzbRow.deadline).toBe('2021年年底前');

    // the task list's 超期 filter, for 司法所 and for 党政办
    const overdueOf = async (unit: string) => page(`/web/tasks?plan=${await planId()}&dept=${encodeURIComponent(unit)}&overdue=1`);
    expect(await overdueOf('司法所')).not.toMatch(/\/14"/);
    expect(await overdueOf('党政办')).toMatch(/\/14"/);
  });

  it('the deadline warning follows the 延期: 司法所 is warned on 2026-12-31, 党政办 not', async () => {
    const dueDay = new Date('2026-12-31T01:00:00Z'); // Thursday, a working day
    const warnings = await buildDeadlineWarnings(store, await activePlans(store), dueDay);
    const toSfs = warnings.find((w) => w.userid === SFS)?.text ?? '';
    expect(toSfs).toMatch(/14 .*（时限 2026-12-31/);
    expect(warnings.filter((w) => w.userid === DZB).map((w) => w.text).join('\n')).not.toMatch(/(^|\s)14 /);
  });
});

describe('the leader in charge, and the page', () => {
  it('the leader in charge of 司法所 approves its request (部门 left out: the one pending request)', async () => {
    expect(await say(SFS, '延期 15.3 12月31日 需与市局对接')).toContain('已提交延期申请：15.3 司法所');
    const reply = await say(LEADER_SFS, '同意延期 15.3');
    expect(reply).toContain('已同意延期：15.3 司法所');
    expect(reply).toContain('2026-12-31');
  });

  it('decides on the task page with the form’s CSRF token, and not without it', async () => {
    expect(await say(SFS, '延期 15.1 司法所 2027-01-31 需与法院协调')).toContain('已提交延期申请');
    const before = await decisions();
    const path = `/web/tasks/${await planId()}/15.1`;
    const html = await page(path);
    expect(html).toContain('同意延期');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const post = async (token: string) => {
      const form = new FormData();
      form.set('csrf', token);
      form.set('department', '司法所');
      form.set('verdict', 'approved');
      return fetch(`${service.url}${path}/extension`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: `duban_session=${session}` } });
    };
    expect((await post('forged')).status).toBe(403);
    expect(await decisions()).toBe(before);
    const ok = await post(csrf);
    expect(ok.status).toBe(303);
    expect(await decisions()).toBe(before + 1);
    const after = text(await page(ok.headers.get('location')!));
    expect(after).toContain('已同意延期：15.1 司法所');
    expect(after).toContain('延期至 2027-01-31');
    // A liaison sees the request's outcome but gets no form.
    const liaison = await loginAs(service.url, SFS);
    expect(await page(path, liaison)).not.toContain('name="verdict"');
  });
});
