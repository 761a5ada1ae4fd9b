// Parses the text of a government work plan (工作实施方案, 任务分解表 …) into chapters,
// sections and tasks with their responsible units and deadlines.
//
// The document shape this expects, as township and county plans are written:
//   旺政发〔2021〕37号                      doc number
//   南旺镇人民政府 / 2021年…实施方案          issuer line (optional) and title line(s)
//   为认真贯彻落实…具体如下：                 preamble (not a task)
//   一、…                                    chapter
//   （一）…                                  section, numbered across the whole document
//   1、… （责任部门：A、B）                   item = task; a section without items is one task
//   南旺镇人民政府 / 2021年6月11日            signature (not a task)
//
// Text exported from Word breaks lines mid-sentence and carries debris; both are repaired
// before the structure is read. Pure: the only date used is the one the document states.
import { CHINESE_NUMERAL_CHARS, parseChineseNumeral, toAsciiDigits } from './chinese-numerals.ts';
import { isCollectiveUnit, splitOutsideParentheses, splitUnits } from './units.ts';

export interface ParsedPlan {
  plan: { docNumber: string | null; title: string; issuer: string | null; date: string | null /* YYYY-MM-DD */ };
  chapters: { number: number; title: string }[];
  sections: { number: number; chapter: number; title: string }[];
  tasks: ParsedTask[];
  /** Things a person importing the plan should look at (duplicate codes, tasks without units …). */
  warnings: string[];
}

export interface ParsedTask {
  code: string; // "7.3" = section 七 item 3; "5" = a section without items
  chapter: number;
  section: number;
  item: number | null;
  chapterTitle: string;
  sectionTitle: string;
  title: string;
  text: string;
  departments: string[];
  lead: string[];
  collective: boolean;
  deadline: string | null;
  deadlineText: string | null;
}

export function parsePlan(text: string): ParsedPlan {
  const warnings: string[] = [];
  const { body, signature } = splitSignature(cleanLines(text));
  const firstHeading = body.findIndex((line) => matchChapter(line) !== null || matchSection(line) !== null);
  const headerLines = firstHeading === -1 ? body : body.slice(0, firstHeading);
  const header = parseHeader(headerLines);
  const plan = {
    docNumber: header.docNumber,
    title: header.title,
    issuer: header.issuer ?? signature.issuer,
    date: signature.date ?? header.date,
  };
  const year = planYear(plan);
  const outline = buildOutline(firstHeading === -1 ? [] : body.slice(firstHeading), warnings);
  const tasks = outline.sections.flatMap((section) => sectionTasks(section, year, warnings));
  checkTasks(tasks, warnings);
  return {
    plan,
    chapters: outline.chapters.map(({ number, title }) => ({ number, title })),
    sections: outline.sections.map(({ number, chapter, title }) => ({ number, chapter, title })),
    tasks,
    warnings,
  };
}

// ---------------------------------------------------------------------------------------
// Cleaning

// Conversion debris: pandoc/mammoth bookmarks ("[bookmark: _GoBack]"), pandoc anchors.
const DEBRIS = [/\[bookmark:[^\]]*\]/gi, /\{#[^}\s]*\s*\.anchor\}/g];
// Zero-width and formatting characters that Word leaves behind and that break matching.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060\ufeff\u00ad]/g;

/** Splits into trimmed, non-empty lines with debris and invisible characters removed. */
export function cleanLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\f\v\u2028\u2029]/g, '\n')
    .split('\n')
    .map(cleanLine)
    .filter((line) => line !== '');
}

function cleanLine(line: string): string {
  let out = line.replace(INVISIBLE, '').replace(/[\u00a0\t]/g, ' ');
  for (const pattern of DEBRIS) out = out.replace(pattern, '');
  return out.trim();
}

// ---------------------------------------------------------------------------------------
// Numbers, dates and line shapes

const CN = CHINESE_NUMERAL_CHARS;
const YEAR = `(\\d{4}|[〇零○Ｏ一二三四五六七八九]{4})`;
const MONTH = `(\\d{1,2}|[一二三四五六七八九十]{1,3})`;
const DAY = `(\\d{1,2}|[一二三四五六七八九十]{1,3})`;

