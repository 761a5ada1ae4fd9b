// Reads the raw request body on the callback routes only, refusing anything over the limit.
import type { Context } from 'koa';
import { HttpError } from '../app.ts';

export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

export async function readRawBody(ctx: Context, limit = MAX_CALLBACK_BODY_BYTES): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new HttpError(413, 'body too large', 'body_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is read and dropped, so the client gets its 413 instead of a reset connection.
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) throw new HttpError(413, 'body too large', 'body_too_large');
  return Buffer.concat(chunks).toString('utf8');
}
