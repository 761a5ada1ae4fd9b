// The 督办 cards: a report card (推进中 30/60/90%, 受阻, 已完成) for each item a liaison owes, and a review card
// (审核通过, 退回) for each unit waiting for 审核, and a 延期 card (同意, 不同意) for each request an approver decides. Up to PER_ITEM_CARDS items get a card each; more get cards with a
// choice of up to ten items, so a long list never floods the member's 30-a-minute limit. Pure: the card record
// (store/cards.ts) in, WeCom's card JSON out; the same record rebuilds the card when a tap updates it.
import { createHash } from 'node:crypto';
import type { CardButtonAction, CardDoc, CardItem, CardKind } from '../store/card-models.ts';
import { CARD_LIMITS, SUGGESTED, type ButtonInteractionCard, type CardButton } from './template-card.ts';

/** More items than this for one recipient go on cards with a choice of items. */
export const PER_ITEM_CARDS = 5;
export const QUESTION_KEY = 'item';

export const ACTION_TEXT: Record<CardButtonAction, string> = {
  p30: '推进中 30%', p60: '推进中 60%', p90: '推进中 90%', blocked: '受阻', done: '已完成', approve: '审核通过', return: '退回',
  extend_ok: '同意', extend_no: '不同意',
};
const ACTION_STYLE: Record<CardButtonAction, number> = { p30: 2, p60: 2, p90: 2, blocked: 3, done: 1, approve: 1, return: 3, extend_ok: 1, extend_no: 3 };
const KEY_SUFFIX: Record<CardButtonAction, string> = { p30: '30', p60: '60', p90: '90', blocked: 'blocked', done: 'done', approve: 'approve', return: 'return', extend_ok: 'agree', extend_no: 'disagree' };
const REPORT_ACTIONS: CardButtonAction[] = ['p30', 'p60', 'p90', 'blocked', 'done'];
const REVIEW_ACTIONS: CardButtonAction[] = ['approve', 'return'];
const EXTENSION_ACTIONS: CardButtonAction[] = ['extend_ok', 'extend_no'];
const ACTIONS: Record<CardKind, CardButtonAction[]> = { report: REPORT_ACTIONS, review: REVIEW_ACTIONS, extension: EXTENSION_ACTIONS };

export interface CardPlan {
  kind: CardKind;
  source: string;
  /** 督办提醒 / 到期提醒 / 待审核 / 延期申请. */
  heading: string;
  userid: string;
  items: CardItem[];
  link: string | null;
}

/** A deterministic task_id from the outbox key: a resumed job run makes the same card, which the outbox stores once. */
export function cardTaskId(outboxKey: string): string {
  return `duban-${createHash('sha256').update(outboxKey).digest('hex').slice(0, 40)}`;
}

/** One card record per item, or per ten items when there are more than PER_ITEM_CARDS. */
export function planCards(plan: CardPlan, taskIdOf: (index: number) => string, now: Date): CardDoc[] {
  const groups = plan.items.length <= PER_ITEM_CARDS ? plan.items.map((i) => [i]) : chunk(plan.items, CARD_LIMITS.selectionOptionsMax);
  return groups.map((items, index) => {
    const actions = ACTIONS[plan.kind];
    const single = items.length === 1;
    // A single item's keys name it ("7.6:60"), so `say … --click 7.6:60` reads as what it does.
    const prefix = single ? itemKey(items[0]!) : 'pick';
    return {
      _id: taskIdOf(index), userid: plan.userid, kind: plan.kind, source: plan.source, heading: plan.heading, items, link: plan.link,
      buttons: actions.map((action) => ({ key: `${prefix}:${KEY_SUFFIX[action]}`, action, item: single ? 0 : null })),
      questionKey: single ? null : QUESTION_KEY,
      createdAt: now,
    };
  });
}

function itemKey(item: CardItem): string {
  return item.showDepartment ? `${item.label}@${item.department}` : item.label;
}

/**
 * WeCom's card for a record. `open` are the item indexes still to act on (all, unless taps recorded some);
 * `note` is shown above them ("已记录：7.6 推进中 60%").
 */
