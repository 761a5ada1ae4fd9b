// The outline every reader produces and the task builder consumes: chapters, sections and
// items, each with its text and whatever the document said about units, deadlines and
// leaders. Text plans fill it from numbered headings, tables from their columns; a new
// format is a new reader that fills the same shape.
import type { UnitRef } from './annotations.ts';
import type { PlanHeader, PlanWarning, TableReport } from './types.ts';

/** The text of one task (or of a section's introduction) and what was stated about it. */
export interface Fragment {
  /** Text lines, joined later; annotations inside them are read by the builder. */
  lines: string[];
  /** Own-line annotations ("牵头单位：…") kept apart from the text, and their line numbers. */
  annotationLines: string[];
  annotationLineNumbers: number[];
  /** Units stated outside the text (a table's columns). */
  units: UnitRef[];
  deadlineTexts: string[];
  leaders: string[];
  /** Where it starts in the document (line or table row), for warnings. */
  line: number;
}

export interface OutlineItem {
  number: number;
  /** The code the document gives (a table's 序号), when it gives a usable one. */
  code: string | null;
  body: Fragment;
}

export interface OutlineSection {
  /** null when the items sit directly under the chapter, with no （一） level. */
  number: number | null;
  chapter: number;
  chapterTitle: string;
  title: string;
  /** "开展村庄清洁行动。" when the heading runs on into its body (title-first style). */
  leadIn: string | null;
  intro: Fragment;
  items: OutlineItem[];
  /** The code the document gives for a section that is itself one task. */
  code: string | null;
}

export interface ResponsibilityLine {
  text: string;
  line: number;
}

export interface Outline {
  header: PlanHeader;
  /** A chapter heading may name the units of everything under it: "一、强化科技创新（区科技局牵头）". */
  chapters: { number: number; title: string; units?: UnitRef[] }[];
  sections: OutlineSection[];
  /** Statements of a prose 职责分工 part, mapped to tasks by the builder. */
  responsibilities: ResponsibilityLine[];
  warnings: PlanWarning[];
  /** What was made of each table's columns (tables only). */
  tables?: TableReport[];
}

export const newFragment = (line: number, lines: string[] = []): Fragment => ({
  lines,
  annotationLines: [],
  annotationLineNumbers: [],
  units: [],
  deadlineTexts: [],
  leaders: [],
  line,
});
