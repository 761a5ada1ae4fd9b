// npm run bench — encrypted 汇报 callbacks end to end (verify, decrypt, de-dup, store, reply) against the
// embedded database, driven over loopback by a closed-loop load generator, beside a bare Koa endpoint.
//
// Design: the server under test runs in its own process (tools/bench/lib/bot-process.ts, forked with
// `--import tsx`), the load generator in this one, so the generator's CPU and memory do not count as the
// server's. Peak RSS is the server process's VmHWM (Linux /proc). The bare Koa baseline runs the same way.
//
//   npm run -s bench [-- --count 3000 --concurrency 50 --warmup 100 --duplicates 50 --max-seconds 120]
//   npm run -s bench -- --json        one JSON object on stdout, progress on stderr
//   npm run -s bench -- --spans       also time database calls, bot.handle and pool waits inside the server
//   npm run -s bench -- --cpu-prof[=DIR]   V8 CPU profile of the server process, summarised at the end
//   npm run -s bench -- --what-if reply-insert,cache-reads,serialize-writes
//                                     put a number on a suggested fix (bench-side only; see lib/bot-process.ts)
//   npm run -s bench -- --against REF [--rounds 3]
//                                     side by side: REF (a commit, branch or tag) is checked out in a temporary git
//                                     worktree, both servers run at once and are loaded in alternating rounds
//                                     (this checkout, REF, then REF, this checkout …), bare Koa each round too;
//                                     prints both figures, Koa's and the ratios (lib/ref-worktree.ts)
//   MONGODB_URI=mongodb://… npm run -s bench   against that server, in a scratch database dropped afterwards
//                                     (BENCH_DB_PID=<pid> of a local server adds its CPU and peak RSS)
//
// Exit status: 0 when every callback was answered 200 with a reply saying 已记录 and every report was stored
// exactly once (duplicates included); 1 otherwise; 2 for bad arguments; 3 when the watchdog fired.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildTextCallback, openPassiveReply, type SimulatorSettings } from '../../src/wecom/simulator.ts';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { mainThreadProfile, summarizeProfile } from './lib/cpuprofile.ts';
import { createAgent, percentile, runLoad, throughputBySlice, type LoadResult, type Outcome, type PreparedRequest } from './lib/load.ts';
import { cpuSeconds, machineCpuSeconds, peakRssMb, RssSampler } from './lib/proc.ts';
import { WHAT_IFS, type BotMessage, type Target } from './lib/protocol.ts';
import { createRefWorktree, headDescription, type RefWorktree } from './lib/ref-worktree.ts';
import { ServerChild } from './lib/server-child.ts';

// ---- arguments -------------------------------------------------------------------------------------
interface Options {
  count: number;
  concurrency: number;
  warmup: number;
  duplicates: number;
  maxSeconds: number;
  timeoutMs: number;
  json: boolean;
  spans: boolean;
  cpuProf: string | null;
  koa: boolean;
  whatIf: string[];
  against: string | null;
  rounds: number;
}

const USAGE = `usage: npm run -s bench -- [--count N] [--concurrency C] [--warmup W] [--duplicates D]
                          [--max-seconds S] [--timeout-ms T] [--json] [--spans] [--cpu-prof[=DIR]] [--no-koa]
                          [--what-if ${WHAT_IFS.join(',')}]   (experiments, not the product's numbers)
                          [--against REF [--rounds R]]   (side by side with REF, alternating, same run)`;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    count: 3000, concurrency: 50, warmup: 100, duplicates: 50, maxSeconds: 120, timeoutMs: 10_000,
    json: false, spans: false, cpuProf: null, koa: true, whatIf: [], against: null, rounds: 3,
  };
  const int = (name: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} wants a whole number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--count': o.count = int('count', value(), 1, 100_000); break;
      case '--concurrency': o.concurrency = int('concurrency', value(), 1, 1000); break;
      case '--warmup': o.warmup = int('warmup', value(), 0, 10_000); break;
      case '--duplicates': o.duplicates = int('duplicates', value(), 0, 10_000); break;
      case '--max-seconds': o.maxSeconds = int('max-seconds', value(), 1, 3600); break;
      case '--timeout-ms': o.timeoutMs = int('timeout-ms', value(), 100, 120_000); break;
      case '--json': o.json = true; break;
      case '--spans': o.spans = true; break;
      case '--cpu-prof': o.cpuProf = resolve(inline ?? join(tmpdir(), `duban-bench-prof-${Date.now()}`)); break;
      case '--no-koa': o.koa = false; break;
      case '--rounds': o.rounds = int('rounds', value(), 1, 50); break;
      case '--against': {
        const ref = value();
        if (!ref || ref.startsWith('-')) throw new UsageError('--against wants a commit, branch or tag');
        o.against = ref;
        break;
      }
      case '--what-if': {
        o.whatIf = (value() ?? '').split(',').filter(Boolean);
        const unknown = o.whatIf.filter((w) => !(WHAT_IFS as readonly string[]).includes(w));
        if (!o.whatIf.length || unknown.length) throw new UsageError(`--what-if takes a comma-separated list of: ${WHAT_IFS.join(', ')}`);
        break;
      }
      case '--help': case '-h': throw new HelpRequested(USAGE);
      default: throw new UsageError(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  return o;
}

