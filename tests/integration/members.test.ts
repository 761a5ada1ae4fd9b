import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Types } from 'mongoose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { MEMBERS_USAGE, runMembersCommand } from '../../src/cli/members.ts';
import { CliUsageError, type CliContext } from '../../src/cli/runtime.ts';
import {
  addRole, applyConfigAdmins, bindDepartments, ensureDemoRoster, findDemoLiaison, listMembers, MemberError,
  removeRole, resolveDepartmentName, unbindDepartment, upsertMember,
} from '../../src/members/members.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';

const DEPARTMENTS = [
  { name: '经贸办' }, { name: '统计站' }, { name: '党政办' }, { name: '财政所' }, { name: '人社所' },
  { name: 'O2O办公室' }, { name: '市场监管所', aliases: ['市监所'] },
  { name: '镇直各部门', collective: true }, { name: '镇直有关部门', collective: true },
];

async function seedDepartments(store: Store) {
  for (const d of DEPARTMENTS) await store.models.Department.create(d);
}

async function auditOf(store: Store, userid: string) {
  return store.models.Audit.find({ target: `member:${userid}` }).sort({ at: 1, _id: 1 }).lean();
}

async function expectMemberError(p: Promise<unknown>, code: string): Promise<MemberError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(MemberError);
  expect((err as MemberError).code).toBe(code);
  return err as MemberError;
}

