// Wires the running bot: database, WeCom link (real or the local stand-in), outbox, bot, HTTP.
// Used by main.ts and by the simulator when no bot is running.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import { createApp } from './app.ts';
import { createBot, type Bot } from './bot/dispatch.ts';
import type { CardSender, CardUpdater, Notifier } from './bot/types.ts';
import { deliverCards } from './jobs/card-delivery.ts';
import { applyConfigAdmins, ensureDemoRoster } from './members/members.ts';
import { enqueue, OutboxWorker, createWecomSender } from './outbox/outbox.ts';
import { MediaDownloader } from './evidence/media-downloads.ts';
import { ensurePlanImported } from './plan-source.ts';
import { openStore, type Store } from './store/database.ts';
import { activeMemberNames } from './store/members-repo.ts';
import { createWecomClient, type WecomClient } from './wecom/api-client.ts';
import { createCallbackRouter, orphanAfterMs, type ReplySink } from './wecom/callback-routes.ts';
import { startRecoverySweep } from './wecom/inbound-recovery.ts';
import { createInboundLedger } from './store/inbound-ledger.ts';
import { startLocalWecom, type LocalWecom } from './wecom/local-wecom.ts';
import { createLocalWecomRouter } from './wecom/local-routes.ts';
import { effectiveWecom, type EffectiveWecom } from './wecom/settings.ts';
import { COMMANDS } from '../handlers/index.ts';
import { handleCardTap } from '../handlers/card-tap.ts';
import { createJobRunner } from './jobs/job-runner.ts';
import type { JobDeps } from './jobs/run-job.ts';
import { startScheduler } from './jobs/scheduler.ts';
import { loadScoreRules } from './bulletin/rules-file.ts';
import { WebAuth } from './web/auth.ts';
import { createWebRouter } from './web/routes.ts';
import { isUploadRequest, UPLOAD_TIMEOUT_MAX_MS } from './web/multipart.ts';
import type Router from '@koa/router';
import { backupStatus, startDailyBackups } from './backup/daily.ts';
import { runMigrations } from './store/migrations.ts';
import { createMetrics } from './metrics.ts';
import { createDomainVerifyRouter } from './wecom/domain-verify.ts';

export interface Service {
  url: string;
  store: Store;
  bot: Bot;
  client: WecomClient;
  outbox: OutboxWorker;
  jobs: JobDeps;
  wecom: EffectiveWecom;
  localWecom: LocalWecom | null;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Default: config.port; 0 picks a free one. */
  port?: number;
  /** Opened already (tests); otherwise opened here and closed on stop. */
  store?: Store;
  /** Run the weekly jobs on their schedule (default true; the simulator's in-process bot does not). */
  scheduler?: boolean;
  /** The embedded database died and could not be restarted: main.ts exits non-zero. */
  onFatal?: (err: Error) => void;
}

/** Plan, tasks and the sender's record are re-read at most this often; this process's own writes show at once. */
export const READ_CACHE_TTL_MS = 1000;

/** How often the photo download queue looks for due work (a new photo kicks it at once). */
const MEDIA_INTERVAL_MS = 5000;

/** How often journalled messages without an outcome are looked for. */
const RECOVERY_INTERVAL_MS = 10_000;

/** Local mode signs the pages' cookies with this; it listens on loopback only, like the rest of local mode. */
const LOCAL_WEB_SESSION_SECRET = 'duban-local-web-session-secret-for-development-only';

/** Opens the database and makes sure it has what a first run needs: the plan, admins, and in local mode a demo roster. */
export interface PrepareOptions {
  /** Beside a bot that owns DATA_DIR: 'join' its database (CLI commands) or 'refuse' to start (a second bot). */
  besideOwner?: 'refuse' | 'join';
  /** The embedded database died and could not be restarted. */
  onFatal?: (err: Error) => void;
}

export async function prepareDatabase(config: Config, logger: Logger, clock: Clock, store?: Store, options: PrepareOptions = {}): Promise<Store> {
  const s = store ?? (await openStore({
    mongodbUri: config.mongodbUri, dataDir: config.dataDir, logger, readCacheTtlMs: READ_CACHE_TTL_MS,
    besideOwner: options.besideOwner ?? 'refuse', startedAt: clock.now(), onFatal: options.onFatal,
  }));
  // Data written by an earlier version is brought up to this one's shape first (recorded, run once each).
  const migrated = await runMigrations(s, () => clock.now());
  if (migrated.length) logger.info({ migrated }, 'data migrations applied');
  await ensurePlanImported(s, config.planFile, clock, logger);
  if (config.localMode) {
    const demo = await ensureDemoRoster(s, clock);
    if (demo.created) logger.info({ created: demo.created }, 'demo roster created (local mode)');
  }
  if (config.wecom.admins.length) await applyConfigAdmins(s, clock, config.wecom.admins);
  return s;
}

