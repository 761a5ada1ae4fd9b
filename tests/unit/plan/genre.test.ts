// Small genre variants seen across published plans.
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/domain/plan/index.ts';
import { findDeadlines } from '../../../src/domain/plan/dates.ts';
import { findLayout } from '../../../src/domain/plan/table-outline.ts';

const lines = (...l: string[]): string => l.join('\n');

describe('genre variants', () => {
  it('reads 第一部分 / 第二章 chapters', () => {
    const plan = parsePlan(lines('方案', '第一部分 总体要求', '坚持问题导向。', '第二部分　重点任务', '（一）建设', '推进建设。（责任单位：村建办）'));
    expect(plan.chapters.map((c) => c.title)).toEqual(['总体要求', '重点任务']);
    expect(plan.tasks.map((t) => [t.code, t.chapter, t.departments])).toEqual([['1', 2, ['村建办']]]);
  });

  it('reads 【牵头单位】X keys in brackets', () => {
    const plan = parsePlan(lines('方案', '一、任务', '1、建设便民服务站。【牵头单位】为民服务中心【配合单位】各村'));
    expect(plan.tasks[0]).toMatchObject({ text: '建设便民服务站。', departments: ['为民服务中心', '各村'], lead: ['为民服务中心'] });
  });

  it('reads dates typed with dots, dashes and slashes in a 时限', () => {
    expect(findDeadlines('2023.6.30', null, 'annotation').map((h) => h.iso)).toEqual(['2023-06-30']);
    expect(findDeadlines('2023-06-30前', null, 'annotation').map((h) => h.iso)).toEqual(['2023-06-30']);
    expect(findDeadlines('2023/9', null, 'annotation').map((h) => h.iso)).toEqual(['2023-09-30']);
    expect(findDeadlines('增长6.2%', 2023, 'text')).toEqual([]);
  });

  it.each([
    [['序号', '任务', '责任单位', '时限'], ['seq', 'topic', 'units', 'deadline']],
    [['序号', '主要工作', '牵头股室', '协同单位', '完成节点', '包抓领导', '完成情况'], ['seq', 'topic', 'lead', 'assist', 'deadline', 'leaders', 'note']],
    [['编号', '工作任务', '责任单位（部门）', '完成时限（截止时间）'], ['seq', 'topic', 'units', 'deadline']],
  ])('recognises the header %j', (header, roles) => {
    expect(findLayout([header])?.roles).toEqual(roles);
  });
});

describe('a chapter called 重点任务分工 lists tasks', () => {
  it('is read as tasks, not as a prose 职责分工', () => {
    const plan = parsePlan(lines('方案', '一、重点任务分工', '（一）便民服务站建设', '推进建设。（责任单位：村建办）', '二、部门职责', '党政办：负责便民服务站建设的协调。'));
    expect(plan.tasks.map((t) => [t.code, t.departments])).toEqual([['1', ['村建办', '党政办']]]);
    expect(plan.warnings).toEqual([]);
  });
});

describe('（1） and ① points', () => {
  it('are the items of a section without 1、 items, and text under a 1、 item', () => {
    const plan = parsePlan(
      lines(
        '方案', '一、任务',
        '（一）垃圾治理', '（1）清理河道。（责任单位：水利站）', '（2）清理路边。（责任单位：环卫所）',
        '（二）厕所改造', '1、完成改厕。', '（1）摸底。', '（2）施工。（责任单位：村建办）',
        '（三）宣传', '①发放明白纸。（宣传办负责）', '②评选庭院。（妇联负责）',
      ),
    );
    expect(plan.tasks.map((t) => [t.code, t.text, t.departments])).toEqual([
      ['1.1', '清理河道。', ['水利站']],
      ['1.2', '清理路边。', ['环卫所']],
      ['2.1', '完成改厕。（1）摸底。（2）施工。', ['村建办']],
      ['3.1', '发放明白纸。', ['宣传办']],
      ['3.2', '评选庭院。', ['妇联']],
    ]);
  });
});

describe('more annotation keys', () => {
  it.each([
    ['1、建设。（责任单位（部门）：党政办）', ['党政办'], []],
    ['1、建设。（牵头责任单位：党政办；协同单位：财政所）', ['党政办', '财政所'], ['党政办']],
    ['1、建设。（主办单位：党政办，协办部门：财政所，时间安排：2023年6月底）', ['党政办', '财政所'], ['党政办']],
  ])('%s', (item, departments, lead) => {
    const plan = parsePlan(lines('方案', '一、任务', item));
    expect(plan.tasks[0]).toMatchObject({ text: '建设。', departments, lead });
  });
});
