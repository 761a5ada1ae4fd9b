// Imports a parsed plan in two steps: a preview that changes nothing (what would be new, changed, retired, who
// would become responsible, what looks wrong), then the import itself. A plan is identified by its 文号 (else its
// title); importing it never touches another plan. Tasks are updated by code, never duplicated, their reports
// never touched; a task the document no longer has is retired, not deleted.
import { createHash } from 'node:crypto';
import type { ParsedPlan, ParsedTask, TableReport } from '../domain/plan/index.ts';
import { describeColumnsSeen, specOfReport } from '../domain/plan/column-mapping.ts';
import { deriveShortName, isValidShortName } from '../domain/plan/short-name.ts';
import { isCollectiveUnit } from '../domain/plan/units.ts';
import type { Clock } from '../clock.ts';
import { planAuditTarget, record, taskAuditTarget } from './audit.ts';
import type { Store } from './database.ts';
import type { PlanDoc, TaskDoc } from './models.ts';
import type { PlanStatus } from '../domain/vocabulary.ts';
import { unitsOf } from '../domain/unit-fates.ts';
import { planUnits, unitChanges, unitResolver } from './plan-units.ts';

export interface ResponsibilityChange {
  code: string;
  before: string[];
  after: string[];
}

/** Who the plan's collective tasks (镇直各部门 …) will bind once imported: the plan's own units, no other plan's. */
export interface UnitsPreview {
  /** The collective names the plan writes (镇直各部门 …), as one label; '' when it has no collective task. */
  collectiveLabel: string;
  collectiveTasks: number;
  /** The plan's units after the import (plan-units.ts). */
  after: string[];
  /** Units the import adds to them; `isNew`: the database has never seen it; `similar`: a known unit one character away. */
  joining: Array<{ unit: string; isNew: boolean; similar: string | null }>;
}

export interface ImportPreview {
  planKey: string;
  name: string;
  title: string;
  docNumber: string | null;
  /** null: a new plan. */
  existingStatus: PlanStatus | null;
  tasks: number;
  created: string[];
  updated: string[];
  unchanged: string[];
  retired: string[];
  responsibility: ResponsibilityChange[];
  departmentsAdded: string[];
  units: UnitsPreview;
  /** The units no department has yet, each with the tasks that name it: proposed, never assumed. */
  newUnits: { name: string; tasks: string[] }[];
  /** What was made of each table's columns (empty for a text plan). */
  columns: TableReport[];
  /** The tasks as parsed, to check before importing. */
  rows: { code: string; title: string; lead: string[]; assist: string[]; deadline: string | null }[];
  warnings: string[];
  /** Why this document cannot be imported (Chinese, for the user); null when it can. */
  refusal: string | null;
}

export interface ImportResult extends ImportPreview {
  planId: string;
}

export class ImportRefusedError extends Error {
  constructor(readonly preview: ImportPreview) {
    super(preview.refusal ?? 'import refused');
    this.name = 'ImportRefusedError';
  }
}

