// 分管: an admin sets which departments a leader is in charge of (several allowed). Leaders may 催办 those
// departments and get a weekly list of their red items. Every change is audited.
import type { CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { normalizeInput } from '../src/domain/text.ts';
import { BotError } from '../src/bot/errors.ts';
import { getMember, isValidUserid, resolveDepartmentName } from '../src/members/members.ts';
import { chargeOf, setCharge } from '../src/store/leader-charges.ts';

const list = (xs: string[]) => xs.join('、') || '（无）';

const CLEAR_WORDS = ['无', '清空', '取消', '（无）'];

async function resolveAll(ctx: CommandContext, written: string): Promise<string[]> {
  const names: string[] = [];
  for (const w of normalizeInput(written).split(/[\s、,，;；/|]+/).filter(Boolean)) {
    const r = await resolveDepartmentName(ctx.store, w, { includeCollective: false });
    if (!r.ok) {
      const choices = r.candidates.length ? `可能是：${r.candidates.slice(0, 5).join('、')}` : '发送“部门”可查看全部部门';
      throw new BotError('unknown_department', `没有找到部门“${w}”，${choices}。未做修改。`);
    }
    if (!names.includes(r.name)) names.push(r.name);
  }
  return names;
}

export const leaderCharge: CommandSpec = {
  name: '分管',
  aliases: ['设置分管'],
  summary: '设置领导分管的部门（替换原有；只写账号则查看，写“无”则清空）',
  args: [{ name: '账号', kind: 'word' }, { name: '部门…', kind: 'text', optional: true }],
  example: '分管 wangzhen 经贸办 财政所',
  access: 'admin',
  async run(ctx, args) {
    const userid = args['账号'] as string;
    if (!isValidUserid(userid)) throw new BotError('invalid_userid', `“${userid}”不是有效的企业微信账号（userid），未做修改。`);
    const member = await getMember(ctx.store, userid);
    if (!member) throw new BotError('unknown_member', `没有成员 ${userid}，未做修改。先登记：设为领导 ${userid}`);
    const written = ((args['部门…'] as string | undefined) ?? '').trim();
    if (!written) return `${userid} 分管：${list(await chargeOf(ctx.store, userid))}。\n修改：分管 ${userid} 部门…`;
    // Read here rather than as a "departments" argument, so that “无” can clear the list.
    const departments = CLEAR_WORDS.includes(written) ? [] : await resolveAll(ctx, written);
    if (departments.length > 0 && !member.roles.includes('leader')) {
      throw new BotError('not_leader', `${userid} 不是领导，未做修改。先设置：设为领导 ${userid}`);
    }
    const change = await setCharge(ctx.store, ctx.clock, ctx.sender.userid, userid, departments);
    if (!change) return `${userid} 已分管 ${list(departments)}，未做修改。`;
    return ctx.render('member-changed', { action: `已设置 ${userid} 的分管部门`, before: list(change.before), after: list(change.after), next: `${userid} 可以：催办 编号 部门` });
  },
};
