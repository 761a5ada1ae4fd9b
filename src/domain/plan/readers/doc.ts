// Old binary Word .doc → blocks, through word-extractor (pure JavaScript). Its text gives
// table cells separated by tabs, a row per line; runs of such lines become a table.
import WordExtractor from 'word-extractor';
import { PlanReadError } from '../errors.ts';
import type { Block } from './blocks.ts';

export async function readDocBlocks(bytes: Buffer): Promise<Block[]> {
  let body: string;
  try {
    const document = await new WordExtractor().extract(bytes);
    // Chinese text keeps its “” quotes: the library would turn them into ASCII by default.
    body = document.getBody({ filterUnicode: false });
  } catch {
    throw new PlanReadError('corrupt', 'Word 文档（.doc）已损坏或无法识别。请用 Word 打开后另存为 .docx 再导入。');
  }
  return linesToBlocks(body.split(/\r\n?|\n/));
}

/** Lines with tabs in them, one after another, are the rows of a table; the others are paragraphs. */
export function linesToBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  for (const line of lines) {
    const isRow = line.includes('\t');
    const last = blocks.at(-1);
    if (!isRow) blocks.push({ kind: 'paragraph', text: line });
    else if (last?.kind === 'table') last.rows.push(rowCells(line));
    else blocks.push({ kind: 'table', rows: [rowCells(line)] });
  }
  return blocks;
}

function rowCells(line: string): string[] {
  const cells = line.split('\t').map((c) => c.trim());
  // A .doc row ends with a tab of its own; drop the empty cell it leaves.
  if (cells.length > 1 && cells.at(-1) === '') cells.pop();
  return cells;
}
