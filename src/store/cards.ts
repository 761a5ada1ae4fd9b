// Template cards the bot sent, so a tap (template_card_event) can be read back: which items the card offered, as
// they stood when it went out, and what each button does. A tap that recorded something is kept by inserting its
// key into a unique index: a second tap, or a redelivered event, finds it and records nothing.
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

import type { CardDoc, CardTapDoc } from './card-models.ts';

export type { CardButtonAction, CardDoc, CardItem, CardKind, CardTapDoc } from './card-models.ts';

/** Keeps the card; the same task_id again (a resumed job run) keeps the first. */
export async function saveCard(store: Store, card: CardDoc): Promise<void> {
  try {
    await store.models.TemplateCard.collection.insertOne(card as never);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

export async function findCard(store: Store, taskId: string): Promise<CardDoc | null> {
  return store.models.TemplateCard.findOne({ _id: taskId }).lean<CardDoc>();
}

export async function findCardTap(store: Store, taskId: string, item: number): Promise<CardTapDoc | null> {
  return store.models.CardTap.findOne({ _id: `${taskId}|${item}` }).lean<CardTapDoc>();
}

export async function tapsOfCard(store: Store, taskId: string): Promise<CardTapDoc[]> {
  return store.models.CardTap.find({ taskId }).lean<CardTapDoc[]>();
}

/** Records that a tap wrote something; false when this card's item was recorded before. */
export async function claimCardTap(store: Store, tap: Omit<CardTapDoc, '_id'>): Promise<boolean> {
  try {
    await store.models.CardTap.collection.insertOne({ _id: `${tap.taskId}|${tap.item}`, ...tap } as never);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Cards older than the cutoff (WeCom's response codes die after 72 hours; a card's taps are moot long before). */
export async function deleteCardsBefore(store: Store, cutoff: Date): Promise<number> {
  const old = await store.models.TemplateCard.find({ createdAt: { $lt: cutoff } }, { _id: 1 }).lean<Array<{ _id: string }>>();
  if (old.length === 0) return 0;
  await store.models.CardTap.deleteMany({ taskId: { $in: old.map((c) => c._id) } });
  const r = await store.models.TemplateCard.deleteMany({ _id: { $in: old.map((c) => c._id) } });
  return r.deletedCount ?? 0;
}
