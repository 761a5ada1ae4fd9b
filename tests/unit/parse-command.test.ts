// Text → command and arguments, with the real command declarations: what people type on a phone.
import { describe, expect, it } from 'vitest';
import { parseCommand, type ParsedCommand } from '../../src/bot/parse-command.ts';
import type { ArgValues } from '../../src/bot/command-spec.ts';
import { COMMANDS } from '../../handlers/index.ts';

function parse(text: string): ParsedCommand {
  return parseCommand(text, COMMANDS);
}

/** The command name and arguments, or fails the test with what was parsed instead. */
function command(text: string): { name: string; args: ArgValues } {
  const p = parse(text);
  if (p.kind !== 'command') throw new Error(`"${text}" parsed as ${p.kind}: ${JSON.stringify(p)}`);
  return { name: p.spec.name, args: p.args };
}

const inProgress = (percent: number | null) => ({ status: 'in_progress', percent });

describe('every declared example', () => {
  it.each(COMMANDS.map((c) => [c.name, c.example] as const))('%s: its example "%s" parses as that command', (name, example) => {
    expect(command(example).name).toBe(name);
  });

  it('every name and alias reaches its own command', () => {
    for (const spec of COMMANDS) {
      for (const word of [spec.name, ...spec.aliases]) {
        const p = parse(word);
        expect(p.kind === 'command' || p.kind === 'bad_args', word).toBe(true);
        expect((p as { spec: { name: string } }).spec.name, word).toBe(spec.name);
      }
    }
  });
});

describe('empty input', () => {
  it.each(['', '   ', '　', '\u200b', '\ufeff \u200c'])('%j is empty', (text) => {
    expect(parse(text)).toEqual({ kind: 'empty' });
  });
});

describe('full-width input from Chinese IMEs', () => {
  it('reads full-width digits, punctuation and ideographic spaces', () => {
    expect(command('汇报　７．５　８０％　第三期培训已报名')).toEqual({
      name: '汇报',
      args: { 编号: '7.5', 进度: inProgress(80), 说明: '第三期培训已报名' },
    });
  });

  it('reads full-width letters in ASCII aliases, in any case', () => {
    expect(command('ｈｅｌｐ').name).toBe('帮助');
    expect(command('ＨＥＬＰ').name).toBe('帮助');
    expect(command('HELP').name).toBe('帮助');
    expect(command('ｒｅｐｏｒｔ　７．５　６０％').args).toEqual({ 编号: '7.5', 进度: inProgress(60) });
  });

  it('reads a full-width question mark as help', () => {
    expect(command('？').name).toBe('帮助');
    expect(command('?').name).toBe('帮助');
  });

  it('reads a report typed all in full width with full-width commas', () => {
    expect(command('汇报７．５，６０％，已对接').args).toEqual({ 编号: '7.5', 进度: inProgress(60), 说明: '已对接' });
  });

  it('reads a department between full-width spaces', () => {
    expect(command('汇报　７．５　经贸办　６０％').args).toEqual({ 编号: '7.5', 部门: '经贸办', 进度: inProgress(60) });
  });
});

describe('task codes in every form people write them', () => {
  it.each([
    ['7.3', '7.3'],
    ['7-3', '7.3'],
    ['7．3', '7.3'],
    ['（七）3', '7.3'],
    ['七.3', '7.3'],
    ['(七)3', '7.3'],
    ['７．３', '7.3'],
    ['第七节第3项', '7.3'],
    ['5', '5'],
    ['二十一', '21'],
  ])('任务 %s → %s', (typed, code) => {
    expect(command(`任务 ${typed}`)).toEqual({ name: '任务', args: { 编号: code } });
  });

  it.each([
    ['7.3', '7.3'],
    ['（七）3', '7.3'],
    ['第七节第3项', '7.3'],
    ['二十一', '21'],
  ])('汇报 %s 60%% → code %s', (typed, code) => {
    expect(command(`汇报 ${typed} 60%`).args).toEqual({ 编号: code, 进度: inProgress(60) });
  });

  it('says what is wrong when the code is not a code', () => {
    const p = parse('任务 电商');
    expect(p.kind).toBe('bad_args');
    expect(p.kind === 'bad_args' && p.problem).toContain('不是任务编号');
    expect(p.kind === 'bad_args' && p.spec.name).toBe('任务');
  });

  it('says the code is missing', () => {
    const p = parse('任务');
    expect(p).toMatchObject({ kind: 'bad_args', problem: '缺少编号' });
  });
});

