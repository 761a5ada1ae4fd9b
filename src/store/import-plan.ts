// Imports a parsed plan: updates tasks by code, never duplicates them, never touches their reports.
import { createHash } from 'node:crypto';
import type { ParsedPlan, ParsedTask } from '../domain/plan/parse-plan.ts';
import { isCollectiveUnit } from '../domain/plan/units.ts';
import type { Clock } from '../clock.ts';
import type { Store } from './database.ts';

export interface ImportResult {
  planId: string;
  planKey: string;
  created: string[];
  updated: string[];
  unchanged: string[];
  retired: string[];
  departmentsAdded: string[];
}

export function hashSource(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const TASK_FIELDS = ['chapter', 'section', 'item', 'chapterTitle', 'sectionTitle', 'title', 'text', 'lead', 'collective', 'deadline', 'deadlineText'] as const;

export async function importPlan(
  store: Store,
  parsed: ParsedPlan,
  opts: { sourceText: string; clock: Clock; actor?: string },
): Promise<ImportResult> {
  const { Plan, Task, Department, Audit } = store.models;
  const now = opts.clock.now();
  const actor = opts.actor ?? 'system:import';
  const key = parsed.plan.docNumber ?? parsed.plan.title;

  const plan = await Plan.findOneAndUpdate(
    { key },
    {
      $set: { ...parsed.plan, sourceHash: hashSource(opts.sourceText), importedAt: now },
      $setOnInsert: { key },
    },
    { upsert: true, new: true },
  ).lean();
  if (!plan) throw new Error('plan upsert returned nothing');

  const existing = new Map((await Task.find({ planId: plan._id }).lean()).map((t) => [t.code, t]));
  const result: ImportResult = {
    planId: String(plan._id), planKey: key, created: [], updated: [], unchanged: [], retired: [], departmentsAdded: [],
  };

  for (const [order, task] of parsed.tasks.entries()) {
    const prior = existing.get(task.code);
    existing.delete(task.code);
    const fields = pickTaskFields(task);
    if (!prior) {
      await Task.create({
        ...fields, planId: plan._id, code: task.code, order,
        departments: task.departments, plannedDepartments: task.departments,
      });
      result.created.push(task.code);
      continue;
    }
    const set: Record<string, unknown> = {};
    for (const f of TASK_FIELDS) if (!sameValue(prior[f], fields[f])) set[f] = fields[f];
    if (prior.order !== order) set.order = order;
    if (prior.retired) set.retired = false;
    // Only a change in the document moves responsibility; an admin's reassignment survives a re-import.
    if (!sameValue(prior.plannedDepartments, task.departments)) {
      set.plannedDepartments = task.departments;
      set.departments = task.departments;
      await Audit.create({
        at: now, actor, action: 'task.departments.plan-changed', target: `task:${task.code}`,
        before: prior.departments, after: task.departments, note: `plan ${key}`,
      });
    }
    if (Object.keys(set).length === 0) {
      result.unchanged.push(task.code);
    } else {
      await Task.updateOne({ _id: prior._id }, { $set: set });
      result.updated.push(task.code);
    }
  }

  // Tasks the amended plan no longer has are retired, not deleted: their reports stay meaningful.
  for (const gone of existing.values()) {
    if (gone.retired) continue;
    await Task.updateOne({ _id: gone._id }, { $set: { retired: true } });
    result.retired.push(gone.code);
  }

  const unitNames = new Set(parsed.tasks.flatMap((t) => t.departments));
  const known = new Set((await Department.find({}, { name: 1 }).lean()).map((d) => d.name));
  for (const name of unitNames) {
    if (known.has(name)) continue;
    await Department.create({ name, collective: isCollectiveUnit(name) }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 11000) throw err; // created meanwhile by another importer
    });
    result.departmentsAdded.push(name);
  }
  return result;
}

function pickTaskFields(task: ParsedTask) {
  return {
    chapter: task.chapter, section: task.section, item: task.item, chapterTitle: task.chapterTitle,
    sectionTitle: task.sectionTitle, title: task.title, text: task.text, lead: task.lead,
    collective: task.collective, deadline: task.deadline, deadlineText: task.deadlineText,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
