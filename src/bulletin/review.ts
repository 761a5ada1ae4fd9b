// A period's review (月通报 / 季度 / 年度): the figures, the 考核 scores, the items done well and those that need
// attention, over every active plan. Everything comes from the read model (src/standing: stages, deadlines with
// their 延期, 超期) and the store's reports and 销号 decisions; the 通报 (.docx), the 考核 page and the 台账's
// 考核得分 sheet all format this one object, so they cannot disagree.
import { formatLocal } from '../domain/period.ts';
import { periodAsOf, periodWeeks, previousPeriod, type ReviewPeriod } from '../domain/review-period.ts';
import type { ScoreRules } from '../domain/score-rules.ts';
import { closedIn, computeScores, finishedOnTime, percent, rankScores, type CellWeek, type DepartmentScore, type PeriodRecord, type ReturnEvent } from '../domain/scores.ts';
import { weeklyDepartmentRates, type RateReport } from '../domain/weekly-rates.ts';
import { readPlanInputs, standingsFrom, type PlanInputs } from '../standing/load.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import { toSnapshotTask } from '../store/snapshot-queries.ts';
import { activeTasks } from '../store/task-queries.ts';

export interface Figures {
  tasks: number;
  /** (task, unit) parts: the 台账's rows. */
  cells: number;
  expected: number;
  reported: number;
  reportRate: number | null;
  closed: number;
  closedOnTime: number;
  onTimeRate: number | null;
  overdue: number;
  blocked: number;
  returned: number;
}

export interface ReviewItem {
  code: string;
  title: string;
  department: string;
  /** 超期 N 天 / 受阻 / 退回, or the 销号 date for items done well. */
  marks: string[];
  /** The 退回 or 受阻 reason. */
  reason: string;
  /** The latest report's note and its date. */
  note: string;
  noteAt: string;
}

export interface ExtendedItem {
  code: string;
  title: string;
  department: string;
  /** The task's own deadline as the plan words it ("2021年年底前"), kept visible beside the 延期. */
  original: string | null;
  deadline: string;
}

export interface PeriodReview {
  period: ReviewPeriod;
  previous: ReviewPeriod;
  asOf: Date;
  /** The plans it covers, and the issuing office. */
  plans: Array<{ name: string; title: string }>;
  office: string;
  figures: Figures;
  previousFigures: Figures;
  /** Best first. */
  scores: DepartmentScore[];
  wellDone: ReviewItem[];
  attention: ReviewItem[];
  extended: ExtendedItem[];
  nextSteps: string[];
}

interface Loaded {
  records: Array<PeriodRecord & { taskDeadline: string | null; taskDeadlineText: string | null }>;
  cellWeeks: CellWeek[];
  returns: ReturnEvent[];
  departments: string[];
  tasks: number;
}

/**
 * What a plan's figures for a period are built from, read once for the period and the one before it: the records'
 * inputs and the reports counted for the weekly obligations. Counting needs, per unit, the last report of each week
 * and the last one before the first week, which the progress cache's entries give whenever its cells reach back far
 * enough (a month and the month before usually do); only otherwise are the reports themselves read. Reading every
 * report here (a county's 100,000 on the embedded database) took the first 台账 with its 考核得分 sheet to 18 s.
 */
type ReviewInputs = (plan: PlanDoc) => Promise<{ inputs: PlanInputs; tasks: TaskDoc[] }>;

function reviewInputs(store: Store, periods: ReviewPeriod[], now: Date): ReviewInputs {
  const from = new Date(Math.min(...periods.map((p) => (periodWeeks(p, now)[0]?.start ?? p.start).getTime())));
  const asOf = new Date(Math.max(...periods.map((p) => periodAsOf(p, now).getTime())));
  const read = new Map<string, Promise<{ inputs: PlanInputs; tasks: TaskDoc[] }>>();
  return (plan) => {
    let r = read.get(String(plan._id));
    if (!r) {
      // The whole tasks once (their deadlines' wording too), shared with the records' inputs.
      r = activeTasks(store, plan._id).then(async (tasks) => ({ inputs: await readPlanInputs(store, plan, from, asOf, undefined, tasks), tasks }));
      read.set(String(plan._id), r);
    }
    return r;
  };
}

