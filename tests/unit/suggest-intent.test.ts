// Issue 18: command words with a typo or in pinyin are suggested; what a plain sentence says about progress.
import { describe, expect, it } from 'vitest';
import { suggestCommands } from '../../src/bot/suggest.ts';
import { intentCommand, readIntent, sharedRun } from '../../src/domain/intent.ts';
import { COMMANDS } from '../../handlers/index.ts';

const names = (w: string) => suggestCommands(w, COMMANDS).map((c) => c.name);

describe('suggestCommands', () => {
  it.each([
    ['我的任物', '我的任务'], ['wdrw', '我的任务'], ['woderenwu', '我的任务'], ['汇抱', '汇报'], ['hb', '汇报'],
    ['总揽', '总览'], ['dhb', '待汇报'], ['审合通过', '审核通过'], ['bz', '帮助'],
  ])('%s → %s', (typed, meant) => {
    expect(names(typed)).toEqual([meant]);
  });

  it.each(['我的任务', '汇报', '你好', '好的', '谢谢', 'asdf', '是'])('suggests nothing for %s', (typed) => {
    expect(names(typed)).toEqual([]);
  });
});

describe('readIntent', () => {
  it.each([
    ['7.5那个公示已经做完了', { kind: 'done' }],
    ['电商那个做完了', { kind: 'done' }],
    ['招商完成了八成', { kind: 'percent', percent: 80 }],
    ['一半了', { kind: 'percent', percent: 50 }],
    ['百分之八十了', { kind: 'percent', percent: 80 }],
    ['资金没到位卡住了', { kind: 'blocked' }],
    ['电商过半了', { kind: 'vague', word: '过半' }],
  ])('%s', (text, intent) => {
    expect(readIntent(text)).toEqual(intent);
  });

  it.each(['还没完成', '你好', '7.5是什么'])('reads nothing into %s', (text) => {
    expect(readIntent(text)).toBeNull();
  });

  it('writes the command it understood', () => {
    expect(intentCommand({ kind: 'done' }, '7.5', null, '公示已经做完了')).toBe('完成 7.5 公示已经做完了');
    expect(intentCommand({ kind: 'percent', percent: 80 }, '7.6', '经贸办', '招商')).toBe('汇报 7.6 经贸办 80% 招商');
    expect(intentCommand({ kind: 'blocked' }, '7.6', null, '资金没到位')).toBe('汇报 7.6 受阻 资金没到位');
  });

  it('finds the words a sentence shares with a title', () => {
    expect(sharedRun('电商那个做完了', '实施“电商换市”战略')).toBe('电商');
  });
});
