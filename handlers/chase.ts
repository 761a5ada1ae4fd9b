// 催办: admins chase any department, leaders the departments in their charge (分管). The 催办 is recorded (who,
// when, note; shown in 任务) and the department's liaisons are told — at most one 催办 message a day each.
import { heldLines } from '../src/domain/held-notices.ts';
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { BotError } from '../src/bot/errors.ts';
import { formatLocal } from '../src/domain/period.ts';
import { isFinishedStage, STAGE_LABEL } from '../src/domain/lifecycle.ts';
import { chargeOf } from '../src/store/leader-charges.ts';
import { claimNoticeSlot, recordChase } from '../src/store/chases.ts';
import { activePlans } from '../src/store/plans.ts';
import { liaisonsOf } from '../src/store/task-assignments.ts';
import { isResponsible } from '../src/store/task-queries.ts';
import { standingsOfTask, unitsOfPlan } from '../src/standing/index.ts';
import { memberNames } from '../src/store/audit.ts';
import { codeLabel, requireTask } from './lib/tasks.ts';

export const MAX_CHASE_NOTE_CHARS = 200;

export const chase: CommandSpec = {
  name: '催办',
  aliases: ['督促'],
  summary: '催办任务：通知责任部门的联络员（领导只能催办分管的部门）',
  args: [{ name: '编号', kind: 'taskCode' }, { name: '部门', kind: 'department', optional: true }, { name: '说明', kind: 'text', optional: true }],
  example: '催办 7.6 经贸办 请本周内报送招商进展',
  access: 'leader',
  async run(ctx, args) {
    const named = (args['部门'] as string | undefined) ?? null;
    const note = ((args['说明'] as string | undefined) ?? '').trim();
    const { plan, task } = await requireTask(ctx, args, { retry: (code) => ['催办', code, named, note].filter(Boolean).join(' ') });
    const label = codeLabel(plan, task, await activePlans(ctx.store));
    if ([...note].length > MAX_CHASE_NOTE_CHARS) {
      throw new BotError('note_too_long', `说明太长（${[...note].length} 字），请控制在 ${MAX_CHASE_NOTE_CHARS} 字以内，未催办。`);
    }
    if (named && !isResponsible(task, named)) {
      throw new BotError('not_responsible', `${named}不负责任务 ${label}（责任部门：${task.departments.join('、')}），未催办。`);
    }
    let departments = named ? [named] : task.collective ? await unitsOfPlan(ctx.store, plan) : task.departments;
    const isAdmin = ctx.sender.roles.includes('admin');
    if (!isAdmin) {
      const charge = await chargeOf(ctx.store, ctx.sender.userid);
      const allowed = departments.filter((d) => charge.includes(d));
      if (allowed.length === 0) {
        const mine = charge.length ? `你分管的部门：${charge.join('、')}` : '你还没有分管的部门（管理员可设置：分管 账号 部门）';
        throw new BotError('not_in_charge', `${named ?? task.departments.join('、')}不在你的分管范围内，未催办。\n${mine}`);
      }
      departments = allowed;
    }
    if (!named && departments.length > 1) {
      // No 部门 typed: the one unit that owes a report (else the one still open); several are listed, one command each.
      const records = await standingsOfTask(ctx.store, plan, task, ctx.clock.now(), departments);
      const owing = records.filter((r) => r.owes && !isFinishedStage(r.stage));
      const open = records.filter((r) => !isFinishedStage(r.stage));
      const fitting = (owing.length ? owing : open).map((r) => r.department);
      if (fitting.length > 1) {
        throw new BotError('ambiguous_department', [
          `任务 ${label} ${owing.length ? '本周未汇报' : '未完成'}的有 ${fitting.length} 个部门，未催办。请指明部门，发送其中一条：`,
          ...fitting.slice(0, 8).map((d) => ['催办', label, d, note].filter(Boolean).join(' ')),
          ...(fitting.length > 8 ? [`……另有 ${fitting.length - 8} 个，查看：任务 ${label}`] : []),
        ].join('\n'));
      }
      if (fitting.length === 1) departments = fitting;
    }
    const states = new Map((await standingsOfTask(ctx.store, plan, task, ctx.clock.now(), departments)).map((r) => [r.department, r]));
    const finished = departments.filter((d) => isFinishedStage(states.get(d)!.stage));
    const open = departments.filter((d) => !finished.includes(d));
    if (open.length === 0) {
      const how = finished.map((d) => `${d}${STAGE_LABEL[states.get(d)!.stage]}`).join('、');
      return `任务 ${label}：${how}，无需催办，未做记录。`;
    }
    const now = ctx.clock.now();
    const actor = ctx.sender.member?.name || ctx.sender.userid;
    // Keyed by the message: the same message again (its first run crashed midway) records nothing twice, and its
    // notices below carry the same keys, so the outbox holds each once.
    for (const department of open) {
      await recordChase(ctx.store, {
        task, department, kind: 'manual', actor: ctx.sender.userid, note, at: now, idempotencyKey: ctx.inbound.msgId ? `msg:${ctx.inbound.msgId}` : null,
      });
    }
    const userids = (await liaisonsOf(ctx.store, open)).filter((u) => u !== ctx.sender.userid).sort();
    const text = ctx.render('chase-notice', { code: label, title: task.title, departments: open.join('、'), note, actor, deadline: task.deadlineText ?? task.deadline });
    const sentNow: string[] = [];
    const held: Array<{ name: string; at: Date }> = [];
    const names = await memberNames(ctx.store, userids);
    for (const userid of userids) {
      const slot = await claimNoticeSlot(ctx.store, 'chase', userid, now);
      const name = names.get(userid) ?? userid;
      if (slot.today) sentNow.push(name);
      else held.push({ name, at: slot.at });
      await ctx.notifier.notifyUsers(`chase:${ctx.inbound.msgId ?? now.getTime()}:${String(task._id)}:${userid}`, [userid], text, slot.today ? undefined : { notBefore: slot.at });
    }
    const lines = [`已催办：${label} ${open.join('、')}${note ? `（${note}）` : ''}，已记录。`];
    const unreached = [];
    for (const d of open) if ((await liaisonsOf(ctx.store, [d])).filter((u) => u !== ctx.sender.userid).length === 0) unreached.push(d);
    if (sentNow.length) lines.push(`已通知：${sentNow.join('、')}。`);
    lines.push(...heldLines(held, '催办'));
    if (unreached.length) lines.push(`${unreached.join('、')}没有绑定联络员，未能通知；请管理员先：绑定 账号 ${unreached[0]}`);
    if (finished.length) lines.push(`${finished.join('、')}已完成，未催办。`);
    lines.push(`查看：任务 ${label}`);
    return lines.join('\n');
  },
};

/**
 * Notices held for a later day, said plainly: who, when it arrives, and why. Each person gets at most one 催办 (or
 * 退回) notice a day, whoever sends it — an admin's and a leader's alike — so a liaison is not flooded and WeCom's
 * per-person limits are never what drops a message; the 催办 itself is recorded at once and shown in 任务.
 */

export { heldLines };
