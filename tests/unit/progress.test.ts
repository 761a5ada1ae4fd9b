// Progress as people type it: percentages in either width, status words, and a note glued on.
import { describe, expect, it } from 'vitest';
import { describeProgress, fromPercent, parseProgress, vagueAmount } from '../../src/domain/progress.ts';

describe('parseProgress: percentages', () => {
  it.each([
    ['60%', 60],
    ['６０％', 60],
    ['60％', 60],
    ['６0%', 60],
    ['60', 60],
    ['1', 1],
    ['99%', 99],
  ])('reads %s as in progress at %i%%', (typed, percent) => {
    expect(parseProgress(typed)).toEqual({ status: 'in_progress', percent, rest: '' });
  });

  it('reads 100 (in any form) as done', () => {
    for (const typed of ['100', '100%', '１００', '１００％']) {
      expect(parseProgress(typed), typed).toEqual({ status: 'done', percent: 100, rest: '' });
    }
  });

  it('reads 0 as not started', () => {
    for (const typed of ['0', '0%', '０％']) {
      expect(parseProgress(typed), typed).toEqual({ status: 'not_started', percent: 0, rest: '' });
    }
  });

  it.each(['101', '101%', '１０１％', '150', '999', '1000', '60.5%', '-5', '2021', '1e9%', '0x10%', '6O%', '６Ｏ％', '1/2', '-5%', '100.5%', '60%%', '5e', '+5%'])('rejects %s', (typed) => {
    expect(parseProgress(typed)).toBeNull();
  });
});

describe('parseProgress: status words', () => {
  it.each([
    ['已完成', 'done', 100],
    ['完成', 'done', 100],
    ['推进中', 'in_progress', null],
    ['进行中', 'in_progress', null],
    ['受阻', 'blocked', null],
    ['困难', 'blocked', null],
    ['未启动', 'not_started', 0],
  ] as const)('reads %s', (typed, status, percent) => {
    expect(parseProgress(typed)).toEqual({ status, percent, rest: '' });
  });

  it('keeps the rest of the token as the reason or note', () => {
    expect(parseProgress('受阻资金未到位')).toEqual({ status: 'blocked', percent: null, rest: '资金未到位' });
    expect(parseProgress('困难：资金未到位')).toEqual({ status: 'blocked', percent: null, rest: '资金未到位' });
    expect(parseProgress('推进中，已对接')).toEqual({ status: 'in_progress', percent: null, rest: '已对接' });
  });

  it.each(['电商', '已对接', 'abc', ''])('rejects %j', (typed) => {
    expect(parseProgress(typed)).toBeNull();
  });
});

describe('parseProgress: a note glued to the percentage', () => {
  it('returns the note as rest', () => {
    expect(parseProgress('60%已对接')).toEqual({ status: 'in_progress', percent: 60, rest: '已对接' });
    expect(parseProgress('６０％已对接')).toEqual({ status: 'in_progress', percent: 60, rest: '已对接' });
  });

  it('drops the punctuation between the percentage and the note', () => {
    expect(parseProgress('60%，已对接')).toEqual({ status: 'in_progress', percent: 60, rest: '已对接' });
    expect(parseProgress('６０％，已对接')).toEqual({ status: 'in_progress', percent: 60, rest: '已对接' });
    expect(parseProgress('60%:已对接')).toEqual({ status: 'in_progress', percent: 60, rest: '已对接' });
  });
});

describe('fromPercent and describeProgress', () => {
  it('clamps to done and not started', () => {
    expect(fromPercent(100)).toEqual({ status: 'done', percent: 100 });
    expect(fromPercent(0)).toEqual({ status: 'not_started', percent: 0 });
    expect(fromPercent(42)).toEqual({ status: 'in_progress', percent: 42 });
  });

  it('describes each status in words', () => {
    expect(describeProgress({ status: 'in_progress', percent: 60 })).toBe('推进中 60%');
    expect(describeProgress({ status: 'in_progress', percent: null })).toBe('推进中');
    expect(describeProgress({ status: 'done', percent: 100 })).toBe('已完成');
    expect(describeProgress({ status: 'blocked', percent: null })).toBe('受阻');
    expect(describeProgress({ status: 'not_started', percent: 0 })).toBe('未启动');
  });
});

describe('parseProgress: Chinese amounts (issue 18)', () => {
  it.each([
    ['八成', 80],
    ['百分之八十', 80],
    ['百分之八十五', 85],
    ['百分之60', 60],
    ['一半', 50],
    ['七成半', 75],
    ['两成', 20],
    ['八十%', 80],
    ['八十％', 80],
  ])('reads %s as %i%%', (typed, percent) => {
    expect(parseProgress(typed)).toEqual({ status: 'in_progress', percent, rest: '' });
  });

  it('reads 十成 and 百分之百 as done', () => {
    expect(parseProgress('十成')).toEqual({ status: 'done', percent: 100, rest: '' });
    expect(parseProgress('百分之一百')).toEqual({ status: 'done', percent: 100, rest: '' });
  });

  it('keeps a note glued to the amount', () => {
    expect(parseProgress('八成，招商推进')).toEqual({ status: 'in_progress', percent: 80, rest: '招商推进' });
    expect(parseProgress('一半已对接')).toEqual({ status: 'in_progress', percent: 50, rest: '已对接' });
  });

  it.each(['过半', '大半', '百分之一百二十', '百分之八十x', '一大半'])('does not guess %s', (typed) => {
    expect(parseProgress(typed)).toBeNull();
  });

  it('names the vague words it will not guess', () => {
    expect(vagueAmount('过半了')).toBe('过半');
    expect(vagueAmount('八成')).toBeNull();
  });
});
