// Sends a job's cards: each card's record is kept first (a tap reads it back), then the card goes to the outbox
// with its text fallback, under a key derived from the job run, so a resumed run sends nothing twice.
import { cardTaskId, fallbackText, planCards, renderCard, type CardPlan } from '../cards/build.ts';
import { saveCard } from '../store/cards.ts';
import type { Clock } from '../clock.ts';
import type { OutboxMessage } from '../outbox/outbox.ts';
import type { Store } from '../store/database.ts';

export interface CardDeliveryDeps {
  store: Store;
  clock: Clock;
  deliver(key: string, msg: OutboxMessage, opts?: { notBefore?: Date }): Promise<void>;
}

/** Enqueues the plan's cards under `${keyBase}:card:N`; returns how many. */
export async function deliverCards(deps: CardDeliveryDeps, keyBase: string, plan: CardPlan, opts?: { notBefore?: Date }): Promise<number> {
  const cards = planCards(plan, (i) => cardTaskId(`${keyBase}:card:${i}`), deps.clock.now());
  for (const [i, card] of cards.entries()) {
    await saveCard(deps.store, card);
    await deps.deliver(`${keyBase}:card:${i}`, {
      channel: 'app',
      body: {
        touser: plan.userid, msgtype: 'template_card', template_card: renderCard(card),
        // Not WeCom's: the outbox sends this instead when WeCom refuses the card (see outbox.ts).
        fallback: { touser: plan.userid, msgtype: 'text', text: { content: fallbackText(card) } },
      },
    }, opts);
  }
  return cards.length;
}
