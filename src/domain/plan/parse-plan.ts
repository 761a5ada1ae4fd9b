// Parses a government work plan (工作实施方案, 任务分解表 …) into chapters, sections and tasks
// with their responsible units and deadlines. The stages, a file each:
//   readers (readers/*)  → outline (text-outline.ts, table-outline.ts)
//   outline              → tasks (build-tasks.ts) → 职责分工 (responsibilities.ts) → warnings (check-tasks.ts)
// Pure: the only date used is the one the document states.
import { buildTasks } from './build-tasks.ts';
import { checkTasks } from './check-tasks.ts';
import type { Outline } from './outline.ts';
import { mapResponsibilities } from './responsibilities.ts';
import { textOutline } from './text-outline.ts';
import type { ParsedPlan, ParseOptions, PlanWarning } from './types.ts';

export type { ParsedPlan, ParsedTask, PlanWarning, ParseOptions } from './types.ts';
export { cleanLines } from './text-lines.ts';
export { findDeadlines } from './dates.ts';
export { shortTitle } from './build-tasks.ts';
export { extractAnnotations } from './annotations.ts';

/** Parses the text of a plan. */
export function parsePlan(text: string, opts: ParseOptions = {}): ParsedPlan {
  return planFromOutline(textOutline(text), opts);
}

/** Builds the parsed plan from any reader's outline. */
export function planFromOutline(outline: Outline, opts: ParseOptions = {}): ParsedPlan {
  const warnings: PlanWarning[] = [...outline.warnings];
  const built = buildTasks(outline, warnings);
  if (outline.responsibilities.length > 0) mapResponsibilities(outline.responsibilities, built, warnings);
  const tasks = built.map((b) => b.task);
  checkTasks(tasks, opts.knownUnits, warnings);
  return {
    plan: outline.header,
    chapters: outline.chapters.map(({ number, title }) => ({ number, title })),
    sections: outline.sections.flatMap(({ number, chapter, title }) => (number === null ? [] : [{ number, chapter, title }])),
    tasks,
    warnings,
    tables: outline.tables ?? [],
  };
}
