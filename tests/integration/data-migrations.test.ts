// Data migrations: an archive written by an earlier version (tests/fixtures/backup/make-earlier-version.ts) is
// restored, the migrations bring it to this version's shape, each is recorded once, and running them again
// changes nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { openTestStore as openOther } from '../helpers/store.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../src/backup/restore.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Store } from '../../src/store/database.ts';
import { appliedMigrations, DATA_MIGRATIONS, runMigrations } from '../../src/store/migrations.ts';
import { openTestStore } from '../helpers/store.ts';

const EARLIER = new URL('../fixtures/backup/earlier-version.tar.gz', import.meta.url).pathname;
const clock = new ManualClock('2026-12-02T02:00:00Z');
let store: Store;

beforeAll(async () => {
  store = await openTestStore('migrations');
});
afterAll(() => store.close());

describe('data migrations', () => {
  it('bring a restored archive of an earlier version up to date, recorded once, and a second run changes nothing', async () => {
    const { Task, Member, Department, Plan } = store.models;
    const result = await restoreBackup(store, EARLIER, clock, { scratchDir: tmpdir() });
    expect(result.collections.find((c) => c.name === 'reports')?.count).toBe(1);
    expect(result.migrated).toEqual(DATA_MIGRATIONS.map((m) => m.id));

    // What the earlier version left out is there now, so the lists that filter on it see these documents.
    expect(await Task.countDocuments({ retired: false })).toBe(2);
    expect(await Member.countDocuments({ active: true, demo: false })).toBe(2);
    expect(await Department.countDocuments({ collective: false })).toBe(2);
    expect(await Plan.countDocuments({ status: 'active' })).toBe(1);
    expect([...await appliedMigrations(store)]).toEqual(DATA_MIGRATIONS.map((m) => m.id));

    expect(await runMigrations(store, () => clock.now())).toEqual([]);
    for (const m of DATA_MIGRATIONS) expect(await m.up(store)).toEqual({ changed: 0 });
  });

  it('run in id order and record each one', async () => {
    const ran: string[] = [];
    const mk = (id: string) => ({ id, description: id, up: async () => { ran.push(id); return { changed: 0 }; } });
    expect(await runMigrations(store, () => clock.now(), [mk('2027-01-02-b'), mk('2027-01-01-a')])).toEqual(['2027-01-01-a', '2027-01-02-b']);
    expect(ran).toEqual(['2027-01-01-a', '2027-01-02-b']);
    expect(await runMigrations(store, () => clock.now(), [mk('2027-01-02-b'), mk('2027-01-01-a')])).toEqual([]);
  });

  it('refuse an archive whose collection does not match its manifest, writing nothing', async () => {
    const work = mkdtempSync(join(tmpdir(), 'duban-tampered-'));
    const target = await openOther('tampered');
    try {
      await tar.x({ file: EARLIER, cwd: work });
      const reports = join(work, 'collections', 'reports.jsonl');
      writeFileSync(reports, readFileSync(reports, 'utf8').replace('已完成目录梳理', '已全部完成'));
      const tampered = join(work, 'tampered.tar.gz');
      await tar.c({ gzip: true, file: tampered, cwd: work }, ['manifest.json', 'collections']);
      await expect(restoreBackup(target, tampered, clock, { scratchDir: tmpdir() })).rejects.toThrow('reports 的 sha256 与清单不符');
      expect(await target.models.Report.countDocuments({})).toBe(0);
    } finally {
      await target.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
