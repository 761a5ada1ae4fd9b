// Reads a multipart/form-data upload with one file (busboy, with limits): the fields, and the file's bytes in memory
// (at most `maxFileBytes`, so 10 MB per request). Anything over the limits is read and dropped, then refused with
// 413, however it is sent (Content-Length or chunked), so the browser gets the answer instead of a reset connection.
// An upload has its own time limit, by its size: a phone on a slow link needs minutes for a 4 MB photo, far more
// than the 20 s a WeCom callback gets (src/service.ts); past it the browser gets a Chinese page, not a bare 408.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { Context } from 'koa';
import { cleanFileName } from '../domain/file-name.ts';

export interface UploadedForm {
  fields: Record<string, string>;
  file: { filename: string; bytes: Buffer } | null;
}

/** Room for the form's few small fields and the part headers besides the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** The slowest link an upload is waited for: about 64 kbit/s, a weak mobile signal. */
const SLOW_LINK_BYTES_PER_S = 8 * 1024;
/** However small the form, a minute; however large (or of unknown size), ten minutes at most. */
export const UPLOAD_TIMEOUT_MIN_MS = 60_000;
export const UPLOAD_TIMEOUT_MAX_MS = 10 * 60_000;

/** The time an upload of `declaredBytes` (0 when unknown, as with chunked sending) may take. */
export function uploadTimeoutMs(declaredBytes: number): number {
  if (!(declaredBytes > 0)) return UPLOAD_TIMEOUT_MAX_MS;
  return Math.min(UPLOAD_TIMEOUT_MAX_MS, Math.max(UPLOAD_TIMEOUT_MIN_MS, Math.ceil((declaredBytes / SLOW_LINK_BYTES_PER_S) * 1000)));
}

/** A page's form post (every /web form is multipart): it gets the upload's limit rather than the callbacks'. */
export function isUploadRequest(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): boolean {
  return req.method === 'POST' && (req.url ?? '').startsWith('/web/') && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

const timedOut = (ctx: Context): never =>
  ctx.throw(408, '上传超时，文件没有收到，未保存。请在网络较好时重新上传，或先压缩文件（照片可截图后再传）。', { headers: { Connection: 'close' } });

export const tooLarge = (ctx: Context, maxFileBytes: number): never =>
  ctx.throw(413, `文件超过 ${Math.round(maxFileBytes / 1024 / 1024)} MB，未保存。请压缩或拆分后再上传。`);

export async function readUpload(ctx: Context, maxFileBytes: number, timeoutMs?: number): Promise<UploadedForm> {
  ctx.assert(ctx.is('multipart/form-data'), 400, '请用页面上的上传表单提交文件。');
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > maxFileBytes + FORM_OVERHEAD_BYTES) {
    ctx.set('Connection', 'close');
    for await (const chunk of ctx.req) void chunk; // read and dropped: the browser reads the 413 rather than a reset
    tooLarge(ctx, maxFileBytes);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: ctx.req.headers,
      defParamCharset: 'utf8', // browsers send the file's name in UTF-8
      limits: { files: 1, fileSize: maxFileBytes, fields: 8, fieldSize: 1024, parts: 10, headerPairs: 20 },
    });
  } catch {
    return ctx.throw(400, '上传的表单无法识别，请刷新页面后重试。');
  }
  const fields: Record<string, string> = Object.create(null) as Record<string, string>; // a field named __proto__ is just a name
  let file: UploadedForm['file'] = null;
  let truncated = false;
  let overLimits = false;
  let total = 0;
  let broken = false;
  let late = false;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      // Too slow: answer now, and drop the rest of the body as it comes (so the browser reads the answer rather
      // than a reset); the connection closes behind it, and the server's own limit ends a client that never finishes.
      late = true;
      ctx.req.unpipe(parser);
      ctx.req.resume();
      resolve();
    }, timeoutMs ?? uploadTimeoutMs(declared));
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) overLimits = true;
      else fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        truncated = true;
      });
      stream.on('end', () => {
        if (name === 'file' && !file) file = { filename: cleanFileName(info.filename ?? ''), bytes: Buffer.concat(chunks) };
      });
    });
    parser.on('partsLimit', () => (overLimits = true));
    parser.on('filesLimit', () => (overLimits = true));
    parser.on('fieldsLimit', () => (overLimits = true));
    parser.on('close', resolve);
    parser.on('error', () => {
      // A malformed or cut-off form: stop parsing, drop the rest of the body, and say so.
      ctx.req.unpipe(parser);
      ctx.req.resume();
      broken = true;
      resolve();
    });
    ctx.req.on('data', (chunk: Buffer) => {
      total += chunk.length;
    });
    ctx.req.pipe(parser);
  });
  clearTimeout(timer);
  if (late) {
    ctx.set('Connection', 'close');
    timedOut(ctx);
  }
  ctx.assert(!broken, 400, '上传的表单不完整，请重新选择文件上传。');
  if (truncated || total > maxFileBytes + FORM_OVERHEAD_BYTES) {
    ctx.set('Connection', 'close');
    tooLarge(ctx, maxFileBytes);
  }
  ctx.assert(!overLimits, 400, '上传的表单有多余内容，请用页面上的表单一次上传一个文件。');
  return { fields, file };
}
