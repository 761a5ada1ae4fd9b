// Column mappings people gave for a table header (plan import --columns, the 方案 page's choice per column),
// remembered so the next document with the same header is read the same way. Keyed by a hash of the
// normalised header; the latest mapping for a header wins.
import { createHash } from 'node:crypto';
import { Schema, type Model } from 'mongoose';
import type { ColumnRole } from '../domain/plan/index.ts';
import type { Store } from './database.ts';

interface ColumnMappingDoc {
  _id: string; // hash of the normalised header
  header: string;
  roles: (ColumnRole | null)[];
  by: string;
  at: Date;
}

const schema = new Schema<ColumnMappingDoc>(
  {
    _id: { type: String, required: true },
    header: { type: String, required: true },
    roles: { type: [Schema.Types.Mixed], required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'column_mappings', versionKey: false },
);

function model(store: Store): Model<ColumnMappingDoc> {
  return (store.conn.models.ColumnMapping as Model<ColumnMappingDoc> | undefined) ?? store.conn.model<ColumnMappingDoc>('ColumnMapping', schema);
}

/** The key of a header: its cells without spaces, joined, hashed. */
export function headerHash(headerKey: string): string {
  return createHash('sha256').update(headerKey.replace(/[\s\u3000]+/g, '')).digest('hex').slice(0, 32);
}

export async function rememberColumnMapping(
  store: Store, headerKey: string, roles: (ColumnRole | null)[], by: string, at: Date,
): Promise<void> {
  await model(store).updateOne(
    { _id: headerHash(headerKey) },
    { $set: { header: headerKey, roles: roles.map((r) => r ?? null), by, at } },
    { upsert: true },
  );
}

/** The mapping last given for this header, or null. */
export async function findColumnMapping(store: Store, headerKey: string): Promise<(ColumnRole | null)[] | null> {
  if (headerKey.replace(/[|\s]/g, '') === '') return null;
  const doc = await model(store).findById(headerHash(headerKey)).lean<ColumnMappingDoc>();
  return doc ? doc.roles : null;
}

/** The first mapping remembered for the header of one of these tables, with that header. */
export async function rememberedMapping(store: Store, tables: { headerKey: string }[]): Promise<(ColumnRole | null)[] | null> {
  for (const t of tables) {
    const roles = await findColumnMapping(store, t.headerKey);
    if (roles) return roles;
  }
  return null;
}
