// The short shape of the weekly messages and 总览: one phone screen whatever the town's size.
import { describe, expect, it } from 'vitest';
import { render } from '../../src/bot/render.ts';
import type { Digest, TaskLine } from '../../src/domain/digest.ts';
import { BRIEF_RED_MAX, briefView, changeText, digestBrief } from '../../src/domain/digest-brief.ts';

const LONG = '县市场监督管理局南旺镇市场监督管理所'; // a long unit name, as real rosters have

function line(code: string, light: TaskLine['light'], departments: string[], title = '加快推进政务公开标准化规范化建设工作，做好基层政务公开'): TaskLine {
  return { code, title, icon: '', light, departments };
}

/** A town's digest: departments with the given rates (of 10 expected each), and attention lines. */
function digest(rates: number[], attention: TaskLine[] = [], names = rates.map((_, i) => `部门${i + 1}`)): Digest {
  const departments = rates.map((rate, i) => ({ name: names[i]!, expected: 10, reported: rate / 10, rate })).sort((a, b) => a.rate - b.rate);
  const expected = rates.length * 10;
  const reported = departments.reduce((n, d) => n + d.reported, 0);
  return {
    week: '2021-W30', expected, reported, rate: expected ? Math.round((reported / expected) * 100) : 100,
    byStatus: { not_started: 0, in_progress: 0, blocked: 0, done: 0, none: 0 }, departments, newlyCompleted: [], newlyCompletedUnits: 0, blocked: [],
    silentDepartments: departments.filter((d) => d.reported === 0).map((d) => d.name), attention,
    lights: { red: attention.filter((a) => a.light === 'red').length, yellow: 0, green: 0, done: 0 }, taskCount: 60,
    review: { pending: 2, closed: 3, returned: 1 }, overdue: [line('7.6', 'red', ['经贸办'])],
  };
}

const message = (d: Digest, previous: Digest | null, markdown = true) =>
  render('digest-brief', briefView(digestBrief(d, previous, [{ prefix: '', digest: d }]), {
    markdown, heading: '督办周报｜7月26日—8月1日', url: 'https://duban.example.gov.cn/web/digests/week/2021-W30', linkText: '各部门、各任务的全部情况',
  }));

describe('the weekly brief', () => {
  // 29 departments with long names, 11 at 0 %, 60 red tasks each with several units: the county's worst case.
  const names = Array.from({ length: 29 }, (_, i) => `${LONG}${i + 1}`);
  const rates = Array.from({ length: 29 }, (_, i) => (i < 11 ? 0 : ((i * 10) % 100) + 10));
  const reds = Array.from({ length: 60 }, (_, i) => line(`${Math.floor(i / 5) + 1}.${(i % 5) + 1}`, 'red', names.slice(0, 4)));
  const big = digest(rates, [...reds, line('9.9', 'yellow', ['经贸办'])], names);

  it('fits one phone screen: at most 1,000 characters and 15 lines, the link last', () => {
    const text = message(big, digest(rates.map(() => 50)));
    expect([...text].length).toBeLessThanOrEqual(1000);
    expect(text.split('\n').length).toBeLessThanOrEqual(15);
    expect(text.split('\n').at(-1)).toBe('[各部门、各任务的全部情况](https://duban.example.gov.cn/web/digests/week/2021-W30)');
    // The leaders' text fits one app message (2,048 bytes).
    expect(Buffer.byteLength(message(big, null, false))).toBeLessThanOrEqual(2048);
  });

  it('names at most five 红灯 tasks with their units, and counts the rest', () => {
    const text = message(big, null);
    expect(text).toContain(`🔴红灯任务 60 项，前 ${BRIEF_RED_MAX} 项：`);
    const listed = text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(listed).toHaveLength(BRIEF_RED_MAX);
    expect(listed[0]).toMatch(/^1\. 1\.1 加快推进政务公开标准化规范…（县市场监督管理局南旺镇…等 4 个）$/);
    expect(text).not.toContain('9.9'); // yellow is not red
  });

  it('puts the departments at 0 % on one line, and names the slowest of the others', () => {
    const text = message(big, null);
    const zero = text.split('\n').filter((l) => l.startsWith('未汇报（0%）'));
    expect(zero).toHaveLength(1);
    expect(zero[0]).toMatch(/^未汇报（0%）11 个：(县市场监督管理局南旺镇市场监督管理所\d+、){7}县市场监督管理局南旺镇市场监督管理所\d+等$/);
    expect(text.split('\n').filter((l) => /[^\d]0%/.test(l) && !l.startsWith('未汇报'))).toEqual([]);
    const slow = text.split('\n').find((l) => l.startsWith('汇报最慢：'))!;
    expect(slow.split('、')).toHaveLength(3); // three beside a 0 % line
    expect(slow).toMatch(/^汇报最慢：\S+ 10%、/);
    // Without departments at 0 %, five.
    const fewer = message(digest([20, 30, 40, 50, 60, 70, 100]), null);
    expect(fewer).not.toContain('未汇报（0%）');
    expect(fewer).toContain('汇报最慢：部门1 20%、部门2 30%、部门3 40%、部门4 50%、部门5 60%');
  });

  it('gives the change from last week, or says nothing when last week had nothing to compare', () => {
    expect(message(digest([50, 70]), digest([40, 40]))).toContain('汇报率 **60%**（12/20），较上周↑20 个百分点');
    expect(message(digest([50, 70]), digest([80, 80]), false)).toContain('汇报率 60%（12/20），较上周↓20 个百分点');
    expect(message(digest([50, 70]), digest([60, 60]))).toContain('与上周持平');
    expect(message(digest([50, 70]), digest([]))).toMatch(/汇报率 \*\*60%\*\*（12\/20）\n/);
    expect(changeText(null)).toBe('');
  });

  it('counts 销号 and 超期 on one line', () => {
    expect(message(digest([50]), null)).toContain('销号：待审核 2　已销号 3　退回 1　⏰超期 1 项');
  });

  it('sends a short notice for a week with no reports, naming no department', () => {
    const text = message(digest(rates.map(() => 0), reds, names), null);
    expect(text).toBe('### 督办周报｜7月26日—8月1日\n本周没有收到汇报：29 个部门应报 290 项，均未汇报。\n[各部门、各任务的全部情况](https://duban.example.gov.cn/web/digests/week/2021-W30)');
    expect(message(digest([]), null)).toContain('本周没有需要汇报的任务。');
  });

  it('qualifies codes by the plan when several plans are active', () => {
    const a = digest([50], [line('1.2', 'red', ['安监办'])]);
    const brief = digestBrief(a, null, [{ prefix: '政务公开', digest: digest([50], []) }, { prefix: '安全生产', digest: a }]);
    expect(brief.red.map((r) => r.label)).toEqual(['安全生产1.2']);
  });

  it('keeps user text as text in the group markdown', () => {
    const evil = digest([50], [line('7.5', 'red', ['经贸办'], '[x](http://evil.example)<@demo-leader>')]);
    const text = message(evil, null);
    expect(text).not.toContain('[x](http://evil.example)');
    expect(text).not.toContain('<@demo-leader>');
  });
});
