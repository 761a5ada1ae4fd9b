// The 考核细则 file: the shipped one reads, and every mistake is reported with its line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScoreRules, ScoreRulesError } from '../../src/domain/score-rules.ts';

const TEXT = readFileSync('config/考核细则.yaml', 'utf8');
const lineOf = (needle: string, text = TEXT) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function problems(text: string): Array<{ line: number | null; message: string }> {
  try {
    parseScoreRules(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ScoreRulesError);
    return (err as ScoreRulesError).problems;
  }
  throw new Error('the rules were accepted');
}

describe('考核细则', () => {
  it('reads the shipped file: bonuses positive, deductions negative, caps per month', () => {
    const r = parseScoreRules(TEXT);
    expect(r.base).toBe(100);
    expect(r.capPer).toBe('month');
    expect(r.rules.按时汇报).toMatchObject({ points: 0.1, cap: 5 });
    expect(r.rules.按期办结).toMatchObject({ points: 1, cap: 10 });
    expect(r.rules.缺报).toMatchObject({ points: -0.5, cap: 20 });
    expect(r.rules.超期).toMatchObject({ points: -1 });
    expect(r.rules.退回).toMatchObject({ points: -2 });
  });

  it('names the line of a value that is not a number', () => {
    const text = TEXT.replace('    分值: 0.5\n', '    分值: 半分\n');
    expect(problems(text)).toEqual([{ line: lineOf('分值: 半分', text), message: expect.stringContaining('分值须是数字') }]);
  });

  it('names the line of an unknown key (a typo) and of a wrong period, all at once', () => {
    const text = TEXT.replace('上限周期: 月', '上限周期: 周').replace('    上限: 10\n', '    上线: 10\n');
    const found = problems(text);
    expect(found).toContainEqual({ line: lineOf('上限周期: 周', text), message: expect.stringContaining('上限周期只能是') });
    expect(found).toContainEqual({ line: lineOf('上线: 10', text), message: expect.stringContaining('上线') });
  });

  it('names the line of the section a required rule is missing from', () => {
    const text = TEXT.replace('  退回:\n', '  退件:\n');
    const found = problems(text);
    expect(found).toContainEqual({ line: lineOf('扣分:', text), message: '缺少“扣分.退回”' });
    expect(found).toContainEqual({ line: lineOf('退件:', text), message: expect.stringContaining('退件') });
  });

  it('names the line of a YAML mistake and of a negative number', () => {
    expect(problems(`${TEXT}\n基础分: 90\n`)[0]!.line).toBe(TEXT.split('\n').length + 1);
    const text = TEXT.replace('基础分: 100', '基础分: -5');
    expect(problems(text)).toEqual([{ line: lineOf('基础分: -5', text), message: expect.stringContaining('不能小于 0') }]);
  });
});
