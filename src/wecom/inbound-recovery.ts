// Finishes journalled messages that have no outcome: the process died after the journal insert (maybe after
// answering 200), or the database went away mid-command. Runs at start and then every few seconds; each message
// runs through the same bot.handle, its writes keyed by the message (reports by MsgId) and its reply keyed in
// the outbox, so a message finished twice (two instances sweeping at once) still writes and sends once.
import type { Bot } from '../bot/dispatch.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { createLoop, type BackgroundLoop } from '../background/loop.ts';
import { isDatabaseUnavailable } from '../store/database-errors.ts';
import type { InboundLedger } from '../store/inbound-ledger.ts';
import { fromJournalled } from './journalled.ts';
import type { ReplySink } from './callback-routes.ts';

export interface RecoveryDeps {
  ledger: InboundLedger;
  bot: Bot;
  replies: ReplySink;
  clock: Clock;
  logger: Logger;
}

/** Messages journalled this long ago or less are looked at (the ledger keeps a week). */
const LOOK_BACK_MS = 2 * 24 * 3600 * 1000;

/**
 * Finishes every journalled message older than `quietMs` with no outcome, oldest first; returns how many.
 * `quietMs` keeps a live delivery (still inside its reply budget) out of the sweep.
 */
export async function finishJournalled(deps: RecoveryDeps, quietMs: number): Promise<number> {
  const now = deps.clock.now().getTime();
  const pending = await deps.ledger.unfinished(new Date(now - LOOK_BACK_MS), new Date(now - quietMs));
  let finished = 0;
  for (const entry of pending) {
    if (!entry.message) {
      await deps.ledger.finish(entry.key, null);
      continue;
    }
    const inbound = fromJournalled(entry.message);
    const reply = await deps.bot.handle(inbound);
    if (reply.retryable) break; // the database is away again: the next sweep goes on
    // As app messages, whatever the channel: the HTTP answer that could have carried it is long gone.
    await deps.replies.deliverLater(`reply:${entry.key}`, inbound.userid, reply.messages);
    await deps.ledger.finish(entry.key, null);
    finished++;
  }
  if (finished) deps.logger.warn({ finished }, 'finished journalled messages that had no outcome');
  return finished;
}

/** A sweep now and every `intervalMs` (less often while the database is away); never two at once. */
export function startRecoverySweep(deps: RecoveryDeps, opts: { intervalMs: number; quietMs: number }): BackgroundLoop {
  const loop = createLoop(() => finishJournalled(deps, opts.quietMs), {
    name: 'recovery sweep',
    logger: deps.logger,
    onError: (err) => {
      if (isDatabaseUnavailable(err)) deps.logger.warn('recovery sweep: database unavailable, will retry');
      else deps.logger.error({ err }, 'recovery sweep failed');
    },
  });
  loop.start(opts.intervalMs);
  return loop;
}
