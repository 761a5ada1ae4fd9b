// Runs inside a worker thread started by parse-isolated.ts: parses the plan files it is sent, one at a time, and
// posts each result back.
// Only plain data crosses the thread boundary: the parsed plan, or a refusal's code and message.
import { parentPort } from 'node:worker_threads';
import { parsePlanBuffer, PlanReadError, type ParseOptions } from '../domain/plan/index.ts';

export interface ParseJob {
  bytes: Uint8Array;
  filename: string;
  opts: ParseOptions;
}

export type ParseAnswer =
  | { ok: true; parsed: Awaited<ReturnType<typeof parsePlanBuffer>> }
  | { ok: false; refusal: { code: PlanReadError['code']; message: string } }
  | { ok: false; failure: string };

async function answer(job: ParseJob): Promise<ParseAnswer> {
  // A Buffer arrives as a plain Uint8Array after the structured clone.
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  try {
    return { ok: true, parsed: await parsePlanBuffer(bytes, job.filename, job.opts) };
  } catch (err) {
    return err instanceof PlanReadError
      ? { ok: false, refusal: { code: err.code, message: err.message } }
      : { ok: false, failure: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

parentPort!.on('message', (job: ParseJob) => {
  void answer(job).then((a) => parentPort!.postMessage(a));
});
