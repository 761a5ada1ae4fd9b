// Blocks (paragraphs and tables, from .docx or .doc) → outline. A document whose tables
// have a task header is read as a 分解表, the paragraphs above its first table giving the
// title; otherwise its text (tables included, a row per line) is read as a text plan.
import { parseHeader, splitSignature } from './header.ts';
import type { Outline } from './outline.ts';
import type { Block } from './readers/blocks.ts';
import { addTable, findLayout } from './table-outline.ts';
import { matchChapter, textOutline } from './text-outline.ts';
import { sourceLines } from './text-lines.ts';
import type { ParseOptions } from './types.ts';
import { normalizeUnitName } from './units.ts';

const ATTACHMENT_RE = /^附件\s*[0-9０-９一二三四五六七八九十]*\s*[:：]?$/;
const FORM_FIELD_RE = /^(?:填报|制表|联系|报送|审核|签发)?[^：:]{0,5}(?:单位|人|电话|日期|时间)\s*[：:]/;

export function blocksOutline(blocks: Block[], opts: ParseOptions = {}): Outline {
  const known = new Set((opts.knownUnits ?? []).map(normalizeUnitName));
  const mapping = opts.columns ?? null;
  const outline: Outline = {
    header: { docNumber: null, title: '', issuer: null, date: null },
    chapters: [],
    sections: [],
    responsibilities: [],
    warnings: [],
    tables: [],
  };
  const headerLines: string[] = [];
  let tables = 0;
  let afterTables: string[] = [];
  // Several task tables: each under the heading paragraph right above it, or its sheet's name.
  const taskTables = blocks.filter((b) => b.kind === 'table' && findLayout(b.rows, { known, mapping }) !== null).length;
  let lastParagraph = '';
  for (const block of blocks) {
    if (block.kind === 'paragraph') {
      if (tables === 0) headerLines.push(...block.text.split('\n'));
      else afterTables.push(...block.text.split('\n'));
      if (block.text.trim() !== '') lastParagraph = block.text.trim();
      continue;
    }
    const heading = matchChapter(lastParagraph) ? lastParagraph : null;
    const chapterLabel = taskTables > 1 ? (heading ?? block.name ?? null) : null;
    if (addTable(block.rows, outline, {
      headerLines: tables === 0 ? headerLines : null, chapterLabel, known, mapping, reports: outline.tables, name: block.name ?? null,
    })) {
      if (tables === 0 && chapterLabel !== null && chapterLabel === heading) headerLines.pop();
      tables++;
      afterTables = [];
    }
    lastParagraph = '';
  }
  if (tables === 0) return { ...textOutline(blocksText(blocks)), tables: outline.tables };

  // Above a table, the last lines before it are its own title; a cover letter may come first.
  // Form fields above a table ("填报单位：…", "日期：…") are not part of its title.
  const lines = headerLines.map((l) => l.trim()).filter((l) => l !== '' && !ATTACHMENT_RE.test(l) && !FORM_FIELD_RE.test(l));
  const titleStart = lastTitleBlock(lines);
  const header = parseHeader(lines.slice(titleStart));
  const docNumber = header.docNumber ?? parseHeader(lines).docNumber;
  const { signature } = splitSignature(sourceLines(afterTables.join('\n')));
  outline.header = {
    docNumber,
    title: header.title,
    issuer: header.issuer ?? signature.issuer,
    date: header.date ?? signature.date,
  };
  return outline;
}

/** Where the title lines right above the table start: after the last sentence (a cover letter's body). */
function lastTitleBlock(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (line.length > 40 || /[。；;]$/.test(line) || /[：:]$/.test(line)) return i + 1;
  }
  return 0;
}

/** The document as text: paragraphs as lines, each table row as a line of its cells. */
export function blocksText(blocks: Block[]): string {
  return blocks
    .flatMap((b) => (b.kind === 'paragraph' ? [b.text] : b.rows.map((row) => [...new Set(row.filter((c) => c.trim() !== ''))].join(' '))))
    .join('\n');
}
