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

describe('embedded FerretDB under supervision', () => {
  it('is restarted on the same address when killed, and gives up (for the bot to exit non-zero) when it cannot be', async () => {
    const events: string[] = [];
    let gaveUp: Error | null = null;
    const server = await startEmbeddedServer({
      dataDir: tempDir(),
      restartBackoffMs: [300, 50, 50], // the first wait leaves time to take the address below
      supervise: {
        onDied: () => events.push('died'),
        onRestarted: () => events.push('restarted'),
        onRestartFailed: () => events.push('failed'),
        onGaveUp: (err) => (gaveUp = err),
      },
    });
    try {
      const { port } = new URL(server.uri);
      const first = server.pid;
      process.kill(first, 'SIGKILL');
      expect(await waitUntil(() => events.includes('restarted'), 20_000)).toBe(true);
      expect(server.pid).not.toBe(first);
      const conn = await mongoose.createConnection(server.uri, { dbName: 'supervised' }).asPromise();
      await conn.db!.collection('x').insertOne({ ok: 1 });
      await conn.close();

      // Its address taken by someone else: every restart fails, and after the last one it gives up.
      const { createServer } = await import('node:net');
      const squatter = createServer();
      process.kill(server.pid, 'SIGKILL');
      await waitUntil(() => events.filter((e) => e === 'died').length === 2, 10_000);
      await new Promise<void>((r, j) => squatter.once('error', j).listen(Number(port), '127.0.0.1', () => r()));
      try {
        expect(await waitUntil(() => gaveUp !== null, 30_000)).toBe(true);
        expect(events.filter((e) => e === 'failed')).toHaveLength(3);
        expect(String(gaveUp)).toContain('次重启均失败');
      } finally {
        squatter.close();
      }
    } finally {
      await server.stop();
    }
  }, 60_000);
});
