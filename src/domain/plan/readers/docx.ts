// .docx → blocks: paragraphs and tables of word/document.xml, in order. Merged cells
// (w:gridSpan across columns, w:vMerge down rows) give their text to every cell they cover.
import { XMLParser } from 'fast-xml-parser';
import { PlanReadError } from '../errors.ts';
import type { Block } from './blocks.ts';
import { DocxNumbering } from './docx-numbering.ts';
import { readZipFiles } from './zip.ts';

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
});

const PARTS = ['word/document.xml', 'word/numbering.xml', 'word/styles.xml'];

export function readDocxBlocks(bytes: Buffer): Block[] {
  const files = readZipFiles(bytes, (name) => PARTS.includes(name));
  const xml = files.get('word/document.xml');
  if (!xml) throw new PlanReadError('unsupported_format', '这个文件不是 Word 文档（.docx），请确认文件类型后再导入。');
  const tree = parseXml(xml);
  const numbering = new DocxNumbering(parseXml(files.get('word/numbering.xml')), parseXml(files.get('word/styles.xml')));
  const body = children(find(children(find(tree, 'w:document')), 'w:body'));
  const blocks: Block[] = [];
  new BlockReader(numbering).collect(body, blocks);
  return blocks;
}

function parseXml(xml: Buffer | undefined): XmlNode[] {
  if (xml === undefined) return [];
  try {
    return parser.parse(xml.toString('utf8')) as XmlNode[];
  } catch {
    throw new PlanReadError('corrupt', 'Word 文档内容已损坏，无法读取。请用 Word 打开后另存一份再导入。');
  }
}

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ':@') ?? '';
}

function children(node: XmlNode | undefined): XmlNode[] {
  if (!node) return [];
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function find(nodes: XmlNode[], tag: string): XmlNode | undefined {
  return nodes.find((n) => tagOf(n) === tag);
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  return node?.[':@']?.[`@_${name}`];
}

// Reads body content in document order; numbering counters advance as Word's do.
class BlockReader {
  constructor(private readonly numbering: DocxNumbering) {}

  // Content controls (w:sdt) and tracked insertions wrap ordinary paragraphs and tables.
  collect(nodes: XmlNode[], out: Block[]): void {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === 'w:p') out.push({ kind: 'paragraph', text: this.paragraph(node) });
      else if (tag === 'w:tbl') out.push({ kind: 'table', rows: this.table(node) });
      else if (tag === 'w:sdt' || tag === 'w:sdtContent' || tag === 'w:ins' || tag === 'w:customXml') this.collect(children(node), out);
    }
  }

  /** The text of a paragraph: its numbering label, then every w:t in order, tabs as spaces. */
  paragraph(node: XmlNode): string {
    return this.numbering.label(find(children(node), 'w:pPr')) + paragraphText(node);
  }

  table(table: XmlNode): string[][] {
    const grid: string[][] = [];
    for (const row of children(table).filter((n) => tagOf(n) === 'w:tr')) {
      const trPr = find(children(row), 'w:trPr');
      const before = Number(attr(find(children(trPr), 'w:gridBefore'), 'w:val') ?? 0) || 0;
      const cells: string[] = Array.from({ length: before }, () => '');
      for (const cell of children(row).filter((n) => tagOf(n) === 'w:tc').map((c) => this.cell(c))) {
        const column = cells.length;
        const above = grid.at(-1)?.[column] ?? '';
        const text = cell.vMerge === 'continue' ? above : cell.text;
        for (let i = 0; i < cell.span; i++) cells.push(text);
      }
      grid.push(cells);
    }
    return grid;
  }

  cell(cell: XmlNode): RawCell {
    const props = children(find(children(cell), 'w:tcPr'));
    const span = Number(attr(find(props, 'w:gridSpan'), 'w:val') ?? 1) || 1;
    const vMergeNode = find(props, 'w:vMerge');
    const vMerge = vMergeNode === undefined ? null : attr(vMergeNode, 'w:val') === 'restart' ? 'restart' : 'continue';
    const paragraphs: string[] = [];
    const walk = (nodes: XmlNode[]): void => {
      for (const n of nodes) {
        const tag = tagOf(n);
        if (tag === 'w:p') paragraphs.push(this.paragraph(n));
        else if (tag === 'w:tbl') paragraphs.push(...this.table(n).map((r) => r.join(' ')));
        else if (tag === 'w:sdt' || tag === 'w:sdtContent') walk(children(n));
      }
    };
    walk(children(cell));
    return { text: paragraphs.join('\n').trim(), span: Math.min(span, 64), vMerge };
  }
}

/** Every w:t of a paragraph in order (runs, hyperlinks, insertions), tabs as spaces. */
function paragraphText(node: XmlNode): string {
  let text = '';
  const walk = (nodes: XmlNode[]): void => {
    for (const n of nodes) {
      const tag = tagOf(n);
      if (tag === '#text') continue;
      if (tag === 'w:t') text += children(n).map((c) => String(c['#text'] ?? '')).join('');
      else if (tag === 'w:tab') text += ' ';
      else if (tag === 'w:br' || tag === 'w:cr') text += '\n';
      else if (tag === 'w:del' || tag === 'w:delText' || tag === 'w:instrText' || tag === 'w:pPr' || tag === 'w:rPr') continue;
      else walk(children(n));
    }
  };
  walk(children(node));
  return text;
}

interface RawCell {
  text: string;
  span: number;
  vMerge: 'restart' | 'continue' | null;
}
