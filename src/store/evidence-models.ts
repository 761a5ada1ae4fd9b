// Collections of 佐证材料 (evidence): files stored in chunks (FerretDB 1.x has no GridFS), the evidence records that tie
// a file to a task's unit, and the queue of WeCom media waiting to be downloaded.
import { Schema, type Connection, type Types } from 'mongoose';

/** Chunks under 1 MB: far inside the 16 MB document limit, few enough documents for a 10 MB photo. */
export const FILE_CHUNK_BYTES = 768 * 1024;

const fileSchema = new Schema(
  {
    _id: { type: String, required: true }, // sha256 of the bytes: the same photo sent twice is stored once
    kind: { type: String, required: true },
    size: { type: Number, required: true },
    chunks: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'files', versionKey: false },
);

const fileChunkSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${sha256}:${n}`: rewriting a chunk after a crash is a duplicate, not a second copy
    data: { type: Buffer, required: true },
  },
  { collection: 'file_chunks', versionKey: false },
);

const evidenceSchema = new Schema(
  {
    _id: { type: String, required: true }, // `wecom:${msgId}` or `web:${uploadId}`: one record per source, whatever retries
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    taskCode: { type: String, required: true },
    department: { type: String, required: true },
    userid: { type: String, required: true },
    at: { type: Date, required: true },
    sha256: { type: String, required: true },
    kind: { type: String, required: true },
    size: { type: Number, required: true },
    filename: { type: String, default: '' },
    source: { type: String, required: true }, // wecom | web
  },
  { collection: 'evidence', versionKey: false },
);
evidenceSchema.index({ taskId: 1 });

/**
 * A photo WeCom delivered by MediaId, to be downloaded within its 3 days. `target` is the task's unit it proves,
 * or null while the bot waits for `佐证 <编号>`. Claims per attempt are inserts, as in the outbox.
 */
const mediaJobSchema = new Schema(
  {
    _id: { type: String, required: true }, // the message's MsgId: a redelivered callback finds its job
    mediaId: { type: String, required: true },
    userid: { type: String, required: true },
    at: { type: Date, required: true },
    target: { type: Schema.Types.Mixed, default: null }, // {planId, taskId, taskCode, department} | null
    state: { type: String, required: true, default: 'pending' }, // pending | stored | refused | dead
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: null },
    sha256: { type: String, default: null },
    kind: { type: String, default: null },
    size: { type: Number, default: null },
  },
  { collection: 'media_jobs', versionKey: false },
);
mediaJobSchema.index({ state: 1, nextAttemptAt: 1 });
mediaJobSchema.index({ userid: 1, at: -1 });

const mediaClaimSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${jobId}:${attempt}`
    worker: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'media_claims', versionKey: false },
);

export interface EvidenceTarget {
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  taskCode: string;
  department: string;
}

export interface FileDoc {
  _id: string;
  kind: string;
  size: number;
  chunks: number;
  at: Date;
}
export interface EvidenceDoc extends EvidenceTarget {
  _id: string;
  userid: string;
  at: Date;
  sha256: string;
  kind: string;
  size: number;
  filename: string;
  source: 'wecom' | 'web';
}
export interface MediaJobDoc {
  _id: string;
  mediaId: string;
  userid: string;
  at: Date;
  target: EvidenceTarget | null;
  state: 'pending' | 'stored' | 'refused' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sha256: string | null;
  kind: string | null;
  size: number | null;
}

export function createEvidenceModels(conn: Connection) {
  return {
    File: conn.model<FileDoc>('File', fileSchema),
    FileChunk: conn.model<{ _id: string; data: Buffer }>('FileChunk', fileChunkSchema),
    Evidence: conn.model<EvidenceDoc>('Evidence', evidenceSchema),
    MediaJob: conn.model<MediaJobDoc>('MediaJob', mediaJobSchema),
    MediaClaim: conn.model<{ _id: string; worker: string; at: Date }>('MediaClaim', mediaClaimSchema),
  };
}
