// Who is who: members, their departments and roles. Store-level functions shared by the CLI, the
// WeCom sync, the roster import and (later) admin chat commands. Every change of departments, roles
// or active state leaves an audit entry (留痕) — the office must be able to say who moved whom, when.
// FerretDB 1.x has no transactions: each function validates everything first, then writes.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import type { AuditAction } from '../domain/audit-sentence.ts';
import { memberAuditTarget, record } from '../store/audit.ts';
import { isDuplicateKeyError, type MemberDoc } from '../store/models.ts';
import { allMemberDocs, countMembers, demoMemberIdsOf, findMemberDoc, insertMember, updateMember } from '../store/members-repo.ts';
import { departmentRecords } from '../store/departments-repo.ts';
import { activeTasksOfAllPlans } from '../store/task-queries.ts';
import { ROLES, type Role } from '../domain/vocabulary.ts';
import { matchDepartmentName, type DepartmentMatch, type NamedDepartment } from './department-names.ts';

export interface MemberView {
  userid: string;
  name: string;
  departments: string[];
  roles: Role[];
  active: boolean;
  demo: boolean;
}

export type MemberSource = 'manual' | 'sync' | 'import' | 'demo' | 'config';

export type MemberErrorCode =
  | 'unknown_member'
  | 'unknown_department'
  | 'ambiguous_department'
  | 'collective_department'
  | 'unknown_role'
  | 'invalid_userid';

/** An error meant for the person who typed the command; `candidates` are names to choose from. */
export class MemberError extends Error {
  constructor(
    public readonly code: MemberErrorCode,
    message: string,
    public readonly candidates: string[] = [],
  ) {
    super(message);
    this.name = 'MemberError';
  }
}

export interface Change<T> {
  before: T;
  after: T;
  changed: boolean;
}

// WeCom userids: letters, digits and _ - . @, at most 64 (doc 90195). Kept strict so a typo'd
// column or a name in the userid cell is caught at import, not when a message bounces.
const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;

