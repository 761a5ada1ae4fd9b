import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { listMembers, upsertMember } from '../../src/members/members.ts';
import { syncMembersFromWecom, type ContactsReader } from '../../src/members/sync-from-wecom.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';

interface FakeDept { id: number; name: string; parentid: number }
interface FakeUser { userid: string; name: string; department: number[] }

/** A WeCom address book in memory, answering as department/simplelist, department/get and user/list do. */
function fakeContacts(depts: FakeDept[], users: FakeUser[]) {
  const calls: string[] = [];
  const contacts: ContactsReader = {
    listDepartments: async () => depts.map(({ id, parentid }) => ({ id, parentid })),
    getDepartment: async (id) => {
      calls.push(`get:${id}`);
      const d = depts.find((x) => x.id === id);
      if (!d) throw new Error(`no department ${id}`);
      return d;
    },
    // Not recursive: only users whose department list names this very department.
    listUsers: async (id) => {
      calls.push(`users:${id}`);
      return users.filter((u) => u.department.includes(id));
    },
  };
  return { contacts, calls };
}

const WECOM_DEPTS: FakeDept[] = [
  { id: 1, name: '南旺镇人民政府', parentid: 0 },
  { id: 2, name: '南旺镇经贸办公室', parentid: 1 },
  { id: 3, name: '党政办', parentid: 1 },
  { id: 4, name: '南旺镇统计站', parentid: 2 }, // nested: user/list on 2 does not return its people
  { id: 5, name: '后勤组', parentid: 1 },
  { id: 6, name: '镇直', parentid: 1 },
];

