// Responsible units (责任单位) as named in plan annotations: normalising a name so the
// same unit written with full-width letters or stray spaces compares equal, splitting a
// list of units, and recognising collective units (镇直各部门…) that stand for many.

/**
 * Collective units seen in township and county plans. They stay in a task's departments as
 * written; a task naming one is owned by everybody it covers, so the bot treats it apart.
 */
export const COLLECTIVE_UNITS: readonly string[] = [
  '镇直各部门',
  '镇直有关部门',
  '镇直各单位',
  '镇直有关单位',
  '县直各部门',
  '县直有关部门',
  '县直各单位',
  '各有关部门',
  '各相关部门',
  '有关部门',
  '相关部门',
  '各部门',
  '各单位',
  '各有关单位',
  '各村（社区）',
  '各村',
  '各社区',
  '各村居',
  '各管区',
  '各站所',
];

// Genre variants beyond the list: an optional level (镇直/县直…), a quantifier (各/有关…),
// and a kind of body (部门/单位/村（社区）…). "县直有关单位", "各管理区", "各乡镇（街道）".
const COLLECTIVE_PATTERN =
  /^(?:[镇县市区省]直)?(?:各有关|各相关|各|有关|相关)(?:部门|单位|科室|站所|村（社区）|村居|村|社区|管区|管理区|乡镇（街道）|乡镇|镇（街道）|镇街|街道)$/;

// Separators between units in a list. Spaces count: "经贸办 统计站" names two units.
const UNIT_SEPARATORS = '、，,；;/／ \u3000\t';

const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff（）';

/**
 * Normalises one unit name: full-width letters and digits become ASCII (Ｏ２Ｏ → O2O),
 * parentheses become the full-width ones Chinese names use (各村(社区) → 各村（社区）),
 * spaces between Chinese characters go, and list punctuation or a trailing 等 is trimmed.
 */
export function normalizeUnitName(s: string): string {
  let name = toHalfWidthAscii(s).replace(/\(/g, '（').replace(/\)/g, '）');
  name = name.replace(/[\s\u3000]+/g, ' ');
  name = name.replace(new RegExp(`(?<=[${CJK}]) (?=[${CJK}])`, 'g'), '');
  name = name.replace(/^[\s、，,；;。.：:“”"'‘’]+/, '').replace(/[\s、，,；;。.：:“”"'‘’]+$/, '');
  // "镇直各部门等" means the same units; 等 is list language, not part of a name.
  if (name.length > 1) name = name.replace(/等$/, '');
  return name.trim();
}

// Full-width ASCII (U+FF01–U+FF5E) to half-width, and the ideographic space to a space.
// Chinese characters and Chinese punctuation outside that block are left alone.
function toHalfWidthAscii(s: string): string {
  return s
    .replace(/[\uff01-\uff5e]/g, (ch) => {
      // Keep the Chinese list punctuation distinct from ASCII so splitting still sees it.
      if (ch === '（' || ch === '）' || ch === '，' || ch === '；' || ch === '：') return ch;
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    })
    .replace(/\u3000/g, ' ');
}

/** True for collective units such as 镇直各部门, 镇直有关部门, 各村（社区）, 县直各部门. */
export function isCollectiveUnit(name: string): boolean {
  const n = normalizeUnitName(name);
  return COLLECTIVE_UNITS.includes(n) || COLLECTIVE_PATTERN.test(n);
}

/**
 * Splits a list such as "经贸办、市场监管所，财政所/农办" into normalised names, in order,
 * without duplicates. Separators inside parentheses do not split: "各村（社区、居委会）".
 */
export function splitUnits(s: string): string[] {
  const out: string[] = [];
  for (const name of joinListedLevels(splitOutsideParentheses(s).map(normalizeUnitName))) {
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  return out;
}

// "各县、市、区政府" and "市直有关部门、单位" name one body of units with a list inside the name: a piece
// that is only a level (市, 区) or a kind (单位, 部门) belongs to the collective before it, and after a level
// the piece that ends the list (区政府) does too.
const LEVEL_RE = /^(?:省|市|县|区|镇|乡|街道|旗)$/;
const KIND_RE = /^(?:单位|部门|科室|站所|企业)$/;
function joinListedLevels(pieces: string[]): string[] {
  const out: string[] = [];
  let joining = false;
  for (const piece of pieces) {
    const last = out.at(-1);
    const collective = last !== undefined && /^各|有关|相关|[省市县区镇乡]直/.test(last);
    if (last !== undefined && collective && (LEVEL_RE.test(piece) || KIND_RE.test(piece))) {
      out[out.length - 1] = `${last}、${piece}`;
      joining = LEVEL_RE.test(piece);
    } else if (last !== undefined && joining && /^(?:省|市|县|区|镇|乡|旗)(?:人民)?(?:政府|党委|管委会)/.test(piece)) {
      out[out.length - 1] = `${last}、${piece}`;
      joining = false;
    } else {
      out.push(piece);
      joining = false;
    }
  }
  return out;
}

/** Splits on any of `separators` outside （…）/(…), so "各村（社区、居）" stays one unit. */
export function splitOutsideParentheses(s: string, separators: string = UNIT_SEPARATORS): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '（' || ch === '(') depth++;
    if ((ch === '）' || ch === ')') && depth > 0) depth--;
    if (depth === 0 && separators.includes(ch)) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
