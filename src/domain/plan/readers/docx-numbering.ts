// Word's automatic numbering: headings such as "一、" "（一）" "1." are often not in the
// text at all but drawn from word/numbering.xml (directly on the paragraph or through its
// style). Without them a plan has no structure, so the labels are rendered back in front
// of the paragraph text, counting as Word counts.
import { toChineseNumeral } from '../chinese-numerals.ts';

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

interface Level {
  start: number;
  format: string;
  text: string;
}

const tagOf = (node: XmlNode): string => Object.keys(node).find((k) => k !== ':@') ?? '';
const children = (node: XmlNode | undefined): XmlNode[] => {
  if (!node) return [];
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
};
const find = (nodes: XmlNode[], tag: string): XmlNode | undefined => nodes.find((n) => tagOf(n) === tag);
const attr = (node: XmlNode | undefined, name: string): string | undefined => node?.[':@']?.[`@_${name}`];
const val = (node: XmlNode | undefined): string | undefined => attr(node, 'w:val');

export interface NumPr {
  numId: string;
  ilvl: number;
}

export class DocxNumbering {
  private readonly abstractOf = new Map<string, string>();
  private readonly levels = new Map<string, Level[]>(); // by abstractNumId
  private readonly startOverrides = new Map<string, Map<number, number>>(); // by numId
  private readonly styleNumPr = new Map<string, NumPr>();
  private readonly counters = new Map<string, number[]>(); // by abstractNumId

  constructor(numbering: XmlNode[], styles: XmlNode[]) {
    const root = children(find(numbering, 'w:numbering'));
    for (const node of root) {
      if (tagOf(node) === 'w:abstractNum') {
        const id = attr(node, 'w:abstractNumId') ?? '';
        const levels: Level[] = [];
        for (const lvl of children(node).filter((n) => tagOf(n) === 'w:lvl')) {
          const ilvl = Number(attr(lvl, 'w:ilvl') ?? 0);
          const props = children(lvl);
          levels[ilvl] = {
            start: Number(val(find(props, 'w:start')) ?? 1),
            format: val(find(props, 'w:numFmt')) ?? 'decimal',
            text: val(find(props, 'w:lvlText')) ?? '',
          };
        }
        this.levels.set(id, levels);
      } else if (tagOf(node) === 'w:num') {
        const numId = attr(node, 'w:numId') ?? '';
        this.abstractOf.set(numId, val(find(children(node), 'w:abstractNumId')) ?? '');
        const overrides = new Map<number, number>();
        for (const o of children(node).filter((n) => tagOf(n) === 'w:lvlOverride')) {
          const start = val(find(children(o), 'w:startOverride'));
          if (start !== undefined) overrides.set(Number(attr(o, 'w:ilvl') ?? 0), Number(start));
        }
        this.startOverrides.set(numId, overrides);
      }
    }
    const styleNodes = children(find(styles, 'w:styles')).filter((n) => tagOf(n) === 'w:style');
    const basedOn = new Map<string, string>();
    const own = new Map<string, NumPr>();
    for (const style of styleNodes) {
      const id = attr(style, 'w:styleId') ?? '';
      const parent = val(find(children(style), 'w:basedOn'));
      if (parent) basedOn.set(id, parent);
      const numPr = readNumPr(find(children(style), 'w:pPr'));
      if (numPr) own.set(id, numPr);
    }
    for (const style of styleNodes) {
      let id: string | undefined = attr(style, 'w:styleId') ?? '';
      for (let depth = 0; id !== undefined && depth < 10; depth++) {
        const found = own.get(id);
        if (found) {
          this.styleNumPr.set(attr(style, 'w:styleId') ?? '', found);
          break;
        }
        id = basedOn.get(id);
      }
    }
  }

  /** The label Word draws before this paragraph ("一、", "（二）", "3."), or ''. */
  label(pPr: XmlNode | undefined): string {
    const direct = readNumPr(pPr);
    const style = val(find(children(pPr), 'w:pStyle'));
    const styled = style !== undefined ? this.styleNumPr.get(style) : undefined;
    const numPr = direct ?? styled;
    if (!numPr || numPr.numId === '0') return '';
    const abstractId = this.abstractOf.get(numPr.numId);
    const levels = abstractId === undefined ? undefined : this.levels.get(abstractId);
    if (abstractId === undefined || !levels) return '';
    const level = levels[numPr.ilvl];
    if (!level) return '';
    const counters = this.counters.get(abstractId) ?? [];
    const startOf = (i: number): number => this.startOverrides.get(numPr.numId)?.get(i) ?? levels[i]?.start ?? 1;
    counters[numPr.ilvl] = counters[numPr.ilvl] === undefined ? startOf(numPr.ilvl) : (counters[numPr.ilvl] ?? 0) + 1;
    counters.length = numPr.ilvl + 1; // deeper levels restart
    this.counters.set(abstractId, counters);
    if (level.format === 'bullet') return /^[—–-]+$/.test(level.text) ? `${level.text}` : '';
    if (level.format === 'none') return '';
    return level.text.replace(/%(\d)/g, (_, n: string) => {
      const i = Number(n) - 1;
      return formatNumber(counters[i] ?? startOf(i), levels[i]?.format ?? 'decimal');
    });
  }
}

function readNumPr(pPr: XmlNode | undefined): NumPr | null {
  const numPr = find(children(pPr), 'w:numPr');
  if (!numPr) return null;
  const numId = val(find(children(numPr), 'w:numId'));
  if (numId === undefined) return null;
  return { numId, ilvl: Number(val(find(children(numPr), 'w:ilvl')) ?? 0) };
}

function formatNumber(n: number, format: string): string {
  switch (format) {
    case 'chineseCounting':
    case 'chineseCountingThousand':
    case 'chineseLegalSimplified':
    case 'japaneseCounting':
    case 'taiwaneseCounting':
    case 'ideographLegalTraditional':
      return n >= 0 && n <= 9999 ? toChineseNumeral(n) : String(n);
    case 'decimalFullWidth':
    case 'decimalFullWidth2':
      return String(n).replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    case 'decimalEnclosedCircle':
    case 'decimalEnclosedCircleChinese':
      return n >= 1 && n <= 20 ? String.fromCharCode(0x2460 + n - 1) : String(n);
    case 'upperLetter':
      return String.fromCharCode(64 + (((n - 1) % 26) + 1));
    case 'lowerLetter':
      return String.fromCharCode(96 + (((n - 1) % 26) + 1));
    default:
      return String(n);
  }
}
