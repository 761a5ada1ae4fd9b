// Photos WeCom delivers by MediaId are downloaded promptly (a media_id lives 3 days), outside the callback's
// window, through a retrying queue: a job per message, claimed per attempt by an insert (as the outbox does), the
// bytes checked (≤ 10 MB, JPEG or PNG by their bytes) and stored by sha256, then tied to the task's unit. A crash
// anywhere leaves the job due again after its lease; storing and recording are idempotent, so nothing is lost and
// nothing is stored twice.
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Notifier } from '../bot/types.ts';
import { EVIDENCE_MAX_BYTES, isImageKind, sniffFileKind } from '../domain/file-type.ts';
import type { Store } from '../store/database.ts';
import type { EvidenceTarget, MediaJobDoc } from '../store/evidence-models.ts';
import { recordEvidence } from '../store/evidence.ts';
import { storeFile } from '../store/files.ts';
import { claimMediaAttempt, dueMediaJobs, findMediaJob, insertMediaJob, mediaJobsOfUserSince, setMediaJobTargetOnce, updateMediaJob } from '../store/media-jobs.ts';
import { isRetryableFailure } from '../outbox/outbox.ts';
import { createLoop, type BackgroundLoop } from '../background/loop.ts';

/** Where photos come from: WeCom's media/get (or the local stand-in's). */
export interface MediaSource {
  getMedia(mediaId: string): Promise<Buffer>;
}

export interface NewMediaJob {
  msgId: string;
  mediaId: string;
  userid: string;
  at: Date;
  target: EvidenceTarget | null;
}

export async function enqueueMediaDownload(store: Store, job: NewMediaJob): Promise<'queued' | 'exists'> {
  return insertMediaJob(store, { _id: job.msgId, mediaId: job.mediaId, userid: job.userid, at: job.at, target: job.target });
}

/** Photos this member sent since `since` that still wait to be told which task they prove. */
export async function unassignedPhotos(store: Store, userid: string, since: Date): Promise<MediaJobDoc[]> {
  const jobs = await mediaJobsOfUserSince(store, userid, since);
  return jobs.filter((j) => j.target === null && j.state !== 'refused' && j.state !== 'dead');
}

/**
 * Gives waiting photos their task's unit. Photos already stored become evidence now; the others when their
 * download finishes (the downloader reads the target after storing), so the two never both miss or both write.
 */
export async function assignPhotos(store: Store, jobs: MediaJobDoc[], target: EvidenceTarget): Promise<number> {
  for (const job of jobs) {
    await setMediaJobTargetOnce(store, job._id, target);
    const now = await findMediaJob(store, job._id);
    if (now) await recordStoredPhoto(store, now);
  }
  return jobs.length;
}

async function recordStoredPhoto(store: Store, job: MediaJobDoc): Promise<void> {
  if (job.state !== 'stored' || job.target === null || job.sha256 === null) return;
  await recordEvidence(store, {
    id: `wecom:${job._id}`, target: job.target, userid: job.userid, at: job.at,
    file: { sha256: job.sha256, kind: job.kind ?? 'jpeg', size: job.size ?? 0 }, source: 'wecom',
  });
}

export interface MediaDownloaderOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  source: MediaSource;
  notifier: Notifier;
  workerId: string;
  maxAttempts?: number;
  leaseMs?: number;
  backoff?: (attempt: number) => number;
}

export type DownloadOutcome = 'stored' | 'refused' | 'retried' | 'dead' | 'skipped';

export class MediaDownloader {
  private readonly loop: BackgroundLoop;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly backoff: (attempt: number) => number;

  constructor(private readonly opts: MediaDownloaderOptions) {
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.leaseMs = opts.leaseMs ?? 120_000;
    this.backoff = opts.backoff ?? ((attempt) => Math.min(600_000, 10_000 * 2 ** (attempt - 1)));
    this.loop = createLoop(() => this.runOnce(), { name: 'media download', logger: opts.logger.child({ component: 'media' }) });
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }
  kick(): void {
    this.loop.kick();
  }
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over the due jobs, oldest first. */
  async runOnce(): Promise<DownloadOutcome[]> {
    const due = await dueMediaJobs(this.opts.store, this.opts.clock.now(), 10);
    const outcomes: DownloadOutcome[] = [];
    for (const job of due) outcomes.push(await this.download(job));
    return outcomes;
  }

  private async download(job: MediaJobDoc): Promise<DownloadOutcome> {
    const { store, clock } = this.opts;
    const attempt = job.attempts + 1;
    if (!(await claimMediaAttempt(store, job._id, attempt, this.opts.workerId, clock.now()))) return 'skipped';
    await updateMediaJob(store, job._id, { attempts: attempt, nextAttemptAt: new Date(clock.now().getTime() + this.leaseMs) });

    let bytes: Buffer;
    try {
      bytes = await this.opts.source.getMedia(job.mediaId);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (!isRetryableFailure(err) || attempt >= this.maxAttempts) {
        await updateMediaJob(store, job._id, { state: 'dead', lastError: reason });
        await this.tell(job, 'dead', '照片没能从企业微信下载下来，未保存。请重新发送这张照片。');
        return 'dead';
      }
      await updateMediaJob(store, job._id, { nextAttemptAt: new Date(clock.now().getTime() + this.backoff(attempt)), lastError: reason });
      return 'retried';
    }

    const kind = sniffFileKind(bytes);
    const refusal = bytes.length > EVIDENCE_MAX_BYTES
      ? `照片太大（${(bytes.length / 1024 / 1024).toFixed(1)} MB，上限 10 MB），未保存。请压缩后重新发送。`
      : !isImageKind(kind) ? '收到的文件不是 JPG 或 PNG 图片，未保存。佐证照片请直接拍照或从相册发送。' : null;
    if (refusal !== null || !isImageKind(kind)) {
      await updateMediaJob(store, job._id, { state: 'refused', lastError: refusal, size: bytes.length });
      await this.tell(job, 'refused', refusal ?? '');
      return 'refused';
    }
    const { sha256 } = await storeFile(store, bytes, kind, clock.now());
    await updateMediaJob(store, job._id, { state: 'stored', sha256, kind, size: bytes.length, lastError: null });
    const stored = await findMediaJob(store, job._id);
    if (stored) await recordStoredPhoto(store, stored);
    return 'stored';
  }

  private async tell(job: MediaJobDoc, what: string, text: string): Promise<void> {
    await this.opts.notifier.notifyUsers(`media:${job._id}:${what}`, [job.userid], text);
  }
}
