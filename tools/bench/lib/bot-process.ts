// The server side of the benchmark, run as its own process (forked by tools/bench/callbacks.ts) so that
// the load generator's CPU and memory stay out of the server's numbers.
//
//   node --import tsx tools/bench/lib/bot-process.ts bot   → the real service (startService, local mode)
//   node --import tsx tools/bench/lib/bot-process.ts koa   → a bare Koa app with one POST route
//
// Talks to the parent over the IPC channel only (see BotMessage / ParentMessage); writes nothing to stdout.
// Environment: BENCH_DATA_DIR (scratch directory, bot mode), MONGODB_URI (optional, already carrying a
// scratch database name), BENCH_SPANS=1 (time database calls and requests inside the server).
import Koa from 'koa';
import Router from '@koa/router';
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemClock } from '../../../src/clock.ts';
import { startService, type Service } from '../../../src/service.ts';
import { readRawBody } from '../../../src/wecom/raw-body.ts';
import { childPids, commName, cpuSeconds } from './proc.ts';
import type { BotMessage, ParentMessage, SpanStats, Target } from './protocol.ts';

const mode = process.argv[2] === 'koa' ? 'koa' : 'bot';
const spansOn = process.env.BENCH_SPANS === '1';

function tell(msg: BotMessage) {
  process.send?.(msg);
}

// ---- timing spans (opt-in) -------------------------------------------------------------------------
const spans = new Map<string, number[]>();
function record(name: string, ms: number) {
  let list = spans.get(name);
  if (!list) spans.set(name, (list = []));
  list.push(ms);
}
function summarize(): Record<string, SpanStats> {
  const out: Record<string, SpanStats> = {};
  for (const [name, list] of spans) {
    const sorted = [...list].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
    const total = list.reduce((a, b) => a + b, 0);
    out[name] = { count: list.length, totalMs: total, meanMs: total / list.length, p50Ms: at(50), p99Ms: at(99), maxMs: sorted[sorted.length - 1]! };
  }
  return out;
}
const loopDelay = spansOn ? monitorEventLoopDelay({ resolution: 10 }) : null;

/** Times every request from Node's 'request' event to the response's 'finish' (server-side latency). */
function timeRequests() {
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      if (req.method === 'POST') {
        const t0 = performance.now();
        res.once('finish', () => record('server: request → response finished', performance.now() - t0));
      }
    }
    return (emit as (this: Server, ...a: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof Server.prototype.emit;
}

/** Wraps the collection methods mongoose uses, per model, so each database round trip is timed. */
function timeStore(service: Service) {
  const methods = ['insertOne', 'findOne', 'updateOne', 'countDocuments', 'find', 'findOneAndUpdate', 'bulkWrite'];
  for (const [name, model] of Object.entries(service.store.models)) {
    const coll = model.collection as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of methods) {
      const original = coll[m];
      if (typeof original !== 'function') continue;
      coll[m] = function (this: unknown, ...a: unknown[]) {
        const t0 = performance.now();
        const result = original.apply(this, a);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(
            () => record(`db: ${name}.${m}`, performance.now() - t0),
            () => record(`db: ${name}.${m} (error)`, performance.now() - t0),
          );
        }
        return result;
      };
    }
  }
  const client = service.store.conn.getClient();
  client.on('connectionCheckedOut', (e: { durationMS?: number }) => record('db: pool checkout wait', e.durationMS ?? 0));
  client.on('connectionCreated', () => record('db: pool connections created', 0));
  const handle = service.bot.handle.bind(service.bot);
  service.bot.handle = async (inbound) => {
    const t0 = performance.now();
    try {
      return await handle(inbound);
    } finally {
      record('bot.handle (parse, member, plan, task, report insert, render)', performance.now() - t0);
    }
  };
}

