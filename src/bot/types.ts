import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import type { MemberDoc, Role } from '../store/models.ts';

/** What somebody typed (or clicked), whatever the transport. */
export interface Inbound {
  channel: 'app' | 'aibot' | 'cli' | 'test';
  userid: string;
  text: string;
  /** MsgId / msgid, or null for events and local calls; reports use it so a redelivery never reports twice. */
  msgId: string | null;
  at: Date;
  chatId?: string | null;
  /** Order of receipt (see domain/receipt-sequence.ts): the later of two reports of one cell wins by it. */
  seq?: number;
}

/** What goes back: one or more messages, each within WeCom's 2048-byte limit. */
export interface Reply {
  messages: string[];
  /** The command failed for a reason that may pass (the database was unreachable): run it again later. */
  retryable?: boolean;
}

export interface Sender {
  userid: string;
  member: MemberDoc | null;
  roles: Role[];
  departments: string[];
  bound: boolean;
}

/** Tells people something outside the current conversation (reassignments, weekly jobs). */
export interface Notifier {
  notifyUsers(key: string, userids: string[], text: string): Promise<void>;
}

/** A handler may ask to run one of the weekly jobs now; wired by the composition root. */
export interface JobRunner {
  /** forceKey makes a forced run idempotent too (the message id that asked for it). */
  run(job: 'digest' | 'reminder', opts: { force: boolean; actor: string; forceKey?: string }): Promise<string>;
}

export interface BotDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  jobs?: JobRunner;
}
