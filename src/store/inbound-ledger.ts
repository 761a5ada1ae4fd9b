// The inbound ledger: every verified, decrypted message is journalled here BEFORE any HTTP 200 leaves the bot.
// The journal insert is also the de-duplication claim (a unique _id): retries and other instances lose it.
// A message is "finished" once its outcome is inserted into inbound_done; a journalled message without an
// outcome (a crash, a database outage after the answer) is finished later by whoever finds it (see
// src/wecom/inbound-recovery.ts). Both collections are only ever inserted into (FerretDB 1.x updates scan).
import type { Clock } from '../clock.ts';
import type { Store } from './database.ts';
import { insertGrouped } from './grouped-writes.ts';

/**
 * What the bot needs to run a journalled message again, exactly as it arrived. Its own shape, not the bot's
 * Inbound, so the store depends on nothing above it; src/wecom/journalled.ts converts between the two.
 */
export interface JournalledMessage {
  channel: 'app' | 'aibot' | 'cli' | 'test';
  userid: string;
  text: string;
  msgId: string | null;
  at: Date;
  chatId?: string | null;
  seq: number;
  image?: { mediaId: string; picUrl: string | null } | null;
  card?: { taskId: string; eventKey: string; cardType: string; responseCode: string | null; selected: Record<string, string[]> } | null;
}

export interface JournalEntry {
  key: string;
  at: Date;
  message: JournalledMessage | null;
}

export type JournalResult = { fresh: true } | { fresh: false; at: Date };

export interface InboundLedger {
  /** Durably records the message; `fresh: false` when this key was journalled before (a retry, another instance). */
  journal(key: string, channel: string, message: JournalledMessage | null): Promise<JournalResult>;
  /** Records the outcome; a second outcome (a taken-over delivery) changes nothing. */
  finish(key: string, reply: string | null): Promise<void>;
  /** The outcome, if the message was finished: the passive reply it got (null when none rode in the answer). */
  outcome(key: string): Promise<{ reply: string | null } | null>;
  /**
   * Takes over a delivery that never finished: only when its journal entry is older than `orphanAfterMs` (the
   * first delivery is surely dead) and it has no outcome. Returns the journalled message, or false.
   */
  takeOver(key: string, orphanAfterMs: number): Promise<false | JournalEntry>;
  /** Journalled since `since`, older than `before`, with no outcome yet. */
  unfinished(since: Date, before: Date): Promise<JournalEntry[]>;
}

export function createInboundLedger(store: Store, clock: Clock): InboundLedger {
  const { Inbound, InboundDone } = store.models;
  return {
    async journal(key, channel, message) {
      // On the hot path of every message: the driver's insert, without building a mongoose document, grouped
      // with the other callbacks' journal entries of the moment (grouped-writes.ts).
      const outcome = await insertGrouped(Inbound.collection, { _id: key, key, at: clock.now(), channel, message });
      if (outcome === 'inserted') return { fresh: true };
      const prior = await Inbound.findOne({ _id: key }, { at: 1 }).lean<{ at: Date }>();
      return { fresh: false, at: prior?.at ?? clock.now() };
    },

    async finish(key, reply) {
      await insertGrouped(InboundDone.collection, { _id: key, at: clock.now(), reply });
    },

    async outcome(key) {
      const done = await InboundDone.findOne({ _id: key }, { reply: 1 }).lean<{ reply?: string | null }>();
      return done ? { reply: done.reply ?? null } : null;
    },

    async takeOver(key, orphanAfterMs) {
      const prior = await Inbound.findOne({ _id: key }).lean<{ at: Date; message?: JournalledMessage | null }>();
      const now = clock.now();
      if (!prior || now.getTime() - prior.at.getTime() < orphanAfterMs) return false;
      if (await InboundDone.exists({ _id: key })) return false;
      // Moving `at` keeps a third delivery from taking over again while this one runs.
      await Inbound.updateOne({ _id: key }, { $set: { at: now } });
      return { key, at: now, message: prior.message ?? null };
    },

    async unfinished(since, before) {
      // Keys and times only: the messages of the few unfinished ones are read afterwards, by _id.
      const entries = await Inbound.find({ at: { $gte: since, $lt: before } }, { at: 1 }).lean<Array<{ _id: string; at: Date }>>();
      if (entries.length === 0) return [];
      // One pass over the outcomes since then (an outcome is never older than its journal entry): FerretDB 1.x
      // answers `_id: {$in}` by scanning too, once per query.
      const done = new Set((await InboundDone.find({ at: { $gte: since } }, { _id: 1 }).lean<Array<{ _id: string }>>()).map((d) => d._id));
      const open: JournalEntry[] = [];
      for (const e of entries) {
        if (done.has(e._id)) continue;
        const doc = await Inbound.findOne({ _id: e._id }, { message: 1 }).lean<{ message?: JournalledMessage | null }>();
        open.push({ key: e._id, at: e.at, message: doc?.message ?? null });
      }
      return open.sort((a, b) => (a.message?.seq ?? 0) - (b.message?.seq ?? 0));
    },
  };
}

/** De-dup keys, journal entries and outcomes older than `before`: WeCom retries within seconds, never later. */
export async function deleteInboundBefore(store: Store, before: Date): Promise<number> {
  const inbound = await store.models.Inbound.deleteMany({ at: { $lt: before } });
  await store.models.InboundDone.deleteMany({ at: { $lt: before } });
  return inbound.deletedCount;
}