// ---- what-if experiments (opt-in, BENCH_WHAT_IF) ----------------------------------------------------
// They change how the bench process calls the database, never the product's source, to put a number on
// a suggested fix before anyone writes it. Results under --what-if are NOT the product's performance.
function applyWhatIfs(service: Service, names: string[]) {
  const { Inbound, Plan, Member, Task } = service.store.models;
  if (names.includes('update-by-id')) {
    // FerretDB 1.x (SQLite) pushes down only a filter that is exactly {_id}; {key} scans the collection.
    // Here the claim's _id is remembered and the reply is stored by _id instead.
    const ids = new Map<string, unknown>();
    const coll = Inbound.collection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const insertOne = coll.insertOne!;
    const updateOne = coll.updateOne!;
    coll.insertOne = function (this: unknown, doc: unknown, ...rest: unknown[]) {
      const d = doc as { key?: string; _id?: unknown };
      if (d.key && d._id) ids.set(d.key, d._id);
      return insertOne.call(this, doc, ...rest);
    };
    coll.updateOne = function (this: unknown, filter: unknown, ...rest: unknown[]) {
      const f = filter as Record<string, unknown>;
      const keys = Object.keys(f);
      const id = keys.length === 1 && keys[0] === 'key' ? ids.get(String(f.key)) : undefined;
      return updateOne.call(this, id ? { _id: id } : filter, ...rest);
    };
  }
  if (names.includes('reply-insert')) {
    // FerretDB 1.24 (SQLite) runs UPDATE … WHERE sjson->'$._id' = ?, which does not match its own _id index
    // (sjson->"_id"): every update scans the table inside the write lock. Here the final write of a callback
    // ($set: {reply, …} by _id) is inserted into a side collection instead (an insert checks the unique index
    // only), and merged back when Inbound is read by _id (redeliveries).
    const side = service.store.conn.db!.collection<Record<string, unknown> & { _id: string }>('bench_inbound_replies');
    const coll = Inbound.collection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const updateOne = coll.updateOne!;
    const findOne = coll.findOne!;
    coll.updateOne = async function (this: unknown, filter: unknown, update: unknown, ...rest: unknown[]) {
      const f = filter as Record<string, unknown>;
      const set = (update as { $set?: Record<string, unknown> }).$set;
      const keys = Object.keys(update as object);
      if (Object.keys(f).length === 1 && typeof f._id === 'string' && set && 'reply' in set && keys.length === 1) {
        await side.insertOne({ ...set, _id: f._id });
        return { acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null };
      }
      return updateOne.call(this, filter, update, ...rest);
    };
    coll.findOne = async function (this: unknown, filter: unknown, ...rest: unknown[]) {
      const doc = (await findOne.call(this, filter, ...rest)) as Record<string, unknown> | null;
      const f = filter as Record<string, unknown>;
      if (doc && typeof f?._id === 'string' && !doc.reply) {
        const extra = await side.findOne({ _id: f._id });
        if (extra) for (const [k, v] of Object.entries(extra)) if (k !== '_id') doc[k] = v;
      }
      return doc;
    };
  }
  if (names.includes('serialize-writes')) {
    // SQLite has one writer at a time; with 20 pooled connections the losers sleep in SQLite's busy handler
    // (1, 2, 5 … 100 ms steps) while holding a driver connection. Here writes queue in Node instead, one in flight.
    let tail: Promise<unknown> = Promise.resolve();
    const writes = ['insertOne', 'insertMany', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'bulkWrite'];
    for (const model of Object.values(service.store.models)) {
      const coll = model.collection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      for (const m of writes) {
        const original = coll[m];
        if (typeof original !== 'function') continue;
        coll[m] = function (this: unknown, ...a: unknown[]) {
          const run = tail.then(() => original.apply(this, a));
          tail = run.catch(() => undefined);
          return run;
        };
      }
    }
  }
  if (names.includes('cache-reads')) {
    // The plan, the member and the task hardly change between two messages: served from memory here.
    for (const model of [Plan, Member, Task]) {
      const coll = model.collection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      const findOne = coll.findOne!;
      const cache = new Map<string, Promise<unknown>>();
      coll.findOne = function (this: unknown, ...a: unknown[]) {
        let key: string;
        try {
          key = JSON.stringify(a);
        } catch {
          return findOne.apply(this, a);
        }
        let hit = cache.get(key);
        if (!hit) {
          hit = findOne.apply(this, a);
          cache.set(key, hit);
          hit.catch(() => cache.delete(key));
        }
        return hit;
      };
    }
  }
}

