// The two things a newcomer runs: the service (npm start) and the simulator (cli say), as real processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { weekKey } from '../../src/domain/period.ts';
import { testDbName } from '../helpers/store.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'duban-proc-'));
  dirs.push(d);
  return d;
}

/** The environment of a newcomer: nothing of ours set, except what the test names. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'XDG_CACHE_HOME']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function uriWithDb(name: string): string {
  return `${inject('mongoUri').replace(/\/?$/, '/')}${name}`;
}

describe('npm start', () => {
  it('comes up in local mode on the embedded database with the plan imported, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: cleanEnv({ PORT: '0', DATA_DIR: dataDir, HOST: '127.0.0.1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await expect.poll(() => /"msg":"督办助手 is listening"/.test(err), { timeout: 60_000, interval: 100 }).toBe(true);
    const url = /"url":"(http:\/\/[^"]+)"/.exec(err.split('\n').find((l) => l.includes('is listening'))!)![1]!;
    const ferretPid = Number(/"pid":(\d+)[^\n]*embedded FerretDB started/.exec(err)![1]);
    expect(err).toContain('"localMode":true');
    expect(err).toContain('plan imported on first start');
    expect(err).toContain('demo roster created');

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, database: 'embedded' }); // and the backup's age, once there is one

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect.poll(() => alive(ferretPid), { timeout: 10_000 }).toBe(false);
  });

  it('refuses to start with a bad configuration and names every problem', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: cleanEnv({ PORT: 'x', WECOM_SECRET: 's', WECOM_MAX_SKEW_SECONDS: '-5' }),
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    for (const name of ['PORT', 'WECOM_MAX_SKEW_SECONDS']) expect(r.stderr).toContain(name);
  });
});

describe('cli say', () => {
  it('plays WeCom against a bot it starts itself and prints the demo 经贸办 liaison’s tasks, all parts', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'say', 'demo-liaison-01', '我的任务'], {
      env: cleanEnv({ MONGODB_URI: uriWithDb(testDbName('say')), PORT: '1', LOG_LEVEL: 'warn' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('经贸办的任务');
    expect(r.stdout).toContain('7.5 实施“电商换市”战略');
    expect(r.stdout).toContain('（2/2）'); // the second part came through the outbox
    expect(r.stdout).toContain('汇报：汇报 1.1 60% 说明');
  });

  it('prints the plan as JSON without touching a database', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'plan', 'parse', 'data/seed/nanwang-2021-zhengwu-gongkai.txt', '--json'], {
      env: cleanEnv({ MONGODB_URI: 'mongodb://127.0.0.1:1/unreachable' }),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.plan.docNumber).toBe('旺政发〔2021〕37号');
    expect(parsed.tasks).toHaveLength(65);
    expect(parsed.tasks.find((t: { code: string }) => t.code === '2.2')).toMatchObject({ departments: ['经贸办', '市场监管所'] });
    for (const t of parsed.tasks) expect(Object.keys(t)).toEqual(expect.arrayContaining(['code', 'title', 'text', 'departments', 'lead', 'deadline']));
  });
});

describe('weekly previews from the CLI', () => {
  it('after a demo liaison reports, digest --preview names departments and rates and remind --preview --json leaves out the report and every leader', () => {
    const env = cleanEnv({ MONGODB_URI: uriWithDb(testDbName('preview')), PORT: '1', LOG_LEVEL: 'warn' });
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });

    const said = cli('say', 'demo-liaison-01', '汇报', '7.5', '60%', '已完成电商培训两期');
    expect(said.stdout).toContain('已记录：7.5');

    const remind = cli('remind', '--preview', '--json');
    expect(remind.status).toBe(0);
    const list = JSON.parse(remind.stdout) as Array<{ userid: string; tasks: string[] }>;
    const liaison = list.find((r) => r.userid === 'demo-liaison-01');
    expect(liaison?.tasks).toContain('1.1');
    expect(liaison?.tasks).not.toContain('7.5');
    expect(list.map((r) => r.userid)).not.toContain('demo-leader');
    expect(list.length).toBeGreaterThan(20);

    // The clock is the real one here: the report landed in this week.
    const chartFile = join(tempDir(), 'chart.png');
    const digest = cli('digest', '--preview', '--week', weekKey(new Date()), '--chart', chartFile);
    expect(digest.status).toBe(0);
    expect(digest.stdout).toMatch(/经贸办 \d+%（1\/\d+）/);
    expect(digest.stdout).toMatch(/统计站 0%（0\/\d+）/);
    expect(digest.stdout).toContain('汇报率');
    expect(digest.stdout).toMatch(/群图表已写入 .*chart\.png（1440×\d+，\d+ KB）\n/);
    expect(readFileSync(chartFile).subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});
