// Label families, ASCII or full-width colon alike — lead: 牵头单位/牵头责任单位/主抓单位/主责单位/主办;
// units: 责任单位/责任科室; assisting: 配合单位/协同责任单位/参与单位/协办单位; leaders (people, not units):
// 牵头负责领导/责任领导/分管领导.
// Annotations naming who does a task and by when: （责任部门：A、B）, （牵头单位：X，配合单位：Y）,
// （X牵头，Y参与）, （X负责）, （X指导）, own-line 牵头单位：… / 主抓单位：… / 责任单位：…,
// 〔责任单位：…〕 / [责任单位：…] / 【…】, and （完成时限：…）, （责任领导：…）.
import { hasUnitShape, isPersonWithTitle, isUnitFragment, looksLikeDeadlineCell, stripListNumbering } from './cell-shapes.ts';
import { depthAt } from './text-lines.ts';
import { normalizeUnitName, splitOutsideParentheses, splitUnits } from './units.ts';

export interface UnitRef {
  name: string;
  lead: boolean;
}

export interface Annotation {
  units: UnitRef[];
  deadlineTexts: string[];
  leaders: string[];
  /** A note in the list said who else does every following task: "以下…均需各县区人民政府落实，不再单独列出". */
  onwardsUnits?: UnitRef[];
  /** A note said the first unit listed leads: "（列第一位者为牵头单位，下同）" — here, or from here on. */
  firstLeads?: 'here' | 'onwards';
}

const LEAD_KEYS = [
  '牵头单位', '牵头部门', '牵头科室', '牵头股室', '牵头责任单位', '主抓单位', '主抓部门', '主责单位', '主责部门', '主办单位', '主办',
];
const UNIT_KEYS = [
  '责任部门', '责任单位', '责任科室', '责任股室', '责任主体', '承办单位', '实施单位', '实施主体', '落实单位',
  '配合单位', '配合部门', '配合科室', '协办单位', '协办部门', '协助单位', '参与单位', '参与部门', '协同单位',
  '协同责任单位', '协同部门', '协办科室', '参与科室', '配合责任单位',
  // "部门分工：省发展改革委牵头，各地、各部门配合。" — the roles are said in the value.
  '部门分工', '责任分工', '任务分工', '单位分工',
];
const DEADLINE_KEYS = [
  '完成时限', '完成时间', '完成期限', '办结时限', '时间节点', '时间要求', '时限要求', '时间安排', '推进时限', '完成节点', '时限',
];
const LEADER_KEYS = [
  '牵头负责领导', '牵头领导', '责任领导', '分管领导', '包保领导', '包抓领导', '联系领导', '督办领导', '责任人',
  '分管省领导', '分管市领导', '分管县领导', '分管区领导', '牵头市领导', '牵头县领导', '牵头区领导', '责任县领导', '分管镇领导',
];
// Recognised so the annotation parses, but they carry nothing the bot tracks.
const IGNORED_KEYS = ['联系人', '备注'];
const ALL_KEYS = [...LEAD_KEYS, ...UNIT_KEYS, ...DEADLINE_KEYS, ...LEADER_KEYS, ...IGNORED_KEYS].sort((a, b) => b.length - a.length);
// Text copied from PDF breaks words with spaces ("完 成时限"), so a key may have them inside.
// "责任单位（部门）：" names the key with a gloss before its colon.
export const KEY_PATTERN = `(${ALL_KEYS.map((k) => [...k].join('\\s?')).join('|')})\\s*(?:[（(][^（()）]{1,6}[)）])?\\s*[:：]`;
const keyName = (raw: string): string => raw.replace(/\s+/g, '');
const KEY_AT_START_RE = new RegExp(`^\\s*${KEY_PATTERN}`);
const ANNOTATION_LINE_RE = new RegExp(`^[（(]?\\s*${KEY_PATTERN}`);
// A unit list ending in one of these says the role: "经贸办牵头", "统计站、财政所配合",
// "各部门按职责分工负责", "县农业农村局指导".
// "市发改委牵头落实", "各科室分别负责实施" say the role with a verb after it.
const ROLE_RE = /^(.*?)(?:按职责分工|按照职责分工|按职责|分别)?(牵头负责|牵头|主抓|主办|负责|参与|配合|协助|协办|会办|指导)(?:落实|实施|推进|组织实施)?$/;

