// Interactive template cards end to end, in local mode on the embedded database: the weekly reminder goes out as
// cards the WeCom stand-in validates; a tap comes back through the encrypted callback exactly as WeCom builds it and
// records through the chat command; the card is updated with the tap's one-time response code; a redelivered or
// repeated tap records nothing more; a tap on an item that changed since answers with where it stands now; a card
// WeCom refuses goes out as text; the 待审核 notice's buttons approve; the 延期申请 goes to its approvers as cards whose
// 同意 decides the request once (a double tap or a redelivered event records nothing more) and whose 不同意 asks for
// the reason in chat.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { validateTemplateCard, type CardTap } from '../../src/cards/template-card.ts';
import { shanghaiDate, weekKey } from '../../src/domain/period.ts';
import { createLogger } from '../../src/logger.ts';
import { runJob } from '../../src/jobs/run-job.ts';
import { runLoopJob } from '../../src/jobs/loop-run.ts';
import { cleanup, RETENTION } from '../../src/jobs/cleanup.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import type { LocalCard } from '../../src/wecom/local-wecom.ts';
import { buildCardTapCallback, buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { openTestStore } from '../helpers/store.ts';
import { runSayCommand } from '../../src/cli/say.ts';
import { findDemoLiaison } from '../../src/members/members.ts';
import { setCharge } from '../../src/store/leader-charges.ts';
import type { CliContext } from '../../src/cli/runtime.ts';

// Whole job runs over the bundled plan on a shared two-core machine: slow under load, not wrong.
vi.setConfig({ testTimeout: 120_000 });

const clock = new ManualClock('2021-07-26T02:00:00Z'); // Monday 10:00 in Shanghai
const LIAISON = 'demo-liaison-01'; // 经贸办 in the demo roster
const ADMIN = 'demo-admin';
const SETTINGS = { corpId: LOCAL_WECOM.corpId, agentId: LOCAL_WECOM.agentId, token: LOCAL_WECOM.token, encodingAESKey: LOCAL_WECOM.encodingAESKey };

let store: Store;
let service: Service;
let msg = 0;

/** What the user sees: the passive reply, or, when the bot answered after WeCom's few seconds (a busy machine), the outbox's. */
async function post(cb: { path: string; body: string }, userid: string): Promise<string> {
  const from = wecom().sent().length;
  const res = await fetch(`${service.url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
  expect(res.status).toBe(200);
  const passive = openPassiveReply(SETTINGS, await res.text())?.content ?? '';
  if (passive) return passive;
  await service.outbox.drain(10_000);
  return wecom().sent().slice(from).filter((m) => m.touser === userid && m.msgtype === 'text').map((m) => (m.text as { content: string }).content).join('\n');
}

async function say(userid: string, text: string): Promise<string> {
  const reply = await post(buildTextCallback(SETTINGS, { userid, text, createTime: now(), msgId: `cards-${++msg}` }), userid);
  clock.advance(60_000);
  return reply;
}

function now(): number {
  return Math.floor(clock.now().getTime() / 1000);
}

const wecom = () => service.localWecom!;
const cardsOf = (userid: string): LocalCard[] => wecom().cards().filter((c) => c.userid === userid);
const keysOf = (c: LocalCard) => ((c.card.button_list as Array<{ key: string }>) ?? []).map((b) => b.key);

/** The items a card offers: its options' codes (a card with a choice) or the code its keys name (one item). */
function itemsOf(c: LocalCard): Array<{ code: string; option?: string }> {
  const selection = c.card.button_selection as { option_list: Array<{ id: string; text: string }> } | undefined;
  if (selection) return selection.option_list.map((o) => ({ code: o.text.split(' ')[0]!, option: o.id }));
  return [{ code: keysOf(c)[0]!.split(':')[0]!.split('@')[0]! }];
}
/** The item recorded at 60% by the first tap, and the one reported in chat after its card went out. */
let code: string;
let otherCode: string;

async function reportsOf(code: string, department: string) {
  return store.models.Report.find({ taskCode: code, department }).lean();
}

beforeAll(async () => {
  store = await openTestStore('cards');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('the weekly reminder as cards', () => {
  let first: LocalCard;
  let tap: CardTap;
  let tapCallback: { path: string; body: string };

  it('sends the liaison template cards with 推进中 / 受阻 / 已完成 buttons, which the stand-in accepted', async () => {
    const outcome = await runJob(service.jobs, 'reminder', weekKey(clock.now()));
    expect(outcome.status).toBe('done');
    await service.outbox.drain(10_000);
    const cards = cardsOf(LIAISON);
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) {
      expect(validateTemplateCard(c.card)).toBeNull();
      expect(c.card.card_type).toBe('button_interaction');
      expect((c.card.button_list as Array<{ text: string }>).map((b) => b.text)).toEqual(['推进中 30%', '推进中 60%', '推进中 90%', '受阻', '已完成']);
    }
    // No text reminder beside the cards: each card carries its own fallback only for when WeCom refuses it.
    expect(wecom().sent().filter((m) => m.touser === LIAISON && m.msgtype === 'text')).toEqual([]);
    // The most recent card with a 推进中 60% button, as `say --click` picks it; its default choice when it offers several.
    const key = keysOf(cards.at(-1)!).find((k) => k.endsWith(':60'))!;
    tap = wecom().tap(LIAISON, key)!;
    expect(tap).not.toBeNull();
    first = cards.find((c) => c.taskId === tap.taskId)!;
    const items = itemsOf(first);
    const chosen = Object.values(tap.selected)[0]?.[0];
    code = (chosen ? items.find((i) => i.option === chosen) : items[0])!.code;
  });

  it('a tap on 推进中 60% records one report through the chat command, and 任务 shows it', async () => {
    expect(await reportsOf(code, '经贸办')).toHaveLength(0);
    tapCallback = buildCardTapCallback(SETTINGS, { userid: LIAISON, tap, createTime: now() });
    const reply = await post(tapCallback, LIAISON);
    expect(reply).toContain(code);
    expect(reply).toContain('60%');
    const reports = await reportsOf(code, '经贸办');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ percent: 60, status: 'in_progress', userid: LIAISON });
    clock.advance(60_000);
    const detail = await say(LIAISON, `任务 ${code}`);
    expect(detail).toMatch(/经贸办[^\n]*60%/);
  });

  it('the card is updated with the tap’s response code to show what was recorded', async () => {
    await service.outbox.drain(10_000);
    const updates = wecom().cardUpdates();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ response_code: tap.responseCode, userids: [LIAISON] });
    if (first.card.button_selection) {
      expect(JSON.stringify(updates[0]!.template_card)).toContain(`${code} 已记录：推进中 60%`);
    } else {
      expect(updates[0]!.button).toEqual({ replace_name: '已记录：推进中 60%' });
      expect(cardsOf(LIAISON).find((c) => c.taskId === tap.taskId)!.replacedWith).toBe('已记录：推进中 60%');
    }
  });

  it('the same event redelivered records nothing more', async () => {
    const again = await post(tapCallback, LIAISON);
    // The first answer again, or nothing when the first went out later through the outbox: never a second run.
    if (again) expect(again).toContain('60%');
    expect(await reportsOf(code, '经贸办')).toHaveLength(1);
  });

  it('a second tap on the same card records nothing and says it was recorded', async () => {
    clock.advance(60_000);
    const reply = await post(buildCardTapCallback(SETTINGS, { userid: LIAISON, tap: { ...tap, responseCode: 'second-tap' }, createTime: now() }), LIAISON);
    expect(reply).toContain('已通过这张卡片记录：推进中 60%');
    expect(reply).toContain('未重复记录');
    expect(await reportsOf(code, '经贸办')).toHaveLength(1);
  });

  it('a tap on an item that changed since the card went out answers the current state and records nothing', async () => {
    // Another item of the liaison, on the most recent card still open: reported in chat after the card went out.
    const other = cardsOf(LIAISON).filter((c) => c.replacedWith === null).at(-1)!;
    const item = itemsOf(other).find((i) => i.code !== code)!;
    otherCode = item.code;
    expect(await say(LIAISON, `汇报 ${otherCode} 30% 已启动`)).toContain('30%');
    const key = keysOf(other).find((k) => k.endsWith(':90'))!;
    const otherTap = wecom().tap(LIAISON, key, item.option)!;
    expect(otherTap.taskId).toBe(other.taskId);
    const reply = await post(buildCardTapCallback(SETTINGS, { userid: LIAISON, tap: otherTap, createTime: now() }), LIAISON);
    expect(reply).toContain('已有变化');
    expect(reply).toContain('推进中 30%');
    expect(reply).toContain('未记录');
    const reports = await reportsOf(otherCode, '经贸办');
    expect(reports.map((r) => r.percent)).toEqual([30]);
  });

  it('受阻 asks for the reason in chat with the exact command, and records nothing', async () => {
    const card = cardsOf(LIAISON).filter((c) => c.replacedWith === null).at(-1)!;
    const item = itemsOf(card).find((i) => i.code !== code && i.code !== otherCode)!;
    const key = keysOf(card).find((k) => k.endsWith(':blocked'))!;
    const before = await store.models.Report.countDocuments({});
    const blocked = wecom().tap(LIAISON, key, item.option)!;
    const reply = await post(buildCardTapCallback(SETTINGS, { userid: LIAISON, tap: blocked, createTime: now() }), LIAISON);
    expect(reply).toBe(`请发送受阻原因，例如：\n汇报 ${item.code} 受阻 资金未到位`);
    expect(await store.models.Report.countDocuments({})).toBe(before);
  });
});

describe('`say USERID --click KEY`', () => {
  it('taps the most recent card the user got with that button, through the encrypted callback', async () => {
    const lines: string[] = [];
    const ctx = {
      config: { ...loadConfig({}, { dotenvPath: null }), botUrl: service.url }, logger: createLogger('silent'), clock,
      out: (l: string) => void lines.push(l), store: async () => store, close: async () => undefined,
    } as CliContext;
    const card = cardsOf(LIAISON).filter((c) => c.replacedWith === null).at(-1)!;
    const item = itemsOf(card).find((i) => i.code !== code && i.code !== otherCode)!;
    const key = keysOf(card).find((k) => k.endsWith(':90'))!;
    const args = item.option ? [LIAISON, '--click', key, '--option', item.option] : [LIAISON, '--click', key];
    expect(await runSayCommand(args, ctx)).toBe(0);
    expect(lines.join('\n')).toContain('90%');
    expect((await reportsOf(item.code, '经贸办')).map((r) => r.percent)).toEqual([90]);
    lines.length = 0;
    expect(await runSayCommand([LIAISON, '--click', 'no-such-key'], ctx)).toBe(1);
    expect(lines.join('\n')).toContain('没有可点的按钮“no-such-key”');
  });
});

describe('发送提醒 in chat', () => {
  it('an admin’s 发送提醒 sends the liaison of 经贸办 new template cards with buttons', async () => {
    const before = cardsOf(LIAISON).length;
    const reply = await say(ADMIN, '发送提醒 重发'); // this week's reminder went out above
    expect(reply).not.toContain('出错');
    await service.outbox.drain(10_000);
    const fresh = cardsOf(LIAISON).slice(before);
    expect(fresh.length).toBeGreaterThan(0);
    for (const c of fresh) {
      expect(validateTemplateCard(c.card)).toBeNull();
      expect(keysOf(c).length).toBe(5);
    }
  });
});

describe('where a card cannot be used', () => {
  it('a card the stand-in refuses (seven buttons) goes out as its text', async () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ text: `按钮${i}`, style: 1, key: `k${i}` }));
    const card = { card_type: 'button_interaction', main_title: { title: '督办提醒' }, task_id: 'duban-invalid-card-1', button_list: buttons };
    expect(validateTemplateCard(card)).toMatchObject({ errcode: 40058 });
    const from = wecom().sent().length;
    await enqueue(store, clock, 'test:invalid-card', {
      channel: 'app',
      body: { touser: LIAISON, msgtype: 'template_card', template_card: card, fallback: { touser: LIAISON, msgtype: 'text', text: { content: '【督办提醒】文字版' } } },
    });
    await service.outbox.drain(10_000);
    const sent = wecom().sent().slice(from);
    expect(sent).toEqual([expect.objectContaining({ touser: LIAISON, msgtype: 'text', text: { content: '【督办提醒】文字版' } })]);
    expect(sent[0]).not.toHaveProperty('fallback');
    expect(wecom().cards().some((c) => c.taskId === 'duban-invalid-card-1')).toBe(false);
  });

  it('with WECOM_CARDS off the reminder is text', async () => {
    const from = wecom().sent().length;
    const outcome = await runJob({ ...service.jobs, cards: false }, 'reminder', weekKey(clock.now()), { forceKey: 'cards-off' });
    expect(outcome.status).toBe('done');
    await service.outbox.drain(10_000);
    const mine = wecom().sent().slice(from).filter((m) => m.touser === LIAISON);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((m) => m.msgtype === 'text')).toBe(true);
    expect(String((mine[0]!.text as { content: string }).content)).toContain('【督办提醒】');
  });
});

describe('the 待审核 notice as cards', () => {
  it('carries 审核通过 / 退回; 退回 asks for the reason, 审核通过 closes the unit', async () => {
    // The item recorded at 60% by the first tap: now the liaison reports it done.
    const done = code;
    expect(await say(LIAISON, `完成 ${done} 已全部落实`)).toContain('待审核');
    clock.advance(60_000);
    const outcome = await runLoopJob(service.jobs, 'review-notice', shanghaiDate(clock.now()));
    expect(outcome.status).toBe('done');
    await service.outbox.drain(10_000);
    const card = cardsOf(ADMIN).at(-1)!;
    expect(validateTemplateCard(card.card)).toBeNull();
    expect((card.card.button_list as Array<{ text: string }>).map((b) => b.text)).toEqual(['审核通过', '退回']);
    const keys = keysOf(card);

    const back = wecom().tap(ADMIN, keys.find((k) => k.endsWith(':return'))!)!;
    const asked = await post(buildCardTapCallback(SETTINGS, { userid: ADMIN, tap: back, createTime: now() }), ADMIN);
    expect(asked).toBe(`请写明退回原因，发送：\n退回 ${done} 经贸办 原因`);
    clock.advance(60_000);

    const ok = wecom().tap(ADMIN, keys.find((k) => k.endsWith(':approve'))!)!;
    const approved = await post(buildCardTapCallback(SETTINGS, { userid: ADMIN, tap: ok, createTime: now() }), ADMIN);
    expect(approved).toContain(`已销号：${done} 经贸办`);
    clock.advance(60_000);
    expect(await say(ADMIN, `任务 ${done}`)).toMatch(/经贸办[^\n]*已销号/);
    await service.outbox.drain(10_000);
    expect(wecom().cardUpdates().at(-1)).toMatchObject({ response_code: ok.responseCode, button: { replace_name: '已审核通过' } });
  });
});

describe('the 延期申请 as cards', () => {
  const LEADER = 'demo-leader';
  let sfs: string;
  let agree: CardTap;
  let agreeCallback: { path: string; body: string };
  const decisions = () => store.models.ExtensionDecision.find({}).lean();
  const approvals = () => store.models.Audit.countDocuments({ action: 'task.extension.approve' });

  it('a liaison’s 延期 reaches each approver as a card with 同意 / 不同意, and no text notice', async () => {
    sfs = (await findDemoLiaison(store, '司法所'))!;
    await setCharge(store, clock, 'cli', LEADER, ['司法所']); // the leader in charge decides too
    const from = wecom().sent().length;
    expect(await say(sfs, '延期 14 2022-06-30 需与法院协调')).toContain('已提交延期申请');
    await service.outbox.drain(10_000);
    for (const approver of [ADMIN, LEADER]) {
      const card = cardsOf(approver).at(-1)!;
      expect(validateTemplateCard(card.card), approver).toBeNull();
      expect((card.card.main_title as { title: string }).title).toBe('延期申请：14 司法所');
      expect((card.card.button_list as Array<{ text: string }>).map((b) => b.text)).toEqual(['同意', '不同意']);
      expect(keysOf(card)).toEqual(['14@司法所:agree', '14@司法所:disagree']);
      const rows = card.card.horizontal_content_list as Array<{ keyname: string; value: string }>;
      expect(rows.find((r) => r.keyname === '申请延至')?.value).toBe('2022-06-30');
      expect(rows.find((r) => r.keyname === '原因')?.value).toBe('需与法院协调');
    }
    expect(wecom().sent().slice(from).filter((m) => [ADMIN, LEADER].includes(String(m.touser)) && m.msgtype === 'text')).toEqual([]);
    // Where WeCom refuses the card, its text goes instead: the notice with the exact commands.
    const queued = await store.models.Outbox.find({ key: { $regex: `^extension-request:.*:${ADMIN}:card:0$` } }).lean<Array<{ payload: { fallback?: { text?: { content?: string } } } }>>();
    expect(queued).toHaveLength(1);
    const fallback = queued[0]!.payload.fallback?.text?.content ?? '';
    expect(fallback).toContain('【延期申请】任务 14 ');
    expect(fallback).toContain('司法所申请把时限从 2021年年底前 延至 2022-06-30。');
    expect(fallback).toContain('同意：同意延期 14 司法所\n不同意：不同意延期 14 司法所 原因');
  });

  it('不同意 asks for the reason with the exact command, and decides nothing', async () => {
    const no = wecom().tap(ADMIN, '14@司法所:disagree')!;
    const reply = await post(buildCardTapCallback(SETTINGS, { userid: ADMIN, tap: no, createTime: now() }), ADMIN);
    expect(reply).toBe('请写明不同意的原因（会告知申请人），发送：\n不同意延期 14 司法所 原因');
    expect(await decisions()).toEqual([]);
    clock.advance(60_000);
  });

  it('同意 runs 同意延期 14 司法所: decided once, audited once, the card shows it', async () => {
    agree = wecom().tap(ADMIN, '14@司法所:agree')!;
    agreeCallback = buildCardTapCallback(SETTINGS, { userid: ADMIN, tap: agree, createTime: now() });
    const reply = await post(agreeCallback, ADMIN);
    expect(reply).toContain('已同意延期：14 司法所');
    expect(reply).toContain('2022-06-30');
    expect((await decisions()).map((d) => [d.department, d.verdict, d.actor])).toEqual([['司法所', 'approved', ADMIN]]);
    expect(await approvals()).toBe(1);
    await service.outbox.drain(10_000);
    expect(wecom().cardUpdates().at(-1)).toMatchObject({ response_code: agree.responseCode, button: { replace_name: '已同意' } });
    clock.advance(60_000);
    expect(await say(sfs, '任务 14')).toContain('2022-06-30');
  });

  it('the same event redelivered, and a second tap, record nothing more', async () => {
    const again = await post(agreeCallback, ADMIN);
    if (again) expect(again).toContain('已同意延期');
    clock.advance(60_000);
    const second = await post(buildCardTapCallback(SETTINGS, { userid: ADMIN, tap: { ...agree, responseCode: 'second-agree' }, createTime: now() }), ADMIN);
    expect(second).toContain('已通过这张卡片记录：同意');
    expect(second).toContain('未重复记录');
    expect(await decisions()).toHaveLength(1);
    expect(await approvals()).toBe(1);
  });

  it('the other approver’s card, tapped after the decision (as `say --click` does), says who decided and records nothing', async () => {
    const lines: string[] = [];
    const ctx = {
      config: { ...loadConfig({}, { dotenvPath: null }), botUrl: service.url }, logger: createLogger('silent'), clock,
      out: (l: string) => void lines.push(l), store: async () => store, close: async () => undefined,
    } as CliContext;
    clock.advance(60_000);
    expect(await runSayCommand([LEADER, '--click', '14@司法所:agree'], ctx)).toBe(0);
    expect(lines.join('\n')).toContain('已由');
    expect(lines.join('\n')).toContain('同意，这次点击未记录');
    expect(await decisions()).toHaveLength(1);
    expect(await approvals()).toBe(1);
  });
});

describe('old cards', () => {
  it('are deleted by the cleanup after their retention; a late tap on one says it has expired and records nothing', async () => {
    const card = cardsOf(LIAISON).filter((c) => c.replacedWith === null).at(-1)!;
    const key = keysOf(card).find((k) => k.endsWith(':30'))!;
    const late = wecom().tap(LIAISON, key)!;
    clock.advance((RETENTION.cardDays + 1) * 24 * 3600 * 1000);
    const result = await cleanup(store, clock);
    expect(result.cards).toBeGreaterThan(0);
    expect(await store.models.TemplateCard.countDocuments({})).toBe(0);
    expect(await store.models.CardTap.countDocuments({})).toBe(0);
    const before = await store.models.Report.countDocuments({});
    const reply = await post(buildCardTapCallback(SETTINGS, { userid: LIAISON, tap: late, createTime: now() }), LIAISON);
    expect(reply).toBe('这张卡片已失效，未做记录。发送“我的任务”查看要汇报的任务。');
    expect(await store.models.Report.countDocuments({})).toBe(before);
  });
});
