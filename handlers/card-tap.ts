// A tap on one of the bot's template cards. The card's record (store/cards.ts) says which item and what the button
// does; a tap that records runs the very chat command it stands for (汇报 7.6 经贸办 60%, 审核通过 7.6 经贸办) under the
// card's own message id, so the lifecycle's guard, the audit and the reply are the command's, and a second tap or a
// redelivered event records nothing. 受阻, 已完成 and 退回 need words or a photo: the reply gives the exact command.
// A tap on an item that changed since the card went out answers with where it stands now and records nothing.
// A 延期 card's 同意 runs 同意延期 <编号> <部门>; 不同意 asks for the reason (不同意延期 <编号> <部门> <原因>). It is judged
// by its request: decided already (by anyone), the tap says so and records nothing.
import type { CardTapHandler, CommandContext, HandlerResult } from '../src/bot/command-spec.ts';
import { ACTION_TEXT, actionPercent, renderCard, tappedItem } from '../src/cards/build.ts';
import type { CardTap } from '../src/cards/template-card.ts';
import { STAGE_LABEL } from '../src/domain/lifecycle.ts';
import { claimCardTap, findCard, findCardTap, tapsOfCard, type CardButtonAction, type CardDoc, type CardItem } from '../src/store/cards.ts';
import { findExtension } from '../src/store/extensions.ts';
import { memberNames } from '../src/store/audit.ts';
import { actorName } from '../src/domain/audit-sentence.ts';
import { activePlans } from '../src/store/plans.ts';
import { findTask } from '../src/store/task-queries.ts';
import { stageOnly, standingOf } from '../src/standing/index.ts';
import { codeLabel } from './lib/tasks.ts';

const EXPIRED = '这张卡片已失效，未做记录。发送“我的任务”查看要汇报的任务。';

export const handleCardTap: CardTapHandler = async (ctx, tap, run) => {
  const card = await findCard(ctx.store, tap.taskId);
  if (!card || card.userid !== ctx.sender.userid) return EXPIRED;
  const picked = tappedItem(card, tap.eventKey, tap.selected);
  if (!picked) return EXPIRED;
  const item = card.items[picked.item]!;

  const plans = await activePlans(ctx.store);
  const plan = plans.find((p) => String(p._id) === item.planId);
  const task = plan ? await findTask(ctx.store, plan._id, item.code) : null;
  if (!plan || !task) return `任务 ${item.label} 已不在进行中的方案里，未做记录。`;
  const label = codeLabel(plan, task, plans);
  const unit = item.showDepartment ? ` ${item.department}` : '';

  const prior = await findCardTap(ctx.store, card._id, picked.item);
  if (prior) return `${item.department}的任务 ${label} 已通过这张卡片记录：${prior.outcome}，未重复记录。\n查看：任务 ${label}`;
  if (card.kind === 'extension') return extensionTap(ctx, tap, card, picked, label, run);

  const now = await standingOf(ctx.store, plan, task, item.department, ctx.clock.now());
  if (now.stage !== item.stage || (now.since?.getTime() ?? null) !== item.sinceMs) {
    if (card.questionKey === null) await updateCard(ctx, tap, card, { replaceName: `已变化：${STAGE_LABEL[now.stage]}` });
    return `${item.department}的任务 ${label} 在卡片发出后已有变化，目前：${stageOnly(now)}。这次点击未记录。\n查看：任务 ${label}`;
  }

  const ask = askInChat(picked.action, label, unit, item);
  if (ask) return ask;

  const command = commandOf(picked.action, label, item);
  const result = await run(command, `card:${card._id}:${picked.item}`);
  const outcome = ACTION_TEXT[picked.action];
  await claimCardTap(ctx.store, { taskId: card._id, item: picked.item, userid: ctx.sender.userid, at: ctx.clock.now(), outcome });
  await showRecorded(ctx, tap, card, label, outcome);
  return result;
};

