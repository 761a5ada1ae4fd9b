// Outline → tasks. One task per item; a section without items is itself one task. Codes
// come from the document where it gives them, else from the number path, and are made
// unique (with a warning) when the document repeats one.
import { collectUnits, extractAnnotations, parseAnnotationLine, splitAtClosingAnnotations, type Annotation, type UnitRef } from './annotations.ts';
import { resolveDeadline } from './dates.ts';
import { planYear } from './header.ts';
import { newFragment, type Fragment, type Outline, type OutlineSection } from './outline.ts';
import { excerpt, joinLines } from './text-lines.ts';
import { isCollectiveUnit } from './units.ts';
import type { ParsedTask, PlanWarning } from './types.ts';

// Parts of a plan that say why and how, not what: without units they hold no tasks.
const NOT_TASKS_RE =
  /(指导思想|总体要求|总体目标|工作目标|目标任务|主要目标|基本原则|工作原则|目标要求|适用范围|编制依据|实施步骤|步骤安排|时间安排|工作步骤|进度安排|方法步骤|组织领导|保障措施|工作要求|组织保障|工作保障|有关要求|工作机制)$/;

interface Body {
  text: string;
  annotations: Annotation[];
}

export interface BuiltTask {
  task: ParsedTask;
  /** Notes in its unit lists that reach the tasks after it. */
  notes: { onwardsUnits: string[]; firstLeads: 'here' | 'onwards' | null };
  /** The code the path would give if the preferred one is taken. */
  fullPath: string;
  line: number;
}

function readFragment(fragment: Fragment, warnings: PlanWarning[] | null = null): Body {
  const { text, annotations } = extractAnnotations(joinLines(fragment.lines));
  fragment.annotationLines.forEach((line, i) => {
    const annotation = parseAnnotationLine(line);
    if (annotation && annotation.units.length + annotation.deadlineTexts.length + annotation.leaders.length > 0) {
      annotations.push(annotation);
    } else if (warnings !== null) {
      warnings.push({ kind: 'line_not_understood', message: `第${fragment.annotationLineNumbers[i] ?? fragment.line}行未能识别：${excerpt(line)}` });
    }
  });
  if (fragment.units.length + fragment.deadlineTexts.length + fragment.leaders.length > 0) {
    annotations.push({ units: fragment.units, deadlineTexts: fragment.deadlineTexts, leaders: fragment.leaders });
  }
  return { text, annotations };
}

const unitsOf = (body: Body): UnitRef[] => body.annotations.flatMap((a) => a.units);

/** Builds the tasks of every section, in document order, with their warnings. */
export function buildTasks(outline: Outline, warnings: PlanWarning[]): BuiltTask[] {
  const year = planYear(outline.header);
  const numbered = outline.sections.filter((s) => s.number !== null).map((s) => s.number);
  const sectionsUnique = new Set(numbered).size === numbered.length;
  const perSection = outline.sections.map((section) => ({ section, tasks: sectionTasks(section, year, sectionsUnique, warnings) }));
  // A task with no units of its own takes those its chapter's heading names.
  for (const { tasks } of perSection) {
    for (const { task } of tasks) {
      const chapterUnits = outline.chapters.find((c) => c.number === task.chapter)?.units ?? [];
      if (task.departments.length > 0 || chapterUnits.length === 0) continue;
      const units = collectUnits(chapterUnits);
      task.departments = units.departments;
      task.lead = units.lead;
      task.collective = units.departments.some(isCollectiveUnit);
    }
  }

  const kept: BuiltTask[] = [];
  const chapterHasUnits = new Map<number, boolean>();
  for (const { tasks } of perSection) {
    for (const t of tasks) if (t.task.departments.length > 0) chapterHasUnits.set(t.task.chapter, true);
  }
  const skippedChapters = new Set<number>();
  for (const { section, tasks } of perSection) {
    const hasUnits = tasks.some((t) => t.task.departments.length > 0);
    if (!hasUnits && NOT_TASKS_RE.test(section.title)) continue;
    if (!chapterHasUnits.get(section.chapter) && NOT_TASKS_RE.test(section.chapterTitle)) {
      if (!skippedChapters.has(section.chapter) && tasks.length > 0) {
        skippedChapters.add(section.chapter);
        warnings.push({ kind: 'not_a_task', message: `“${section.chapterTitle}”部分没有责任单位，未列为任务` });
      }
      continue;
    }
    kept.push(...tasks);
  }
  applyListNotes(kept);
  makeCodesUnique(kept, warnings);
  return kept;
}

/**
 * "（列第一位者为牵头单位，下同）" makes the first unit of each list from there on its lead; "以下…均需各县区人民政府
 * 落实，不再单独列出" adds those units to every task after it. A task that names its lead keeps it.
 */
function applyListNotes(tasks: BuiltTask[]): void {
  let firstLeadsOnwards = false;
  const carried: string[] = [];
  for (const { task, notes } of tasks) {
    const firstLeads = notes.firstLeads === 'here' || firstLeadsOnwards || notes.firstLeads === 'onwards';
    const own = task.departments.filter((d) => !notes.onwardsUnits.includes(d));
    if (firstLeads && task.lead.length === 0 && own.length > 1) task.lead = [own[0]!];
    for (const unit of carried) if (!task.departments.includes(unit)) task.departments.push(unit);
    if (notes.firstLeads === 'onwards') firstLeadsOnwards = true;
    for (const unit of notes.onwardsUnits) if (!carried.includes(unit)) carried.push(unit);
    task.collective = task.departments.some(isCollectiveUnit);
  }
}

