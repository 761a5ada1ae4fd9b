import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChineseNumeral, toChineseNumeral } from '../../../src/domain/plan/chinese-numerals.ts';
import { cleanLines, findDeadlines, parsePlan, shortTitle } from '../../../src/domain/plan/parse-plan.ts';
import type { ParsedPlan, ParsedTask } from '../../../src/domain/plan/parse-plan.ts';
import { decodeText, readPlanFile } from '../../../src/domain/plan/read-plan-file.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/plans/${name}`, import.meta.url));
const parseFixture = async (name: string): Promise<ParsedPlan> => parsePlan(await readPlanFile(fixture(name)));

function task(plan: ParsedPlan, code: string): ParsedTask {
  const found = plan.tasks.find((t) => t.code === code);
  if (!found) throw new Error(`no task ${code}; have ${plan.tasks.map((t) => t.code).join(' ')}`);
  return found;
}

const range = (section: number, n: number): string[] => Array.from({ length: n }, (_, i) => `${section}.${i + 1}`);

describe('parsePlan on the seed plan (南旺镇 2021年政务公开工作实施方案)', () => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = await parseFixture('seed-nanwang-2021.txt');
  });

  it('reads the header and the signature', () => {
    expect(plan.plan).toEqual({
      docNumber: '旺政发〔2021〕37号',
      title: '2021年政务公开工作实施方案',
      issuer: '南旺镇人民政府',
      date: '2021-06-11',
    });
  });

  it('finds 5 chapters and 21 sections numbered across the document', () => {
    expect(plan.chapters.map((c) => c.number)).toEqual([1, 2, 3, 4, 5]);
    expect(plan.chapters[0]?.title).toBe('深化重点领域政府信息公开');
    expect(plan.chapters[4]?.title).toBe('严格政务公开工作保障和落实');
    expect(plan.sections.map((s) => s.number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(plan.sections.map((s) => s.chapter)).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5]);
    expect(plan.sections[20]?.title).toBe('进一步抓好任务落实');
  });

  it('finds the 65 tasks with the expected codes in order', () => {
    const codes = [
      ...range(1, 2), ...range(2, 4), ...range(3, 4), ...range(4, 5), '5', '6', ...range(7, 28), '8', '9',
      ...range(10, 2), '11', '12', ...range(13, 2), '14', ...range(15, 3), ...range(16, 2), ...range(17, 2),
      '18', '19', '20', '21',
    ];
    expect(codes).toHaveLength(65);
    expect(plan.tasks.map((t) => t.code)).toEqual(codes);
    expect(plan.warnings).toEqual([]);
  });

  it('fills chapter, section and item for each task', () => {
    expect(task(plan, '7.3')).toMatchObject({
      chapter: 1,
      section: 7,
      item: 3,
      chapterTitle: '深化重点领域政府信息公开',
      sectionTitle: '主动公开2021年政府工作报告决策事项工作进展、取得成效、后续举措和落实情况',
    });
    expect(task(plan, '14')).toMatchObject({ chapter: 4, section: 14, item: null, sectionTitle: '严格政府信息管理' });
  });

  it('joins task 2.2, broken mid-word across lines, into one text', () => {
    const t = task(plan, '2.2');
    expect(t.text).toContain('等政策措施落实情况公开');
    expect(t.text).not.toMatch(/\n/);
    expect(t.text).toBe('做好培育新一代消费热点、全面促进消费升级等政策措施落实情况公开。加大推进食品安全县创建工作信息公开力度。');
    expect(t.departments).toEqual(['经贸办', '市场监管所']);
    expect(t.title).toBe('做好培育新一代消费热点、全面促进消费升级等政策措施落实情况公开');
  });

  it('reads a section without items (5) as one task', () => {
    const t = task(plan, '5');
    expect(t.departments).toEqual(['镇疫情防控指挥部', '南旺医院', '派出所', '市场监管所']);
    expect(t.collective).toBe(false);
    expect(t.text.startsWith('准确把握常态化新冠肺炎疫情防控的阶段性特征')).toBe(true);
    expect(t.text).not.toContain('责任部门');
  });

  it('keeps collective units as written (6, 8)', () => {
    expect(task(plan, '6')).toMatchObject({ departments: ['镇直有关部门'], collective: true, lead: [] });
    expect(task(plan, '8')).toMatchObject({ departments: ['镇直各部门'], collective: true });
    expect(task(plan, '13.2').collective).toBe(false);
  });

  it('drops the [bookmark] debris from task 21 and keeps the signature out of it', () => {
    const t = task(plan, '21');
    expect(t.text).not.toContain('[bookmark');
    expect(t.text.startsWith('对政务公开要点提出的')).toBe(true);
    expect(t.text.endsWith('未完成的要依法督促整改。')).toBe(true);
    expect(t.departments).toEqual(['党政办']);
  });

  it('reads the deadline of task 14 from its text', () => {
    expect(task(plan, '14')).toMatchObject({ deadline: '2021-12-31', deadlineText: '2021年年底前' });
    expect(task(plan, '14').text).toContain('（2016年以后制定的）');
    expect(plan.tasks.filter((t) => t.deadline !== null).map((t) => t.code)).toEqual(['14']);
  });

  it('keeps the preamble out of the tasks, and gives every task units and a short title', () => {
    for (const t of plan.tasks) {
      expect(t.text).not.toContain('为认真贯彻落实');
      expect(t.text).not.toContain('（责任部门');
      expect(t.text).not.toMatch(/\n/);
      expect(t.departments.length).toBeGreaterThan(0);
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.title.length).toBeLessThanOrEqual(40);
      expect(t.text.startsWith(t.title.replace(/…$/, ''))).toBe(true);
    }
  });

  it('reads six units for task 13.2 and O2O办公室 for 3.4', () => {
    expect(task(plan, '13.2').departments).toEqual(['为民服务中心', '村建办', '自然资源南旺事务中心', '教体办', '南旺医院', '应急办']);
    expect(task(plan, '3.4').departments).toEqual(['司法所', 'O2O办公室']);
  });
});

