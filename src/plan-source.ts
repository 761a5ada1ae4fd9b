// Where plans come from: a file (CLI, first start) read into a parsed plan, and the bundled 2021 plan of 南旺镇.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import { parsePlanBuffer, type ParsedPlan, type ParseOptions } from './domain/plan/index.ts';
import type { Store } from './store/database.ts';
import { hashSource, importPlan, type ImportResult } from './store/import-plan.ts';
import { countPlans, ensurePlanFirstImports, ensurePlanNames } from './store/plans.ts';

export const BUNDLED_PLAN = resolve(dirname(fileURLToPath(import.meta.url)), '../data/seed/nanwang-2021-zhengwu-gongkai.txt');

export interface PlanSource {
  parsed: ParsedPlan;
  sourceHash: string;
}

/** Reads and parses a plan file; `knownUnits` lets the parse warn about units the database has never seen. */
export async function readPlanSource(file: string, opts: ParseOptions = {}): Promise<PlanSource> {
  return planSourceOf(await readFile(file), basename(file), opts);
}

/** The same for bytes already in hand (a file uploaded on the web page). */
export async function planSourceOf(bytes: Buffer, filename: string, opts: ParseOptions = {}): Promise<PlanSource> {
  return { parsed: await parsePlanBuffer(bytes, filename, opts), sourceHash: hashSource(bytes) };
}

export async function importPlanFile(store: Store, file: string, clock: Clock, actor?: string, name?: string): Promise<ImportResult> {
  const { parsed, sourceHash } = await readPlanSource(file);
  return importPlan(store, parsed, { sourceHash, clock, actor, name });
}

/** On first start the database has no plan: import one so the bot has something to track. */
export async function ensurePlanImported(store: Store, planFile: string | undefined, clock: Clock, logger: Logger) {
  await ensurePlanNames(store);
  await ensurePlanFirstImports(store);
  if ((await countPlans(store)) > 0) return null;
  const file = planFile ?? BUNDLED_PLAN;
  const result = await importPlanFile(store, file, clock, 'system:first-start');
  logger.info({ file, tasks: result.created.length }, 'plan imported on first start');
  return result;
}