const CHAPTER_RE = new RegExp(`^([${CN}]{1,4})\\s*[、．.]\\s*(.+)$`);
const SECTION_RE = new RegExp(`^[（(]\\s*([${CN}]{1,4})\\s*[）)]\\s*(.+)$`);
// "1、" "1." "1．" "１、"; a digit right after a dot is a decimal ("1.5倍"), not an item,
// while after 、 it is text ("3、9月底前完成…").
const ITEM_RE = /^([0-9０-９]{1,3})\s*(?:、|[．.](?![0-9０-９]))\s*(.+)$/;
const DATE_LINE_RE = new RegExp(`^[（(]?${YEAR}\\s*年\\s*${MONTH}\\s*月\\s*${DAY}\\s*日[）)]?$`);
const DOC_NUMBER_RE = /[\u4e00-\u9fff]{1,12}\s*[〔［\[【(（]\s*\d{4}\s*[〕］\]】)）]\s*\d{1,4}\s*号/;

interface Numbered {
  number: number;
  rest: string;
}

function matchNumbered(re: RegExp, line: string): Numbered | null {
  const m = re.exec(line);
  if (!m) return null;
  const number = parseChineseNumeral(m[1] ?? '');
  return number !== null && number > 0 ? { number, rest: (m[2] ?? '').trim() } : null;
}

const matchChapter = (line: string): Numbered | null => matchNumbered(CHAPTER_RE, line);
const matchSection = (line: string): Numbered | null => matchNumbered(SECTION_RE, line);
const matchItem = (line: string): Numbered | null => matchNumbered(ITEM_RE, line);

/** A line ending like this closes its sentence, so a numbered line after it is a new item. */
function endsSentence(line: string): boolean {
  return /[。！？!?；;：:）)”"」』】》]$/.test(line);
}

/** "2021年6月11日" (or in Chinese numerals) → "2021-06-11"; null if not a valid date. */
function parseDateLine(line: string): string | null {
  const m = DATE_LINE_RE.exec(toAsciiDigits(line));
  if (!m) return null;
  return isoDate(parseChineseNumeral(m[1] ?? ''), parseChineseNumeral(m[2] ?? ''), parseChineseNumeral(m[3] ?? ''));
}

function isoDate(year: number | null, month: number | null, day: number | null): string | null {
  if (year === null || month === null || day === null) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---------------------------------------------------------------------------------------
// Header and signature

// Names of issuing bodies end like this; used to tell an issuer line from a title line.
const ISSUER_RE = /(人民政府|政府|委员会|党委|办公室|办公厅|办事处|领导小组|指挥部|局|厅|中心)$/;
const TITLE_WORD_RE = /(方案|计划|要点|意见|通知|办法|规划|安排|任务|清单|分解表|细则|决定|报告)/;

interface Signature {
  issuer: string | null;
  date: string | null;
}

/**
 * Finds the signature (issuer line + date line) near the end and cuts it off with whatever
 * follows it (抄送, 印发 lines), so it is never read as part of the last task.
 */
function splitSignature(lines: string[]): { body: string[]; signature: Signature } {
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 8); i--) {
    const date = parseDateLine(lines[i] ?? '');
    if (date === null) continue;
    const above = lines[i - 1];
    const issuer = above !== undefined && isIssuerLine(above) ? above : null;
    return { body: lines.slice(0, issuer === null ? i : i - 1), signature: { issuer, date } };
  }
  return { body: lines, signature: { issuer: null, date: null } };
}

function isIssuerLine(line: string): boolean {
  return line.length <= 40 && ISSUER_RE.test(line.replace(/\s+/g, ''));
}

interface Header {
  docNumber: string | null;
  title: string;
  issuer: string | null;
  date: string | null;
}

