// The daily backup: taken once a day after 03:00 (Asia/Shanghai) into BACKUP_DIR, not before, not twice, and the
// folder pruned to 7 daily and 4 weekly archives; the archive restores.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupIfDue, dailyBackupName } from '../../src/backup/daily.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { removeTempDirs, tempDir } from '../helpers/processes.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
const dir = tempDir('daily-backups');
const clock = new ManualClock('2026-12-01T18:30:00Z'); // 02:30 on 12-02 in Shanghai

beforeAll(async () => {
  store = await openTestStore('dailybackup');
  await importPlanFile(store, BUNDLED_PLAN, clock);
});
afterAll(async () => {
  await store.close();
  removeTempDirs();
});

describe('daily backup', () => {
  it('waits for 03:00, takes one archive a day, prunes old ones, and the archive restores', async () => {
    // Ten old daily archives: 11-20 … 11-29.
    for (let d = 20; d <= 29; d++) writeFileSync(join(dir, dailyBackupName(`2026-11-${d}`)), 'old');
    const deps = { store, clock, logger: createLogger('silent'), dir };
    expect(await backupIfDue(deps)).toBeNull(); // 02:30
    clock.advance(40 * 60_000); // 03:10
    const file = await backupIfDue(deps);
    expect(file).toBe(join(dir, 'duban-2026-12-02.tar.gz'));
    expect(await backupIfDue(deps)).toBeNull(); // once a day
    const left = readdirSync(dir).filter((f) => f.startsWith('duban-')).sort();
    // Newest 7 days (11-24 … 11-29 and 12-02), and the newest of each of the four newest weeks (11-22 of W47).
    expect(left).toEqual(['duban-2026-11-22.tar.gz', ...[24, 25, 26, 27, 28, 29].map((d) => `duban-2026-11-${d}.tar.gz`), 'duban-2026-12-02.tar.gz']);
    expect(readdirSync(dir).some((f) => f.startsWith('.'))).toBe(false); // no half archive left behind

    const target = await openTestStore('dailyrestore');
    try {
      const restored = await restoreBackup(target, file!, clock, { scratchDir: tmpdir() });
      expect(restored.collections.find((c) => c.name === 'tasks')?.count).toBe(65);
      expect(await target.models.Task.countDocuments({})).toBe(65);
    } finally {
      await target.close();
    }
    expect(existsSync(file!)).toBe(true);
  });
});
