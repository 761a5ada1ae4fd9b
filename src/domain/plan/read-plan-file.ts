// Reads a plan document from disk as plain text for parsePlan. Plans arrive as Word files
// (.docx) or as text exported from them; either way the parser wants one string.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import mammoth from 'mammoth';

/**
 * Returns the text of a plan file: .docx through mammoth's raw-text extraction (one
 * paragraph per line, blank lines between), anything else as text with the BOM stripped.
 */
export async function readPlanFile(path: string): Promise<string> {
  const ext = extname(path).toLowerCase();
  if (ext === '.docx') return readDocx(path);
  if (ext === '.doc') {
    // mammoth reads only the zip-based format; say so instead of returning binary noise.
    throw new Error(`${path}: legacy .doc files are not supported, save it as .docx or .txt`);
  }
  return decodeText(await readFile(path));
}

async function readDocx(path: string): Promise<string> {
  const result = await mammoth.extractRawText({ path });
  return result.value;
}

/**
 * Decodes a text file: UTF-8 (BOM stripped) normally; UTF-16 when it starts with a UTF-16
 * BOM; GB18030 when the bytes are not valid UTF-8, since text saved by Chinese Windows
 * editors without a BOM is usually GBK, which GB18030 contains.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
