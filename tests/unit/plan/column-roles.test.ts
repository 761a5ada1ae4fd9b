// Columns judged by their cells as well as their header words; units that must look like units; every
// prose label family; a mapping given by a person; the corpus (tests/fixtures/plans/corpus) read whole.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePlan, parsePlanFile, type ParsedPlan } from '../../../src/domain/plan/index.ts';
import { blocksOutline } from '../../../src/domain/plan/blocks-outline.ts';
import { hasUnitShape, isPersonWithTitle, isUnitFragment, looksLikeDeadlineCell } from '../../../src/domain/plan/cell-shapes.ts';
import { ColumnSpecError, describeColumnsSeen, parseColumnSpec } from '../../../src/domain/plan/column-mapping.ts';
import { findLayout } from '../../../src/domain/plan/table-layout.ts';
import { planFromOutline } from '../../../src/domain/plan/parse-plan.ts';
import { corpusFiles, scoreDocument, totalsOf } from '../../../tools/plan-corpus.ts';

const corpus = fileURLToPath(new URL('../../fixtures/plans/corpus/', import.meta.url));
const table = (rows: string[][], columns: ReturnType<typeof parseColumnSpec> | null = null): ParsedPlan =>
  planFromOutline(blocksOutline([{ kind: 'table', rows }], { columns }), { columns });

describe('cell shapes', () => {
  it('tells units from fragments and from people', () => {
    for (const f of ['2', '责任', '科室', '等', '各', '、', '（3）']) expect(isUnitFragment(f), f).toBe(true);
    for (const u of ['县妇联', '团区委', '派出所', '镇便民服务中心', '市生态环境局清河分局', '各乡镇']) expect(hasUnitShape(u), u).toBe(true);
    for (const p of ['张书记', '王强副县长', '李镇长']) {
      expect(isPersonWithTitle(p), p).toBe(true);
      expect(hasUnitShape(p), p).toBe(false);
    }
    expect(hasUnitShape('张三', new Set(['张三']))).toBe(true); // a name the database knows
  });

  it('knows deadline shapes', () => {
    for (const d of ['2024年6月底前', '年底前', '持续推进', '长期', '2024年第四季度', '2024.6.30']) expect(looksLikeDeadlineCell(d), d).toBe(true);
    expect(looksLikeDeadlineCell('开展村庄清洁行动，集中清理村内塘沟和农业生产废弃物。')).toBe(false);
  });
});

describe('column roles from the cells', () => {
  it('reads a task column named after the plan’s subject and a deadline column called 时间安排', () => {
    const plan = table([
      ['序号', '农村人居环境整治提升', '责任单位', '时间安排'],
      ['1', '开展村庄清洁行动，集中清理村内塘沟。', '县农业农村局、各乡镇', '2024年6月底前'],
      ['2', '推进农村厕所革命，新建改建户厕2000户。', '县卫生健康局', '持续推进'],
    ]);
    expect(plan.tasks.map((t) => [t.code, t.departments, t.deadlineText])).toEqual([
      ['1', ['县农业农村局', '各乡镇'], '2024年6月底前'],
      ['2', ['县卫生健康局'], '持续推进'],
    ]);
    expect(plan.tables[0]?.columns.map((c) => c.role)).toEqual(['序号', '任务内容', '责任单位', '完成时限']);
    expect(plan.tables[0]?.by).toBe('cells');
  });

  it('keeps leaders out of the units and progress reports out of the tasks', () => {
    const plan = table([
      ['编号', '创建内容', '承担部门', '节点', '说明一下'],
      ['1', '开展背街小巷环境整治。', '区城管局、张书记', '2024年6月底前', '已整治背街小巷12条，剩余8条正在施工，预计按期完成。'],
      ['2', '规范农贸市场经营秩序。', '区市场监管局', '2024年5月31日前', '已完成3家农贸市场提升改造，另外2家正在推进改造工作。'],
    ]);
    expect(plan.tasks.map((t) => [t.text, t.departments, t.leaders])).toEqual([
      ['开展背街小巷环境整治。', ['区城管局'], ['张书记']],
      ['规范农贸市场经营秩序。', ['区市场监管局'], []],
    ]);
  });

  it('reads a header written over two rows and never makes a header row a task', () => {
    const plan = table([
      ['序号', '工作任务', '责任', '完成'],
      ['序号', '工作任务', '科室', '时限'],
      ['1', '开展安全生产大排查大整治行动。', '应急管理办', '2024年5月31日'],
      ['序号', '工作任务', '责任', '完成'],
      ['2', '组织燃气安全专项检查。', '城建办 2', '2024年6月底前'],
    ]);
    expect(plan.tasks.map((t) => [t.code, t.departments, t.deadline])).toEqual([
      ['1', ['应急管理办'], '2024-05-31'],
      ['2', ['城建办'], '2024-06-30'],
    ]);
  });

  it('keeps the roles of the header words it was taught', () => {
    expect(findLayout([['序号', '任务', '责任单位', '时限']])?.roles).toEqual(['seq', 'topic', 'units', 'deadline']);
  });
});

