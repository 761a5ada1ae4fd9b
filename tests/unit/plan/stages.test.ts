// Each stage on its own: annotations, header, outline, codes, 职责分工 mapping, warnings,
// zip directory, format detection.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { collectUnits, extractAnnotations, parseAnnotationLine, parseUnitList } from '../../../src/domain/plan/annotations.ts';
import { buildTasks } from '../../../src/domain/plan/build-tasks.ts';
import { checkTasks } from '../../../src/domain/plan/check-tasks.ts';
import { parseHeader } from '../../../src/domain/plan/header.ts';
import { mapResponsibilities } from '../../../src/domain/plan/responsibilities.ts';
import { textOutline } from '../../../src/domain/plan/text-outline.ts';
import { detectFormat } from '../../../src/domain/plan/readers/detect.ts';
import { listZipEntries, readZipEntry } from '../../../src/domain/plan/readers/zip.ts';
import type { PlanWarning } from '../../../src/domain/plan/types.ts';

describe('annotations', () => {
  it('parses unit lists with roles per clause', () => {
    expect(parseUnitList('经贸办牵头，财政所、农办配合', false)).toEqual([
      { name: '经贸办', lead: true }, { name: '财政所', lead: false }, { name: '农办', lead: false },
    ]);
    expect(parseUnitList('区发改委、区商务局按职责分工负责', false)).toEqual([
      { name: '区发改委', lead: false }, { name: '区商务局', lead: false },
    ]);
    expect(parseUnitList('县农业农村局指导，镇农办主抓', false)).toEqual([
      { name: '县农业农村局', lead: false }, { name: '镇农办', lead: true },
    ]);
  });

  it('reads bracketed and keyed annotations, leaders apart', () => {
    expect(parseAnnotationLine('〔牵头单位:区发改委;责任领导:王某〕')).toEqual({
      units: [{ name: '区发改委', lead: true }], deadlineTexts: [], leaders: ['王某'],
    });
    expect(extractAnnotations('做好公开。[责任单位:党政办]').text).toBe('做好公开。');
    expect(extractAnnotations('依据（济政办字〔2021〕18号）执行。').text).toBe('依据（济政办字〔2021〕18号）执行。');
  });

  it('lists lead units first', () => {
    expect(collectUnits([{ name: 'B', lead: false }, { name: 'A', lead: true }, { name: 'B', lead: false }])).toEqual({
      departments: ['A', 'B'], lead: ['A'],
    });
  });
});

describe('header', () => {
  it('takes the plan title after a cover letter, the letter’s 文号 and date', () => {
    expect(parseHeader(['某县人民政府文件', '县政发〔2023〕5号', '关于印发《某县2023年安全生产工作方案》的通知', '各乡镇：', '现将方案印发给你们，请认真执行。', '某县人民政府', '2023年3月1日', '（此件公开发布）', '某县2023年安全生产工作方案'])).toEqual({
      docNumber: '县政发〔2023〕5号', title: '某县2023年安全生产工作方案', issuer: '某县人民政府', date: '2023-03-01',
    });
  });

  it('falls back to the plan named in the letter title', () => {
    expect(parseHeader(['县政发〔2023〕5号', '关于印发《某县2023年安全生产工作方案》的通知', '各乡镇：']).title).toBe('某县2023年安全生产工作方案');
  });
});

describe('outline and codes', () => {
  it('reads chapters, sections and items into the outline', () => {
    const outline = textOutline(['方案', '一、甲', '（一）子', '1、做A。', '2、做B。', '二、乙', '1、做C。（C办负责）'].join('\n'));
    expect(outline.chapters.map((c) => c.title)).toEqual(['甲', '乙']);
    expect(outline.sections.map((s) => [s.number, s.chapter, s.title, s.items.map((i) => i.number)])).toEqual([
      [1, 1, '子', [1, 2]],
      [null, 2, '', [1]],
    ]);
  });

  it('builds codes and never repeats one', () => {
    const warnings: PlanWarning[] = [];
    const outline = textOutline(['方案', '一、甲', '1、做A。', '1、做B。（B办负责）', '（一）子', '做C。'].join('\n'));
    const codes = buildTasks(outline, warnings).map((b) => b.task.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('职责分工 mapping', () => {
  it('adds units to the task whose wording a statement names', () => {
    const warnings: PlanWarning[] = [];
    const built = buildTasks(textOutline(['方案', '一、任务', '（一）开展村庄清洁行动', '清理垃圾。'].join('\n')), warnings);
    mapResponsibilities([{ text: '农办牵头负责村庄清洁行动。', line: 9 }, { text: '一段说明文字。', line: 10 }], built, warnings);
    expect(built[0]?.task).toMatchObject({ departments: ['农办'], lead: ['农办'] });
    expect(warnings).toEqual([{ kind: 'responsibility_unmapped', message: '职责分工第10行未能对应到具体任务：一段说明文字。' }]);
  });
});

describe('check-tasks', () => {
  it('warns once per unknown unit with its tasks', () => {
    const warnings: PlanWarning[] = [];
    const t = (code: string, departments: string[]) => ({
      code, chapter: 1, section: 1, item: null, chapterTitle: '', sectionTitle: '', title: '', text: '', departments, lead: [], leaders: [],
      collective: false, deadline: null, deadlineText: null,
    });
    checkTasks([t('1', ['甲办', '乙办']), t('2', ['乙办']), t('3', ['乙办']), t('4', ['乙办']), t('5', ['乙办'])], ['甲办'], warnings);
    expect(warnings).toEqual([{ kind: 'unknown_unit', message: '单位“乙办”不在已有部门中（任务 1、2、3 等 5 项）', code: '1' }]);
  });
});

describe('zip directory and formats', () => {
  it('lists and inflates the entries of an ordinary zip', async () => {
    const zip = new JSZip();
    zip.file('word/document.xml', '<w:document/>');
    zip.file('a.txt', 'x'.repeat(1000));
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const entries = listZipEntries(bytes).filter((e) => !e.name.endsWith('/'));
    expect(entries.map((e) => [e.name, e.uncompressedSize])).toEqual([['word/document.xml', 13], ['a.txt', 1000]]);
    expect(readZipEntry(bytes, entries[1]!).toString()).toBe('x'.repeat(1000));
  });

  it('detects formats by extension and bytes', () => {
    expect(detectFormat(Buffer.from('一、任务'), 'plan.txt')).toBe('txt');
    expect(() => detectFormat(Buffer.from('PK\u0003\u0004'), 'plan.txt')).toThrow(/内容是Word 或 Excel/);
    expect(() => detectFormat(Buffer.from('x'), 'plan.wps')).toThrow(/WPS 另存为 \.docx/);
  });
});
