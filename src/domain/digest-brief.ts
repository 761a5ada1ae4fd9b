// The short form of a week's figures, for a phone: what the group's first message, the leaders' weekly message
// and chat 总览 say. The rate and its change from the week before, a few 红灯 tasks with their units, the slowest
// departments, the departments at 0 % on one line, the 销号 counts; everything else is on the web page it links to.
// Pure: it picks and shortens what the read model's digest (domain/digest.ts) already counted; it decides nothing.
import type { Digest } from './digest.ts';
import { markdownText } from './markdown-text.ts';

/** At most this many 红灯 tasks are named; the rest are counted. */
export const BRIEF_RED_MAX = 5;
/** The slowest departments named (not at 0 %): five, or three when a 0 % line is there too. */
export const BRIEF_SLOW_MAX = 5;
export const BRIEF_SLOW_WITH_ZERO = 3;
/** Names on the 0 % line before "等 N 个". */
export const BRIEF_ZERO_NAMES_MAX = 8;
/** A task's title and its units, shortened to keep each line on one phone line or two. */
export const BRIEF_TITLE_MAX = 14;
export const BRIEF_UNITS_MAX = 12;

export interface BriefRed {
  /** The code, qualified by the plan's short name when several plans are active: 安全生产1.2. */
  label: string;
  title: string;
  units: string;
}

export interface DigestBrief {
  /** No figures to show: nothing was expected this week, or nobody reported anything. */
  empty: null | 'nothing_expected' | 'nothing_reported';
  rate: number;
  reported: number;
  expected: number;
  /** Departments expected to report this week. */
  departments: number;
  /** Percentage points against the week before; null when that week expected nothing. */
  change: number | null;
  red: BriefRed[];
  redTotal: number;
  slowest: Array<{ name: string; rate: number; reported: number; expected: number }>;
  /** Departments that reported nothing (0 %): one line. */
  zero: { names: string[]; more: number; total: number } | null;
  review: { pending: number; closed: number; returned: number; overdue: number };
}

/** `s` cut to `max` characters (code points) with an ellipsis. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** Unit names joined, cut where the room ends: "经贸办、统计站等 5 个". */
function unitsText(names: readonly string[]): string {
  const all = names.join('、');
  if ([...all].length <= BRIEF_UNITS_MAX) return all;
  const shown: string[] = [];
  for (const n of names) {
    if ([...[...shown, n].join('、')].length > BRIEF_UNITS_MAX) break;
    shown.push(n);
  }
  if (shown.length === 0) return `${clip(names[0]!, BRIEF_UNITS_MAX)}${names.length > 1 ? `等 ${names.length} 个` : ''}`;
  return `${shown.join('、')}等 ${names.length} 个`;
}

/**
 * The brief of a week. `plans` are the active plans' own digests (for the 红灯 tasks, qualified by the plan's short
 * name when there are several); `all` is the town's digest over them, `previous` the town's of the week before.
 */
export function digestBrief(all: Digest, previous: Digest | null, plans: ReadonlyArray<{ prefix: string; digest: Digest }>): DigestBrief {
  const redLines = plans.flatMap(({ prefix, digest }) => digest.attention.filter((t) => t.light === 'red').map((t) => ({ prefix, t })));
  const zeroNames = all.departments.filter((d) => d.reported === 0).map((d) => d.name);
  const slow = all.departments.filter((d) => d.reported > 0 && d.rate < 100);
  return {
    empty: all.expected === 0 ? 'nothing_expected' : all.reported === 0 ? 'nothing_reported' : null,
    rate: all.rate, reported: all.reported, expected: all.expected, departments: all.departments.length,
    change: previous && previous.expected > 0 ? all.rate - previous.rate : null,
    red: redLines.slice(0, BRIEF_RED_MAX).map(({ prefix, t }) => ({ label: `${prefix}${t.code}`, title: clip(t.title, BRIEF_TITLE_MAX), units: unitsText(t.departments) })),
    redTotal: redLines.length,
    slowest: slow.slice(0, zeroNames.length ? BRIEF_SLOW_WITH_ZERO : BRIEF_SLOW_MAX).map(({ name, rate, reported, expected }) => ({ name, rate, reported, expected })),
    zero: zeroNames.length ? { names: zeroNames.slice(0, BRIEF_ZERO_NAMES_MAX), more: Math.max(0, zeroNames.length - BRIEF_ZERO_NAMES_MAX), total: zeroNames.length } : null,
    review: { ...all.review, overdue: all.overdue.length },
  };
}

/** "较上周 ↑8 个百分点", "与上周持平", or "" when the week before gives nothing to compare. */
export function changeText(change: number | null): string {
  if (change === null) return '';
  if (change === 0) return '与上周持平';
  return `较上周${change > 0 ? '↑' : '↓'}${Math.abs(change)} 个百分点`;
}

export interface BriefViewOptions {
  /** The group robot's markdown, or text for an app message and chat. */
  markdown: boolean;
  heading: string;
  /** "汇报率" for a week that has ended, "本周汇报率" for 总览's week so far. */
  rateLabel?: string;
  catchUp?: boolean;
  /** Liaisons to @-mention (markdown only). */
  mentions?: readonly string[];
  /** The page with everything else, and what its link says. */
  url?: string;
  linkText?: string;
  /** A last line: the command to type next. */
  hint?: string;
}

/** The view templates/digest-brief.eta renders: every short message (group, leaders, 总览) goes through it. */
export function briefView(brief: DigestBrief, o: BriefViewOptions) {
  return {
    markdown: o.markdown, catchUp: o.catchUp ?? false, brief, heading: o.heading, rateLabel: o.rateLabel ?? '汇报率', changeText: changeText(brief.change),
    mentions: o.markdown ? o.mentions ?? [] : [], url: o.url, linkText: o.linkText ?? '全部情况', hint: o.hint,
    // What people typed stays text in the group's markdown: no links, no @-mentions, no headings.
    text: o.markdown ? markdownText : (x: string) => x,
  };
}
