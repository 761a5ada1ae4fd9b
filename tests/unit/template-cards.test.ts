// The 督办 cards against WeCom's limits for button_interaction (doc 90236): every card the builder makes passes the
// check the stand-in makes for WeCom, whatever the number of items; and the check itself refuses what WeCom refuses.
import { describe, expect, it } from 'vitest';
import { cardTaskId, fallbackText, PER_ITEM_CARDS, planCards, renderCard, tappedItem, type CardPlan } from '../../src/cards/build.ts';
import { CARD_LIMITS, SUGGESTED, validateTemplateCard } from '../../src/cards/template-card.ts';
import type { CardItem } from '../../src/store/card-models.ts';

const NOW = new Date('2021-07-26T02:00:00Z');
const LONG_TITLE = '进一步做好政务公开专栏建设，及时发布涉及群众切身利益的各类信息，做到应公开尽公开，并加强解读回应工作';

function item(i: number, over: Partial<CardItem> = {}): CardItem {
  return {
    planId: '60f000000000000000000001', code: `7.${i}`, label: `7.${i}`, title: LONG_TITLE, department: '经贸办',
    stage: 'in_progress', sinceMs: NOW.getTime(), showDepartment: false, detail: '推进中 30%（7月19日），⏰超期 3 天', ...over,
  };
}

function plan(n: number, over: Partial<CardPlan> = {}): CardPlan {
  return { kind: 'report', source: 'reminder', heading: '督办提醒', userid: 'demo-liaison-01', items: Array.from({ length: n }, (_, i) => item(i + 1)), link: null, ...over };
}

const taskIds = (prefix: string) => (i: number) => cardTaskId(`reminder:2021-W30:demo-liaison-01:${prefix}:card:${i}`);
const chars = (s: string | undefined) => [...(s ?? '')].length;

describe('the card builder keeps within WeCom’s limits', () => {
  for (const n of [1, PER_ITEM_CARDS, PER_ITEM_CARDS + 1, 10, 23]) {
    for (const kind of ['report', 'review'] as const) {
      it(`${n} ${kind} item(s): every card passes WeCom's check, with its suggested lengths`, () => {
        const cards = planCards(plan(n, { kind, heading: kind === 'review' ? '待审核' : '督办提醒', link: 'https://duban.example.gov.cn/web/tasks' }), taskIds(`${kind}${n}`), NOW);
        // One card per item up to PER_ITEM_CARDS; beyond, cards with a choice of at most ten items.
        expect(cards).toHaveLength(n <= PER_ITEM_CARDS ? n : Math.ceil(n / CARD_LIMITS.selectionOptionsMax));
        expect(cards.flatMap((c) => c.items)).toHaveLength(n);
        for (const record of cards) {
          const card = renderCard(record);
          expect(validateTemplateCard(card)).toBeNull();
          expect(Buffer.byteLength(card.task_id)).toBeLessThanOrEqual(CARD_LIMITS.taskIdMaxBytes);
          expect(card.button_list.length).toBeLessThanOrEqual(CARD_LIMITS.buttonsMax);
          expect(new Set(card.button_list.map((b) => b.key)).size).toBe(card.button_list.length);
          for (const b of card.button_list) expect(chars(b.text)).toBeLessThanOrEqual(SUGGESTED.buttonText);
          expect(chars(card.main_title.title)).toBeLessThanOrEqual(SUGGESTED.mainTitle);
          expect(chars(card.main_title.desc)).toBeLessThanOrEqual(SUGGESTED.mainDesc);
          expect(chars(card.sub_title_text)).toBeLessThanOrEqual(SUGGESTED.subTitle);
          for (const h of card.horizontal_content_list ?? []) expect(chars(h.value)).toBeLessThanOrEqual(SUGGESTED.value);
          for (const o of card.button_selection?.option_list ?? []) expect(chars(o.text)).toBeLessThanOrEqual(SUGGESTED.optionText);
          expect(Buffer.byteLength(fallbackText(record))).toBeLessThanOrEqual(2048);
        }
        expect(new Set(cards.map((c) => c._id)).size).toBe(cards.length);
      });
    }
  }

  it('a card updated after taps offers only the items still open, and still passes', () => {
    const [record] = planCards(plan(8), taskIds('upd'), NOW);
    const card = renderCard(record!, { open: [1, 4], note: '7.1 已记录：推进中 60%' });
    expect(validateTemplateCard(card)).toBeNull();
    expect(card.button_selection!.option_list.map((o) => o.id)).toEqual(['i1', 'i4']);
    expect(card.sub_title_text).toContain('7.1 已记录：推进中 60%');
  });

  it('the same job run makes the same task_id (a resumed run sends nothing new), digits, letters and -', () => {
    expect(cardTaskId('reminder:2021-W30:u:card:0')).toBe(cardTaskId('reminder:2021-W30:u:card:0'));
    expect(cardTaskId('reminder:2021-W30:u:card:0')).not.toBe(cardTaskId('reminder:2021-W30:u:card:1'));
    expect(cardTaskId('任务:中文')).toMatch(CARD_LIMITS.taskIdPattern);
  });

  it('names a single item in its keys and reads a tap back to its item', () => {
    const [one] = planCards(plan(1, { items: [item(6, { showDepartment: true })] }), taskIds('one'), NOW);
    expect(one!.buttons.map((b) => b.key)).toEqual(['7.6@经贸办:30', '7.6@经贸办:60', '7.6@经贸办:90', '7.6@经贸办:blocked', '7.6@经贸办:done']);
    expect(tappedItem(one!, '7.6@经贸办:60', {})).toEqual({ action: 'p60', item: 0 });
    const [many] = planCards(plan(7), taskIds('many'), NOW);
    expect(tappedItem(many!, 'pick:done', { item: ['i3'] })).toEqual({ action: 'done', item: 3 });
    expect(tappedItem(many!, 'pick:done', { item: ['i99'] })).toBeNull();
    expect(tappedItem(many!, 'nope', {})).toBeNull();
  });
});

