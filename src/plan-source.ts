// Where the plan the bot starts with comes from: PLAN_FILE, or the bundled 2021 plan of 南旺镇.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import { parsePlan } from './domain/plan/parse-plan.ts';
import { readPlanFile } from './domain/plan/read-plan-file.ts';
import type { Store } from './store/database.ts';
import { importPlan, type ImportResult } from './store/import-plan.ts';

export const BUNDLED_PLAN = resolve(dirname(fileURLToPath(import.meta.url)), '../data/seed/nanwang-2021-zhengwu-gongkai.txt');

export async function importPlanFile(store: Store, file: string, clock: Clock, actor?: string): Promise<ImportResult> {
  const text = await readPlanFile(file);
  return importPlan(store, parsePlan(text), { sourceText: text, clock, actor });
}

/** On first start the database has no plan: import one so the bot has something to track. */
export async function ensurePlanImported(store: Store, planFile: string | undefined, clock: Clock, logger: Logger) {
  if ((await store.models.Plan.countDocuments({})) > 0) return null;
  const file = planFile ?? BUNDLED_PLAN;
  const result = await importPlanFile(store, file, clock, 'system:first-start');
  logger.info({ file, tasks: result.created.length }, 'plan imported on first start');
  return result;
}
