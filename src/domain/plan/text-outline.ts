// Plain text → outline. Reads the numbered headings of a government plan:
//   一、…            chapter
//   （一）…  (一)…   section (numbered across the document, or restarting per chapter)
//   1、…  1.  1．   item; items may also sit directly under a chapter
//   ——…  （1）…  ①… bullets: the items of a section that has no "1、" items
// with own-line annotations (牵头单位：…) kept apart from the text, and a prose 职责分工
// chapter kept aside as responsibility statements.
import { CHINESE_NUMERAL_CHARS, parseChineseNumeral } from './chinese-numerals.ts';
import { annotationContinues, extractAnnotations, isAnnotationLine, parseAnnotationLine } from './annotations.ts';
import { parseHeader, splitSignature } from './header.ts';
import { hasUnitShape } from './cell-shapes.ts';
import { splitOutsideParentheses } from './units.ts';
import { newFragment, type Fragment, type Outline, type OutlineSection } from './outline.ts';
import {
  endsSentence, firstOutsideParentheses, joinLines, sourceLines, trimEndPunctuation, type SourceLine,
} from './text-lines.ts';

const CN = CHINESE_NUMERAL_CHARS;
const CHAPTER_RE = new RegExp(`^([${CN}]{1,4})\\s*[、．.]\\s*(.+)$`);
// "第一部分 总体要求", "第二章　重点任务", "第三篇：…"
const ORDINAL_CHAPTER_RE = new RegExp(`^第([${CN}]{1,4})(?:部分|章|篇)\\s*[、．.：:]?\\s*(.+)$`);
const SECTION_RE = new RegExp(`^[（(]\\s*([${CN}]{1,4})\\s*[）)]\\s*[、．.]?\\s*(.+)$`);
// "1、" "1." "1．" "１、" "1）"; a digit right after a dot is a decimal ("1.5倍"), not an item,
// while after 、 it is text ("3、9月底前完成…").
const ITEM_RE = /^([0-9０-９]{1,3})\s*(?:、|[．.](?![0-9０-９])|[)）])\s*(.+)$/;
const DASH_RE = /^(?:——|—|－－|--)\s*(.+)$/;
// "（1）…" and "①…" are the items of a section that has no "1、" items (else sub-points).
const MINOR_ITEM_RE = /^(?:[（(][0-9０-９]{1,2}[)）]|[①-⑳])\s*(.+)$/;
// A chapter that states who does what in prose rather than listing tasks. ("重点任务分工"
// lists tasks, so titles naming 任务 are not this.)
const RESPONSIBILITY_CHAPTER_RE =
  /^(?:明确|落实|压实)?(?:部门|单位|成员单位|各单位|相关单位|各部门|有关部门)?(?:职责分工|责任分工|工作职责|职责任务|职责)$/;

interface Numbered {
  number: number;
  rest: string;
}

function matchNumbered(re: RegExp, line: string): Numbered | null {
  const m = re.exec(line);
  if (!m) return null;
  const number = parseChineseNumeral(m[1] ?? '');
  return number !== null && number > 0 ? { number, rest: (m[2] ?? '').trim() } : null;
}

export const matchChapter = (line: string): Numbered | null => matchNumbered(CHAPTER_RE, line) ?? matchNumbered(ORDINAL_CHAPTER_RE, line);
export const matchSection = (line: string): Numbered | null => matchNumbered(SECTION_RE, line);
const matchItem = (line: string): Numbered | null => matchNumbered(ITEM_RE, line);

/** Reads a plain-text plan into its outline. */
export function textOutline(text: string): Outline {
  const { body, signature } = splitSignature(sourceLines(text));
  const firstHeading = body.findIndex((l) => matchChapter(l.text) !== null || matchSection(l.text) !== null);
  const headerLines = firstHeading === -1 ? body : body.slice(0, firstHeading);
  const header = parseHeader(headerLines.map((l) => l.text));
  const outline: Outline = {
    header: {
      docNumber: header.docNumber,
      title: header.title,
      issuer: header.issuer ?? signature.issuer,
      date: signature.date ?? header.date,
    },
    chapters: [],
    sections: [],
    responsibilities: [],
    warnings: [],
  };
  readBody(firstHeading === -1 ? [] : body.slice(firstHeading), outline);
  return outline;
}

/**
 * Walks the body lines. A numbered line opens a chapter/section/item only when it is the
 * expected next number or the line before it closed a sentence or was a heading; otherwise
 * it is a line broken mid-sentence that happens to start with a number.
 */
