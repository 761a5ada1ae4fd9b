// Profiling aid for the callback benchmark: times, one at a time and then concurrently, each database
// operation a 汇报 callback performs, as the inbound/reports collections grow. Not part of `npm run bench`.
//
//   node --import tsx tools/bench/lib/db-probe.ts [--sizes 0,1000,3000] [--ops 100]
//
// Starts its own embedded FerretDB (or uses MONGODB_URI with a scratch database) in a scratch directory
// under os.tmpdir(), removed at the end. Prints a table on stdout.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemClock } from '../../../src/clock.ts';
import { prepareDatabase } from '../../../src/service.ts';
import { openStore, type Store } from '../../../src/store/database.ts';
import { childPids, cpuSeconds } from './proc.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const SIZES = arg('sizes', '0,1000,3000').split(',').map(Number);
const OPS = Number(arg('ops', '100'));
const CONCURRENCY = Number(arg('concurrency', '50'));

const out = (l = '') => process.stdout.write(`${l}\n`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'duban-dbprobe-'));
  const uri = process.env.MONGODB_URI?.trim();
  const logger = createLogger('silent');
  const config = loadConfig({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent' }, { dotenvPath: null });
  let store: Store | null = null;
  try {
    store = await openStore({ mongodbUri: uri ? uri : undefined, dataDir: dir, dbName: uri ? `duban_probe_${randomBytes(3).toString('hex')}` : undefined });
    await prepareDatabase(config, logger, systemClock, store);
    const s = store;
    const { Inbound, Report, Member, Plan, Task } = s.models;
    const dbPid = childPids(process.pid)[0] ?? null;
    const plan = (await Plan.findOne({}).sort({ importedAt: -1 }).lean())!;
    const member = (await Member.findOne({ userid: /^demo-liaison-/ }).lean())!;
    const task = (await Task.findOne({ planId: plan._id, departments: member.departments[0] }).lean())!;
    out(`database: ${s.kind}${dbPid ? ` (FerretDB pid ${dbPid})` : ''}; plan ${plan.key}, member ${member.userid}, task ${task.code}`);

    const rawInbound = s.conn.db!.collection<{ _id: string }>(Inbound.collection.collectionName);
    let refId: unknown = null;
    let newestKey = '';
    let seq = 0;
    const fresh = () => `probe:${process.pid}:${++seq}:${randomBytes(4).toString('hex')}`;
    // As the product writes them now: _id = key (string), the one filter FerretDB 1.x looks up by index.
    const inboundDoc = (key: string) => ({ _id: key, key, at: new Date(), channel: 'app' });
    const reportDoc = (key: string) => ({
      _id: key, key, planId: task.planId, taskId: task._id, taskCode: task.code, department: member.departments[0], userid: member.userid,
      at: new Date(), period: '2025-W01', status: 'in_progress', percent: 50, note: 'probe', sourceMsgId: key,
    });
    // The six round trips of one callback, in order (src/wecom/callback-routes.ts, src/bot/dispatch.ts, handlers/report.ts).
    const lastKeys: string[] = [];
    const ops: Array<[string, () => Promise<unknown>]> = [
      ['Inbound.create (de-dup claim)', async () => {
        const k = fresh();
        lastKeys.push(k);
        await Inbound.create({ _id: k, key: k, at: new Date(), channel: 'app' });
      }],
      ['Member.findOne({userid})', () => Member.findOne({ userid: member.userid }).lean()],
      ['Plan.findOne({}).sort(importedAt)', () => Plan.findOne({}).sort({ importedAt: -1 }).lean()],
      ['Task.findOne({planId,code,retired})', () => Task.findOne({ planId: plan._id, code: task.code, retired: false }).lean()],
      ['Report.create', () => Report.create(reportDoc(fresh()))],
      // Through the driver, not mongoose: the schema may not have the field, and mongoose would drop the update.
      ['Inbound.updateOne({key})', () => rawInbound.updateOne({ key: lastKeys[0] ?? 'none' }, { $set: { reply: 'x'.repeat(120) } })],
      ['Inbound.updateOne({_id})', () => rawInbound.updateOne({ _id: lastKeys.shift() ?? 'none' }, { $set: { reply: 'x'.repeat(120) } })],
      ['Inbound.findOne({_id})', () => Inbound.findOne({ _id: refId }).lean()],
    ];

    for (const size of SIZES) {
      // Grow inbound and reports to `size` documents (beyond what earlier rounds added).
      const have = await Inbound.countDocuments({});
      const need = size - have;
      for (let done = 0; done < need; done += 500) {
        const n = Math.min(500, need - done);
        const batch = Array.from({ length: n }, () => ({ ...inboundDoc(fresh()), reply: 'y'.repeat(120) }));
        newestKey = batch[batch.length - 1]!._id;
        await Inbound.insertMany(batch);
        await Report.insertMany(Array.from({ length: n }, () => reportDoc(fresh())));
      }
      const inb = await Inbound.countDocuments({});
      // The newest document: where a just-claimed callback's row is (the oldest would be found at once by a scan).
      refId = newestKey;
      out();
      out(`— inbound ${inb} docs, reports ${await Report.countDocuments({})} docs — one at a time, ${OPS} each:`);
      const db = s.conn.db!;
      for (const filter of [{ _id: refId }, { key: refId }]) {
        const ex = await db.command({ explain: { find: 'inbound', filter, limit: 1 } }).catch((e: Error) => ({ error: e.message }));
        const plan = (ex as { queryPlanner?: unknown }).queryPlanner ?? ex;
        out(`  explain find ${JSON.stringify(Object.keys(filter))}: ${JSON.stringify(plan).slice(0, 300)}  filterPushdown=${JSON.stringify((ex as { filterPushdown?: unknown }).filterPushdown)}`);
      }
      for (const [name, fn] of ops) {
        const times: number[] = [];
        const cpu0 = dbPid ? cpuSeconds(dbPid) : null;
        const t0 = performance.now();
        for (let i = 0; i < OPS; i++) {
          const t = performance.now();
          await fn();
          times.push(performance.now() - t);
        }
        const wall = performance.now() - t0;
        const cpu1 = dbPid ? cpuSeconds(dbPid) : null;
        const dbCpuPerOp = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) * 1000) / OPS : NaN;
        out(`  ${name.padEnd(38)} mean ${(wall / OPS).toFixed(2).padStart(7)} ms  p50 ${pct(times, 50).toFixed(2).padStart(7)}  p99 ${pct(times, 99).toFixed(2).padStart(7)}  FerretDB CPU ${dbCpuPerOp.toFixed(2).padStart(6)} ms/op`);
      }
      // The same, CONCURRENCY at once: throughput of each operation alone.
      out(`  ${CONCURRENCY} at once (${OPS * 3} ops each): throughput`);
      for (const [name, fn] of ops) {
        if (name === 'Inbound.updateOne({key})' || name.startsWith('Inbound.findOne')) continue; // a Go-side full scan: minutes here
        if (name.startsWith('Inbound.updateOne')) {
          for (let i = lastKeys.length; i < OPS * 3; i++) {
            const k = fresh();
            await Inbound.create(inboundDoc(k));
            lastKeys.push(k);
          }
        }
        let next = 0;
        const times: number[] = [];
        const errors = new Map<string, number>();
        const t0 = performance.now();
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < OPS * 3) {
            const t = performance.now();
            try {
              await fn();
            } catch (err) {
              const m = /\) ([^\]]*?)$/.exec((err as Error).message)?.[1] ?? (err as Error).message.slice(-80);
              errors.set(m, (errors.get(m) ?? 0) + 1);
            }
            times.push(performance.now() - t);
          }
        }));
        const wall = performance.now() - t0;
        const errText = errors.size ? `   ERRORS: ${[...errors].map(([m, n]) => `${n}× ${m}`).join('; ')}` : '';
        out(`  ${name.padEnd(38)} ${((OPS * 3) / (wall / 1000)).toFixed(0).padStart(6)} ops/s   p50 ${pct(times, 50).toFixed(1).padStart(7)} ms  p99 ${pct(times, 99).toFixed(1).padStart(7)} ms${errText}`);
      }
      lastKeys.length = 0;
    }
  } finally {
    if (store?.kind === 'external') await store.conn.dropDatabase().catch(() => undefined);
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`db-probe failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
