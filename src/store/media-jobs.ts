// The photo download queue as stored: one job per WeCom message (its MsgId), one claim insert per attempt.
import type { Store } from './database.ts';
import type { EvidenceTarget, MediaJobDoc } from './evidence-models.ts';
import { isDuplicateKeyError } from './models.ts';

export type NewMediaJobRecord = Pick<MediaJobDoc, '_id' | 'mediaId' | 'userid' | 'at' | 'target'>;

/** 'exists' when the message's job was stored before (a redelivered callback). */
export async function insertMediaJob(store: Store, job: NewMediaJobRecord): Promise<'queued' | 'exists'> {
  try {
    await store.models.MediaJob.create({ ...job, nextAttemptAt: job.at });
    return 'queued';
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'exists';
    throw err;
  }
}

export async function mediaJobsOfUserSince(store: Store, userid: string, since: Date): Promise<MediaJobDoc[]> {
  return store.models.MediaJob.find({ userid, at: { $gte: since } }).lean<MediaJobDoc[]>();
}

export async function findMediaJob(store: Store, id: string): Promise<MediaJobDoc | null> {
  return store.models.MediaJob.findById(id).lean<MediaJobDoc>();
}

/** Gives a job its target unless it has one already (the first answer wins). */
export async function setMediaJobTargetOnce(store: Store, id: string, target: EvidenceTarget): Promise<void> {
  await store.models.MediaJob.updateOne({ _id: id, target: null }, { $set: { target } });
}

export async function dueMediaJobs(store: Store, now: Date, limit: number): Promise<MediaJobDoc[]> {
  return store.models.MediaJob.find({ state: 'pending', nextAttemptAt: { $lte: now } }).sort({ at: 1 }).limit(limit).lean<MediaJobDoc[]>();
}

export type MediaJobFields = Partial<Pick<MediaJobDoc, 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sha256' | 'kind' | 'size'>>;

export async function updateMediaJob(store: Store, id: string, set: MediaJobFields): Promise<void> {
  await store.models.MediaJob.updateOne({ _id: id }, { $set: set });
}

/** True when this insert won attempt `attempt` of the job. */
export async function claimMediaAttempt(store: Store, id: string, attempt: number, worker: string, at: Date): Promise<boolean> {
  try {
    await store.models.MediaClaim.create({ _id: `${id}:${attempt}`, worker, at });
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}
