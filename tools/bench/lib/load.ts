// A small closed-loop load generator on node:http: C workers over one keep-alive agent, each sending the
// next prepared request as soon as its previous one is answered. Bounded by count and by a deadline.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PreparedRequest {
  /** Path and query. */
  path: string;
  body: string;
}

export interface Outcome {
  index: number;
  status: number; // 0 when the request failed before an answer (network error, timeout)
  body: string;
  ms: number;
  /** When the answer was complete, in ms since the run started. */
  doneAt: number;
  error?: string;
}

export interface LoadResult {
  outcomes: Outcome[];
  /** Requests that were never sent because the deadline passed. */
  unsent: number;
  wallMs: number;
}

export interface LoadOptions {
  baseUrl: string;
  concurrency: number;
  /** Absolute time (Date.now()) after which no new request is started. */
  deadline: number;
  /** Per-request timeout. */
  timeoutMs: number;
  contentType?: string;
}

export function createAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

export async function runLoad(agent: Agent, requests: PreparedRequest[], opts: LoadOptions): Promise<LoadResult> {
  const base = new URL(opts.baseUrl);
  if (base.hostname !== '127.0.0.1' && base.hostname !== 'localhost' && base.hostname !== '::1') {
    throw new Error(`the benchmark only talks to loopback, not ${base.hostname}`);
  }
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  let unsent = 0;
  const started = performance.now();

  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= requests.length) return;
      if (Date.now() > opts.deadline) {
        unsent++;
        continue;
      }
      const o = await send(agent, base, requests[index]!, index, opts);
      o.doneAt = performance.now() - started;
      outcomes[index] = o;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  return { outcomes: outcomes.filter(Boolean), unsent, wallMs: performance.now() - started };
}

function send(agent: Agent, base: URL, req: PreparedRequest, index: number, opts: LoadOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const payload = Buffer.from(req.body, 'utf8');
    let settled = false;
    const done = (status: number, body: string, error?: string) => {
      if (settled) return;
      settled = true;
      resolve({ index, status, body, ms: performance.now() - t0, doneAt: 0, ...(error ? { error } : {}) });
    };
    const r = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: req.path,
        headers: { 'content-type': opts.contentType ?? 'text/xml', 'content-length': payload.length },
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (err) => done(0, '', err.message));
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    r.on('error', (err) => done(0, '', err.message));
    r.end(payload);
  });
}

/** Nearest-rank percentile of an unsorted list; NaN for an empty one. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Answers per second in equal slices of the run (by completion time): shows whether throughput decays. */
export function throughputBySlice(outcomes: Outcome[], wallMs: number, slices = 3): number[] {
  const width = wallMs / slices;
  const counts = new Array<number>(slices).fill(0);
  for (const o of outcomes) if (o.status === 200) counts[Math.min(slices - 1, Math.floor(o.doneAt / width))]!++;
  return counts.map((c) => c / (width / 1000));
}
