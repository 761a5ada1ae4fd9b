// Writing styles of real plans beyond the seed's: title-first items with their unit lines,
// 主抓单位, items straight under a chapter, numbering that restarts under other parents,
// dash bullets, ASCII parentheses, （X指导）, a prose 职责分工 part; and the warnings.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePlan, type ParsedPlan, type ParsedTask } from '../../../src/domain/plan/index.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/plans/${name}`, import.meta.url));

function task(plan: ParsedPlan, code: string): ParsedTask {
  const found = plan.tasks.find((t) => t.code === code);
  if (!found) throw new Error(`no task ${code}; have ${plan.tasks.map((t) => t.code).join(' ')}`);
  return found;
}

const lines = (...l: string[]): string => l.join('\n');

describe('title-first items with own unit lines, and a prose 职责分工 part', () => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = parsePlan(await readFile(fixture('style-title-first-duties.txt'), 'utf8'));
  });

  it('keeps the item title in the text and never appends the unit lines to it', () => {
    expect(task(plan, '2.1')).toMatchObject({
      sectionTitle: '开展村庄清洁行动',
      text: '开展村庄清洁行动。认真落实“三清一改”要求，组织群众清理农村生活垃圾、村内塘沟和畜禽养殖粪污。',
      lead: ['农业农村办'],
      deadline: '2023-12-31',
    });
    for (const t of plan.tasks) expect(t.text).not.toMatch(/单位|时限/);
  });

  it('counts 主抓单位 as lead, and 责任单位 beside it as assisting', () => {
    expect(task(plan, '2.2')).toMatchObject({ departments: ['村建办', '各管区'], lead: ['村建办'], collective: true });
  });

  it('takes a title-only item as its own text', () => {
    expect(task(plan, '2.3')).toMatchObject({ text: '加强生活污水治理', departments: ['环保站', '水利站'], lead: [] });
  });

  it('maps 职责分工 statements to the tasks they name, and reports the one that names none', () => {
    expect(task(plan, '2.1').departments).toEqual(['农业农村办', '各村', '党政办']);
    expect(task(plan, '2.4')).toMatchObject({ departments: ['宣传办', '妇联'], lead: ['宣传办'] });
    expect(plan.warnings.filter((w) => w.kind === 'responsibility_unmapped').map((w) => w.message)).toEqual([
      '职责分工第22行未能对应到具体任务：财政所：负责落实整治资金。',
    ]);
  });

  it('leaves 工作目标 and an unannotated 保障措施 out of the tasks, saying so for 保障措施', () => {
    expect(plan.tasks.map((t) => t.code)).toEqual(['2.1', '2.2', '2.3', '2.4']);
    expect(plan.warnings).toContainEqual({ kind: 'not_a_task', message: '“保障措施”部分没有责任单位，未列为任务' });
  });
});

