import { describe, expect, it } from 'vitest';
import { reviewStateOf, type ReviewDecision } from '../../src/domain/review.ts';
import { buildSnapshot, type SnapshotTask } from '../../src/domain/snapshot.ts';

const at = (s: string) => new Date(`${s}+08:00`);
const done = { at: at('2021-07-27T10:00:00'), status: 'done' as const };
const decision = (when: string, d: ReviewDecision['decision'], reason = ''): ReviewDecision => ({ at: at(when), decision: d, reason, actor: 'admin' });

describe('销号 state', () => {
  it('is open until 完成, then 待审核 until an admin decides', () => {
    expect(reviewStateOf(null, []).state).toBe('open');
    expect(reviewStateOf({ at: done.at, status: 'in_progress' }, []).state).toBe('open');
    expect(reviewStateOf(done, []).state).toBe('pending');
  });

  it('follows the latest decision after the latest 完成, ignoring decisions about an earlier one', () => {
    expect(reviewStateOf(done, [decision('2021-07-28T09:00:00', 'approved')]).state).toBe('closed');
    const back = reviewStateOf(done, [decision('2021-07-28T09:00:00', 'approved'), decision('2021-07-29T09:00:00', 'returned', '缺少佐证材料')]);
    expect(back).toMatchObject({ state: 'returned', decision: { reason: '缺少佐证材料' } });
    expect(reviewStateOf(done, [decision('2021-07-20T09:00:00', 'returned', 'old')]).state).toBe('pending');
  });

  it('as of a moment, ignores later decisions', () => {
    expect(reviewStateOf(done, [decision('2021-07-28T09:00:00', 'approved')], at('2021-07-27T12:00:00')).state).toBe('pending');
  });
});

describe('snapshot cells with review and deadlines', () => {
  const task: SnapshotTask = {
    id: 't1', code: '7.1', title: '技改', section: 7, sectionTitle: '', departments: ['经贸办'], collective: false,
    deadline: '2021-07-28', cadence: 'weekly', since: at('2021-07-01T00:00:00'),
  };
  const report = { taskId: 't1', department: '经贸办', userid: 'jmb', at: done.at, status: 'done' as const, percent: 100, note: '' };
  const period = { start: at('2021-07-26T00:00:00'), end: at('2021-08-02T00:00:00') };

  it('a returned 完成 owes a report again, is not done, and is 超期 past the deadline', () => {
    const decisions = new Map([['t1|经贸办', [decision('2021-07-28T09:00:00', 'returned', '缺少佐证材料')]]]);
    const [cell] = buildSnapshot({ tasks: [task], departments: [], reports: [report], period, asOf: at('2021-07-30T10:00:00'), planStart: null, decisions });
    expect(cell).toMatchObject({ review: 'returned', owes: true, overdue: true, light: 'red' });
  });

  it('a pending or closed 完成 is done and never 超期', () => {
    const [cell] = buildSnapshot({ tasks: [task], departments: [], reports: [report], period, asOf: at('2021-07-30T10:00:00'), planStart: null });
    expect(cell).toMatchObject({ review: 'pending', owes: false, overdue: false, light: 'done' });
  });
});
