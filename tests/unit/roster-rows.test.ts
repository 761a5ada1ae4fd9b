import { describe, expect, it } from 'vitest';
import { decodeRosterBytes, parseRoleWord, parseRosterText, splitCell } from '../../src/members/roster-rows.ts';

describe('roster rows', () => {
  it('splits lists on 、 ; | ， and their full-width forms', () => {
    expect(splitCell('经贸办、统计站;财政所|党政办，人社所；农办')).toEqual(['经贸办', '统计站', '财政所', '党政办', '人社所', '农办']);
    expect(splitCell(' 、 ')).toEqual([]);
  });

  it('reads roles in English or Chinese', () => {
    expect(parseRoleWord('Admin')).toBe('admin');
    expect(parseRoleWord('领导')).toBe('leader');
    expect(parseRoleWord('成员')).toBe('member');
    expect(parseRoleWord('boss')).toBeNull();
  });

  it('numbers CSV rows by file line, header included; an empty cell means "leave as is"', () => {
    const { rows, problems } = parseRosterText('userid,name,departments,roles\nzs,张三,经贸办、统计站,admin\n\nls,李四,,\n', 'csv');
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { row: 2, userid: 'zs', name: '张三', departments: ['经贸办', '统计站'], roles: ['admin'] },
      { row: 4, userid: 'ls', name: '李四' },
    ]);
  });

  it('accepts a Chinese header, a BOM and full-width commas between columns', () => {
    const { rows, problems } = parseRosterText('\uFEFF账号，姓名，部门，角色\nzs，张三，经贸办；统计站，管理员\n', 'csv');
    expect(problems).toEqual([]);
    expect(rows).toEqual([{ row: 2, userid: 'zs', name: '张三', departments: ['经贸办', '统计站'], roles: ['管理员'] }]);
  });

  it('reports an unknown column and extra cells', () => {
    expect(parseRosterText('userid,name,deparments\n', 'csv').problems).toEqual([
      expect.objectContaining({ row: 1, message: expect.stringContaining('deparments') }),
    ]);
    const { problems } = parseRosterText('userid,name,departments,roles\nzs,张三,经贸办,统计站,admin\n', 'csv');
    expect(problems).toEqual([expect.objectContaining({ row: 2, userid: 'zs' })]);
  });

  it('reads JSON arrays, numbering elements from 1', () => {
    const { rows, problems } = parseRosterText(JSON.stringify([
      { userid: 'zs', name: '张三', departments: ['经贸办'], roles: ['admin'] },
      { userid: 'ls', name: '李四', departments: '财政所、统计站' },
      { userid: 'ww', name: '王五', departments: [1] },
    ]), 'json');
    expect(rows).toEqual([
      { row: 1, userid: 'zs', name: '张三', departments: ['经贸办'], roles: ['admin'] },
      { row: 2, userid: 'ls', name: '李四', departments: ['财政所', '统计站'] },
    ]);
    expect(problems).toEqual([expect.objectContaining({ row: 3 })]);
    expect(parseRosterText('{"userid":"x"}', 'json').problems[0]).toMatchObject({ row: null });
  });

  it('decodes GBK files saved by Excel', () => {
    const gbk = Uint8Array.from([0xbe, 0xad, 0xc3, 0xb3, 0xb0, 0xec]); // 经贸办 in GBK
    expect(decodeRosterBytes(gbk)).toBe('经贸办');
    expect(decodeRosterBytes(new TextEncoder().encode('经贸办'))).toBe('经贸办');
  });
});
