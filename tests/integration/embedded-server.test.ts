import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../src/store/embedded-server.ts';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'duban-embedded-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('embedded FerretDB', () => {
  it('starts on a free loopback port, keeps data in its directory, and stops leaving no process', async () => {
    const dir = tempDir();
    const server = await startEmbeddedServer({ dataDir: dir });
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(alive(server.pid)).toBe(true);
    const conn = await mongoose.createConnection(server.uri, { dbName: 'probe' }).asPromise();
    await conn.db!.collection('c').insertOne({ a: 1 });
    await conn.close();
    await server.stop();
    expect(await waitUntil(() => !alive(server.pid), 5000)).toBe(true);

    // Same directory again: the data survived the restart.
    const again = await startEmbeddedServer({ dataDir: dir });
    const conn2 = await mongoose.createConnection(again.uri, { dbName: 'probe' }).asPromise();
    expect(await conn2.db!.collection('c').countDocuments({ a: 1 })).toBe(1);
    await conn2.close();
    await again.stop();
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const dir = tempDir();
    const script = resolve('tests/fixtures/start-embedded-and-wait.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((res, rej) => {
      let out = '';
      parent.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /PID (\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      parent.on('exit', (code) => rej(new Error(`parent exited early: ${code}`)));
    });
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntil(() => !alive(childPid), 10_000)).toBe(true);
  });
});
