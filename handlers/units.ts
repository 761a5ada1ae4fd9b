// Admin commands that correct the units plans named: 合并单位 (a misspelled unit into the right one), 删除单位
// (a unit added by mistake that never did anything), 纳入单位 (a town department a plan never names).
import type { CommandContext, CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { isPlanUnit } from '../src/store/plan-units.ts';
import { matchPlans } from '../src/store/plans.ts';
import { addPlanUnit, mergeUnit, removeUnit, UnitChangeRefused } from '../src/store/unit-changes.ts';

/** A refusal from the store is an answer for the user, with its code kept for tests and logs. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UnitChangeRefused) throw new BotError(err.code, err.message);
    throw err;
  }
}

function listed(items: string[], max = 10): string {
  return items.length > max ? `${items.slice(0, max).join('、')} 等 ${items.length} 项` : items.join('、');
}

export const mergeUnits: CommandSpec = {
  name: '合并单位',
  aliases: ['单位合并'],
  summary: '把写错的单位并入正确的单位（任务、成员随之转过去，原有汇报归入正确单位）',
  args: [{ name: '错误名称', kind: 'word' }, { name: '正确名称', kind: 'department' }, { name: '原因', kind: 'text', optional: true }],
  example: '合并单位 经贸力 经贸办',
  access: 'admin',
  run: (ctx: CommandContext, args) =>
    answering(async () => {
      const r = await mergeUnit(ctx.store, ctx.clock, ctx.sender.userid, args['错误名称'] as string, args['正确名称'] as string, (args['原因'] as string) ?? '');
      const lines = [`已把“${r.from}”合并到“${r.into}”。`];
      if (r.tasks.length) lines.push(`转给${r.into}的任务 ${r.tasks.length} 项：${listed(r.tasks)}`);
      if (r.members.length) lines.push(`改属${r.into}的成员：${listed(r.members)}`);
      if (r.reports) lines.push(`“${r.from}”原有 ${r.reports} 条汇报保留，计入${r.into}。`);
      lines.push(`以后写“${r.from}”也会认作${r.into}。查看：部门`);
      return lines.join('\n');
    }),
};

export const removeUnits: CommandSpec = {
  name: '删除单位',
  aliases: ['移除单位'],
  summary: '删除误加的单位（已有汇报或成员的单位不能删，请用 合并单位）',
  args: [{ name: '名称', kind: 'word' }, { name: '原因', kind: 'text' }],
  example: '删除单位 消防中对 名称写错且无人汇报',
  access: 'admin',
  run: (ctx, args) =>
    answering(async () => {
      const unit = args['名称'] as string;
      const reason = ((args['原因'] as string) ?? '').trim();
      if (!reason) throw new BotError('missing_reason', `请写明删除原因，例如：删除单位 ${unit} 名称写错`);
      const r = await removeUnit(ctx.store, ctx.clock, ctx.sender.userid, unit, reason);
      const from = r.tasks.length ? `，已从 ${r.tasks.length} 项任务中去掉：${listed(r.tasks)}` : '';
      return `已删除单位“${r.unit}”${from}。\n原因：${reason}\n查看：部门`;
    }),
};

export const addUnit: CommandSpec = {
  name: '纳入单位',
  aliases: ['添加单位'],
  summary: '让方案没有点名的镇直部门也承担该方案的“镇直各部门”任务',
  args: [{ name: '部门', kind: 'department' }, { name: '方案', kind: 'word' }],
  example: '纳入单位 统计站 政务公开',
  access: 'admin',
  run: (ctx, args) =>
    answering(async () => {
      const unit = args['部门'] as string;
      const plans = await matchPlans(ctx.store, args['方案'] as string);
      if (plans.length !== 1) {
        const hint = plans.length ? `可能是：${plans.map((p) => p.name).join('、')}` : '发送“方案”查看全部简称';
        throw new BotError('unknown_plan', `没有找到唯一的方案“${args['方案'] as string}”，${hint}。\n用法：纳入单位 ${unit} 方案简称`);
      }
      const plan = plans[0]!;
      if (await isPlanUnit(ctx.store, plan._id, unit)) return `${unit}已经是方案“${plan.name}”的单位，未做修改。`;
      await addPlanUnit(ctx.store, ctx.clock, ctx.sender.userid, plan, unit);
      return `已把${unit}纳入方案“${plan.name}”：该方案的“镇直各部门”任务由${unit}一同承担。`;
    }),
};
