// Text that people typed (a 受阻 note, a plan's or a department's name) inside a WeCom markdown message: shown as
// written, never as markup. WeCom's markdown has no escape character, so the characters that start markup become
// their full-width twins, which read the same in Chinese text; line breaks become spaces (a line could start a
// heading or a quote).
const TWIN: Record<string, string> = { '[': '［', ']': '］', '<': '＜', '>': '＞', '*': '＊', '`': '｀', '#': '＃' };

export function markdownText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[[\]<>*`#]/g, (c) => TWIN[c]!);
}