function readBody(lines: SourceLine[], outline: Outline): void {
  let chapter = { number: 0, title: '' };
  let section: OutlineSection | null = null;
  let fragment: Fragment | null = null; // where text lines go now; null = chapter intro
  let lastItem = 0;
  let prev = '';
  let prevWasHeading = true;
  let openAnnotation = false; // the last own-line annotation continues on the next line
  let inResponsibilities = false;
  // A chapter with no sections or items is itself one task when it names units
  // ("一、加快编制总体方案。……（责任单位：…）"); otherwise its text is an introduction.
  let chapterTask: OutlineSection | null = null;
  const closeChapter = (): void => {
    if (chapterTask !== null && chapterTask.items.length === 0 && namesUnits(chapterTask.intro)) outline.sections.push(chapterTask);
    chapterTask = null;
  };
  const dashSections = new Set<OutlineSection>();
  const paragraphSections = new Set<OutlineSection>();
  let lastWasAnnotation = false;
  // The fragment holds text and then its units, and a new paragraph starts: when the fragment is
  // a section's (or an item-less chapter's) introduction, or already such a paragraph, the new
  // paragraph is the next item.
  const paragraphItem = (current: Fragment, lineNo: number): { section: OutlineSection; fragment: Fragment } | null => {
    if (current.lines.length === 0) return null;
    let target: OutlineSection | null = null;
    if (section !== null && section.items.length === 0 && current === section.intro) target = section;
    else if (section !== null && paragraphSections.has(section) && current === section.items.at(-1)?.body) target = section;
    else if (section === null && chapterTask !== null && current === chapterTask.intro) {
      target = openVirtualSection(current.line);
      target.title = chapterTask.title;
      chapterTask = null;
    }
    if (target === null) return null;
    if (target.items.length === 0) {
      target.items.push({ number: 1, code: null, body: current });
      if (target.intro === current) target.intro = newFragment(current.line);
    }
    paragraphSections.add(target);
    const next = newFragment(lineNo, []);
    target.items.push({ number: target.items.length + 1, code: null, body: next });
    return { section: target, fragment: next };
  };
  // Dash bullets are the items of a section (or chapter) that has no numbered items.
  const takesDashItem = (s: OutlineSection | null, f: Fragment | null): boolean => {
    if (s === null) return f === null || f === chapterTask?.intro;
    if (s.items.length === 0) return f === s.intro;
    return dashSections.has(s) && f === s.items.at(-1)?.body;
  };

  const accepts = (n: Numbered | null, expected: number): n is Numbered =>
    n !== null && (n.number === expected || prevWasHeading || endsSentence(prev));
  const lastSectionNumber = (): number => {
    for (let i = outline.sections.length - 1; i >= 0; i--) {
      const s = outline.sections[i];
      if (s?.number != null) return s.number;
    }
    return 0;
  };
  const openVirtualSection = (line: number): OutlineSection => {
    const virtual: OutlineSection = {
      number: null, chapter: chapter.number, chapterTitle: chapter.title, title: '', leadIn: null,
      intro: newFragment(line), items: [], code: null,
    };
    outline.sections.push(virtual);
    return virtual;
  };

  for (const { text: line, line: lineNo } of lines) {
    const asChapter = matchChapter(line);
    let heading = true;
    if (accepts(asChapter, chapter.number + 1)) {
      closeChapter();
      const heading = headingTitle(asChapter.rest);
      chapter = { number: asChapter.number, title: heading.title };
      const headingUnits = extractAnnotations(asChapter.rest).annotations.flatMap((a) => a.units);
      outline.chapters.push(headingUnits.length > 0 ? { ...chapter, units: headingUnits } : chapter);
      section = null;
      chapterTask = {
        number: null, chapter: chapter.number, chapterTitle: chapter.title, title: chapter.title, leadIn: heading.leadIn,
        intro: newFragment(lineNo, heading.body === '' ? [] : [heading.body]), items: [], code: null,
      };
      fragment = chapterTask.intro;
      lastItem = 0;
      inResponsibilities = RESPONSIBILITY_CHAPTER_RE.test(chapter.title);
    } else if (inResponsibilities) {
      addResponsibility(outline, line, lineNo, prev);
    } else {
      const asSection = matchSection(line);
      const asItem = matchItem(line);
      const asMinor = section !== null ? MINOR_ITEM_RE.exec(line) : null;
      const asDash = DASH_RE.exec(line) ?? asMinor;
      if (section === null && fragment !== null && fragment === chapterTask?.intro && (asSection || asItem || asDash)) {
        // The chapter has parts of its own: its text was an introduction after all.
        if (accepts(asSection, lastSectionNumber() + 1) || accepts(asItem, lastItem + 1) || asDash) chapterTask = null;
      }
      if (accepts(asSection, lastSectionNumber() + 1)) {
        section = openSection(asSection, chapter, lineNo);
        outline.sections.push(section);
        fragment = section.intro;
        lastItem = 0;
      } else if (accepts(asItem, lastItem + 1)) {
        section ??= openVirtualSection(lineNo);
        fragment = newFragment(lineNo, [asItem.rest]);
        section.items.push({ number: asItem.number, code: null, body: fragment });
        lastItem = asItem.number;
        heading = false;
      } else if (asDash && takesDashItem(section, fragment)) {
        section ??= openVirtualSection(lineNo);
        dashSections.add(section);
        fragment = newFragment(lineNo, [asDash[1] ?? '']);
        section.items.push({ number: section.items.length + 1, code: null, body: fragment });
        lastItem = -1; // numbered lines after dash bullets are text
        heading = false;
      } else {
        heading = false;
        // "段落 / 市发改委牵头落实 / 段落 / 市人社局牵头落实": unnumbered paragraphs, each closed by a
        // line of its units, are the items of their section, one each.
        // A unit name broken by the page's line end ("园区党工" / "委、各街道党工委"): the annotation goes on.
        if (fragment !== null && lastWasAnnotation && !openAnnotation && wrapsUnitName(fragment.annotationLines.at(-1) ?? '', line)) {
          openAnnotation = true;
        }
        if (fragment !== null && lastWasAnnotation && !openAnnotation && !isAnnotationLine(line)) {
          const split = paragraphItem(fragment, lineNo);
          if (split !== null) ({ section, fragment } = split);
        }
        const before = fragment?.annotationLines.length ?? 0;
        const continuing = openAnnotation;
        openAnnotation = addBodyLine(fragment, line, lineNo, openAnnotation);
        lastWasAnnotation = (fragment?.annotationLines.length ?? 0) > before || (continuing && fragment !== null);
        lastItem = section !== null && paragraphSections.has(section) ? -1 : lastItem;
      }
    }
    if (heading) {
      openAnnotation = false;
      lastWasAnnotation = false;
    }
    prevWasHeading = heading;
    prev = line;
  }
  closeChapter();
}