/** Which of a plan's unit keys lead when they sit beside a 牵头 key (“责任单位” then assists). */
export function isLeadKey(key: string): boolean {
  return LEAD_KEYS.includes(key);
}

export interface Group {
  start: number;
  end: number; // exclusive
  content: string;
}

/** Top-level balanced parenthesised groups; full- and half-width parentheses mix freely. */
export function findGroups(text: string): Group[] {
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

// 〔责任单位：…〕, [责任单位：…], 【牵头单位：…】 are written like （…） when they hold a key;
// other square brackets (〔2021〕 in a doc number) are left alone.
const SQUARE_KEYED_RE = new RegExp(`[〔\\[【［]\\s*(${KEY_PATTERN}[^〔〕\\[\\]【】［］]*)[〕\\]】］]`, 'g');

// "【牵头单位】区发改委" writes the key in brackets instead of before a colon.
const BRACKETED_KEY_RE = new RegExp(`[【\\[［]\\s*(${ALL_KEYS.join('|')})\\s*[】\\]］]\\s*[:：]?`, 'g');

export function normalizeBrackets(text: string): string {
  return text.replace(BRACKETED_KEY_RE, '$1：').replace(SQUARE_KEYED_RE, '（$1）');
}

export function isAnnotationLine(line: string): boolean {
  if (ANNOTATION_LINE_RE.test(normalizeBrackets(line))) return true;
  return parseAnnotationLine(line) !== null;
}

/** An own-line annotation is unfinished while a parenthesis is open or it ends in a separator. */
export function annotationContinues(line: string): boolean {
  return depthAt(line, line.length) > 0 || /[、，,；;：:]$/.test(line);
}

/** Parses an own-line annotation, bare ("牵头单位：X") or wrapped ("（X牵头，Y参与）"). */
export function parseAnnotationLine(line: string): Annotation | null {
  const trimmed = normalizeBrackets(line).replace(/[。；;，,\s]+$/, '');
  const groups = findGroups(trimmed);
  const whole = groups.length === 1 && groups[0]?.start === 0 && groups[0].end === trimmed.length ? groups[0] : null;
  const content = whole ? whole.content : trimmed;
  if (KEY_AT_START_RE.test(content)) return parseKeyed(content);
  return whole ? parseUnkeyed(content) : parseBareRoleLine(content);
}

/**
 * A line that is only units and their roles, with no parentheses or key: "市发改委牵头落实",
 * "区财政局牵头，各街道配合". Strict, since a line of prose may end in 负责 too: short, no
 * sentence inside, and every name shaped like a body.
 */
function parseBareRoleLine(content: string): Annotation | null {
  if (content.length > 80 || /[。！？!?“”"《》：:（）()]/.test(content)) return null;
  const annotation = parseUnkeyed(content);
  return annotation !== null && annotation.units.every((u) => hasUnitShape(u.name)) ? annotation : null;
}

/**
 * Removes annotations from a task's text and returns them in document order. Keyed groups
 * （责任部门：…） are taken wherever they are; unkeyed ones （X牵头） only at the very end,
 * since elsewhere a parenthesis is ordinary text; a bare "责任单位：…" tail is taken too.
 */
export function extractAnnotations(input: string): { text: string; annotations: Annotation[] } {
  const text = normalizeBrackets(input);
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
    .replace(/([。；;])[。；;、，,]+/g, '$1')
    .replace(/[，,、\s]+$/, '')
    .trim();
}

const emptyAnnotation = (): Annotation => ({ units: [], deadlineTexts: [], leaders: [] });

/**
 * "牵头单位：X，配合单位：Y、Z；完成时限：2021年9月底前" → units and deadline texts. Beside a
 * 牵头单位 key, 责任单位 names the units that carry it out with the lead: they assist.
 */
export function parseKeyed(content: string): Annotation {
  const annotation = emptyAnnotation();
  const matches = [...content.matchAll(new RegExp(KEY_PATTERN, 'g'))];
  matches.forEach((m, i) => {
    const key = keyName(m[1] ?? '');
    const start = (m.index ?? 0) + m[0].length;
    const value = content.slice(start, matches[i + 1]?.index ?? content.length).replace(/^[\s：:]+|[\s，,；;。、]+$/g, '');
    if (value === '' || /^(无|\/|—+|-+)$/.test(value)) return;
    if (DEADLINE_KEYS.includes(key)) annotation.deadlineTexts.push(value);
    else if (LEADER_KEYS.includes(key)) annotation.leaders.push(...splitPeople(value));
    else if (!IGNORED_KEYS.includes(key)) {
      const { list, onwards, firstLeads } = readListNotes(value);
      if (onwards.length > 0) {
        annotation.units.push(...onwards);
        annotation.onwardsUnits = [...(annotation.onwardsUnits ?? []), ...onwards];
      }
      if (firstLeads !== null) annotation.firstLeads = firstLeads;
      // "责任单位：县教育局、王强副县长": a person with a title is a leader, never a unit.
      const units = parseUnitList(list, LEAD_KEYS.includes(key));
      annotation.units.push(...units.filter((u) => !isPersonWithTitle(u.name)));
      annotation.leaders.push(...units.filter((u) => isPersonWithTitle(u.name)).map((u) => u.name));
    }
  });
  return annotation;
}

// "（列第一位者为工作牵头单位或汇总单位，下同）", "（第一责任单位为牵头单位）": the first unit listed leads.
const FIRST_LEADS_RE = /[（(][^（()）]*(?:列第一位|列首位|排第一|排在第一|排名第一|排在首位|第一责任单位|第一个单位|第一家)[^（()）]*(?:牵头|汇总)[^（()）]*[)）]/;
// "。以下政策措施均需各县区人民政府、园区管委会落实、不再单独列出", "。具体任务均涉及相关市（州）人民政府，不再做分工，下同":
// units the document names once for every task from here on.
const ONWARDS_RE = /(?:均需|均涉及|均由|均要|都需|均须)(.+?)(?:落实|负责|参与|参加|实施|承担)?[、，,；;\s]*(?:不再|下同|$)/;

/** Takes the notes out of a unit list: who leads by position, and units named for every task that follows. */
function readListNotes(value: string): { list: string; onwards: UnitRef[]; firstLeads: 'here' | 'onwards' | null } {
  let list = value;
  let firstLeads: 'here' | 'onwards' | null = null;
  const first = FIRST_LEADS_RE.exec(list);
  if (first) {
    firstLeads = /下同|以下|后同/.test(first[0]) ? 'onwards' : 'here';
    list = list.slice(0, first.index) + list.slice(first.index + first[0].length);
  }
  let onwards: UnitRef[] = [];
  const stop = firstSentenceEnd(list);
  if (stop >= 0) {
    const note = list.slice(stop + 1);
    list = list.slice(0, stop);
    const named = ONWARDS_RE.exec(note);
    if (named && /以下|下同|后同|具体任务|各项/.test(note)) onwards = withRoles(splitUnits(named[1] ?? ''), false).filter((u) => hasUnitShape(u.name));
  }
  return { list, onwards, firstLeads };
}

function firstSentenceEnd(text: string): number {
  for (let i = 0; i < text.length; i++) if (text[i] === '。' && depthAt(text, i) === 0) return i;
  return -1;
}

export function splitPeople(value: string): string[] {
  return splitUnits(value);
}

/**
 * Units in a value, with their role. "A、B" takes the key's role; "A牵头，B、C配合" says it
 * per clause; clauses without a role word take the role of the next clause that has one.
 */
export function parseUnitList(listed: string, leadByDefault: boolean): UnitRef[] {
  // "局防控办主办、各工作组协办": a role word ends its clause even before 、.
  const value = listed.replace(/(牵头|主抓|主办|负责|配合|协办|会办|参与|协助)(落实|实施)?、/g, '$1$2，');
  const clauses = splitOutsideParentheses(value, '，,；;').map((c) => c.trim()).filter((c) => c !== '');
  if (!clauses.some((c) => ROLE_RE.test(c))) return withRoles(splitUnits(value), leadByDefault);
  const units: UnitRef[] = [];
  let pending: string[] = [];
  for (const clause of clauses) {
    const role = ROLE_RE.exec(clause);
    pending.push(...splitUnits((role ? role[1] ?? '' : clause).replace(/^(?:具体)?由/, '')));
    if (!role) continue;
    const word = role[2] ?? '';
    units.push(...withRoles(pending, word.startsWith('牵头') || word === '主抓' || word === '主办'));
    pending = [];
  }
  units.push(...withRoles(pending, leadByDefault));
  return units;
}

// "县发改局（牵头）、县财政局": a role marked after the name overrides the list's role.
function withRoles(names: string[], lead: boolean): UnitRef[] {
  return names
    .map((name) => {
      const marked = /^(.+?)（(牵头|配合|参与|协办)）$/.exec(name);
      return marked ? { name: marked[1] ?? name, lead: marked[2] === '牵头' } : { name, lead };
    })
    // "1.县自然资源局 2.县住建局", "县人社局 2", "县大数据中心、各": the numbering and the fragments are not units.
    .map((u) => ({ ...u, name: stripRoleTail(normalizeUnitName(stripListNumbering(u.name))) }))
    // "年内持续推进" in a unit list is when, not who.
    .filter((u) => !isUnitFragment(u.name) && !(looksLikeDeadlineCell(u.name) && !hasUnitShape(u.name)));
}

// What a list says after a name about how it takes part: "各镇(街)参照落实", "乡镇人民政府按职责分工",
// "市农业农村局等有关部门落实", "区水务局等部门". The name is what comes before.
const ROLE_TAIL_RE = /(?:按照?(?:职责|职能)(?:分工)?(?:落实|负责|实施|推进)?|参照(?:落实|执行)|具体落实|组织落实|抓好落实|落实|等(?:有关|相关)?(?:部门|单位)|等)$/;

function stripRoleTail(name: string): string {
  let n = name;
  for (let i = 0; i < 3; i++) {
    const stripped = n.replace(ROLE_TAIL_RE, '');
    if (stripped === n || stripped.length < 2) break;
    n = stripped;
  }
  return n;
}

/** "（经贸办牵头，统计站参与）", "（财政所负责）"; null when the group is ordinary text. */
function parseUnkeyed(content: string): Annotation | null {
  const clauses = splitOutsideParentheses(content, '，,；;').map((c) => c.trim()).filter((c) => c !== '');
  if (clauses.length === 0 || !clauses.some((c) => ROLE_RE.test(c))) return null;
  const units = parseUnitList(content, false);
  if (units.length === 0 || units.length > 30 || !units.every((u) => looksLikeUnit(u.name))) return null;
  return { ...emptyAnnotation(), units };
}

// Rules out ordinary parenthesised sentences that happen to end in 负责/参与.
export function looksLikeUnit(name: string): boolean {
  return name.length >= 2 && name.length <= 30 && !/[。！？!?“”"：:《》]/.test(name);
}

/** All units of several annotations: lead units first, then the others, each once. */
export function collectUnits(units: UnitRef[]): { departments: string[]; lead: string[] } {
  const lead: string[] = [];
  const others: string[] = [];
  for (const { name, lead: isLead } of units) {
    if (isLead && !lead.includes(name)) lead.push(name);
  }
  for (const { name } of units) {
    if (!lead.includes(name) && !others.includes(name)) others.push(name);
  }
  return { departments: [...lead, ...others], lead };
}

/**
 * "制定发布城市设计导则…等规划信息。(市规划国土委负责落实)推进支持雄安新区建设…。(市发展改革委负责落实)": a
 * paragraph of several tasks, each closed by its own units. Returns the pieces, each ending in its annotation,
 * or the whole text when it holds fewer than two such closings.
 */
export function splitAtClosingAnnotations(input: string): string[] {
  const text = normalizeBrackets(input);
  const cuts: number[] = [];
  for (const group of findGroups(text)) {
    const before = text.slice(0, group.start).trimEnd();
    const keyed = KEY_AT_START_RE.test(group.content);
    // "（牵头单位：…）" closes what precedes it wherever it stands; "（X负责落实）" only after a full sentence,
    // since mid-sentence it may be an aside.
    if (!keyed && !/[。；;！!]$/.test(before)) continue;
    const annotation = keyed ? parseKeyed(group.content) : parseUnkeyed(group.content);
    if (annotation === null || annotation.units.length === 0) continue;
    let end = group.end;
    while (end < text.length && /[。；;，,、\s]/.test(text[end] ?? '')) end++;
    cuts.push(end);
  }
  const pieces: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(text.slice(from, cut).trim());
    from = cut;
  }
  const rest = text.slice(from).trim();
  if (rest !== '') {
    if (pieces.length === 0) return [input];
    // Text after the last closing has no units of its own: it belongs with the piece before.
    pieces[pieces.length - 1] = `${pieces[pieces.length - 1]}${rest}`;
  }
  return pieces.length >= 2 ? pieces : [input];
}
