// The Koa app without listen(): tests drive it through app.callback(), main.ts listens.
import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from './logger.ts';
import type { Store } from './store/database.ts';
import { isDatabaseUnavailable } from './store/database-errors.ts';
import type { Metrics } from './metrics.ts';

export interface AppDeps {
  store: Store;
  logger: Logger;
  /** Further routes (WeCom callbacks, the local WeCom stand-in) mounted by the composition root. */
  routers?: Router[];
  /** /metrics and the callbacks' counters (src/metrics.ts). */
  metrics?: Metrics;
  /** The newest backup archive's age, reported by /healthz (a stale backup is not a failed health check). */
  backupStatus?: () => { stale: boolean; problem?: string; latest: { file: string; ageHours: number } | null };
}

/** An error whose message is meant for the caller (4xx); anything else is logged and answered briefly. */
export class HttpError extends Error {
  constructor(public readonly status: number, message: string, public readonly code = 'bad_request') {
    super(message);
  }
}

/** The database's share of a health check's time; the whole answer stays under a second. */
export const HEALTH_PROBE_MS = 800;

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true; // errors are logged once, below
  if (deps.metrics) app.use(deps.metrics.middleware); // outermost: it sees the status the caller gets

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.message };
        deps.logger.warn({ path: ctx.path, status: err.status, code: err.code }, 'request refused');
        return;
      }
      if (isDatabaseUnavailable(err)) {
        // Not final: WeCom retries a non-200, and the database may be back by then.
        deps.logger.warn({ path: ctx.path, err: (err as Error).message }, 'database unavailable');
        ctx.status = 503;
        ctx.body = { error: 'db_unavailable', message: '数据库暂时不可用，请稍后再试。' };
        return;
      }
      deps.logger.error({ err, path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.body = { error: 'internal', message: '服务暂时出错，请稍后再试。' };
    }
  });

  const router = new Router();
  // 200 when the database answers a ping and takes a small write within the probe's budget, else 503: the answer
  // always comes within a second, so a load balancer or supervisor never waits on a stalled database.
  router.get('/healthz', async (ctx) => {
    const probe = await deps.store.probe(HEALTH_PROBE_MS);
    ctx.status = probe.ok ? 200 : 503;
    const body: Record<string, unknown> = probe.ok ? { ok: true, database: deps.store.kind } : { ok: false, database: deps.store.kind, problem: probe.problem };
    ctx.body = body;
    if (deps.backupStatus) {
      const b = deps.backupStatus();
      ctx.body = { ...body, backup: { stale: b.stale, file: b.latest?.file ?? null, ageHours: b.latest?.ageHours ?? null, ...(b.problem ? { problem: b.problem } : {}) } };
    }
  });
  app.use(router.routes()).use(router.allowedMethods());
  if (deps.metrics) app.use(deps.metrics.router.routes());
  for (const r of deps.routers ?? []) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
