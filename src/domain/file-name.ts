// A file name as a browser sent it, made safe to keep and show: no control characters (C0, C1) and none of the
// invisible direction marks and overrides that make `报告\u202Excod.docx` read as `报告docx.exe` on screen.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export function cleanFileName(name: string): string {
  return name.replace(INVISIBLE, '').trim();
}
