// 佐证材料 on the pages: the task page's list (thumbnails for photos, downloads for files), the upload of a file by
// a member responsible for the task, and the download of a stored file to a viewer who may see its task.
// The type is the one sniffed from the bytes, never the name or the browser's word.
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Clock } from '../clock.ts';
import { EVIDENCE_MAX_BYTES, FILE_EXTENSION, FILE_MIME, isImageKind, sniffFileKind, type FileKind } from '../domain/file-type.ts';
import { formatLocal } from '../domain/period.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import { evidenceById, evidenceOf, recordEvidence } from '../store/evidence.ts';
import type { EvidenceDoc } from '../store/evidence-models.ts';
import { readStoredFile, sha256Of, storeFile } from '../store/files.ts';
import { findThumbnail, keepThumbnail } from '../store/thumbnails.ts';
import type { TaskDoc } from '../store/models.ts';
import type { WebAuth } from './auth.ts';
import { readUpload } from './multipart.ts';
import { makeThumbnail, THUMB_BOX } from './thumbnail.ts';
import { canUploadEvidence, type User } from '../access.ts';

export const ACCEPTED_TYPES = '.pdf,.docx,.xlsx,.jpg,.jpeg,.png';
const UPLOAD_TOKEN = /^[0-9a-f]{32}$/;

export interface EvidenceItem {
  url: string;
  /** For photos: the small scaled copy the task page shows (the link still opens the original). */
  thumb: string | null;
  image: boolean;
  label: string;
  who: string;
  when: string;
  size: string;
}

/**
 * The task's 佐证 by unit, in the order of `departments` (then any unit the task no longer names: its files stay
 * shown), only those with files; each unit's count is distinct files.
 */
export async function evidenceByUnit(store: Store, task: Pick<TaskDoc, '_id'>, departments: string[], names: (ids: string[]) => Promise<Map<string, string>>) {
  const rows = await evidenceOf(store, task._id);
  const who = await names(rows.map((r) => r.userid));
  const out: Array<{ department: string; count: number; items: EvidenceItem[] }> = [];
  for (const department of [...new Set([...departments, ...rows.map((r) => r.department)])]) {
    const mine = rows.filter((r) => r.department === department);
    if (mine.length === 0) continue;
    out.push({
      department, count: new Set(mine.map((r) => r.sha256)).size,
      items: mine.map((r) => ({
        url: evidenceUrl(r._id), thumb: isImageKind(r.kind as FileKind) ? `${evidenceUrl(r._id)}?thumb=1` : null, image: isImageKind(r.kind as FileKind), label: r.filename || `${r.source === 'wecom' ? '照片' : '文件'}.${FILE_EXTENSION[r.kind as FileKind] ?? ''}`,
        who: who.get(r.userid) ?? r.userid, when: formatLocal(r.at, 'M月D日 HH:mm'), size: sizeText(r.size),
      })),
    });
  }
  return out;
}

export function evidenceUrl(id: string): string {
  return `/web/evidence/${encodeURIComponent(id)}`;
}

export function newUploadToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Sends the stored bytes with their sniffed type; `mayView` says whether the viewer may see the evidence's task.
 * With `thumb` (the time for the record), a photo's thumbnail instead (made on the first request and kept); a picture that cannot be scaled
 * is sent as it is.
 */
export async function sendEvidence(ctx: Context, store: Store, id: string, mayView: (e: EvidenceDoc) => Promise<boolean>, thumb?: { now: Date }): Promise<void> {
  const e = await evidenceById(store, id);
  if (!e) return ctx.throw(404, '没有这份佐证材料。');
  ctx.assert(await mayView(e), 403, '这份佐证材料不属于您的部门。');
  if (thumb && isImageKind(e.kind as FileKind) && (await sendThumbnail(ctx, store, e, thumb.now))) return;
  // Revalidated on every view (the viewer's rights may change), but the bytes, named by their sha256, never do.
  const etag = `"${e.sha256}"`;
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', 'private, no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (ctx.get('If-None-Match') === etag) {
    ctx.status = 304;
    return;
  }
  const file = await readStoredFile(store, e.sha256);
  if (!file) return ctx.throw(404, '这份佐证材料的文件还没有存好，请稍后再试。');
  const ext = FILE_EXTENSION[file.kind];
  const name = `${safeBaseName(e.filename) || `佐证-${e.taskCode}-${e.department}`}.${ext}`;
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  const fallback = `evidence-${e.taskCode.replace(/[^0-9A-Za-z.]/g, '')}.${ext}`;
  ctx.set('Content-Disposition', `${isImageKind(file.kind) ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${rfc5987(name)}`);
  ctx.type = FILE_MIME[file.kind];
  ctx.body = file.bytes;
}

