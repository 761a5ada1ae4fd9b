// The 周报 archive: each weekly digest as it was sent, so the web pages show what people actually received.
// Keyed by the job run and plan: a resumed or repeated run stores it once (insert into the unique _id).
import type { Types } from 'mongoose';
import { Schema, type Model } from 'mongoose';
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

export interface DigestArchiveDoc {
  _id: string; // `${runKey}|${planId}`
  runKey: string;
  planId: Types.ObjectId;
  planTitle: string;
  week: string;
  sentAt: Date;
  rate: number;
  expected: number;
  reported: number;
  /** The group robot's markdown parts, as posted. */
  groupParts: string[];
  /** The leaders' text parts, as sent. */
  leaderParts: string[];
  /** Everything the short messages leave out, as text: what the 周报 page shows. Absent in digests archived before. */
  detailParts?: string[];
}

const digestArchiveSchema = new Schema(
  {
    _id: { type: String, required: true },
    runKey: { type: String, required: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    planTitle: { type: String, required: true },
    week: { type: String, required: true },
    sentAt: { type: Date, required: true },
    rate: { type: Number, required: true },
    expected: { type: Number, required: true },
    reported: { type: Number, required: true },
    groupParts: { type: [String], default: [] },
    leaderParts: { type: [String], default: [] },
    detailParts: { type: [String], default: undefined },
  },
  { collection: 'digests', versionKey: false },
);

function model(store: Store): Model<DigestArchiveDoc> {
  return (store.conn.models.DigestArchive as Model<DigestArchiveDoc> | undefined) ?? store.conn.model<DigestArchiveDoc>('DigestArchive', digestArchiveSchema);
}

export interface ArchivedDigest {
  runKey: string;
  planId: Types.ObjectId;
  planTitle: string;
  week: string;
  sentAt: Date;
  digest: { rate: number; expected: number; reported: number };
  groupParts: string[];
  leaderParts: string[];
  detailParts: string[];
}

/** Stores a digest that was sent; the same run twice stores it once. */
export async function archiveDigest(store: Store, d: ArchivedDigest): Promise<void> {
  try {
    await model(store).create({
      _id: `${d.runKey}|${String(d.planId)}`, runKey: d.runKey, planId: d.planId, planTitle: d.planTitle, week: d.week, sentAt: d.sentAt,
      rate: d.digest.rate, expected: d.digest.expected, reported: d.digest.reported, groupParts: d.groupParts, leaderParts: d.leaderParts, detailParts: d.detailParts,
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/** Newest week first, without the texts (the list page). */
export async function listDigests(store: Store, limit = 200): Promise<Array<Omit<DigestArchiveDoc, 'groupParts' | 'leaderParts' | 'detailParts'>>> {
  const docs = await model(store).find({}, { groupParts: 0, leaderParts: 0, detailParts: 0 }).lean<DigestArchiveDoc[]>();
  return docs.sort((a, b) => b.week.localeCompare(a.week) || b.sentAt.getTime() - a.sentAt.getTime()).slice(0, limit);
}

export async function getDigest(store: Store, id: string): Promise<DigestArchiveDoc | null> {
  return model(store).findOne({ _id: id }).lean<DigestArchiveDoc>();
}

/** The latest digest sent for a week (a re-send after the first): where the messages' link leads. */
export async function latestDigestOfWeek(store: Store, week: string): Promise<DigestArchiveDoc | null> {
  const docs = await model(store).find({ week }).lean<DigestArchiveDoc[]>();
  return docs.sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())[0] ?? null;
}
