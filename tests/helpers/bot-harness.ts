// The real bot behind the real callback route, on a fresh database, with a settable clock.
import { createApp } from '../../src/app.ts';
import { createBot, type Bot } from '../../src/bot/dispatch.ts';
import type { CommandSpec } from '../../src/bot/command-spec.ts';
import type { Notifier } from '../../src/bot/types.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/database.ts';
import { createCallbackRouter, type CallbackSettings, type ReplySink } from '../../src/wecom/callback-routes.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { buildTextCallback, openPassiveReply, type SimulatorSettings } from '../../src/wecom/simulator.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { listen, type TestServer } from './http.ts';

export const TEST_SETTINGS: CallbackSettings & SimulatorSettings = {
  corpId: LOCAL_WECOM.corpId,
  agentId: LOCAL_WECOM.agentId,
  token: LOCAL_WECOM.token,
  encodingAESKey: LOCAL_WECOM.encodingAESKey,
  aibotToken: LOCAL_WECOM.aibotToken,
  aibotEncodingAESKey: LOCAL_WECOM.aibotEncodingAESKey,
  maxSkewSeconds: 300,
};

export interface Harness {
  store: Store;
  clock: ManualClock;
  bot: Bot;
  server: TestServer;
  later: Array<{ key: string; userid: string; messages: string[] }>;
  notified: Array<{ key: string; userids: string[]; text: string }>;
  /** Sends TEXT from USERID through the encrypted callback; returns the passive reply and any continuation parts, or null. */
  say(userid: string, text: string, opts?: { msgId?: string }): Promise<string | null>;
  post(path: string, body: string): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<CallbackSettings>;
  commands?: readonly CommandSpec[];
  passiveBudgetMs?: number;
  replies?: ReplySink;
  notifier?: Notifier;
  start?: string;
}

export async function startHarness(store: Store, opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock(opts.start ?? '2021-07-26T02:00:00Z'); // Monday 10:00 in Shanghai
  const logger = createLogger('silent');
  const later: Harness['later'] = [];
  const notified: Harness['notified'] = [];
  const notifier: Notifier = opts.notifier ?? {
    async notifyUsers(key, userids, text) {
      notified.push({ key, userids, text });
    },
  };
  const replies: ReplySink = opts.replies ?? {
    async deliverLater(key, userid, messages) {
      later.push({ key, userid, messages });
    },
  };
  const bot = createBot({ store, clock, logger, notifier }, opts.commands ?? COMMANDS);
  const settings = { ...TEST_SETTINGS, ...opts.settings };
  const router = createCallbackRouter({ settings, bot, store, clock, logger, replies, passiveBudgetMs: opts.passiveBudgetMs });
  const server = await listen(createApp({ store, logger, routers: [router] }));
  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  return {
    store, clock, bot, server, later, notified, post,
    async say(userid, text, o = {}) {
      const cb = buildTextCallback(TEST_SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: o.msgId });
      const res = await post(cb.path, cb.body);
      if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${await res.text()}`);
      const passive = openPassiveReply(TEST_SETTINGS, await res.text())?.content ?? null;
      // Replies longer than one message continue through the outbox: read them as the user would.
      const rest = later.filter((l) => l.key === `reply:app:${cb.msgId}`).flatMap((l) => l.messages);
      return passive === null && rest.length === 0 ? null : [passive, ...rest].filter((x) => x !== null).join('\n');
    },
    close: () => server.close(),
  };
}