/** A tap on a 延期 card: 同意 decides the request it shows through 同意延期; 不同意 asks for the reason. */
async function extensionTap(
  ctx: CommandContext, tap: CardTap, card: CardDoc, picked: { action: CardButtonAction; item: number }, label: string,
  run: (text: string, msgId: string) => Promise<HandlerResult>,
): Promise<HandlerResult> {
  const item = card.items[picked.item]!;
  const requestId = item.extension?.requestId;
  const record = requestId ? await findExtension(ctx.store, requestId) : null;
  if (!record) return EXPIRED;
  if (record.decision) {
    const d = record.decision;
    const verdict = d.verdict === 'approved' ? '同意' : '不同意';
    const names = await memberNames(ctx.store, [d.actor]);
    if (card.questionKey === null) await updateCard(ctx, tap, card, { replaceName: `已${verdict}` });
    return `${item.department}的延期申请（延至 ${record.request.deadline}）已由${actorName(d.actor, { member: (id) => names.get(id) })}${verdict}，这次点击未记录。\n查看：任务 ${label}`;
  }
  if (picked.action === 'extend_no') return `请写明不同意的原因（会告知申请人），发送：\n不同意延期 ${label} ${item.department} 原因`;
  const result = await run(`同意延期 ${label} ${item.department}`, `card:${card._id}:${picked.item}`);
  // Recorded only when the decision is now stored (a refusal, e.g. no longer an approver, leaves the card open).
  const decided = (await findExtension(ctx.store, requestId!))?.decision;
  if (decided?.actor === ctx.sender.userid && decided.verdict === 'approved') {
    const outcome = ACTION_TEXT[picked.action];
    await claimCardTap(ctx.store, { taskId: card._id, item: picked.item, userid: ctx.sender.userid, at: ctx.clock.now(), outcome });
    await showRecorded(ctx, tap, card, label, outcome);
  }
  return result;
}

/** 受阻, 已完成 and 退回 need a reason, a note or a photo: the exact command to send. */
function askInChat(action: CardButtonAction, label: string, unit: string, item: CardItem): string | null {
  if (action === 'blocked') return `请发送受阻原因，例如：\n汇报 ${label}${unit} 受阻 资金未到位`;
  if (action === 'done') return `请发送办结说明，例如：\n完成 ${label}${unit} 已全部落实\n有照片的，直接发照片作为佐证。`;
  if (action === 'return') return `请写明退回原因，发送：\n退回 ${label} ${item.department} 原因`;
  return null;
}

/** The chat command a recording tap stands for; the department is always written, as the card names it. */
function commandOf(action: CardButtonAction, label: string, item: CardItem): string {
  if (action === 'approve') return `审核通过 ${label} ${item.department}`;
  return `汇报 ${label} ${item.department} ${actionPercent(action)}%`;
}

/** A one-item card's buttons give way to what was recorded; a card with a choice drops the item from its list. */
async function showRecorded(ctx: CommandContext, tap: CardTap, card: CardDoc, label: string, outcome: string): Promise<void> {
  const recorded = card.kind === 'report' ? `已记录：${outcome}` : `已${outcome}`;
  if (card.questionKey === null) return updateCard(ctx, tap, card, { replaceName: recorded });
  const done = new Set((await tapsOfCard(ctx.store, card._id)).map((t) => t.item));
  const open = card.items.map((_, i) => i).filter((i) => !done.has(i));
  if (open.length === 0) return updateCard(ctx, tap, card, { replaceName: '已全部处理' });
  return updateCard(ctx, tap, card, { card: renderCard(card, { open, note: `${label} ${recorded}` }) as unknown as Record<string, unknown> });
}

async function updateCard(ctx: CommandContext, tap: CardTap, card: CardDoc, change: { replaceName?: string; card?: Record<string, unknown> }): Promise<void> {
  if (!ctx.cards || !tap.responseCode) return;
  await ctx.cards.update(`card-update:${card._id}:${tap.responseCode}`, { userid: ctx.sender.userid, responseCode: tap.responseCode, ...change });
}
