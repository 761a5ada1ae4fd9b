// Reads the raw request body on the callback routes only, refusing anything over the limit.
import type { Context } from 'koa';
import { HttpError } from '../app.ts';

export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

/**
 * The body as text, or 413 past `limit` however it is sent (Content-Length or chunked). Past the limit the rest is
 * read and dropped, so the client gets its 413 instead of a reset connection; the server's request timeout
 * bounds how long that may take, and the connection is closed after the answer.
 */
export async function readRawBody(ctx: Context, limit = MAX_CALLBACK_BODY_BYTES): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) {
    ctx.set('Connection', 'close');
    throw new HttpError(413, 'body too large', 'body_too_large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is read and dropped, so the client gets its 413 instead of a reset connection.
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) {
    ctx.set('Connection', 'close');
    throw new HttpError(413, 'body too large', 'body_too_large');
  }
  return Buffer.concat(chunks).toString('utf8');
}