describe('annotation styles', () => {
  it('（责任部门：…）/ (责任单位：…) with mixed separators, full-width letters and duplicates', async () => {
    const plan = await parseFixture('style-responsible.txt');
    expect(plan.plan).toEqual({ docNumber: '县政发〔2022〕5号', title: '2022年营商环境工作方案', issuer: '示范县人民政府', date: '2022-01-10' });
    expect(plan.tasks.map((t) => t.code)).toEqual(['1.1', '1.2', '1.3', '2']);
    expect(task(plan, '1.1')).toMatchObject({ text: '编制政务服务事项清单。', departments: ['审批局', '大数据中心'], lead: [] });
    expect(task(plan, '1.2').departments).toEqual(['大数据中心', '审批局', '司法局', '财政局', '市场监管局']);
    expect(task(plan, '1.2').text).toBe('推进“一网通办”。');
    expect(task(plan, '1.3').departments).toEqual(['O2O办公室', '审批局', '大数据中心']);
    expect(task(plan, '2')).toMatchObject({
      text: '推动政务服务向基层延伸，建设便民服务站。',
      departments: ['各村（社区）', '县直各部门'],
      collective: true,
    });
  });

  it('（牵头单位：X，配合单位：Y、Z）, with a deadline inside, and （牵头） after a name', async () => {
    const plan = await parseFixture('style-lead-assist.txt');
    expect(task(plan, '1.1')).toMatchObject({ departments: ['应急办', '派出所', '市场监管所'], lead: ['应急办'], collective: false });
    expect(task(plan, '1.2')).toMatchObject({
      text: '开展消防隐患排查。',
      departments: ['消防站', '各管区', '镇直有关部门'],
      lead: ['消防站'],
      collective: true,
      deadline: '2021-10-31',
      deadlineText: '2021年10月底前',
    });
    expect(task(plan, '1.3')).toMatchObject({ departments: ['应急办', '经贸办'], lead: ['应急办'] });
  });

  it('（X牵头，Y参与）, （X负责）, half-width (X牵头,Y配合) — and leaves ordinary parentheses alone', async () => {
    const plan = await parseFixture('style-inline-roles.txt');
    expect(task(plan, '1.1')).toMatchObject({ text: '建设现代农业产业园。', departments: ['农办', '经贸办', '财政所'], lead: ['农办'] });
    expect(task(plan, '1.2')).toMatchObject({ text: '推广土地流转服务模式。', departments: ['农经站'], lead: [] });
    expect(task(plan, '1.3')).toMatchObject({ text: '清理规范性文件（2016年以后制定的）', departments: [] });
    expect(task(plan, '1.4')).toMatchObject({ text: '培育新型经营主体。', departments: ['农办', '科技办'], lead: ['农办'] });
    expect(task(plan, '2')).toMatchObject({ text: '建立乡土人才数据库', departments: ['人社所', '农办'], lead: ['人社所'] });
    expect(plan.warnings).toContainEqual({ kind: 'no_unit', message: '任务 1.3 没有责任单位', code: '1.3' });
  });

  it('own-line 牵头单位：/配合单位：/责任单位：/完成时限：, including one wrapped over two lines', async () => {
    const plan = await parseFixture('style-own-line.txt');
    expect(plan.plan).toEqual({ docNumber: null, title: '2021年河长制工作实施方案', issuer: '南旺镇人民政府', date: '2021-06-01' });
    expect(task(plan, '1.1')).toMatchObject({
      text: '开展河道清淤。',
      departments: ['水利站', '环卫所', '各管区'],
      lead: ['水利站'],
      collective: true,
      deadline: '2021-08-31',
      deadlineText: '2021年8月底前',
    });
    expect(task(plan, '1.2')).toMatchObject({ text: '治理农村黑臭水体，完成年度整治任务。', departments: ['环保站', '水利站'], lead: [] });
    expect(task(plan, '2')).toMatchObject({ text: '严厉打击非法采砂行为。', departments: ['综合执法大队', '派出所'], lead: ['综合执法大队'] });
    expect(plan.tasks).toHaveLength(3);
  });

  it('own-line annotations after an item without final punctuation are not glued to its text', () => {
    const plan = parsePlan(['方案', '一、任务', '（一）保洁', '1、开展河道清淤', '牵头单位：水利站', '配合单位：环卫所', '2、清理岸线垃圾', '（环卫所负责）'].join('\n'));
    expect(task(plan, '1.1')).toMatchObject({ text: '开展河道清淤', departments: ['水利站', '环卫所'], lead: ['水利站'] });
    expect(task(plan, '1.2')).toMatchObject({ text: '清理岸线垃圾', departments: ['环卫所'], lead: [] });
  });

  it('a bare 责任单位： after the last sentence of an item', () => {
    const plan = parsePlan(['方案', '一、任务', '（一）建设', '1、建设便民服务站。责任单位：为民服务中心、各村'].join('\n'));
    expect(task(plan, '1.1')).toMatchObject({ text: '建设便民服务站。', departments: ['为民服务中心', '各村'], collective: true });
  });

  it('a （责任部门：…） that is not at the end of the item is still taken out', () => {
    const plan = parsePlan(['方案', '一、任务', '（一）建设', '1、建设便民服务站（责任部门：为民服务中心），年底前投用。'].join('\n'));
    expect(task(plan, '1.1')).toMatchObject({ text: '建设便民服务站，年底前投用。', departments: ['为民服务中心'] });
  });

  it('a （X牵头） in the middle of the text is ordinary text', () => {
    const plan = parsePlan(['方案', '一、任务', '（一）建设', '1、建立机制（党政办牵头）并推行。（责任部门：司法所）'].join('\n'));
    expect(task(plan, '1.1')).toMatchObject({ text: '建立机制（党政办牵头）并推行。', departments: ['司法所'], lead: [] });
  });
});

