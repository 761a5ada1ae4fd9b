// The 待审核 notice: once a working day (16:40), one message per admin listing the units whose 完成 came in since
// the last notice, with their 佐证 counts, and how many older ones still wait. Nothing new, nothing sent.
import { render } from '../bot/render.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { finishedRunsOf } from '../store/job-runs.ts';
import { activeMembersWithRole } from '../store/members-repo.ts';
import { pendingReviews } from '../standing/index.ts';
import type { LoopMessage } from './loop-types.ts';
import type { CardItem } from '../store/cards.ts';

/** The cutoff of the last finished notice before this run: items done after it are new. */
export async function previousReviewCutoff(store: Store, runKey: string): Promise<Date | null> {
  const runs = await finishedRunsOf(store, 'review-notice');
  const cutoffs = runs
    .filter((r) => r.key !== runKey && r.summary && (r.summary as { cutoff?: unknown }).cutoff)
    .map((r) => new Date((r.summary as { cutoff: Date }).cutoff));
  return cutoffs.length ? new Date(Math.max(...cutoffs.map((d) => d.getTime()))) : null;
}

export async function buildReviewNotice(store: Store, plans: PlanDoc[], since: Date | null, cutoff: Date): Promise<LoopMessage[]> {
  const pending = await pendingReviews(store, plans, cutoff);
  const fresh = pending.filter((p) => !since || p.at > since);
  if (fresh.length === 0) return [];
  const admins = await activeMembersWithRole(store, 'admin');
  const text = render('review-notice', { items: fresh, older: pending.length - fresh.length, example: fresh[0]! });
  const items: CardItem[] = fresh.map((p) => ({
    planId: p.planId, code: p.taskCode, label: p.code, title: p.title, department: p.department, stage: 'pending_review',
    sinceMs: p.since?.getTime() ?? null, showDepartment: true, detail: `${p.doneAt}，佐证 ${p.evidence} 份`,
  }));
  return admins.map((a) => ({
    userid: a.userid, text,
    cards: { kind: 'review' as const, source: 'review-notice', heading: '待审核', userid: a.userid, items, link: null },
  }));
}
