// Excerpts of published plans (tests/fixtures/plans/real, each naming its source address
// on its first line): every annotated item carries its units, and no parse ever yields two
// tasks with one code.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePlan, type ParsedPlan, type ParsedTask } from '../../../src/domain/plan/index.ts';
import { blocksOutline } from '../../../src/domain/plan/blocks-outline.ts';
import { planFromOutline } from '../../../src/domain/plan/parse-plan.ts';

const dir = fileURLToPath(new URL('../../fixtures/plans/real/', import.meta.url));
const plansDir = fileURLToPath(new URL('../../fixtures/plans/', import.meta.url));

/** A real text fixture without its source line. */
function parseReal(name: string): ParsedPlan {
  const text = readFileSync(`${dir}${name}`, 'utf8');
  expect(text.split('\n')[0]).toMatch(/^# 来源：https?:\/\//);
  return parsePlan(text.replace(/^#.*\n/, ''));
}

function parseRealTable(name: string): ParsedPlan {
  const { source, rows } = JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as { source: string; rows: string[][] };
  expect(source).toMatch(/^https?:\/\//);
  return planFromOutline(blocksOutline([{ kind: 'table', rows }]));
}

const summary = (t: ParsedTask) => [t.code, t.departments, t.lead];

describe('every fixture: codes unique, annotated items with units', () => {
  const texts = readdirSync(dir).filter((f) => f.endsWith('.txt'));
  const tables = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const own = readdirSync(plansDir).filter((f) => f.endsWith('.txt'));

  it('has real plans of each kind', () => {
    expect(texts.length).toBeGreaterThanOrEqual(10);
    expect(tables.length).toBeGreaterThanOrEqual(2);
  });

  it.each([...texts.map((f) => [f, 'real text']), ...tables.map((f) => [f, 'real table'])])('%s (%s)', (name, kind) => {
    const plan = kind === 'real table' ? parseRealTable(name) : parseReal(name);
    expect(plan.tasks.length).toBeGreaterThan(0);
    expect(new Set(plan.tasks.map((t) => t.code)).size).toBe(plan.tasks.length);
    // Every item in these excerpts names who does it.
    for (const t of plan.tasks) expect(t.departments, `task ${t.code}`).not.toEqual([]);
    for (const t of plan.tasks) expect(t.text, `task ${t.code}`).not.toMatch(/(牵头|责任|配合)单位\s*[:：]/);
    expect(plan.warnings.filter((w) => w.kind === 'no_unit')).toEqual([]);
  });

  it.each(own)('never two tasks with one code: %s', (name) => {
    const plan = parsePlan(readFileSync(`${plansDir}${name}`, 'utf8'));
    expect(new Set(plan.tasks.map((t) => t.code)).size).toBe(plan.tasks.length);
  });
});

describe('items straight under a chapter with own-line 牵头单位/责任单位 (立山区 2023)', () => {
  const plan = parseReal('lishan-2023-fengong.txt');
  it('reads the plan title after the cover letter and six tasks with lead and assisting units', () => {
    expect(plan.plan).toEqual({ docNumber: '鞍立政发〔2023〕2号', title: '立山区政府2023年重点工作任务分解和责任分工方案', issuer: '立山区人民政府', date: '2023-03-28' });
    expect(plan.tasks.map(summary)).toEqual([
      ['1.1', ['区发改局', '立山经济开发区', '全区经济运行各专班'], ['区发改局']],
      ['1.2', ['区工信局', '立山经济开发区'], ['区工信局']],
      ['1.3', ['区发改局', '立山经济开发区', '各街道', '区直各部门'], ['区发改局']],
      ['1.4', ['区商务局', '各街道', '区市场局'], ['区商务局']],
      ['1.5', ['区财政局', '立山经济开发区', '各街道', '税务局'], ['区财政局']],
      ['1.6', ['区发改局', '各街道', '各相关单位'], ['区发改局']],
    ]);
    expect(plan.tasks[0]?.text).toBe('努力实现地区生产总值增长6.2%左右。');
  });
});

describe('items under a chapter with a 责任单位 line naming 等 and parenthesised units (许昌 2020)', () => {
  const plan = parseReal('xuchang-2020-renwu.txt');
  it('reads both items with their units', () => {
    expect(plan.plan.docNumber).toBe('许政[2020]20号');
    expect(plan.tasks.map(summary)).toEqual([
      ['1.1', ['市疫情防控指挥部办公室', '市卫生健康委', '各县（市、区）政府（管委会）'], []],
      ['1.2', ['市疫情防控指挥部办公室', '市卫生健康委', '各县（市、区）政府（管委会）'], []],
    ]);
  });
});

describe('title-only sections with a 责任单位 line (蔡甸区 2023)', () => {
  it('takes each title as the task', () => {
    const plan = parseReal('caidian-2023-mubiao.txt');
    expect(plan.tasks.map((t) => [t.code, t.text, t.departments])).toEqual([
      ['1', '地区生产总值增长7%以上', ['区发展和改革局']],
      ['2', '规上工业增加值增长12%以上', ['区科技和经信局']],
      ['3', '固定资产投资增长10%以上', ['区发展和改革局']],
    ]);
  });
});

describe('ASCII parentheses, several (牵头单位:…;责任单位:…) inside one section (浔阳区 2023)', () => {
  // Each phrase the document closes with its own units is its own task: the 督办 follows who does what.
  it('makes each annotated phrase a task with its own lead and units, and strips the annotations from the text', () => {
    const plan = parseReal('xunyang-2023-zwgk.txt');
    expect(plan.tasks.map((t) => [t.code, t.lead, t.departments])).toEqual([
      ['1.1', ['区发改委', '区工信局'], ['区发改委', '区工信局', '区政府各相关部门', '各街道']],
      ['1.2', ['区商务局'], ['区商务局', '区政府各相关部门', '各街道']],
      ['1.3', ['区住建局'], ['区住建局', '区自然资源局', '区生态环境局', '区城管局', '区农水局', '区文新旅局']],
      ['1.4', [], ['区发改委']],
      ['1.5', [], ['区国资中心']],
      ['1.6', [], ['区政府办']],
    ]);
    expect(plan.tasks[1]?.text).toBe('重塑大中路核心商圈,打造区域消费中心');
    for (const t of plan.tasks) expect(t.text).not.toMatch(/单位/);
  });
});

describe('brackets 〔责任单位:…〕 and [责任单位:…] (赣州市 2023, 南昌经开区 2023, 夏路区 2023)', () => {
  it.each([
    ['ganzhou-2023-zwgk.txt', '1.1', ['市政府各部门', '各县（市、区）人民政府']],
    ['nanchang-jkq-2023-zwgk.txt', '1', ['临空经济区（空港新城）事务中心', '各镇人民政府', '街道办事处', '管理处', '区机关各部门', '驻区各单位', '区属企业']],
    ['xialuqu-2023-renwu.txt', '1.1', ['老街办', '区招商服务中心', '长乐投资有限公司']],
  ])('%s', (name, code, departments) => {
    const plan = parseReal(name);
    expect(plan.tasks.map((t) => [t.code, t.departments])).toEqual([[code, departments]]);
    expect(plan.tasks[0]?.text).not.toMatch(/[〔\[]/);
  });

  it('leaves the prose 工作目标 chapter out (赣州)', () => {
    expect(parseReal('ganzhou-2023-zwgk.txt').tasks.map((t) => t.chapterTitle)).toEqual(['重点工作任务']);
  });
});

describe('(X、Y按职责分工负责) (新建区 2024) and (牵头单位:X,责任单位:…) after a title-first item (宜春经开区 2022)', () => {
  it('reads the units without 按职责分工', () => {
    const plan = parseReal('xinjian-2024-zwgk.txt');
    expect(plan.plan).toMatchObject({ docNumber: '新府办发〔2024〕30号', title: '2024年南昌市新建区政务公开工作要点', date: '2024-06-30' });
    expect(plan.tasks.map(summary)).toEqual([
      ['1', ['区发改委', '区科工信局', '区商务局', '区交通运输局', '区住建局', '区政数局', '区金融服务中心'], []],
    ]);
  });

  it('reads the lead and the units of a title-first item', () => {
    const plan = parseReal('yichun-jkq-2022-zwgk.txt');
    expect(plan.tasks.map(summary)).toEqual([
      ['1', ['区经发局', '区招商服务局', '区财政局', '区行政审批局', '各组团办', '区科技分局'], ['区经发局']],
    ]);
    expect(plan.tasks[0]?.sectionTitle).toBe('加强数字经济信息公开');
  });
});

describe('tasks at the first level, with keys broken by PDF spaces (江西省 2023)', () => {
  it('reads each 一、 item as a task with its units and deadline', () => {
    const plan = parseReal('jiangxi-2023-szzf.txt');
    expect(plan.tasks.map((t) => [t.code, t.sectionTitle, t.departments, t.lead, t.deadline])).toEqual([
      ['1', '加快编制总体方案', ['省政府办公厅', '省发展改革委'], [], '2023-06-30'],
      ['2', '抓紧制定地方标准', ['省政府办公厅', '省市场监管局'], ['省政府办公厅', '省市场监管局'], '2023-12-31'],
    ]);
  });
});

describe('real tables', () => {
  it('池州: the table’s own 序号 as codes, a merged 工作任务 as the section, 持续推进 kept without a date', () => {
    const plan = parseRealTable('chizhou-xfj-table.json');
    expect(plan.tasks.map((t) => t.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(plan.tasks.filter((t) => t.sectionTitle === '做好主动公开基础工作').map((t) => t.code)).toEqual(['3', '4']);
    expect(plan.tasks[1]).toMatchObject({ departments: ['各科室'], collective: true, deadline: null, deadlineText: '持续推进' });
    expect(plan.warnings.map((w) => w.kind)).toEqual(Array(8).fill('no_date'));
  });

  it('sd-xs: the number a text cell starts with as the code, “办公室牵头,各科室配合” as lead and assisting', () => {
    const plan = parseRealTable('sdxs-table.json');
    expect(plan.tasks.map((t) => t.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(plan.tasks[3]).toMatchObject({ text: '及时更新微信公众号信息。', departments: ['办公室', '各科室'], lead: ['办公室'], sectionTitle: '做好政府网站专栏信息公开' });
  });
});

describe('分管省领导 and 部门分工：X牵头，Y配合 lines (广东省 2021)', () => {
  it('keeps the leader as a leader and reads the roles inside 部门分工', () => {
    const plan = parseReal('guangdong-2021-fengong.txt');
    expect(plan.plan).toMatchObject({ title: '2021年省《政府工作报告》重点任务分工方案', date: '2021-03-21' });
    expect(plan.tasks.map((t) => [t.code, t.text, t.departments, t.lead, t.leaders])).toEqual([
      ['1.1', '地区生产总值增长6%以上。', ['省发展改革委', '各地', '各部门'], ['省发展改革委'], ['林克庆']],
    ]);
  });
});