describe('every label family in prose', () => {
  it('reads lead, assisting and leader labels with either colon', () => {
    const plan = parsePlan([
      '方案', '一、重点任务',
      '（一）深化一件事一次办改革。', '牵头单位：县政务服务中心', '协同责任单位：县公安局、县人社局', '牵头负责领导：张明副县长',
      '（二）推进证照电子化。', '主责单位:县市场监管局', '参与单位:县大数据中心',
      '（三）规范涉企行政检查。', '主办：县司法局', '协办单位：县应急局', '分管领导：王强副县长',
      '（四）畅通诉求渠道。', '责任科室：县营商办',
      '（五）清理拖欠账款。', '责任单位：县工信局、王强副县长',
    ].join('\n'));
    expect(plan.tasks.map((t) => [t.lead, t.departments, t.leaders])).toEqual([
      [['县政务服务中心'], ['县政务服务中心', '县公安局', '县人社局'], ['张明副县长']],
      [['县市场监管局'], ['县市场监管局', '县大数据中心'], []],
      [['县司法局'], ['县司法局', '县应急局'], ['王强副县长']],
      [[], ['县营商办'], []],
      [[], ['县工信局'], ['王强副县长']],
    ]);
  });
});

describe('a mapping given by a person', () => {
  const rows = [
    ['编号', '事项', '谁办', '何时'],
    ['1', '把村口的路灯修好，保证晚上通行安全。', '老王', '下周'],
    ['2', '组织村民清理河道垃圾，每月一次。', '小李', '2024年6月底前'],
  ];

  it('reads --columns letters into roles, and says what is wrong otherwise', () => {
    expect(parseColumnSpec('任务=B,牵头单位=C,配合单位=D,完成时限=E')).toEqual([null, 'topic', 'lead', 'assist', 'deadline']);
    expect(() => parseColumnSpec('任务=1')).toThrow(ColumnSpecError);
    expect(() => parseColumnSpec('牵头单位=C')).toThrow(/任务/);
  });

  it('finds with the mapping the tasks the automatic pass could not place, and names the columns otherwise', () => {
    const auto = table(rows);
    expect(auto.tasks.every((t) => t.departments.length === 0)).toBe(true);
    expect(describeColumnsSeen(auto.tables)).toBe('A 编号、B 事项、C 谁办、D 何时');
    const mapped = table(rows, parseColumnSpec('序号=A,任务=B,责任单位=C,完成时限=D'));
    expect(mapped.tasks.map((t) => [t.code, t.departments, t.deadline])).toEqual([
      ['1', ['老王'], null],
      ['2', ['小李'], '2024-06-30'],
    ]);
    expect(mapped.tables[0]).toMatchObject({ by: 'mapping', headerRow: 1, headerKey: '编号|事项|谁办|何时' });
  });
});

