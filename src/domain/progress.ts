// How people write progress: "60%", "６０％", "60", or a status word.
import type { ReportStatus } from './vocabulary.ts';
import { toHalfWidth } from './text.ts';
import Nzh from 'nzh';

export interface Progress {
  status: ReportStatus;
  percent: number | null;
}

const STATUS_WORDS: Array<[RegExp, ReportStatus]> = [
  [/^(已完成|已办结|完成|办结|done)/i, 'done'],
  [/^(推进中|进行中|正在推进|在办|in[-_ ]?progress)/i, 'in_progress'],
  [/^(受阻|困难|阻塞|有困难|blocked)/i, 'blocked'],
  [/^(未启动|未开始|尚未启动|not[-_ ]?started)/i, 'not_started'],
];

/** What may follow a percentage in the same token: nothing, a separator, or the note's Chinese text. */
const NOTE_START = /^(?:$|[\s,，:：、;；。]|[\u3400-\u9fff\uf900-\ufaff（“])/;

/** Starts like a number (a sign or a digit, either width): a progress, even a malformed one, not a department. */
export function looksNumeric(token: string): boolean {
  return /^[+\-−]?\d/.test(toHalfWidth(token.trim()));
}

export const STATUS_LABEL: Record<ReportStatus, string> = {
  not_started: '未启动',
  in_progress: '推进中',
  blocked: '受阻',
  done: '已完成',
};

/**
 * Reads a progress token; what follows it in the same token (people type "60%已对接") is returned
 * as `rest` so it can become the note.
 */
export function parseProgress(token: string): (Progress & { rest: string }) | null {
  const t = toHalfWidth(token.trim());
  const chinese = chineseAmount(t);
  if (chinese) {
    if (chinese.percent > 100 || !NOTE_START.test(chinese.rest)) return null;
    return { ...fromPercent(chinese.percent), rest: token.trim().slice(t.length - chinese.rest.length).replace(/^[,，:：、\s]+/, '').trim() };
  }
  const pct = /^(\d{1,3})(?:\s*%|\s*percent)?(?![\d.])(.*)$/i.exec(t);
  if (pct) {
    const n = Number(pct[1]);
    // Refuse, never guess: "1e9%", "0x10%", "6O%", "1/2" are not 1, 0, 6 and 1 with a note.
    if (n > 100 || !NOTE_START.test(pct[2]!)) return null;
    return { ...fromPercent(n), rest: token.trim().slice(t.length - pct[2]!.length).replace(/^[,，:：、\s]+/, '').trim() };
  }
  for (const [re, status] of STATUS_WORDS) {
    const m = re.exec(t);
    if (m) {
      const rest = token.trim().slice(m[0].length).replace(/^[,，:：、\s]+/, '').trim();
      return { status, percent: status === 'done' ? 100 : status === 'not_started' ? 0 : null, rest };
    }
  }
  return null;
}

const CN_DIGITS = '零〇一二两三四五六七八九';
const CN_NUMBER = `[${CN_DIGITS}十百]+`;

/** 八十, 八十五, 一百, 两 … as a number (nzh reads the numeral); null for anything that is not one. */
function chineseNumber(s: string): number | null {
  if (!new RegExp(`^${CN_NUMBER}$`).test(s)) return null;
  const n = Number(Nzh.cn.decodeS(s.replace(/两/g, '二').replace(/〇/g, '零')));
  return Number.isInteger(n) && (n > 0 || /^[零〇]$/.test(s)) ? n : null;
}

/**
 * Amounts people write in Chinese, each with one meaning: 百分之八十 = 80, 八成 = 80, 七成半 = 75 (half of a 成, as
 * 七成五 would be written), 一半 = 50, 八十% = 80. What follows the amount in the same token is returned as rest.
 */
export function chineseAmount(t: string): { percent: number; rest: string } | null {
  const pct = new RegExp(`^百分之(${CN_NUMBER}|\\d{1,3})(.*)$`).exec(t);
  if (pct) {
    const n = /^\d+$/.test(pct[1]!) ? Number(pct[1]) : chineseNumber(pct[1]!);
    return n === null ? null : { percent: n, rest: pct[2]! };
  }
  const cheng = /^([一二两三四五六七八九十])成(半)?(.*)$/.exec(t);
  if (cheng) {
    const n = chineseNumber(cheng[1]!)!;
    return { percent: n * 10 + (cheng[2] ? 5 : 0), rest: cheng[3]! };
  }
  const half = /^一半(.*)$/.exec(t);
  if (half) return { percent: 50, rest: half[1]! };
  const sign = new RegExp(`^(${CN_NUMBER})\\s*%(.*)$`).exec(t);
  if (sign) {
    const n = chineseNumber(sign[1]!);
    return n === null ? null : { percent: n, rest: sign[2]! };
  }
  return null;
}

/** Words that sound like an amount but name none: the bot asks for a number rather than guess. */
const VAGUE_AMOUNTS = ['一大半', '大半', '过半', '小半', '大部分', '一部分', '部分', '差不多', '基本', '大概', '接近', '快', '几成'];

/** The vague amount a token starts with ("过半了" → 过半), or null. */
export function vagueAmount(token: string): string | null {
  const t = token.trim();
  return VAGUE_AMOUNTS.find((w) => t.startsWith(w)) ?? null;
}

export function fromPercent(n: number): Progress {
  if (n >= 100) return { status: 'done', percent: 100 };
  if (n <= 0) return { status: 'not_started', percent: 0 };
  return { status: 'in_progress', percent: n };
}

export function describeProgress(p: { status: ReportStatus; percent: number | null }): string {
  if (p.status === 'in_progress' && p.percent !== null) return `${STATUS_LABEL.in_progress} ${p.percent}%`;
  return STATUS_LABEL[p.status];
}