/**
 * Reads the lines before the first heading: the doc number, an issuer line, the title
 * line(s), and the preamble (which starts at the first long line or sentence and is skipped).
 * The title is kept as written without the issuer ("2021年政务公开工作实施方案"); the issuer
 * goes to its own field.
 */
function parseHeader(lines: string[]): Header {
  let docNumber: string | null = null;
  let date: string | null = null;
  const titleLines: string[] = [];
  for (const line of lines) {
    const docMatch: RegExpExecArray | null = docNumber === null && line.length <= 40 ? DOC_NUMBER_RE.exec(line) : null;
    if (docMatch) {
      docNumber = docMatch[0].replace(/\s+/g, '');
      continue;
    }
    const lineDate = parseDateLine(line);
    if (lineDate !== null) {
      date ??= lineDate;
      continue;
    }
    if (isPreambleLine(line)) break;
    titleLines.push(line);
  }
  return { docNumber, date, ...splitIssuerFromTitle(titleLines) };
}

function isPreambleLine(line: string): boolean {
  return line.length > 40 || /[。；;]/.test(line) || /[：:]$/.test(line);
}

function splitIssuerFromTitle(lines: string[]): { issuer: string | null; title: string } {
  let issuer: string | null = null;
  const rest: string[] = [];
  for (const line of lines) {
    const redHead = /^(.+?)\s*文件$/.exec(line); // "南旺镇人民政府文件" letterhead
    if (redHead && isIssuerLine(redHead[1] ?? '')) {
      issuer ??= redHead[1] ?? null;
      continue;
    }
    if (issuer === null && rest.length === 0 && isIssuerLine(line) && !TITLE_WORD_RE.test(line)) {
      issuer = line;
      continue;
    }
    rest.push(line);
  }
  return { issuer, title: joinLines(rest) };
}

function planYear(plan: { docNumber: string | null; title: string; date: string | null }): number | null {
  const fromDate = plan.date?.slice(0, 4);
  if (fromDate) return Number(fromDate);
  const fromDoc = plan.docNumber ? /\d{4}/.exec(plan.docNumber) : null;
  if (fromDoc) return Number(fromDoc[0]);
  const fromTitle = /(\d{4})\s*年/.exec(toAsciiDigits(plan.title));
  return fromTitle ? Number(fromTitle[1]) : null;
}

// ---------------------------------------------------------------------------------------
// Outline: chapters → sections → items, with continuation lines attached

/** Lines of one task (or of a section's introduction), text and own-line annotations apart. */
interface Fragment {
  lines: string[];
  annotationLines: string[];
}

interface RawItem {
  number: number;
  body: Fragment;
}

interface RawSection {
  number: number;
  chapter: number;
  chapterTitle: string;
  title: string;
  intro: Fragment;
  items: RawItem[];
}

interface Outline {
  chapters: { number: number; title: string }[];
  sections: RawSection[];
}

const newFragment = (): Fragment => ({ lines: [], annotationLines: [] });

/**
 * Walks the body lines. A numbered line opens a chapter/section/item only when it is the
 * expected next number or the line before it closed a sentence or was a heading; otherwise
 * it is a line broken mid-sentence that happens to start with a number.
 */
function buildOutline(lines: string[], warnings: string[]): Outline {
  const outline: Outline = { chapters: [], sections: [] };
  let chapter = { number: 0, title: '' };
  let section: RawSection | null = null;
  let fragment: Fragment | null = null; // where text lines go now; null = chapter intro
  let lastItem = 0;
  let prev = '';
  let prevWasHeading = true;
  let openAnnotation = false; // the last own-line annotation continues on the next line

  const accepts = (n: Numbered | null, expected: number): n is Numbered =>
    n !== null && (n.number === expected || prevWasHeading || endsSentence(prev));

  for (const line of lines) {
    const asChapter = matchChapter(line);
    const asSection = matchSection(line);
    const asItem = matchItem(line);
    let heading = true;
    if (accepts(asChapter, chapter.number + 1)) {
      chapter = { number: asChapter.number, title: headingTitle(asChapter.rest).title };
      outline.chapters.push(chapter);
      section = null;
      fragment = null;
    } else if (accepts(asSection, (outline.sections.at(-1)?.number ?? 0) + 1)) {
      section = openSection(asSection, chapter);
      outline.sections.push(section);
      fragment = section.intro;
      lastItem = 0;
    } else if (section !== null && accepts(asItem, lastItem + 1)) {
      fragment = { lines: [asItem.rest], annotationLines: [] };
      section.items.push({ number: asItem.number, body: fragment });
      lastItem = asItem.number;
      heading = false;
    } else {
      heading = false;
      if (asItem !== null && section === null) warnings.push(`item outside any section ignored: ${line}`);
      openAnnotation = addBodyLine(fragment, line, openAnnotation);
    }
    if (heading) openAnnotation = false;
    prevWasHeading = heading;
    prev = line;
  }
  return outline;
}

