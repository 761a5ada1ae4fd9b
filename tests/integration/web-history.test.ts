// History in plain Chinese: one entry of every kind of change, written through record(), reads on the 操作记录
// page and on the task page as sentences with people's names, never an action key, a target key or a userid.
// The task page shows each unit's 催办 and review decisions with their reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { AUDIT_ACTIONS, unitNote, type AuditAction } from '../../src/domain/audit-sentence.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import { memberAuditTarget, planAuditTarget, record, taskAuditTarget, unitAuditTarget, type AuditEntry } from '../../src/store/audit.ts';
import { recordChase } from '../../src/store/chases.ts';
import type { Store } from '../../src/store/database.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;
let service: Service;
let plan: PlanDoc;
let task: TaskDoc;
let session: string;

const ADMIN = 'demo-admin';
const ADMIN_NAME = '党政办管理员（演示）';
const LIAISON = 'demo-liaison-01';
const LIAISON_NAME = '经贸办联络员（演示）';
const LEADER = 'demo-leader';
const LEADER_NAME = '镇领导（演示）';

/** One entry of each action, by a person, the system or the command line. */
function entryOf(action: AuditAction, i: number): AuditEntry {
  const at = new Date(Date.UTC(2021, 6, 27, 0, i));
  const onTask = { at, actor: ADMIN, action, ...taskAuditTarget(task) };
  switch (action) {
    case 'task.review.approve': return { ...onTask, before: '待审核', after: '已销号', note: unitNote('经贸办', '') };
    case 'task.review.return': return { ...onTask, before: '待审核', after: '退回', note: unitNote('经贸办', '缺少佐证材料') };
    case 'task.reopen': return { ...onTask, before: '已销号', after: '推进中', note: unitNote('经贸办', '直播数据有误') };
    case 'task.chase': return { ...onTask, actor: LEADER, note: unitNote('经贸办', '请本周内汇报') };
    case 'task.extension.request': return { ...onTask, before: '2021年年底前', after: '2022-03-31', note: unitNote('经贸办', '需与法院协调') };
    case 'task.extension.approve': return { ...onTask, before: '2021年年底前', after: '2022-03-31', note: unitNote('经贸办', '需与法院协调') };
    case 'task.extension.refuse': return { ...onTask, before: '2021年年底前', after: '2022-03-31', note: unitNote('经贸办', '理由不充分') };
    case 'task.departments.transfer': return { ...onTask, before: ['村建办', '经贸办'], after: ['村建办', '统计站'] };
    case 'task.departments.add': return { ...onTask, before: ['村建办'], after: ['村建办', '经贸办'] };
    case 'task.departments.remove': return { ...onTask, before: ['村建办', '经贸办'], after: ['村建办'] };
    case 'task.departments.plan-changed': return { ...onTask, actor: 'system:import', before: ['村建办'], after: ['村建办', '经贸办'], note: `plan ${plan.name}` };
    case 'task.cadence': return { ...onTask, before: 'weekly', after: 'monthly' };
    case 'plan.import': return { at, actor: 'cli', action, ...planAuditTarget(plan.name), after: { created: 65, updated: 0, retired: 0 }, note: plan.title };
    case 'plan.reimport': return { at, actor: ADMIN, action, ...planAuditTarget(plan.name), after: { created: 1, updated: 2, retired: 0 }, note: plan.title };
    case 'plan.activate': return { at, actor: ADMIN, action, ...planAuditTarget(plan.name), before: 'archived', after: 'active', note: plan.title };
    case 'plan.archive': return { at, actor: ADMIN, action, ...planAuditTarget(plan.name), before: 'active', after: 'archived', note: plan.title };
    case 'member.create': return { at, actor: 'system:sync', action, ...memberAuditTarget(LIAISON), after: { departments: ['经贸办'], roles: ['member'], active: true } };
    case 'member.update': return { at, actor: ADMIN, action, ...memberAuditTarget(LIAISON), before: { departments: ['经贸办'], roles: ['member'], active: true }, after: { departments: ['经贸办'], roles: ['member'], active: false } };
    case 'member.roles.add': return { at, actor: ADMIN, action, ...memberAuditTarget(LEADER), before: ['member'], after: ['member', 'leader'] };
    case 'member.roles.remove': return { at, actor: ADMIN, action, ...memberAuditTarget(LEADER), before: ['member', 'leader'], after: ['leader'] };
    case 'member.departments.bind': return { at, actor: ADMIN, action, ...memberAuditTarget(LIAISON), before: ['经贸办'], after: ['经贸办', '统计站'] };
    case 'member.departments.unbind': return { at, actor: ADMIN, action, ...memberAuditTarget(LIAISON), before: ['经贸办', '统计站'], after: ['经贸办'] };
    case 'member.departments.replace': return { at, actor: ADMIN, action, ...memberAuditTarget(LIAISON), before: ['统计站'], after: ['经贸办'] };
    case 'member.charge': return { at, actor: ADMIN, action, ...memberAuditTarget(LEADER), before: [], after: ['经贸办', '村建办'] };
    case 'unit.merge': return { at, actor: ADMIN, action, ...unitAuditTarget('经贸力'), before: null, after: '经贸办', note: '错别字' };
    case 'unit.remove': return { at, actor: ADMIN, action, ...unitAuditTarget('消防中队'), note: '不属本镇' };
  }
}

