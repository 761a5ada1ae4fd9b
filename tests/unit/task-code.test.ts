// Task codes as people type them: half- and full-width, Chinese numerals, 第…节第…项.
import { describe, expect, it } from 'vitest';
import { parseQualifiedTaskCode, parseTaskCode } from '../../src/domain/task-code.ts';

describe('parseTaskCode', () => {
  it.each([
    ['7.3', '7.3'],
    ['7-3', '7.3'],
    ['7．3', '7.3'], // full-width full stop
    ['７．３', '7.3'], // full-width digits too
    ['7—3', '7.3'],
    ['7、3', '7.3'],
    ['（七）3', '7.3'],
    ['(七)3', '7.3'],
    ['（7）3', '7.3'],
    ['七.3', '7.3'],
    ['第七节第3项', '7.3'],
    ['第七节第三项', '7.3'],
    ['7.10', '7.10'],
    ['7.28', '7.28'],
    ['5', '5'],
    ['５', '5'],
    ['二十一', '21'],
    ['十', '10'],
    ['（二十一）', '21'],
    ['二十一.二', '21.2'],
  ])('reads %s as %s with nothing left over', (typed, code) => {
    expect(parseTaskCode(typed)).toEqual({ code, rest: '' });
  });

  it('ignores surrounding white space, including the ideographic space', () => {
    expect(parseTaskCode('　７．３　')).toEqual({ code: '7.3', rest: '' });
    expect(parseTaskCode(' 7.3 ')).toEqual({ code: '7.3', rest: '' });
  });

  it('treats a bare number as a section, never as section.item', () => {
    expect(parseTaskCode('73')?.code).toBe('73');
    expect(parseTaskCode('7')?.code).toBe('7');
  });

  it('returns what follows the code in the same token, without the separator typed after it', () => {
    expect(parseTaskCode('7.5，60%')).toEqual({ code: '7.5', rest: '60%' });
    expect(parseTaskCode('7.5,60%')).toEqual({ code: '7.5', rest: '60%' });
    expect(parseTaskCode('7.5：已对接')).toEqual({ code: '7.5', rest: '已对接' });
    expect(parseTaskCode('７．５，６０％')).toEqual({ code: '7.5', rest: '６０％' }); // rest keeps what was typed
  });

  it.each(['', '   ', '电商', 'abc', '0', '0.3', '7.0', '零', '%', '-3'])('rejects %j', (typed) => {
    expect(parseTaskCode(typed)).toBeNull();
  });
});

describe('parseTaskCode, three levels', () => {
  it('reads codes built from a number path', () => {
    expect(parseTaskCode('2.1.3')).toEqual({ code: '2.1.3', rest: '' });
    expect(parseTaskCode('２．１．３')).toEqual({ code: '2.1.3', rest: '' });
    expect(parseTaskCode('2.1.0')).toBeNull();
  });
});

describe('parseQualifiedTaskCode', () => {
  it('reads a short name glued to the code, or as the token before it', () => {
    expect(parseQualifiedTaskCode(['安全生产1.2'])).toEqual({ plan: '安全生产', code: '1.2', rest: '', used: 1 });
    expect(parseQualifiedTaskCode(['安全', '1.2'])).toEqual({ plan: '安全', code: '1.2', rest: '', used: 2 });
    expect(parseQualifiedTaskCode(['安全生产七.3'])).toMatchObject({ plan: '安全生产', code: '7.3' });
    expect(parseQualifiedTaskCode(['安全生产1.2，60%'])).toMatchObject({ plan: '安全生产', code: '1.2', rest: '60%' });
  });

  it('does not take a department or a progress for a qualified code', () => {
    expect(parseQualifiedTaskCode(['经贸办', '60%'])).toBeNull();
    expect(parseQualifiedTaskCode(['abc'])).toBeNull();
    expect(parseQualifiedTaskCode(['60%'])).toBeNull();
    expect(parseQualifiedTaskCode(['安全-', '1.2'])).toBeNull();
  });
});
