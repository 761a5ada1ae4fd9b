// 销号 review and 催办 through the real encrypted callback on the embedded database: 完成 waits for review,
// 审核通过 closes, 退回 reopens with its reason and tells the liaison, 催办 reaches the department's liaison
// (leaders only for the departments in their charge), and every decision is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { loopModels } from '../../src/store/loop-models.ts';
import { loadStandings } from '../../src/standing/index.ts';
import { weekBounds } from '../../src/domain/period.ts';
import { createBot } from '../../src/bot/dispatch.ts';
import { weekKey } from '../../src/domain/period.ts';
import { buildDigest } from '../../src/jobs/digest.ts';
import { createLogger } from '../../src/logger.ts';
import { activePlans } from '../../src/store/plans.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;

async function say(userid: string, text: string): Promise<string> {
  const reply = await h.say(userid, text);
  if (reply === null) throw new Error(`no reply to ${text}`);
  return reply;
}

beforeAll(async () => {
  store = await openTestStore('review');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'cjb', name: '村建办联络员', departments: ['村建办'], roles: ['member'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
    { userid: 'deputy', name: '分管副镇长', departments: [], roles: ['leader'] },
  ]);
  h = await startHarness(store, { passiveBudgetMs: 20_000 });
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});

describe('销号 review', () => {
  it('answers 完成 with 待审核, and 任务 shows it waiting', async () => {
    const reply = await say('jmb', '完成 7.5 电商培训全部完成');
    expect(reply).toContain('待审核');
    expect(await say('jmb', '任务 7.5')).toMatch(/经贸办：已完成，待审核/);
  });

  it('lists what waits for review on request, with 佐证 counts', async () => {
    const list = await say('admin', '待审核');
    expect(list).toContain('待审核 1 项');
    expect(list).toMatch(/· 7\.5 [^\n]*（经贸办，7月26日 10:00，佐证 0 份）：电商培训全部完成/);
    expect(list).toContain('通过：审核通过 7.5 经贸办');
  });

  it('closes it with 审核通过 (已销号), audited, and refuses a second approval without writing', async () => {
    expect(await say('admin', '审核通过 7.5 经贸办')).toContain('已销号');
    const detail = await say('jmb', '任务 7.5');
    expect(detail).toMatch(/经贸办：已销号/);
    expect(detail).toContain('审核记录');
    const { Review } = await loopModels(store);
    expect(await Review.countDocuments({ taskCode: '7.5' })).toBe(1);
    expect(await store.models.Audit.countDocuments({ action: 'task.review.approve', target: 'task:7.5' })).toBe(1);
    expect(await say('admin', '审核通过 7.5 经贸办')).toContain('未做修改');
    expect(await Review.countDocuments({ taskCode: '7.5' })).toBe(1);
  });

  it('refuses to approve what is not finished, and refuses non-admins, changing nothing', async () => {
    const { Review } = await loopModels(store);
    const before = await Review.countDocuments({});
    expect(await say('admin', '审核通过 7.5 村建办')).toMatch(/尚未汇报.*不能审核通过/);
    expect(await say('jmb', '审核通过 7.1 经贸办')).toContain('只有管理员');
    expect(await say('admin', '退回 7.1 经贸办')).toContain('请写明退回原因');
    expect(await Review.countDocuments({})).toBe(before);
  });

  it('sends 退回 back to 推进中 with the reason in 任务, and the liaison is told', async () => {
    await say('jmb', '完成 7.1 技改项目已验收');
    const reply = await say('admin', '退回 7.1 经贸办 缺少佐证材料');
    expect(reply).toContain('已退回');
    expect(reply).toContain('已通知：经贸办联络员。');
    const detail = await say('jmb', '任务 7.1');
    expect(detail).toContain('退回：缺少佐证材料');
    const notice = h.notified.filter((n) => n.userids.includes('jmb') && n.text.includes('退回'));
    expect(notice).toHaveLength(1);
    expect(notice[0]!.text).toContain('缺少佐证材料');
    expect(notice[0]!.text).toContain('完成 7.1');
    expect(await store.models.Audit.countDocuments({ action: 'task.review.return', target: 'task:7.1' })).toBe(1);
    expect(await say('jmb', '我的任务')).toMatch(/7\.1 [^\n]*\n\s+退回：缺少佐证材料/);
    // A new 完成 (an hour later) makes it 待审核 again.
    h.clock.advance(3600_000);
    expect(await say('jmb', '完成 7.1 已补充验收照片')).toContain('待审核');
    expect(await say('jmb', '任务 7.1')).toMatch(/经贸办：已完成，待审核/);
  });
});

