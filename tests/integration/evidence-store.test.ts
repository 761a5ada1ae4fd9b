// 佐证 files in the database: chunked, checked, stored once per content, recorded once per source.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffFileKind } from '../../src/domain/file-type.ts';
import type { Store } from '../../src/store/database.ts';
import { FILE_CHUNK_BYTES } from '../../src/store/evidence-models.ts';
import { evidenceCounts, recordEvidence } from '../../src/store/evidence.ts';
import { readStoredFile, sha256Of, storeFile } from '../../src/store/files.ts';
import { openTestStore } from '../helpers/store.ts';

const AT = new Date('2021-07-26T02:00:00Z');
let store: Store;
beforeAll(async () => {
  store = await openTestStore('evidence');
});
afterAll(async () => store.close());

/** A JPEG as far as its bytes go: the SOI marker, then noise. */
function fakeJpeg(size: number): Buffer {
  const b = randomBytes(size);
  b[0] = 0xff;
  b[1] = 0xd8;
  b[2] = 0xff;
  return b;
}

describe('file store', () => {
  it('stores a file larger than one chunk and reads back the same bytes', async () => {
    const bytes = fakeJpeg(FILE_CHUNK_BYTES * 2 + 1234);
    const r = await storeFile(store, bytes, 'jpeg', AT);
    expect(r).toEqual({ sha256: sha256Of(bytes), created: true });
    const back = await readStoredFile(store, r.sha256);
    expect(back?.kind).toBe('jpeg');
    expect(back?.bytes.equals(bytes)).toBe(true);
    expect(await store.models.FileChunk.countDocuments({})).toBe(3);
  });

  it('stores the same bytes once, even after a crash left some of their chunks behind', async () => {
    const bytes = fakeJpeg(FILE_CHUNK_BYTES + 10);
    const sha = sha256Of(bytes);
    // A first attempt died after its first chunk: no file record, one orphan chunk.
    await store.models.FileChunk.create({ _id: `${sha}:0`, data: bytes.subarray(0, FILE_CHUNK_BYTES) });
    expect(await readStoredFile(store, sha)).toBeNull();
    expect((await storeFile(store, bytes, 'jpeg', AT)).created).toBe(true);
    expect((await storeFile(store, bytes, 'jpeg', AT)).created).toBe(false);
    expect(await store.models.File.countDocuments({ _id: sha })).toBe(1);
    expect(await store.models.FileChunk.countDocuments({ _id: { $in: [`${sha}:0`, `${sha}:1`, `${sha}:2`] } })).toBe(2);
    expect((await readStoredFile(store, sha))?.bytes.equals(bytes)).toBe(true);
  });
});

describe('evidence records', () => {
  it('records one per source and counts distinct files per unit', async () => {
    const target = { planId: new Types.ObjectId(), taskId: new Types.ObjectId(), taskCode: '7.5', department: '经贸办' };
    const photo = fakeJpeg(1000);
    const { sha256 } = await storeFile(store, photo, 'jpeg', AT);
    const file = { sha256, kind: 'jpeg', size: photo.length };
    expect(await recordEvidence(store, { id: 'wecom:m1', target, userid: 'u', at: AT, file, source: 'wecom' })).toBe(true);
    expect(await recordEvidence(store, { id: 'wecom:m1', target, userid: 'u', at: AT, file, source: 'wecom' })).toBe(false);
    // The same photo sent again in another message is a second record but still one file.
    expect(await recordEvidence(store, { id: 'wecom:m2', target, userid: 'u', at: AT, file, source: 'wecom' })).toBe(true);
    const other = await storeFile(store, fakeJpeg(500), 'jpeg', AT);
    await recordEvidence(store, { id: 'web:x', target: { ...target, department: '村建办' }, userid: 'v', at: AT, file: { ...file, sha256: other.sha256 }, source: 'web' });
    expect(Object.fromEntries(await evidenceCounts(store, target.taskId))).toEqual({ 经贸办: 1, 村建办: 1 });
  });
});

describe('sniffFileKind', () => {
  it('judges by the bytes, not the name', () => {
    expect(sniffFileKind(fakeJpeg(10))).toBe('jpeg');
    expect(sniffFileKind(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffFileKind(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffFileKind(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffFileKind(Buffer.from('<html>'))).toBeNull();
    expect(sniffFileKind(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....word/document.xml')]))).toBe('docx');
    expect(sniffFileKind(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....xl/workbook.xml')]))).toBe('xlsx');
    expect(sniffFileKind(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2]))).toBeNull();
  });
});
