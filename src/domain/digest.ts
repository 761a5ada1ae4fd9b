// The weekly digest's figures, from the read model's records of the week. Pure: it counts stages, never decides one.
import type { ReportStatus } from './vocabulary.ts';
import { isFinishedStage } from './lifecycle.ts';
import { isExpected, type Standing } from './standing.ts';
import { LIGHT_ICON, type Light } from './status-light.ts';

export interface DepartmentRate {
  name: string;
  expected: number;
  reported: number;
  rate: number; // 0..100
}

export interface TaskLine {
  code: string;
  title: string;
  icon: string;
  light: Light;
  departments: string[];
  note?: string;
}

export interface Digest {
  week: string;
  expected: number;
  reported: number;
  rate: number;
  byStatus: Record<ReportStatus | 'none', number>;
  departments: DepartmentRate[];
  newlyCompleted: TaskLine[];
  /** Units whose part was finished this week: the header's "本周新增", the same count as the lines below list. */
  newlyCompletedUnits: number;
  blocked: TaskLine[];
  silentDepartments: string[];
  attention: TaskLine[]; // red and yellow tasks, worst first
  lights: Record<Light, number>;
  taskCount: number;
  /** 销号 review of the (task, department) pairs: 待审核, 已销号, and 退回 (back to 推进中). */
  review: { pending: number; closed: number; returned: number };
  /** Tasks past their deadline with departments not done (超期), by code. */
  overdue: TaskLine[];
}

const LIGHT_RANK: Record<Light, number> = { red: 0, yellow: 1, green: 2, done: 3 };

function pct(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.round((part / whole) * 100);
}

/**
 * Reporting rate: of the (task, department) pairs expected to report in the week, the share that did.
 * A task's light is its worst department's.
 */
export function computeDigest(week: string, cells: Standing[]): Digest {
  const byStatus: Digest['byStatus'] = { not_started: 0, in_progress: 0, blocked: 0, done: 0, none: 0 };
  const depts = new Map<string, { expected: number; reported: number }>();
  const tasks = new Map<string, { cells: Standing[] }>();
  let expected = 0;
  let reported = 0;
  const review = { pending: 0, closed: 0, returned: 0 };
  for (const c of cells) {
    if (c.stage === 'pending_review') review.pending++;
    else if (c.stage === 'closed') review.closed++;
    else if (c.stage === 'returned') review.returned++;
    byStatus[statusOf(c)]++;
    const d = depts.get(c.department) ?? { expected: 0, reported: 0 };
    depts.set(c.department, d);
    if (isExpected(c)) {
      expected++;
      d.expected++;
      if (c.reportedInPeriod) {
        reported++;
        d.reported++;
      }
    }
    const t = tasks.get(c.task.id) ?? { cells: [] };
    t.cells.push(c);
    tasks.set(c.task.id, t);
  }

  const lights: Record<Light, number> = { red: 0, yellow: 0, green: 0, done: 0 };
  const attention: TaskLine[] = [];
  const newlyCompleted: TaskLine[] = [];
  const blocked: TaskLine[] = [];
  const overdue: TaskLine[] = [];
  let newlyCompletedUnits = 0;
  for (const { cells: cs } of tasks.values()) {
    const task = cs[0]!.task;
    const worst = cs.reduce((w, c) => (LIGHT_RANK[c.light] < LIGHT_RANK[w] ? c.light : w), 'done' as Light);
    lights[worst]++;
    const line = (light: Light, departments: string[], note?: string): TaskLine => ({
      code: task.code, title: task.title, icon: LIGHT_ICON[light], light, departments, note,
    });
    if (worst === 'red' || worst === 'yellow') {
      attention.push(line(worst, cs.filter((c) => c.light === worst).map((c) => c.department)));
    }
    const completed = cs.filter((c) => isFinishedStage(c.stage) && !c.doneBefore && c.reportedInPeriod);
    if (completed.length) newlyCompleted.push(line('done', completed.map((c) => c.department)));
    newlyCompletedUnits += completed.length;
    for (const c of cs) {
      if (c.stage === 'blocked') blocked.push(line('red', [c.department], c.reason ?? undefined));
    }
    const late = cs.filter((c) => c.overdue);
    if (late.length) overdue.push(line('red', late.map((c) => c.department), late[0]!.deadline ?? undefined));
  }
  overdue.sort((a, b) => compareCodes(a.code, b.code));
  attention.sort((a, b) => LIGHT_RANK[a.light] - LIGHT_RANK[b.light] || compareCodes(a.code, b.code));
  newlyCompleted.sort((a, b) => compareCodes(a.code, b.code));
  blocked.sort((a, b) => compareCodes(a.code, b.code));

  const departments = [...depts].map(([name, d]) => ({ name, ...d, rate: pct(d.reported, d.expected) }))
    .filter((d) => d.expected > 0)
    .sort((a, b) => a.rate - b.rate || b.expected - a.expected || a.name.localeCompare(b.name, 'zh-CN'));
  return {
    week, expected, reported, rate: pct(reported, expected), byStatus, departments, newlyCompleted, newlyCompletedUnits, blocked,
    silentDepartments: departments.filter((d) => d.reported === 0).map((d) => d.name),
    attention, lights, taskCount: tasks.size, review, overdue,
  };
}

/**
 * The status a record counts under in the digest's header: its stage folded into the four report words, so that
 * "✅完成" counts exactly the finished ones (待审核 and 已销号) and a 退回 counts as 推进中, as everywhere else.
 */
function statusOf(c: Standing): ReportStatus | 'none' {
  switch (c.stage) {
    case 'pending_review':
    case 'closed': return 'done';
    case 'returned': return 'in_progress';
    case 'blocked': return 'blocked';
    case 'in_progress': return 'in_progress';
    case 'not_started': return c.latest ? 'not_started' : 'none';
  }
}

/** "7.10" after "7.9", "2.1.3" after "2.1": codes compare as numbers, level by level. */
export function compareCodes(a: string, b: string): number {
  const as = a.split('.').map(Number);
  const bs = b.split('.').map(Number);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = (as[i] ?? 0) - (bs[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