export function hashSource(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// Fields that come from the document; a difference in any of them makes a task "changed".
const TASK_FIELDS = ['chapter', 'section', 'item', 'chapterTitle', 'sectionTitle', 'title', 'text', 'lead', 'leaders', 'deadline', 'deadlineText'] as const;

export function planKeyOf(parsed: ParsedPlan): string {
  return parsed.plan.docNumber ?? parsed.plan.title;
}

/** What importing `parsed` would do. Reads only. */
export async function previewImport(store: Store, parsed: ParsedPlan, opts: { name?: string } = {}): Promise<ImportPreview> {
  const { Plan, Task, Department } = store.models;
  const key = planKeyOf(parsed);
  const plans = await Plan.find({}).lean<PlanDoc[]>();
  const prior = plans.find((p) => p.key === key) ?? null;
  const name = opts.name?.trim() || prior?.name || deriveShortName(parsed.plan.title);
  const warnings = parsed.warnings.map((w) => w.message);
  const preview: ImportPreview = {
    planKey: key, name, title: parsed.plan.title, docNumber: parsed.plan.docNumber, existingStatus: prior?.status ?? (prior ? 'active' : null),
    tasks: parsed.tasks.length, created: [], updated: [], unchanged: [], retired: [], responsibility: [], departmentsAdded: [], newUnits: [],
    units: { collectiveLabel: '', collectiveTasks: 0, after: [], joining: [] }, columns: parsed.tables, rows: parsed.tasks.map(previewRow), warnings, refusal: null,
  };
  const responsibleAfter: string[][] = [];

  const existing = new Map((prior ? await Task.find({ planId: prior._id }).lean<TaskDoc[]>() : []).map((t) => [t.code, t]));
  for (const task of parsed.tasks) {
    const before = existing.get(task.code);
    existing.delete(task.code);
    responsibleAfter.push(before ? nextDepartments(before, task) : task.departments);
    if (!before) {
      preview.created.push(task.code);
      if (task.departments.length > 0) preview.responsibility.push({ code: task.code, before: [], after: task.departments });
      continue;
    }
    const after = nextDepartments(before, task);
    if (!sameValue(before.departments, after)) preview.responsibility.push({ code: task.code, before: before.departments, after });
    if (task.departments.length === 0 && before.departments.length > 0) {
      preview.warnings.push(`任务 ${task.code} 在新文件中没有责任单位，保留现有的 ${before.departments.join('、')}`);
    }
    const changed = before.retired || !sameValue(before.departments, after) || TASK_FIELDS.some((f) => !sameValue(before[f as keyof TaskDoc], fieldsOf(task)[f]));
    (changed ? preview.updated : preview.unchanged).push(task.code);
  }
  for (const gone of existing.values()) if (!gone.retired) preview.retired.push(gone.code);

  const known = new Set((await Department.find({}, { name: 1 }).lean()).map((d) => d.name));
  const resolveUnit = await unitResolver(store, prior?._id ?? null);
  // A name an admin merged into another unit (or removed) is no new unit: importing it again must not bring it back.
  preview.departmentsAdded = [...new Set(parsed.tasks.flatMap((t) => t.departments))].filter((d) => !known.has(d) && resolveUnit(d) === d);
  preview.units = await previewUnits(store, prior, responsibleAfter, preview.departmentsAdded, [...known]);
  for (const d of new Set(parsed.tasks.flatMap((t) => t.departments))) {
    if (resolveUnit(d) === d) continue;
    const now = resolveUnit(d);
    preview.warnings.push(now ? `“${d}”已合并到“${now}”：本方案中的“${d}”按${now}计` : `单位“${d}”已被删除：本方案中的“${d}”不计入本方案的单位`);
  }
  preview.newUnits = preview.departmentsAdded.map((name) => ({ name, tasks: parsed.tasks.filter((t) => t.departments.includes(name)).map((t) => t.code) }));
  preview.refusal = refusalOf(parsed, preview, plans.find((p) => p.name === name && p.key !== key) ?? null);
  return preview;
}

/**
 * The plan's units after the import, and those it adds: named by its tasks as they will stand (an admin's
 * reassignment kept), plus what admins added, minus what they removed or merged; never another plan's units.
 */
async function previewUnits(store: Store, prior: PlanDoc | null, responsibleAfter: string[][], added: string[], known: string[]): Promise<UnitsPreview> {
  const before = prior ? await planUnits(store, prior._id) : [];
  const after = unitsOf(responsibleAfter, await unitChanges(store), prior?._id ?? null);
  const counts = new Map<string, number>();
  for (const n of responsibleAfter.flat().filter(isCollectiveUnit)) counts.set(n, (counts.get(n) ?? 0) + 1);
  const label = [...counts].sort((a, b) => b[1] - a[1]).map(([n]) => n).slice(0, 2).join('、');
  const joining = after
    .filter((u) => !before.includes(u))
    .map((unit) => ({ unit, isNew: added.includes(unit), similar: added.includes(unit) ? similarUnit(unit, known) : null }));
  return { collectiveLabel: label, collectiveTasks: responsibleAfter.filter((ds) => ds.some(isCollectiveUnit)).length, after, joining };
}

/** A known unit one character away from `unit` (经贸力 / 经贸办): likely the same unit misspelled. */
function similarUnit(unit: string, known: string[]): string | null {
  const chars = [...unit];
  for (const k of known) {
    const other = [...k];
    if (other.length !== chars.length || chars.length < 2 || isCollectiveUnit(k)) continue;
    if (other.filter((ch, i) => ch !== chars[i]).length === 1) return k;
  }
  return null;
}

function refusalOf(parsed: ParsedPlan, preview: ImportPreview, nameOwner: PlanDoc | null): string | null {
  const kept = '没有导入，现有方案未改动。';
  if (parsed.tasks.length === 0) {
    const seen = describeColumnsSeen(parsed.tables);
    if (seen !== '') {
      // A table whose columns were not understood: name them and show how to say which is which.
      const example = parsed.tables.map(specOfReport).find((s) => s.includes('任务')) || '任务=B,牵头单位=C,配合单位=D,完成时限=E';
      return `表格中没有识别出任务。看到的列：${seen}。${kept}\n请指明各列的内容（列字母按表格计），例如：--columns ${example}；角色可用 序号、类别、任务、任务内容、责任单位、牵头单位、配合单位、完成时限、责任领导。`;
    }
    return `文件中没有识别出任务（没有“一、（一）1.”式编号的条目，也没有任务分解表）。${kept}\n请确认这是工作方案或任务分解表；可先用 npm run -s cli -- plan parse 文件 查看识别结果。`;
  }
  if (!parsed.tasks.some((t) => t.departments.length > 0)) {
    const seen = describeColumnsSeen(parsed.tables);
    const hint = seen === '' ? '' : `\n看到的列：${seen}。请指明各列的内容，例如：--columns 任务=B,责任单位=C,完成时限=D`;
    return `识别出 ${parsed.tasks.length} 项任务，但没有一项写明责任单位（如“（责任部门：经贸办）”或表格中的“责任单位”列）。${kept}${hint}`;
  }
  const codes = parsed.tasks.map((t) => t.code);
  const dup = codes.find((c, i) => codes.indexOf(c) !== i);
  if (dup) return `任务编号 ${dup} 出现了不止一次，无法区分。${kept}`;
  if (!isValidShortName(preview.name)) {
    return `简称“${preview.name}”不可用：简称只能由汉字或字母组成（不含数字，以免与任务编号混淆）。${kept}\n请用 --name 指定，例如：--name 安全生产`;
  }
  if (nameOwner) {
    return `简称“${preview.name}”已被《${nameOwner.title}》使用。${kept}\n请用 --name 另起一个简称（汉字或字母，如 --name 简称）。`;
  }
  return null;
}

/** Previews, refuses what cannot be imported, and imports the rest. */
export async function importPlan(
  store: Store,
  parsed: ParsedPlan,
  opts: { sourceHash: string; clock: Clock; actor?: string; name?: string },
): Promise<ImportResult> {
  const preview = await previewImport(store, parsed, { name: opts.name });
  if (preview.refusal) throw new ImportRefusedError(preview);
  return applyImport(store, parsed, preview, opts);
}

/** Writes what `preview` describes. Call previewImport first and only when it has no refusal. */
export async function applyImport(
  store: Store,
  parsed: ParsedPlan,
  preview: ImportPreview,
  opts: { sourceHash: string; clock: Clock; actor?: string },
): Promise<ImportResult> {
  if (preview.refusal) throw new ImportRefusedError(preview);
  const { Plan, Task, Department } = store.models;
  const now = opts.clock.now();
  const actor = opts.actor ?? 'system:import';
  const key = preview.planKey;

  const plan = await Plan.findOneAndUpdate(
    { key },
    {
      // A document that does not state its issuer or date (a 分解表 export) does not erase them.
      $set: { ...withoutNulls(parsed.plan), name: preview.name, sourceHash: opts.sourceHash, importedAt: now },
      $setOnInsert: { key, status: 'active', firstImportedAt: now },
    },
    { upsert: true, new: true },
  ).lean<PlanDoc>();
  if (!plan) throw new Error('plan upsert returned nothing');

  const existing = new Map((await Task.find({ planId: plan._id }).lean<TaskDoc[]>()).map((t) => [t.code, t]));
  const corrected = correctedUnits(await unitResolver(store, plan._id));
  for (const [order, task] of parsed.tasks.entries()) {
    const prior = existing.get(task.code);
    existing.delete(task.code);
    const fields = fieldsOf(task);
    if (!prior) {
      const departments = corrected(task.departments);
      await Task.create({
        ...fields, planId: plan._id, code: task.code, order, collective: departments.some(isCollectiveUnit),
        departments, plannedDepartments: task.departments,
      });
      continue;
    }
    const set: Record<string, unknown> = {};
    for (const f of TASK_FIELDS) if (!sameValue(prior[f as keyof TaskDoc], fields[f])) set[f] = fields[f];
    if (prior.order !== order) set.order = order;
    if (prior.retired) set.retired = false;
    const departments = corrected(nextDepartments(prior, task));
    if (!sameValue(prior.plannedDepartments, task.departments) && task.departments.length > 0) set.plannedDepartments = task.departments;
    if (!sameValue(prior.departments, departments)) {
      set.departments = departments;
      await record(store, {
        at: now, actor, action: 'task.departments.plan-changed', ...taskAuditTarget(prior),
        before: prior.departments, after: departments, note: `plan ${key}`,
      });
    }
    // Whether the task binds every department follows who is responsible now, not what the document said.
    const collective = departments.some(isCollectiveUnit);
    if (prior.collective !== collective) set.collective = collective;
    if (Object.keys(set).length > 0) await Task.updateOne({ _id: prior._id }, { $set: set });
  }
  for (const gone of existing.values()) {
    if (!gone.retired) await Task.updateOne({ _id: gone._id }, { $set: { retired: true } });
  }
  for (const name of preview.departmentsAdded) {
    await Department.create({ name, collective: isCollectiveUnit(name) }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 11000) throw err; // created meanwhile by another importer
    });
  }
  await record(store, {
    at: now, actor, action: preview.existingStatus ? 'plan.reimport' : 'plan.import', ...planAuditTarget(preview.name),
    before: null, after: { created: preview.created.length, updated: preview.updated.length, retired: preview.retired.length }, note: parsed.plan.title,
  });
  return { ...preview, planId: String(plan._id) };
}

