// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package/source file and by function.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Sampled time not idle. */
  busyMs: number;
  byGroup: Array<{ name: string; ms: number; share: number }>;
  byFunction: Array<{ name: string; ms: number; share: number }>;
}

/** Where a frame's code lives: an npm package, a project file, Node's internals, or V8's pseudo-frames. */
function groupOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const proj = /\/(src|handlers|tools|templates)\/(.*)$/.exec(url);
  if (proj) return `${proj[1]}/${proj[2]}`;
  return url;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const groups = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += ms;
    const { functionName, url, lineNumber } = n.callFrame;
    const g = groupOf(url, functionName);
    groups.set(g, (groups.get(g) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url ? `${g}:${lineNumber + 1}` : ''}`.trim();
    fns.set(name, (fns.get(name) ?? 0) + ms);
  }
  // Idle time says nothing about where the work goes: shares are of the busy time.
  const idle = groups.get('(idle)') ?? 0;
  groups.delete('(idle)');
  fns.delete('(idle)');
  const busy = total - idle;
  const rankBusy = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms, share: busy ? ms / busy : 0 }));
  return { file, totalMs: total, busyMs: busy, byGroup: rankBusy(groups), byFunction: rankBusy(fns) };
}

/**
 * The main thread's .cpuprofile of a process (names are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile;
 * thread 0 is the main thread, others are workers such as tsx's module-loader thread).
 */
export function mainThreadProfile(dir: string, pid: number): string | null {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.0.`)).sort();
  return files.length ? join(dir, files[files.length - 1]!) : null;
}
