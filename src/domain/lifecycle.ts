// The 督办 lifecycle of one (task, unit): one state machine, pure, the only place that decides where a unit's part
// of a task stands. Everything else (chat, digest, jobs, pages, 台账) reads the state this derives.
//
// The unit's history is a list of events: its reports (汇报 / 完成), the reviewers' decisions (审核通过, 退回,
// 重新打开) and — later — deadline changes (延期). Reassignments and plan changes decide *which* units have a
// history (a unit no longer responsible has no record), and the task's deadline is an input.
//
// Two halves, on purpose:
//   - `guard(state, event)` says whether a command may add an event now, and why not in plain words. Commands call
//     it before they store anything, so a refused transition leaves no trace.
//   - `foldUnit(events)` replays what *was* stored. It is total: a stored report always counts (it happened; only
//     old data or a race between two instances can hold one the guard would refuse), and a decision that no longer
//     fits the state (it was about an earlier 完成 that a later report superseded) changes nothing.
// Because the guard refuses reports on 待审核 (except a repeated 完成) and on 已销号, and every decision needs a 完成
// before it, the state depends only on the latest report and the decisions after it. That is why the read model may
// replay the progress cache (the last report of each recent week) instead of every report.
import { shanghaiDate } from './period.ts';
import type { ReportStatus } from './vocabulary.ts';

