// Small scaled copies of 佐证 photos for the task page, named by the original's sha256 and the box they fit:
// made once (on the first view), then read like any stored file. One small document each (tens of KB).
import { Schema, type Model } from 'mongoose';
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

interface ThumbnailDoc {
  /** `${original sha256}:${box}`. */
  _id: string;
  bytes: Buffer;
  mime: string;
  at: Date;
}

const schema = new Schema<ThumbnailDoc>(
  {
    _id: { type: String, required: true },
    bytes: { type: Buffer, required: true },
    mime: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'thumbnails', versionKey: false },
);

function model(store: Store): Model<ThumbnailDoc> {
  return (store.conn.models.Thumbnail as Model<ThumbnailDoc> | undefined) ?? store.conn.model<ThumbnailDoc>('Thumbnail', schema);
}

export async function findThumbnail(store: Store, sha256: string, box: number): Promise<{ bytes: Buffer; mime: string } | null> {
  const doc = await model(store).findById(`${String(sha256)}:${box}`).lean();
  if (!doc) return null;
  // lean() gives BSON Binary, whose `buffer` holds the bytes.
  const raw = doc.bytes as unknown as { buffer?: Uint8Array } | Buffer;
  return { bytes: Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer ?? new Uint8Array()), mime: doc.mime };
}

/** Two viewers making the same thumbnail at once store it once (the same bytes either way). */
export async function keepThumbnail(store: Store, sha256: string, box: number, thumb: { bytes: Buffer; mime: string }, at: Date): Promise<void> {
  try {
    await model(store).create({ _id: `${sha256}:${box}`, bytes: thumb.bytes, mime: thumb.mime, at });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}