describe('percentages', () => {
  it.each([
    ['60%', inProgress(60)],
    ['６０％', inProgress(60)],
    ['60', inProgress(60)],
    ['100', { status: 'done', percent: 100 }],
    ['100%', { status: 'done', percent: 100 }],
    ['0', { status: 'not_started', percent: 0 }],
  ])('汇报 7.5 %s', (typed, progress) => {
    expect(command(`汇报 7.5 ${typed}`).args).toEqual({ 编号: '7.5', 进度: progress });
  });

  it.each(['101', '101%', '１０１％', '200'])('rejects %s as a progress', (typed) => {
    const p = parse(`汇报 7.5 ${typed}`);
    expect(p.kind).toBe('bad_args');
    expect(p.kind === 'bad_args' && p.problem).toContain('不是进度');
  });

  it('says the progress is missing', () => {
    expect(parse('汇报 7.5')).toMatchObject({ kind: 'bad_args', problem: '缺少进度' });
    expect(parse('汇报7.5')).toMatchObject({ kind: 'bad_args', problem: '缺少进度' });
  });
});

describe('status words', () => {
  it.each([
    ['已完成', { status: 'done', percent: 100 }],
    ['完成', { status: 'done', percent: 100 }],
    ['推进中', inProgress(null)],
    ['进行中', inProgress(null)],
    ['未启动', { status: 'not_started', percent: 0 }],
  ])('汇报 7.5 %s', (word, progress) => {
    expect(command(`汇报 7.5 ${word}`).args).toEqual({ 编号: '7.5', 进度: progress });
  });

  it.each(['受阻', '困难'])('%s takes the rest of the line as the reason', (word) => {
    const blocked = { status: 'blocked', percent: null };
    expect(command(`汇报 7.5 ${word} 资金未到位`).args).toEqual({ 编号: '7.5', 进度: blocked, 说明: '资金未到位' });
    expect(command(`汇报 7.5 ${word}资金未到位`).args).toEqual({ 编号: '7.5', 进度: blocked, 说明: '资金未到位' });
    expect(command(`汇报 7.5 ${word}，资金未到位`).args).toEqual({ 编号: '7.5', 进度: blocked, 说明: '资金未到位' });
    expect(command(`汇报 7.5 ${word} 资金未到位 待协调`).args['说明']).toBe('资金未到位 待协调');
  });

  it('受阻 without a reason parses (the handler asks for the reason)', () => {
    expect(command('汇报 7.5 受阻').args).toEqual({ 编号: '7.5', 进度: { status: 'blocked', percent: null } });
  });
});

describe('glued input', () => {
  it('汇报7.5 60%: the command word glued to the code', () => {
    expect(command('汇报7.5 60%')).toEqual({ name: '汇报', args: { 编号: '7.5', 进度: inProgress(60) } });
  });

  it('汇报 7.5，60%，已对接: commas instead of spaces', () => {
    expect(command('汇报 7.5，60%，已对接').args).toEqual({ 编号: '7.5', 进度: inProgress(60), 说明: '已对接' });
  });

  it('汇报 7.5 60%已对接: the note glued to the percentage', () => {
    expect(command('汇报 7.5 60%已对接').args).toEqual({ 编号: '7.5', 进度: inProgress(60), 说明: '已对接' });
  });

  it('汇报 7.5 60%，已对接: a comma between percentage and note', () => {
    expect(command('汇报 7.5 60%，已对接').args).toEqual({ 编号: '7.5', 进度: inProgress(60), 说明: '已对接' });
  });

  it('汇报7.5，60%: everything glued', () => {
    expect(command('汇报7.5，60%').args).toEqual({ 编号: '7.5', 进度: inProgress(60) });
  });

  it('60 %: a space before the percent sign', () => {
    expect(command('汇报 7.5 60 %').args).toEqual({ 编号: '7.5', 进度: inProgress(60) });
    expect(command('汇报 7.5 ６０　％ 已对接').args).toEqual({ 编号: '7.5', 进度: inProgress(60), 说明: '已对接' });
  });

  it('完成7.5 and 任务七.3', () => {
    expect(command('完成7.5')).toEqual({ name: '完成', args: { 编号: '7.5' } });
    expect(command('任务七.3')).toEqual({ name: '任务', args: { 编号: '7.3' } });
  });
});

describe('an optional department before the progress', () => {
  it('汇报 7.5 经贸办 60%', () => {
    expect(command('汇报 7.5 经贸办 60%').args).toEqual({ 编号: '7.5', 部门: '经贸办', 进度: inProgress(60) });
  });

  it('汇报 7.5 经贸办 60% 已对接: department, progress and note', () => {
    expect(command('汇报 7.5 经贸办 60% 已对接').args).toEqual({ 编号: '7.5', 部门: '经贸办', 进度: inProgress(60), 说明: '已对接' });
  });

  it('a short name is passed on as typed, to be resolved against the departments later', () => {
    expect(command('汇报 7.5 经贸 60%').args['部门']).toBe('经贸');
  });

  it('a progress is never taken for the department', () => {
    expect(command('汇报 7.5 60% 经贸办').args).toEqual({ 编号: '7.5', 进度: inProgress(60), 说明: '经贸办' });
    expect(command('汇报 7.5 受阻 经贸办').args).toEqual({ 编号: '7.5', 进度: { status: 'blocked', percent: null }, 说明: '经贸办' });
  });
});

