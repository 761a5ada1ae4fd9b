// Short names (简称) are typed before codes in chat, so they must be short, stable and free of digits.
import { describe, expect, it } from 'vitest';
import { deriveShortName, isValidShortName } from '../../src/domain/plan/short-name.ts';

describe('deriveShortName', () => {
  it.each([
    ['2021年政务公开工作实施方案', '政务公开'],
    ['2021年安全生产专项整治工作实施方案', '安全生产'],
    ['南旺镇2022年乡村振兴工作要点', '乡村振兴'],
    ['关于印发《2021年平安建设工作方案》的通知', '平安建设'],
    ['南旺镇人民政府2023年度人居环境整治提升行动方案', '人居环境整治提升'],
    ['２０２１年政务公开重点任务分解表', '政务公开'],
    ['2021年城市管理工作方案', '城市管理'],
  ])('%s → %s', (title, name) => {
    expect(deriveShortName(title)).toBe(name);
  });

  it('always gives a name that can qualify a code', () => {
    for (const title of ['方案', '2021年工作计划', '12345', '关于2021年的通知', 'ABC方案']) {
      expect(isValidShortName(deriveShortName(title))).toBe(true);
    }
  });

  it('refuses names with digits or punctuation, which would read as part of a code', () => {
    expect(isValidShortName('安全2')).toBe(false);
    expect(isValidShortName('安全.生产')).toBe(false);
    expect(isValidShortName('')).toBe(false);
    expect(isValidShortName('安全生产')).toBe(true);
  });
});