export function renderCard(card: CardDoc, opts: { open?: number[]; note?: string } = {}): ButtonInteractionCard {
  const open = opts.open ?? card.items.map((_, i) => i);
  const buttons: CardButton[] = card.buttons.map((b) => ({ text: ACTION_TEXT[b.action], style: ACTION_STYLE[b.action], key: b.key }));
  const base = {
    card_type: 'button_interaction' as const,
    source: { desc: '督办助手' },
    task_id: card._id,
    button_list: buttons,
    ...(card.link ? { card_action: { type: 1, url: card.link } } : {}),
  };
  if (card.questionKey === null) {
    const item = card.items[0]!;
    const unit = card.kind !== 'report' || item.showDepartment ? ` ${item.department}` : '';
    return {
      ...base,
      main_title: { title: cut(`${card.heading}：${item.label}${unit}`, SUGGESTED.mainTitle), desc: cut(item.title, SUGGESTED.mainDesc) },
      ...(opts.note ? { sub_title_text: cut(opts.note, SUGGESTED.subTitle) } : {}),
      horizontal_content_list: horizontal(card.kind, item),
    };
  }
  const options = open.map((i) => ({ id: `i${i}`, text: cut(`${card.items[i]!.label} ${card.items[i]!.title}`, SUGGESTED.optionText) }));
  const lines = open.map((i) => {
    const it = card.items[i]!;
    return `${it.label}${card.kind !== 'report' || it.showDepartment ? `（${it.department}）` : ''}`;
  });
  return {
    ...base,
    main_title: { title: cut(`${card.heading}：${open.length} 项`, SUGGESTED.mainTitle), desc: card.kind === 'report' ? '先选任务，再点进度' : card.kind === 'review' ? '先选任务，再点审核结果' : '先选任务，再点审批结果' },
    sub_title_text: cut([opts.note, lines.join('、')].filter(Boolean).join('\n'), SUGGESTED.subTitle),
    button_selection: { question_key: card.questionKey, title: '任务', option_list: options, selected_id: options[0]?.id },
  };
}

function horizontal(kind: CardKind, item: CardItem): ButtonInteractionCard['horizontal_content_list'] {
  const rows = [{ keyname: '部门', value: item.department }];
  if (kind === 'extension' && item.extension) {
    const e = item.extension;
    rows.push({ keyname: '原时限', value: e.from }, { keyname: '申请延至', value: e.to }, { keyname: '原因', value: e.reason }, { keyname: '申请人', value: `${e.who}，${e.when}` });
  }
  if (item.detail) rows.push({ keyname: kind === 'review' ? '报完成' : '目前', value: item.detail });
  return rows.map((r) => ({ keyname: r.keyname, value: cut(r.value, SUGGESTED.value) }));
}

/** Cuts to N characters (not bytes: WeCom counts 字), marking the cut. */
export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The item a tap is about: the button's own, or the chosen option of a card with a choice. */
export function tappedItem(card: CardDoc, key: string, selected: Record<string, string[]>): { action: CardButtonAction; item: number } | null {
  const button = card.buttons.find((b) => b.key === key);
  if (!button) return null;
  if (button.item !== null) return { action: button.action, item: button.item };
  const chosen = card.questionKey ? selected[card.questionKey]?.[0] : undefined;
  const index = chosen && /^i\d+$/.test(chosen) ? Number(chosen.slice(1)) : 0;
  return index < card.items.length ? { action: button.action, item: index } : null;
}

/** The percent a button reports, if it records one. */
export function actionPercent(action: CardButtonAction): number | null {
  return action === 'p30' ? 30 : action === 'p60' ? 60 : action === 'p90' ? 90 : null;
}

/** Text that stands in where a card cannot go (cards off, or WeCom refused it): the item and the commands to type. */
export function fallbackText(card: CardDoc): string {
  if (card.kind === 'extension') return extensionText(card.items[0]!);
  const lines = [`【${card.heading}】`];
  for (const it of card.items) {
    lines.push(`· ${it.label} ${cut(it.title, 30)}${card.kind !== 'report' || it.showDepartment ? `（${it.department}）` : ''}${it.detail ? `，${it.detail}` : ''}`);
  }
  const first = card.items[0]!;
  const unit = first.showDepartment ? ` ${first.department}` : '';
  if (card.kind === 'report') {
    lines.push('', `汇报：汇报 ${first.label}${unit} 60% 本周进展`, `办结：完成 ${first.label}${unit} 说明`);
  } else {
    lines.push('', `通过：审核通过 ${first.label} ${first.department}`, `退回：退回 ${first.label} ${first.department} 原因`);
  }
  if (card.link) lines.push(`网页查看：${card.link}`);
  return lines.join('\n');
}

/** A 延期 card's text: the 延期申请 notice as it goes where cards are off (templates/extension-request-notice.eta). */
function extensionText(item: CardItem): string {
  const e = item.extension;
  return [
    `【延期申请】任务 ${item.label} ${item.title}`,
    ...(e ? [`${item.department}申请把时限从 ${e.from} 延至 ${e.to}。`, `原因：${e.reason}（${e.who}，${e.when}）`] : []),
    '',
    `同意：同意延期 ${item.label} ${item.department}`,
    `不同意：不同意延期 ${item.label} ${item.department} 原因`,
    `查看详情：任务 ${item.label}`,
  ].join('\n');
}
