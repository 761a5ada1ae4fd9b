import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { formatRosterProblems, importRoster } from '../../src/members/import-roster.ts';
import { listMembers, upsertMember } from '../../src/members/members.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';

describe('roster import on the real database', () => {
  let store: Store;
  let dir: string;
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    store = await openTestStore('roster');
    for (const d of [
      { name: '经贸办' }, { name: '统计站' }, { name: '党政办' }, { name: '财政所' },
      { name: '市场监管所', aliases: ['市监所'] }, { name: '镇直各部门', collective: true }, { name: '镇直有关部门', collective: true },
    ]) await store.models.Department.create(d);
    dir = mkdtempSync(join(tmpdir(), 'roster-'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await store.models.Member.deleteMany({});
    await store.models.Audit.deleteMany({});
  });

  it('imports a CSV with full-width separators, aliases and Chinese role words', async () => {
    const csv = file('roster.csv', [
      'userid,name,departments,roles',
      'zhangsan,张三,经贸办，统计站,admin',
      'lisi,李四,市监所；财政所,成员|领导',
      'wangwu,王五,,',
      '"zhaoliu",赵六,"南旺镇党政办、经贸",管理员',
    ].join('\r\n'));
    const r = await importRoster(store, clock, csv, 'cli');
    expect(r).toEqual({ ok: true, created: ['zhangsan', 'lisi', 'wangwu', 'zhaoliu'], updated: [], unchanged: [] });
    expect(await listMembers(store)).toEqual([
      { userid: 'lisi', name: '李四', departments: ['市场监管所', '财政所'], roles: ['member', 'leader'], active: true, demo: false },
      { userid: 'wangwu', name: '王五', departments: [], roles: ['member'], active: true, demo: false },
      { userid: 'zhangsan', name: '张三', departments: ['经贸办', '统计站'], roles: ['admin'], active: true, demo: false },
      { userid: 'zhaoliu', name: '赵六', departments: ['党政办', '经贸办'], roles: ['admin'], active: true, demo: false },
    ]);
    expect(await store.models.Audit.countDocuments({ actor: 'cli', action: 'member.create' })).toBe(4);
    expect(await store.models.Member.countDocuments({ source: 'import' })).toBe(4);
  });

  it('imports JSON, and a second import updates only what changed (empty cells keep values)', async () => {
    const json = file('roster.json', JSON.stringify([
      { userid: 'zhangsan', name: '张三', departments: ['经贸办'], roles: ['member'] },
      { userid: 'lisi', name: '李四', departments: ['财政所'], roles: ['leader'] },
    ]));
    expect(await importRoster(store, clock, json, 'cli')).toMatchObject({ ok: true, created: ['zhangsan', 'lisi'] });

    const again = file('roster2.json', JSON.stringify([
      { userid: 'zhangsan', name: '张三', departments: ['经贸办', '统计站'], roles: [] },
      { userid: 'lisi', name: '李四', departments: '财政所', roles: 'leader' },
    ]));
    expect(await importRoster(store, clock, again, 'office')).toEqual({ ok: true, created: [], updated: ['zhangsan'], unchanged: ['lisi'] });
    const zs = (await listMembers(store)).find((m) => m.userid === 'zhangsan');
    expect(zs).toMatchObject({ departments: ['经贸办', '统计站'], roles: ['member'] });
    const last = await store.models.Audit.findOne({ target: 'member:zhangsan', action: 'member.update' }).lean();
    expect(last).toMatchObject({ actor: 'office', before: { departments: ['经贸办'] }, after: { departments: ['经贸办', '统计站'] } });
  });

  it('imports nothing when any row is invalid, and says which rows and why', async () => {
    await upsertMember(store, clock, 'cli', { userid: 'zhangsan', name: '张三', departments: ['经贸办'] });
    const auditBefore = await store.models.Audit.countDocuments({});
    const csv = file('bad.csv', [
      'userid,name,departments,roles',
      'zhangsan,张三,统计站,',       // valid, would change zhangsan — must not be written
      'lisi,李四,财政局,',            // unknown department
      'wangwu,王五,镇直,boss',       // ambiguous department and an unknown role
      ',赵六,经贸办,',                // no userid
      'zhangsan,张三,党政办,',       // duplicate
      'qianqi,钱七,镇直各部门,',     // collective unit
    ].join('\n'));
    const r = await importRoster(store, clock, csv, 'cli');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.row)).toEqual([3, 4, 4, 5, 6, 7]);
    expect(r.errors[0]).toMatchObject({ userid: 'lisi', message: expect.stringContaining('财政所') });
    expect(r.errors[1]!.message).toMatch(/镇直.*不明确.*镇直/);
    expect(r.errors[2]!.message).toContain('boss');
    expect(r.errors[3]!.message).toContain('userid 为空');
    expect(r.errors[4]!.message).toContain('与第 2 行重复');
    expect(r.errors[5]!.message).toContain('统称');
    expect(formatRosterProblems(r.errors)[0]).toBe('第 3 行（lisi）：没有部门“财政局”，可能是：财政所');

    expect(await listMembers(store)).toEqual([expect.objectContaining({ userid: 'zhangsan', departments: ['经贸办'] })]);
    expect(await store.models.Audit.countDocuments({})).toBe(auditBefore);
  });

  it('reads a GBK file saved by Excel', async () => {
    const gbkRow = Uint8Array.from([
      ...new TextEncoder().encode('userid,name,departments,roles\nzhangsan,'),
      0xd5, 0xc5, 0xc8, 0xfd, // 张三
      0x2c,
      0xbe, 0xad, 0xc3, 0xb3, 0xb0, 0xec, // 经贸办
      0x2c, 0x0a,
    ]);
    expect(await importRoster(store, clock, file('gbk.csv', gbkRow), 'cli')).toMatchObject({ ok: true, created: ['zhangsan'] });
    expect(await listMembers(store)).toEqual([expect.objectContaining({ name: '张三', departments: ['经贸办'] })]);
  });

  it('refuses other file types, missing files and empty rosters', async () => {
    expect(await importRoster(store, clock, file('x.xlsx', 'PK'), 'cli')).toMatchObject({ ok: false, errors: [{ row: null }] });
    expect(await importRoster(store, clock, join(dir, 'missing.csv'), 'cli')).toMatchObject({ ok: false, errors: [{ row: null }] });
    expect(await importRoster(store, clock, file('empty.csv', 'userid,name,departments,roles\n'), 'cli')).toMatchObject({ ok: false });
    expect(await store.models.Member.countDocuments({})).toBe(0);
  });
});
