// Which reader a file needs, by its extension AND its first bytes: a file whose bytes are
// not what its name claims is refused rather than read as something else.
import { PlanReadError } from '../errors.ts';
import { isZip } from './zip.ts';

export type PlanFormat = 'txt' | 'docx' | 'xlsx' | 'doc';

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
export const MAX_INPUT_BYTES = 20 * 1024 * 1024;

const SUPPORTED = '支持的格式：.docx、.doc、.xlsx、.txt';

type Content = 'zip' | 'ole' | 'binary' | 'text';

function contentOf(bytes: Buffer): Content {
  if (isZip(bytes)) return 'zip';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(OLE_MAGIC)) return 'ole';
  const head = bytes.subarray(0, 4096);
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  return !utf16 && head.includes(0) ? 'binary' : 'text';
}

const CONTENT_NAMES: Record<Content, string> = {
  zip: 'Word 或 Excel（.docx/.xlsx）文件',
  ole: '旧版 Office（.doc/.xls）文件',
  binary: '二进制文件',
  text: '纯文本',
};

export function detectFormat(bytes: Buffer, filename: string): PlanFormat {
  if (bytes.length > MAX_INPUT_BYTES) throw new PlanReadError('too_large', '文件超过 20 MB，不像一份工作方案，已拒绝读取。');
  if (bytes.length === 0) throw new PlanReadError('empty', '文件是空的，没有可导入的内容。');
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  const format: PlanFormat | null = ext === 'txt' || ext === 'text' ? 'txt' : ext === 'docx' || ext === 'xlsx' || ext === 'doc' ? ext : null;
  if (format === null) {
    const advice = ext === 'xls' || ext === 'et' ? '请用 Excel 另存为 .xlsx 后再导入。' : ext === 'wps' ? '请用 WPS 另存为 .docx 后再导入。' : '';
    throw new PlanReadError('unsupported_format', `不支持 ${ext === '' ? '无扩展名的' : `.${ext} `}文件。${SUPPORTED}。${advice}`);
  }
  const expected: Content = format === 'txt' ? 'text' : format === 'doc' ? 'ole' : 'zip';
  const actual = contentOf(bytes);
  if (actual !== expected) {
    throw new PlanReadError('unsupported_format', `文件扩展名是 .${ext}，但内容是${CONTENT_NAMES[actual]}。请确认文件后再导入。`);
  }
  return format;
}