describe('members sync from WeCom on the real database', () => {
  let store: Store;
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  beforeAll(async () => {
    store = await openTestStore('memsync');
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    await store.models.Member.deleteMany({});
    await store.models.Audit.deleteMany({});
    await store.models.Department.deleteMany({});
    for (const d of [
      { name: '经贸办' }, { name: '统计站' }, { name: '党政办' }, { name: '财政所' },
      { name: '镇直各部门', collective: true }, { name: '镇直有关部门', collective: true },
    ]) await store.models.Department.create(d);
  });

  it('matches WeCom departments by name, remembers their ids and binds people per department', async () => {
    const { contacts, calls } = fakeContacts(WECOM_DEPTS, [
      { userid: 'leader1', name: '镇长', department: [1] },
      { userid: 'zhangsan', name: '张三', department: [2] },
      { userid: 'lisi', name: '李四', department: [2, 4] },
      { userid: 'wangwu', name: '王五', department: [4] },
      { userid: 'dz1', name: '党政一', department: [3] },
    ]);
    const r = await syncMembersFromWecom(store, clock, contacts);

    expect(r.matched).toEqual([
      { wecomDept: '南旺镇经贸办公室', wecomDeptId: 2, department: '经贸办' },
      { wecomDept: '党政办', wecomDeptId: 3, department: '党政办' },
      { wecomDept: '南旺镇统计站', wecomDeptId: 4, department: '统计站' },
    ]);
    // 镇直 matches only collective units, which nobody belongs to: unmatched.
    expect(r.unmatchedWecomDepartments).toEqual(['南旺镇人民政府', '后勤组', '镇直']);
    expect(r).toMatchObject({ membersCreated: 5, membersUpdated: 0, membersUnbound: [], membersDeactivated: [] });
    for (const id of [1, 2, 3, 4, 5, 6]) expect(calls).toContain(`users:${id}`);

    const members = await listMembers(store);
    expect(members.map((m) => [m.userid, m.name, m.departments])).toEqual([
      ['dz1', '党政一', ['党政办']],
      ['leader1', '镇长', []],
      ['lisi', '李四', ['经贸办', '统计站']],
      ['wangwu', '王五', ['统计站']],
      ['zhangsan', '张三', ['经贸办']],
    ]);
    const ids = await store.models.Department.find({ wecomDeptId: { $ne: null } }, { name: 1, wecomDeptId: 1, _id: 0 }).sort({ name: 1 }).lean();
    expect(Object.fromEntries(ids.map((d) => [d.name, d.wecomDeptId]))).toEqual({ 党政办: 3, 统计站: 4, 经贸办: 2 });
    expect(await store.models.Audit.countDocuments({ actor: 'system:sync', action: 'member.create' })).toBe(5);

    // Nothing changed in WeCom: a second sync changes nothing and writes no audit.
    const audits = await store.models.Audit.countDocuments({});
    expect(await syncMembersFromWecom(store, clock, contacts)).toMatchObject({ membersCreated: 0, membersUpdated: 0 });
    expect(await store.models.Audit.countDocuments({})).toBe(audits);
  });

  it('follows moves in WeCom, keeps bindings WeCom has no say on, and deactivates people who left', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['财政所'], source: 'import' });
    await upsertMember(store, clock, 'cli', { userid: 'imported', name: '名单里的人', departments: ['财政所'], source: 'import' });
    await upsertMember(store, clock, 'cli', { userid: 'demo-x', name: '演示', demo: true, source: 'demo' });

    const first = fakeContacts(WECOM_DEPTS, [
      { userid: 'zhangsan', name: '张三', department: [2] },
      { userid: 'lisi', name: '李四', department: [2] },
    ]);
    await syncMembersFromWecom(store, clock, first.contacts, { actor: 'admin1' });
    expect((await listMembers(store)).find((m) => m.userid === 'zhangsan')!.departments).toEqual(['财政所', '经贸办']);

    // 张三 moves to 统计站; 李四 leaves WeCom.
    const second = fakeContacts(WECOM_DEPTS, [{ userid: 'zhangsan', name: '张三', department: [4] }]);
    const r = await syncMembersFromWecom(store, clock, second.contacts, { actor: 'admin1' });
    expect(r.membersUnbound).toEqual([{ userid: 'zhangsan', department: '经贸办' }]);
    expect(r.membersDeactivated).toEqual(['lisi']);
    expect(r.notInWecom).toEqual(['imported']); // came from a roster: reported, not touched
    expect(r.membersUpdated).toBe(1);

    const members = await listMembers(store);
    expect(members.find((m) => m.userid === 'zhangsan')).toMatchObject({ departments: ['财政所', '统计站'], active: true });
    expect(members.find((m) => m.userid === 'lisi')).toMatchObject({ active: false, departments: ['经贸办'] });
    expect(members.find((m) => m.userid === 'imported')).toMatchObject({ active: true });
    expect(members.find((m) => m.userid === 'demo-x')).toMatchObject({ active: true });

    const moved = await store.models.Audit.findOne({ target: 'member:zhangsan', action: 'member.update' }).sort({ _id: -1 }).lean();
    expect(moved).toMatchObject({ actor: 'admin1', before: { departments: ['财政所', '经贸办'] }, after: { departments: ['财政所', '统计站'] } });
    const left = await store.models.Audit.findOne({ target: 'member:lisi', action: 'member.update' }).lean();
    expect(left).toMatchObject({ before: { active: true }, after: { active: false } });

    // 李四 comes back: reactivated.
    const third = fakeContacts(WECOM_DEPTS, [{ userid: 'zhangsan', name: '张三', department: [4] }, { userid: 'lisi', name: '李四', department: [2] }]);
    await syncMembersFromWecom(store, clock, third.contacts);
    expect((await listMembers(store)).find((m) => m.userid === 'lisi')).toMatchObject({ active: true });
  });

  it('uses a remembered WeCom id after a rename, and reports an ambiguous name', async () => {
    await store.models.Department.updateOne({ name: '经贸办' }, { $set: { wecomDeptId: 2 } });
    await store.models.Department.create({ name: '经贸服务中心' });
    const { contacts } = fakeContacts(
      [{ id: 2, name: '经济发展办公室', parentid: 1 }, { id: 7, name: '经贸', parentid: 1 }],
      [{ userid: 'zhangsan', name: '张三', department: [2] }],
    );
    const r = await syncMembersFromWecom(store, clock, contacts);
    expect(r.matched).toEqual([{ wecomDept: '经济发展办公室', wecomDeptId: 2, department: '经贸办' }]);
    expect(r.ambiguousWecomDepartments).toEqual([{ wecomDept: '经贸', candidates: ['经贸服务中心', '经贸办'].sort() }]);
    expect(r.unmatchedWecomDepartments).toEqual(['经贸']);
  });

  it('deactivates nobody when WeCom shows no one at all', async () => {
    const { contacts } = fakeContacts(WECOM_DEPTS, [{ userid: 'lisi', name: '李四', department: [2] }]);
    await syncMembersFromWecom(store, clock, contacts);
    const empty = fakeContacts(WECOM_DEPTS, []);
    const r = await syncMembersFromWecom(store, clock, empty.contacts);
    expect(r.membersDeactivated).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect((await listMembers(store))[0]).toMatchObject({ userid: 'lisi', active: true });
  });
});
