// Addresses of the pages, for links in chat (任务 replies, reminders). Built from WEB_BASE_URL, the trusted domain.
import type { PlanDoc } from '../store/models.ts';

export function taskPageUrl(base: string, plan: Pick<PlanDoc, '_id'>, code: string): string {
  return `${base}/web/tasks/${String(plan._id)}/${encodeURIComponent(code)}`;
}

export function taskListUrl(base: string, filters: { dept?: string } = {}): string {
  const q = filters.dept ? `?dept=${encodeURIComponent(filters.dept)}` : '';
  return `${base}/web/tasks${q}`;
}

/** The pages' home (总览). */
export function homeUrl(base: string): string {
  return `${base}/web/`;
}

/** The 方案 page: import, archive, activate (admins). */
export function plansPageUrl(base: string): string {
  return `${base}/web/plans`;
}

/** The 周报 page of a week: the digest as archived when it was sent, everything the short messages leave out. */
export function digestPageUrl(base: string, week: string): string {
  return `${base}/web/digests/week/${encodeURIComponent(week)}`;
}