async function sendThumbnail(ctx: Context, store: Store, e: EvidenceDoc, now: Date): Promise<boolean> {
  const etag = `"${e.sha256}-t${THUMB_BOX}"`;
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', 'private, no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  if (ctx.get('If-None-Match') === etag) {
    ctx.status = 304;
    return true;
  }
  let thumb = await findThumbnail(store, e.sha256, THUMB_BOX);
  if (!thumb) {
    const file = await readStoredFile(store, e.sha256);
    if (!file) return ctx.throw(404, '这份佐证材料的文件还没有存好，请稍后再试。');
    thumb = await keepNewThumbnail(store, e.sha256, file.bytes, now);
    if (!thumb) {
      ctx.remove('ETag');
      return false;
    }
  }
  ctx.set('Content-Disposition', 'inline; filename="thumbnail.jpg"');
  ctx.type = thumb.mime;
  ctx.body = thumb.bytes;
  return true;
}

/** Makes and keeps a photo's thumbnail; null when the photo is its own (small already, or not decodable). */
async function keepNewThumbnail(store: Store, sha256: string, bytes: Buffer, now: Date): Promise<{ bytes: Buffer; mime: string } | null> {
  const thumb = await makeThumbnail(bytes, THUMB_BOX);
  if (thumb) await keepThumbnail(store, sha256, THUMB_BOX, thumb, now);
  return thumb;
}

export interface UploadTarget {
  planId: TaskDoc['planId'];
  task: TaskDoc;
  units: string[];
}

/** Reads, checks and stores an uploaded 佐证; the outcome for the page to show. Refusals are Koa's HTTP errors and store nothing. */
export async function receiveUpload(ctx: Context, deps: { store: Store; clock: Clock; logger: Logger; auth: WebAuth }, viewer: User, target: UploadTarget): Promise<'stored' | 'again'> {
  const { store, clock } = deps;
  const form = await readUpload(ctx, EVIDENCE_MAX_BYTES);
  ctx.assert(deps.auth.checkFormToken(ctx, form.fields.csrf ?? ''), 403, '页面已过期，请刷新页面后重新上传。');
  const token = form.fields.upload ?? '';
  ctx.assert(UPLOAD_TOKEN.test(token), 400, '上传表单不完整，请刷新页面后重新上传。');
  const unit = form.fields.unit ?? '';
  ctx.assert(canUploadEvidence(viewer, target.units, unit), 403, `您不能为“${unit || '未选择的部门'}”上传这项任务的佐证。`);
  if (!form.file || form.file.bytes.length === 0) return ctx.throw(400, '请先选择要上传的文件。');
  const kind = sniffFileKind(form.file.bytes);
  if (!kind) return ctx.throw(415, '只收 PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG 文件；这个文件的内容不是其中一种，未保存。');
  const id = `web:${token}`;
  const existing = await evidenceById(store, id);
  if (existing) {
    // The same form sent twice (a double click, a resubmitted page): recorded once.
    ctx.assert(existing.sha256 === sha256Of(form.file.bytes), 409, '这个表单已经提交过，请刷新页面后再上传新的文件。');
    return 'again';
  }
  const at = clock.now();
  const { sha256, created: newFile } = await storeFile(store, form.file.bytes, kind, at);
  // The page the upload returns to shows the thumbnail at once: made now, while the uploader waits anyway.
  if (newFile && isImageKind(kind)) {
    await keepNewThumbnail(store, sha256, form.file.bytes, at).catch((err: unknown) => deps.logger.warn({ sha256, err: err instanceof Error ? err.message : String(err) }, 'thumbnail not made'));
  }
  const created = await recordEvidence(store, {
    id, target: { planId: target.planId, taskId: target.task._id, taskCode: target.task.code, department: unit }, userid: viewer.userid, at,
    file: { sha256, kind, size: form.file.bytes.length, filename: safeBaseName(form.file.filename) ? `${safeBaseName(form.file.filename)}.${FILE_EXTENSION[kind]}` : '' },
    source: 'web',
  });
  deps.logger.info({ userid: viewer.userid, task: target.task.code, department: unit, sha256, kind, size: form.file.bytes.length }, 'web evidence uploaded');
  return created ? 'stored' : 'again';
}

/** A filename's base without its extension, without path parts, quotes or control characters, at most 60 characters. */
export function safeBaseName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const noExt = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return [...noExt.replace(/[\u0000-\u001f\u007f"'<>:|?*;]/g, '').trim()].slice(0, 60).join('').replace(/^\.+/, '');
}

/** encodeURIComponent leaves ' ( ) * ! unencoded; RFC 5987's attr-char does not allow the first four. */
function rfc5987(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