export async function startService(opts: ServiceOptions): Promise<Service> {
  const { config, logger, clock } = opts;
  const stops: Array<() => Promise<void>> = [];
  // Local mode's pages live at this service's own address, known once it listens.
  let ownUrl = '';
  const webBaseUrl = () => config.web.baseUrl ?? ownUrl;
  // The 考核细则 are checked before anything starts: a wrong file stops the start with each problem's line.
  const scoreRules = loadScoreRules(config.scoreRulesFile);
  const store = await prepareDatabase(config, logger, clock, opts.store, { onFatal: opts.onFatal });
  if (!opts.store) stops.push(() => store.close());
  try {
    const wecom = effectiveWecom(config);
    let localWecom: LocalWecom | null = null;
    if (config.localMode) {
      localWecom = await startLocalWecom({
        corpId: wecom.callback.corpId, secret: wecom.secret, clock,
        // The stand-in's login page offers the active members, so anyone can log in as a demo user by clicking.
        loginMembers: () => activeMemberNames(store),
      });
      stops.push(() => localWecom!.close());
      logger.info({ url: localWecom.url }, 'local mode: WeCom stand-in running in-process');
    }
    const client = createWecomClient({
      apiBase: localWecom?.url ?? config.wecom.apiBase,
      corpId: wecom.callback.corpId, secret: wecom.secret, agentId: wecom.agentId, store, clock, logger,
    });
    const workerId = `${process.pid}-${randomBytes(3).toString('hex')}`;
    const outbox = new OutboxWorker({ store, clock, logger, sender: createWecomSender(client, wecom.webhookKey), workerId });
    outbox.start(2000);
    stops.push(() => outbox.stop());

    const notifier: Notifier = {
      async notifyUsers(key, userids, text, opts) {
        if (userids.length === 0) return;
        await enqueue(store, clock, key, { channel: 'app', body: { touser: userids.join('|'), msgtype: 'text', text: { content: text } } }, opts);
        outbox.kick();
      },
    };
    const replies: ReplySink = {
      async deliverLater(key, userid, messages) {
        for (const [i, content] of messages.entries()) {
          await enqueue(store, clock, `${key}:${i}`, { channel: 'app', body: { touser: userid, msgtype: 'text', text: { content } } });
        }
        outbox.kick();
      },
    };
    const jobs: JobDeps = {
      store, clock, logger, workerId, digestMentions: config.digestMentions, hasGroupRobot: !!wecom.webhookKey, reviewRequired: config.reviewRequired, cards: config.cards, scoreRules,
      // Local mode's pages are this service's own address, known once it listens (the CLI's previews use the same).
      get webBaseUrl() { return config.web.baseUrl ?? (config.localMode && ownUrl ? ownUrl : undefined); },
      async deliver(key, msg, opts) {
        await enqueue(store, clock, key, msg, opts);
        outbox.kick();
      },
    };
    // Photos (佐证) are fetched from WeCom by a queue, not inside the callback's few seconds.
    const media = new MediaDownloader({ store, clock, logger, source: client, notifier, workerId });
    media.start(MEDIA_INTERVAL_MS);
    stops.push(() => media.stop());
    // A tapped card shows what was recorded: update_template_card with the tap's one-time code, through the outbox.
    const cards: CardUpdater = {
      async update(key, u) {
        const body = u.card
          ? { userids: [u.userid], response_code: u.responseCode, template_card: u.card }
          : { userids: [u.userid], response_code: u.responseCode, button: { replace_name: u.replaceName ?? '已处理' } };
        await enqueue(store, clock, key, { channel: 'card-update', body });
        outbox.kick();
      },
    };
    // The pages: in local mode always (the stand-in logs people in), otherwise once WEB_BASE_URL and its secret are set.
    const oauthBase = config.web.oauthBase ?? localWecom?.url;
    const sessionSecret = config.web.sessionSecret ?? (config.localMode ? LOCAL_WEB_SESSION_SECRET : undefined);
    const pagesOn = !!(oauthBase && sessionSecret && (config.web.baseUrl || config.localMode));
    // Replies link to the pages whenever they are on, local mode included (there, at this service's own address).
    // Notices with buttons (the 延期申请) go as cards when WECOM_CARDS is on, through the same path as the jobs' cards.
    const cardNotices: CardSender | undefined = config.cards ? { send: (keyBase, plan) => deliverCards(jobs, keyBase, plan) } : undefined;
    const bot = createBot(
      { store, clock, logger, notifier, jobs: createJobRunner(jobs), webBaseUrl: pagesOn ? webBaseUrl : undefined, reviewRequired: config.reviewRequired, media, cards, cardNotices },
      COMMANDS, { cardTap: handleCardTap },
    );
    const ledger = createInboundLedger(store, clock);
    const router = createCallbackRouter({ settings: wecom.callback, bot, store, clock, logger, replies, ledger });
    const routers: Router[] = localWecom ? [router, createLocalWecomRouter(localWecom)] : [router];
    if (pagesOn && oauthBase && sessionSecret) {
      const auth = new WebAuth({ baseUrl: webBaseUrl, oauthBase: () => oauthBase, corpId: wecom.callback.corpId, agentId: wecom.agentId, sessionSecret }, client, clock, logger, store);
      routers.push(createWebRouter({ store, clock, logger, auth, baseUrl: webBaseUrl, notifier, scoreRules }));
    } else {
      logger.info('web pages off: set WEB_BASE_URL and WEB_SESSION_SECRET to serve them');
    }
    if (config.domainVerifyFile) routers.push(createDomainVerifyRouter(config.domainVerifyFile));
    const metrics = createMetrics({ store, token: config.metricsToken });
    const app = createApp({ store, logger, routers, metrics, backupStatus: () => backupStatus(config.backupDir, clock.now()) });
    const server: Server = createSlowClientSafeServer(app.callback());
    server.listen(opts.port ?? config.port, config.host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    stops.push(() => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }));
    // Journalled messages with no outcome (a crash after the journal, a database outage mid-command) are
    // finished now and then every ten seconds; the quiet period keeps deliveries still in flight out of it.
    const recovery = startRecoverySweep({ ledger, bot, replies, clock, logger }, { intervalMs: RECOVERY_INTERVAL_MS, quietMs: orphanAfterMs() + 2000 });
    stops.push(() => recovery.stop());
    if (opts.scheduler !== false) {
      const scheduler = startScheduler(jobs, config, logger, clock);
      stops.push(() => scheduler.stop());
      const backups = startDailyBackups({ store, clock, logger, dir: config.backupDir });
      stops.push(() => backups.stop());
    }
    const { port } = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    ownUrl = `http://${host}:${port}`;
    return {
      url: `http://${host}:${port}`, store, bot, client, outbox, jobs, wecom, localWecom,
      stop: () => runStops(stops, logger),
    };
  } catch (err) {
    await runStops(stops, logger);
    throw err;
  }
}