describe('催办', () => {
  it('reaches 经贸办’s liaison, is recorded and shown in 任务', async () => {
    const reply = await say('admin', '催办 7.6 请本周报送招商进展');
    expect(reply).toContain('已催办');
    expect(reply).toContain('已通知：经贸办联络员。');
    const notice = h.notified.filter((n) => n.userids.includes('jmb') && n.text.includes('【催办】'));
    expect(notice).toHaveLength(1);
    expect(notice[0]!.text).toContain('请本周报送招商进展');
    const detail = await say('jmb', '任务 7.6');
    expect(detail).toContain('催办记录（共 1 次）');
    expect(detail).toContain('请本周报送招商进展');
  });

  it('holds a second 催办 to the same liaison on the same day for the next working day', async () => {
    const reply = await say('admin', '催办 7.2 经贸办');
    // Names, not userids; when it arrives and why; and no "已通知" for the one held.
    expect(reply).toMatch(/经贸办联络员今天已收到过一条催办通知（每人每天最多一条），这条将于\d+月\d+日 09:15送达。/);
    expect(reply).not.toContain('已通知');
    expect(reply).not.toContain('jmb');
    const held = h.notified.filter((n) => n.userids.includes('jmb') && n.text.includes('7.2'));
    expect(held).toHaveLength(1);
  });

  it('lets a leader chase only the departments in their charge (分管, audited)', async () => {
    expect(await say('deputy', '催办 7.6')).toContain('不在你的分管范围内');
    expect(await say('admin', '分管 deputy 经贸办 财政所')).toContain('已记录留痕');
    expect(await store.models.Audit.countDocuments({ action: 'member.charge', target: 'member:deputy' })).toBe(1);
    expect(await say('admin', '分管 deputy')).toContain('经贸办、财政所');
    expect(await say('deputy', '催办 7.7 村建办')).toContain('不在你的分管范围内');
    expect(await say('deputy', '催办 7.3 经贸办 抓紧')).toContain('已催办');
    expect(await say('jmb', '催办 7.3')).toContain('只有领导和管理员');
    expect(await say('admin', '分管 deputy 火星办')).toContain('没有找到部门“火星办”');
    expect(await say('admin', '分管 jmb 经贸办')).toContain('jmb 不是领导');
    expect(await store.models.Audit.countDocuments({ action: 'member.charge' })).toBe(1);
  });

  it('clears a leader’s charge with “无”, audited, and the leader can no longer chase', async () => {
    expect(await say('admin', '分管 deputy 无')).toContain('经贸办、财政所 → （无）');
    expect(await say('deputy', '催办 7.3 经贸办')).toContain('你还没有分管的部门');
    expect(await say('admin', '分管 deputy 经贸办，财政所')).toContain('（无） → 经贸办、财政所');
    expect(await store.models.Audit.countDocuments({ action: 'member.charge', target: 'member:deputy' })).toBe(3);
  });

  it('without a 部门 lists the units it could mean, one command each, and chases none', async () => {
    const chases = await store.models.Audit.db.collection('chases').countDocuments({});
    const reply = await say('admin', '催办 7.7');
    expect(reply).toContain('未催办');
    expect(reply).toContain('催办 7.7 自然资源南旺事务中心');
    expect(reply).toContain('催办 7.7 村建办');
    expect(await store.models.Audit.db.collection('chases').countDocuments({})).toBe(chases);
  });

  it('says which departments it could not reach', async () => {
    const reply = await say('admin', '催办 7.7 自然资源南旺事务中心');
    expect(reply).toContain('已催办：7.7 自然资源南旺事务中心');
    expect(reply).toContain('自然资源南旺事务中心没有绑定联络员');
    expect(await say('admin', '催办 7.7 村建办')).toContain('已通知：村建办联络员。');
  });

  it('does not chase a department that has finished', async () => {
    expect(await say('admin', '催办 7.5 经贸办')).toContain('无需催办');
  });
});