const page = async (path: string) => {
  const res = await fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie: `duban_session=${session}` } });
  expect(res.status).toBe(200);
  return res.text();
};

/** The page's visible text: no tags, no attributes (links may carry filters). */
const textOf = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ');

function expectPlainChinese(html: string) {
  for (const action of AUDIT_ACTIONS) expect(html, `raw key ${action}`).not.toContain(action);
  for (const prefix of ['member:', 'task:', 'system:', 'plan:', 'unit:']) expect(html, `prefix ${prefix}`).not.toContain(prefix);
  // Userids appear nowhere the reader sees (the header names the viewer by name too).
  for (const userid of [ADMIN, LIAISON, LEADER]) expect(textOf(html), `userid ${userid}`).not.toContain(userid);
}

beforeAll(async () => {
  store = await openTestStore('webhistory');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  plan = (await store.models.Plan.findOne({}).lean<PlanDoc>())!;
  task = (await store.models.Task.findOne({ planId: plan._id, code: '7.5' }).lean<TaskDoc>())!;
  await store.models.Audit.deleteMany({});
  for (const [i, action] of AUDIT_ACTIONS.entries()) await record(store, entryOf(action, i));
  // The 催办 records are kept apart from the audit log (the weekly escalation writes them too).
  await recordChase(store, { task, department: '经贸办', kind: 'manual', actor: LEADER, note: '请补充直播数据', at: new Date('2021-07-27T03:00:00Z'), idempotencyKey: 'msg:1' });
  await recordChase(store, { task, department: '村建办', kind: 'auto', actor: 'system:escalation', note: '连续两周红灯：未汇报', at: new Date('2021-07-27T04:00:00Z'), idempotencyKey: 'auto:2021-W30' });
  session = await loginAs(service.url, ADMIN);
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('history in plain Chinese', () => {
  it('the 操作记录 page reads every kind of change as a sentence with names', async () => {
    const html = await page('/web/audit');
    expectPlainChinese(html);
    const text = textOf(html);
    expect(text).toContain(`${ADMIN_NAME} 审核通过 7.5（经贸办）`);
    expect(text).toContain(`${ADMIN_NAME} 退回 7.5（经贸办），原因：缺少佐证材料`);
    expect(text).toContain(`${ADMIN_NAME} 重新打开 7.5（经贸办），原因：直播数据有误`);
    expect(text).toContain(`${LEADER_NAME} 催办 7.5（经贸办）：请本周内汇报`);
    expect(text).toContain(`系统 新增成员 ${LIAISON_NAME}`);
    expect(text).toContain(`命令行 导入方案《${plan.title}》`);
    expect(text).toContain(`${ADMIN_NAME} 设置 ${LEADER_NAME} 分管 经贸办、村建办`);
    expect(text).toContain(`${ADMIN_NAME} 修改成员 ${LIAISON_NAME}：状态 在职 → 停用`);
    expect(text).toContain(`${ADMIN_NAME} 把单位 经贸力 并入 经贸办`);
    expect(text).toContain(`${ADMIN_NAME} 把 7.5 改为每月汇报（原为每周）`);
  });

  it('filters the 操作记录 by a person’s name and by what the entry is about', async () => {
    // The entries only: the page's header names the viewer.
    const entries = (html: string) => textOf(html.slice(html.indexOf('<ol class="card timeline">')));
    const byLeader = entries(await page(`/web/audit?actor=${encodeURIComponent(LEADER_NAME)}`));
    expect(byLeader).toContain(`${LEADER_NAME} 催办 7.5`);
    expect(byLeader).not.toContain(ADMIN_NAME);
    const aboutLiaison = entries(await page(`/web/audit?target=${encodeURIComponent(LIAISON_NAME)}`));
    expect(aboutLiaison).toContain(`为 ${LIAISON_NAME} 绑定 统计站`);
    expect(aboutLiaison).not.toContain('7.5');
    const aboutTask = entries(await page('/web/audit?target=7.5'));
    expect(aboutTask).toContain('退回 7.5（经贸办）');
    expect(aboutTask).not.toContain(LIAISON_NAME);
  });

  it('the task page shows the task’s history, and each unit’s 催办 and review decisions with their reasons', async () => {
    const html = await page(`/web/tasks/${String(plan._id)}/7.5`);
    expectPlainChinese(html);
    const text = textOf(html);
    expect(text).toContain(`${ADMIN_NAME} 把 7.5 转办给 村建办、统计站（原为 村建办、经贸办）`);
    expect(text).toContain('系统 按新导入的方案把 7.5 的责任单位改为 村建办、经贸办');
    expect(text).toContain(`${LEADER_NAME} 催办 7.5（经贸办）：请补充直播数据`);
    expect(text).toContain('系统 催办 7.5（村建办）：连续两周红灯：未汇报');
    // In the unit's own history, under 各责任单位 (经贸办 is responsible for 7.5 in the bundled plan).
    const units = html.slice(html.indexOf('各责任单位'), html.indexOf('id="evidence"'));
    const jmb = units.slice(units.indexOf('经贸办'));
    expect(textOf(jmb)).toContain('退回 7.5（经贸办），原因：缺少佐证材料');
    expect(textOf(jmb)).toContain('催办 7.5（经贸办）：请补充直播数据');
  });
});