async function loadPeriod(plans: PlanDoc[], period: ReviewPeriod, now: Date, inputsOf: ReviewInputs): Promise<Loaded> {
  const asOf = periodAsOf(period, now);
  const weeks = periodWeeks(period, now);
  const out: Loaded = { records: [], cellWeeks: [], returns: [], departments: [], tasks: 0 };
  const several = plans.length > 1;
  for (const plan of plans) {
    // Nothing is owed, late or counted before a plan was imported: a period before it has no figures.
    const since = plan.firstImportedAt ?? plan.importedAt;
    if (since >= period.end) continue;
    const label = (code: string) => (several ? `${plan.name}${code}` : code);
    const { inputs, tasks } = await inputsOf(plan);
    const { units: departments, decisions } = inputs;
    const reports = inputs.reports.filter((r) => r.at <= asOf);
    out.tasks += tasks.length;
    for (const d of departments) if (!out.departments.includes(d)) out.departments.push(d);
    // Where each unit stands at the period's end: the read model's records (deadlines with their 延期, 超期).
    const wording = new Map(tasks.map((t) => [String(t._id), t.deadlineText ?? null]));
    for (const r of standingsFrom(inputs, plan, { start: period.start, end: period.end }, asOf)) {
      out.records.push({
        department: r.department, stage: r.stage, since: r.since, latest: r.latest, deadline: r.deadline, overdue: r.overdue,
        overdueDays: r.overdueDays, reason: r.reason, code: label(r.task.code), title: r.task.title, taskDeadline: r.task.deadline,
        taskDeadlineText: wording.get(r.task.id) ?? null,
      });
    }
    // Each week's obligations, task by task, by the same definitions as the 台账's 部门汇报率.
    const byTask = new Map<string, RateReport[]>();
    for (const r of reports) {
      const list = byTask.get(String(r.taskId));
      if (list) list.push(r);
      else byTask.set(String(r.taskId), [r]);
    }
    for (const task of tasks) {
      const snapshot = toSnapshotTask(task, asOf);
      const tallies = weeklyDepartmentRates([snapshot], departments, byTask.get(snapshot.id) ?? [], weeks.filter((w) => w.end > since), decisions);
      for (const [department, perWeek] of tallies) {
        for (const w of weeks) {
          const t = perWeek.get(w.week);
          if (!t || t.expected === 0) continue;
          out.cellWeeks.push({ department, week: w.week, weekStart: w.start, code: label(task.code), reported: t.reported > 0 });
        }
      }
    }
    const codes = new Map(tasks.map((t) => [String(t._id), t.code]));
    for (const [key, list] of decisions) {
      const [taskId, department] = key.split('|') as [string, string];
      const code = codes.get(taskId);
      if (!code) continue;
      for (const d of list) {
        if (d.decision === 'returned' && d.at >= period.start && d.at < period.end && d.at <= asOf) {
          out.returns.push({ department, code: label(code), at: d.at, reason: d.reason });
        }
      }
    }
  }
  return out;
}

function figuresOf(loaded: Loaded, scores: DepartmentScore[]): Figures {
  const sum = (k: 'expected' | 'reported' | 'closed' | 'closedOnTime' | 'overdue' | 'blocked' | 'returned') => scores.reduce((s, d) => s + d[k], 0);
  return {
    tasks: loaded.tasks, cells: loaded.records.length, expected: sum('expected'), reported: sum('reported'), reportRate: percent(sum('reported'), sum('expected')),
    closed: sum('closed'), closedOnTime: sum('closedOnTime'), onTimeRate: percent(sum('closedOnTime'), sum('closed') + sum('overdue')),
    overdue: sum('overdue'), blocked: sum('blocked'), returned: sum('returned'),
  };
}

/** "南旺镇人民政府" → "南旺镇党政办公室": who issues the 通报. */
export function issuingOffice(plans: Pick<PlanDoc, 'issuer'>[]): string {
  const issuer = plans.find((p) => p.issuer)?.issuer?.trim();
  return issuer ? `${issuer.replace(/(人民政府|党委|委员会)$/, '')}党政办公室` : '党政办公室';
}

