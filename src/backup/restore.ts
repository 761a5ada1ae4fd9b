// Restore: check the archive whole, then write it into an empty database (or, forced, over one), then bring the
// data up to this version's shape.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { openBackup, type Manifest } from './archive.ts';
import { loadCollections, prepareTarget, type LoadedCollection } from './load.ts';
import { runMigrations } from '../store/migrations.ts';

export interface RestoreResult {
  manifest: Manifest;
  collections: LoadedCollection[];
  /** Data migrations the archive's version had not run yet, run after the restore. */
  migrated: string[];
}

export async function restoreBackup(target: Store, file: string, clock: Clock, opts: { force?: boolean; scratchDir?: string } = {}): Promise<RestoreResult> {
  const archive = await openBackup(file, opts.scratchDir);
  try {
    await prepareTarget(target, !!opts.force);
    const collections = await loadCollections(target, archive.manifest.collections.map((c) => ({
      name: c.name, count: c.count, indexes: c.indexes, lines: () => archive.lines(c.name),
    })));
    const migrated = await runMigrations(target, () => clock.now());
    return { manifest: archive.manifest, collections, migrated };
  } finally {
    archive.close();
  }
}