describe('deadlines', () => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = await parseFixture('deadlines.txt');
  });

  it('takes the year from the doc number when there is no signature date', () => {
    expect(plan.plan).toMatchObject({ docNumber: '镇政发〔2021〕20号', date: null, issuer: null });
  });

  it.each([
    ['1.1', '2021-09-30', '2021年9月底前'], // （完成时限：…） in its own group
    ['1.2', '2021-06-30', '6月30日前'], // （…；时限：…） wins over "11月底前" in the text
    ['1.3', '2021-09-30', '9月底前'], // first phrase in the text
    ['1.4', '2021-12-20', '2021年6月底前、12月20日前'], // the latest of several stated
    ['1.5', null, '长期坚持'], // stated without a date
    ['1.6', '2021-12-31', '年底前'],
    ['1.7', '2022-03-31', '2022年3月底前'], // explicit year beats the plan year
    ['1.8', '2021-12-31', '下半年'],
    ['1.9', null, null],
  ])('task %s → %s (%s)', (code, deadline, deadlineText) => {
    expect(task(plan, code)).toMatchObject({ deadline, deadlineText });
  });

  it('warns about a stated deadline that has no date', () => {
    expect(plan.warnings).toEqual([{ kind: 'no_date', message: '任务 1.5 的完成时限“长期坚持”没有具体日期', code: '1.5' }]);
  });

  it('needs 前 in running text but not in a 时限 annotation', () => {
    expect(findDeadlines('截至6月底，已完成', 2021, 'text')).toEqual([]);
    expect(findDeadlines('2021年6月11日印发', 2021, 'text')).toEqual([]);
    expect(findDeadlines('2021年9月', 2021, 'annotation').map((h) => h.iso)).toEqual(['2021-09-30']);
    expect(findDeadlines('第三季度', 2021, 'annotation').map((h) => h.iso)).toEqual(['2021-09-30']);
  });

  it('reads 月底/日 in Chinese numerals and full-width digits, and rejects impossible dates', () => {
    expect(findDeadlines('十二月底前', 2021, 'text').map((h) => h.iso)).toEqual(['2021-12-31']);
    expect(findDeadlines('２月底前', 2024, 'text').map((h) => h.iso)).toEqual(['2024-02-29']);
    expect(findDeadlines('二〇二一年九月三十日前', null, 'text').map((h) => h.iso)).toEqual(['2021-09-30']);
    expect(findDeadlines('2021年2月30日前', 2021, 'text').map((h) => h.iso)).toEqual([null]);
  });

  it('cannot place "9月底前" without a plan year, but keeps the wording', () => {
    const p = parsePlan(['工作方案', '一、任务', '（一）建设', '1、9月底前完成。（责任单位：经贸办）'].join('\n'));
    expect(task(p, '1.1')).toMatchObject({ deadline: null, deadlineText: '9月底前' });
  });

  it('takes the plan year from the signature date before the doc number', () => {
    const p = parsePlan(['镇政发〔2021〕1号', '工作方案', '一、任务', '（一）建设', '1、9月底前完成。', '南旺镇人民政府', '二〇二二年一月五日'].join('\n'));
    expect(p.plan.date).toBe('2022-01-05');
    expect(task(p, '1.1')).toMatchObject({ deadline: '2022-09-30', text: '9月底前完成。' });
  });
});