describe('numbering restarting under other parents, dash bullets, ASCII parentheses, （X指导）', () => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = parsePlan(await readFile(fixture('style-restart-dash-guide.txt'), 'utf8'));
  });

  it('builds codes from the number path, so 1–4 under two sections in two chapters never clash', () => {
    expect(plan.tasks.map((t) => t.code)).toEqual([
      '1.1.1', '1.1.2', '1.1.3', '1.1.4', '1.2.1', '1.2.2', '1.2.3', '1.2.4',
      '2.1.1', '2.1.2', '2.1.3', '2.1.4', '2.2.1', '2.2.2', '2.2.3', '3.1', '3.2',
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('reads dash bullets as items, with their deadlines', () => {
    expect(task(plan, '2.2.1')).toMatchObject({ text: '6月底前出台优化营商环境若干措施。', departments: ['经贸办'], deadline: '2022-06-30' });
    expect(task(plan, '2.2.2')).toMatchObject({ departments: ['经贸办', '财政所'], lead: ['经贸办'], deadline: '2022-09-30' });
  });

  it('reads (X牵头,Y配合) in ASCII parentheses and （X指导，Y负责）', () => {
    expect(task(plan, '1.2.2')).toMatchObject({ text: '开展应急演练。', departments: ['应急办', '卫生院'], lead: ['应急办'] });
    expect(task(plan, '2.2.3')).toMatchObject({ text: '落实减税降费政策。', departments: ['县税务局', '财政所'], lead: [] });
  });

  it('reads items numbered straight under a chapter', () => {
    expect(task(plan, '3.1')).toMatchObject({ chapter: 3, chapterTitle: '乡村治理', sectionTitle: '', text: '健全村规民约。', departments: ['民政办'] });
  });
});

describe('codes are never repeated', () => {
  it('gives a repeated code its full path and says so', () => {
    const plan = parsePlan(lines('方案', '一、甲', '（一）子甲', '1、做A。（责任单位：A办）', '（二）子乙', '1、做B。（责任单位：B办）', '二、丙', '1、做C。（责任单位：C办）'));
    expect(plan.tasks.map((t) => t.code)).toEqual(['1.1', '2.1', '2.2.1']);
    expect(plan.warnings).toEqual([{ kind: 'code_made_unique', message: '编号 2.1 重复，改为 2.2.1', code: '2.2.1' }]);
  });

  it('numbers a plan of bare items with no headings at all', () => {
    const plan = parsePlan(lines('工作方案', '一、任务', '1、甲。（A办负责）', '2、乙。（B办负责）'));
    expect(plan.tasks.map((t) => [t.code, t.departments])).toEqual([['1.1', ['A办']], ['1.2', ['B办']]]);
  });
});

describe('warnings', () => {
  it('names units never seen before when the caller knows its departments; collective units are not flagged', () => {
    const plan = parsePlan(lines('方案', '一、任务', '（一）甲', '做A。（责任单位：党政办、统计站、镇直各部门）', '（二）乙', '做B。（责任单位：统计站）'), {
      knownUnits: ['党政办', '经贸办'],
    });
    expect(plan.warnings).toEqual([{ kind: 'unknown_unit', message: '单位“统计站”不在已有部门中（任务 1、2）', code: '1' }]);
  });

  it('reports an own-line annotation that names nothing with its line number', () => {
    const plan = parsePlan(lines('方案', '一、任务', '（一）甲', '做A。', '责任单位：', '（二）乙', '做B。（责任单位：B办）'));
    expect(plan.warnings).toContainEqual({ kind: 'line_not_understood', message: '第5行未能识别：责任单位：' });
    expect(plan.warnings).toContainEqual({ kind: 'no_unit', message: '任务 1 没有责任单位', code: '1' });
  });

  it('keeps 责任领导 as leaders, not as units', () => {
    const plan = parsePlan(lines('方案', '一、任务', '（一）甲', '做A。（牵头单位：党政办；责任领导：张三、李四）'));
    expect(plan.tasks[0]).toMatchObject({ departments: ['党政办'], lead: ['党政办'], leaders: ['张三', '李四'] });
  });
});

describe('职责分工 written as （一）党政办。负责……', () => {
  it('maps each unit to the task its duty names', () => {
    const plan = parsePlan(
      lines(
        '方案', '一、重点任务', '（一）开展燃气安全排查', '对全镇燃气用户逐户排查。', '（二）组织应急演练', '每季度组织一次。',
        '二、职责分工', '（一）应急办。牵头负责燃气安全排查，汇总问题清单。', '（二）派出所。负责组织应急演练的现场秩序。',
      ),
    );
    expect(plan.tasks.map((t) => [t.code, t.departments, t.lead])).toEqual([
      ['1', ['应急办'], ['应急办']],
      ['2', ['派出所'], []],
    ]);
    expect(plan.warnings).toEqual([]);
  });
});

// The shape of 潍坊市2017年政务公开工作要点实施方案 (bdocx.com/doc/5328372.html): a table flattened to text,
// unnumbered paragraphs under （一）, each closed by a line that is only its units and a role.
describe('unnumbered paragraphs each closed by a bare unit line', () => {
  const plan = parsePlan([
    '一、以政务公开助力稳增长',
    '(一)加强预期引导',
    '围绕我市经济政策执行落实情况,通过新闻发布会等形式及时宣传解读。',
    '市发改委牵头落实',
    '加强就业创业政策信息公开,深入解读政策背景。',
    '市金融办、人民银行潍坊市中心支行分别牵头落实',
    '加强财政政策信息公开,按月公开全市财政收支情况。',
    '市财政局牵头，各县市区配合',
    '(二)加强舆情回应',
    '及时回应社会关切。（责任单位：市政府办公室）',
  ].join('\n'));

  it('makes each paragraph one item with the units of its own line', () => {
    expect(plan.tasks.map((t) => [t.code, t.lead, t.departments])).toEqual([
      ['1.1', ['市发改委'], ['市发改委']],
      ['1.2', ['市金融办', '人民银行潍坊市中心支行'], ['市金融办', '人民银行潍坊市中心支行']],
      ['1.3', ['市财政局'], ['市财政局', '各县市区']],
      ['2', [], ['市政府办公室']],
    ]);
    expect(plan.tasks[1]?.text).toContain('就业创业政策');
  });

  it('never takes a line of prose ending in 负责 for a unit line', () => {
    const prose = parsePlan(['一、工作任务', '(一)做好公开', '各项工作由专人负责。', '继续做好公开工作。（责任单位：党政办）'].join('\n'));
    expect(prose.tasks).toHaveLength(1);
    expect(prose.tasks[0]?.departments).toEqual(['党政办']);
  });
});
