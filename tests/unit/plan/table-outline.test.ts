// Tables read by the meaning of their header, wherever it starts, and the round trip of
// the layout `plan export` writes.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parsePlan, parsePlanBuffer, type ParsedPlan } from '../../../src/domain/plan/index.ts';
import { planFromOutline } from '../../../src/domain/plan/parse-plan.ts';
import { blocksOutline } from '../../../src/domain/plan/blocks-outline.ts';
import { findLayout } from '../../../src/domain/plan/table-outline.ts';
import { writePlanXlsx } from '../../helpers/plan-export-layout.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/plans/${name}`, import.meta.url));

/** Parses rows as one table, with optional paragraphs above it. */
function parseTable(rows: string[][], above: string[] = []): ParsedPlan {
  return planFromOutline(blocksOutline([...above.map((text) => ({ kind: 'paragraph' as const, text })), { kind: 'table', rows }]));
}

describe('header recognition', () => {
  it.each([
    [['序号', '重点任务', '工作措施', '责任单位', '完成时限'], ['seq', 'topic', 'topic', 'units', 'deadline']],
    [['编号', '工作任务', '牵头单位', '配合单位', '时间节点', '责任领导'], ['seq', 'topic', 'lead', 'assist', 'deadline', 'leaders']],
    [['章节', '编号', '重点任务', '任务内容', '牵头单位', '配合单位', '完成时限', '责任领导'], ['chapter', 'seq', 'topic', 'topic', 'lead', 'assist', 'deadline', 'leaders']],
    [['工作任务', '序号', '具体要求', '责任科室', '时限要求'], ['topic', 'seq', 'topic', 'units', 'deadline']],
    [['序 号', '主要内容', '主抓单位', '协办单位', '分管领导', '备注'], ['seq', 'topic', 'lead', 'assist', 'leaders', 'note']],
  ])('%j', (header, roles) => {
    expect(findLayout([['某某镇2023年工作任务分解表'], header])?.roles).toEqual(roles);
  });

  it('finds no task header in an ordinary table', () => {
    expect(findLayout([['姓名', '职务', '电话'], ['张三', '主任', '123']])).toBeNull();
  });

  it('takes the lower row of a two-row header where it says more', () => {
    const layout = findLayout([
      ['标题'],
      ['序号', '工作任务', '责任单位', '责任单位', '完成时限'],
      ['序号', '工作任务', '牵头单位', '配合单位', '完成时限'],
    ]);
    expect(layout).toMatchObject({ firstHeaderRow: 1, headerRow: 2, roles: ['seq', 'topic', 'lead', 'assist', 'deadline'] });
  });
});

