// Data migrations: run at every start (and after a restore), in order, each recorded once in `migrations` under
// its unique id. Each one must be idempotent: two instances starting together may both run it, and a crash
// between the work and the record runs it again.
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

export interface DataMigration {
  /** Sortable and never changed once released: `YYYY-MM-DD-what`. */
  id: string;
  description: string;
  up(store: Store): Promise<{ changed: number }>;
}

interface MigrationRecord {
  _id: string;
  description: string;
  at: Date;
  changed: number;
}

const COLLECTION = 'migrations';

/**
 * Fields that queries match by equality (`{retired: false}`, `{active: true}` …). Mongoose fills a default in on
 * read, but a filter never sees it: a document written before the field existed would drop out of every list.
 */
const EQUALITY_DEFAULTS: Array<{ collection: string; field: string; value: unknown }> = [
  { collection: 'plans', field: 'status', value: 'active' },
  { collection: 'departments', field: 'collective', value: false },
  { collection: 'members', field: 'active', value: true },
  { collection: 'members', field: 'demo', value: false },
  { collection: 'tasks', field: 'retired', value: false },
  { collection: 'tasks', field: 'collective', value: false },
];

export const DATA_MIGRATIONS: readonly DataMigration[] = [
  {
    id: '2026-12-02-equality-defaults',
    description: '补齐查询按值匹配的字段（方案状态、任务 retired、人员 active/demo、部门 collective）',
    async up(store) {
      let changed = 0;
      for (const { collection, field, value } of EQUALITY_DEFAULTS) {
        const r = await store.conn.db!.collection(collection).updateMany({ [field]: { $exists: false } }, { $set: { [field]: value } });
        changed += r.modifiedCount;
      }
      return { changed };
    },
  },
];

/** Ids of the migrations this database has recorded. */
export async function appliedMigrations(store: Store): Promise<Set<string>> {
  const done = await store.conn.db!.collection<MigrationRecord>(COLLECTION).find({}, { projection: { _id: 1 } }).toArray();
  return new Set(done.map((d) => d._id));
}

/** Runs the migrations not yet recorded, in id order; returns the ids it ran. */
export async function runMigrations(store: Store, now: () => Date, migrations: readonly DataMigration[] = DATA_MIGRATIONS): Promise<string[]> {
  const done = await appliedMigrations(store);
  const ran: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    if (done.has(m.id)) continue;
    const { changed } = await m.up(store);
    try {
      await store.conn.db!.collection<MigrationRecord>(COLLECTION).insertOne({ _id: m.id, description: m.description, at: now(), changed });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // another instance recorded it meanwhile
    }
    ran.push(m.id);
  }
  return ran;
}
