// Reading plan files safely: formats checked against their bytes, zip bombs refused by
// their declared (or real) size before anything is inflated, Chinese messages for the user.
import { deflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { parsePlanBuffer, parsePlanFile, PlanReadError } from '../../../src/domain/plan/index.ts';
import { listZipEntries } from '../../../src/domain/plan/readers/zip.ts';
import { linesToBlocks } from '../../../src/domain/plan/readers/doc.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/plans/${name}`, import.meta.url));

async function refusal(promise: Promise<unknown>): Promise<PlanReadError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PlanReadError) return err;
    throw err;
  }
  throw new Error('expected a PlanReadError');
}

/** A zip whose one entry declares `declared` uncompressed bytes; its data inflates to `actual` bytes. */
function zipEntry(name: string, actual: number, declared: number): Buffer {
  const data = deflateRawSync(Buffer.alloc(actual, 0x41));
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const directoryOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

describe('zip bombs', () => {
  it('refuses a small .docx that declares 4 GB uncompressed, before inflating anything', async () => {
    const bomb = zipEntry('word/document.xml', 1000, 0xfffffffe);
    expect(bomb.length).toBeLessThan(2000);
    const err = await refusal(parsePlanBuffer(bomb, 'plan.docx'));
    expect(err.code).toBe('too_large');
    expect(err.message).toMatch(/解压后过大/);
  });

  it('refuses a .xlsx whose entries together declare more than 50 MB', async () => {
    const zip = new JSZip();
    for (let i = 0; i < 6; i++) zip.file(`xl/worksheets/sheet${i}.xml`, 'A'.repeat(10 * 1024 * 1024));
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(bytes.length).toBeLessThan(1024 * 1024);
    expect((await refusal(parsePlanBuffer(bytes, 'plan.xlsx'))).code).toBe('too_large');
  });

  it('catches a directory that lies: declared 1 KB, inflates to 60 MB', async () => {
    const liar = zipEntry('word/document.xml', 60 * 1024 * 1024, 1024);
    expect((await refusal(parsePlanBuffer(liar, 'plan.docx'))).code).toBe('too_large');
  });

  it('refuses too many entries', async () => {
    const zip = new JSZip();
    for (let i = 0; i < 2001; i++) zip.file(`f${i}.xml`, '');
    const bytes = await zip.generateAsync({ type: 'nodebuffer' });
    expect(() => listZipEntries(bytes)).toThrow(PlanReadError);
  });

  it('refuses input over 20 MB before reading it', async () => {
    const err = await refusal(parsePlanBuffer(Buffer.alloc(21 * 1024 * 1024, 0x20), 'plan.txt'));
    expect(err).toMatchObject({ code: 'too_large' });
  });
});

describe('formats by extension and bytes', () => {
  it.each([
    ['a .txt that is really a .docx', 'seed-nanwang-2021-table.docx', 'plan.txt', 'unsupported_format'],
    ['a .docx that is really a .doc', 'seed-nanwang-2021-table.doc', 'plan.docx', 'unsupported_format'],
    ['a .doc that is really a .docx', 'seed-nanwang-2021-table.docx', 'plan.doc', 'unsupported_format'],
    ['a .xlsx that is really a .docx', 'seed-nanwang-2021-table.docx', 'plan.xlsx', 'unsupported_format'],
    ['a .docx that is really a .xlsx', 'seed-nanwang-2021-table.xlsx', 'plan.docx', 'unsupported_format'],
    ['a .docx that is text', 'seed-nanwang-2021.txt', 'plan.docx', 'unsupported_format'],
    ['a .pdf', 'seed-nanwang-2021.txt', 'plan.pdf', 'unsupported_format'],
    ['an old .xls', 'seed-nanwang-2021-table.doc', 'plan.xls', 'unsupported_format'],
  ])('refuses %s', async (_what, source, filename, code) => {
    const err = await refusal(parsePlanBuffer(await readFile(fixture(source)), filename));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('refuses a truncated .docx as corrupt', async () => {
    const bytes = await readFile(fixture('seed-nanwang-2021-table.docx'));
    expect((await refusal(parsePlanBuffer(bytes.subarray(0, 3000), 'plan.docx'))).code).toBe('corrupt');
  });

  it('refuses a truncated .doc as corrupt', async () => {
    const bytes = await readFile(fixture('seed-nanwang-2021-text.doc'));
    expect((await refusal(parsePlanBuffer(bytes.subarray(0, 1200), 'plan.doc'))).code).toBe('corrupt');
  });

  it('refuses an empty file and a file of blank lines as empty', async () => {
    expect((await refusal(parsePlanBuffer(Buffer.alloc(0), 'plan.txt'))).code).toBe('empty');
    expect((await refusal(parsePlanBuffer(Buffer.from('\n \n\u3000\n'), 'plan.txt'))).code).toBe('empty');
  });

  it('refuses a path that does not exist with a Chinese message', async () => {
    const err = await refusal(parsePlanFile('/nonexistent/方案.docx'));
    expect(err.message).toContain('找不到文件');
  });

  it('reads an upper-case .TXT extension', async () => {
    const text = '工作方案\n一、任务\n（一）建设\n推进建设。（责任单位：村建办）\n';
    const plan = await parsePlanBuffer(Buffer.from(text), '方案.TXT');
    expect(plan.tasks.map((t) => t.departments)).toEqual([['村建办']]);
  });
});

describe('.doc text as blocks', () => {
  it('turns runs of tab-separated lines into a table and the rest into paragraphs', () => {
    expect(linesToBlocks(['标题', '序号\t任务\t', '1\t甲\t', '落款'])).toEqual([
      { kind: 'paragraph', text: '标题' },
      { kind: 'table', rows: [['序号', '任务'], ['1', '甲']] },
      { kind: 'paragraph', text: '落款' },
    ]);
  });
});
