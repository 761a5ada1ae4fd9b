// Plain-text plan files: the encodings Chinese offices actually produce.

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