describe('members on the real database', () => {
  let store: Store;
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  beforeAll(async () => {
    store = await openTestStore('members');
    await seedDepartments(store);
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    await store.models.Member.deleteMany({});
    await store.models.Audit.deleteMany({});
  });

  it('creates a member and audits the creation', async () => {
    expect(await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['经贸办'] }))
      .toEqual({ created: true, changed: true });
    expect(await listMembers(store)).toEqual([
      { userid: 'zhangsan', name: '张三', departments: ['经贸办'], roles: ['member'], active: true, demo: false },
    ]);
    const [entry] = await auditOf(store, 'zhangsan');
    expect(entry).toMatchObject({
      actor: 'cli', action: 'member.create', target: 'member:zhangsan', before: null,
      after: { departments: ['经贸办'], roles: ['member'], active: true },
    });
    expect(entry!.at.toISOString()).toBe('2021-07-26T02:00:00.000Z');
  });

  it('audits a change of departments or roles with before → after, not a change of name alone', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['经贸办'] });
    expect(await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三丰' })).toEqual({ created: false, changed: true });
    expect(await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三丰' })).toEqual({ created: false, changed: false });
    expect(await auditOf(store, 'zhangsan')).toHaveLength(1);

    await upsertMember(store, clock, 'admin1', { userid: 'zhangsan', departments: ['经贸办', '统计站'], roles: ['admin', 'member'] });
    const last = (await auditOf(store, 'zhangsan')).at(-1);
    expect(last).toMatchObject({
      actor: 'admin1', action: 'member.update',
      before: { departments: ['经贸办'], roles: ['member'], active: true },
      after: { departments: ['经贸办', '统计站'], roles: ['member', 'admin'], active: true },
    });
  });

  it('binds departments (add or replace), resolving aliases and prefixes, and audits each change', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'lisi', name: '李四', departments: ['经贸办'] });
    clock.advance(1000);
    expect(await bindDepartments(store, clock, 'admin1', 'lisi', ['市监所', '统计'], 'add')).toEqual({
      before: ['经贸办'], after: ['经贸办', '市场监管所', '统计站'], changed: true,
    });
    clock.advance(1000);
    expect(await bindDepartments(store, clock, 'admin1', 'lisi', ['南旺镇财政所'], 'replace')).toMatchObject({
      before: ['经贸办', '市场监管所', '统计站'], after: ['财政所'],
    });
    // Binding what is already bound changes nothing and writes nothing.
    expect(await bindDepartments(store, clock, 'admin1', 'lisi', ['财政所'], 'add')).toMatchObject({ changed: false });

    const entries = await auditOf(store, 'lisi');
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      ['member.create', null, { departments: ['经贸办'], roles: ['member'], active: true }],
      ['member.departments.bind', ['经贸办'], ['经贸办', '市场监管所', '统计站']],
      ['member.departments.replace', ['经贸办', '市场监管所', '统计站'], ['财政所']],
    ]);
  });

  it('unbinds one department or all of them', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'lisi', departments: ['经贸办', '统计站', '财政所'] });
    expect(await unbindDepartment(store, clock, 'admin1', 'lisi', '统计')).toEqual({
      before: ['经贸办', '统计站', '财政所'], after: ['经贸办', '财政所'], changed: true,
    });
    expect(await unbindDepartment(store, clock, 'admin1', 'lisi', '人社所')).toMatchObject({ changed: false });
    expect(await unbindDepartment(store, clock, 'admin1', 'lisi')).toMatchObject({ after: [], changed: true });
    const actions = (await auditOf(store, 'lisi')).map((e) => e.action);
    expect(actions).toEqual(['member.create', 'member.departments.unbind', 'member.departments.unbind']);
  });

  it('adds and removes roles with audit', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'wangwu' });
    expect(await addRole(store, clock, 'admin1', 'wangwu', 'leader')).toEqual({ before: ['member'], after: ['member', 'leader'], changed: true });
    expect(await addRole(store, clock, 'admin1', 'wangwu', 'leader')).toMatchObject({ changed: false });
    expect(await removeRole(store, clock, 'admin1', 'wangwu', 'member')).toEqual({ before: ['member', 'leader'], after: ['leader'], changed: true });
    const entries = (await auditOf(store, 'wangwu')).slice(1);
    expect(entries.map((e) => [e.actor, e.action, e.before, e.after])).toEqual([
      ['admin1', 'member.roles.add', ['member'], ['member', 'leader']],
      ['admin1', 'member.roles.remove', ['member', 'leader'], ['leader']],
    ]);
  });

  it('refuses an unknown member, department or role and writes nothing', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'lisi', departments: ['经贸办'] });
    const auditBefore = await store.models.Audit.countDocuments({});

    await expectMemberError(bindDepartments(store, clock, 'a', 'nobody', ['经贸办'], 'add'), 'unknown_member');
    await expectMemberError(unbindDepartment(store, clock, 'a', 'nobody'), 'unknown_member');
    await expectMemberError(addRole(store, clock, 'a', 'nobody', 'admin'), 'unknown_member');
    await expectMemberError(removeRole(store, clock, 'a', 'nobody', 'member'), 'unknown_member');

    const unknown = await expectMemberError(bindDepartments(store, clock, 'a', 'lisi', ['统计站', '财政局'], 'add'), 'unknown_department');
    expect(unknown.candidates).toContain('财政所');
    expect(unknown.message).toContain('财政局');
    const ambiguous = await expectMemberError(bindDepartments(store, clock, 'a', 'lisi', ['镇直'], 'replace'), 'ambiguous_department');
    expect(ambiguous.candidates).toEqual(expect.arrayContaining(['镇直各部门', '镇直有关部门']));
    await expectMemberError(bindDepartments(store, clock, 'a', 'lisi', ['镇直各部门'], 'add'), 'collective_department');
    await expectMemberError(upsertMember(store, clock, 'a', { userid: 'newbie', departments: ['不存在办'] }), 'unknown_department');
    await expectMemberError(upsertMember(store, clock, 'a', { userid: '张 三' }), 'invalid_userid');
    await expectMemberError(addRole(store, clock, 'a', 'lisi', 'boss' as never), 'unknown_role');

    expect(await listMembers(store)).toEqual([expect.objectContaining({ userid: 'lisi', departments: ['经贸办'], roles: ['member'] })]);
    expect(await store.models.Audit.countDocuments({})).toBe(auditBefore);
  });

  it('resolves typed department names against the collection', async () => {
    expect(await resolveDepartmentName(store, '市监所')).toEqual({ ok: true, name: '市场监管所' });
    expect(await resolveDepartmentName(store, '南旺镇经贸办')).toEqual({ ok: true, name: '经贸办' });
    expect(await resolveDepartmentName(store, '经贸办公室')).toEqual({ ok: true, name: '经贸办' });
    expect(await resolveDepartmentName(store, 'ｏ２ｏ办公室')).toEqual({ ok: true, name: 'O2O办公室' });
    expect(await resolveDepartmentName(store, '人社')).toEqual({ ok: true, name: '人社所' });
    expect(await resolveDepartmentName(store, '镇直')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: expect.arrayContaining(['镇直各部门', '镇直有关部门']) });
    expect(await resolveDepartmentName(store, '镇直各部门')).toEqual({ ok: true, name: '镇直各部门' });
    expect(await resolveDepartmentName(store, '镇直各部门', { includeCollective: false })).toMatchObject({ ok: false });
  });

  it('lists members sorted by userid', async () => {
    for (const userid of ['wangwu', 'a-li', 'zhangsan']) await upsertMember(store, clock, 'cli', { userid });
    expect((await listMembers(store)).map((m) => m.userid)).toEqual(['a-li', 'wangwu', 'zhangsan']);
  });

  it('makes WECOM_ADMINS admins: creates the missing, promotes the rest, then does nothing', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['党政办'] });
    expect(await applyConfigAdmins(store, clock, ['zhangsan', 'boss', 'boss'])).toEqual({ created: ['boss'], promoted: ['zhangsan'] });
    const members = await listMembers(store);
    expect(members.find((m) => m.userid === 'boss')).toMatchObject({ roles: ['member', 'admin'], departments: [] });
    expect(members.find((m) => m.userid === 'zhangsan')).toMatchObject({ roles: ['member', 'admin'], departments: ['党政办'] });
    expect((await store.models.Member.findOne({ userid: 'boss' }).lean())!.source).toBe('config');
    expect((await auditOf(store, 'zhangsan')).at(-1)).toMatchObject({ actor: 'system:config', action: 'member.roles.add', after: ['member', 'admin'] });

    const count = await store.models.Audit.countDocuments({});
    expect(await applyConfigAdmins(store, clock, ['zhangsan', 'boss'])).toEqual({ created: [], promoted: [] });
    expect(await store.models.Audit.countDocuments({})).toBe(count);
  });
});

