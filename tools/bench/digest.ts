// npm run bench:digest — a benchmark, not a test. Builds a county-sized dataset (2,000 tasks, 30 departments,
// 100,000 reports) in a scratch database and times the weekly digest's computation and its peak memory.
// `--json` prints {"seconds","chartSeconds","peakRssMb","tasks","reports"}: seconds is the whole digest, its group
// chart included; chartSeconds the chart's share. Target on a 2-core machine: < 5 s and < 300 MB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Types } from 'mongoose';
import { loadConfig } from '../../src/config.ts';
import { previousWeekKey, weekKey } from '../../src/domain/period.ts';
import { connectStore, openStore, type Store } from '../../src/store/database.ts';
import { REPORT_STATUSES } from '../../src/store/models.ts';
import { rebuildProgress } from '../../src/store/progress-cache.ts';

const json = process.argv.includes('--json');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TASKS = arg('tasks', 2000);
const DEPARTMENTS = arg('departments', 30);
const REPORTS = arg('reports', 100_000);
const say = (line: string) => process.stderr.write(`${line}\n`);

/** A small deterministic generator, so two runs measure the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function seed(store: Store, now: Date) {
  const random = rng(42);
  const depts = Array.from({ length: DEPARTMENTS }, (_, i) => `部门${String(i + 1).padStart(2, '0')}`);
  await store.models.Department.insertMany([...depts.map((name) => ({ name })), { name: '县直各部门', collective: true }]);
  const plan = await store.models.Plan.create({ key: 'bench', name: '基准', title: '县级年度工作方案（基准）', sourceHash: 'x', importedAt: now, date: '2021-01-15' });
  const tasks = Array.from({ length: TASKS }, (_, i) => {
    const collective = random() < 0.02;
    const n = 1 + Math.floor(random() * 3);
    const ds = collective ? ['县直各部门'] : [...new Set(Array.from({ length: n }, () => depts[Math.floor(random() * depts.length)]!))];
    return {
      _id: new Types.ObjectId(), planId: plan._id, code: `${Math.floor(i / 20) + 1}.${(i % 20) + 1}`, chapter: 1, section: Math.floor(i / 20) + 1,
      item: (i % 20) + 1, sectionTitle: `第${Math.floor(i / 20) + 1}节`, title: `任务标题 ${i}`, text: `任务全文 ${i}`.repeat(5),
      departments: ds, plannedDepartments: ds, collective, deadline: random() < 0.3 ? '2021-12-31' : null, order: i, createdAt: new Date('2021-01-15T00:00:00Z'),
    };
  });
  for (let i = 0; i < tasks.length; i += 1000) await store.models.Task.insertMany(tasks.slice(i, i + 1000));
  const span = 20 * 7 * 24 * 3600 * 1000; // the last 20 weeks
  const batch: Record<string, unknown>[] = [];
  for (let i = 0; i < REPORTS; i++) {
    const t = tasks[Math.floor(random() * tasks.length)]!;
    const department = t.collective ? depts[Math.floor(random() * depts.length)]! : t.departments[Math.floor(random() * t.departments.length)]!;
    const at = new Date(now.getTime() - Math.floor(random() * span));
    const status = REPORT_STATUSES[Math.floor(random() * 10) < 7 ? 1 : Math.floor(random() * 4)]!;
    batch.push({
      _id: `bench:${i}`, key: `bench:${i}`, planId: plan._id, taskId: t._id, taskCode: t.code, department, userid: `u${department}`, at, period: weekKey(at), status,
      percent: status === 'in_progress' ? Math.floor(random() * 99) + 1 : null, note: status === 'blocked' ? '资金未到位' : '', sourceMsgId: null,
    });
    if (batch.length === 5000) {
      await store.models.Report.insertMany(batch.splice(0), { ordered: false });
      if (!json) say(`  已写入 ${i + 1} 条汇报…`);
    }
  }
  if (batch.length) await store.models.Report.insertMany(batch, { ordered: false });
  // The service keeps this cache as reports arrive; a bulk load builds it in one pass.
  say(`  重建进度缓存：${await rebuildProgress(store, plan._id)} 个任务·部门`);
  return plan;
}

async function main() {
  const config = loadConfig(process.env, { dotenvPath: null });
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-digest-'));
  const dbName = `bench_digest_${Date.now()}`;
  const store = config.mongodbUri
    ? await connectStore(config.mongodbUri, dbName)
    : await openStore({ mongodbUri: undefined, dataDir: dir, dbName });
  try {
    const now = new Date();
    say(`构建数据：${TASKS} 项任务，${DEPARTMENTS} 个部门，${REPORTS} 条汇报（${store.kind === 'embedded' ? '内置 FerretDB' : 'MongoDB'}）…`);
    const plan = await seed(store, now);
    const week = previousWeekKey(now);
    // The digest is computed in a fresh process, so its peak memory is the digest's, not the seeding's.
    const uri = store.uri;
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/digest-compute.ts', import.meta.url)), uri, dbName, String(plan._id), week, now.toISOString(), ...(process.argv.includes('--phases') ? ['--phases'] : [])], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000,
    });
    if (child.status !== 0) throw new Error(`digest computation failed (exit ${child.status})`);
    const measured = JSON.parse(child.stdout.trim().split('\n').pop()!) as { seconds: number; chartSeconds: number; peakRssMb: number; summary: string };
    const result = { seconds: measured.seconds, chartSeconds: measured.chartSeconds, peakRssMb: measured.peakRssMb, tasks: TASKS, reports: REPORTS };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      say(measured.summary);
      process.stdout.write(`digest computation: ${result.seconds} s (its chart ${result.chartSeconds} s), peak RSS ${result.peakRssMb} MB (target < 5 s, < 300 MB)\n`);
    }
  } finally {
    await store.conn.dropDatabase().catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:digest failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
