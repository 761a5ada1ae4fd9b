// A prose 职责分工 part ("党政办：负责村庄清洁行动的组织协调…") gives units to the tasks
// whose wording it names; a statement that names no task is reported, not guessed.
import { looksLikeUnit, parseUnitList, type UnitRef } from './annotations.ts';
import type { BuiltTask } from './build-tasks.ts';
import type { ResponsibilityLine } from './outline.ts';
import { excerpt } from './text-lines.ts';
import { isCollectiveUnit } from './units.ts';
import type { PlanWarning } from './types.ts';

const NUMBERING_RE = /^(?:[（(]?[0-9０-９一二三四五六七八九十]{1,3}[)）]|[0-9０-９一二三四五六七八九十]{1,3}[、．.])\s*/;
const UNIT_END_RE = /(办|所|站|局|委|中心|队|部|室|院|会|组|科|处|厅|政府|街道|社区|村|公司|单位|部门|管区|联|团|协|社|馆|行|庭)$/;
// Words that start a task's wording without naming it ("开展", "全面推进").
const LEADING_VERBS_RE =
  /^(?:全面|持续|深入|大力|积极|切实|扎实|着力|进一步|认真|统筹|集中)?(?:开展|推进|加强|做好|抓好|实施|推动|深化|强化|完善|健全|建立|落实|提升|加快|组织|提高|规范|严格)?/;

interface Statement {
  units: UnitRef[];
  duty: string;
  line: number;
  text: string;
}

function parseStatement(line: ResponsibilityLine): Statement | null {
  const text = line.text.replace(NUMBERING_RE, '');
  // "村庄清洁行动由农业农村办牵头，各村配合。": the task first, then who does it.
  const taskFirst = /^(.{2,40}?)由(.{2,60})$/.exec(text.replace(/[。；;]$/, ''));
  if (taskFirst) {
    const units = parseUnitList(taskFirst[2] ?? '', false);
    // Named between 由 and a role word, they are units whatever their names end in (妇联).
    if (units.length > 0 && units.every((u) => looksLikeUnit(u.name))) {
      return { units, duty: taskFirst[1] ?? '', line: line.line, text: line.text };
    }
  }
  // "党政办、财政所：负责…" / "党政办负责…" / "党政办牵头，…"
  const colon = /^([^：:，,。]{2,40})[：:]\s*(.+)$/.exec(text);
  const byVerb = /^([^：:，,。]{2,40}?)(牵头负责|负责|牵头|主抓)(.+)$/.exec(text);
  const head = colon?.[1] ?? byVerb?.[1];
  const duty = colon ? (colon[2] ?? '') : byVerb ? `${byVerb[2]}${byVerb[3]}` : '';
  if (head === undefined) return null;
  const units = parseUnitList(head, /^(牵头|主抓)/.test(duty));
  if (units.length === 0 || !units.every((u) => looksLikeUnit(u.name) && (UNIT_END_RE.test(u.name) || isCollectiveUnit(u.name)))) {
    return null;
  }
  return { units: units.map((u) => ({ ...u, lead: u.lead || /^(牵头|主抓)/.test(duty) })), duty, line: line.line, text: line.text };
}

/** The wording a statement must contain to name this task: its section title or its title, core only. */
function taskPhrases(built: BuiltTask): string[] {
  return [built.task.sectionTitle, built.task.title]
    .map((s) => s.replace(/[。；;，,、\s]+$/, '').replace(LEADING_VERBS_RE, '').replace(/(工作|行动|活动)$/, ''))
    .filter((s) => s.length >= 4);
}

/** Adds the units of each statement to the tasks it names; returns the statements it could not place. */
export function mapResponsibilities(lines: ResponsibilityLine[], tasks: BuiltTask[], warnings: PlanWarning[]): void {
  for (const line of lines) {
    const statement = parseStatement(line);
    const named = statement === null ? [] : tasks.filter((t) => taskPhrases(t).some((p) => statement.duty.includes(p)));
    if (statement === null || named.length === 0) {
      warnings.push({ kind: 'responsibility_unmapped', message: `职责分工第${line.line}行未能对应到具体任务：${excerpt(line.text)}` });
      continue;
    }
    for (const built of named) addUnits(built, statement.units);
  }
}

function addUnits(built: BuiltTask, units: UnitRef[]): void {
  const task = built.task;
  for (const unit of units) {
    if (unit.lead && !task.lead.includes(unit.name)) task.lead.push(unit.name);
    if (!task.departments.includes(unit.name)) task.departments.push(unit.name);
  }
  task.departments = [...task.lead, ...task.departments.filter((d) => !task.lead.includes(d))];
  task.collective = task.departments.some(isCollectiveUnit);
}