describe('table rows', () => {
  const header = ['序号', '重点任务', '具体措施', '牵头单位', '责任单位', '完成时限', '分管领导'];

  it('uses unique 序号 as codes, a merged category as the section, and 责任单位 beside 牵头单位 as assisting', () => {
    const plan = parseTable(
      [
        ['附件', '', '', '', '', '', ''],
        ['2023年安全生产工作任务分解表', '2023年安全生产工作任务分解表', '', '', '', '', ''],
        header,
        ['1', '（一）隐患排查', '开展燃气隐患排查。', '应急办', '市场监管所、各村', '2023年6月底前', '王某'],
        ['2', '（一）隐患排查', '整治电动车违规充电。', '应急办', '派出所', '9月底前', '王某、李某'],
        ['3', '（二）宣传培训', '组织安全生产月活动。', '宣传办', '', '6月', ''],
      ],
    );
    expect(plan.plan.title).toBe('2023年安全生产工作任务分解表');
    expect(plan.sections).toEqual([{ number: 1, chapter: 0, title: '隐患排查' }, { number: 2, chapter: 0, title: '宣传培训' }]);
    expect(plan.tasks.map((t) => [t.code, t.sectionTitle, t.departments, t.lead, t.deadline, t.leaders])).toEqual([
      ['1', '隐患排查', ['应急办', '市场监管所', '各村'], ['应急办'], '2023-06-30', ['王某']],
      ['2', '隐患排查', ['应急办', '派出所'], ['应急办'], '2023-09-30', ['王某', '李某']],
      ['3', '宣传培训', ['宣传办'], ['宣传办'], '2023-06-30', []],
    ]);
  });

  it('builds codes from the path when 序号 restarts under each category; a blank category continues the one above', () => {
    const plan = parseTable([
      ['序号', '工作任务', '工作措施', '责任单位'],
      ['1', '清理垃圾', '清理河道垃圾。', '水利站'],
      ['2', '', '清理路边垃圾。', '环卫所'],
      ['1', '改厕', '完成改厕200户。', '农办'],
      ['1', '宣传', '开展宣传。', '宣传办'],
      ['2', '', '评选美丽庭院。', '妇联'],
    ]);
    expect(plan.tasks.map((t) => [t.code, t.sectionTitle, t.item])).toEqual([
      ['1.1', '清理垃圾', 1], ['1.2', '清理垃圾', 2], ['2', '改厕', null], ['3.1', '宣传', 1], ['3.2', '宣传', 2],
    ]);
    expect(new Set(plan.tasks.map((t) => t.code)).size).toBe(plan.tasks.length);
    expect(plan.warnings).toEqual([]);
  });

  it('reads "X牵头，Y配合" inside a unit cell, a 章节 column, and warns about rows without units', () => {
    const plan = parseTable([
      ['章节', '编号', '任务内容', '责任部门'],
      ['一、产业发展', '1', '建设产业园。', '经贸办牵头，财政所、农办配合'],
      ['一、产业发展', '2', '培育新型主体。', ''],
      ['二、生态宜居', '3', '整治人居环境。', '村建办'],
    ]);
    expect(plan.chapters).toEqual([{ number: 1, title: '产业发展' }, { number: 2, title: '生态宜居' }]);
    expect(plan.tasks.map((t) => [t.code, t.chapter, t.chapterTitle, t.departments, t.lead])).toEqual([
      ['1', 1, '产业发展', ['经贸办', '财政所', '农办'], ['经贸办']],
      ['2', 1, '产业发展', [], []],
      ['3', 2, '生态宜居', ['村建办'], []],
    ]);
    expect(plan.warnings).toEqual([{ kind: 'no_unit', message: '任务 2 没有责任单位', code: '2' }]);
  });

  it('warns about a row it cannot read instead of dropping it silently', () => {
    const plan = parseTable([
      ['序号', '重点任务', '责任单位'],
      ['1', '开展排查。', '应急办'],
      ['2', '', '派出所'],
    ]);
    expect(plan.tasks).toHaveLength(1);
    expect(plan.warnings.map((w) => w.kind)).toEqual(['line_not_understood']);
    expect(plan.warnings[0]?.message).toMatch(/^表格第3行未能识别/);
  });

  it('reads a document without a task table as text', () => {
    const plan = parseTable([['姓名', '职务'], ['张三', '主任']], ['工作方案', '一、任务', '（一）建设', '推进建设。（责任单位：村建办）']);
    expect(plan.tasks.map((t) => [t.code, t.departments])).toEqual([['1', ['村建办']]]);
  });
});

