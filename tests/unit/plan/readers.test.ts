// Reading plan files safely: formats checked against their bytes, zip bombs refused by
// their declared (or real) size before anything is inflated, Chinese messages for the user.
import { deflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { parsePlanBuffer, parsePlanFile, PlanReadError } from '../../../src/domain/plan/index.ts';
import { listZipEntries } from '../../../src/domain/plan/readers/zip.ts';
import { bodyToBlocks } from '../../../src/domain/plan/readers/doc.ts';

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
  it('splits paragraphs and table rows, keeping a cell of several paragraphs in its row', () => {
    expect(bodyToBlocks('清单\n序号\t工作任务\t责任单位\t\n1\t第一段。\n第二段。\t党政办\n财政所\t\n2\t开展排查。\t应急办\t\n落款\n')).toEqual([
      { kind: 'paragraph', text: '清单' },
      { kind: 'table', rows: [['序号', '工作任务', '责任单位'], ['1', '第一段。\n第二段。', '党政办\n财政所'], ['2', '开展排查。', '应急办']] },
      { kind: 'paragraph', text: '落款' },
      { kind: 'paragraph', text: '' },
    ]);
  });
});

describe('XML entity bombs', () => {
  it('refuses a .docx whose XML declares entities, before parsing it', async () => {
    const zip = new JSZip();
    const lol = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    zip.file('word/document.xml', `<?xml version="1.0"?>${lol}<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>`);
    const err = await refusal(parsePlanBuffer(await zip.generateAsync({ type: 'nodebuffer' }), 'plan.docx'));
    expect(err.code).toBe('corrupt');
  });
});

describe('a table pasted into a .txt', () => {
  it('is read as a table when its rows have a task header', async () => {
    const text = ['2023年安全生产任务清单', '序号\t工作任务\t牵头单位\t配合单位\t完成时限', '1\t开展燃气排查。\t应急办\t市场监管所\t2023年6月底', '2\t组织应急演练。\t应急办\t\t2023年9月底'].join('\n');
    const plan = await parsePlanBuffer(Buffer.from(text), '清单.txt');
    expect(plan.plan.title).toBe('2023年安全生产任务清单');
    expect(plan.tasks.map((t) => [t.code, t.departments, t.lead, t.deadline])).toEqual([
      ['1', ['应急办', '市场监管所'], ['应急办'], '2023-06-30'],
      ['2', ['应急办'], ['应急办'], '2023-09-30'],
    ]);
  });
});

describe('paths', () => {
  it('refuses a directory with a Chinese message', async () => {
    const err = await refusal(parsePlanFile(fixture('real')));
    expect(err).toMatchObject({ code: 'corrupt' });
    expect(err.message).toContain('无法读取');
  });
});
