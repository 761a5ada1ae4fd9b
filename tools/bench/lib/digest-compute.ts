// Child of bench:digest: computes one digest on an existing database and prints {seconds, peakRssMb, summary}.
// With --phases it also times the reads separately (stderr), to see where the time goes.
import { readFileSync } from 'node:fs';
import { Types } from 'mongoose';
import { buildDigest, renderDigestChart } from '../../../src/jobs/digest.ts';
import type { PlanDoc } from '../../../src/store/models.ts';
import { connectStore } from '../../../src/store/database.ts';
import { cachedReports } from '../../../src/store/progress-cache.ts';
import { activeTasks } from '../../../src/store/task-queries.ts';
import { weekStart } from '../../../src/domain/period.ts';

const [uri, dbName, planId, week, nowIso] = process.argv.slice(2) as [string, string, string, string, string];

/** VmHWM: the most resident memory this process ever had. */
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 1024 / 1024);
}

const store = await connectStore(uri, dbName);
const plan = (await store.models.Plan.findOne({ _id: new Types.ObjectId(planId) }).lean())!;
if (process.argv.includes('--phases')) {
  let t = performance.now();
  await activeTasks(store, plan._id);
  process.stderr.write(`tasks ${(performance.now() - t).toFixed(0)} ms\n`);
  t = performance.now();
  await cachedReports(store, plan._id, weekStart(week)!);
  process.stderr.write(`progress ${(performance.now() - t).toFixed(0)} ms\n`);
}
// What the digest job does for the group: the figures and texts, then the chart (its renderer loaded on first use).
const started = performance.now();
const built = await buildDigest(store, [plan as PlanDoc], week, new Date(nowIso), { mentions: false });
const chartStarted = performance.now();
const chart = await renderDigestChart(built.chartView);
const ended = performance.now();
await store.close();
const summary = `周报 ${week}：${built.digest.taskCount} 项任务，${built.digest.expected} 个任务·部门，汇报率 ${built.digest.rate}%，${built.groupParts.length} 段群消息，图 ${chart.width}×${chart.height} ${Math.round(chart.png.length / 1024)} KB`;
const round = (ms: number) => Number((ms / 1000).toFixed(3));
process.stdout.write(`${JSON.stringify({ seconds: round(ended - started), chartSeconds: round(ended - chartStarted), peakRssMb: peakRssMb(), summary })}\n`);
