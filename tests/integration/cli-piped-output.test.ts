// `--json` through a pipe is complete: the CLI waits for stdout to drain before it exits (it used to stop at the
// pipe's 64 KB with exit status 0). A slow reader is the case that cut it off.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, removeTempDirs, tempDir } from '../helpers/processes.ts';

afterAll(() => removeTempDirs());

describe('CLI output through a pipe', () => {
  it('delivers all of a large --json answer to a slow reader', async () => {
    const seed = readFileSync(new URL('../fixtures/plans/seed-nanwang-2021.txt', import.meta.url), 'utf8');
    const file = join(tempDir('piped'), 'big-plan.txt');
    writeFileSync(file, seed.repeat(8)); // about 280 KB of JSON: several times a pipe's buffer
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'plan', 'parse', file, '--json'], {
      env: cleanEnv({ LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout!.pause();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const ended = new Promise<void>((r) => child.stdout!.once('end', () => r()));
    await new Promise((r) => setTimeout(r, 3000)); // the child has written all it can into the pipe by now
    child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    child.stdout!.resume();
    await ended;
    expect(await exited).toBe(0);
    const out = Buffer.concat(chunks);
    expect(out.length).toBeGreaterThan(200_000);
    const parsed = JSON.parse(out.toString('utf8')) as { tasks: unknown[] };
    expect(parsed.tasks.length).toBeGreaterThan(400);
  }, 60_000);
});
