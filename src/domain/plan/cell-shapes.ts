// What one table cell looks like, whatever its column is called: a list of units, a deadline, a
// number, people with titles, a progress report. The column judge (column-evidence.ts) counts these
// shapes over a column's cells; the unit check (units.ts) uses the unit shape to reject fragments.
import { toAsciiDigits } from './chinese-numerals.ts';
import { findDeadlines } from './dates.ts';
import { isCollectiveUnit, normalizeUnitName, splitOutsideParentheses } from './units.ts';

// Names of bodies end like this: 经贸办, 县发改局, 财政所, 水利站, 团区委, 便民服务中心, 县妇联 …
const ORG_END_RE =
  /(办|局|所|站|委|中心|队|院|科|部|公司|镇|乡|街道|村|社区|组|处|厅|室|会|联|团|社|馆|庭|行|区|县|市|政府|分局|支行|集团|专班|办事处|管委会|指挥部|单位|部门|学校|医院|法院|检察院|片区|管区|工区|园区|开发区|企业|机构|股)$/;
// Titles of officials: 王书记, 李镇长, 张明副县长, 常务副县长 — people, never units.
const TITLE_RE =
  /(书记|副书记|镇长|副镇长|乡长|副乡长|县长|副县长|区长|副区长|市长|副市长|主任|副主任|局长|副局长|部长|委员|主席|组长|站长|所长|秘书长|调研员|总经理|经理|同志)$/;
// Words from a header or a list that name no body on their own.
const FRAGMENTS = new Set(['责任', '科室', '单位', '部门', '等', '各', '有关', '相关', '牵头', '配合', '协办', '主办', '负责', '参与', '无', '略', '待定', '全体']);
const NUMBERING_RE = /^(?:[（(]\s*[0-9０-９一二三四五六七八九十]{1,2}\s*[)）]|[0-9０-９]{1,2}\s*[.．、](?![0-9０-９])|[①-⑳])\s*/;

/** "1.县自然资源局" → "县自然资源局": a list typed with its own numbering. */
export function stripListNumbering(name: string): string {
  return name.replace(NUMBERING_RE, '');
}

/** A piece of a unit list that can never be a unit: a digit, punctuation, a header word, one character. */
export function isUnitFragment(name: string): boolean {
  const n = name.trim();
  if (n === '') return true;
  if (/^[\d０-９\s.．、，,;；:：()（）\-—/]+$/.test(n)) return true;
  if (FRAGMENTS.has(n)) return true;
  return [...n].length < 2;
}

/** A person named with a title (张书记, 王强副县长): a leader. */
export function isPersonWithTitle(name: string): boolean {
  const n = name.replace(/\s+/g, '');
  if (n.length < 2 || n.length > 10) return false;
  const m = TITLE_RE.exec(n);
  if (!m) return false;
  // "党政办主任" is an office's head, still a person; "县委书记" too. A bare title (书记) is a person word.
  return !ORG_END_RE.test(n.slice(0, n.length - m[0].length)) || n.length - m[0].length <= 4;
}

/** A name shaped like a body: an organisational ending, a collective (各村), or one the database knows. */
export function hasUnitShape(name: string, known: ReadonlySet<string> = new Set()): boolean {
  const n = normalizeUnitName(name);
  if (isUnitFragment(n) || n.length > 30) return false;
  if (known.has(n) || isCollectiveUnit(n)) return true;
  if (isPersonWithTitle(n)) return false;
  return ORG_END_RE.test(n.replace(/（[^（）]*）$/, ''));
}

const UNIT_LIST_SEPARATORS = '、，,；;/／ \u3000\t\n';

/** The names a unit cell lists, numbering and fragments left out. */
export function cellNames(cell: string): string[] {
  return splitOutsideParentheses(cell, UNIT_LIST_SEPARATORS)
    .map((p) => normalizeUnitName(stripListNumbering(p.trim())))
    .map((p) => p.replace(/(牵头|配合|负责|参与|协办)$/, ''))
    .filter((p) => !isUnitFragment(p));
}

/** Every name in the cell is a unit (at least one). */
export function looksLikeUnitCell(cell: string, known?: ReadonlySet<string>): boolean {
  const names = cellNames(cell);
  return names.length > 0 && names.length <= 30 && names.every((n) => hasUnitShape(n, known));
}

/** Every name in the cell is a person with a title. */
export function looksLikePeopleCell(cell: string): boolean {
  const names = cellNames(cell);
  return names.length > 0 && names.every(isPersonWithTitle);
}

const LASTING_RE = /^(长期|长期坚持|长期推进|持续推进|持续开展|持续|常态化|常年|全年|经常性|每年|每月|每季度|按年度|按季度|按要求|按时|即时|及时|适时|动态|动态调整|根据.{1,10}|立即|逐步推进|年内完成|年内持续推进|年内|分阶段|持续实施)/;

/** A deadline: a date, a month's end, 年底, a quarter, 长期, 持续推进 … and not much else. */
export function looksLikeDeadlineCell(cell: string): boolean {
  const c = cell.replace(/\s+/g, '');
  if (c === '' || c.length > 40) return false;
  if (LASTING_RE.test(c)) return true;
  const hits = findDeadlines(c, 2000, 'annotation');
  if (hits.length === 0) return /(月底|年底|年末|季度|上半年|下半年|前完成|之前)/.test(c);
  // The date phrases cover most of it: "2024年6月底前", "2024年3月—12月", not a sentence with a date in it.
  const covered = hits.reduce((n, h) => n + h.text.length, 0);
  return covered >= c.length * 0.4 || c.length <= 16;
}

/** A row number: 1, 1.2, （一）, 一、 */
export function looksLikeNumberCell(cell: string): boolean {
  const c = toAsciiDigits(cell.replace(/\s+/g, ''));
  return /^(\d{1,3}(\.\d{1,3})*[.、]?|[（(]?[一二三四五六七八九十]{1,3}[)）、.]?|[（(]\d{1,3}[)）])$/.test(c);
}

/** A report on progress, not a task: "已完成…", "正在…", "截至…". */
export function looksLikeProgressCell(cell: string): boolean {
  const c = cell.trim();
  return /^(已|正在|截至|截止|目前|现已|基本完成|全部完成|完成了|未完成|进展)/.test(c) || /(已完成|正在推进|已建成|已开工|完成率|正在进行)/.test(c);
}