class UsageError extends Error {}
class HelpRequested extends UsageError {}

// ---- output ----------------------------------------------------------------------------------------
let jsonMode = false;
/** Progress: always stderr, so stdout is only the result. */
const progress = (line: string) => process.stderr.write(`${line}\n`);
/** The human summary: stdout normally, stderr under --json. */
const say = (line = '') => (jsonMode ? process.stderr : process.stdout).write(`${line}\n`);
const f1 = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(1));
const round1 = (n: number) => Math.round(n * 10) / 10;

// ---- cleanup ---------------------------------------------------------------------------------------
const children = new Set<ServerChild>();
let scratchDir: string | null = null;
let refTree: RefWorktree | null = null;

/** Graceful: asks each server process to stop (service, database), then removes the scratch directory. */
async function cleanup() {
  await Promise.all([...children].map((c) => c.stop(15_000).catch(() => c.kill())));
  children.clear();
  cleanupNow();
}

function cleanupNow() {
  for (const c of children) c.kill();
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  scratchDir = null;
  refTree?.remove();
  refTree = null;
}

// ---- requests --------------------------------------------------------------------------------------
interface Sent extends PreparedRequest {
  msgId: string;
  userid: string;
}

function buildReports(settings: SimulatorSettings, targets: Target[], n: number, note: string): Sent[] {
  const out: Sent[] = [];
  for (let i = 0; i < n; i++) {
    const t = targets[Math.floor(Math.random() * targets.length)]!;
    const code = t.codes[Math.floor(Math.random() * t.codes.length)]!;
    const pct = 1 + Math.floor(Math.random() * 99);
    const cb = buildTextCallback(settings, {
      userid: t.userid, text: `汇报 ${code} ${pct}% ${note}`, createTime: Math.floor(Date.now() / 1000),
    });
    out.push({ path: cb.path, body: cb.body, msgId: cb.msgId, userid: t.userid });
  }
  return out;
}

interface Checked {
  ok: Outcome[];
  failures: Array<{ index: number; reason: string }>;
}

/** Every answer must be 200 with a passive reply that decrypts, is addressed to the sender and says 已记录. */
function checkReplies(settings: SimulatorSettings, sent: Sent[], result: LoadResult): Checked {
  const ok: Outcome[] = [];
  const failures: Checked['failures'] = [];
  for (const o of result.outcomes) {
    const reason = replyProblem(settings, sent[o.index]!, o);
    if (reason) failures.push({ index: o.index, reason });
    else ok.push(o);
  }
  return { ok, failures };
}

function replyProblem(settings: SimulatorSettings, req: Sent, o: Outcome): string | null {
  if (o.status !== 200) return o.status === 0 ? `no answer: ${o.error}` : `HTTP ${o.status}: ${o.body.slice(0, 200)}`;
  try {
    const reply = openPassiveReply(settings, o.body);
    if (!reply) return 'empty passive reply (the bot missed its budget and answered through the outbox)';
    if (reply.toUser !== req.userid) return `reply addressed to ${reply.toUser}, not ${req.userid}`;
    if (!reply.content.includes('已记录')) return `reply does not say 已记录: ${reply.content.slice(0, 200)}`;
    return null;
  } catch (err) {
    return `reply does not open: ${(err as Error).message}`;
  }
}

function latencies(outcomes: Outcome[]) {
  const ms = outcomes.map((o) => o.ms);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.length ? Math.max(...ms) : NaN };
}

