// 佐证材料 records: which stored file proves which task's unit, from which message or upload. One record per
// source: a redelivered message or a retried upload finds its record and writes nothing.
import type { Types } from 'mongoose';
import type { Store } from './database.ts';
import { noteStandingChange } from './progress-cache.ts';
import type { EvidenceDoc, EvidenceTarget } from './evidence-models.ts';
import { isDuplicateKeyError } from './models.ts';

export interface NewEvidence {
  id: string; // `wecom:${msgId}` | `web:${uploadId}`
  target: EvidenceTarget;
  userid: string;
  at: Date;
  file: { sha256: string; kind: string; size: number; filename?: string };
  source: 'wecom' | 'web';
}

export async function recordEvidence(store: Store, e: NewEvidence): Promise<boolean> {
  try {
    await store.models.Evidence.create({
      _id: e.id, ...e.target, userid: e.userid, at: e.at, sha256: e.file.sha256, kind: e.file.kind, size: e.file.size,
      filename: e.file.filename ?? '', source: e.source,
    });
    noteStandingChange(store);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Distinct files per unit of a task ("经贸办" → 2): the same photo sent twice counts once. */
export async function evidenceCounts(store: Store, taskId: Types.ObjectId): Promise<Map<string, number>> {
  const rows = await evidenceOf(store, taskId);
  const files = new Map<string, Set<string>>();
  for (const r of rows) files.set(r.department, (files.get(r.department) ?? new Set()).add(r.sha256));
  return new Map([...files].map(([d, s]) => [d, s.size]));
}

export async function evidenceOf(store: Store, taskId: Types.ObjectId): Promise<EvidenceDoc[]> {
  return (await store.models.Evidence.find({ taskId }).lean<EvidenceDoc[]>()).sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** One 佐证 record by its id (`wecom:…` / `web:…`), or null. */
export async function evidenceById(store: Store, id: string): Promise<EvidenceDoc | null> {
  if (typeof id !== 'string') return null; // an id from a URL or a form: never an operator object
  return store.models.Evidence.findById(id).lean<EvidenceDoc>();
}
