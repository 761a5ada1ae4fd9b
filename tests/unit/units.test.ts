import { describe, expect, it } from 'vitest';
import { COLLECTIVE_UNITS, isCollectiveUnit, normalizeUnitName, splitUnits } from '../../src/domain/plan/units.ts';

describe('normalizeUnitName', () => {
  it.each([
    ['  经贸办 ', '经贸办'],
    ['Ｏ２Ｏ办公室', 'O2O办公室'],
    ['各村(社区)', '各村（社区）'],
    ['各村（社区）', '各村（社区）'],
    ['经 贸\u3000办', '经贸办'],
    ['“市场监管所”', '市场监管所'],
    ['镇直各部门等', '镇直各部门'],
    ['财政所。', '财政所'],
    ['、农办，', '农办'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeUnitName(input)).toBe(expected);
  });

  it('keeps a space between Latin words', () => {
    expect(normalizeUnitName('WeCom  Team')).toBe('WeCom Team');
  });
});

describe('splitUnits', () => {
  it('splits on 、，,；;/ and spaces, in order', () => {
    expect(splitUnits('经贸办、统计站，财政所；农办;派出所/司法所 民政办\u3000文化站,环保站／水利站')).toEqual([
      '经贸办', '统计站', '财政所', '农办', '派出所', '司法所', '民政办', '文化站', '环保站', '水利站',
    ]);
  });

  it('removes duplicates, also when they differ only in width', () => {
    expect(splitUnits('O2O办公室、审批局、Ｏ２Ｏ办公室、审批局')).toEqual(['O2O办公室', '审批局']);
  });

  it('does not split inside parentheses', () => {
    expect(splitUnits('各村（社区、居委会）、镇直各部门')).toEqual(['各村（社区、居委会）', '镇直各部门']);
    expect(splitUnits('各村(社区)，县直各部门')).toEqual(['各村（社区）', '县直各部门']);
  });

  it('drops empty pieces', () => {
    expect(splitUnits('经贸办、、统计站、 ')).toEqual(['经贸办', '统计站']);
    expect(splitUnits('')).toEqual([]);
  });
});

describe('isCollectiveUnit', () => {
  it.each(['镇直各部门', '镇直有关部门', '各有关部门', '县直各部门', '各村（社区）', '各村(社区)', '各管区', '县直有关单位', '各乡镇（街道）'])(
    '%s is collective',
    (name) => {
      expect(isCollectiveUnit(name)).toBe(true);
    },
  );

  it.each(['经贸办', '南旺医院', '镇疫情防控指挥部', '自然资源南旺事务中心', '有关部门负责人', '县直机关工委'])('%s is not', (name) => {
    expect(isCollectiveUnit(name)).toBe(false);
  });

  it('recognises every listed collective unit', () => {
    expect(COLLECTIVE_UNITS).toContain('镇直各部门');
    expect(COLLECTIVE_UNITS).toContain('镇直有关部门');
    for (const name of COLLECTIVE_UNITS) expect(isCollectiveUnit(name)).toBe(true);
  });
});
