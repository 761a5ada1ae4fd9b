// Members from the WeCom address book. WeCom department names are how people are tied to the plan's
// departments (南旺镇经贸办 → 经贸办), so the sync matches names, remembers the WeCom id on the
// department, and binds each visible user to the plan departments of their WeCom departments.
//
// Ownership rule: a plan department that has a WeCom counterpart is governed by WeCom (people moved
// away in WeCom are unbound); bindings to departments WeCom does not have, made by an admin or a
// roster import, are kept. People missing from WeCom are never deleted: those the sync brought in
// are marked inactive (reported, audited), others are only reported — the app may simply not be
// allowed to see them.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { activeRealMembers, handMemberToSync } from '../store/members-repo.ts';
import { rememberWecomDepartmentId, wecomDepartmentIds } from '../store/departments-repo.ts';
import { matchDepartmentName, type NamedDepartment } from './department-names.ts';
import { getMember, loadDepartments, upsertMember } from './members.ts';

/** The part of the WeCom contacts API the sync reads (department/simplelist, department/get, user/list). */
export interface ContactsReader {
  listDepartments(): Promise<{ id: number; parentid: number }[]>;
  getDepartment(id: number): Promise<{ id: number; name: string; parentid: number }>;
  /** Not recursive, as WeCom's user/list: only the department's direct members. */
  listUsers(departmentId: number): Promise<{ userid: string; name: string; department: number[] }[]>;
}

export interface SyncResult {
  matched: { wecomDept: string; wecomDeptId: number; department: string }[];
  unmatchedWecomDepartments: string[];
  /** Unmatched because more than one plan department fits; also listed in unmatchedWecomDepartments. */
  ambiguousWecomDepartments: { wecomDept: string; candidates: string[] }[];
  membersCreated: number;
  membersUpdated: number;
  membersUnbound: { userid: string; department: string }[];
  /** Brought in by an earlier sync, gone from WeCom now: marked inactive. */
  membersDeactivated: string[];
  /** Active members from elsewhere (import, manual) that WeCom does not show: left alone. */
  notInWecom: string[];
  warnings: string[];
}

export async function syncMembersFromWecom(
  store: Store,
  clock: Clock,
  contacts: ContactsReader,
  opts: { actor?: string } = {},
): Promise<SyncResult> {
  const actor = opts.actor ?? 'system:sync';
  const result: SyncResult = {
    matched: [], unmatchedWecomDepartments: [], ambiguousWecomDepartments: [],
    membersCreated: 0, membersUpdated: 0, membersUnbound: [], membersDeactivated: [], notInWecom: [], warnings: [],
  };

  // 1. WeCom departments → plan departments. Collective units (镇直各部门) have no people of their own.
  const planDepartments = (await loadDepartments(store)).filter((d) => !d.collective);
  const knownIds = await wecomIdsOnFile(store);
  const wecomDepts = await contacts.listDepartments();
  const planOf = new Map<number, string>(); // WeCom department id → plan department
  for (const { id } of wecomDepts) {
    const info = await contacts.getDepartment(id);
    const department = matchWecomDepartment(info, planDepartments, knownIds);
    if (typeof department === 'string') {
      planOf.set(id, department);
      result.matched.push({ wecomDept: info.name, wecomDeptId: id, department });
    } else {
      result.unmatchedWecomDepartments.push(info.name);
      if (department.reason === 'ambiguous') {
        result.ambiguousWecomDepartments.push({ wecomDept: info.name, candidates: department.candidates });
      }
    }
  }
  await rememberWecomIds(store, result.matched, knownIds);
  const governed = new Set(planOf.values());

  // 2. People: user/list per department, since it does not recurse.
  const people = new Map<string, { name: string; wecomDepts: Set<number> }>();
  for (const { id } of wecomDepts) {
    for (const user of await contacts.listUsers(id)) {
      const person = people.get(user.userid) ?? { name: user.name, wecomDepts: new Set<number>() };
      person.wecomDepts.add(id);
      for (const d of user.department ?? []) person.wecomDepts.add(d);
      people.set(user.userid, person);
    }
  }

  // 3. Bind each person to the plan departments of their WeCom departments.
  for (const [userid, person] of people) {
    const fromWecom = [...new Set([...person.wecomDepts].map((id) => planOf.get(id)).filter((d): d is string => !!d))];
    const prior = await getMember(store, userid);
    const kept = (prior?.departments ?? []).filter((d) => !governed.has(d));
    const departments = [...new Set([...kept, ...fromWecom])];
    for (const d of prior?.departments ?? []) if (!departments.includes(d)) result.membersUnbound.push({ userid, department: d });

    const r = await upsertMember(store, clock, actor, {
      userid, name: person.name || undefined, departments, active: true, source: 'sync', // an app may be shown no names
    });
    if (r.created) result.membersCreated++;
    else if (r.changed) result.membersUpdated++;
    // Once WeCom shows a person, WeCom governs them — including deactivation when they leave.
    if (prior && !r.created) await claimForSync(store, userid);
  }

  // 4. People WeCom no longer shows.
  if (people.size === 0) {
    result.warnings.push('企业微信通讯录没有返回任何成员（应用可见范围？），未停用任何人');
    return result;
  }
  const active = await activeRealMembers(store);
  for (const m of active.sort((a, b) => (a.userid < b.userid ? -1 : 1))) {
    if (people.has(m.userid)) continue;
    if (m.source === 'sync') {
      await upsertMember(store, clock, actor, { userid: m.userid, active: false });
      result.membersDeactivated.push(m.userid);
    } else {
      result.notInWecom.push(m.userid);
    }
  }
  return result;
}

/**
 * The id remembered from an earlier sync wins (WeCom departments get renamed), then the name
 * matcher. Returns the plan department, or why there is none.
 */
function matchWecomDepartment(
  info: { id: number; name: string },
  planDepartments: NamedDepartment[],
  knownIds: Map<number, string>,
): string | { reason: 'ambiguous' | 'unknown'; candidates: string[] } {
  const remembered = knownIds.get(info.id);
  if (remembered && planDepartments.some((d) => d.name === remembered)) return remembered;
  const m = matchDepartmentName(info.name, planDepartments);
  return m.ok ? m.name : { reason: m.reason, candidates: m.candidates };
}

async function wecomIdsOnFile(store: Store): Promise<Map<number, string>> {
  return wecomDepartmentIds(store);
}

/**
 * One WeCom id per plan department. When two WeCom departments match the same plan department,
 * the id already on file stays, else the first one listed.
 */
async function rememberWecomIds(store: Store, matched: SyncResult['matched'], knownIds: Map<number, string>) {
  const chosen = new Map<string, number>();
  for (const m of matched) {
    const current = chosen.get(m.department);
    if (current === undefined || (knownIds.get(m.wecomDeptId) === m.department && knownIds.get(current) !== m.department)) {
      chosen.set(m.department, m.wecomDeptId);
    }
  }
  for (const [name, id] of chosen) {
    await rememberWecomDepartmentId(store, name, id);
  }
}

async function claimForSync(store: Store, userid: string) {
  await handMemberToSync(store, userid);
}
