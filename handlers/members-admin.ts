// Admin commands that manage who is who: 绑定, 解绑, 设为管理员, 设为领导, 撤销角色.
import { ROLE_LABEL, type CommandContext, type CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { addRole, bindDepartments, getMember, isValidUserid, removeRole, unbindDepartment, upsertMember } from '../src/members/members.ts';
import type { Role } from '../src/domain/vocabulary.ts';

function checkUserid(userid: string): string {
  if (!isValidUserid(userid)) throw new BotError('invalid_userid', `“${userid}”不是有效的企业微信账号（userid），未做修改。`);
  return userid;
}

async function tell(ctx: CommandContext, key: string, userid: string, text: string) {
  if (userid !== ctx.sender.userid) await ctx.notifier.notifyUsers(key, [userid], text);
}

const list = (xs: string[]) => xs.join('、') || '（无）';
const roleList = (xs: Role[]) => xs.map((r) => ROLE_LABEL[r]).join('、') || '（无）';

export const bind: CommandSpec = {
  name: '绑定',
  aliases: ['绑定部门'],
  summary: '把成员绑定到部门（可多个；新成员自动登记）',
  args: [{ name: '账号', kind: 'word' }, { name: '部门…', kind: 'departments' }],
  example: '绑定 zhangsan 经贸办',
  access: 'admin',
  async run(ctx, args) {
    const userid = checkUserid(args['账号'] as string);
    const depts = (args['部门…'] as string[] | undefined) ?? [];
    if (!depts.length) throw new BotError('missing_department', `请写部门，例如：绑定 ${userid} 经贸办`);
    const existing = await getMember(ctx.store, userid);
    let before: string[] = [];
    let after: string[];
    if (!existing) {
      await upsertMember(ctx.store, ctx.clock, ctx.sender.userid, { userid, departments: depts, roles: ['member'], source: 'manual' });
      after = depts;
    } else {
      const change = await bindDepartments(ctx.store, ctx.clock, ctx.sender.userid, userid, depts, 'add');
      if (!change.changed && existing.active) return `${userid} 已绑定 ${list(change.after)}，未做修改。`;
      if (!existing.active) await upsertMember(ctx.store, ctx.clock, ctx.sender.userid, { userid, active: true });
      before = change.before;
      after = change.after;
    }
    await tell(ctx, `bind:${userid}:${ctx.inbound.msgId ?? ctx.clock.now().getTime()}`, userid, `你已被绑定到：${list(after)}。\n发送“我的任务”查看要汇报的任务。`);
    return ctx.render('member-changed', { action: `已绑定 ${userid}`, before: list(before), after: list(after), next: `查看：我的任务（由 ${userid} 发送）` });
  },
};

export const unbind: CommandSpec = {
  name: '解绑',
  aliases: ['解除绑定'],
  summary: '解除成员的某个部门（不写部门则全部解除）',
  args: [{ name: '账号', kind: 'word' }, { name: '部门', kind: 'department', optional: true }],
  example: '解绑 zhangsan 经贸办',
  access: 'admin',
  async run(ctx, args) {
    const userid = checkUserid(args['账号'] as string);
    const change = await unbindDepartment(ctx.store, ctx.clock, ctx.sender.userid, userid, args['部门'] as string | undefined);
    if (!change.changed) return `${userid} 没有绑定${args['部门'] ?? '任何部门'}，未做修改。`;
    await tell(ctx, `unbind:${userid}:${ctx.inbound.msgId ?? ctx.clock.now().getTime()}`, userid, `你的部门已调整：${list(change.before)} → ${list(change.after)}。`);
    return ctx.render('member-changed', { action: `已解绑 ${userid}`, before: list(change.before), after: list(change.after) });
  },
};

function roleCommand(name: string, role: Role, example: string): CommandSpec {
  return {
    name,
    aliases: [],
    summary: `把成员设为${ROLE_LABEL[role]}`,
    args: [{ name: '账号', kind: 'word' }],
    example,
    access: 'admin',
    async run(ctx, args) {
      const userid = checkUserid(args['账号'] as string);
      const change = await addRole(ctx.store, ctx.clock, ctx.sender.userid, userid, role);
      if (!change.changed) return `${userid} 已经是${ROLE_LABEL[role]}，未做修改。`;
      await tell(ctx, `role:${userid}:${ctx.inbound.msgId ?? ctx.clock.now().getTime()}`, userid, `你已被设为${ROLE_LABEL[role]}。发送“帮助”查看可用命令。`);
      return ctx.render('member-changed', { action: `已把 ${userid} 设为${ROLE_LABEL[role]}`, before: roleList(change.before), after: roleList(change.after) });
    },
  };
}

export const makeAdmin = roleCommand('设为管理员', 'admin', '设为管理员 lisi');
export const makeLeader = roleCommand('设为领导', 'leader', '设为领导 wangzhen');

export const revokeRole: CommandSpec = {
  name: '撤销角色',
  aliases: ['取消角色'],
  summary: '撤销成员的某个角色（管理员/领导/联络员）',
  args: [{ name: '账号', kind: 'word' }, { name: '角色', kind: 'role' }],
  example: '撤销角色 lisi 管理员',
  access: 'admin',
  async run(ctx, args) {
    const userid = checkUserid(args['账号'] as string);
    const role = args['角色'] as Role;
    if (userid === ctx.sender.userid && role === 'admin') {
      throw new BotError('self_demotion', '不能撤销自己的管理员角色，请另一位管理员操作，未做修改。');
    }
    const change = await removeRole(ctx.store, ctx.clock, ctx.sender.userid, userid, role);
    if (!change.changed) return `${userid} 不是${ROLE_LABEL[role]}，未做修改。`;
    await tell(ctx, `role:${userid}:${ctx.inbound.msgId ?? ctx.clock.now().getTime()}`, userid, `你的${ROLE_LABEL[role]}角色已被撤销。`);
    return ctx.render('member-changed', { action: `已撤销 ${userid} 的${ROLE_LABEL[role]}角色`, before: roleList(change.before), after: roleList(change.after) });
  },
};
