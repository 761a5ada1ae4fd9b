// A backup archive: one .tar.gz holding manifest.json and one Extended JSON lines file per collection.
// The manifest names each collection's document count, the sha256 of its file and its indexes, so a restore
// checks the whole archive before it writes anything.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import * as tar from 'tar';
import type { Store } from '../store/database.ts';
import { listDataCollections, listIndexSpecs, readDocumentLines, type IndexSpec } from '../store/dump.ts';

export const ARCHIVE_FORMAT = 'duban-backup';
export const ARCHIVE_VERSION = 1;

export interface CollectionEntry {
  name: string;
  count: number;
  /** sha256 of the collection's .jsonl file in the archive. */
  sha256: string;
  bytes: number;
  indexes: IndexSpec[];
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  /** When the backup started (documents written after it may or may not be in it). */
  startedAt: string;
  finishedAt: string;
  /** Where it was taken from: the embedded database or an external one (MongoDB, `db serve`). */
  source: 'embedded' | 'external';
  collections: CollectionEntry[];
}

export class ArchiveError extends Error {}

const fileOf = (collection: string) => `collections/${encodeURIComponent(collection)}.jsonl`;

/**
 * Writes the archive to `out` (through a temporary name beside it, renamed at the end: a crash never leaves a
 * half archive under the real name). Reads with the bot running; see listDataCollections for the order.
 */
export async function writeBackup(store: Store, out: string, now: () => Date): Promise<Manifest> {
  const dir = dirname(out);
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, '.backup-'));
  try {
    const startedAt = now().toISOString();
    mkdirSync(join(work, 'collections'));
    const collections: CollectionEntry[] = [];
    for (const name of await listDataCollections(store)) {
      const indexes = await listIndexSpecs(store, name);
      const file = createWriteStream(join(work, fileOf(name)));
      const hash = createHash('sha256');
      let count = 0;
      let bytes = 0;
      for await (const line of readDocumentLines(store, name)) {
        const chunk = `${line}\n`;
        hash.update(chunk);
        bytes += Buffer.byteLength(chunk);
        count++;
        if (!file.write(chunk)) await new Promise<void>((r) => file.once('drain', () => r()));
      }
      file.end();
      await finished(file);
      collections.push({ name, count, sha256: hash.digest('hex'), bytes, indexes });
    }
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, startedAt, finishedAt: now().toISOString(),
      source: store.kind, collections,
    };
    writeFileSync(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
    const partial = join(dir, `.${basename(out)}.partial`);
    await tar.c({ gzip: true, file: partial, cwd: work, portable: true }, ['manifest.json', 'collections']);
    renameSync(partial, out);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface OpenedArchive {
  manifest: Manifest;
  /** The collection's documents as Extended JSON lines. */
  lines(collection: string): AsyncIterable<string>;
  close(): void;
}

/**
 * Unpacks the archive into a temporary folder beside it and checks every collection against the manifest
 * (sha256 and count) before anyone reads a document: a damaged archive is refused whole.
 */
export async function openBackup(file: string, scratchDir = dirname(file)): Promise<OpenedArchive> {
  const work = mkdtempSync(join(scratchDir, '.restore-'));
  const close = () => rmSync(work, { recursive: true, force: true });
  try {
    try {
      await tar.x({ file, cwd: work, strict: true });
    } catch (err) {
      throw new ArchiveError(`无法解开备份文件（${(err as Error).message}）：文件不完整或不是备份。`);
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      throw new ArchiveError('备份文件中没有可读的 manifest.json：不是督办助手的备份。');
    }
    if (manifest.format !== ARCHIVE_FORMAT) throw new ArchiveError('不是督办助手的备份文件（format 不符）。');
    if (manifest.version > ARCHIVE_VERSION) throw new ArchiveError(`备份格式版本 ${manifest.version} 比本程序新：请先升级督办助手。`);
    for (const c of manifest.collections) {
      const { sha256, count } = await hashAndCount(join(work, fileOf(c.name)));
      if (sha256 !== c.sha256) throw new ArchiveError(`备份已损坏：${c.name} 的 sha256 与清单不符。`);
      if (count !== c.count) throw new ArchiveError(`备份已损坏：${c.name} 有 ${count} 条，清单记为 ${c.count} 条。`);
    }
    return {
      manifest,
      lines: (collection) => readLines(join(work, fileOf(collection))),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

async function hashAndCount(path: string): Promise<{ sha256: string; count: number }> {
  const hash = createHash('sha256');
  let count = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      for (const byte of chunk as Buffer) if (byte === 0x0a) count++;
    }
  } catch {
    throw new ArchiveError(`备份已损坏：缺少 ${basename(path)}。`);
  }
  return { sha256: hash.digest('hex'), count };
}

async function* readLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') yield line;
}
