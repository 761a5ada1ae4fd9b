// One truth about every task: a scripted history goes through the encrypted callback, and after every step chat
// (任务, 总览), the digest, the pages (task, department, 总览, task list) and the 台账 row must tell the same stage,
// reason and counts for the same (task, unit). Each view is read as its reader gets it: chat replies as text, pages
// as HTML over HTTP with a real session, the 台账 as the downloaded workbook.
import ExcelJS from 'exceljs';
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { weekKey } from '../../src/domain/period.ts';
import { buildDigest } from '../../src/jobs/digest.ts';
import { createLogger } from '../../src/logger.ts';
import { importPlanFile } from '../../src/plan-source.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { activePlans } from '../../src/store/plans.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2021-07-26T02:00:00Z'); // Monday 10:00 in Shanghai
const SECOND_PLAN = 'tests/fixtures/plans/multi/anquan-2021.txt';
const LIAISON = 'demo-liaison-01'; // 经贸办 in the demo roster
const ADMIN = 'demo-admin';
const SETTINGS = { corpId: LOCAL_WECOM.corpId, agentId: LOCAL_WECOM.agentId, token: LOCAL_WECOM.token, encodingAESKey: LOCAL_WECOM.encodingAESKey };

let store: Store;
let service: Service;
let session: string;
let msg = 0;

/** What the user sees after sending TEXT: the passive reply and any parts sent after it. */
async function say(userid: string, text: string): Promise<string> {
  const cb = buildTextCallback(SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: `truth-${++msg}` });
  const res = await fetch(`${service.url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
  expect(res.status).toBe(200);
  const passive = openPassiveReply(SETTINGS, await res.text())?.content ?? '';
  clock.advance(60_000); // a minute between steps: decisions and reports are ordered by time
  return passive;
}

const page = async (path: string) => {
  const res = await fetch(`${service.url}${path}`, { headers: { cookie: `duban_session=${session}` } });
  expect(res.status, path).toBe(200);
  return res.text();
};
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');

interface Seen {
  chatTask: string;
  chatOverview: string;
  digest: { pending: number; closed: number; returned: number };
  webTask: string;
  webDepartment: string;
  webListed: string[];
  webOverview: string;
  ledger: { status: string; reason: string; overdue: string; chases: string } | null;
}

async function planIdOf(name?: string): Promise<string> {
  const plans = await activePlans(store);
  return String((name ? plans.find((p) => p.name === name) : plans[0])!._id);
}

/** Everything every view says about (CODE, UNIT) of the first plan right now. */
async function views(code: string, unit: string, chatCode = code): Promise<Seen> {
  const planId = await planIdOf('政务公开');
  const chatTask = (await say(ADMIN, `任务 ${chatCode}`)).split('\n').find((l) => l.includes(`${unit}：`) || l.includes(`${unit}（牵头）：`)) ?? '';
  const overviewReply = await say(ADMIN, '总览');
  const chatOverview = overviewReply.split('\n').find((l) => l.startsWith('销号：')) ?? '';
  const built = await buildDigest(store, (await activePlans(store)).filter((p) => String(p._id) === planId), weekKey(clock.now()), clock.now(), { mentions: false });
  const taskHtml = text(await page(`/web/tasks/${planId}/${code}`));
  const webTask = new RegExp(`${unit}(?: 牵头)? (\\S.*?) (?:最近汇报|尚未汇报)`).exec(taskHtml)?.[1] ?? '';
  const deptHtml = await page(`/web/departments/${encodeURIComponent(unit)}`);
  const card = new RegExp(`<span class="code">${code.replace('.', '\\.')}</span>[\\s\\S]*?<div class="meta"><span>([^<]*)</span>`).exec(deptHtml)?.[1] ?? '';
  const webOverview = /销号：\s*待审核 \d+ · 已销号 \d+ · 退回 \d+/.exec(text(await page('/web/')))?.[0] ?? '';
  const webListed: string[] = [];
  for (const status of ['pending_review', 'closed', 'returned', 'in_progress', 'not_started']) {
    const list = await page(`/web/tasks?plan=${planId}&dept=${encodeURIComponent(unit)}&status=${status}`);
    if (new RegExp(`/web/tasks/${planId}/${code.replace('.', '\\.')}"`).test(list)) webListed.push(status);
  }
  const xlsx = await fetch(`${service.url}/web/ledger.xlsx?plan=${planId}&dept=${encodeURIComponent(unit)}`, { headers: { cookie: `duban_session=${session}` } });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
  const found = readLedgerSheet(wb.getWorksheet('台账')!).row(code, unit);
  const str = (v: unknown) => String(v ?? '');
  // 进展 and 销号状态 are apart in the 台账: the stage is the 销号 word when there is one, else the 进展.
  const ledger: Seen['ledger'] = found ? {
    status: str(found['销号状态']) || str(found['进展']), reason: found['销号状态'] === '退回' ? str(found['审核意见']) : found['进展'] === '受阻' ? str(found['最近汇报说明']).replace(/^受阻：/, '') : '',
    overdue: str(found['超期 (天)']), chases: str(found['催办次数']),
  } : null;
  return { chatTask, chatOverview, digest: built.plans[0]!.digest.review, webTask, webDepartment: card, webListed, webOverview, ledger };
}