function openSection(heading: Numbered, chapter: { number: number; title: string }): RawSection {
  const { title, body } = headingTitle(heading.rest);
  const intro = newFragment();
  if (body !== '') intro.lines.push(body);
  return { number: heading.number, chapter: chapter.number, chapterTitle: chapter.title, title, intro, items: [] };
}

/**
 * Some plans run the body on from the heading: "（五）突出疫情防控。准确把握…". The title is
 * up to the first 。/： outside parentheses, the rest is body text. A heading that ends in an
 * annotation ("（十四）严格政府信息管理（责任部门：党政办）") keeps it as body, so the
 * section's units are read from it like from any other line.
 */
function headingTitle(rest: string): { title: string; body: string } {
  const stop = firstOutsideParentheses(rest, '。：:');
  if (stop > 0 && stop < rest.length - 1) {
    return { title: rest.slice(0, stop).trim(), body: rest.slice(stop + 1).trim() };
  }
  const { text, annotations } = extractAnnotations(rest);
  return { title: trimEndPunctuation(text), body: annotations.length > 0 ? rest : '' };
}

function firstOutsideParentheses(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) {
    if (chars.includes(s[i] ?? '') && depthAt(s, i) === 0) return i;
  }
  return -1;
}

/** How many parentheses are open just before position i. */
function depthAt(s: string, i: number): number {
  let depth = 0;
  for (const ch of s.slice(0, i)) {
    if (ch === '（' || ch === '(') depth++;
    if ((ch === '）' || ch === ')') && depth > 0) depth--;
  }
  return depth;
}

/** Adds a non-heading line to the current fragment; returns whether an annotation is open. */
function addBodyLine(fragment: Fragment | null, line: string, openAnnotation: boolean): boolean {
  if (fragment === null) return false; // chapter introduction: not part of any task
  const lastAnnotation = fragment.annotationLines.length - 1;
  if (openAnnotation && lastAnnotation >= 0) {
    const joined = joinLines([fragment.annotationLines[lastAnnotation] ?? '', line]);
    fragment.annotationLines[lastAnnotation] = joined;
    return annotationContinues(joined);
  }
  if (isAnnotationLine(line)) {
    fragment.annotationLines.push(line);
    return annotationContinues(line);
  }
  fragment.lines.push(line);
  return false;
}

/** Joins lines broken mid-sentence: Chinese needs no space; Latin words do. */
function joinLines(lines: string[]): string {
  return lines.reduce((acc, line) => {
    if (acc === '') return line;
    const space = /[A-Za-z]$/.test(acc) && /^[A-Za-z]/.test(line) ? ' ' : '';
    return acc + space + line;
  }, '');
}

function trimEndPunctuation(s: string): string {
  return s.replace(/[。；;，,、：:\s]+$/, '').trim();
}

// ---------------------------------------------------------------------------------------
// Annotations: （责任部门：A、B）, （牵头单位：X，配合单位：Y）, （X牵头，Y参与）, （X负责），
// own-line 牵头单位：… / 责任单位：… / 配合单位：…, and （完成时限：…）.

export interface Annotation {
  units: { name: string; lead: boolean }[];
  deadlineTexts: string[];
}