// ---- the two servers -------------------------------------------------------------------------------
async function startBot() {
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!dataDir) throw new Error('BENCH_DATA_DIR is not set');
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  if (process.env.MONGODB_URI) env.MONGODB_URI = process.env.MONGODB_URI;
  const config = loadConfig(env, { dotenvPath: null });
  const logger = createLogger(config.logLevel);
  const t0 = performance.now();
  const service = await startService({ config, logger, clock: systemClock, port: 0 });
  const startMs = performance.now() - t0;
  const whatIfs = (process.env.BENCH_WHAT_IF ?? '').split(',').filter(Boolean);
  if (whatIfs.length) applyWhatIfs(service, whatIfs);
  if (spansOn) timeStore(service);

  const targets = await findTargets(service);
  const ferret = childPids(process.pid).find((p) => /ferret/i.test(commName(p) ?? '')) ?? null;
  tell({
    type: 'ready', mode: 'bot', url: service.url, pid: process.pid, dbPid: ferret, database: service.store.kind, startMs, targets,
    settings: { ...service.wecom.callback, agentId: service.wecom.agentId },
  });

  return {
    async verify(notes: string[]) {
      const { Report, Inbound } = service.store.models;
      const docs = await Report.find({ note: { $in: notes } }, { key: 1, note: 1, sourceMsgId: 1, _id: 0 }).lean<Array<{ key: string; note: string; sourceMsgId: string | null }>>();
      const byNote: Record<string, { count: number; distinctKeys: number; msgIds: string[] }> = {};
      for (const note of notes) {
        const mine = docs.filter((d) => d.note === note);
        byNote[note] = {
          count: mine.length,
          distinctKeys: new Set(mine.map((d) => d.key)).size,
          msgIds: mine.map((d) => d.sourceMsgId ?? ''),
        };
      }
      return { byNote, inbound: await Inbound.countDocuments({}) };
    },
    async stop() {
      if (service.store.kind === 'external') await service.store.conn.dropDatabase().catch(() => undefined);
      await service.stop();
    },
  };
}

/** For each demo liaison, the codes of active tasks their department is responsible for (read from the store). */
async function findTargets(service: Service): Promise<Target[]> {
  const { Member, Task, Plan } = service.store.models;
  const plan = await Plan.findOne({}).sort({ importedAt: -1 }).lean();
  if (!plan) throw new Error('no plan in the store');
  const tasks = await Task.find({ planId: plan._id, retired: false }, { code: 1, departments: 1, collective: 1 }).lean();
  const members = await Member.find({ demo: true, active: true }, { userid: 1, departments: 1 }).lean();
  const targets: Target[] = [];
  for (const m of members) {
    if (!m.userid.startsWith('demo-liaison-') || m.departments.length !== 1) continue;
    const dept = m.departments[0]!;
    // Named responsibility only: then the department is unambiguous and the report is accepted.
    const codes = tasks.filter((t) => t.departments.includes(dept)).map((t) => t.code);
    if (codes.length) targets.push({ userid: m.userid, department: dept, codes });
  }
  targets.sort((a, b) => a.userid.localeCompare(b.userid));
  return targets;
}

async function startKoa() {
  const app = new Koa();
  const router = new Router();
  router.post('/wecom/callback', async (ctx) => {
    await readRawBody(ctx);
    ctx.status = 200;
    ctx.body = 'ok';
  });
  app.use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  tell({ type: 'ready', mode: 'koa', url: `http://127.0.0.1:${port}`, pid: process.pid, dbPid: null, database: null, startMs: 0, targets: [], settings: null });
  return {
    async verify() {
      return { byNote: {}, inbound: 0 };
    },
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

async function main() {
  if (!process.send) {
    process.stderr.write('bot-process.ts is started by tools/bench/callbacks.ts (it needs an IPC channel)\n');
    process.exit(2);
  }
  if (spansOn) timeRequests();
  const server = mode === 'koa' ? await startKoa() : await startBot();
  loopDelay?.enable();
  let stopping: Promise<void> | null = null;
  const stopOnce = () => (stopping ??= server.stop());
  // The parent going away (crash, kill) means stop too: never leave a bot or a database behind.
  process.on('disconnect', () => void stopOnce().finally(() => process.exit(0)));
  process.on('message', async (raw) => {
    const msg = raw as ParentMessage;
    try {
      if (msg.cmd === 'verify') {
        tell({ type: 'verified', ...(await server.verify(msg.notes)) });
      } else if (msg.cmd === 'stats') {
        tell({
          type: 'stats',
          cpuSeconds: cpuSeconds(process.pid),
          spans: summarize(),
          eventLoopDelay: loopDelay
            ? { meanMs: loopDelay.mean / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 }
            : null,
        });
      } else if (msg.cmd === 'reset') {
        spans.clear();
        loopDelay?.reset();
        tell({ type: 'reset' });
      } else if (msg.cmd === 'stop') {
        await stopOnce();
        tell({ type: 'stopped' });
        process.disconnect();
        process.exit(0); // also writes the --cpu-prof profile, if asked for
      }
    } catch (err) {
      tell({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
}

main().catch((err) => {
  tell({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
