// Linux /proc readers for the benchmark: memory high-water marks, CPU time, child processes.
// Every reader returns null when /proc is unavailable (not Linux) or the process is gone.
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on every Linux the project runs on

function readStatus(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
}

function kbField(status: string | null, field: string): number | null {
  if (!status) return null;
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) : null;
}

/** Peak resident set size (VmHWM) in MiB. */
export function peakRssMb(pid: number): number | null {
  const kb = kbField(readStatus(pid), 'VmHWM');
  return kb === null ? null : kb / 1024;
}

/** Current resident set size (VmRSS) in MiB. */
export function currentRssMb(pid: number): number | null {
  const kb = kbField(readStatus(pid), 'VmRSS');
  return kb === null ? null : kb / 1024;
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Direct children of a process (e.g. the embedded FerretDB under the bot). */
export function childPids(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const line of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (line) out.push(Number(line));
    }
    return out;
  } catch {
    return [];
  }
}

/** The process's executable name (comm), e.g. "ferretdb-embedd". */
export function commName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Samples VmRSS of some processes every `intervalMs` until stopped; keeps the maximum seen per pid. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  readonly max = new Map<number, number>();
  constructor(private readonly pids: number[], private readonly intervalMs = 200) {}
  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }
  stop(): Map<number, number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.max;
  }
  private sample() {
    for (const pid of this.pids) {
      const mb = currentRssMb(pid);
      if (mb !== null && mb > (this.max.get(pid) ?? 0)) this.max.set(pid, mb);
    }
  }
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest counted inside user)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy: busy / CLK_TCK, total: (busy + idle + iowait) / CLK_TCK };
  } catch {
    return null;
  }
}
