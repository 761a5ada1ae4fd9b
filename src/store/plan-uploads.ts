// A plan file uploaded on the 方案 page, kept between its preview and the admin's 确认导入 (or 取消): the import
// reads these bytes again, so what is imported is exactly what was previewed. Kept an hour at most.
import { randomBytes } from 'node:crypto';
import { Schema, type Model } from 'mongoose';
import type { Store } from './database.ts';

/** One document each: plans are a few hundred KB, far inside MongoDB's 16 MB document limit. */
export const PLAN_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
/** How long a preview waits for its 确认导入; older ones are refused and removed by the cleanup job. */
export const PLAN_UPLOAD_KEEP_MS = 60 * 60_000;

interface PlanUploadDoc {
  _id: string;
  userid: string;
  filename: string;
  bytes: Buffer;
  at: Date;
}

const schema = new Schema<PlanUploadDoc>(
  {
    _id: { type: String, required: true },
    userid: { type: String, required: true },
    filename: { type: String, required: true },
    bytes: { type: Buffer, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'plan_uploads', versionKey: false },
);

function model(store: Store): Model<PlanUploadDoc> {
  return (store.conn.models.PlanUpload as Model<PlanUploadDoc> | undefined) ?? store.conn.model<PlanUploadDoc>('PlanUpload', schema);
}

export async function keepPlanUpload(store: Store, u: { userid: string; filename: string; bytes: Buffer; at: Date }): Promise<string> {
  const id = randomBytes(12).toString('hex');
  await model(store).create({ _id: id, ...u });
  // Old uploads nobody confirmed go as new ones come: no TTL index on FerretDB 1.x.
  await model(store).deleteMany({ at: { $lt: new Date(u.at.getTime() - PLAN_UPLOAD_KEEP_MS) } });
  return id;
}

/** The upload, if it is this admin's and not older than an hour. */
export async function findPlanUpload(store: Store, id: string, userid: string, now: Date): Promise<{ filename: string; bytes: Buffer } | null> {
  const doc = await model(store).findById(id).lean();
  if (!doc || doc.userid !== userid || doc.at.getTime() < now.getTime() - PLAN_UPLOAD_KEEP_MS) return null;
  // lean() gives BSON Binary, whose `buffer` holds the bytes.
  const raw = doc.bytes as unknown as { buffer?: Uint8Array } | Buffer;
  return { filename: doc.filename, bytes: Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer ?? new Uint8Array()) };
}

export async function dropPlanUpload(store: Store, id: string): Promise<void> {
  await model(store).deleteOne({ _id: id });
}

/** Previews nobody confirmed or cancelled, older than `before` (the admin closed the page): their bytes go. */
export async function deletePlanUploadsBefore(store: Store, before: Date): Promise<number> {
  return (await model(store).deleteMany({ at: { $lt: before } })).deletedCount;
}
