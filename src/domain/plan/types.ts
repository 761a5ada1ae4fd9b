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
}

export type PlanWarningKind =
  | 'no_unit'
  | 'unknown_unit'
  | 'code_made_unique'
  | 'line_not_understood'
  | 'no_date'
  | 'responsibility_unmapped'
  | 'not_a_task';

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
}
