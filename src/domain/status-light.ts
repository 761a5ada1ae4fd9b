// Status lights for a (task, department): pure, the clock's "now" is passed in.
import type { ReportStatus } from './vocabulary.ts';
import { shanghaiDate } from './period.ts';

export type Light = 'red' | 'yellow' | 'green' | 'done';

export const LIGHT_ICON: Record<Light, string> = { red: '🔴', yellow: '🟡', green: '🟢', done: '✅' };

export interface LightInput {
  now: Date;
  /** When the department became responsible (task created / assigned); stands in for "last report" before the first one. */
  since: Date;
  latest: { at: Date; status: ReportStatus; percent: number | null } | null;
  deadline: string | null; // YYYY-MM-DD, Shanghai
  planStart: string | null; // YYYY-MM-DD, for the deadline's pace
}

const DAY = 24 * 3600 * 1000;

/**
 * red: blocked, or no report for two weeks or more, or past its deadline;
 * yellow: no report in the last week, or behind the deadline's pace;
 * green: reported and on track.
 */
export function statusLight(input: LightInput): Light {
  const { now, latest } = input;
  if (latest?.status === 'done') return 'done';
  if (latest?.status === 'blocked') return 'red';
  if (input.deadline && shanghaiDate(now) > input.deadline) return 'red';
  const lastAt = latest?.at ?? input.since;
  const silentDays = (now.getTime() - lastAt.getTime()) / DAY;
  if (silentDays >= 14) return 'red';
  if (!latest || silentDays >= 7) return 'yellow';
  if (behindPace(input)) return 'yellow';
  return 'green';
}

/** Behind pace: reported percent more than 15 points under the share of time already gone. */
function behindPace(input: LightInput): boolean {
  if (!input.deadline || !input.planStart || input.latest?.percent == null) return false;
  const start = Date.parse(`${input.planStart}T00:00:00+08:00`);
  const end = Date.parse(`${input.deadline}T23:59:59+08:00`);
  if (end <= start) return false;
  const elapsed = Math.min(1, Math.max(0, (input.now.getTime() - start) / (end - start)));
  return input.latest.percent < elapsed * 100 - 15;
}
