// The plan intake's public API: a plan as text, as the bytes of a file, or as a path.
//   readers (text, .docx paragraphs and tables, .xlsx, .doc) → outline → tasks → warnings
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { blocksOutline } from './blocks-outline.ts';
import { PlanReadError } from './errors.ts';
import { parsePlan, planFromOutline } from './parse-plan.ts';
import { detectFormat, MAX_INPUT_BYTES } from './readers/detect.ts';
import { readDocBlocks } from './readers/doc.ts';
import { readDocxBlocks } from './readers/docx.ts';
import { decodeText, textBlocks } from './readers/text.ts';
import { findLayout, reportUnreadTable } from './table-outline.ts';
import { readXlsxBlocks } from './readers/xlsx.ts';
import type { Block } from './readers/blocks.ts';
import type { ParsedPlan, ParseOptions } from './types.ts';

export type { ParsedPlan, ParsedTask, PlanWarning, PlanWarningKind, PlanHeader, ParseOptions, TableReport } from './types.ts';
export type { ColumnRole } from './column-words.ts';
export { PlanReadError, type PlanReadErrorCode } from './errors.ts';
export { parsePlan } from './parse-plan.ts';

/** Parses a plan file's bytes; the format is chosen by the extension and checked against the bytes. */
export async function parsePlanBuffer(bytes: Buffer, filename: string, opts: ParseOptions = {}): Promise<ParsedPlan> {
  const format = detectFormat(bytes, filename);
  if (format === 'txt') {
    const text = decodeText(bytes);
    if (text.trim() === '') throw emptyFile();
    // A task table pasted from Excel is read as a table; anything else as a text plan.
    const blocks = text.includes('\t') ? textBlocks(text) : [];
    const layoutOpts = { known: new Set(opts.knownUnits ?? []), mapping: opts.columns ?? null };
    if (blocks.some((b) => b.kind === 'table' && findLayout(b.rows, layoutOpts) !== null)) return planFromOutline(blocksOutline(blocks, opts), opts);
    const plan = parsePlan(text, opts);
    plan.tables = blocks.flatMap((b) => (b.kind === 'table' ? [reportUnreadTable(b.rows)] : []));
    return plan;
  }
  const blocks = format === 'docx' ? readDocxBlocks(bytes) : format === 'xlsx' ? await readXlsxBlocks(bytes) : await readDocBlocks(bytes);
  if (!hasText(blocks)) throw emptyFile();
  return planFromOutline(blocksOutline(blocks, opts), opts);
}

/** Reads and parses a plan file from disk. */
export async function parsePlanFile(path: string, opts: ParseOptions = {}): Promise<ParsedPlan> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new PlanReadError('empty', `找不到文件 ${basename(path)}，请检查路径。`);
  }
  if (size > MAX_INPUT_BYTES) throw new PlanReadError('too_large', '文件超过 20 MB，不像一份工作方案，已拒绝读取。');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new PlanReadError('corrupt', `无法读取 ${basename(path)}，请确认它是一个文件且有读取权限。`);
  }
  return parsePlanBuffer(bytes, basename(path), opts);
}

function hasText(blocks: Block[]): boolean {
  return blocks.some((b) => (b.kind === 'paragraph' ? b.text.trim() !== '' : b.rows.some((r) => r.some((c) => c.trim() !== ''))));
}

const emptyFile = (): PlanReadError => new PlanReadError('empty', '文件里没有文字内容，没有可导入的任务。');