/** The stage every view must show, in the words each uses. */
function expectStage(seen: Seen, stage: 'in_progress' | 'pending_review' | 'returned' | 'closed', reason?: string) {
  const words = { in_progress: '推进中', pending_review: '待审核', returned: '退回', closed: '已销号' }[stage];
  expect(seen.chatTask, 'chat 任务').toContain(words);
  expect(seen.webTask, 'web task page').toContain(words);
  expect(seen.webDepartment, 'web department page').toContain(words);
  expect(seen.webListed, 'task list filters').toEqual([stage]);
  expect(seen.ledger?.status, '台账').toBe(words);
  if (reason) {
    for (const [where, s] of [['chat 任务', seen.chatTask], ['web task page', seen.webTask], ['web department page', seen.webDepartment], ['台账', seen.ledger?.reason ?? '']] as const) {
      expect(s, where).toContain(reason);
    }
  } else {
    expect(seen.ledger?.reason).toBe('');
  }
  // The counts agree: chat 总览 and the digest count the same 待审核 / 已销号 / 退回.
  const d = seen.digest;
  expect(seen.chatOverview).toContain(`销号：待审核 ${d.pending}　已销号 ${d.closed}${d.returned ? `　退回 ${d.returned}` : ''}`);
  expect(seen.webOverview, 'web 总览').toMatch(new RegExp(`待审核 ${d.pending} · 已销号 ${d.closed} · 退回 ${d.returned}`));
}

