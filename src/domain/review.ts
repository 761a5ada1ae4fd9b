// 销号 review of a (task, department): derived, never stored. The reports say what the department did; the
// admins' decisions (their own append-only collection) say whether the 党政办 accepted it. The state is the
// latest decision made after the latest report, if that report is a 完成.
import type { ReportStatus } from './vocabulary.ts';

export interface ReviewDecision {
  at: Date;
  decision: 'approved' | 'returned';
  reason: string;
  actor: string;
}

/**
 * open: not finished (no report, or the latest is not 完成);
 * pending: 完成 reported, waiting for an admin (待审核);
 * closed: approved (已销号);
 * returned: sent back (退回), so it is 推进中 again until the next 完成.
 */
export type ReviewState = 'open' | 'pending' | 'closed' | 'returned';

export const REVIEW_LABEL: Record<ReviewState, string> = {
  open: '推进中',
  pending: '待审核',
  closed: '已销号',
  returned: '已退回',
};

export interface ReviewOutcome {
  state: ReviewState;
  /** The decision that decided it (closed / returned), else null. */
  decision: ReviewDecision | null;
}

/** The state of one cell from its latest report and its decisions (any order). */
export function reviewStateOf(latest: { at: Date; status: ReportStatus } | null, decisions: readonly ReviewDecision[], asOf?: Date): ReviewOutcome {
  if (!latest || latest.status !== 'done') return { state: 'open', decision: null };
  let last: ReviewDecision | null = null;
  for (const d of decisions) {
    if (asOf && d.at > asOf) continue;
    if (d.at < latest.at) continue; // about an earlier 完成, superseded by the later report
    if (!last || d.at >= last.at) last = d;
  }
  if (!last) return { state: 'pending', decision: null };
  return { state: last.decision === 'approved' ? 'closed' : 'returned', decision: last };
}

/** A cell's key in maps of decisions: the same shape as the progress cache's ids. */
export function cellKey(taskId: string, department: string): string {
  return `${taskId}|${department}`;
}

/** Calendar days from a deadline ("YYYY-MM-DD") to today: positive when past it (超期 N 天). */
export function daysPast(today: string, deadline: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${deadline}T00:00:00Z`)) / (24 * 3600 * 1000));
}