describe('WeCom’s check (what the stand-in refuses)', () => {
  const good = () => renderCard(planCards(plan(1), taskIds('chk'), NOW)[0]!) as unknown as Record<string, unknown>;
  const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `按钮${i}`, key: `k${i}` }));

  it.each([
    ['no task_id', { task_id: undefined }],
    ['a task_id with other characters', { task_id: '任务 1' }],
    ['a task_id over 128 bytes', { task_id: 'a'.repeat(129) }],
    ['seven buttons', { button_list: buttons(7) }],
    ['no buttons', { button_list: [] }],
    ['two buttons with one key', { button_list: [{ text: 'a', key: 'k' }, { text: 'b', key: 'k' }] }],
    ['a key over 1024 bytes', { button_list: [{ text: 'a', key: 'k'.repeat(1025) }] }],
    ['a button without text', { button_list: [{ text: '', key: 'k' }] }],
    ['a style outside 1–4', { button_list: [{ text: 'a', key: 'k', style: 5 }] }],
    ['neither title nor sub title', { main_title: {}, sub_title_text: undefined }],
    ['seven horizontal rows', { horizontal_content_list: Array.from({ length: 7 }, () => ({ keyname: '部门', value: 'x' })) }],
    ['eleven options', { button_selection: { question_key: 'q', option_list: Array.from({ length: 11 }, (_, i) => ({ id: `i${i}`, text: 't' })) } }],
    ['a selected_id not among the options', { button_selection: { question_key: 'q', option_list: [{ id: 'i0', text: 't' }], selected_id: 'i9' } }],
    ['an unknown card_type', { card_type: 'fancy' }],
  ])('refuses %s with 40058', (_, change) => {
    expect(validateTemplateCard({ ...good(), ...change })).toMatchObject({ errcode: 40058 });
  });

  it('accepts six buttons and ten options, and the bot’s own cards', () => {
    expect(validateTemplateCard({ ...good(), button_list: buttons(6) })).toBeNull();
    expect(validateTemplateCard({ ...good(), button_selection: { question_key: 'q', option_list: Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, text: 't' })), selected_id: 'i9' } })).toBeNull();
    expect(validateTemplateCard(good())).toBeNull();
    expect(validateTemplateCard(null)).toMatchObject({ errcode: 47001 });
  });
});
