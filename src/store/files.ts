// Files kept in the database in chunks, so every instance of the bot reads the same bytes (FerretDB 1.x has no
// GridFS). Named by their sha256: storing the same bytes twice stores them once.
import { createHash } from 'node:crypto';
import type { FileKind } from '../domain/file-type.ts';
import type { Store } from './database.ts';
import { FILE_CHUNK_BYTES } from './evidence-models.ts';
import { isDuplicateKeyError } from './models.ts';

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Chunks first, the file record last: a reader trusts only a file with a record, and a crash in between leaves
 * chunks that the next attempt rewrites as duplicates (same ids, same bytes), never a second copy.
 */
export async function storeFile(store: Store, bytes: Buffer, kind: FileKind, at: Date): Promise<{ sha256: string; created: boolean }> {
  const sha256 = sha256Of(bytes);
  const { File, FileChunk } = store.models;
  if (await File.exists({ _id: sha256 })) return { sha256, created: false };
  const chunks = Math.max(1, Math.ceil(bytes.length / FILE_CHUNK_BYTES));
  for (let n = 0; n < chunks; n++) {
    await ignoreDuplicate(FileChunk.create({ _id: `${sha256}:${n}`, data: bytes.subarray(n * FILE_CHUNK_BYTES, (n + 1) * FILE_CHUNK_BYTES) }));
  }
  const created = await ignoreDuplicate(File.create({ _id: sha256, kind, size: bytes.length, chunks, at }));
  return { sha256, created };
}

export async function readStoredFile(store: Store, sha256: string): Promise<{ bytes: Buffer; kind: FileKind } | null> {
  const file = await store.models.File.findById(sha256).lean();
  if (!file) return null;
  const parts: Buffer[] = [];
  for (let n = 0; n < file.chunks; n++) {
    const chunk = await store.models.FileChunk.findById(`${sha256}:${n}`).lean();
    if (!chunk) throw new Error(`file ${sha256} misses chunk ${n}`);
    parts.push(Buffer.from(chunk.data.buffer ?? chunk.data));
  }
  const bytes = Buffer.concat(parts);
  if (bytes.length !== file.size || sha256Of(bytes) !== sha256) throw new Error(`file ${sha256} does not match its record`);
  return { bytes, kind: file.kind as FileKind };
}

async function ignoreDuplicate(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}
