import { describe, expect, it } from 'vitest';
import { matchDepartmentName, wecomStyleVariants, type NamedDepartment } from '../../src/members/department-names.ts';

const PLAN: NamedDepartment[] = [
  { name: '经贸办' },
  { name: '统计站' },
  { name: '党政办' },
  { name: '财政所' },
  { name: '人社所' },
  { name: 'O2O办公室' },
  { name: '镇疫情防控指挥部' },
  { name: '自然资源南旺事务中心', aliases: ['自然资源所'] },
  { name: '市场监管所', aliases: ['市监所'] },
  { name: '镇直各部门', collective: true },
  { name: '镇直有关部门', collective: true },
];

const ok = (name: string) => expect.objectContaining({ ok: true, name });

describe('matchDepartmentName', () => {
  it('takes the exact name and aliases', () => {
    expect(matchDepartmentName('经贸办', PLAN)).toEqual({ ok: true, name: '经贸办', via: 'exact' });
    expect(matchDepartmentName(' 市监所 ', PLAN)).toEqual({ ok: true, name: '市场监管所', via: 'alias' });
  });

  it('ignores full-width/half-width, letter case and stray spaces', () => {
    expect(matchDepartmentName('Ｏ２Ｏ办公室', PLAN)).toEqual(ok('O2O办公室'));
    expect(matchDepartmentName('o2o办公室', PLAN)).toEqual(ok('O2O办公室'));
    expect(matchDepartmentName('经 贸 办', PLAN)).toEqual(ok('经贸办'));
  });

  it('understands WeCom-style names: a township in front, 办公室 for 办', () => {
    expect(matchDepartmentName('南旺镇经贸办', PLAN)).toEqual({ ok: true, name: '经贸办', via: 'wecom-style' });
    expect(matchDepartmentName('南旺镇人民政府党政办', PLAN)).toEqual(ok('党政办'));
    expect(matchDepartmentName('经贸办公室', PLAN)).toEqual(ok('经贸办'));
    expect(matchDepartmentName('南旺镇经贸办公室', PLAN)).toEqual(ok('经贸办'));
    expect(matchDepartmentName('南旺镇疫情防控指挥部', PLAN)).toEqual(ok('镇疫情防控指挥部'));
    expect(matchDepartmentName('疫情防控指挥部', PLAN)).toEqual(ok('镇疫情防控指挥部'));
    expect(matchDepartmentName('南旺镇O2O办公室', PLAN)).toEqual(ok('O2O办公室'));
  });

  it('accepts a unique prefix of two characters or more', () => {
    expect(matchDepartmentName('经贸', PLAN)).toEqual({ ok: true, name: '经贸办', via: 'prefix' });
    expect(matchDepartmentName('自然资源', PLAN)).toEqual(ok('自然资源南旺事务中心'));
    expect(matchDepartmentName('南旺镇财政', PLAN)).toEqual(ok('财政所'));
    expect(matchDepartmentName('经', PLAN)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('never guesses between two: an ambiguous name returns the candidates', () => {
    expect(matchDepartmentName('镇直', PLAN)).toEqual({ ok: false, reason: 'ambiguous', candidates: ['镇直有关部门', '镇直各部门'].sort() });
    const twoOffices: NamedDepartment[] = [{ name: '经贸办' }, { name: '经贸中心', aliases: ['经贸办'] }];
    // 经贸办 itself is exact; 经贸办公室 → 经贸办 would fit both, so it is refused.
    expect(matchDepartmentName('经贸办', twoOffices)).toEqual(ok('经贸办'));
    expect(matchDepartmentName('经贸办公室', twoOffices)).toEqual({ ok: false, reason: 'ambiguous', candidates: ['经贸中心', '经贸办'] });
    const sameAlias: NamedDepartment[] = [{ name: '甲所', aliases: ['所'] }, { name: '乙所', aliases: ['所'] }];
    expect(matchDepartmentName('所', sameAlias)).toMatchObject({ ok: false, reason: 'ambiguous' });
  });

  it('suggests close names for an unknown one', () => {
    const m = matchDepartmentName('财政局', PLAN);
    expect(m).toMatchObject({ ok: false, reason: 'unknown' });
    expect(m.ok ? [] : m.candidates).toContain('财政所');
    expect(matchDepartmentName('南旺镇人民政府', PLAN)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(matchDepartmentName('', PLAN)).toEqual({ ok: false, reason: 'unknown', candidates: [] });
  });
});

describe('wecomStyleVariants', () => {
  it('drops the township and turns 办公室 into 办', () => {
    expect(wecomStyleVariants('南旺镇经贸办公室')).toEqual(expect.arrayContaining(['经贸办公室', '经贸办', '镇经贸办公室']));
    expect(wecomStyleVariants('经贸办')).toEqual(['镇经贸办']);
    expect(wecomStyleVariants('镇直各部门')).toEqual([]);
  });
});
