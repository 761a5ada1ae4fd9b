// Job runs: (job, period) claimed by inserting its key into a unique index; finished by recording when and what.
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

export interface JobRunRecord {
  key: string;
  job: string;
  period: string;
  claimedAt: Date;
  claimedBy: string;
  finishedAt: Date | null;
  summary: unknown;
}

/** True when this insert made the claim; false when the key exists (someone claimed it before). */
export async function insertJobRun(store: Store, run: Pick<JobRunRecord, 'key' | 'job' | 'period' | 'claimedAt' | 'claimedBy'>): Promise<boolean> {
  try {
    await store.models.JobRun.create(run);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

export async function findJobRun(store: Store, key: string): Promise<JobRunRecord | null> {
  return store.models.JobRun.findOne({ key }).lean<JobRunRecord>();
}

export async function isJobRunFinished(store: Store, key: string): Promise<boolean> {
  const run = await store.models.JobRun.findOne({ key }, { finishedAt: 1 }).lean<Pick<JobRunRecord, 'finishedAt'>>();
  return !!run?.finishedAt;
}

export async function finishJobRun(store: Store, key: string, finishedAt: Date, summary: unknown): Promise<void> {
  await store.models.JobRun.updateOne({ key }, { $set: { finishedAt, summary } });
}

/** The finished runs of a job, any period. */
export async function finishedRunsOf(store: Store, job: string): Promise<JobRunRecord[]> {
  return store.models.JobRun.find({ job, finishedAt: { $ne: null } }).lean<JobRunRecord[]>();
}