describe('demo roster', () => {
  let store: Store;
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  beforeAll(async () => {
    store = await openTestStore('demoroster');
    await seedDepartments(store);
    // Tasks name departments in plan order: 经贸办 first, as in the bundled 2021 plan.
    const planId = new Types.ObjectId();
    const tasks = [['经贸办', '统计站'], ['镇直各部门'], ['党政办', 'O2O办公室'], ['财政所', '经贸办']];
    for (const [order, departments] of tasks.entries()) {
      await store.models.Task.create({ planId, code: String(order + 1), chapter: 1, section: order + 1, title: 't', text: 't', departments, order });
    }
  });
  afterAll(async () => {
    await store.close();
  });

  it('seeds one liaison per non-collective department in plan order, plus an admin and a leader', async () => {
    const r = await ensureDemoRoster(store, clock);
    expect(r.liaisons).toEqual([
      { department: '经贸办', userid: 'demo-liaison-01' },
      { department: '统计站', userid: 'demo-liaison-02' },
      { department: '党政办', userid: 'demo-liaison-03' },
      { department: 'O2O办公室', userid: 'demo-liaison-04' },
      { department: '财政所', userid: 'demo-liaison-05' },
      { department: '人社所', userid: 'demo-liaison-06' },
      { department: '市场监管所', userid: 'demo-liaison-07' },
    ]);
    expect(r.created).toBe(9);
    const members = await listMembers(store);
    expect(members.every((m) => m.demo)).toBe(true);
    expect(members.find((m) => m.userid === 'demo-liaison-01')).toEqual({
      userid: 'demo-liaison-01', name: '经贸办联络员（演示）', departments: ['经贸办'], roles: ['member'], active: true, demo: true,
    });
    expect(members.find((m) => m.userid === 'demo-admin')).toMatchObject({ departments: ['党政办'], roles: ['member', 'admin'] });
    expect(members.find((m) => m.userid === 'demo-leader')).toMatchObject({ departments: [], roles: ['leader'] });
    expect(await findDemoLiaison(store, '经贸办')).toBe('demo-liaison-01');
    expect(await findDemoLiaison(store, '党政办')).toBe('demo-liaison-03');
    expect(await store.models.Member.countDocuments({ source: 'demo' })).toBe(9);
  });

  it('is idempotent and never touches a roster that exists', async () => {
    const before = await listMembers(store);
    expect(await ensureDemoRoster(store, clock)).toEqual({ created: 0, liaisons: [] });
    expect(await listMembers(store)).toEqual(before);

    await store.models.Member.deleteMany({});
    await upsertMember(store, clock, 'cli', { userid: 'real-person' });
    expect((await ensureDemoRoster(store, clock)).created).toBe(0);
    expect((await listMembers(store)).map((m) => m.userid)).toEqual(['real-person']);
  });
});

