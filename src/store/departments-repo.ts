// Department records: names, aliases, collective units and the WeCom ids a sync remembers.
import type { Store } from './database.ts';

export interface DepartmentNames {
  name: string;
  aliases: string[];
  collective: boolean;
}

export async function departmentRecords(store: Store): Promise<DepartmentNames[]> {
  const docs = await store.models.Department.find({}, { name: 1, aliases: 1, collective: 1 }).lean();
  return docs.map((d) => ({ name: d.name, aliases: d.aliases ?? [], collective: d.collective ?? false }));
}

export async function departmentNames(store: Store): Promise<string[]> {
  return (await store.models.Department.find({}, { name: 1 }).lean()).map((d) => d.name);
}

/** WeCom department id → department name, as remembered by earlier syncs. */
export async function wecomDepartmentIds(store: Store): Promise<Map<number, string>> {
  const docs = await store.models.Department.find({ wecomDeptId: { $ne: null } }, { name: 1, wecomDeptId: 1 }).lean();
  return new Map(docs.map((d) => [d.wecomDeptId as number, d.name]));
}

export async function rememberWecomDepartmentId(store: Store, name: string, id: number): Promise<void> {
  await store.models.Department.updateOne({ name, wecomDeptId: { $ne: id } }, { $set: { wecomDeptId: id } });
}
