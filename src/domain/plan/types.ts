import type { ColumnRole } from './column-words.ts';

// The shapes a parsed plan comes out in, whatever the document format was.

export interface PlanHeader {
  docNumber: string | null;
  title: string;
  issuer: string | null;
  date: string | null; // YYYY-MM-DD
}

export interface ParsedPlan {
  plan: PlanHeader;
  chapters: { number: number; title: string }[];
  sections: { number: number; chapter: number; title: string }[];
  tasks: ParsedTask[];
  /** What the parse could not place, for the person importing the plan to look at. */
  warnings: PlanWarning[];
  /** Every table of the document and what was made of its columns (none for a text plan). */
  tables: TableReport[];
}

/** A table as the parse read it: the role it gave each column, how sure it was, the header it saw. */
export interface TableReport {
  /** The sheet's name, for an Excel table. */
  name: string | null;
  /** The last header row, counted from 1 in the table; 0 when the table has no header or is not a task table. */
  headerRow: number;
  /** How the roles were found: a person's mapping, header words checked against cells, or the cells alone; null: not a task table. */
  by: 'mapping' | 'words' | 'cells' | null;
  columns: { letter: string; header: string; role: string; confidence: number }[];
  /** The normalised header, to remember a mapping by. */
  headerKey: string;
  tasks: number;
}

export type PlanWarningKind =
  | 'no_unit'
  | 'unknown_unit'
  | 'code_made_unique'
  | 'line_not_understood'
  | 'no_date'
  | 'responsibility_unmapped'
  | 'not_a_task'
  | 'units_from_merged_cell';

export interface PlanWarning {
  kind: PlanWarningKind | (string & {});
  /** A short Chinese sentence for the user. */
  message: string;
  /** The task it is about, when it is about one. */
  code?: string;
}

export interface ParsedTask {
  code: string; // "7.3" = section 七 item 3; "5" = a section without items; "2.1.1" when numbering restarts
  chapter: number;
  section: number;
  item: number | null;
  chapterTitle: string;
  sectionTitle: string;
  title: string;
  text: string;
  /** Every unit: the lead units first, then the assisting ones. */
  departments: string[];
  /** The lead units (牵头/主抓); the other departments assist. */
  lead: string[];
  /** People named as 责任领导/分管领导, kept as written. */
  leaders: string[];
  collective: boolean;
  deadline: string | null;
  deadlineText: string | null;
}

export interface ParseOptions {
  /** Units the caller already knows (the departments in the database); others are warned about. */
  knownUnits?: string[];
  /** Roles by column index (0 = column A), given by a person: they replace the automatic judgement in every task table. */
  columns?: (ColumnRole | null)[] | null;
}
