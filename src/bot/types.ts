import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import type { User } from '../access.ts';
import type { CardPlan } from '../cards/build.ts';
import type { CardTap } from '../cards/template-card.ts';

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
  /** A photo (app image message): the bot keeps it as 佐证 of a task. */
  image?: { mediaId: string; picUrl: string | null } | null;
  /** A tap on one of the bot's template cards (template_card_event). */
  card?: CardTap | null;
}

/** What goes back: one or more messages, each within WeCom's 2048-byte limit. */
export interface Reply {
  messages: string[];
  /** The command failed for a reason that may pass (the database was unreachable): run it again later. */
  retryable?: boolean;
}

/** Who sent the message: the same user the pages know (src/access.ts). */
export type Sender = User;

/** Tells people something outside the current conversation (reassignments, weekly jobs). */
export interface Notifier {
  /** `notBefore`: hold the message until then (a second notice of a kind the same day waits for the next). */
  notifyUsers(key: string, userids: string[], text: string, opts?: { notBefore?: Date }): Promise<void>;
}

/** A handler may ask to run one of the weekly jobs now; wired by the composition root. */
export interface JobRunner {
  /** forceKey makes a forced run idempotent too (the message id that asked for it). */
  run(job: 'digest' | 'reminder', opts: { force: boolean; actor: string; forceKey?: string }): Promise<string>;
  /** The digest the next 发送周报 would send, as replies to read first; nothing is sent or recorded. */
  previewDigest?(): Promise<string[]>;
}

/** Photos wait in a download queue; a kick starts the download now rather than at the next round. */
export interface MediaQueue {
  kick(): void;
}

export interface BotDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  jobs?: JobRunner;
  /**
   * Where the pages are when they are on (WEB_BASE_URL, or in local mode this service's own address, known once it
   * listens, hence a function): replies then link to them. Unset when the pages are off.
   */
  webBaseUrl?: string | (() => string | undefined);
  /** 完成 waits for an admin's 审核通过 (待审核) unless this is false (REVIEW_REQUIRED). Default true. */
  reviewRequired?: boolean;
  media?: MediaQueue;
  /** Updates a tapped card (message/update_template_card); absent where there is no WeCom (the CLI, some tests). */
  cards?: CardUpdater;
  /** Sends notices as template cards (WECOM_CARDS); absent when cards are off: the notice goes as text. */
  cardNotices?: CardSender;
}

/** Sends a plan's template cards, each kept for its tap, under keys from `keyBase` (a repeat sends nothing twice). */
export interface CardSender {
  send(keyBase: string, plan: CardPlan): Promise<number>;
}

/** Shows on a tapped card what the tap did; `key` makes a repeat harmless (the outbox keeps one per key). */
export interface CardUpdater {
  update(key: string, update: { userid: string; responseCode: string; replaceName?: string; card?: Record<string, unknown> }): Promise<void>;
}