function sectionTasks(section: OutlineSection, year: number | null, sectionsUnique: boolean, warnings: PlanWarning[]): BuiltTask[] {
  if (section.items.length === 0) splitClosedSentences(section);
  const intro = readFragment(section.intro, warnings);
  const base = section.number === null
    ? (section.chapter > 0 ? [section.chapter] : [])
    : sectionsUnique ? [section.number] : [section.chapter, section.number];
  const fullBase = section.number === null ? base : [section.chapter, section.number];
  if (section.items.length === 0) {
    // Title-first ("（一）开展村庄清洁行动。认真落实…" with "牵头单位：…" on lines of their own,
    // or units from elsewhere): the title is part of what is to be done, so the text keeps it.
    // Only a body that carries its own annotation inline ("…。（责任单位：…）") stands alone.
    const inlineAnnotated = extractAnnotations(joinLines(section.intro.lines)).annotations.length > 0;
    const keepsLeadIn = section.leadIn !== null && intro.text !== '' && !inlineAnnotated;
    const text = keepsLeadIn ? `${section.leadIn}${intro.text}` : intro.text || section.title;
    const code = section.code ?? base.join('.');
    return [{ task: makeTask(section, null, code, { ...intro, text }, null, year), notes: notesOf(intro), fullPath: fullBase.join('.'), line: section.intro.line }];
  }
  // A short lead-in ("重点做好以下工作：") is normal; a long one may be a task the numbering missed.
  if (intro.text.length > 60) {
    warnings.push({ kind: 'line_not_understood', message: `第${section.intro.line}行未列为任务（在编号条目之前）：${excerpt(intro.text)}` });
  }
  return section.items.map((item, i) => {
    const code = item.code ?? [...base, item.number].join('.');
    const body = readFragment(item.body, warnings);
    const task = makeTask(section, item.number, code, body, intro, year);
    // The section's own notes reach its items from the first one on.
    const notes = notesOf(body, i === 0 ? intro : null);
    return { task, notes, fullPath: [...fullBase, item.number].join('.'), line: item.body.line };
  });
}

/** A section's paragraph of several sentences, each closed by its own units, is that many items. */
function splitClosedSentences(section: OutlineSection): void {
  const pieces = splitAtClosingAnnotations(joinLines(section.intro.lines));
  if (pieces.length < 2) return;
  const { line } = section.intro;
  section.items = pieces.map((piece, i) => ({ number: i + 1, code: null, body: newFragment(line, [piece]) }));
  section.intro = { ...newFragment(line), annotationLines: section.intro.annotationLines, annotationLineNumbers: section.intro.annotationLineNumbers };
}

function notesOf(body: Body, before: Body | null = null): BuiltTask['notes'] {
  const annotations = [...(before?.annotations ?? []), ...body.annotations];
  const firstLeads = annotations.some((a) => a.firstLeads === 'onwards') ? 'onwards' : annotations.some((a) => a.firstLeads === 'here') ? 'here' : null;
  return { onwardsUnits: annotations.flatMap((a) => (a.onwardsUnits ?? []).map((u) => u.name)), firstLeads };
}

function makeTask(
  section: OutlineSection,
  item: number | null,
  code: string,
  body: Body,
  defaults: Body | null,
  year: number | null,
): ParsedTask {
  const ownUnits = unitsOf(body);
  const units = collectUnits(ownUnits.length > 0 || defaults === null ? ownUnits : unitsOf(defaults));
  const stated = body.annotations.flatMap((a) => a.deadlineTexts);
  let due = resolveDeadline(stated, body.text, year);
  if (due.deadlineText === null && defaults !== null) {
    due = resolveDeadline(defaults.annotations.flatMap((a) => a.deadlineTexts), '', year);
  }
  let leaders = unique(body.annotations.flatMap((a) => a.leaders));
  if (leaders.length === 0 && defaults !== null) leaders = unique(defaults.annotations.flatMap((a) => a.leaders));
  return {
    code,
    chapter: section.chapter,
    section: section.number ?? 0,
    item,
    chapterTitle: section.chapterTitle,
    sectionTitle: section.title,
    title: shortTitle(body.text),
    text: body.text,
    departments: units.departments,
    lead: units.lead,
    leaders,
    collective: units.departments.some(isCollectiveUnit),
    ...due,
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Never two tasks with one code: a repeated code takes its full number path, or a suffix. */
function makeCodesUnique(tasks: BuiltTask[], warnings: PlanWarning[]): void {
  const wantedCodes = new Set(tasks.map((t) => t.task.code));
  const seen = new Set<string>();
  const free = (code: string): boolean => code !== '' && !seen.has(code) && !wantedCodes.has(code);
  for (const built of tasks) {
    const wanted = built.task.code;
    if (!seen.has(wanted)) {
      seen.add(wanted);
      continue;
    }
    // "1.1" again in chapter 2 → "2.1.1": the full path, or the chapter before the code.
    const candidates = [built.fullPath, `${built.task.chapter}.${wanted}`];
    let code = candidates.find(free) ?? '';
    for (let k = 2; code === ''; k++) if (free(`${wanted}.${k}`)) code = `${wanted}.${k}`;
    built.task.code = code;
    seen.add(code);
    warnings.push({ kind: 'code_made_unique', message: `编号 ${wanted} 重复，改为 ${code}`, code });
  }
}

const TITLE_MAX = 40;

/**
 * The first clause of the text: up to the first 。；; — or the first ，when that is still
 * longer than TITLE_MAX — cut to TITLE_MAX characters with an ellipsis as a last resort.
 */
export function shortTitle(text: string): string {
  let title = (text.split(/[。；;！？!?]/)[0] ?? '').trim();
  if (title.length > TITLE_MAX) {
    const clause = (title.split(/[，,]/)[0] ?? '').trim();
    if (clause.length >= 4) title = clause;
  }
  return title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
}