const LEAD_KEYS = ['牵头单位', '牵头部门', '牵头科室'];
const UNIT_KEYS = [
  '责任部门', '责任单位', '责任科室', '责任主体', '主责单位', '主责部门', '承办单位', '实施单位',
  '配合单位', '配合部门', '协办单位', '协助单位', '参与单位', '参与部门',
];
const DEADLINE_KEYS = ['完成时限', '完成时间', '完成期限', '办结时限', '时间节点', '时间要求', '时限'];
// Recognised so the annotation parses, but they name people, not units.
const IGNORED_KEYS = ['牵头领导', '责任领导', '分管领导', '包保领导', '责任人', '联系人', '备注'];
const ALL_KEYS = [...LEAD_KEYS, ...UNIT_KEYS, ...DEADLINE_KEYS, ...IGNORED_KEYS].sort((a, b) => b.length - a.length);
const KEY_PATTERN = `(${ALL_KEYS.join('|')})\\s*[:：]`;
const KEY_AT_START_RE = new RegExp(`^\\s*${KEY_PATTERN}`);
const ANNOTATION_LINE_RE = new RegExp(`^[（(]?\\s*${KEY_PATTERN}`);
// A unit list ending in one of these says the role: "经贸办牵头", "统计站、财政所配合".
const ROLE_RE = /^(.*?)(牵头负责|牵头|负责|参与|配合|协助|协办)$/;

interface Group {
  start: number;
  end: number; // exclusive
  content: string;
}

/** Top-level balanced parenthesised groups; full- and half-width parentheses mix freely. */
function findGroups(text: string): Group[] {
  const groups: Group[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '（' || ch === '(') {
      if (depth === 0) start = i;
      depth++;
    } else if ((ch === '）' || ch === ')') && depth > 0) {
      depth--;
      if (depth === 0) groups.push({ start, end: i + 1, content: text.slice(start + 1, i) });
    }
  }
  return groups;
}


function isAnnotationLine(line: string): boolean {
  if (ANNOTATION_LINE_RE.test(line)) return true;
  return parseAnnotationLine(line) !== null;
}

/** An own-line annotation is unfinished while a parenthesis is open or it ends in a separator. */
function annotationContinues(line: string): boolean {
  return depthAt(line, line.length) > 0 || /[、，,；;：:]$/.test(line);
}

/** Parses an own-line annotation, bare ("牵头单位：X") or wrapped ("（X牵头，Y参与）"). */
function parseAnnotationLine(line: string): Annotation | null {
  const trimmed = line.replace(/[。；;，,\s]+$/, '');
  const groups = findGroups(trimmed);
  const whole = groups.length === 1 && groups[0]?.start === 0 && groups[0].end === trimmed.length ? groups[0] : null;
  const content = whole ? whole.content : trimmed;
  if (KEY_AT_START_RE.test(content)) return parseKeyed(content);
  return whole ? parseUnkeyed(content) : null;
}

/**
 * Removes annotations from a task's text and returns them in document order. Keyed groups
 * （责任部门：…） are taken wherever they are; unkeyed ones （X牵头） only at the very end,
 * since elsewhere a parenthesis is ordinary text; a bare "责任单位：…" tail is taken too.
 */
export function extractAnnotations(text: string): { text: string; annotations: Annotation[] } {
  const groups = findGroups(text);
  const taken: { group: Group; annotation: Annotation }[] = [];
  let trailing = true;
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i];
    if (group === undefined) continue;
    const after = text.slice(group.end, taken[0]?.group.start ?? text.length);
    trailing &&= /^[。；;，,.\s]*$/.test(after);
    const annotation = KEY_AT_START_RE.test(group.content)
      ? parseKeyed(group.content)
      : trailing
        ? parseUnkeyed(group.content)
        : null;
    if (annotation === null) {
      trailing = false;
      continue;
    }
    taken.unshift({ group, annotation });
  }
  let rest = removeGroups(text, taken.map((t) => t.group));
  const annotations = taken.map((t) => t.annotation);
  const tail = takeKeyedTail(rest);
  if (tail) {
    rest = tail.text;
    annotations.push(tail.annotation);
  }
  return { text: tidyAfterRemoval(rest), annotations };
}

