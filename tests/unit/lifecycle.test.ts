// The 督办 lifecycle's rules, one by one: how a unit's history folds into its stage, and which commands may add
// what in each stage.
import { describe, expect, it } from 'vitest';
import { foldUnit, guard, initialState, overdueDays, STAGES, TRANSITIONS, type UnitEvent } from '../../src/domain/lifecycle.ts';
import { buildStandings, taskStageOf, type ReviewDecision, type SnapshotTask } from '../../src/domain/standing.ts';

const at = (s: string) => new Date(`${s}+08:00`);
const report = (when: string, status: 'not_started' | 'in_progress' | 'blocked' | 'done', percent: number | null = null, note = ''): UnitEvent =>
  ({ kind: 'report', at: at(when), status, percent, note, userid: 'jmb' });
const decide = (when: string, kind: 'approve' | 'return' | 'reopen', reason = ''): UnitEvent => ({ kind, at: at(when), reason, actor: 'admin' });

describe('folding a unit history', () => {
  it('starts 未启动 and follows reports: 推进中, 受阻 with its note, 完成 → 待审核', () => {
    expect(foldUnit([], null).stage).toBe('not_started');
    expect(foldUnit([report('2021-07-26T09:00', 'in_progress', 60)], null).stage).toBe('in_progress');
    expect(foldUnit([report('2021-07-26T09:00', 'blocked', null, '资金未到位')], null)).toMatchObject({ stage: 'blocked', reason: '资金未到位' });
    expect(foldUnit([report('2021-07-26T09:00', 'done', 100)], null).stage).toBe('pending_review');
  });

  it('审核通过 closes a 待审核; 退回 sends it back with the reason; a report after 退回 reopens the work', () => {
    const done = report('2021-07-26T09:00', 'done', 100);
    expect(foldUnit([done, decide('2021-07-27T09:00', 'approve')], null).stage).toBe('closed');
    const back = foldUnit([done, decide('2021-07-27T09:00', 'return', '缺少佐证材料')], null);
    expect(back).toMatchObject({ stage: 'returned', reason: '缺少佐证材料' });
    expect(back.since).toEqual(at('2021-07-27T09:00'));
    expect(foldUnit([done, decide('2021-07-27T09:00', 'return', 'x'), report('2021-07-28T09:00', 'in_progress', 80)], null)).toMatchObject({ stage: 'in_progress', reason: null });
  });

  it('a decision about an earlier 完成 changes nothing once a later report superseded it', () => {
    const events = [report('2021-07-26T09:00', 'done', 100), report('2021-07-26T10:00', 'done', 100, '补充'), decide('2021-07-26T09:30', 'approve')];
    expect(foldUnit(events, null).stage).toBe('pending_review');
    expect(foldUnit([decide('2021-07-20T09:00', 'return', 'old'), report('2021-07-26T09:00', 'done')], null).stage).toBe('pending_review');
  });

  it('重新打开 and 退回 both reopen a 已销号 part with a reason; 审核通过 of a closed part changes nothing', () => {
    const closed = [report('2021-07-26T09:00', 'done'), decide('2021-07-27T09:00', 'approve')];
    expect(foldUnit([...closed, decide('2021-07-28T09:00', 'reopen', '资料不全')], null)).toMatchObject({ stage: 'returned', reason: '资料不全' });
    expect(foldUnit([...closed, decide('2021-07-28T09:00', 'return', '资料不全')], null).stage).toBe('returned');
    expect(foldUnit([...closed, decide('2021-07-28T09:00', 'approve')], null).decision?.at).toEqual(at('2021-07-27T09:00'));
  });

  it('as of a moment, ignores what came later; order of the input does not matter', () => {
    const events = [decide('2021-07-27T09:00', 'approve'), report('2021-07-26T09:00', 'done')];
    expect(foldUnit(events, null, at('2021-07-26T12:00')).stage).toBe('pending_review');
    expect(foldUnit(events, null).stage).toBe('closed');
  });

  it('a stored report counts even over 已销号 (old data, a race): replaying never disagrees with the latest report', () => {
    const events = [report('2021-07-26T09:00', 'done'), decide('2021-07-27T09:00', 'approve'), report('2021-07-28T09:00', 'in_progress', 90)];
    expect(foldUnit(events, null).stage).toBe('in_progress');
  });

  it('an approved 延期 moves the unit\'s deadline; 超期 counts days past it while unfinished', () => {
    const extend: UnitEvent = { kind: 'extend', at: at('2026-12-01T09:00'), deadline: '2026-12-31', reason: '需与法院协调', actor: 'admin' };
    const late = foldUnit([], '2021-12-31');
    expect(overdueDays(late, at('2026-12-02T09:00'))).toBeGreaterThan(1700);
    const extended = foldUnit([extend], '2021-12-31');
    expect(extended.deadline).toBe('2026-12-31');
    expect(overdueDays(extended, at('2026-12-02T09:00'))).toBe(0);
    expect(overdueDays(foldUnit([report('2021-07-26T09:00', 'done')], '2021-07-01'), at('2026-12-02T09:00'))).toBe(0);
  });
});