export async function buildPeriodReview(store: Store, plans: PlanDoc[], rules: ScoreRules, period: ReviewPeriod, now: Date): Promise<PeriodReview> {
  const previous = previousPeriod(period);
  const inputsOf = reviewInputs(store, [period, previous], now);
  const [current, before] = [await loadPeriod(plans, period, now, inputsOf), await loadPeriod(plans, previous, now, inputsOf)];
  const score = (l: Loaded, p: ReviewPeriod) => computeScores({ rules, period: p, departments: l.departments, cellWeeks: l.cellWeeks, records: l.records, returns: l.returns });
  const scores = score(current, period);
  const previousScores = score(before, previous);
  const noteOf = (r: PeriodRecord) => ({ note: r.latest?.note ?? '', noteAt: r.latest ? formatLocal(r.latest.at, 'M月D日') : '' });
  const order = (a: { code: string; department: string }, b: { code: string; department: string }) =>
    a.code.localeCompare(b.code, 'zh-CN', { numeric: true }) || a.department.localeCompare(b.department, 'zh-CN');
  const wellDone: ReviewItem[] = current.records
    .filter((r) => closedIn(r, period) && finishedOnTime(r))
    .map((r) => ({ code: r.code, title: r.title, department: r.department, marks: [`${formatLocal(r.since!, 'M月D日')}销号`], reason: '', ...noteOf(r) }))
    .sort(order);
  const attention: ReviewItem[] = current.records
    .filter((r) => r.overdue || r.stage === 'blocked' || r.stage === 'returned')
    .map((r) => ({
      code: r.code, title: r.title, department: r.department,
      marks: [...(r.overdue ? [`超期 ${r.overdueDays} 天`] : []), ...(r.stage === 'blocked' ? ['受阻'] : []), ...(r.stage === 'returned' ? ['退回'] : [])],
      reason: r.stage === 'returned' || r.stage === 'blocked' ? r.reason ?? '' : '', ...noteOf(r),
    }))
    .sort(order);
  const extended: ExtendedItem[] = current.records
    .filter((r) => r.deadline && r.deadline !== r.taskDeadline)
    .map((r) => ({ code: r.code, title: r.title, department: r.department, original: r.taskDeadlineText ?? r.taskDeadline, deadline: r.deadline! }))
    .sort(order);
  const figures = figuresOf(current, scores);
  return {
    period, previous, asOf: periodAsOf(period, now), plans: plans.map((p) => ({ name: p.name, title: p.title })), office: issuingOffice(plans),
    figures, previousFigures: figuresOf(before, previousScores), scores: rankScores(scores), wellDone, attention, extended,
    nextSteps: nextSteps(scores, period),
  };
}

function names(list: DepartmentScore[]): string {
  return list.map((d) => d.department).join('、');
}

/** The 下一步工作 paragraphs: who must act, from the figures. A draft the 党政办 edits. */
function nextSteps(scores: DepartmentScore[], period: ReviewPeriod): string[] {
  const out: string[] = [];
  const late = scores.filter((d) => d.overdue > 0);
  if (late.length) out.push(`请${names(late)}对超期事项逐项分析原因，明确整改措施和完成时限，于下月10日前向党政办书面报告；确需延期的，按程序提出延期申请。`);
  const returned = scores.filter((d) => d.returned > 0);
  if (returned.length) out.push(`请${names(returned)}按审核意见补充完善佐证材料，尽快重新提交销号。`);
  const blocked = scores.filter((d) => d.blocked > 0);
  if (blocked.length) out.push(`${names(blocked)}反映的受阻事项，由分管领导牵头协调解决，党政办跟踪督办。`);
  const silent = scores.filter((d) => d.expected > d.reported);
  if (silent.length) {
    const who = silent.length > 8 ? `汇报率未达 100% 的 ${silent.length} 个单位（见排名表）` : names(silent);
    out.push(`请${who}严格按周报送工作进展，未按时报送的按考核细则扣分。`);
  }
  out.push(`党政办将继续坚持“周调度、月通报、季推进、年考评”，${period.kind === 'year' ? '年度' : '本期'}考核得分纳入年度综合考评。`);
  return out;
}