/**
 * A unit an admin merged into another is written as that unit, one removed is left out (unless nobody would be
 * left): the document's names stay in plannedDepartments, so a re-import of the same file changes nothing.
 */
function correctedUnits(resolveUnit: (name: string) => string | null): (names: string[]) => string[] {
  return (names) => {
    const out = [...new Set(names.map(resolveUnit).filter((d): d is string => d !== null))];
    return out.length > 0 ? out : names;
  };
}

/**
 * Who is responsible after the import: a change in the document moves responsibility; otherwise an admin's
 * reassignment stands. A document that names no unit for a task never empties it.
 */
function nextDepartments(prior: TaskDoc, task: ParsedTask): string[] {
  if (task.departments.length === 0) return prior.departments;
  return sameValue(prior.plannedDepartments, task.departments) && prior.departments.length > 0 ? prior.departments : task.departments;
}

function previewRow(task: ParsedTask): ImportPreview['rows'][number] {
  const lead = task.lead.length > 0 ? task.lead : task.departments;
  return { code: task.code, title: task.title, lead, assist: task.departments.filter((d) => !lead.includes(d)), deadline: task.deadline ?? task.deadlineText };
}

function fieldsOf(task: ParsedTask): Record<(typeof TASK_FIELDS)[number], unknown> {
  return {
    chapter: task.chapter, section: task.section, item: task.item, chapterTitle: task.chapterTitle,
    sectionTitle: task.sectionTitle, title: task.title, text: task.text,
    // Every unit leading is no unit leading: a 分解表 that puts all units under 牵头单位 says the same as 责任单位.
    lead: task.departments.every((d) => task.lead.includes(d)) ? [] : task.lead,
    leaders: task.leaders, deadline: task.deadline, deadlineText: task.deadlineText,
  };
}

function withoutNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