describe('line joining, numbering and debris', () => {
  let plan: ParsedPlan;
  beforeAll(async () => {
    plan = await parseFixture('numbering-and-debris.txt');
  });

  it('survives a BOM, CRLF, bookmarks and whitespace-only lines in the header', () => {
    expect(plan.plan).toMatchObject({ docNumber: '旺政办发〔2021〕12号', title: '2021年农村人居环境整治方案' });
  });

  it('reads items numbered "１、", "2." and "3．" and restarts numbering per section', () => {
    expect(plan.tasks.map((t) => t.code)).toEqual(['1.1', '1.2', '1.3', '1.4', '2.1']);
  });

  it('joins lines broken mid-sentence', () => {
    expect(task(plan, '1.1').text).toBe('全面推行垃圾分类，覆盖全部行政村。');
  });

  it('does not take "1.5倍" or an out-of-sequence "5、" after an unfinished line as new items', () => {
    expect(task(plan, '1.2')).toMatchObject({ text: '新建垃圾中转站，日处理能力提升1.5倍。', departments: ['环卫所', '村建办'] });
    expect(task(plan, '1.3')).toMatchObject({ text: '配备保洁员，每村不少于5、6名。', departments: ['各村（社区）'], collective: true });
  });

  it('drops zero-width characters and bookmarks inside a line', () => {
    expect(task(plan, '1.4').text).toBe('清理积存垃圾。');
  });

  it('cleanLines trims, drops blank lines and debris', () => {
    expect(cleanLines('\ufeffa\r\n \u3000\t\r\n[bookmark: x]b\u200b\u2060\n\n\u00a0c ')).toEqual(['a', 'b', 'c']);
  });

  it('joins Latin words broken across lines with a space, Chinese without', () => {
    const p = parsePlan(['方案', '一、任务', '（一）平台', '1、建设WeCom', 'bot平台和数据', '中心。（责任单位：党政办）'].join('\n'));
    expect(task(p, '1.1').text).toBe('建设WeCom bot平台和数据中心。');
  });

  it('accepts an item whose number does not follow when the line before closed its sentence', () => {
    const p = parsePlan(['方案', '一、任务', '（一）建设', '1、甲。（责任单位：A办）', '3、丙。（责任单位：C办）'].join('\n'));
    expect(p.tasks.map((t) => t.code)).toEqual(['1.1', '1.3']);
  });
});

