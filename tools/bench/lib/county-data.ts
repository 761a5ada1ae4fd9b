// The county-sized dataset of bench:digest and bench:web: 2,000 tasks, 30 departments, 100,000 reports over the
// last 20 weeks, deterministic, written straight into a scratch database (and the progress cache rebuilt).
import { Types } from 'mongoose';
import { weekKey } from '../../../src/domain/period.ts';
import type { Store } from '../../../src/store/database.ts';
import { REPORT_STATUSES } from '../../../src/domain/vocabulary.ts';
import { rebuildProgress } from '../../../src/store/progress-cache.ts';

export interface CountySize {
  tasks: number;
  departments: number;
  reports: number;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A small deterministic generator, so two runs measure the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export async function seedCounty(store: Store, now: Date, size: CountySize, quiet = false) {
  const { tasks: TASKS, departments: DEPARTMENTS, reports: REPORTS } = size;
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
      if (!quiet) say(`  已写入 ${i + 1} 条汇报…`);
    }
  }
  if (batch.length) await store.models.Report.insertMany(batch, { ordered: false });
  // The service keeps this cache as reports arrive; a bulk load builds it in one pass.
  say(`  重建进度缓存：${await rebuildProgress(store, plan._id)} 个任务·部门`);
  return plan;
}

