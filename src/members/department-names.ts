// Which plan department a written name means. People type 经贸 or ＯＡ办, WeCom calls the same unit
// 南旺镇经贸办公室: all of these should land on 经贸办, and a guess must never be silently wrong, so
// every stage accepts only a unique answer and otherwise returns the names to choose from.
// Pure: the caller loads the departments (see resolveDepartmentName in members.ts).
import { normalizeUnitName } from '../domain/plan/units.ts';

export interface NamedDepartment {
  name: string;
  aliases?: readonly string[] | null;
  collective?: boolean | null;
}

export type DepartmentMatch =
  | { ok: true; name: string; via: 'exact' | 'alias' | 'normalized' | 'wecom-style' | 'prefix' }
  | { ok: false; reason: 'ambiguous' | 'unknown'; candidates: string[] };

/** A prefix shorter than this is too weak a hint: "经" could be anything. */
const MIN_PREFIX = 2;
const MAX_SUGGESTIONS = 5;

/** Full-width and half-width, upper and lower case, stray spaces: all compare equal. */
export function departmentKey(s: string): string {
  return normalizeUnitName(s).toLowerCase();
}

export function matchDepartmentName(written: string, departments: readonly NamedDepartment[]): DepartmentMatch {
  const raw = written.trim();
  const key = departmentKey(raw);
  if (key === '') return { ok: false, reason: 'unknown', candidates: [] };

  const exact = departments.filter((d) => d.name === raw);
  if (exact.length === 1) return { ok: true, name: exact[0]!.name, via: 'exact' };

  const byAlias = departments.filter((d) => (d.aliases ?? []).includes(raw));
  const aliasHit = decide(byAlias, 'alias');
  if (aliasHit) return aliasHit;

  const normalized = departments.filter((d) => keysOf(d).includes(key));
  const normalizedHit = decide(normalized, 'normalized');
  if (normalizedHit) return normalizedHit;

  const variants = wecomStyleVariants(key);
  const styled = departments.filter((d) => keysOf(d).some((k) => variants.includes(k)));
  const styledHit = decide(styled, 'wecom-style');
  if (styledHit) return styledHit;

  const stems = [key, ...variants].filter((v) => [...v].length >= MIN_PREFIX);
  const prefixed = departments.filter((d) => keysOf(d).some((k) => stems.some((s) => k.startsWith(s))));
  const prefixHit = decide(prefixed, 'prefix');
  if (prefixHit) return prefixHit;

  return { ok: false, reason: 'unknown', candidates: suggest(key, departments) };
}

/**
 * Forms WeCom gives a unit that the plan writes shorter: a township in front (南旺镇经贸办,
 * 南旺镇人民政府党政办), and 办公室 where the plan says 办. For a name that begins with 镇 itself
 * (镇疫情防控指挥部) variants with 镇 are offered too: 南旺镇疫情防控指挥部, 疫情防控指挥部.
 */
export function wecomStyleVariants(key: string): string[] {
  const out = new Set<string>();
  const township = /^(.{1,8}?)(镇|乡|街道办事处|街道)(人民政府)?(.+)$/u.exec(key);
  if (township) {
    const rest = township[4]!;
    out.add(rest);
    if (township[2] === '镇' && !township[3]) out.add(`镇${rest}`);
  }
  // The plan writes some units with 镇 in front (镇疫情防控指挥部) that people write without it.
  if (!township && !key.startsWith('镇')) out.add(`镇${key}`);
  for (const v of [key, ...out]) if (v.endsWith('办公室') && v.length > 3) out.add(`${v.slice(0, -3)}办`);
  out.delete(key);
  return [...out];
}

function keysOf(d: NamedDepartment): string[] {
  return [d.name, ...(d.aliases ?? [])].map(departmentKey).filter((k) => k !== '');
}

function decide(hits: readonly NamedDepartment[], via: Extract<DepartmentMatch, { ok: true }>['via']): DepartmentMatch | null {
  const names = [...new Set(hits.map((d) => d.name))];
  if (names.length === 1) return { ok: true, name: names[0]!, via };
  if (names.length > 1) return { ok: false, reason: 'ambiguous', candidates: names.sort() };
  return null;
}

/** Close names for an unknown one: containment either way, or at least two characters in common. */
function suggest(key: string, departments: readonly NamedDepartment[]): string[] {
  const mine = new Set(key);
  const scored: { name: string; score: number }[] = [];
  for (const d of departments) {
    let best = 0;
    for (const k of keysOf(d)) {
      const shared = [...new Set(k)].filter((ch) => mine.has(ch)).length;
      const contains = k.includes(key) || key.includes(k) ? 10 : 0;
      const score = contains + shared / Math.max(k.length, key.length);
      if (contains || shared >= 2) best = Math.max(best, score);
    }
    if (best > 0) scored.push({ name: d.name, score: best });
  }
  return scored
    .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1))
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => s.name);
}