describe('document shapes', () => {
  it('splits a section heading that runs on into its body', () => {
    const p = parsePlan(['方案', '一、保障措施', '（一）加强组织领导。成立工作专班，定期调度。（责任单位：党政办）'].join('\n'));
    expect(p.sections).toEqual([{ number: 1, chapter: 1, title: '加强组织领导' }]);
    expect(task(p, '1')).toMatchObject({ text: '成立工作专班，定期调度。', title: '成立工作专班，定期调度', departments: ['党政办'] });
  });

  it('reads an annotation at the end of a section heading', () => {
    const p = parsePlan(['方案', '一、保障措施', '（一）严格信息管理（责任部门：党政办、司法所）'].join('\n'));
    expect(p.sections[0]?.title).toBe('严格信息管理');
    expect(task(p, '1')).toMatchObject({ text: '严格信息管理', departments: ['党政办', '司法所'] });
  });

  it('lets items without units inherit the annotation of the section introduction', () => {
    const p = parsePlan(
      ['方案', '一、任务', '（一）垃圾治理', '重点做好以下工作（牵头单位：环卫所；完成时限：2021年9月底前）：', '1、分类。', '2、清运。（责任单位：村建办）'].join('\n'),
    );
    expect(task(p, '1.1')).toMatchObject({ departments: ['环卫所'], lead: ['环卫所'], deadline: '2021-09-30' });
    expect(task(p, '1.2')).toMatchObject({ departments: ['村建办'], lead: [], deadline: '2021-09-30' });
  });

  it('keeps chapter introductions and the preamble out of tasks', () => {
    const p = parsePlan(['南旺镇人民政府', '工作方案', '为做好工作，制定本方案。', '一、总体要求', '坚持问题导向，突出重点。', '二、重点任务', '（一）建设', '推进建设。（责任单位：村建办）'].join('\n'));
    expect(p.chapters.map((c) => c.title)).toEqual(['总体要求', '重点任务']);
    expect(p.tasks.map((t) => [t.code, t.chapter, t.text])).toEqual([['1', 2, '推进建设。']]);
    expect(p.plan).toMatchObject({ issuer: '南旺镇人民政府', title: '工作方案' });
  });

  it('keeps section numbers as written when they restart in each chapter, and builds codes from the path', () => {
    const p = parsePlan(['方案', '一、甲', '（一）子甲', '做A。（责任单位：A办）', '二、乙', '（一）子乙', '做B。（责任单位：B办）'].join('\n'));
    expect(p.sections.map((s) => [s.chapter, s.number])).toEqual([[1, 1], [2, 1]]);
    expect(p.tasks.map((t) => t.code)).toEqual(['1.1', '2.1']);
    expect(p.warnings).toEqual([]);
  });

  it('reads a red-head issuer, a multi-line title and a signature in Chinese numerals', () => {
    const p = parsePlan(['南旺镇人民政府文件', '旺政发〔2021〕37号', '南旺镇2021年政务公开', '工作实施方案', '各管区：', '一、任务', '（一）建设', '推进。（责任单位：A办）', '南旺镇人民政府', '二〇二一年六月十一日'].join('\n'));
    expect(p.plan).toEqual({ docNumber: '旺政发〔2021〕37号', title: '南旺镇2021年政务公开工作实施方案', issuer: '南旺镇人民政府', date: '2021-06-11' });
    expect(task(p, '1').text).toBe('推进。');
  });

  it('returns no tasks, not an error, for a document without headings', () => {
    const p = parsePlan('只有一段文字。');
    expect(p.tasks).toEqual([]);
    expect(p.chapters).toEqual([]);
  });
});