/**
 * The annotation's last name is no unit ("园区党工") and the next line's first piece completes it ("委"): text
 * copied from a PDF broke the name at the line's end.
 */
function wrapsUnitName(annotation: string, next: string): boolean {
  if (next.length > 60 || /[。]/.test(next.slice(0, -1))) return false;
  const last = splitOutsideParentheses(annotation.replace(/^.*[：:]/, ''), '、，,；;').at(-1)?.trim() ?? '';
  const first = splitOutsideParentheses(next, '、，,；;。').at(0)?.trim() ?? '';
  if (last === '' || first === '' || first.length > 4 || hasUnitShape(last)) return false;
  return hasUnitShape(`${last}${first}`);
}

function namesUnits(fragment: Fragment): boolean {
  if (extractAnnotations(joinLines(fragment.lines)).annotations.some((a) => a.units.length > 0)) return true;
  return fragment.annotationLines.some((line) => (parseAnnotationLine(line)?.units.length ?? 0) > 0);
}

function addResponsibility(outline: Outline, line: string, lineNo: number, prev: string): void {
  const last = outline.responsibilities.at(-1);
  if (last && !endsSentence(prev) && !/^[（(]?[0-9０-９一二三四五六七八九十]+[)）、．.]/.test(line)) {
    last.text = joinLines([last.text, line]);
    return;
  }
  outline.responsibilities.push({ text: line, line: lineNo });
}

function openSection(heading: Numbered, chapter: { number: number; title: string }, line: number): OutlineSection {
  const { title, body, leadIn } = headingTitle(heading.rest);
  const intro = newFragment(line);
  if (body !== '') intro.lines.push(body);
  return {
    number: heading.number, chapter: chapter.number, chapterTitle: chapter.title, title, leadIn, intro, items: [], code: null,
  };
}

/**
 * Some plans run the body on from the heading: "（五）突出疫情防控。准确把握…". The title is
 * up to the first 。/： outside parentheses, the rest is body text. A heading that ends in an
 * annotation ("（十四）严格政府信息管理（责任部门：党政办）") keeps it as body, so the
 * section's units are read from it like from any other line.
 */
function headingTitle(rest: string): { title: string; body: string; leadIn: string | null } {
  const stop = firstOutsideParentheses(rest, '。：:');
  if (stop > 0 && stop < rest.length - 1) {
    return { title: rest.slice(0, stop).trim(), body: rest.slice(stop + 1).trim(), leadIn: rest.slice(0, stop + 1).trim() };
  }
  const { text, annotations } = extractAnnotations(rest);
  return { title: trimEndPunctuation(text), body: annotations.length > 0 ? rest : '', leadIn: null };
}

/** Adds a non-heading line to the current fragment; returns whether an annotation is open. */
function addBodyLine(fragment: Fragment | null, line: string, lineNo: number, openAnnotation: boolean): boolean {
  if (fragment === null) return false; // chapter introduction: not part of any task
  const lastAnnotation = fragment.annotationLines.length - 1;
  if (openAnnotation && lastAnnotation >= 0) {
    const joined = joinLines([fragment.annotationLines[lastAnnotation] ?? '', line]);
    fragment.annotationLines[lastAnnotation] = joined;
    return annotationContinues(joined);
  }
  if (isAnnotationLine(line)) {
    fragment.annotationLines.push(line);
    fragment.annotationLineNumbers.push(lineNo);
    return annotationContinues(line);
  }
  fragment.lines.push(line);
  return false;
}
