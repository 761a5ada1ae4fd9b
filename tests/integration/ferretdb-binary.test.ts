// The cached FerretDB binary is verified before use: a corrupt, truncated or non-executable file is detected and
// rebuilt with a message, and `db build` never reports success over a file that does not work.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryPath, cachedBinaryProblem, ensureFerretDbBinary } from '../../src/store/embedded-server.ts';
import { cleanEnv, removeTempDirs, tempDir } from '../helpers/processes.ts';

afterAll(() => removeTempDirs());

/** Real processes on a machine shared with the rest of the suite: generous, as a hung test is still caught. */
const PROCESS_TEST_TIMEOUT_MS = 180_000;

/** A copy of the real, verified binary with its checksum, in a cache directory of its own. */
async function cachedCopy(): Promise<{ cacheDir: string; bin: string }> {
  const real = await ensureFerretDbBinary();
  const cacheDir = tempDir('fdbcache');
  const bin = binaryPath(cacheDir);
  mkdirSync(dirname(bin), { recursive: true });
  copyFileSync(real, bin);
  copyFileSync(`${real}.sha256`, `${bin}.sha256`);
  return { cacheDir, bin };
}

/** A stand-in for Go whose "build" copies a given file to the -o target. */
function fakeGo(produce: string): string {
  const dir = tempDir('fakego');
  const script = join(dir, 'go');
  writeFileSync(script, `#!/bin/sh
if [ "$1" = version ]; then echo "go version go1.99 fake"; exit 0; fi
while [ $# -gt 0 ]; do if [ "$1" = -o ]; then cp "${produce}" "$2"; chmod +x "$2"; exit 0; fi; shift; done
exit 1
`);
  chmodSync(script, 0o755);
  return dir;
}

describe('the cached FerretDB binary', () => {
  it('is accepted when intact', async () => {
    const { bin } = await cachedCopy();
    expect(await cachedBinaryProblem(bin)).toBeNull();
  });

  it('is refused when truncated, corrupt or not executable', async () => {
    const truncated = await cachedCopy();
    truncateSync(truncated.bin, Math.floor(statSync(truncated.bin).size / 2));
    expect(await cachedBinaryProblem(truncated.bin)).toMatch(/checksum mismatch/);

    const corrupt = await cachedCopy();
    const fd = openSync(corrupt.bin, 'r+');
    writeSync(fd, Buffer.from('garbage!'), 0, 8, 4096);
    closeSync(fd);
    expect(await cachedBinaryProblem(corrupt.bin)).toMatch(/checksum mismatch/);

    const plain = await cachedCopy();
    chmodSync(plain.bin, 0o644);
    expect(await cachedBinaryProblem(plain.bin)).toMatch(/not executable/);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('`db build` rebuilds a corrupt cached binary, says so, and exits 0 only once the new one verifies', async () => {
    const real = await ensureFerretDbBinary();
    const home = tempDir('home');
    const bin = binaryPath(join(home, '.cache', 'duban-assistant', 'ferretdb'));
    mkdirSync(dirname(bin), { recursive: true });
    copyFileSync(real, bin);
    copyFileSync(`${real}.sha256`, `${bin}.sha256`);
    truncateSync(bin, 1000);
    const env: NodeJS.ProcessEnv = { ...cleanEnv({}), HOME: home, PATH: `${fakeGo(real)}:${process.env.PATH}` };
    delete env.XDG_CACHE_HOME;

    const fixed = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'db', 'build'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(fixed.stderr).toContain('缓存的内置数据库程序已损坏');
    expect(fixed.stderr).toContain('正在自动重新构建');
    expect(fixed.status).toBe(0);
    expect(fixed.stdout.trim()).toBe(bin);
    expect(readFileSync(bin).equals(readFileSync(real))).toBe(true);

    // A "build" that yields a broken file: db build must fail, not report success over it.
    truncateSync(bin, 1000);
    const junk = join(tempDir('junk'), 'junk');
    writeFileSync(junk, 'not a program');
    const failed = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'db', 'build'], {
      env: { ...env, PATH: `${fakeGo(junk)}:${process.env.PATH}` }, encoding: 'utf8', timeout: 120_000,
    });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('构建出的内置数据库程序无法使用');
  }, PROCESS_TEST_TIMEOUT_MS);
});