describe('the corpus', () => {
  // Constructed layouts (c*) and the first excerpts (r*) were fixed one by one: every item must be right.
  const exact = corpusFiles().filter((f) => /^[cr]\d/.test(f));
  it.each(exact)('%s: every item found with its lead and assisting units and deadline, codes unique', async (name) => {
    const doc = await scoreDocument(name);
    expect(doc.duplicateCodes).toBe(0);
    for (const item of doc.items) expect(item.miss, item.text).toEqual([]);
  });

  // Published plans read by hand (w*): the bar over the whole collection, never per-document luck.
  it('meets the bar on the published plans: 90% found with their lead, 85% with their assisting units, none empty', async () => {
    const published = await Promise.all(corpusFiles().filter((f) => /^w\d/.test(f)).map(scoreDocument));
    const totals = totalsOf(published);
    expect(totals.documents).toBeGreaterThanOrEqual(30);
    const foundWithLead = published.flatMap((d) => d.items).filter((i) => i.found && i.leadRight).length;
    expect(foundWithLead / totals.items).toBeGreaterThanOrEqual(0.9);
    expect(totals.assistRight / totals.items).toBeGreaterThanOrEqual(0.85);
    expect(totals.emptyDocuments).toBe(0);
    expect(totals.headerRowsAsTasks).toBe(0);
    expect(totals.duplicateCodes).toBe(0);
  });
});

describe('a table of short tasks under an untaught header', () => {
  it('does not take the first task row for a second header row', () => {
    const plan = table([
      ['No.', '要办的事', '承担部门', '节点'],
      ['1', '修缮村口路灯', '村建办', '2024年3月底前'],
      ['2', '清理河道垃圾，每月一次。', '水利站', '2024年6月底前'],
      ['3', '开展防火宣传，发放宣传册。', '应急办', '长期'],
    ]);
    expect(plan.tasks.map((t) => [t.code, t.departments])).toEqual([['1', ['村建办']], ['2', ['水利站']], ['3', ['应急办']]]);
  });
});

describe('shapes of published tables', () => {
  it('shares a unit cell merged down over the rows that continue its category, and says so', () => {
    // 台山市2021年政务公开工作要点 (tests/fixtures/plans/real/taishan-2021-zwgk.json): the page's rowspan leaves later rows empty.
    const plan = table([
      ['工作任务', '具体要求', '责任单位'],
      ['三、做好财政信息公开。', '7.积极推进部门单位财政预算、决算公开。', '市财政局牵头,市直各部门落实'],
      ['', '8.持续深化地方政府债务信息公开。', ''],
      ['四、做好网站专栏信息公开。', '9.及时更新政府网站的各类型概况信息。', ''],
    ]);
    expect(plan.tasks.map((t) => [t.code, t.lead, t.departments])).toEqual([
      ['7', ['市财政局'], ['市财政局', '市直各部门']],
      ['8', ['市财政局'], ['市财政局', '市直各部门']],
      ['9', [], []], // a new category: nothing is carried over
    ]);
    expect(plan.warnings.some((w) => w.kind === 'units_from_merged_cell' && w.message.includes('第3行'))).toBe(true);
  });

  it('starts the text with a name column that has one value per row, and never reads 完成情况 as a task', () => {
    // 泗洲头镇2024年度重点工作计划 (tests/fixtures/plans/real/sizhoutou-2024-zhongdian.json).
    const plan = table([
      ['序号', '重点工作', '责任\n领导', '责任\n科室', '工作任务安排', '第二季度\n完成情况'],
      ['1', '白仙山水库工程政策处理', '欧乾震', '水库办', '推进坟墓迁移工作。', '该工程库区内坟墓迁移进度达60%。'],
      ['2', '现代化美丽城镇', '吴宇凡', '乡村振兴办', '按照时间节点开展项目建设。', '完成投资3000万元。'],
    ]);
    expect(plan.tasks.map((t) => [t.code, t.text, t.departments, t.leaders])).toEqual([
      ['1', '白仙山水库工程政策处理：推进坟墓迁移工作。', ['水库办'], ['欧乾震']],
      ['2', '现代化美丽城镇：按照时间节点开展项目建设。', ['乡村振兴办'], ['吴宇凡']],
    ]);
  });
});
