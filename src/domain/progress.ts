// How people write progress: "60%", "６０％", "60", or a status word.
import type { ReportStatus } from './vocabulary.ts';
import { toHalfWidth } from './text.ts';

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

export function fromPercent(n: number): Progress {
  if (n >= 100) return { status: 'done', percent: 100 };
  if (n <= 0) return { status: 'not_started', percent: 0 };
  return { status: 'in_progress', percent: n };
}

export function describeProgress(p: { status: ReportStatus; percent: number | null }): string {
  if (p.status === 'in_progress' && p.percent !== null) return `${STATUS_LABEL.in_progress} ${p.percent}%`;
  return STATUS_LABEL[p.status];
}
