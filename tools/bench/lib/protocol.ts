// Messages between the benchmark (parent) and its server process (lib/bot-process.ts), over the IPC channel.
import type { SimulatorSettings } from '../../../src/wecom/simulator.ts';

/** A demo liaison and the task codes their one department is responsible for. */
export interface Target {
  userid: string;
  department: string;
  codes: string[];
}

export interface SpanStats {
  count: number;
  totalMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type BotMessage =
  | {
      type: 'ready';
      mode: 'bot' | 'koa';
      url: string;
      pid: number;
      /** The embedded FerretDB's pid (bot mode without MONGODB_URI). */
      dbPid: number | null;
      database: 'embedded' | 'external' | null;
      startMs: number;
      targets: Target[];
      settings: (SimulatorSettings & { maxSkewSeconds: number }) | null;
    }
  | {
      type: 'verified';
      byNote: Record<string, { count: number; distinctKeys: number; msgIds: string[] }>;
      inbound: number;
    }
  | {
      type: 'stats';
      cpuSeconds: number | null;
      spans: Record<string, SpanStats>;
      eventLoopDelay: { meanMs: number; p99Ms: number; maxMs: number } | null;
    }
  | { type: 'reset' }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

export type ParentMessage =
  | { cmd: 'verify'; notes: string[] }
  | { cmd: 'stats' }
  | { cmd: 'reset' }
  | { cmd: 'stop' };

/**
 * Experiments the server process can run (BENCH_WHAT_IF): database calls altered in the bench, not the product.
 * update-by-id and reply-insert model fixes the product made in 0cd9cda; on that code and later they change nothing.
 */
export const WHAT_IFS = ['update-by-id', 'reply-insert', 'cache-reads', 'serialize-writes'] as const;
