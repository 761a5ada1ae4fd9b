// npm run bench:web — a benchmark, not a test. On the county-sized data of bench:digest (2,000 tasks, 30
// departments, 100,000 reports) it serves the pages from a child process and measures, as a leader sees them:
// 总览 (p50, p99), the task list with filters (p99), the whole 督办台账 download, and the server's peak memory.
// `--json` prints {"overviewP50Ms","overviewP99Ms","taskListP99Ms","ledgerSeconds","peakRssMb"}.
// Goal on a 2-core machine: pages p99 < 300 ms, the ledger < 10 s, RSS < 400 MB.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { connectStore, openStore } from '../../src/store/database.ts';
import { CookieSigner, SESSION_COOKIE } from '../../src/web/session.ts';
import { seedCounty } from './lib/county-data.ts';

const json = process.argv.includes('--json');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SIZE = { tasks: arg('tasks', 2000), departments: arg('departments', 30), reports: arg('reports', 100_000) };
const ROUNDS = arg('rounds', 200);
const say = (line: string) => process.stderr.write(`${line}\n`);
const SECRET = 'bench-web-session-secret-0123456789abcdef';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(url: string, cookie: string): Promise<{ ms: number; bytes: number; status: number }> {
  const t = performance.now();
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const body = new Uint8Array(await res.arrayBuffer());
  return { ms: performance.now() - t, bytes: body.length, status: res.status };
}

async function main() {
  const config = loadConfig(process.env, { dotenvPath: null });
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-web-'));
  const dbName = `bench_web_${Date.now()}`;
  const store = config.mongodbUri ? await connectStore(config.mongodbUri, dbName) : await openStore({ mongodbUri: undefined, dataDir: dir, dbName });
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const now = new Date();
    say(`构建数据：${SIZE.tasks} 项任务，${SIZE.departments} 个部门，${SIZE.reports} 条汇报（${store.kind === 'embedded' ? '内置 FerretDB' : 'MongoDB'}）…`);
    const plan = await seedCounty(store, now, SIZE, json);
    await store.models.Member.create({ userid: 'bench-leader', name: '基准领导', roles: ['member', 'leader'], departments: [] });

    child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/web-serve.ts', import.meta.url)), store.uri, dbName, SECRET, store.kind], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
      lines.once('line', (l) => resolve(JSON.parse(l) as Record<string, unknown>));
      child!.once('exit', (code) => reject(new Error(`web server exited (${code})`)));
    });
    const { url } = (await next()) as { url: string };
    const cookie = `${SESSION_COOKIE}=${new CookieSigner(SECRET).sign('session', { userid: 'bench-leader', sid: randomBytes(16).toString('hex'), iat: Date.now() })}`;
    const pid = String(plan._id);

    const cold = await timed(`${url}/web/`, cookie);
    if (cold.status !== 200) throw new Error(`总览 answered ${cold.status}`);
    say(`总览首次（计算全县快照）：${cold.ms.toFixed(0)} ms，${(cold.bytes / 1024).toFixed(0)} KB`);
    const overview: number[] = [];
    for (let i = 0; i < ROUNDS; i++) overview.push((await timed(`${url}/web/`, cookie)).ms);
    const filters = ['', '?light=red', `?dept=${encodeURIComponent('部门07')}`, '?status=blocked', '?overdue=1', `?q=${encodeURIComponent('任务标题 1')}`, `?plan=${pid}&light=yellow&page=3`];
    const taskList: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await timed(`${url}/web/tasks${filters[i % filters.length]}`, cookie);
      if (r.status !== 200) throw new Error(`任务 answered ${r.status}`);
      taskList.push(r.ms);
    }
    const ledger = await timed(`${url}/web/ledger.xlsx`, cookie);
    if (ledger.status !== 200) throw new Error(`台账 answered ${ledger.status}`);
    // The first download may wait for the server's one-time read of every report (started when it starts, see
    // report-log.ts); the second shows the export's own cost. The JSON figure is the first one.
    const again = await timed(`${url}/web/ledger.xlsx`, cookie);
    say(`台账：${(ledger.bytes / 1024 / 1024).toFixed(1)} MB；首次 ${(ledger.ms / 1000).toFixed(1)} s，再次 ${(again.ms / 1000).toFixed(1)} s`);

    const rss = next();
    child.stdin!.end();
    const { peakRssMb } = (await rss) as { peakRssMb: number };
    overview.sort((a, b) => a - b);
    taskList.sort((a, b) => a - b);
    const result = {
      overviewP50Ms: Math.round(percentile(overview, 50)),
      overviewP99Ms: Math.round(percentile(overview, 99)),
      taskListP99Ms: Math.round(percentile(taskList, 99)),
      ledgerSeconds: Number((ledger.ms / 1000).toFixed(2)),
      peakRssMb,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(`总览 p50 ${result.overviewP50Ms} ms, p99 ${result.overviewP99Ms} ms; 任务列表 p99 ${result.taskListP99Ms} ms; ` +
        `台账 ${result.ledgerSeconds} s; 峰值内存 ${result.peakRssMb} MB (goal: p99 < 300 ms, 台账 < 10 s, < 400 MB)\n`);
    }
  } finally {
    if (child && child.exitCode === null) child.kill();
    await store.conn.dropDatabase().catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:web failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