describe('commands with lists, roles and words', () => {
  it('绑定 takes several departments, separated by spaces or 、，', () => {
    expect(command('绑定 zhangsan 经贸办、村建办').args).toEqual({ 账号: 'zhangsan', '部门…': ['经贸办', '村建办'] });
    expect(command('绑定 zhangsan 经贸办 村建办').args).toEqual({ 账号: 'zhangsan', '部门…': ['经贸办', '村建办'] });
    expect(command('转办 7.5 经贸办，统计站').args).toEqual({ 编号: '7.5', '部门…': ['经贸办', '统计站'] });
  });

  it('reads role words', () => {
    expect(command('撤销角色 lisi 管理员').args).toEqual({ 账号: 'lisi', 角色: 'admin' });
    expect(command('撤销角色 lisi 领导').args).toEqual({ 账号: 'lisi', 角色: 'leader' });
    expect(command('撤销角色 lisi 联络员').args).toEqual({ 账号: 'lisi', 角色: 'member' });
    expect(parse('撤销角色 lisi 老板')).toMatchObject({ kind: 'bad_args' });
  });

  it('complains about extra words', () => {
    const p = parse('任务 7.5 多余');
    expect(p).toMatchObject({ kind: 'bad_args' });
    expect(p.kind === 'bad_args' && p.problem).toContain('多余');
    expect(parse('我的任务 7.5')).toMatchObject({ kind: 'bad_args' });
  });

  it('prefers the longest command word', () => {
    expect(command('任务列表').name).toBe('我的任务'); // not 任务 + 列表
    expect(command('已完成 7.5').name).toBe('完成');
    expect(command('tasks').name).toBe('我的任务'); // not task + s
    expect(command('task 7.5').name).toBe('任务');
  });
});

describe('ASCII alias boundaries', () => {
  it('help is help, helpme is not', () => {
    expect(command('help').name).toBe('帮助');
    expect(command('help ').name).toBe('帮助');
    const p = parse('helpme');
    expect(p.kind).toBe('unknown');
  });

  it('an ASCII alias glued to a digit is not that alias', () => {
    expect(parse('done7').kind).toBe('unknown');
    expect(parse('report7.5 60').kind).toBe('unknown');
    expect(command('done 7.5')).toEqual({ name: '完成', args: { 编号: '7.5' } });
  });

  it('a Chinese command word may be glued to what follows', () => {
    expect(command('搜索电商')).toEqual({ name: '搜索', args: { 关键词: '电商' } });
  });
});

describe('unknown text', () => {
  it.each([
    ['汇抱 7.5', '汇报'],
    ['回报 7.5 60%', '汇报'],
    ['搜所 电商', '搜索'],
    ['总揽', '总览'],
    ['帮主', '帮助'],
  ])('%s → a guess of %s', (typed, guess) => {
    const p = parse(typed);
    expect(p.kind).toBe('unknown');
    expect(p.kind === 'unknown' && p.guess?.name).toBe(guess);
  });

  it.each([
    ['7.5', '7.5'],
    ['７．５', '7.5'],
    ['7.5 60%', '7.5'],
    ['（七）5', '7.5'],
  ])('%s alone → code %s', (typed, code) => {
    const p = parse(typed);
    expect(p.kind).toBe('unknown');
    expect(p.kind === 'unknown' && p.code).toBe(code);
  });

  it('plain chat has neither a guess nor a code', () => {
    expect(parse('今天天气不错')).toEqual({ kind: 'unknown', guess: null, code: null });
    expect(parse('xyz')).toEqual({ kind: 'unknown', guess: null, code: null });
  });

  it('a misspelling carries no code unless the first word is one', () => {
    const p = parse('汇抱 7.5');
    expect(p.kind === 'unknown' && p.code).toBeNull();
  });
});

describe('Chinese amounts in 汇报 (issue 18)', () => {
  it('汇报7.6 八成 招商推进 records 80%', () => {
    expect(command('汇报7.6 八成 招商推进').args).toEqual({ 编号: '7.6', 进度: inProgress(80), 说明: '招商推进' });
    expect(command('汇报 7.6 百分之八十').args).toEqual({ 编号: '7.6', 进度: inProgress(80) });
  });

  it('asks for a number instead of guessing 过半, and does not take it for a department', () => {
    const p = parse('汇报 7.6 过半 招商推进');
    expect(p.kind).toBe('bad_args');
    expect(p.kind === 'bad_args' && p.problem).toContain('“过半”说不准是多少');
  });
});
