// Reads a plan document from disk as plain text, for callers that still parse text
// (plan-source.ts, cli/plan.ts until they move to parsePlanFile in index.ts, which also
// reads tables). Same readers and the same safety limits as parsePlanFile.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { blocksText } from './blocks-outline.ts';
import { detectFormat } from './readers/detect.ts';
import { readDocBlocks } from './readers/doc.ts';
import { readDocxBlocks } from './readers/docx.ts';
import { decodeText } from './readers/text.ts';
import { readXlsxBlocks } from './readers/xlsx.ts';

export { decodeText } from './readers/text.ts';

/** Returns the text of a plan file: .txt decoded, .docx/.doc/.xlsx as paragraphs and table rows. */
export async function readPlanFile(path: string): Promise<string> {
  const bytes = await readFile(path);
  const format = detectFormat(bytes, basename(path));
  if (format === 'txt') return decodeText(bytes);
  const blocks = format === 'docx' ? readDocxBlocks(bytes) : format === 'xlsx' ? await readXlsxBlocks(bytes) : await readDocBlocks(bytes);
  return blocksText(blocks);
}
