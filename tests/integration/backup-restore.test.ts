// Backups on real processes: taken by the CLI beside a bot that keeps answering encrypted callbacks, restored
// into a fresh data folder (every acknowledged report, every 佐证 file byte for byte), refused over existing
// data, copied to a `db serve` database with `db migrate --to`, and the bot running on the copy.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectStore, type Store } from '../../src/store/database.ts';
import { readLock } from '../../src/store/data-dir-lock.ts';
import { startEmbeddedServer } from '../../src/store/embedded-server.ts';
import { readStoredFile } from '../../src/store/files.ts';
import { openPassiveReply } from '../../src/wecom/simulator.ts';
import {
  cleanEnv, freePort, LOCAL_SETTINGS, removeTempDirs, runCli, sendReport, startBot, startDbServe, tempDir, type Sent,
} from '../helpers/processes.ts';

afterAll(() => removeTempDirs());

/** Real processes (two bots, the CLI six times, a database server) on a machine shared with the rest of the suite. */
const PROCESS_TEST_TIMEOUT_MS = 480_000;

/** The CLI as a child process without blocking this one (the callback load keeps running meanwhile). */
function runCliAsync(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function jpeg(size: number): Buffer {
  const b = randomBytes(size);
  b[0] = 0xff; b[1] = 0xd8; b[2] = 0xff;
  return b;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const stored = (s: Sent) => s.status === 200 && (openPassiveReply(LOCAL_SETTINGS, s.body)?.content ?? '').includes('已记录');

/** Counts as the CLI prints them: "  汇报（reports）：1,234 条". */
function printedCounts(out: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of out.matchAll(/（([a-z_]+)）：([\d,]+) 条/g)) counts[m[1]!] = Number(m[2]!.replace(/,/g, ''));
  return counts;
}

async function withStoreOf(dataDir: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const server = await startEmbeddedServer({ dataDir: join(dataDir, 'ferretdb') });
  const store = await connectStore(server.uri, 'duban');
  try {
    await fn(store);
  } finally {
    await store.close();
    await server.stop();
  }
}

describe('backup, restore and the road to MongoDB', () => {
  it('backs up under load, restores byte-identical into a fresh folder, refuses a filled one, and migrates to db serve', async () => {
    const live = tempDir('backup-live');
    const bot = await startBot(cleanEnv({ DATA_DIR: live }));
    const photos = [jpeg(1_700_000), jpeg(40_000), jpeg(300_000)]; // the first spans three 768 KB chunks
    let archive = '';
    let ackedBefore: Sent[] = [];
    let backupCounts: Record<string, number> = {};
    try {
      // 佐证 photos as a liaison sends them: a report, then the photo (downloaded by the bot's queue).
      for (const [i, photo] of photos.entries()) {
        expect((await sendReport(bot.url, 'demo-liaison-01', `汇报 7.5 ${20 + i}% 照片${i}`, `81000000${i}`, new Date())).status).toBe(200);
        const file = join(live, `photo-${i}.jpg`);
        writeFileSync(file, photo);
        const said = runCli(cleanEnv({ DATA_DIR: live, BOT_URL: bot.url }), 'say', 'demo-liaison-01', '--image', file);
        expect(said.status, said.stderr).toBe(0);
      }
      const liveStore = await connectStore(readLock(live)!.uri!, 'duban');
      try {
        await expect.poll(() => liveStore.models.File.countDocuments({}), { timeout: 60_000, interval: 500 }).toBe(photos.length);
      } finally {
        await liveStore.close();
      }

      // Callbacks keep arriving while the backup runs beside the bot.
      const sent: Sent[] = [];
      let stop = false;
      let next = 0;
      const codes = ['1.1', '2.2', '7.1', '7.3', '7.4', '7.5'];
      const worker = async () => {
        while (!stop) {
          const i = next++;
          sent.push(await sendReport(bot.url, 'demo-liaison-01', `汇报 ${codes[i % codes.length]} ${1 + (i % 99)}% 第${i}条`, `82${String(i).padStart(6, '0')}`, new Date()));
        }
      };
      const load = Promise.all(Array.from({ length: 6 }, worker));
      await expect.poll(() => sent.filter(stored).length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(30);
      ackedBefore = sent.filter(stored);
      const answeredBefore = sent.length;
      archive = join(tempDir('backup-out'), 'duban.tar.gz');
      const backup = await runCliAsync(cleanEnv({ DATA_DIR: live }), 'backup', '--out', archive);
      const answeredDuring = sent.filter((s, i) => i >= answeredBefore && s.status === 200).length;
      stop = true;
      await load;
      expect(backup.status, backup.stderr).toBe(0);
      expect(backup.stdout).toContain('备份完成');
      backupCounts = printedCounts(backup.stdout);
      expect(backupCounts.file_chunks).toBe(3 + 1 + 1);
      expect(answeredDuring).toBeGreaterThan(0); // the bot kept answering while the backup ran
      expect(sent.filter((s) => s.status !== 200)).toEqual([]);
    } finally {
      await bot.kill9();
    }

    // Restored into a fresh data folder: counts as the manifest says, every acknowledged report, identical files.
    const restored = tempDir('backup-restored');
    const restore = runCli(cleanEnv({ DATA_DIR: restored }), 'restore', archive);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('清单已核对');
    expect(printedCounts(restore.stdout)).toEqual(backupCounts);
    await withStoreOf(restored, async (store) => {
      const ids = ackedBefore.map((s) => s.msgId);
      const reports = await store.models.Report.find({ sourceMsgId: { $in: ids } }, { sourceMsgId: 1 }).lean();
      expect(new Set(reports.map((r) => r.sourceMsgId))).toEqual(new Set(ids));
      for (const photo of photos) {
        const file = await readStoredFile(store, sha(photo));
        expect(file?.bytes.equals(photo)).toBe(true);
      }
      expect(await store.models.Evidence.countDocuments({})).toBe(photos.length);
    });

    // A second restore over it is refused, and changes nothing.
    const again = runCli(cleanEnv({ DATA_DIR: restored }), 'restore', archive);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('目标数据库不是空的');
    expect(again.stderr).toContain('--force');

    // The road to MongoDB: the restored folder copied to a `db serve` database, the same counts, the bot on it.
    const served = await startDbServe(tempDir('backup-served'), await freePort());
    try {
      const uri = `${served.uri}duban`;
      const migrate = runCli(cleanEnv({ DATA_DIR: restored }), 'db', 'migrate', '--to', uri);
      expect(migrate.status, migrate.stderr).toBe(0);
      expect(printedCounts(migrate.stdout)).toEqual(printedCounts(restore.stdout));
      const onMongo = await startBot(cleanEnv({ MONGODB_URI: uri, DATA_DIR: tempDir('backup-mongo-bot') }));
      try {
        const after = await sendReport(onMongo.url, 'demo-liaison-01', '汇报 7.5 90% 迁移之后', '8300000001', new Date());
        expect(stored(after)).toBe(true);
        const store = await connectStore(uri, 'duban');
        try {
          expect(await store.models.Report.countDocuments({})).toBe(backupCounts.reports! + 1);
          for (const photo of photos) expect((await readStoredFile(store, sha(photo)))?.bytes.equals(photo)).toBe(true);
        } finally {
          await store.close();
        }
      } finally {
        await onMongo.kill9();
      }
    } finally {
      await served.stop();
    }
  }, PROCESS_TEST_TIMEOUT_MS);
});