describe('counted apart: 总览, the digest, 超期', () => {
  it('总览 counts 待审核 and 已销号 apart', async () => {
    // 7.5 经贸办 is 已销号; 7.1 经贸办 is 待审核 again after its second 完成.
    expect(await say('admin', '总览')).toContain('销号：待审核 1　已销号 1');
  });

  it('the digest counts them apart and lists 超期 tasks; 任务 says how late', async () => {
    await store.models.Task.updateOne({ code: '7.6' }, { $set: { deadline: '2021-07-20', deadlineText: '2021年7月20日前' } });
    const plans = await activePlans(store);
    const built = await buildDigest(store, plans, weekKey(h.clock.now()), h.clock.now(), { mentions: false });
    expect(built.digest.review).toEqual({ pending: 1, closed: 1, returned: 0 });
    expect(built.digest.overdue.map((t) => t.code)).toEqual(['7.6']);
    expect(built.leaderParts.join('\n')).toContain('销号：待审核 1　已销号 1　⏰超期 1 项');
    const text = built.detailParts.join('\n');
    expect(text).toContain('销号：待审核 1　已销号 1');
    expect(text).toMatch(/超期任务\n⏰ 7\.6 [^\n]*经贸办；时限 2021-07-20/);
    const detail = await say('jmb', '任务 7.6');
    expect(detail).toContain('已超期 6 天');
    expect(detail).toContain('经贸办：尚未汇报，⏰超期 6 天');
    expect(await say('jmb', '我的任务')).toMatch(/7\.6 [^\n]*\n\s+尚未汇报，⏰超期 6 天/);
  });
});

describe('REVIEW_REQUIRED=false', () => {
  it('closes a 完成 on the department’s word', async () => {
    const bot = createBot({ store, clock: h.clock, logger: createLogger('silent'), notifier: { notifyUsers: async () => undefined }, reviewRequired: false }, COMMANDS);
    const reply = await bot.handle({ channel: 'test', userid: 'jmb', text: '完成 7.3 经贸办 已完成', msgId: 'no-review-1', at: h.clock.now() });
    expect(reply.messages.join('\n')).toContain('已销号');
    expect(reply.messages.join('\n')).not.toContain('待审核');
    expect(await say('jmb', '任务 7.3')).toMatch(/经贸办：已销号/);
  });
});

describe('the loop’s figures for pages and the 台账', () => {
  it('gives each unit its 销号 state, 佐证 and 催办 counts and 超期', async () => {
    const plan = (await activePlans(store))[0]!;
    const records = await loadStandings(store, plan, weekBounds(h.clock.now()), h.clock.now());
    const of = (code: string) => records.find((r) => r.task.code === code && r.department === '经贸办');
    expect(of('7.5')).toMatchObject({ stage: 'closed', evidence: 0, overdue: false });
    expect(of('7.1')).toMatchObject({ stage: 'pending_review' });
    expect(of('7.6')).toMatchObject({ stage: 'not_started', chases: 1, overdue: true, lastChase: { actor: 'admin', note: '请本周报送招商进展', kind: 'manual' } });
    expect(of('7.3')).toMatchObject({ stage: 'closed', chases: 1 });
  });
});

describe('the same message handled again (a crash after the decision, before the reply)', () => {
  it('records a 退回 and a 催办 once, audits once, and does not refuse its own decision', async () => {
    await say('jmb', '完成 7.17 经贸办 科技创新项目完成');
    const { Review, Chase } = await loopModels(store);
    const inbound = (text: string, msgId: string) => ({ channel: 'test' as const, userid: 'admin', text, msgId, at: h.clock.now() });
    const first = await h.bot.handle(inbound('退回 7.17 经贸办 缺少验收报告', 'again-1'));
    const again = await h.bot.handle(inbound('退回 7.17 经贸办 缺少验收报告', 'again-1'));
    expect(first.messages.join('\n')).toMatch(/^已退回：7\.17 经贸办（缺少验收报告）/);
    expect(again.messages.join('\n')).toMatch(/^已退回：7\.17 经贸办（缺少验收报告）/);
    expect(await Review.countDocuments({ taskCode: '7.17' })).toBe(1);
    expect(await store.models.Audit.countDocuments({ action: 'task.review.return', target: 'task:7.17' })).toBe(1);
    const keys = h.notified.filter((n) => n.text.includes('缺少验收报告')).map((n) => n.key);
    expect(new Set(keys).size).toBe(1); // the outbox stores one message per key

    await h.bot.handle(inbound('催办 7.18 经贸办 请报人才项目', 'again-2'));
    await h.bot.handle(inbound('催办 7.18 经贸办 请报人才项目', 'again-2'));
    expect(await Chase.countDocuments({ taskCode: '7.18' })).toBe(1);
    expect(new Set(h.notified.filter((n) => n.text.includes('请报人才项目')).map((n) => n.key)).size).toBe(1);
  });
});
