// The head and the tail of a plan: doc number, issuer and title above the first heading (or
// above a table's header row), and the signature (issuer + date) at the end.
import { toAsciiDigits } from './chinese-numerals.ts';
import { parseDateLine } from './dates.ts';
import { joinLines, type SourceLine } from './text-lines.ts';
import type { PlanHeader } from './types.ts';

// Names of issuing bodies end like this; used to tell an issuer line from a title line.
const ISSUER_RE = /(人民政府|政府|委员会|党委|办公室|办公厅|办事处|领导小组|指挥部|局|厅|中心)$/;
const TITLE_WORD_RE = /(方案|计划|要点|意见|通知|办法|规划|安排|任务|清单|分解表|细则|决定|报告)/;
const DOC_NUMBER_RE = /[\u4e00-\u9fff]{1,12}\s*[〔［\[【(（]\s*\d{4}\s*[〕］\]】)）]\s*\d{1,4}\s*号/;

const HEADING_START_RE = /^(?:第?[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[)）]|[0-9０-９]+[、．.])/;

export interface Signature {
  issuer: string | null;
  date: string | null;
}

/**
 * Finds the signature (issuer line + date line) near the end and cuts it off with whatever
 * follows it (抄送, 印发 lines), so it is never read as part of the last task.
 */
export function splitSignature(lines: SourceLine[]): { body: SourceLine[]; signature: Signature } {
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 8); i--) {
    const date = parseDateLine(lines[i]?.text ?? '');
    if (date === null) continue;
    // After a signature come only short lines (抄送, 印发); a heading or a paragraph after
    // the date means it was a cover letter's date, with the plan still to come.
    if (lines.slice(i + 1).some((l) => l.text.length > 60 || HEADING_START_RE.test(l.text))) return { body: lines, signature: { issuer: null, date: null } };
    const above = lines[i - 1]?.text;
    const issuer = above !== undefined && isIssuerLine(above) ? above : null;
    return { body: lines.slice(0, issuer === null ? i : i - 1), signature: { issuer, date } };
  }
  return { body: lines, signature: { issuer: null, date: null } };
}

function isIssuerLine(line: string): boolean {
  return line.length <= 40 && ISSUER_RE.test(line.replace(/\s+/g, ''));
}

/**
 * Reads the lines before the first heading: the doc number, an issuer line, the title
 * line(s), and the preamble (which starts at the first long line or sentence and is skipped).
 * The title is kept as written without the issuer ("2021年政务公开工作实施方案"); the issuer
 * goes to its own field.
 */
export function parseHeader(lines: string[]): PlanHeader {
  const header = parseTitleBlock(lines);
  const cover = coverLetterEnd(lines);
  if (cover !== null) {
    // A cover letter (印发通知) comes first and ends with its issuer and date; the plan's
    // own title follows it. The 文号 is the letter's.
    const plan = parseTitleBlock(lines.slice(cover.dateLine + 1).filter((l) => !NOTE_RE.test(l)));
    if (plan.title !== '') {
      const above = lines[cover.dateLine - 1];
      return {
        docNumber: header.docNumber ?? plan.docNumber,
        title: plan.title,
        issuer: plan.issuer ?? (above !== undefined && isIssuerLine(above) ? above : header.issuer),
        date: cover.date,
      };
    }
  }
  // No title line of its own, or only the letter's ("关于印发《…方案》的通知"): the plan it names.
  if (header.title === '' || /印发.*《.+》/.test(header.title)) header.title = quotedTitle(lines) ?? header.title;
  return header;
}

const NOTE_RE = /^[（(](此件|本件).*[)）]$/;

function coverLetterEnd(lines: string[]): { dateLine: number; date: string } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const date = parseDateLine(lines[i] ?? '');
    if (date !== null) return i > 0 ? { dateLine: i, date } : null;
  }
  return null;
}

function quotedTitle(lines: string[]): string | null {
  for (const line of lines) {
    const m = /《([^《》]+)》/.exec(line);
    if (m && /(方案|计划|要点|分解|清单|细则|安排)/.test(m[1] ?? '')) return (m[1] ?? '').replace(/\s+/g, '');
  }
  return null;
}

function parseTitleBlock(lines: string[]): PlanHeader {
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

export function planYear(plan: { docNumber: string | null; title: string; date: string | null }): number | null {
  const fromDate = plan.date?.slice(0, 4);
  if (fromDate) return Number(fromDate);
  const fromDoc = plan.docNumber ? /\d{4}/.exec(plan.docNumber) : null;
  if (fromDoc) return Number(fromDoc[0]);
  const fromTitle = /(\d{4})\s*年/.exec(toAsciiDigits(plan.title));
  return fromTitle ? Number(fromTitle[1]) : null;
}
