// Old binary Word .doc → blocks, through word-extractor (pure JavaScript). Its text ends
// each table cell with a tab and each row with a tab and a line break. Merges are lost:
// a merged cell's text is in its first row only (the table reader carries it down).
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
  return bodyToBlocks(body);
}

/**
 * Splits word-extractor's text into paragraphs and table rows. A cell ends with a tab and a
 * row with a tab and a line break; a line break without a tab is a paragraph end, inside a
 * cell (a cell of several paragraphs) or outside the table.
 */
export function bodyToBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  const paragraphs = (text: string): void => {
    for (const line of text.split('\n')) blocks.push({ kind: 'paragraph', text: line });
  };
  let rest = body.replace(/\r\n?/g, '\n');
  let inTable = false;
  while (rest !== '') {
    const end = rest.indexOf('\t\n');
    if (end === -1) {
      paragraphs(rest);
      break;
    }
    let row = rest.slice(0, end);
    rest = rest.slice(end + 2);
    if (!inTable) {
      // The paragraphs before a table end at the last line break before its first cell.
      const firstCellEnd = row.indexOf('\t');
      const lastBreak = row.lastIndexOf('\n', firstCellEnd === -1 ? row.length : firstCellEnd);
      if (lastBreak >= 0) paragraphs(row.slice(0, lastBreak));
      row = row.slice(lastBreak + 1);
      blocks.push({ kind: 'table', rows: [] });
    }
    const table = blocks.at(-1);
    if (table?.kind === 'table') table.rows.push(row.split('\t').map((c) => c.trim()));
    // The table goes on while the next row follows at once; a blank line, or two lines of
    // text before the next cell (a heading and a paragraph), end it. A single paragraph
    // between two tables is read as part of the next table's first cell: a known limit.
    inTable = !rest.startsWith('\n') && rest.indexOf('\t\n') !== -1 && !/^[^\t]*\n[^\t]*\n/.test(rest.slice(0, rest.indexOf('\t\n')));
  }
  return blocks;
}
