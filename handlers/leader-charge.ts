// 分管: an admin sets which departments a leader is in charge of (several allowed). Leaders may 催办 those
// departments and get a weekly list of their red items. Every change is audited.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { getMember, isValidUserid } from '../src/members/members.ts';
import { chargeOf, setCharge } from '../src/store/leader-charges.ts';

const list = (xs: string[]) => xs.join('、') || '（无）';

export const leaderCharge: CommandSpec = {
  name: '分管',
  aliases: ['设置分管'],
  summary: '设置领导分管的部门（替换原有；只写账号则查看）',
  args: [{ name: '账号', kind: 'word' }, { name: '部门…', kind: 'departments', optional: true }],
  example: '分管 wangzhen 经贸办 财政所',
  access: 'admin',
  async run(ctx, args) {
    const userid = args['账号'] as string;
    if (!isValidUserid(userid)) throw new BotError('invalid_userid', `“${userid}”不是有效的企业微信账号（userid），未做修改。`);
    const member = await getMember(ctx.store, userid);
    if (!member) throw new BotError('unknown_member', `没有成员 ${userid}，未做修改。先登记：设为领导 ${userid}`);
    const departments = (args['部门…'] as string[] | undefined) ?? [];
    if (departments.length === 0) {
      return `${userid} 分管：${list(await chargeOf(ctx.store, userid))}。\n修改：分管 ${userid} 部门…`;
    }
    if (!member.roles.includes('leader')) {
      throw new BotError('not_leader', `${userid} 不是领导，未做修改。先设置：设为领导 ${userid}`);
    }
    const change = await setCharge(ctx.store, ctx.clock, ctx.sender.userid, userid, departments);
    if (!change) return `${userid} 已分管 ${list(departments)}，未做修改。`;
    return ctx.render('member-changed', { action: `已设置 ${userid} 的分管部门`, before: list(change.before), after: list(change.after), next: `${userid} 可以：催办 编号 部门` });
  },
};
