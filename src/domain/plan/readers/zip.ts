// Reading .docx/.xlsx containers safely. A zip declares each entry's uncompressed size in
// its central directory; a bomb declares (or hides) gigabytes in a few kilobytes. The
// directory is checked before anything is inflated, and inflation itself is capped, so a
// directory that lies cannot get past the limit either.
import { inflateRawSync } from 'node:zlib';
import { PlanReadError } from '../errors.ts';

export interface ZipLimits {
  /** Total uncompressed bytes of all entries. */
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxTotalBytes: 50 * 1024 * 1024, maxEntries: 2000 };

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_MARK = 0xffffffff;

const corrupt = (): PlanReadError => new PlanReadError('corrupt', '文件已损坏，无法读取。请用 Word 或 Excel 打开后另存一份再导入。');
export const tooLarge = (): PlanReadError =>
  new PlanReadError('too_large', '文件解压后过大（超过 50 MB），不像一份工作方案，已拒绝读取。');

/** Lists the entries from the central directory and refuses a bomb before inflating anything. */
export function listZipEntries(bytes: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(eocd + 10);
  const size = bytes.readUInt32LE(eocd + 12);
  const offset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === ZIP64_MARK || size === ZIP64_MARK) throw tooLarge(); // zip64: no plan is that big
  if (count > limits.maxEntries) throw tooLarge();
  if (offset + size > bytes.length) throw corrupt();
  const entries: ZipEntry[] = [];
  let total = 0;
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw corrupt();
    const method = bytes.readUInt16LE(p + 10);
    const compressedSize = bytes.readUInt32LE(p + 20);
    const uncompressedSize = bytes.readUInt32LE(p + 24);
    const nameLength = bytes.readUInt16LE(p + 28);
    const extraLength = bytes.readUInt16LE(p + 30);
    const commentLength = bytes.readUInt16LE(p + 32);
    const localHeaderOffset = bytes.readUInt32LE(p + 42);
    if (compressedSize === ZIP64_MARK || uncompressedSize === ZIP64_MARK) throw tooLarge();
    total += uncompressedSize;
    if (total > limits.maxTotalBytes) throw tooLarge();
    const name = bytes.toString('utf8', p + 46, p + 46 + nameLength);
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (bytes.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  }
  throw corrupt();
}

/** Inflates one entry, never past `maxBytes` nor past what its directory entry declared. */
export function readZipEntry(bytes: Buffer, entry: ZipEntry, maxBytes: number = DEFAULT_ZIP_LIMITS.maxTotalBytes): Buffer {
  const p = entry.localHeaderOffset;
  if (p + 30 > bytes.length || bytes.readUInt32LE(p) !== LOCAL_SIGNATURE) throw corrupt();
  const start = p + 30 + bytes.readUInt16LE(p + 26) + bytes.readUInt16LE(p + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw corrupt();
  const data = bytes.subarray(start, end);
  const cap = Math.min(maxBytes, entry.uncompressedSize);
  if (entry.method === 0) return Buffer.from(data.subarray(0, cap));
  if (entry.method !== 8) throw corrupt();
  try {
    // One byte over the declared size is enough to know the directory lied.
    const out = inflateRawSync(data, { maxOutputLength: cap + 1 });
    if (out.length > cap) throw tooLarge();
    return out;
  } catch (err) {
    if (err instanceof PlanReadError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /maxOutputLength|Cannot create a Buffer larger/i.test(String(err))) {
      throw tooLarge();
    }
    throw corrupt();
  }
}

/** Reads the named entries (those that exist), within the limits. */
export function readZipFiles(bytes: Buffer, wanted: (name: string) => boolean, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let budget = limits.maxTotalBytes;
  for (const entry of listZipEntries(bytes, limits)) {
    if (!wanted(entry.name)) continue;
    const data = readZipEntry(bytes, entry, budget);
    budget -= data.length;
    files.set(entry.name, data);
  }
  return files;
}

export const isZip = (bytes: Buffer): boolean => bytes.length >= 4 && bytes.readUInt32LE(0) === LOCAL_SIGNATURE;
