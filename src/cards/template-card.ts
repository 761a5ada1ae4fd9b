// WeCom's interactive template card (模板卡片, doc 90236 sending, 90376 the tap event, 94888 updating) as the bot
// uses it: the button_interaction card, its limits, and the check WeCom makes before it accepts one. The local
// stand-in refuses with this check what WeCom would refuse; the builder's tests hold its cards to the same rules.

/** WeCom's hard limits for button_interaction (doc 90236). Text lengths WeCom only "suggests" are in SUGGESTED. */
export const CARD_LIMITS = {
  taskIdMaxBytes: 128,
  /** task_id: digits, letters and _-@ only. */
  taskIdPattern: /^[A-Za-z0-9_\-@]+$/,
  buttonsMax: 6,
  buttonKeyMaxBytes: 1024,
  horizontalMax: 6,
  selectionOptionsMax: 10,
  optionIdMaxBytes: 128,
  questionKeyMaxBytes: 1024,
  /** button style: 1 to 4. */
  styles: [1, 2, 3, 4] as readonly number[],
} as const;

/** What WeCom suggests and shows in full; longer text is cut on the phone, so the builder keeps within it. */
export const SUGGESTED = {
  mainTitle: 26,
  mainDesc: 30,
  subTitle: 80,
  keyname: 5,
  value: 26,
  buttonText: 10,
  optionText: 16,
  selectionTitle: 5,
  sourceDesc: 13,
} as const;

export interface CardButton {
  text: string;
  /** 1 blue, 2 grey, 3 red, 4 green-ish; WeCom's four styles. */
  style?: number;
  key: string;
}

export interface CardOption {
  id: string;
  text: string;
}

export interface ButtonInteractionCard {
  card_type: 'button_interaction';
  source?: { icon_url?: string; desc?: string; desc_color?: number };
  main_title: { title?: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: Array<{ keyname: string; value?: string; type?: number; url?: string }>;
  card_action?: { type: number; url?: string };
  task_id: string;
  button_selection?: { question_key: string; title?: string; option_list: CardOption[]; selected_id?: string };
  button_list: CardButton[];
  replace_text?: string;
}

/** A refusal as WeCom gives it. */
export interface CardRefusal {
  errcode: number;
  errmsg: string;
}

/** WeCom answers an invalid template card with 40058 (invalid parameter) naming the field; a malformed body with 47001. */
export const CARD_INVALID = 40058;
export const CARD_MALFORMED = 47001;

const INTERACTIVE = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);
const CARD_TYPES = new Set(['text_notice', 'news_notice', ...INTERACTIVE]);

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';

function invalid(field: string, why: string): CardRefusal {
  return { errcode: CARD_INVALID, errmsg: `invalid parameter: template_card.${field} ${why}` };
}

/** task_id: required for interactive cards, digits, letters and _-@, at most 128 bytes. */
export function checkTaskId(taskId: unknown): CardRefusal | null {
  if (!str(taskId) || taskId === '') return invalid('task_id', 'missing');
  if (bytes(taskId) > CARD_LIMITS.taskIdMaxBytes) return invalid('task_id', `longer than ${CARD_LIMITS.taskIdMaxBytes} bytes`);
  if (!CARD_LIMITS.taskIdPattern.test(taskId)) return invalid('task_id', 'may hold only digits, letters and _-@');
  return null;
}

/**
 * The checks WeCom makes on message/send's template_card (button_interaction in full; the other types by their
 * required fields). Null when WeCom would accept it.
 */