describe('shortTitle', () => {
  it('takes the first clause up to 。；;', () => {
    expect(shortTitle('实施技改工程，加快装备换芯。大力弘扬精神。')).toBe('实施技改工程，加快装备换芯');
    expect(shortTitle('开展清查；建立台账。')).toBe('开展清查');
  });
  it('cuts a long first clause at its first ，', () => {
    const text = `${'准确把握常态化新冠肺炎疫情防控的阶段性特征'}，${'重点围绕散发疫情隔离管控精准防控发布权威信息'}。`;
    expect(shortTitle(text)).toBe('准确把握常态化新冠肺炎疫情防控的阶段性特征');
  });
  it('truncates to 40 characters with an ellipsis when nothing else helps', () => {
    const t = shortTitle('一'.repeat(60));
    expect(t).toHaveLength(40);
    expect(t.endsWith('…')).toBe(true);
  });
});

describe('chinese numerals', () => {
  it.each([
    ['一', 1], ['十', 10], ['十一', 11], ['二十', 20], ['二十一', 21], ['九十九', 99], ['一百零五', 105],
    ['二〇二一', 2021], ['二○二二', 2022], ['２１', 21], ['7', 7],
  ])('%s → %i', (s, n) => {
    expect(parseChineseNumeral(s)).toBe(n);
  });
  it('rejects what is not a numeral', () => {
    expect(parseChineseNumeral('二三十')).toBeNull();
    expect(parseChineseNumeral('十四五规划')).toBeNull();
    expect(parseChineseNumeral('')).toBeNull();
  });
  it('round-trips 1…120', () => {
    for (let n = 1; n <= 120; n++) expect(parseChineseNumeral(toChineseNumeral(n))).toBe(n);
    expect(toChineseNumeral(21)).toBe('二十一');
    expect(toChineseNumeral(105)).toBe('一百零五');
  });
});

// A .docx is a zip; this writes one with stored (uncompressed) entries so the test needs
// no binary fixture and no zip dependency.
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function docx(paragraphs: string[][]): Buffer {
  const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = paragraphs
    .map((runs) => `<w:p>${runs.map((r) => `<w:r><w:t xml:space="preserve">${escape(r)}</w:t></w:r>`).join('')}</w:p>`)
    .join('');
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body.replace('<w:p>', '<w:p><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>')}</w:body></w:document>`,
  });
}

describe('readPlanFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .txt as UTF-8 and strips the BOM', async () => {
    const path = join(dir, 'bom.txt');
    await writeFile(path, '\ufeff南旺镇人民政府\n');
    expect(await readPlanFile(path)).toBe('南旺镇人民政府\n');
  });

  it('reads the seed fixture byte for byte', async () => {
    const path = fixture('seed-nanwang-2021.txt');
    expect(await readPlanFile(path)).toBe(await readFile(path, 'utf8'));
  });

  it('falls back to GB18030 for text that is not UTF-8', () => {
    expect(decodeText(Uint8Array.from([0xc4, 0xcf, 0xcd, 0xfa]))).toBe('南旺');
  });

  it('extracts .docx paragraphs, runs joined', async () => {
    const path = join(dir, 'plan.docx');
    await writeFile(
      path,
      docx([
        ['旺政发〔2021〕37号'],
        ['南旺镇人民政府'],
        ['2021年政务公开', '工作实施方案'],
        ['一、深化重点领域政府信息公开'],
        ['（一）立足实施重大战略推进政务公开'],
        ['1、主动公开规划。', '（责任部门：经贸办、统计站）'],
        ['2、9月底前完成归集。（牵头单位：统计站，配合单位：镇直各部门）'],
        ['南旺镇人民政府'],
        ['2021年6月11日'],
      ]),
    );
    const text = await readPlanFile(path);
    expect(text).toContain('2021年政务公开工作实施方案');
    const plan = parsePlan(text);
    expect(plan.plan).toEqual({ docNumber: '旺政发〔2021〕37号', title: '2021年政务公开工作实施方案', issuer: '南旺镇人民政府', date: '2021-06-11' });
    expect(plan.tasks.map((t) => [t.code, t.text, t.departments, t.lead, t.collective, t.deadline])).toEqual([
      ['1.1', '主动公开规划。', ['经贸办', '统计站'], [], false, null],
      ['1.2', '9月底前完成归集。', ['统计站', '镇直各部门'], ['统计站'], true, '2021-09-30'],
    ]);
  });

  it('reads legacy .doc as text through word-extractor', async () => {
    const text = await readPlanFile(fixture('seed-nanwang-2021-text.doc'));
    expect(parsePlan(text).tasks).toHaveLength(65);
  });
});
