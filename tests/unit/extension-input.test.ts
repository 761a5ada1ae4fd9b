// 延期 as typed: the new deadline in the forms people write, the command's arguments (部门 optional before a date),
// and the read model taking an approved 延期 for one unit only.
import { describe, expect, it } from 'vitest';
import { looksLikeDate, parseNewDeadline } from '../../src/domain/deadline.ts';
import { buildStandings, type SnapshotTask } from '../../src/domain/standing.ts';
import { parseCommand } from '../../src/bot/parse-command.ts';
import { COMMANDS } from '../../handlers/index.ts';

describe('a new deadline as typed', () => {
  const today = '2026-12-02';
  it('reads ISO dates, 年月日 and 月日 (this year, or next when this year’s has passed)', () => {
    expect(parseNewDeadline('2026-12-31', today)).toBe('2026-12-31');
    expect(parseNewDeadline('2026/12/31', today)).toBe('2026-12-31');
    expect(parseNewDeadline('2026年12月31日', today)).toBe('2026-12-31');
    expect(parseNewDeadline('２０２６年１２月３１日', today)).toBe('2026-12-31');
    expect(parseNewDeadline('12月31日', today)).toBe('2026-12-31');
    expect(parseNewDeadline('12月31日前', today)).toBe('2026-12-31');
    expect(parseNewDeadline('1月15日', today)).toBe('2027-01-15');
    expect(parseNewDeadline('2027年3月底', today)).toBe('2027-03-31');
  });

  it('refuses what is not one whole date', () => {
    for (const s of ['明年', '2026-02-30', '13月1日', '需与法院协调', '2026-12-31前后再说', '', '14']) expect(parseNewDeadline(s, today), s).toBeNull();
    expect(looksLikeDate('12月31日')).toBe(true);
    expect(looksLikeDate('司法所')).toBe(false);
  });
});

describe('延期 and its decisions parse', () => {
  const parse = (text: string) => parseCommand(text, COMMANDS);
  it('takes the department as optional before the date', () => {
    expect(parse('延期 14 2026-12-31 需与法院协调')).toMatchObject({ kind: 'command', args: { 编号: '14', 新时限: '2026-12-31', 原因: '需与法院协调' } });
    const named = parse('延期 14 司法所 12月31日 需与法院协调');
    expect(named).toMatchObject({ kind: 'command', args: { 编号: '14', 部门: '司法所', 新时限: '12月31日', 原因: '需与法院协调' } });
    expect(parse('延期 14 司法所 明年 原因')).toMatchObject({ kind: 'bad_args', problem: expect.stringContaining('“明年”不是日期') });
    expect(parse('延期 14')).toMatchObject({ kind: 'bad_args' });
  });

  it('同意延期 / 不同意延期 with or without the department', () => {
    expect(parse('同意延期 14 司法所')).toMatchObject({ kind: 'command', spec: { name: '同意延期' }, args: { 编号: '14', 部门: '司法所' } });
    expect(parse('同意延期 14')).toMatchObject({ kind: 'command', spec: { name: '同意延期' }, args: { 编号: '14' } });
    expect(parse('不同意延期 14 司法所 请按原时限完成')).toMatchObject({ kind: 'command', spec: { name: '不同意延期' }, args: { 部门: '司法所', 原因: '请按原时限完成' } });
  });
});

describe('the read model with an approved 延期', () => {
  const at = (s: string) => new Date(`${s}+08:00`);
  const task: SnapshotTask = {
    id: 't14', code: '14', title: '严格政府信息管理', section: 14, sectionTitle: '', departments: ['党政办', '司法所'], collective: false,
    deadline: '2021-12-31', cadence: 'weekly', since: at('2021-07-01T00:00'),
  };
  const period = { start: at('2026-11-30T00:00'), end: at('2026-12-07T00:00') };
  const extend = { kind: 'extend' as const, at: at('2026-12-02T10:00'), deadline: '2026-12-31', reason: '需与法院协调', actor: 'admin' };

  it('moves that unit’s deadline only, from the moment it was approved', () => {
    const extensions = new Map([['t14|司法所', [extend]]]);
    const now = buildStandings({ tasks: [task], departments: [], reports: [], period, asOf: at('2026-12-02T11:00'), planStart: null, extensions });
    const by = new Map(now.map((r) => [r.department, r]));
    expect(by.get('司法所')).toMatchObject({ deadline: '2026-12-31', overdue: false, overdueDays: 0, extension: extend });
    expect(by.get('党政办')).toMatchObject({ deadline: '2021-12-31', overdue: true, extension: null });
    // Before the approval, the record as of then still has the original deadline (history is not rewritten).
    const before = buildStandings({ tasks: [task], departments: [], reports: [], period, asOf: at('2026-12-02T09:00'), planStart: null, extensions });
    expect(before.find((r) => r.department === '司法所')).toMatchObject({ deadline: '2021-12-31', overdue: true, extension: null });
  });
});