export function validateTemplateCard(card: unknown): CardRefusal | null {
  if (!isObj(card)) return { errcode: CARD_MALFORMED, errmsg: 'data format error: template_card missing' };
  const type = card.card_type;
  if (!str(type) || !CARD_TYPES.has(type)) return invalid('card_type', 'unknown');
  if (INTERACTIVE.has(type)) {
    const refused = checkTaskId(card.task_id);
    if (refused) return refused;
  }
  if (type === 'vote_interaction' || type === 'multiple_interaction') return null; // the bot sends neither
  const main = card.main_title;
  const hasTitle = isObj(main) && str(main.title) && main.title !== '';
  const hasSub = str(card.sub_title_text) && card.sub_title_text !== '';
  if (!hasTitle && !hasSub) return invalid('main_title.title', 'or sub_title_text is required');
  if (card.horizontal_content_list !== undefined) {
    const list = card.horizontal_content_list;
    if (!Array.isArray(list)) return invalid('horizontal_content_list', 'must be a list');
    if (list.length > CARD_LIMITS.horizontalMax) return invalid('horizontal_content_list', `has more than ${CARD_LIMITS.horizontalMax} items`);
    for (const [i, h] of list.entries()) {
      if (!isObj(h) || !str(h.keyname) || h.keyname === '') return invalid(`horizontal_content_list[${i}].keyname`, 'missing');
    }
  }
  if (card.card_action !== undefined) {
    const a = card.card_action;
    if (!isObj(a) || typeof a.type !== 'number' || ![0, 1, 2].includes(a.type)) return invalid('card_action.type', 'must be 0, 1 or 2');
    if (a.type === 1 && (!str(a.url) || !/^https?:\/\//.test(a.url))) return invalid('card_action.url', 'must be an http(s) URL');
  } else if (type === 'text_notice' || type === 'news_notice') {
    return invalid('card_action', 'is required');
  }
  if (type !== 'button_interaction') return null;

  if (card.button_selection !== undefined) {
    const sel = card.button_selection;
    if (!isObj(sel)) return invalid('button_selection', 'must be an object');
    if (!str(sel.question_key) || sel.question_key === '') return invalid('button_selection.question_key', 'missing');
    if (bytes(sel.question_key) > CARD_LIMITS.questionKeyMaxBytes) return invalid('button_selection.question_key', 'too long');
    const options = sel.option_list;
    if (!Array.isArray(options) || options.length === 0) return invalid('button_selection.option_list', 'missing');
    if (options.length > CARD_LIMITS.selectionOptionsMax) return invalid('button_selection.option_list', `has more than ${CARD_LIMITS.selectionOptionsMax} options`);
    const ids = new Set<string>();
    for (const [i, o] of options.entries()) {
      if (!isObj(o) || !str(o.id) || o.id === '') return invalid(`button_selection.option_list[${i}].id`, 'missing');
      if (bytes(o.id) > CARD_LIMITS.optionIdMaxBytes) return invalid(`button_selection.option_list[${i}].id`, 'too long');
      if (!str(o.text) || o.text === '') return invalid(`button_selection.option_list[${i}].text`, 'missing');
      if (ids.has(o.id)) return invalid(`button_selection.option_list[${i}].id`, 'repeated');
      ids.add(o.id);
    }
    if (sel.selected_id !== undefined && (!str(sel.selected_id) || !ids.has(sel.selected_id))) {
      return invalid('button_selection.selected_id', 'is not one of the options');
    }
  }
  const buttons = card.button_list;
  if (!Array.isArray(buttons) || buttons.length === 0) return invalid('button_list', 'missing');
  if (buttons.length > CARD_LIMITS.buttonsMax) return invalid('button_list', `has more than ${CARD_LIMITS.buttonsMax} buttons`);
  const keys = new Set<string>();
  for (const [i, b] of buttons.entries()) {
    if (!isObj(b) || !str(b.text) || b.text === '') return invalid(`button_list[${i}].text`, 'missing');
    if (b.style !== undefined && !CARD_LIMITS.styles.includes(b.style as number)) return invalid(`button_list[${i}].style`, 'must be 1 to 4');
    const linkButton = b.type === 1;
    if (linkButton) {
      if (!str(b.url) || b.url === '') return invalid(`button_list[${i}].url`, 'missing');
      continue;
    }
    if (!str(b.key) || b.key === '') return invalid(`button_list[${i}].key`, 'missing');
    if (bytes(b.key) > CARD_LIMITS.buttonKeyMaxBytes) return invalid(`button_list[${i}].key`, `longer than ${CARD_LIMITS.buttonKeyMaxBytes} bytes`);
    if (keys.has(b.key)) return invalid(`button_list[${i}].key`, 'repeated');
    keys.add(b.key);
  }
  return null;
}

/** The keys of a card's callback buttons. */
export function buttonKeys(card: unknown): string[] {
  if (!isObj(card) || !Array.isArray(card.button_list)) return [];
  return (card.button_list as unknown[]).flatMap((b) => (isObj(b) && str(b.key) && b.type !== 1 ? [b.key] : []));
}

/** The tap WeCom reports (doc 90376): the card, the button, the one-time code for updating it, and any selection. */
export interface CardTap {
  taskId: string;
  eventKey: string;
  cardType: string;
  responseCode: string | null;
  /** question_key → the chosen option ids. */
  selected: Record<string, string[]>;
}
