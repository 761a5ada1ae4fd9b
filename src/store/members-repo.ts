// Member records as stored. The rules (validation, audit, who may change what) are in src/members; this is
// only how the records are read and written.
import type { Store } from './database.ts';
import type { MemberDoc } from './models.ts';

export async function allMemberDocs(store: Store): Promise<MemberDoc[]> {
  return store.models.Member.find({}).lean<MemberDoc[]>();
}

export async function findMemberDoc(store: Store, userid: string): Promise<MemberDoc | null> {
  if (typeof userid !== 'string') return null; // a userid from a session or a message: never an operator object
  return store.models.Member.findOne({ userid }).lean<MemberDoc>();
}

/** The member record as read per message: reused for the store's read-cache TTL, cleared by any member write. */
export async function cachedMemberDoc(store: Store, userid: string): Promise<MemberDoc | null> {
  return store.cache.get(`member:${userid}`, () => findMemberDoc(store, userid));
}

export async function countMembers(store: Store): Promise<number> {
  return store.models.Member.countDocuments({});
}

/** Throws MongoDB's duplicate-key error when the userid exists (see isDuplicateKeyError). */
export async function insertMember(store: Store, doc: Omit<MemberDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<void> {
  await store.models.Member.create(doc);
}

export type MemberFields = Partial<Pick<MemberDoc, 'name' | 'departments' | 'roles' | 'active' | 'source'>>;

export async function updateMember(store: Store, userid: string, set: MemberFields): Promise<void> {
  await store.models.Member.updateOne({ userid }, { $set: set });
}

/** A member the manual roster or an import added passes to the WeCom sync once WeCom shows them. */
export async function handMemberToSync(store: Store, userid: string): Promise<void> {
  await store.models.Member.updateOne({ userid, source: { $nin: ['sync', 'config', 'demo'] } }, { $set: { source: 'sync' } });
}

/** Active members other than the demo roster: those a WeCom sync may find gone. */
export async function activeRealMembers(store: Store): Promise<MemberDoc[]> {
  return store.models.Member.find({ active: true, demo: false }).lean<MemberDoc[]>();
}

/** Userids of the active leaders, sorted: the digest's app recipients. */
export async function activeLeaderIds(store: Store): Promise<string[]> {
  return (await store.models.Member.find({ active: true, roles: 'leader' }, { userid: 1 }).lean()).map((m) => m.userid).sort();
}

/** Active members' userids and names, by userid (the local stand-in's login page). */
export async function activeMemberNames(store: Store): Promise<Array<{ userid: string; name: string }>> {
  const docs = await store.models.Member.find({ active: true }, { userid: 1, name: 1 }).sort({ userid: 1 }).lean();
  return docs.map((m) => ({ userid: m.userid, name: m.name }));
}

/** Userids of the demo roster's members bound to a department. */
export async function demoMemberIdsOf(store: Store, department: string): Promise<string[]> {
  return (await store.models.Member.find({ demo: true, departments: department }, { userid: 1 }).lean()).map((d) => d.userid);
}

/** Active members bound to at least one department, by userid: who owes reports. */
export async function activeBoundMembers(store: Store): Promise<MemberDoc[]> {
  const rows = await store.models.Member.find({ active: true, departments: { $ne: [] } }).lean<MemberDoc[]>();
  return rows.sort((a, b) => a.userid.localeCompare(b.userid));
}

/** Active members with a role (leader, admin), by userid. */
export async function activeMembersWithRole(store: Store, role: MemberDoc['roles'][number]): Promise<MemberDoc[]> {
  const rows = await store.models.Member.find({ active: true, roles: role }).lean<MemberDoc[]>();
  return rows.sort((a, b) => a.userid.localeCompare(b.userid));
}

/** Every member's display name (the userid where none is known), for sheets that list many people. */
export async function allMemberNames(store: Store): Promise<Map<string, string>> {
  const rows = await store.models.Member.find({}, { userid: 1, name: 1 }).lean<Array<Pick<MemberDoc, 'userid' | 'name'>>>();
  return new Map(rows.map((m) => [m.userid, m.name || m.userid]));
}

/** The active members bound to a department, for naming its liaisons. */
export async function activeMembersOf(store: Store, department: string): Promise<Array<Pick<MemberDoc, 'userid' | 'name'>>> {
  return store.models.Member.find({ departments: department, active: true }, { userid: 1, name: 1 }).lean<Array<Pick<MemberDoc, 'userid' | 'name'>>>();
}