beforeAll(async () => {
  store = await openTestStore('onetruth');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  session = await loginAs(service.url, ADMIN);
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('one scripted history, every view alike', () => {
  it('a report: 推进中 everywhere', async () => {
    expect(await say(LIAISON, '汇报 7.6 50% 招商项目洽谈中')).toContain('已记录');
    expectStage(await views('7.6', '经贸办'), 'in_progress');
  });

  it('完成: 待审核 everywhere, counted once', async () => {
    expect(await say(LIAISON, '完成 7.6 签约两个项目')).toContain('待审核');
    const seen = await views('7.6', '经贸办');
    expectStage(seen, 'pending_review');
    expect(seen.digest.pending).toBe(1);
  });

  it('a progress report cannot silently withdraw the 完成: refused, nothing changes', async () => {
    const reply = await say(LIAISON, '汇报 7.6 90% 还在补材料');
    expect(reply).toContain('等待审核，未记录');
    expect(reply).toContain('退回 7.6 经贸办');
    expectStage(await views('7.6', '经贸办'), 'pending_review');
  });

  it('退回 with a reason: 退回 and the reason everywhere, nowhere 已完成', async () => {
    expect(await say(ADMIN, '退回 7.6 经贸办 缺少佐证材料')).toContain('已退回');
    const seen = await views('7.6', '经贸办');
    expectStage(seen, 'returned', '缺少佐证材料');
    expect(seen.webTask).not.toContain('已完成');
    expect(seen.digest).toMatchObject({ pending: 0, returned: 1 });
  });

  it('a report after 退回: 推进中 again, the reason gone', async () => {
    expect(await say(LIAISON, '汇报 7.6 80% 补充签约材料')).toContain('已记录');
    expectStage(await views('7.6', '经贸办'), 'in_progress');
  });

  it('完成 then 审核通过: 已销号 everywhere', async () => {
    expect(await say(LIAISON, '完成 7.6 材料已补齐')).toContain('待审核');
    expectStage(await views('7.6', '经贸办'), 'pending_review');
    expect(await say(ADMIN, '审核通过 7.6 经贸办')).toContain('已销号');
    expectStage(await views('7.6', '经贸办'), 'closed');
  });

  it('a report after 销号 is refused with the way to reopen; 重新打开 reopens it with its reason', async () => {
    const reply = await say(LIAISON, '汇报 7.6 90% 补充直播数据');
    expect(reply).toContain('已销号');
    expect(reply).toContain('未记录');
    expect(reply).toContain('重新打开 7.6 经贸办');
    expectStage(await views('7.6', '经贸办'), 'closed');
    expect(await say(ADMIN, '重新打开 7.6 经贸办 上级抽查资料不全')).toContain('已重新打开');
    expectStage(await views('7.6', '经贸办'), 'returned', '上级抽查资料不全');
    expect(await say(LIAISON, '完成 7.6 已补交')).toContain('待审核');
    expect(await say(ADMIN, '审核通过 7.6 经贸办')).toContain('已销号');
  });

  it('a 催办 is counted on the task page, in 任务 and in the 台账 alike', async () => {
    expect(await say(ADMIN, '催办 7.5 经贸办 请本周报送')).toContain('已催办');
    const seen = await views('7.5', '经贸办');
    expect(seen.ledger?.chases).toBe('1');
    expect(await say(ADMIN, '任务 7.5')).toContain('催办记录（共 1 次）');
    expect(await page(`/web/tasks/${await planIdOf()}/7.5`)).toContain('请本周报送');
  });

  it('a deadline passing: 超期 shows in chat, on the pages and in the 台账, never on a finished part', async () => {
    // 7.6 经贸办 is 已销号; 7.5 has a deadline this test moves past by advancing the clock to after it.
    const deadline = (await store.models.Task.findOne({ code: '7.5' }).lean())!.deadline;
    if (deadline) clock.set(new Date(Date.parse(`${deadline}T10:00:00+08:00`) + 3 * 24 * 3600 * 1000));
    else {
      await store.models.Task.updateOne({ code: '7.5' }, { $set: { deadline: '2021-07-20' } });
      store.cache.clear();
    }
    const seen = await views('7.5', '经贸办');
    expect(seen.chatTask).toContain('⏰超期');
    expect(Number(seen.ledger?.overdue)).toBeGreaterThan(0);
    const closed = await views('7.6', '经贸办');
    expect(closed.chatTask).not.toContain('超期');
    expect(closed.ledger?.overdue).toBe('');
  });

  it('a 转办 moves the part: the new unit has a record everywhere, the old one has none', async () => {
    expect(await say(ADMIN, '转办 7.5 村建办')).toContain('村建办');
    const moved = await views('7.5', '村建办');
    expect(moved.chatTask).toContain('村建办');
    expect(moved.ledger).not.toBeNull();
    expect((await views('7.5', '经贸办')).ledger).toBeNull();
  });

  it('a second plan imported: nothing about the first plan changes', async () => {
    const before = await views('7.6', '经贸办');
    await importPlanFile(store, SECOND_PLAN, clock);
    const after = await views('7.6', '经贸办', '政务公开7.6');
    expectStage(after, 'closed');
    expect(after.digest).toEqual(before.digest);
  });
});
