// Plans: several run at once (政务公开, 安全生产 …), each active or archived, each with a short name that
// qualifies its task codes. The one place that reads and changes plan records.
import { deriveShortName } from '../domain/plan/short-name.ts';
import type { Clock } from '../clock.ts';
import type { Store } from './database.ts';
import { planAuditTarget, record } from './audit.ts';
import type { PlanDoc } from './models.ts';
import type { PlanStatus } from '../domain/vocabulary.ts';

/** Every plan, oldest import first (the order replies list them in). */
export async function allPlans(store: Store): Promise<PlanDoc[]> {
  return store.cache.get('plans', async () => {
    const plans = await store.models.Plan.find({}).lean<PlanDoc[]>();
    return plans.map(withDefaults).sort((a, b) => a.importedAt.getTime() - b.importedAt.getTime() || a.key.localeCompare(b.key));
  });
}

export async function countPlans(store: Store): Promise<number> {
  return store.models.Plan.countDocuments({});
}

export async function activePlans(store: Store): Promise<PlanDoc[]> {
  return (await allPlans(store)).filter((p) => p.status === 'active');
}

/** Plans whose short name is `typed` exactly, else those it is a prefix of (of their name or title), active first. */
export async function matchPlans(store: Store, typed: string): Promise<PlanDoc[]> {
  const plans = await allPlans(store);
  const q = typed.trim();
  const exact = plans.filter((p) => p.name === q);
  if (exact.length > 0) return exact;
  const byPrefix = plans.filter((p) => p.name.startsWith(q) || stripYear(p.title).startsWith(q));
  // "安全" with 安全生产 running and 安全生产二 archived means the running one.
  const active = byPrefix.filter((p) => p.status === 'active');
  return active.length === 1 ? active : byPrefix;
}

export async function setPlanStatus(store: Store, clock: Clock, actor: string, plan: PlanDoc, status: PlanStatus): Promise<boolean> {
  if (plan.status === status) return false;
  await store.models.Plan.updateOne({ _id: plan._id }, { $set: { status } });
  await record(store, {
    at: clock.now(), actor, action: status === 'active' ? 'plan.activate' : 'plan.archive', ...planAuditTarget(plan.name),
    before: plan.status, after: status, note: plan.title,
  });
  return true;
}

/** Plans imported before short names existed get one derived from their title, once, on start. */
export async function ensurePlanNames(store: Store): Promise<void> {
  const unnamed = await store.models.Plan.find({ $or: [{ name: { $exists: false } }, { name: null }] }).lean();
  if (unnamed.length === 0) return;
  const taken = new Set((await store.models.Plan.find({}, { name: 1 }).lean()).map((p) => p.name).filter(Boolean));
  for (const plan of unnamed) {
    const name = uniqueName(deriveShortName(plan.title), taken);
    taken.add(name);
    await store.models.Plan.updateOne({ _id: plan._id }, { $set: { name, status: plan.status ?? 'active' } });
  }
}

/**
 * Plans imported before the first import was kept take their latest import as their first, once, on start, so a
 * later re-import of an amended plan does not move it (the scheduler sends nothing about a time before it).
 */
export async function ensurePlanFirstImports(store: Store): Promise<void> {
  const missing = await store.models.Plan.find({ firstImportedAt: { $exists: false } }, { importedAt: 1 }).lean();
  for (const plan of missing) await store.models.Plan.updateOne({ _id: plan._id }, { $set: { firstImportedAt: plan.importedAt } });
}

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (const suffix of '甲乙丙丁戊己庚辛壬癸') if (!taken.has(base + suffix)) return base + suffix;
  return `${base}${taken.size}`;
}

function withDefaults(p: PlanDoc): PlanDoc {
  return { ...p, name: p.name ?? deriveShortName(p.title), status: p.status ?? 'active' };
}

function stripYear(title: string): string {
  return title.replace(/^.*?\d{4}年(?:度)?/, '');
}