/**
 * Slow or stalled clients are cut off: the headers must arrive within 10 s and the whole request within 20 s
 * (checked every second, not Node's default 30), idle keep-alive connections close after 5 s. The pages' form
 * uploads are the exception: they get a limit by their size (src/web/multipart.ts answers with a page when it
 * passes), and Node's own request limit stays behind that as the last word.
 */
export const CLIENT_LIMITS = {
  headersTimeout: 10_000, requestTimeout: 20_000, uploadRequestTimeout: UPLOAD_TIMEOUT_MAX_MS + 30_000,
  connectionsCheckingInterval: 1000, keepAliveTimeout: 5000,
};

export function createSlowClientSafeServer(handler: RequestListener, limits = CLIENT_LIMITS): Server {
  const { requestTimeout, uploadRequestTimeout, ...rest } = limits;
  const server = createServer({ ...rest, requestTimeout: Math.max(requestTimeout, uploadRequestTimeout) }, (req, res) => {
    if (!isUploadRequest(req)) cutOffSlowBody(req, res, requestTimeout);
    handler(req, res);
  });
  server.maxHeadersCount = 100;
  return server;
}

/** The callbacks' limit for everything but uploads: a body not in by then gets 408 and the connection closes. */
function cutOffSlowBody(req: IncomingMessage, res: ServerResponse, ms: number): void {
  if (req.complete) return;
  const timer = setTimeout(() => {
    if (req.complete) return;
    if (!res.headersSent) {
      res.writeHead(408, { Connection: 'close', 'Content-Length': '0' });
      res.end(() => req.socket.destroy());
    } else {
      req.socket.destroy();
    }
  }, ms);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.once('end', done);
  res.once('finish', done);
  res.once('close', done);
}

async function runStops(stops: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((err) => logger.error({ err }, 'stop failed'));
}