export function isValidUserid(userid: string): boolean {
  return USERID.test(userid);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Roles in one canonical order (member, leader, admin) so that before/after compare as lists. */
export function sortRoles(roles: Iterable<Role>): Role[] {
  const set = new Set(roles);
  return ROLES.filter((r) => set.has(r));
}

export async function listMembers(store: Store): Promise<MemberView[]> {
  const docs = await allMemberDocs(store);
  return docs.map(toView).sort((a, b) => (a.userid < b.userid ? -1 : a.userid > b.userid ? 1 : 0));
}

export async function getMember(store: Store, userid: string): Promise<MemberView | null> {
  const doc = await findMemberDoc(store, userid);
  return doc ? toView(doc) : null;
}

export interface UpsertMemberInput {
  userid: string;
  name?: string;
  /** Replaces the member's departments; names are resolved like typed ones (aliases, 经贸 → 经贸办). */
  departments?: string[];
  /** Replaces the member's roles. */
  roles?: Role[];
  active?: boolean;
  /** Where a new member came from; an existing member keeps its origin. */
  source?: MemberSource;
  demo?: boolean;
}

/** Creates or updates one member. Audits creation and any change of departments, roles or active. */
export async function upsertMember(
  store: Store,
  clock: Clock,
  actor: string,
  input: UpsertMemberInput,
): Promise<{ created: boolean; changed: boolean }> {
  const userid = checkUserid(input.userid);
  const departments = input.departments ? await resolveForBinding(store, input.departments) : undefined;
  const roles = input.roles ? checkRoles(input.roles) : undefined;

  const prior = await findMemberDoc(store, userid);
  if (!prior) {
    const doc = {
      userid,
      name: input.name ?? '',
      departments: departments ?? [],
      roles: roles ?? (['member'] as Role[]),
      active: input.active ?? true,
      demo: input.demo ?? false,
      source: input.source ?? 'manual',
    };
    await insertMember(store, doc);
    await audit(store, clock, actor, 'member.create', userid, null, tracked(doc));
    return { created: true, changed: true };
  }

  const before = toView(prior);
  const set: Partial<MemberView> = {};
  if (input.name !== undefined && input.name !== before.name) set.name = input.name;
  if (departments && !sameList(departments, before.departments)) set.departments = departments;
  if (roles && !sameList(roles, before.roles)) set.roles = roles;
  if (input.active !== undefined && input.active !== before.active) set.active = input.active;
  if (Object.keys(set).length === 0) return { created: false, changed: false };

  await updateMember(store, userid, set);
  const after = { ...before, ...set };
  if (set.departments || set.roles || set.active !== undefined) {
    await audit(store, clock, actor, 'member.update', userid, tracked(before), tracked(after));
  }
  return { created: false, changed: true };
}

/** Adds departments to a member, or replaces them all. */
export async function bindDepartments(
  store: Store,
  clock: Clock,
  actor: string,
  userid: string,
  departments: string[],
  mode: 'add' | 'replace',
): Promise<Change<string[]>> {
  const resolved = await resolveForBinding(store, departments);
  const member = await requireMember(store, userid);
  const after = mode === 'replace' ? resolved : [...new Set([...member.departments, ...resolved])];
  return setDepartments(store, clock, actor, member, after, mode === 'replace' ? 'member.departments.replace' : 'member.departments.bind');
}

/** Removes one department from a member, or all of them when none is named. */
export async function unbindDepartment(
  store: Store,
  clock: Clock,
  actor: string,
  userid: string,
  department?: string,
): Promise<Change<string[]>> {
  const name = department === undefined ? undefined : (await resolveForBinding(store, [department]))[0]!;
  const member = await requireMember(store, userid);
  const after = name === undefined ? [] : member.departments.filter((d) => d !== name);
  return setDepartments(store, clock, actor, member, after, 'member.departments.unbind');
}

export async function addRole(store: Store, clock: Clock, actor: string, userid: string, role: Role): Promise<Change<Role[]>> {
  const [checked] = checkRoles([role]);
  const member = await requireMember(store, userid);
  return setRoles(store, clock, actor, member, sortRoles([...member.roles, checked!]), 'member.roles.add');
}

export async function removeRole(store: Store, clock: Clock, actor: string, userid: string, role: Role): Promise<Change<Role[]>> {
  const [checked] = checkRoles([role]);
  const member = await requireMember(store, userid);
  return setRoles(store, clock, actor, member, member.roles.filter((r) => r !== checked), 'member.roles.remove');
}

/** Loads the departments and matches a typed name; see department-names.ts for the stages. */
export async function resolveDepartmentName(
  store: Store,
  written: string,
  opts: { includeCollective?: boolean } = {},
): Promise<{ ok: true; name: string } | { ok: false; candidates: string[]; reason: 'ambiguous' | 'unknown' }> {
  const all = await loadDepartments(store);
  const pool = opts.includeCollective === false ? all.filter((d) => !d.collective) : all;
  const m = matchDepartmentName(written, pool);
  return m.ok ? { ok: true, name: m.name } : { ok: false, candidates: m.candidates, reason: m.reason };
}

export async function loadDepartments(store: Store): Promise<NamedDepartment[]> {
  return departmentRecords(store);
}

/**
 * Turns a department's match into a name a member can be bound to, or the error to show.
 * Collective units (镇直各部门) stand for many departments: nobody is their liaison.
 */
export function bindableDepartment(written: string, m: DepartmentMatch, departments: readonly NamedDepartment[]): string {
  if (!m.ok) {
    const hint = m.candidates.length ? `，可能是：${m.candidates.join('、')}` : '';
    if (m.reason === 'ambiguous') throw new MemberError('ambiguous_department', `部门“${written}”不明确${hint}`, m.candidates);
    throw new MemberError('unknown_department', `没有部门“${written}”${hint}`, m.candidates);
  }
  if (departments.find((d) => d.name === m.name)?.collective) {
    throw new MemberError('collective_department', `“${m.name}”是统称，不能绑定到具体人员`);
  }
  return m.name;
}

/** WECOM_ADMINS are admins whatever the database says: created if missing, promoted if not yet admin. */
export async function applyConfigAdmins(
  store: Store,
  clock: Clock,
  admins: string[],
): Promise<{ created: string[]; promoted: string[] }> {
  const actor = 'system:config';
  const result = { created: [] as string[], promoted: [] as string[] };
  for (const userid of new Set(admins)) {
    const member = await getMember(store, userid);
    if (!member) {
      await upsertMember(store, clock, actor, { userid, roles: ['member', 'admin'], source: 'config' });
      result.created.push(userid);
    } else if (!member.roles.includes('admin')) {
      await addRole(store, clock, actor, userid, 'admin');
      result.promoted.push(userid);
    }
  }
  return result;
}

export interface DemoLiaison {
  department: string;
  userid: string;
}

/** Fixed ids of the demo roster's non-liaison members. */
export const DEMO_ADMIN = 'demo-admin';
export const DEMO_LEADER = 'demo-leader';
const DEMO_ADMIN_DEPARTMENT = '党政办';

/** demo-liaison-01, -02 …: plain ASCII so a tester can type it on any keyboard. */
export function demoLiaisonId(index: number, total: number): string {
  return `demo-liaison-${String(index + 1).padStart(Math.max(2, String(total).length), '0')}`;
}

/**
 * A demo roster so a fresh local install has someone to talk as: one liaison per department the
 * plan names, in the order the plan first names them (so with the bundled 2021 plan the 经贸办
 * liaison, named first, is `demo-liaison-01`), plus `demo-admin` (党政办, admin) and `demo-leader`.
 * Only on an empty members collection: a real roster, or an earlier demo one, is never touched.
 */
export async function ensureDemoRoster(store: Store, clock: Clock): Promise<{ created: number; liaisons: DemoLiaison[] }> {
  if ((await countMembers(store)) > 0) return { created: 0, liaisons: [] };

  const departments = await departmentsInPlanOrder(store);
  const liaisons = departments.map((department, i) => ({ department, userid: demoLiaisonId(i, departments.length) }));
  const people: UpsertMemberInput[] = [
    ...liaisons.map((l) => ({ userid: l.userid, name: `${l.department}联络员（演示）`, departments: [l.department], roles: ['member'] as Role[] })),
    {
      userid: DEMO_ADMIN,
      name: '党政办管理员（演示）',
      departments: departments.includes(DEMO_ADMIN_DEPARTMENT) ? [DEMO_ADMIN_DEPARTMENT] : [],
      roles: ['member', 'admin'],
    },
    { userid: DEMO_LEADER, name: '镇领导（演示）', departments: [], roles: ['leader'] },
  ];

  let created = 0;
  for (const person of people) {
    try {
      const r = await upsertMember(store, clock, 'system:demo', { ...person, demo: true, source: 'demo' });
      if (r.created) created++;
    } catch (err) {
      // Another instance starting at the same moment seeded this one first.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  return { created, liaisons };
}

/** The demo liaison of a department, for docs, tests and the simulator. */
export async function findDemoLiaison(store: Store, department: string): Promise<string | null> {
  const ids = (await demoMemberIdsOf(store, department)).filter((id) => id.startsWith('demo-liaison-')).sort();
  return ids[0] ?? null;
}

/** Non-collective departments, first those the plan's tasks name (in task order), then the rest by name. */
async function departmentsInPlanOrder(store: Store): Promise<string[]> {
  const departments = (await loadDepartments(store)).filter((d) => !d.collective).map((d) => d.name);
  const known = new Set(departments);
  const tasks = await activeTasksOfAllPlans(store, ['departments', 'order', 'planId']);
  tasks.sort((a, b) => String(a.planId).localeCompare(String(b.planId)) || a.order - b.order);
  const ordered = new Set<string>();
  for (const t of tasks) for (const d of t.departments) if (known.has(d)) ordered.add(d);
  for (const d of [...departments].sort()) ordered.add(d);
  return [...ordered];
}

async function setDepartments(
  store: Store,
  clock: Clock,
  actor: string,
  member: MemberView,
  after: string[],
  action: AuditAction,
): Promise<Change<string[]>> {
  const before = member.departments;
  if (sameList(before, after)) return { before, after: before, changed: false };
  await updateMember(store, member.userid, { departments: after });
  await audit(store, clock, actor, action, member.userid, before, after);
  return { before, after, changed: true };
}

async function setRoles(
  store: Store,
  clock: Clock,
  actor: string,
  member: MemberView,
  after: Role[],
  action: AuditAction,
): Promise<Change<Role[]>> {
  const before = member.roles;
  if (sameList(before, after)) return { before, after: before, changed: false };
  await updateMember(store, member.userid, { roles: after });
  await audit(store, clock, actor, action, member.userid, before, after);
  return { before, after, changed: true };
}

async function resolveForBinding(store: Store, written: string[]): Promise<string[]> {
  const departments = await loadDepartments(store);
  const names = written.map((w) => bindableDepartment(w, matchDepartmentName(w, departments), departments));
  return [...new Set(names)];
}

async function requireMember(store: Store, userid: string): Promise<MemberView> {
  const member = await getMember(store, userid);
  if (!member) throw new MemberError('unknown_member', `没有成员“${userid}”`);
  return member;
}

function checkUserid(userid: string): string {
  const id = userid.trim();
  if (!isValidUserid(id)) throw new MemberError('invalid_userid', `成员账号“${userid}”不合规：只能用字母、数字和 _ - . @，最长 64 位`);
  return id;
}

function checkRoles(roles: readonly string[]): Role[] {
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length) throw new MemberError('unknown_role', `没有角色“${bad.join('、')}”，可用：${ROLES.join('、')}`, [...ROLES]);
  return sortRoles(roles as Role[]);
}

async function audit(store: Store, clock: Clock, actor: string, action: AuditAction, userid: string, before: unknown, after: unknown) {
  await record(store, { at: clock.now(), actor, action, ...memberAuditTarget(userid), before, after });
}

/** The fields whose history matters (名字 does not). */
function tracked(m: { departments: string[]; roles: Role[]; active: boolean }) {
  return { departments: m.departments, roles: m.roles, active: m.active };
}

function toView(doc: MemberDoc): MemberView {
  return {
    userid: doc.userid,
    name: doc.name ?? '',
    departments: [...(doc.departments ?? [])],
    roles: sortRoles((doc.roles ?? []) as Role[]),
    active: doc.active ?? true,
    demo: doc.demo ?? false,
  };
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
