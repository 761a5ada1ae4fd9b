// Writing a whole database into another one (a restore from an archive, a copy to MongoDB): only into an
// empty target unless forced, indexes first, and every collection's count checked afterwards.
import type { Store } from '../store/database.ts';
import {
  countDocuments, createIndexSpecs, dropDataCollections, ensureModelIndexes, insertDocumentLines, nonEmptyCollections, type IndexSpec,
} from '../store/dump.ts';
import { collectionLabel } from './labels.ts';

export class TargetNotEmptyError extends Error {
  constructor(public readonly collections: Array<{ name: string; count: number }>) {
    super(
      `目标数据库不是空的（${collections.slice(0, 5).map((c) => `${collectionLabel(c.name)} ${c.count} 条`).join('，')}${collections.length > 5 ? ' …' : ''}）。` +
        '请换一个空的数据目录（DATA_DIR）或空的 MongoDB 数据库；确要覆盖其中全部数据，请加 --force。',
    );
  }
}

export class CountMismatchError extends Error {}

export interface SourceCollection {
  name: string;
  count: number;
  indexes: IndexSpec[];
  lines(): AsyncIterable<string>;
}

export interface LoadedCollection {
  name: string;
  count: number;
}

/** Refuses a target that holds any document, unless `force`: then its collections are dropped first. */
export async function prepareTarget(target: Store, force: boolean): Promise<void> {
  const filled = await nonEmptyCollections(target);
  if (filled.length === 0) return;
  if (!force) throw new TargetNotEmptyError(filled);
  await dropDataCollections(target);
  await ensureModelIndexes(target);
}

export async function loadCollections(target: Store, sources: AsyncIterable<SourceCollection> | Iterable<SourceCollection>): Promise<LoadedCollection[]> {
  const loaded: LoadedCollection[] = [];
  for await (const source of sources) {
    await createIndexSpecs(target, source.name, source.indexes);
    await insertDocumentLines(target, source.name, source.lines());
    const count = await countDocuments(target, source.name);
    if (count !== source.count) {
      throw new CountMismatchError(`${collectionLabel(source.name)}：应有 ${source.count} 条，写入后为 ${count} 条。`);
    }
    loaded.push({ name: source.name, count });
  }
  return loaded;
}
