// The road to MongoDB: copy every collection of one database into another (indexes first), with the counts
// checked on both sides. The source should be still (the bot stopped): a document written during the copy may
// be missed, and the count check then says so.
import type { Store } from '../store/database.ts';
import { countDocuments, listDataCollections, listIndexSpecs, readDocumentLines } from '../store/dump.ts';
import { CountMismatchError, loadCollections, prepareTarget, type LoadedCollection, type SourceCollection } from './load.ts';
import { collectionLabel } from './labels.ts';

export async function copyDatabase(source: Store, target: Store, opts: { force?: boolean } = {}): Promise<LoadedCollection[]> {
  await prepareTarget(target, !!opts.force);
  const names = await listDataCollections(source);
  async function* sources(): AsyncGenerator<SourceCollection> {
    for (const name of names) {
      yield { name, count: await countDocuments(source, name), indexes: await listIndexSpecs(source, name), lines: () => readDocumentLines(source, name) };
    }
  }
  const copied = await loadCollections(target, sources());
  // The source again: a count that moved means the bot was writing while we copied.
  for (const c of copied) {
    const now = await countDocuments(source, c.name);
    if (now !== c.count) throw new CountMismatchError(`${collectionLabel(c.name)}：复制期间源数据库有变化（${c.count} → ${now} 条），请先停止督办助手再迁移。`);
  }
  return copied;
}