describe('members CLI', () => {
  let store: Store;
  let dir: string;
  let lines: string[];
  let ctx: CliContext;
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  beforeAll(async () => {
    store = await openTestStore('memberscli');
    await seedDepartments(store);
    dir = mkdtempSync(join(tmpdir(), 'members-cli-'));
    ctx = {
      config: loadConfig({}, { dotenvPath: null }),
      logger: createLogger('silent'),
      clock,
      out: (line) => lines.push(line),
      store: async () => store,
      close: async () => undefined,
    };
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lines = [];
  });
  afterEach(async () => {
    await store.models.Member.deleteMany({});
  });

  it('prints the roster as JSON with exactly userid, name, departments, roles (active members only)', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['经贸办', '统计站'], roles: ['member', 'admin'] });
    await upsertMember(store, clock, 'cli', { userid: 'gone', name: '离职', active: false });
    expect(await runMembersCommand(['list', '--json'], ctx)).toBe(0);
    expect(lines).toEqual(['[{"userid":"zhangsan","name":"张三","departments":["经贸办","统计站"],"roles":["member","admin"]}]']);

    lines = [];
    await runMembersCommand(['list', '--json', '--all'], ctx);
    expect(JSON.parse(lines[0]!)).toEqual([
      { userid: 'gone', name: '离职', departments: [], roles: ['member'], active: false },
      { userid: 'zhangsan', name: '张三', departments: ['经贸办', '统计站'], roles: ['member', 'admin'], active: true },
    ]);
  });

  it('prints a table for people', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['经贸办'], roles: ['member', 'admin'] });
    await runMembersCommand(['list'], ctx);
    expect(lines[0]).toMatch(/^账号\s+姓名\s+部门\s+角色\s+状态$/);
    expect(lines[1]).toMatch(/^zhangsan\s+张三\s+经贸办\s+成员、管理员$/);
    expect(lines.at(-1)).toBe('共 1 人');
  });

  it('imports a roster file and reports row errors without importing', async () => {
    const good = join(dir, 'good.csv');
    writeFileSync(good, 'userid,name,departments,roles\nzhangsan,张三,经贸办，统计站,\n');
    expect(await runMembersCommand(['import', good], ctx)).toBe(0);
    expect(lines).toEqual(['导入名单：新增 1，更新 0，未变 0。']);

    lines = [];
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'userid,name,departments,roles\nlisi,李四,财政局,\n');
    expect(await runMembersCommand(['import', bad], ctx)).toBe(1);
    expect(lines[0]).toContain('未导入任何成员');
    expect(lines[1]).toContain('第 2 行（lisi）：没有部门“财政局”，可能是：财政所');
    expect((await listMembers(store)).map((m) => m.userid)).toEqual(['zhangsan']);
  });

  it('explains that sync needs WeCom settings when no contacts client is given', async () => {
    expect(await runMembersCommand(['sync'], ctx)).toBe(1);
    expect(lines.join('\n')).toMatch(/企业微信设置/);
  });

  it('rejects an unknown subcommand with the usage', async () => {
    await expect(runMembersCommand(['frobnicate'], ctx)).rejects.toThrow(CliUsageError);
    await expect(runMembersCommand(['import'], ctx)).rejects.toThrow(MEMBERS_USAGE);
  });
});