/** Where a unit's part of a task stands. 超期 is a flag on top (see `overdueDays`), never a stage. */
export const STAGES = ['not_started', 'in_progress', 'blocked', 'pending_review', 'closed', 'returned'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABEL: Record<Stage, string> = {
  not_started: '未启动',
  in_progress: '推进中',
  blocked: '受阻',
  pending_review: '待审核',
  closed: '已销号',
  returned: '退回',
};

/** Finished from the unit's side: nothing more is owed unless a reviewer sends it back. */
export function isFinishedStage(stage: Stage): boolean {
  return stage === 'pending_review' || stage === 'closed';
}

/** Who may cause a transition: the unit (its liaisons, or an admin reporting for it) or a reviewer (admins). */
export type Actor = 'unit' | 'reviewer';

export interface ReportEvent {
  kind: 'report';
  at: Date;
  /** Order of receipt within one second (see receipt-sequence.ts); older data has none. */
  seq?: number | null;
  status: ReportStatus;
  percent: number | null;
  note: string;
  userid: string;
}

export interface DecisionEvent {
  kind: 'approve' | 'return' | 'reopen';
  at: Date;
  reason: string;
  actor: string;
}

/** An approved 延期: the unit's deadline from now on. Kept in the machine so 延期 is one more transition. */
export interface ExtensionEvent {
  kind: 'extend';
  at: Date;
  deadline: string;
  reason: string;
  actor: string;
}

export type UnitEvent = ReportEvent | DecisionEvent | ExtensionEvent;
export type Transition = UnitEvent['kind'];

/** Every transition, named once, with who may cause it and the stages it may leave from. */
export const TRANSITIONS: Record<Transition, { label: string; by: Actor; from: readonly Stage[] }> = {
  report: { label: '汇报', by: 'unit', from: ['not_started', 'in_progress', 'blocked', 'returned'] },
  approve: { label: '审核通过', by: 'reviewer', from: ['pending_review'] },
  return: { label: '退回', by: 'reviewer', from: ['pending_review', 'closed'] },
  reopen: { label: '重新打开', by: 'reviewer', from: ['closed'] },
  extend: { label: '延期', by: 'reviewer', from: ['not_started', 'in_progress', 'blocked', 'returned', 'pending_review'] },
};

export interface UnitState {
  stage: Stage;
  /** Why it stands here, when someone said so: the 退回 / 重新打开 reason, or the 受阻 note. */
  reason: string | null;
  /** The latest report, whatever came after it. */
  latest: ReportEvent | null;
  /** The decision that put it in its stage (已销号, 退回, 重新打开), else null. */
  decision: DecisionEvent | null;
  /** When the current stage began. */
  since: Date | null;
  /** The unit's deadline: the task's, unless a 延期 moved it. */
  deadline: string | null;
  /** The approved 延期 that set `deadline`, if any (the original stays the task's). */
  extension: ExtensionEvent | null;
}

export function initialState(deadline: string | null): UnitState {
  return { stage: 'not_started', reason: null, latest: null, decision: null, since: null, deadline, extension: null };
}

function stageOfReport(r: ReportEvent): Stage {
  switch (r.status) {
    case 'done': return 'pending_review';
    case 'blocked': return 'blocked';
    case 'in_progress': return 'in_progress';
    case 'not_started': return r.percent ? 'in_progress' : 'not_started';
  }
}

/** One stored event applied: total (see the file's head). */
export function apply(state: UnitState, e: UnitEvent): UnitState {
  switch (e.kind) {
    case 'report': {
      // A repeated 完成 on 待审核 re-submits it: still 待审核, from the newer report.
      const stage = stageOfReport(e);
      return { ...state, stage, reason: stage === 'blocked' ? e.note || null : null, latest: e, decision: null, since: e.at };
    }
    case 'approve':
    case 'return':
    case 'reopen': {
      if (!TRANSITIONS[e.kind].from.includes(state.stage)) return state; // about an earlier 完成: superseded
      const stage: Stage = e.kind === 'approve' ? 'closed' : 'returned';
      return { ...state, stage, reason: e.kind === 'approve' ? null : e.reason, decision: e, since: e.at };
    }
    case 'extend':
      if (!TRANSITIONS.extend.from.includes(state.stage)) return state;
      return { ...state, deadline: e.deadline, extension: e };
  }
}

/** Events in the order they happened: by time; a report before a decision of the same instant; then by receipt. */
export function compareEvents(a: UnitEvent, b: UnitEvent): number {
  const d = a.at.getTime() - b.at.getTime();
  if (d !== 0) return d;
  const ra = a.kind === 'report' ? 0 : 1;
  const rb = b.kind === 'report' ? 0 : 1;
  if (ra !== rb) return ra - rb;
  const sa = a.kind === 'report' ? a.seq ?? 0 : 0;
  const sb = b.kind === 'report' ? b.seq ?? 0 : 0;
  return sa - sb;
}

/** The state a unit's history leads to (events in any order; those after `asOf` are not yet history). */
export function foldUnit(events: readonly UnitEvent[], taskDeadline: string | null, asOf?: Date): UnitState {
  const sorted = events.filter((e) => !asOf || e.at <= asOf).sort(compareEvents);
  return sorted.reduce(apply, initialState(taskDeadline));
}

export type RefusalCode = 'closed' | 'pending_review' | 'not_pending' | 'not_closed' | 'not_open';

export interface Refusal {
  code: RefusalCode;
  stage: Stage;
}

/**
 * May a command add this event now? null when it may. The rules beyond TRANSITIONS.from:
 *   - a report on 待审核 is refused, except a repeated 完成 (it re-submits, with the newer note and 佐证): a progress
 *     report must never silently withdraw a 完成. The way back is a reviewer's 退回.
 *   - a report on 已销号 is refused; a reviewer reopens it with 重新打开 (or 退回) and a reason.
 */
export function guard(state: Pick<UnitState, 'stage'>, e: Pick<UnitEvent, 'kind'> & { status?: ReportStatus }): Refusal | null {
  if (e.kind === 'report') {
    if (state.stage === 'closed') return { code: 'closed', stage: state.stage };
    if (state.stage === 'pending_review' && e.status !== 'done') return { code: 'pending_review', stage: state.stage };
    return null;
  }
  if (TRANSITIONS[e.kind].from.includes(state.stage)) return null;
  const code: RefusalCode = e.kind === 'approve' ? 'not_pending' : e.kind === 'reopen' ? 'not_closed' : e.kind === 'return' ? 'not_pending' : 'not_open';
  return { code, stage: state.stage };
}

/** Calendar days from a deadline ("YYYY-MM-DD") to today: positive when past it (超期 N 天). */
export function daysPast(today: string, deadline: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${deadline}T00:00:00Z`)) / (24 * 3600 * 1000));
}

/** 超期: days past the unit's deadline while unfinished; 0 when not late (or finished, or no deadline). */
export function overdueDays(state: Pick<UnitState, 'stage' | 'deadline'>, now: Date): number {
  if (!state.deadline || isFinishedStage(state.stage)) return 0;
  return Math.max(0, daysPast(shanghaiDate(now), state.deadline));
}
