// npm run bench:digest — a benchmark, not a test. Builds a county-sized dataset (2,000 tasks, 30 departments,
// 100,000 reports) in a scratch database and times the weekly digest's computation and its peak memory.
// `--json` prints {"seconds","chartSeconds","peakRssMb","tasks","reports"}: seconds is the whole digest, its group
// chart included; chartSeconds the chart's share. Target on a 2-core machine: < 2 s and < 300 MB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { previousWeekKey } from '../../src/domain/period.ts';
import { connectStore, openStore } from '../../src/store/database.ts';
import { seedCounty } from './lib/county-data.ts';

const json = process.argv.includes('--json');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TASKS = arg('tasks', 2000);
const DEPARTMENTS = arg('departments', 30);
const REPORTS = arg('reports', 100_000);
const say = (line: string) => process.stderr.write(`${line}\n`);

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
    const plan = await seedCounty(store, now, { tasks: TASKS, departments: DEPARTMENTS, reports: REPORTS }, json);
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
      process.stdout.write(`digest computation: ${result.seconds} s (its chart ${result.chartSeconds} s), peak RSS ${result.peakRssMb} MB (target < 2 s, < 300 MB)\n`);
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
