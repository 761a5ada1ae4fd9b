// /metrics in Prometheus text format (prom-client): callbacks by outcome and their answer time, measured at the
// HTTP edge; outbox, media queue and job runs read from the database at scrape time; database health; the
// process's own figures. One registry per app, so tests and several apps in one process do not mix.
import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from './store/database.ts';
import { countByState, countJobRuns, countRetrying } from './store/ops-counts.ts';

export interface Metrics {
  registry: Registry;
  /** Measures the WeCom callback routes; mount before everything else so it sees the final status. */
  middleware: Middleware;
  router: Router;
}

const CALLBACK_PATHS: Record<string, string> = { '/wecom/callback': 'app', '/wecom/aibot': 'aibot' };

/** A scrape reads the database; a busy scraper must not turn into database load. */
const DB_READ_EVERY_MS = 10_000;

export function createMetrics(deps: { store: Store; token: string | undefined }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'duban_' });

  const callbacks = new Counter({
    name: 'duban_callbacks_total',
    help: 'WeCom callbacks answered, by channel (app, aibot), kind (message POST, verify GET) and outcome (ok 200, refused 4xx, unavailable 503, error 5xx)',
    labelNames: ['channel', 'kind', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'duban_callback_reply_seconds',
    help: 'Time to answer a WeCom callback (WeCom gives up after 5 s)',
    labelNames: ['channel'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 10],
    registers: [registry],
  });

  let cached: { at: number; read: Promise<DbFigures> } | null = null;
  const figures = () => {
    if (!cached || performance.now() - cached.at > DB_READ_EVERY_MS) cached = { at: performance.now(), read: readDbFigures(deps.store) };
    return cached.read;
  };
  new Gauge({
    name: 'duban_outbox_messages', help: 'Outbox messages by state (pending, sent, dead) and pending ones that have failed at least once (retrying)',
    labelNames: ['state'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const [state, n] of Object.entries((await figures()).outbox)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'duban_media_jobs', help: 'Photo download queue by state (pending, stored, refused, dead, retrying)',
    labelNames: ['state'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const [state, n] of Object.entries((await figures()).media)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'duban_job_runs', help: 'Scheduled job runs recorded, by job and whether they finished',
    labelNames: ['job', 'finished'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await figures()).jobs) this.set({ job: r.job, finished: String(r.finished) }, r.count);
    },
  });
  new Gauge({
    name: 'duban_database_up', help: '1 when the database answers a ping and a small write within 800 ms',
    registers: [registry],
    async collect() {
      this.set((await deps.store.probe(800)).ok ? 1 : 0);
    },
  });

  const middleware: Middleware = async (ctx, next) => {
    const channel = CALLBACK_PATHS[ctx.path];
    if (!channel) return next();
    const stop = latency.startTimer({ channel });
    try {
      await next();
    } finally {
      stop();
      const s = ctx.status;
      const outcome = s >= 200 && s < 300 ? 'ok' : s === 503 ? 'unavailable' : s >= 500 ? 'error' : 'refused';
      callbacks.inc({ channel, kind: ctx.method === 'GET' ? 'verify' : 'message', outcome });
    }
  };

  const router = new Router();
  router.get('/metrics', async (ctx) => {
    if (!allowed(ctx.req.socket.remoteAddress, ctx.headers, deps.token)) {
      ctx.status = 403;
      ctx.body = 'metrics: loopback only, or Authorization: Bearer METRICS_TOKEN\n';
      return;
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return { registry, middleware, router };
}

interface DbFigures {
  outbox: Record<string, number>;
  media: Record<string, number>;
  jobs: Array<{ job: string; finished: boolean; count: number }>;
}

/** Empty figures when the database does not answer in time: /metrics still answers, with duban_database_up 0. */
async function readDbFigures(store: Store): Promise<DbFigures> {
  const empty: DbFigures = { outbox: {}, media: {}, jobs: [] };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DbFigures>((resolve) => (timer = setTimeout(() => resolve(empty), 2000)));
  const read = readDbFiguresNow(store).catch(() => empty);
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function readDbFiguresNow(store: Store): Promise<DbFigures> {
  const outbox = { ...(await countByState(store, 'outbox', ['pending', 'sent', 'dead'])), retrying: await countRetrying(store, 'outbox') };
  const media = { ...(await countByState(store, 'media_jobs', ['pending', 'stored', 'refused', 'dead'])), retrying: await countRetrying(store, 'media_jobs') };
  return { outbox, media, jobs: await countJobRuns(store) };
}

/**
 * A caller on this machine, not relayed by a proxy (a reverse proxy on the same host connects from loopback too,
 * and says so with a forwarding header), or one with the token.
 */
function allowed(remote: string | undefined, headers: Record<string, string | string[] | undefined>, token: string | undefined): boolean {
  const relayed = headers['x-forwarded-for'] !== undefined || headers['x-real-ip'] !== undefined || headers.forwarded !== undefined;
  const loopback = remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1';
  if (loopback && !relayed) return true;
  if (!token) return false;
  const given = Buffer.from(String(headers.authorization ?? ''));
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