describe('the guard: what a command may add now', () => {
  const state = (events: UnitEvent[]) => foldUnit(events, null);
  const pending = state([report('2021-07-26T09:00', 'done')]);
  const closed = state([report('2021-07-26T09:00', 'done'), decide('2021-07-27T09:00', 'approve')]);

  it('refuses a progress report on 待审核 (it must not withdraw the 完成) but takes a repeated 完成', () => {
    expect(guard(pending, { kind: 'report', status: 'in_progress' })).toMatchObject({ code: 'pending_review' });
    expect(guard(pending, { kind: 'report', status: 'blocked' })).toMatchObject({ code: 'pending_review' });
    expect(guard(pending, { kind: 'report', status: 'done' })).toBeNull();
  });

  it('refuses any report on 已销号: a reviewer reopens it first', () => {
    for (const status of ['in_progress', 'blocked', 'done', 'not_started'] as const) expect(guard(closed, { kind: 'report', status })).toMatchObject({ code: 'closed' });
  });

  it('takes reports in every open stage, including 退回', () => {
    const returned = state([report('2021-07-26T09:00', 'done'), decide('2021-07-27T09:00', 'return', 'x')]);
    for (const s of [initialState(null), state([report('2021-07-26T09:00', 'blocked', null, 'x')]), returned]) {
      expect(guard(s, { kind: 'report', status: 'in_progress' })).toBeNull();
    }
  });

  it('审核通过 only from 待审核; 退回 from 待审核 or 已销号; 重新打开 only from 已销号', () => {
    expect(guard(pending, { kind: 'approve' })).toBeNull();
    expect(guard(initialState(null), { kind: 'approve' })).toMatchObject({ code: 'not_pending' });
    expect(guard(pending, { kind: 'return' })).toBeNull();
    expect(guard(closed, { kind: 'return' })).toBeNull();
    expect(guard(initialState(null), { kind: 'return' })).toMatchObject({ code: 'not_pending' });
    expect(guard(closed, { kind: 'reopen' })).toBeNull();
    expect(guard(pending, { kind: 'reopen' })).toMatchObject({ code: 'not_closed' });
  });

  it('names every transition once, with who may cause it and only real stages', () => {
    for (const t of Object.values(TRANSITIONS)) {
      expect(['unit', 'reviewer']).toContain(t.by);
      for (const s of t.from) expect(STAGES).toContain(s);
    }
    expect(TRANSITIONS.report.by).toBe('unit');
    expect(TRANSITIONS.approve.by).toBe('reviewer');
  });
});

describe('read model records', () => {
  const task: SnapshotTask = {
    id: 't1', code: '7.1', title: '技改', section: 7, sectionTitle: '', departments: ['经贸办'], collective: false,
    deadline: '2021-07-28', cadence: 'weekly', since: at('2021-07-01T00:00'),
  };
  const done = { taskId: 't1', department: '经贸办', userid: 'jmb', at: at('2021-07-27T10:00'), status: 'done' as const, percent: 100, note: '' };
  const period = { start: at('2021-07-26T00:00'), end: at('2021-08-02T00:00') };
  const decision = (when: string, d: ReviewDecision['decision'], reason = ''): ReviewDecision => ({ at: at(when), decision: d, reason, actor: 'admin' });

  it('a returned 完成 is 退回 with its reason, owes a report again, and is 超期 past the deadline', () => {
    const decisions = new Map([['t1|经贸办', [decision('2021-07-28T09:00', 'returned', '缺少佐证材料')]]]);
    const [rec] = buildStandings({ tasks: [task], departments: [], reports: [done], period, asOf: at('2021-07-30T10:00'), planStart: null, decisions });
    expect(rec).toMatchObject({ stage: 'returned', reason: '缺少佐证材料', owes: true, overdue: true, overdueDays: 2, light: 'red' });
  });

  it('a pending or closed 完成 is finished, owes nothing and is never 超期', () => {
    const [rec] = buildStandings({ tasks: [task], departments: [], reports: [done], period, asOf: at('2021-07-30T10:00'), planStart: null });
    expect(rec).toMatchObject({ stage: 'pending_review', owes: false, overdue: false, light: 'done' });
  });

  it('a task speaks with its worst-off unit: 退回 over everything, 已销号 only when every unit is closed', () => {
    const r = (stage: 'returned' | 'closed' | 'pending_review' | 'in_progress' | 'not_started', latest = true) => ({ stage, latest: latest ? done : null });
    expect(taskStageOf([r('closed'), r('returned')])).toBe('returned');
    expect(taskStageOf([r('closed'), r('closed')])).toBe('closed');
    expect(taskStageOf([r('closed'), r('pending_review')])).toBe('pending_review');
    expect(taskStageOf([r('closed'), r('not_started', false)])).toBe('in_progress');
    expect(taskStageOf([r('not_started', false)])).toBe('none');
  });
});
