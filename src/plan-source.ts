// Where plans come from: a file (CLI, first start) read into a parsed plan, and the bundled 2021 plan of 南旺镇.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import { parsePlanBuffer, PlanReadError, type ParsedPlan, type ParseOptions } from './domain/plan/index.ts';
import { MAX_INPUT_BYTES } from './domain/plan/readers/detect.ts';
import { parsePlanIsolated } from './plans/parse-isolated.ts';
import type { Store } from './store/database.ts';
import { hashSource, importPlan, type ImportResult } from './store/import-plan.ts';
import { countPlans, ensurePlanFirstImports, ensurePlanNames } from './store/plans.ts';

export const BUNDLED_PLAN = resolve(dirname(fileURLToPath(import.meta.url)), '../data/seed/nanwang-2021-zhengwu-gongkai.txt');

export interface PlanSource {
  parsed: ParsedPlan;
  sourceHash: string;
}

/**
 * Reads and parses a plan file someone hands in (`plan import`); `knownUnits` lets the parse warn about units the
 * database has never seen. Parsed in a worker with time and memory limits (plans/parse-isolated.ts).
 */
export async function readPlanSource(file: string, opts: ParseOptions = {}): Promise<PlanSource> {
  return planSourceOf(await readPlanBytes(file), basename(file), opts);
}

/** The file's bytes, refused as parsePlanFile refuses them: missing, unreadable, or too large to be a plan. */
async function readPlanBytes(file: string): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new PlanReadError('empty', `找不到文件 ${basename(file)}，请检查路径。`);
  }
  if (size > MAX_INPUT_BYTES) throw new PlanReadError('too_large', '文件超过 20 MB，不像一份工作方案，已拒绝读取。');
  try {
    return await readFile(file);
  } catch {
    throw new PlanReadError('corrupt', `无法读取 ${basename(file)}，请确认它是一个文件且有读取权限。`);
  }
}

/** The same for bytes already in hand (a file uploaded on the web page). */
export async function planSourceOf(bytes: Buffer, filename: string, opts: ParseOptions = {}): Promise<PlanSource> {
  return { parsed: await parsePlanIsolated(bytes, filename, opts), sourceHash: hashSource(bytes) };
}

/**
 * Imports the plan the bot starts with: the bundled one or PLAN_FILE, both chosen by whoever runs the bot, read
 * before it serves anyone. Parsed in this thread, so that a start (and every test that seeds a plan) does not
 * pay for a worker.
 */
export async function importPlanFile(store: Store, file: string, clock: Clock, actor?: string, name?: string): Promise<ImportResult> {
  const bytes = await readFile(file);
  const parsed = await parsePlanBuffer(bytes, basename(file));
  return importPlan(store, parsed, { sourceHash: hashSource(bytes), clock, actor, name });
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