function removeGroups(text: string, groups: Group[]): string {
  let out = '';
  let from = 0;
  for (const g of groups) {
    out += text.slice(from, g.start);
    from = g.end;
  }
  return out + text.slice(from);
}

// "…做好数据开放工作。责任单位：经贸办" — a key outside parentheses after a sentence break.
function takeKeyedTail(text: string): { text: string; annotation: Annotation } | null {
  const re = new RegExp(`(?:^|(?<=[。；;！？!?\\s]))${KEY_PATTERN}`, 'g');
  for (const m of text.matchAll(re)) {
    const before = text.slice(0, m.index);
    if (depthAt(text, m.index ?? 0) > 0) continue; // "（…，时限：…）" is ordinary text here
    return { text: before, annotation: parseKeyed(text.slice(m.index)) };
  }
  return null;
}

function tidyAfterRemoval(text: string): string {
  return text
    .replace(/([。；;])[。；;]+/g, '$1')
    .replace(/[，,、\s]+$/, '')
    .trim();
}

/** "牵头单位：X，配合单位：Y、Z；完成时限：2021年9月底前" → units and deadline texts. */
function parseKeyed(content: string): Annotation {
  const annotation: Annotation = { units: [], deadlineTexts: [] };
  const matches = [...content.matchAll(new RegExp(KEY_PATTERN, 'g'))];
  matches.forEach((m, i) => {
    const key = m[1] ?? '';
    const start = (m.index ?? 0) + m[0].length;
    const value = content.slice(start, matches[i + 1]?.index ?? content.length).replace(/^[\s：:]+|[\s，,；;。、]+$/g, '');
    if (DEADLINE_KEYS.includes(key)) {
      if (value !== '') annotation.deadlineTexts.push(value);
    } else if (!IGNORED_KEYS.includes(key)) {
      annotation.units.push(...parseUnitList(value, LEAD_KEYS.includes(key)));
    }
  });
  return annotation;
}

/**
 * Units in a value, with their role. "A、B" takes the key's role; "A牵头，B、C配合" says it
 * per clause; clauses without a role word take the role of the next clause that has one.
 */
function parseUnitList(value: string, leadByDefault: boolean): { name: string; lead: boolean }[] {
  const clauses = splitOutsideParentheses(value, '，,；;').map((c) => c.trim()).filter((c) => c !== '');
  if (!clauses.some((c) => ROLE_RE.test(c))) return withRoles(splitUnits(value), leadByDefault);
  const units: { name: string; lead: boolean }[] = [];
  let pending: string[] = [];
  for (const clause of clauses) {
    const role = ROLE_RE.exec(clause);
    pending.push(...splitUnits((role ? role[1] ?? '' : clause).replace(/^(?:具体)?由/, '')));
    if (!role) continue;
    units.push(...withRoles(pending, (role[2] ?? '').startsWith('牵头')));
    pending = [];
  }
  units.push(...withRoles(pending, leadByDefault));
  return units;
}

// "县发改局（牵头）、县财政局": a role marked after the name overrides the list's role.
function withRoles(names: string[], lead: boolean): { name: string; lead: boolean }[] {
  return names.map((name) => {
    const marked = /^(.+?)（(牵头|配合|参与|协办)）$/.exec(name);
    return marked ? { name: marked[1] ?? name, lead: marked[2] === '牵头' } : { name, lead };
  });
}

/** "（经贸办牵头，统计站参与）", "（财政所负责）"; null when the group is ordinary text. */
function parseUnkeyed(content: string): Annotation | null {
  const clauses = splitOutsideParentheses(content, '，,；;').map((c) => c.trim()).filter((c) => c !== '');
  if (clauses.length === 0 || !clauses.some((c) => ROLE_RE.test(c))) return null;
  const units = parseUnitList(content, false);
  if (units.length === 0 || units.length > 20 || !units.every((u) => looksLikeUnit(u.name))) return null;
  return { units, deadlineTexts: [] };
}

