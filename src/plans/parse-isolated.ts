// Every plan file that comes from outside (the web 方案 upload, `plan parse`/`plan import`) is parsed here, in a worker thread with a time and memory limit. A small .docx can unpack to tens of MB of XML
// (still under the zip cap) and take a minute and gigabytes to read; on the event loop that stalls every
// callback, and WeCom gives up on a callback after 5 s. In a worker the bot keeps answering, and the worker is
// stopped when it runs out of time or memory. Starting a worker costs seconds (tsx and the readers load), so one
// stays warm for a short while after a parse: an upload's preview and its import reuse it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PlanReadError, type ParsedPlan, type ParseOptions } from '../domain/plan/index.ts';
import type { ParseAnswer, ParseJob } from './parse-worker.ts';

export interface ParseLimits {
  /** The worker is stopped after this long, counted from when it starts running. */
  timeoutMs: number;
  /** V8's old-generation heap of the worker; past it the worker dies instead of the bot. */
  maxOldGenerationSizeMb: number;
}

/** A real plan reads in well under a second; the limit leaves room for a loaded 2-core machine and tsx's first compile. */
export const DEFAULT_PARSE_LIMITS: ParseLimits = { timeoutMs: 20_000, maxOldGenerationSizeMb: 512 };

// The worker runs this repository's TypeScript as the bot does, under tsx. Node 20 ignores `--import tsx` in a
// worker's execArgv, so a small ES module entry registers tsx's loader in the worker and then imports the
// worker's code. Absolute URLs, so that it works whatever the current folder is, under `npm start` and vitest.
const WORKER_URL = new URL('./parse-worker.ts', import.meta.url);
const TSX_API_URL = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
const BOOT = new URL(`data:text/javascript,${encodeURIComponent(
  `import { register } from ${JSON.stringify(TSX_API_URL.href)};\nregister();\nawait import(${JSON.stringify(WORKER_URL.href)});\n`,
)}`);

/** The refusals shown to the person who gave the file (callers add “没有导入，现有方案未改动。”). */
export function tooSlow(limits: ParseLimits): PlanReadError {
  return new PlanReadError('too_large', `方案文件太大或太复杂，未能在 ${Math.ceil(limits.timeoutMs / 1000)} 秒内读完。`);
}
function tooBig(limits: ParseLimits): PlanReadError {
  return new PlanReadError('too_large', `方案文件太大或太复杂，读取时超出 ${limits.maxOldGenerationSizeMb} MB 内存上限。`);
}

// One parse at a time: each may take hundreds of MB, and the machine may have two cores for everything.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Parses a plan file's bytes as parsePlanBuffer does, off the event loop. Resolves with the same parsed plan;
 * rejects with the same PlanReadError for a file that is not a plan, or with the refusal above when the limits hit.
 */
export function parsePlanIsolated(bytes: Buffer, filename: string, opts: ParseOptions = {}, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Promise<ParsedPlan> {
  const run = queue.then(() => parseInWorker(bytes, filename, opts, limits));
  queue = run.catch(() => undefined);
  return run;
}

/** How long an idle worker is kept for the next parse. */
const KEEP_WARM_MS = 60_000;

let warm: { worker: Worker; heapMb: number; idle: NodeJS.Timeout } | null = null;

function startWorker(limits: ParseLimits): Worker {
  const worker = new Worker(BOOT, { resourceLimits: { maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb } });
  // A warm worker that dies while idle is simply forgotten.
  worker.once('exit', () => {
    if (warm?.worker === worker) {
      clearTimeout(warm.idle);
      warm = null;
    }
  });
  return worker;
}

function parseInWorker(bytes: Buffer, filename: string, opts: ParseOptions, limits: ParseLimits): Promise<ParsedPlan> {
  // Only plain data is sent: the options may carry nothing but the unit names and the column roles.
  const job: ParseJob = { bytes: new Uint8Array(bytes), filename, opts: { knownUnits: opts.knownUnits, columns: opts.columns ?? null } };
  const reuse = warm !== null && warm.heapMb === limits.maxOldGenerationSizeMb ? warm.worker : null;
  if (warm) {
    clearTimeout(warm.idle);
    if (!reuse) void warm.worker.terminate();
    warm = null;
  }
  const worker = reuse ?? startWorker(limits);
  worker.ref(); // a CLI waiting on the parse must not exit under it
  return new Promise<ParsedPlan>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const onMessage = (answer: ParseAnswer) =>
      settle(true, () => {
        if (answer.ok) resolve(answer.parsed);
        else if ('refusal' in answer) reject(new PlanReadError(answer.refusal.code, answer.refusal.message));
        else reject(new Error(`plan parse failed in its worker: ${answer.failure}`));
      });
    const onError = (err: Error & { code?: string }) => settle(false, () => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooBig(limits) : err));
    const onExit = (code: number) => settle(false, () => reject(new Error(`plan parse worker exited (${code}) without an answer`)));
    const startClock = () => (timer = setTimeout(() => settle(false, () => reject(tooSlow(limits))), limits.timeoutMs));
    const settle = (keep: boolean, fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit).off('online', startClock);
      if (keep) {
        worker.unref();
        warm = { worker, heapMb: limits.maxOldGenerationSizeMb, idle: setTimeout(() => void worker.terminate(), KEEP_WARM_MS).unref() };
      } else {
        void worker.terminate();
      }
      fn();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    // The clock starts when the worker runs: a loaded machine may take seconds just to start one.
    if (reuse) startClock();
    else worker.once('online', startClock);
    worker.postMessage(job);
  });
}
