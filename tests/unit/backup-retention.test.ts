import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archivesToPrune, backupStatus, dailyBackupName } from '../../src/backup/daily.ts';

const dir = mkdtempSync(join(tmpdir(), 'duban-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function days(from: string, n: number): string[] {
  const start = new Date(`${from}T12:00:00Z`).getTime();
  return Array.from({ length: n }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

describe('retention: 7 daily and 4 weekly', () => {
  it('keeps the newest seven days and the newest archive of each of the four newest weeks', () => {
    const files = days('2026-10-01', 60).map(dailyBackupName); // 2026-10-01 … 2026-11-29
    const pruned = new Set(archivesToPrune([...files, 'duban-manual-2026-10-02.tar.gz', 'notes.txt']));
    const kept = files.filter((f) => !pruned.has(f));
    // Newest 7 days: 11-23 … 11-29 (Mon–Sun of 2026-W48). Weeks W48, W47, W46, W45 keep their Sundays.
    expect(kept).toEqual([
      'duban-2026-11-08.tar.gz', 'duban-2026-11-15.tar.gz', 'duban-2026-11-22.tar.gz',
      ...days('2026-11-23', 7).map(dailyBackupName),
    ]);
    expect(pruned.has('duban-manual-2026-10-02.tar.gz')).toBe(false); // hand-made archives are never touched
  });

  it('keeps everything while there are fewer than seven', () => {
    expect(archivesToPrune(days('2026-11-01', 5).map(dailyBackupName))).toEqual([]);
  });
});

describe('backup freshness', () => {
  it('reports a missing backup, a fresh one and a stale one (over 36 hours)', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(backupStatus(join(dir, 'none'), now)).toMatchObject({ latest: null, stale: true });
    const file = join(dir, dailyBackupName('2026-12-01'));
    writeFileSync(file, 'x');
    utimesSync(file, new Date('2026-12-01T19:00:00Z'), new Date('2026-12-01T19:00:00Z'));
    expect(backupStatus(dir, now)).toMatchObject({ stale: false, latest: { file: 'duban-2026-12-01.tar.gz', ageHours: 17 } });
    utimesSync(file, new Date('2026-11-30T20:00:00Z'), new Date('2026-11-30T20:00:00Z'));
    const stale = backupStatus(dir, now);
    expect(stale).toMatchObject({ stale: true, latest: { ageHours: 40 } });
    expect(stale.problem).toContain('40 小时前');
  });
});