// Rules out ordinary parenthesised sentences that happen to end in 负责/参与.
function looksLikeUnit(name: string): boolean {
  return name.length >= 2 && name.length <= 20 && !/[。！？!?“”"：:《》]/.test(name);
}

// ---------------------------------------------------------------------------------------
// Deadlines

interface DateHit {
  index: number;
  end: number;
  iso: string | null;
  text: string;
}

type DateMode = 'annotation' | 'text';

// In running text a date is a deadline only with 前 ("9月底前"); in a 时限 annotation the
// value is a deadline whatever its wording ("2021年9月", "下半年").
const BEFORE = '(?:\\s*(?:之前|以前|前))';

interface DatePattern {
  re: string;
  modes: DateMode[];
  toIso: (m: RegExpMatchArray, year: number | null) => string | null;
}

const num = (s: string | undefined): number | null => (s === undefined ? null : parseChineseNumeral(s));
const yearOf = (s: string | undefined, fallback: number | null): number | null => (s === undefined ? fallback : num(s));
const lastDay = (year: number | null, month: number | null): string | null =>
  year === null || month === null || month < 1 || month > 12 ? null : isoDate(year, month, daysInMonth(year, month));

const QUARTER_END: Record<string, number> = { 一: 3, '1': 3, 二: 6, '2': 6, 三: 9, '3': 9, 四: 12, '4': 12 };

const DATE_PATTERNS: DatePattern[] = [
  {
    // 2021年6月30日前, 6月30日前
    re: `(?:${YEAR}\\s*年\\s*)?${MONTH}\\s*月\\s*${DAY}\\s*[日号]`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => isoDate(yearOf(m[1], y), num(m[2]), num(m[3])),
  },
  {
    // 2021年9月底前, 9月底前, 9月份末
    re: `(?:${YEAR}\\s*年\\s*)?${MONTH}\\s*月份?\\s*(?:底|末)`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), num(m[2])),
  },
  {
    // 2021年年底前, 年底前, 年末
    re: `(?:${YEAR}\\s*年\\s*)?年(?:底|末|终)`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), 12),
  },
  {
    // 2021年底前
    re: `${YEAR}\\s*年(?:底|末)`,
    modes: ['annotation', 'text'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), 12),
  },
  {
    // 上半年 / 下半年 / 全年 / 第三季度
    re: `(?:${YEAR}\\s*年\\s*)?(上半年|下半年|全年|第?[一二三四1-4]季度)(?:末|底)?`,
    modes: ['annotation'],
    toIso: (m, y) => {
      const period = m[2] ?? '';
      const quarter = /([一二三四1-4])季度/.exec(period)?.[1];
      const month = period === '上半年' ? 6 : quarter !== undefined ? (QUARTER_END[quarter] ?? null) : 12;
      return lastDay(yearOf(m[1], y), month);
    },
  },
  {
    // 2021年9月 — a month alone in a 时限 annotation means by its end
    re: `(?:${YEAR}\\s*年\\s*)?${MONTH}\\s*月份?`,
    modes: ['annotation'],
    toIso: (m, y) => lastDay(yearOf(m[1], y), num(m[2])),
  },
];

/** Date phrases in s, left to right; at one position the longest phrase wins. */
export function findDeadlines(s: string, year: number | null, mode: DateMode): DateHit[] {
  const ascii = toAsciiDigits(s); // same length as s, so indices carry over
  const hits: DateHit[] = [];
  for (const pattern of DATE_PATTERNS) {
    if (!pattern.modes.includes(mode)) continue;
    const suffix = mode === 'text' ? BEFORE : `${BEFORE}?`;
    for (const m of ascii.matchAll(new RegExp(pattern.re + suffix, 'g'))) {
      const index = m.index ?? 0;
      const end = index + m[0].length;
      hits.push({ index, end, iso: pattern.toIso(m, year), text: s.slice(index, end) });
    }
  }
  hits.sort((a, b) => a.index - b.index || b.end - a.end);
  const kept: DateHit[] = [];
  for (const hit of hits) {
    const last = kept.at(-1);
    if (last === undefined || hit.index >= last.end) kept.push(hit);
  }
  return kept;
}