function withDbName(uri: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new UsageError(`MONGODB_URI is not a mongodb:// URI`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

// ---- phases ----------------------------------------------------------------------------------------
interface CpuSnapshot {
  server: number | null;
  db: number | null;
  generator: number;
  machine: { busy: number; total: number } | null;
  at: number;
}
function cpuSnapshot(serverPid: number, dbPid: number | null): CpuSnapshot {
  const u = process.cpuUsage();
  return {
    server: cpuSeconds(serverPid), db: dbPid ? cpuSeconds(dbPid) : null, generator: (u.user + u.system) / 1e6,
    machine: machineCpuSeconds(), at: Date.now(),
  };
}
function cpuLine(a: CpuSnapshot, b: CpuSnapshot): string {
  const wall = (b.at - a.at) / 1000;
  const pct = (x: number | null, y: number | null) => (x === null || y === null ? 'n/a' : `${f1(y - x)} s (${Math.round(((y - x) / wall) * 100)}% of a core)`);
  return `server ${pct(a.server, b.server)}, database ${pct(a.db, b.db)}, load generator ${pct(a.generator, b.generator)} over ${f1(wall)} s`;
}
/** What the rest of the machine did meanwhile: other processes' CPU skews the numbers (2 cores here). */
function othersLine(a: CpuSnapshot, b: CpuSnapshot): { line: string; busyShare: number } | null {
  if (!a.machine || !b.machine) return null;
  const total = b.machine.total - a.machine.total;
  const busy = b.machine.busy - a.machine.busy;
  const ours = [b.server !== null && a.server !== null ? b.server - a.server : 0, b.db !== null && a.db !== null ? b.db - a.db : 0, b.generator - a.generator]
    .reduce((x, y) => x + y, 0);
  const others = Math.max(0, busy - ours);
  const cores = cpus().length;
  const wall = (b.at - a.at) / 1000;
  return {
    line: `machine ${Math.round((busy / total) * 100)}% busy (${cores} cores); other processes used ${f1(others)} s = ${Math.round((others / wall) * 100)}% of a core`,
    busyShare: others / Math.max(wall, 0.001),
  };
}

interface Verified {
  byNote: Record<string, { count: number; distinctKeys: number; msgIds: string[] }>;
  inbound: number;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  jsonMode = opts.json;
  if (opts.against) return runAgainst(opts, opts.against);
  // Watchdog: whatever hangs (a server that never starts, a stuck stop), the run ends.
  const watchdogSeconds = 2 * opts.maxSeconds + 240; // Koa phase + bot phase + starts, stops, checks
  const watchdog = setTimeout(() => {
    progress(`bench: watchdog fired after ${watchdogSeconds} s; killing the server processes`);
    cleanupNow();
    process.exit(3);
  }, watchdogSeconds * 1000);
  watchdog.unref();

  scratchDir = mkdtempSync(join(tmpdir(), 'duban-bench-'));
  const env: Record<string, string> = { BENCH_DATA_DIR: scratchDir };
  const externalUri = process.env.MONGODB_URI?.trim();
  if (externalUri) env.MONGODB_URI = withDbName(externalUri, `duban_bench_${randomBytes(4).toString('hex')}`);
  if (opts.spans) env.BENCH_SPANS = '1';
  if (opts.whatIf.length) env.BENCH_WHAT_IF = opts.whatIf.join(',');
  const nodeFlags: string[] = [];
  if (opts.cpuProf) {
    mkdirSync(opts.cpuProf, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`);
  }

  const failures: string[] = [];

  // ---- the bare Koa baseline (first, on a quiet machine) ----
  // Same process arrangement, same bodies (encrypted callbacks the endpoint merely reads), same load.
  let koa: { perSecond: number; p50: number; p99: number; peakRss: number | null; failed: number; cpu: string } | null = null;
  if (opts.koa) {
    progress('bench: bare Koa baseline …');
    const k = await ServerChild.start({ mode: 'koa', env: {}, readyTimeoutMs: 60_000 });
    children.add(k);
    const bodies = buildReports({ ...LOCAL_WECOM }, [{ userid: 'demo-liaison-01', department: '-', codes: ['1.1'] }], opts.count, 'bench');
    const koaOpts = { baseUrl: k.ready.url, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, deadline: Date.now() + opts.maxSeconds * 1000 };
    const agent = createAgent(opts.concurrency);
    await runLoad(agent, bodies.slice(0, Math.max(opts.warmup, 500)), koaOpts); // JIT and sockets warm
    const c0 = cpuSnapshot(k.pid, null);
    const r = await runLoad(agent, bodies, koaOpts);
    const c1 = cpuSnapshot(k.pid, null);
    agent.destroy();
    const good = r.outcomes.filter((o) => o.status === 200 && o.body === 'ok');
    const kl = latencies(r.outcomes);
    koa = { perSecond: good.length / (r.wallMs / 1000), p50: kl.p50, p99: kl.p99, peakRss: peakRssMb(k.pid), failed: r.outcomes.length - good.length + r.unsent, cpu: `${cpuLine(c0, c1)}; ${othersLine(c0, c1)?.line ?? ''}` };
    await k.stop();
    children.delete(k);
    if (koa.failed) failures.push(`bare Koa: ${koa.failed} requests failed`);
  }

  // ---- the bot ----
  progress(`bench: starting the bot (${externalUri ? 'MONGODB_URI, scratch database' : 'embedded FerretDB'}, scratch dir ${scratchDir}) …`);
  const bot = await ServerChild.start({ mode: 'bot', env, nodeFlags, readyTimeoutMs: 180_000 });
  children.add(bot);
  const ready = bot.ready;
  // An external database on this machine (MONGODB_URI) can be watched too: BENCH_DB_PID=<its pid>.
  if (!ready.dbPid && process.env.BENCH_DB_PID) ready.dbPid = Number(process.env.BENCH_DB_PID) || null;
  const settings = ready.settings!;
  if (ready.targets.length === 0) throw new Error('no demo liaison has a task: is the plan imported and the demo roster created?');
  const taskCount = ready.targets.reduce((n, t) => n + t.codes.length, 0);
  progress(`bench: bot ${ready.url} (pid ${ready.pid}, database ${ready.database}${ready.dbPid ? ` pid ${ready.dbPid}` : ''}) up in ${f1(ready.startMs / 1000)} s; ` +
    `${ready.targets.length} demo liaisons, ${taskCount} (liaison, task) pairs`);
  const loadOpts = { baseUrl: ready.url, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs };
  // One keep-alive agent for warm-up and measurement; a fresh one after the pause for verification
  // (the server drops sockets idle for 5 s, and reusing one as it closes reads as ECONNRESET).
  const agent = createAgent(opts.concurrency);
  const deadlineAll = Date.now() + opts.maxSeconds * 1000; // warm-up and measured load together

  let warmOk = 0;
  if (opts.warmup > 0) {
    const warm = buildReports(settings, ready.targets, opts.warmup, 'warmup');
    const r = await runLoad(agent, warm, { ...loadOpts, deadline: deadlineAll });
    const c = checkReplies(settings, warm, r);
    warmOk = c.ok.length;
    progress(`bench: warm-up ${c.ok.length}/${warm.length} ok in ${f1(r.wallMs / 1000)} s`);
    if (c.failures.length) failures.push(`warm-up: ${c.failures.length} failed, first: ${c.failures[0]!.reason}`);
  }
  if (opts.spans) await bot.expect('reset', { cmd: 'reset' });

  const measured = buildReports(settings, ready.targets, opts.count, 'bench');
  const loadBefore = loadavg();
  progress(`bench: sending ${measured.length} callbacks at concurrency ${opts.concurrency} …`);
  const sampler = new RssSampler([ready.pid, ...(ready.dbPid ? [ready.dbPid] : [])]).start();
  const cpu0 = cpuSnapshot(ready.pid, ready.dbPid);
  const run = await runLoad(agent, measured, { ...loadOpts, deadline: deadlineAll });
  const cpu1 = cpuSnapshot(ready.pid, ready.dbPid);
  const rssDuringLoad = sampler.stop();
  const checked = checkReplies(settings, measured, run);
  agent.destroy();
  const stats = opts.spans ? ((await bot.expect('stats', { cmd: 'stats' })) as Extract<BotMessage, { type: 'stats' }>) : null;
  const sent = run.outcomes.filter((o) => o.status === 200).length;
  const lat = latencies(run.outcomes);
  const callbacksPerSecond = sent / (run.wallMs / 1000);
  if (run.unsent) failures.push(`${run.unsent} callbacks not sent: the ${opts.maxSeconds} s budget ran out`);
  if (checked.failures.length) {
    const kinds = new Map<string, number>();
    for (const f of checked.failures) {
      const kind = f.reason.replace(/\d+/g, 'N').slice(0, 120);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    failures.push(`${checked.failures.length} of ${run.outcomes.length} callbacks failed: ${[...kinds].map(([k, n]) => `${n}× ${k}`).join('; ')}`);
  }

  // Stored exactly once?
  const v1 = (await bot.expect('verified', { cmd: 'verify', notes: ['bench', 'warmup'] })) as Verified;
  const bench = v1.byNote.bench!;
  const stored = bench.distinctKeys;
  const okIds = new Set(checked.ok.map((o) => measured[o.index]!.msgId));
  const storedIds = new Set(bench.msgIds);
  const missing = [...okIds].filter((id) => !storedIds.has(id)).length;
  const unexpected = [...storedIds].filter((id) => !okIds.has(id)).length;
  if (stored !== sent) failures.push(`stored ${stored} distinct reports for ${sent} callbacks answered 200`);
  if (bench.count !== bench.distinctKeys) failures.push(`${bench.count - bench.distinctKeys} duplicate report keys`);
  if (storedIds.size !== bench.count) failures.push(`${bench.count - storedIds.size} messages stored more than once`);
  if (missing) failures.push(`${missing} acknowledged callbacks have no stored report`);
  if (unexpected) failures.push(`${unexpected} stored reports belong to callbacks whose answer failed the check above (e.g. reply deferred to the outbox)`);
  if (v1.byNote.warmup!.distinctKeys !== warmOk) failures.push(`warm-up: stored ${v1.byNote.warmup!.distinctKeys} for ${warmOk} answered`);

  // Redeliveries: the same callbacks again (as WeCom retries them) must change nothing.
  let dupOk = 0;
  let dupSent = 0;
  let v2: Verified | null = null;
  if (opts.duplicates > 0 && checked.ok.length > 0) {
    const again = checked.ok.slice(0, opts.duplicates).map((o) => measured[o.index]!);
    dupSent = again.length;
    const dupAgent = createAgent(opts.concurrency);
    const r = await runLoad(dupAgent, again, { ...loadOpts, concurrency: Math.min(opts.concurrency, again.length), deadline: deadlineAll + 30_000 });
    dupAgent.destroy();
    const c = checkReplies(settings, again, r);
    dupOk = c.ok.length;
    if (c.failures.length) failures.push(`duplicates: ${c.failures.length} of ${again.length} failed, first: ${c.failures[0]!.reason}`);
    v2 = (await bot.expect('verified', { cmd: 'verify', notes: ['bench', 'warmup'] })) as Verified;
    if (v2.byNote.bench!.count !== bench.count) failures.push(`duplicates changed the report count: ${bench.count} → ${v2.byNote.bench!.count}`);
    if (v2.inbound !== v1.inbound) failures.push(`duplicates changed the inbound count: ${v1.inbound} → ${v2.inbound}`);
  }

  const peakRss = peakRssMb(ready.pid);
  const dbPeakRss = ready.dbPid ? peakRssMb(ready.dbPid) : null;
  progress('bench: stopping the bot …');
  await bot.stop();
  children.delete(bot);


  // ---- report ----
  const target = callbacksPerSecond >= 200 && lat.p99 < 500;
  say(`督办助手 callback benchmark — ${opts.count} encrypted 汇报 callbacks, concurrency ${opts.concurrency}, ` +
    `database ${ready.database}, server in a child process (pid ${ready.pid}), load generator in this one`);
  if (opts.whatIf.length) say(`  WHAT-IF run (${opts.whatIf.join(', ')}): database calls altered in the bench process — not the product's numbers`);
  say(`  callbacks/s      ${f1(callbacksPerSecond)}   (${sent} answered 200 in ${f1(run.wallMs / 1000)} s)`);
  say(`                   by thirds of the run: ${throughputBySlice(run.outcomes, run.wallMs).map(f1).join(' → ')} callbacks/s`);
  say(`  latency          p50 ${f1(lat.p50)} ms, p99 ${f1(lat.p99)} ms, max ${f1(lat.max)} ms`);
  say(`  peak RSS         server ${f1(peakRss)} MB (VmHWM; max VmRSS under load ${f1(rssDuringLoad.get(ready.pid))} MB)` +
    (ready.dbPid ? `, FerretDB ${f1(dbPeakRss)} MB` : ''));
  say(`  CPU under load   ${cpuLine(cpu0, cpu1)}`);
  const others = othersLine(cpu0, cpu1);
  if (others) {
    say(`                   ${others.line}; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
    if (others.busyShare > 0.15) say(`  WARNING          other processes were busy during the measurement: the numbers are pessimistic`);
  }
  say(`  stored           ${stored} distinct reports for ${sent} callbacks (${bench.count} documents); warm-up ${v1.byNote.warmup!.distinctKeys}/${warmOk}`);
  if (dupSent) say(`  redeliveries     ${dupOk}/${dupSent} answered with the stored reply; reports ${bench.count} → ${v2?.byNote.bench!.count}, inbound ${v1.inbound} → ${v2?.inbound}`);
  if (koa) {
    say(`  bare Koa         ${f1(koa.perSecond)} req/s, p50 ${f1(koa.p50)} ms, p99 ${f1(koa.p99)} ms, peak RSS ${f1(koa.peakRss)} MB`);
    say(`                   CPU ${koa.cpu}`);
  }
  say(`  target           ≥ 200 callbacks/s and p99 < 500 ms: ${target ? 'met' : 'MISSED'}`);
  if (stats) printSpans(stats);
  if (opts.cpuProf) printProfile(opts.cpuProf, ready.pid);
  for (const f of failures) say(`  FAILED: ${f}`);

  if (opts.json) {
    process.stdout.write(`${JSON.stringify({
      callbacksPerSecond: round1(callbacksPerSecond),
      p50Ms: round1(lat.p50),
      p99Ms: round1(lat.p99),
      peakRssMb: round1(peakRss ?? NaN),
      bareKoaPerSecond: koa ? round1(koa.perSecond) : null,
      sent,
      stored,
    })}\n`);
  }
  return failures.length ? 1 : 0;
}

// ---- side by side (--against REF) ------------------------------------------------------------------
interface Side {
  label: string;
  child: ServerChild;
  settings: SimulatorSettings;
  targets: Target[];
  latencies: number[];
  answered: number;
  wallMs: number;
  perRound: number[];
  okIds: Set<string>;
  warmOk: number;
  failures: string[];
  serverCpu: number;
  stored: number | null;
  peakRss: number | null;
}

async function startSide(label: string, root: string | undefined, env: Record<string, string>, nodeFlags: string[]): Promise<Side> {
  progress(`bench: starting ${label} …`);
  const child = await ServerChild.start({ mode: 'bot', env, nodeFlags, readyTimeoutMs: 300_000, ...(root ? { root } : {}) });
  children.add(child);
  const r = child.ready;
  if (r.targets.length === 0) throw new Error(`${label}: no demo liaison has a task`);
  progress(`bench: ${label} up at ${r.url} (pid ${r.pid}, ${r.database}) in ${f1(r.startMs / 1000)} s`);
  return {
    label, child, settings: r.settings!, targets: r.targets, latencies: [], answered: 0, wallMs: 0, perRound: [], okIds: new Set(),
    warmOk: 0, failures: [], serverCpu: 0, stored: null, peakRss: null,
  };
}

async function loadSide(side: Side, n: number, note: string, opts: Options, measure: boolean): Promise<void> {
  const reqs = buildReports(side.settings, side.targets, n, note);
  const agent = createAgent(opts.concurrency);
  const cpu0 = cpuSeconds(side.child.pid);
  const r = await runLoad(agent, reqs, { baseUrl: side.child.ready.url, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, deadline: Date.now() + opts.maxSeconds * 1000 });
  const cpu1 = cpuSeconds(side.child.pid);
  agent.destroy();
  const c = checkReplies(side.settings, reqs, r);
  if (c.failures.length) side.failures.push(`${note}: ${c.failures.length} of ${reqs.length} failed, first: ${c.failures[0]!.reason}`);
  if (r.unsent) side.failures.push(`${note}: ${r.unsent} not sent (time budget)`);
  if (!measure) {
    side.warmOk += c.ok.length;
    return;
  }
  for (const o of c.ok) side.okIds.add(reqs[o.index]!.msgId);
  const answered = r.outcomes.filter((o) => o.status === 200).length;
  side.latencies.push(...r.outcomes.map((o) => o.ms));
  side.answered += answered;
  side.wallMs += r.wallMs;
  side.perRound.push(answered / (r.wallMs / 1000));
  if (cpu0 !== null && cpu1 !== null) side.serverCpu += cpu1 - cpu0;
}

async function verifySide(side: Side): Promise<void> {
  const v = (await side.child.expect('verified', { cmd: 'verify', notes: ['bench', 'warmup'] })) as Verified;
  const bench = v.byNote.bench!;
  side.stored = bench.distinctKeys;
  const storedIds = new Set(bench.msgIds);
  if (bench.count !== bench.distinctKeys) side.failures.push(`${bench.count - bench.distinctKeys} duplicate report keys`);
  if (storedIds.size !== bench.count) side.failures.push(`${bench.count - storedIds.size} messages stored more than once`);
  if (bench.distinctKeys !== side.answered) side.failures.push(`stored ${bench.distinctKeys} distinct reports for ${side.answered} callbacks answered 200`);
  const missing = [...side.okIds].filter((id) => !storedIds.has(id)).length;
  if (missing) side.failures.push(`${missing} acknowledged callbacks have no stored report`);
  if (v.byNote.warmup!.distinctKeys !== side.warmOk) side.failures.push(`warm-up: stored ${v.byNote.warmup!.distinctKeys} for ${side.warmOk} answered`);
}

function sideFigures(side: Side) {
  const perSecond = side.answered / (side.wallMs / 1000);
  return {
    label: side.label,
    callbacksPerSecond: round1(perSecond),
    p50Ms: round1(percentile(side.latencies, 50)),
    p99Ms: round1(percentile(side.latencies, 99)),
    perRound: side.perRound.map(round1),
    serverCpuMsPerCallback: round1((side.serverCpu * 1000) / Math.max(1, side.answered)),
    peakRssMb: side.peakRss === null ? null : round1(side.peakRss),
    sent: side.answered,
    stored: side.stored,
  };
}

async function runAgainst(opts: Options, ref: string): Promise<number> {
  const watchdogSeconds = 2 * opts.rounds * opts.maxSeconds + 900; // rounds of two bots, npm ci, starts and stops
  const watchdog = setTimeout(() => {
    progress(`bench: watchdog fired after ${watchdogSeconds} s; killing the server processes`);
    cleanupNow();
    process.exit(3);
  }, watchdogSeconds * 1000);
  watchdog.unref();
  if (opts.whatIf.length) throw new UsageError('--what-if and --against do not go together');

  const head = headDescription();
  refTree = createRefWorktree(ref, progress);
  scratchDir = mkdtempSync(join(tmpdir(), 'duban-bench-'));
  const envFor = (name: string) => {
    const dir = join(scratchDir!, name);
    mkdirSync(dir);
    const env: Record<string, string> = { BENCH_DATA_DIR: dir };
    const externalUri = process.env.MONGODB_URI?.trim();
    if (externalUri) env.MONGODB_URI = withDbName(externalUri, `duban_bench_${name}_${randomBytes(4).toString('hex')}`);
    if (opts.spans) env.BENCH_SPANS = '1';
    return env;
  };
  const nodeFlags: string[] = [];
  if (opts.cpuProf) {
    mkdirSync(opts.cpuProf, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`);
  }

  // Both bots up at once (an idle one costs next to nothing), so each round loads one right after the other.
  const ours = await startSide(`this checkout (${head})`, undefined, envFor('head'), nodeFlags);
  const theirs = await startSide(`${ref} (${refTree.commit.slice(0, 7)})`, refTree.dir, envFor('ref'), nodeFlags);
  const sides = [ours, theirs];
  for (const side of sides) if (opts.warmup > 0) await loadSide(side, opts.warmup, 'warmup', opts, false);
  if (opts.spans) for (const side of sides) await side.child.expect('reset', { cmd: 'reset' });

  let koaChild: ServerChild | null = null;
  const koa = { answered: 0, wallMs: 0, latencies: [] as number[], failed: 0 };
  let koaBodies: Sent[] = [];
  if (opts.koa) {
    koaChild = await ServerChild.start({ mode: 'koa', env: {}, readyTimeoutMs: 60_000 });
    children.add(koaChild);
    koaBodies = buildReports({ ...LOCAL_WECOM }, [{ userid: 'demo-liaison-01', department: '-', codes: ['1.1'] }], Math.ceil(opts.count / opts.rounds), 'bench');
    const agent = createAgent(opts.concurrency);
    await runLoad(agent, koaBodies.slice(0, 500), { baseUrl: koaChild.ready.url, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, deadline: Date.now() + 60_000 });
    agent.destroy();
  }

  const perRound = Math.ceil(opts.count / opts.rounds);
  const machine0 = machineCpuSeconds();
  const t0 = Date.now();
  for (let round = 0; round < opts.rounds; round++) {
    if (koaChild) {
      const agent = createAgent(opts.concurrency);
      const r = await runLoad(agent, koaBodies, { baseUrl: koaChild.ready.url, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, deadline: Date.now() + opts.maxSeconds * 1000 });
      agent.destroy();
      const good = r.outcomes.filter((o) => o.status === 200 && o.body === 'ok').length;
      koa.answered += good;
      koa.failed += r.outcomes.length - good + r.unsent;
      koa.wallMs += r.wallMs;
      koa.latencies.push(...r.outcomes.map((o) => o.ms));
    }
    const order = round % 2 === 0 ? [ours, theirs] : [theirs, ours];
    for (const side of order) {
      progress(`bench: round ${round + 1}/${opts.rounds}: ${perRound} callbacks to ${side.label} …`);
      await loadSide(side, perRound, 'bench', opts, true);
    }
  }
  const wall = (Date.now() - t0) / 1000;
  const machine1 = machineCpuSeconds();
  const stats = opts.spans
    ? await Promise.all(sides.map(async (s) => (await s.child.expect('stats', { cmd: 'stats' })) as Extract<BotMessage, { type: 'stats' }>))
    : null;
  for (const side of sides) {
    await verifySide(side);
    side.peakRss = peakRssMb(side.child.pid);
  }
  progress('bench: stopping the servers …');
  for (const c of [...children]) {
    await c.stop();
    children.delete(c);
  }

  const a = sideFigures(ours);
  const b = sideFigures(theirs);
  const koaPerSecond = koaChild ? koa.answered / (koa.wallMs / 1000) : null;
  const ratio = (x: number, y: number | null) => (y ? Math.round((x / y) * 1000) / 1000 : null);
  say(`督办助手 callbacks side by side — ${opts.rounds} alternating rounds of ${perRound} encrypted 汇报 callbacks per server, ` +
    `concurrency ${opts.concurrency}, ${process.env.MONGODB_URI ? 'MongoDB (scratch databases)' : 'embedded FerretDB each'}; ` +
    `${ref}'s node_modules ${refTree.nodeModules === 'symlinked' ? 'symlinked (identical lockfile)' : 'from npm ci (lockfile differs)'}`);
  for (const f of [a, b]) {
    say(`  ${f.label}`);
    say(`    callbacks/s    ${f1(f.callbacksPerSecond)}  (rounds: ${f.perRound.map(f1).join(', ')}); p50 ${f1(f.p50Ms)} ms, p99 ${f1(f.p99Ms)} ms`);
    say(`    server CPU     ${f1(f.serverCpuMsPerCallback)} ms per callback; peak RSS ${f1(f.peakRssMb)} MB; stored ${f.stored} for ${f.sent} answered`);
  }
  if (koaPerSecond !== null) say(`  bare Koa         ${f1(koaPerSecond)} req/s, p99 ${f1(percentile(koa.latencies, 99))} ms`);
  say(`  ratio            callbacks/s ${ratio(a.callbacksPerSecond, b.callbacksPerSecond)} × ${ref}'s; p99 ${ratio(a.p99Ms, b.p99Ms)} × ${ref}'s` +
    (koaPerSecond ? `; of bare Koa: ${(100 * a.callbacksPerSecond / koaPerSecond).toFixed(1)}% vs ${(100 * b.callbacksPerSecond / koaPerSecond).toFixed(1)}%` : ''));
  if (machine0 && machine1) say(`  machine          ${Math.round(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100)}% busy over ${f1(wall)} s (${cpus().length} cores, shared)`);
  if (stats) {
    stats.forEach((st, i) => {
      say(`  ${sides[i]!.label}:`);
      printSpans(st);
    });
  }
  const failures = sides.flatMap((s) => s.failures.map((f) => `${s.label}: ${f}`));
  if (koa.failed) failures.push(`bare Koa: ${koa.failed} requests failed`);
  for (const f of failures) say(`  FAILED: ${f}`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({
      against: { ref, commit: refTree.commit, nodeModules: refTree.nodeModules },
      head,
      rounds: opts.rounds,
      perRound,
      concurrency: opts.concurrency,
      this: a,
      ref: b,
      bareKoaPerSecond: koaPerSecond === null ? null : round1(koaPerSecond),
      ratio: {
        callbacksPerSecond: ratio(a.callbacksPerSecond, b.callbacksPerSecond),
        p99: ratio(a.p99Ms, b.p99Ms),
        thisOfKoa: ratio(a.callbacksPerSecond, koaPerSecond),
        refOfKoa: ratio(b.callbacksPerSecond, koaPerSecond),
      },
    })}\n`);
  }
  return failures.length ? 1 : 0;
}

function printSpans(stats: Extract<BotMessage, { type: 'stats' }>) {
  say('  inside the server (measured phase; --spans):');
  const rows = Object.entries(stats.spans).sort((a, b) => b[1].totalMs - a[1].totalMs);
  for (const [name, s] of rows) {
    if (name === 'db: pool connections created') {
      say(`    ${name.padEnd(62)} ${s.count}`);
      continue;
    }
    say(`    ${name.padEnd(62)} n=${String(s.count).padStart(5)}  mean ${f1(s.meanMs).padStart(6)}  p50 ${f1(s.p50Ms).padStart(6)}  p99 ${f1(s.p99Ms).padStart(6)}  max ${f1(s.maxMs).padStart(6)} ms`);
  }
  if (stats.eventLoopDelay) {
    const d = stats.eventLoopDelay;
    say(`    event-loop delay: mean ${f1(d.meanMs)} ms, p99 ${f1(d.p99Ms)} ms, max ${f1(d.maxMs)} ms`);
  }
}

function printProfile(dir: string, pid: number) {
  const file = mainThreadProfile(dir, pid);
  if (!file) {
    say(`  cpu profile: none written in ${dir}`);
    return;
  }
  const s = summarizeProfile(file);
  say(`  server CPU profile (main thread, whole life of the process: ${f1(s.totalMs / 1000)} s sampled, ${f1(s.busyMs / 1000)} s busy): ${file}`);
  say('    self time by package / file (share of busy time):');
  for (const g of s.byGroup) say(`      ${f1(g.ms).padStart(8)} ms  ${(g.share * 100).toFixed(1).padStart(5)}%  ${g.name}`);
  say('    self time by function:');
  for (const g of s.byFunction) say(`      ${f1(g.ms).padStart(8)} ms  ${(g.share * 100).toFixed(1).padStart(5)}%  ${g.name}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    progress(`bench: ${sig}, cleaning up`);
    cleanupNow();
    process.exit(130);
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exitCode = code;
  })
  .catch(async (err) => {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${err.message}\n`);
      process.exitCode = 0;
    } else if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
    await cleanup();
  });