describe('round trip of the export layout (章节 | 编号 | 重点任务 | 任务内容 | 牵头单位 | 配合单位 | 完成时限 | 责任领导)', () => {
  const ROUND_TRIP = ['code', 'sectionTitle', 'chapterTitle', 'text', 'departments', 'lead', 'deadline', 'deadlineText', 'leaders'] as const;
  const fields = (plan: ParsedPlan) => plan.tasks.map((t) => Object.fromEntries(ROUND_TRIP.map((k) => [k, t[k]])));

  it('gives back the seed: title, 文号 and every task', async () => {
    const seed = parsePlan(await readFile(fixture('seed-nanwang-2021.txt'), 'utf8'));
    const back = await parsePlanBuffer(await writePlanXlsx(seed), '政务公开.xlsx');
    expect(back.plan).toMatchObject({ title: seed.plan.title, docNumber: seed.plan.docNumber });
    expect(fields(back)).toEqual(fields(seed));
    expect(back.warnings).toEqual([]);
  });

  it('gives back lead roles, leaders, deadlines without a date and a plan without 文号', () => {
    const plan = parsePlan(
      [
        '2022年安全生产工作方案',
        '一、重点任务',
        '（一）隐患排查',
        '1、开展燃气排查。（牵头单位：应急办；配合单位：市场监管所、各村；完成时限：长期坚持；责任领导：王某）',
        '2、整治违规充电，9月底前完成。（派出所负责）',
        '二、宣传',
        '（一）宣传月',
        '组织安全生产月活动。（责任单位：宣传办）',
      ].join('\n'),
    );
    return writePlanXlsx(plan).then(async (bytes) => {
      const back = await parsePlanBuffer(bytes, 'export.xlsx');
      expect(back.plan).toMatchObject({ title: '2022年安全生产工作方案', docNumber: null });
      expect(fields(back)).toEqual(fields(plan));
      expect(plan.tasks[0]).toMatchObject({ lead: ['应急办'], leaders: ['王某'], deadline: null, deadlineText: '长期坚持' });
    });
  });

  it('writes the layout the lead exports: title row, 文号 row, header row', async () => {
    const seed = parsePlan(await readFile(fixture('seed-nanwang-2021.txt'), 'utf8'));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await writePlanXlsx(seed)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).text).toBe('2021年政务公开工作实施方案');
    expect(sheet.getRow(2).getCell(1).text).toBe('旺政发〔2021〕37号');
    expect((sheet.getRow(3).values as unknown[]).slice(1)).toEqual(['章节', '编号', '重点任务', '任务内容', '牵头单位', '配合单位', '完成时限', '责任领导']);
    expect(sheet.rowCount).toBe(3 + 65);
  });
});

describe('category rows and several tables', () => {
  it('reads a 序号 row numbered 一/二 without units as a category heading, keeping the items’ own 序号', () => {
    const plan = parseTable([
      ['序号', '工作任务', '责任单位', '完成时限'],
      ['一', '产业发展', '产业发展', '产业发展'],
      ['1', '建设蔬菜大棚。', '农办', '2023年6月底'],
      ['2', '培育合作社。', '经管站', '2023年9月底'],
      ['二', '生态宜居', '', ''],
      ['3', '清理垃圾。', '环卫所', '2023年12月底'],
    ]);
    expect(plan.sections.map((s) => [s.number, s.title])).toEqual([[1, '产业发展'], [2, '生态宜居']]);
    expect(plan.tasks.map((t) => [t.code, t.sectionTitle, t.departments])).toEqual([
      ['1', '产业发展', ['农办']], ['2', '产业发展', ['经管站']], ['3', '生态宜居', ['环卫所']],
    ]);
  });

  it('puts each of several tables under the heading paragraph above it, codes never clashing', () => {
    const header = ['序号', '工作任务', '责任单位'];
    const plan = planFromOutline(
      blocksOutline([
        { kind: 'paragraph', text: '2023年重点工作任务清单' },
        { kind: 'paragraph', text: '一、产业发展' },
        { kind: 'table', rows: [header, ['1', '建设大棚。', '农办'], ['2', '培育合作社。', '经管站']] },
        { kind: 'paragraph', text: '二、生态宜居' },
        { kind: 'table', rows: [header, ['1', '清理垃圾。', '环卫所']] },
      ]),
    );
    expect(plan.plan.title).toBe('2023年重点工作任务清单');
    expect(plan.tasks.map((t) => [t.code, t.chapterTitle])).toEqual([['1.1', '产业发展'], ['1.2', '产业发展'], ['2.1', '生态宜居']]);
  });

  it('puts the tables of several sheets under their sheet names', async () => {
    const workbook = new ExcelJS.Workbook();
    for (const [name, rows] of [['安全生产', [['开展排查。', '应急办']]], ['营商环境', [['推行代办。', '为民服务中心']]]] as const) {
      const sheet = workbook.addWorksheet(name);
      sheet.addRow(['工作任务', '责任单位']);
      for (const r of rows) sheet.addRow([...r]);
    }
    const plan = await parsePlanBuffer(Buffer.from(await workbook.xlsx.writeBuffer()), '清单.xlsx');
    expect(plan.tasks.map((t) => [t.code, t.chapterTitle, t.departments])).toEqual([
      ['1.1', '安全生产', ['应急办']], ['2.1', '营商环境', ['为民服务中心']],
    ]);
  });
});