/**
 * The stated deadline: the latest one in 时限 annotations; failing that, the first date
 * phrase with 前 in the text. An annotation like "长期坚持" keeps its wording with no date.
 */
function resolveDeadline(
  annotations: Annotation[],
  text: string,
  year: number | null,
): { deadline: string | null; deadlineText: string | null } {
  const stated = annotations.flatMap((a) => a.deadlineTexts);
  let best: { deadline: string; deadlineText: string } | null = null;
  for (const value of stated) {
    for (const hit of findDeadlines(value, year, 'annotation')) {
      if (hit.iso !== null && (best === null || hit.iso >= best.deadline)) best = { deadline: hit.iso, deadlineText: value };
    }
  }
  if (best) return best;
  const inText = findDeadlines(text, year, 'text')[0];
  if (inText) return { deadline: inText.iso, deadlineText: inText.text };
  return { deadline: null, deadlineText: stated.length > 0 ? stated.join('；') : null };
}

// ---------------------------------------------------------------------------------------
// Tasks

interface Body {
  text: string;
  annotations: Annotation[];
}

function readFragment(fragment: Fragment): Body {
  const { text, annotations } = extractAnnotations(joinLines(fragment.lines));
  for (const line of fragment.annotationLines) {
    const annotation = parseAnnotationLine(line);
    if (annotation) annotations.push(annotation);
  }
  return { text, annotations };
}

/**
 * One task per item; a section without items is itself one task. An annotation in a
 * section's introduction applies to its items that name no unit or deadline of their own.
 */
function sectionTasks(section: RawSection, year: number | null, warnings: string[]): ParsedTask[] {
  const intro = readFragment(section.intro);
  if (section.items.length === 0) {
    return [makeTask(section, null, { ...intro, text: intro.text || section.title }, null, year)];
  }
  // A short lead-in ("重点做好以下工作：") is normal; a long one may be a task the numbering missed.
  if (intro.text.length > 60) warnings.push(`section ${section.number}: introduction before items is not a task`);
  return section.items.map((item) => makeTask(section, item.number, readFragment(item.body), intro, year));
}

function makeTask(
  section: RawSection,
  item: number | null,
  body: Body,
  defaults: Body | null,
  year: number | null,
): ParsedTask {
  const own = collectUnits(body.annotations);
  const units = own.departments.length > 0 || defaults === null ? own : collectUnits(defaults.annotations);
  let due = resolveDeadline(body.annotations, body.text, year);
  if (due.deadlineText === null && defaults !== null) due = resolveDeadline(defaults.annotations, '', year);
  return {
    code: item === null ? `${section.number}` : `${section.number}.${item}`,
    chapter: section.chapter,
    section: section.number,
    item,
    chapterTitle: section.chapterTitle,
    sectionTitle: section.title,
    title: shortTitle(body.text),
    text: body.text,
    departments: units.departments,
    lead: units.lead,
    collective: units.departments.some(isCollectiveUnit),
    ...due,
  };
}

function collectUnits(annotations: Annotation[]): { departments: string[]; lead: string[] } {
  const departments: string[] = [];
  const lead: string[] = [];
  for (const { name, lead: isLead } of annotations.flatMap((a) => a.units)) {
    if (!departments.includes(name)) departments.push(name);
    if (isLead && !lead.includes(name)) lead.push(name);
  }
  return { departments, lead };
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

function checkTasks(tasks: ParsedTask[], warnings: string[]): void {
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.code)) warnings.push(`duplicate task code ${task.code}`);
    seen.add(task.code);
    if (task.departments.length === 0) warnings.push(`task ${task.code} names no responsible unit`);
    if (task.deadlineText !== null && task.deadline === null) {
      warnings.push(`task ${task.code}: deadline "${task.deadlineText}" has no date`);
    }
  }
}
