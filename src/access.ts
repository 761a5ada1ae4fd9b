// Who may do what, in one place: one user type for chat and the pages, one loader, and the rules as small pure
// functions. Chat dispatch, handlers, pages, downloads and jobs ask these; none of them reads roles itself.
import type { Role } from './domain/vocabulary.ts';
import type { Store } from './store/database.ts';
import { chargeOf } from './store/leader-charges.ts';
import { cachedMemberDoc } from './store/members-repo.ts';
import type { MemberDoc } from './store/models.ts';

/** Somebody acting, whatever the transport. A deactivated member counts as nobody: no roles, no departments. */
export interface User {
  userid: string;
  /** The member's name, else the userid: what pages and replies call them. */
  name: string;
  member: MemberDoc | null;
  roles: Role[];
  departments: string[];
  /** 分管: the departments a leader is in charge of (empty for everybody else). */
  charge: string[];
  /** Placed somewhere: a department, or a leader's or an admin's role. Unbound users are told how to bind. */
  bound: boolean;
}

/** The one loader: the member record (WECOM_ADMINS are written into it at start) and, for leaders, their 分管. */
export async function loadUser(store: Store, userid: string): Promise<User> {
  // The member record is read on almost every message and page: through the read cache (cleared by member writes).
  const found = await cachedMemberDoc(store, userid);
  const member = found && found.active !== false ? found : null;
  const roles = member?.roles ?? [];
  const charge = roles.includes('leader') ? await chargeOf(store, userid) : [];
  return userOf(userid, member, charge);
}

/** A user from what is known of them (the loader, tests, the command line). */
export function userOf(userid: string, member: MemberDoc | null, charge: string[] = []): User {
  const roles = member?.roles ?? [];
  const departments = member?.departments ?? [];
  return {
    userid, name: member?.name || userid, member, roles, departments,
    charge: roles.includes('leader') ? charge : [],
    bound: !!member && (departments.length > 0 || roles.includes('admin') || roles.includes('leader')),
  };
}

/** The command line acts as an admin of everything. */
export const CLI_USER: User = { userid: 'cli', name: '命令行', member: null, roles: ['admin'], departments: [], charge: [], bound: true };

export const isAdmin = (u: User): boolean => u.roles.includes('admin');
export const isLeader = (u: User): boolean => u.roles.includes('leader');

/** Leaders and admins see every department; a liaison their own; an unbound user none. */
export function canSeeAllDepartments(u: User): boolean {
  return isAdmin(u) || isLeader(u);
}

export function canSeeDepartment(u: User, department: string): boolean {
  return canSeeAllDepartments(u) || u.departments.includes(department);
}

/** The departments whose rows this user may see, or null for all of them. */
export function visibleDepartments(u: User): string[] | null {
  return canSeeAllDepartments(u) ? null : u.departments;
}

/** 审核通过 / 退回 / 重新打开: the 党政办's admins. */
export function canReview(u: User): boolean {
  return isAdmin(u);
}

/** 催办: admins any department; leaders the departments in their 分管. */
export function canChase(u: User, department: string): boolean {
  return isAdmin(u) || (isLeader(u) && u.charge.includes(department));
}

/** 同意延期 / 不同意延期 for a department: admins, and the leader in charge of it (分管). */
export function canDecideExtension(u: User, department: string): boolean {
  return isAdmin(u) || (isLeader(u) && u.charge.includes(department));
}

/** 汇报 / 完成 for a department: its members, and admins on its behalf. */
export function canReport(u: User, department: string): boolean {
  return isAdmin(u) || u.departments.includes(department);
}

/** 佐证 of a task for one of its units (`taskUnits`: the units responsible for it): that unit's members and admins. */
export function canUploadEvidence(u: User, taskUnits: readonly string[], department: string): boolean {
  return taskUnits.includes(department) && canReport(u, department);
}

/** The units of a task this user may upload 佐证 for. */
export function evidenceUnits(u: User, taskUnits: readonly string[]): string[] {
  return taskUnits.filter((d) => canUploadEvidence(u, taskUnits, d));
}

/** Import, archive, activate and export plans; merge or remove units. */
export function canAdministerPlans(u: User): boolean {
  return isAdmin(u);
}

/** The 操作记录 page. */
export function canReadAudit(u: User): boolean {
  return isAdmin(u);
}

/** 考核 scores and the 督查通报 (page, download, the 台账's 考核得分 sheet): leaders and admins. */
export function canSeeScores(u: User): boolean {
  return canSeeAllDepartments(u);
}

/** The weekly 周报 archive. */
export function canSeeDigests(u: User): boolean {
  return canSeeAllDepartments(u);
}

/** Who may use a command: anyone (even unbound), any bound member, leaders (and admins), or admins only. */
export type Access = 'anyone' | 'member' | 'leader' | 'admin';

export function canUseCommand(u: User, access: Access): boolean {
  switch (access) {
    case 'anyone':
      return true;
    case 'member':
      return u.bound;
    case 'leader':
      return isLeader(u) || isAdmin(u);
    case 'admin':
      return isAdmin(u);
  }
}

export const ROLE_LABEL: Record<Role, string> = { admin: '管理员', leader: '领导', member: '联络员' };

/** Who a command is for, as its refusal says it. */
export function accessLabel(access: Exclude<Access, 'anyone' | 'member'>): string {
  return access === 'admin' ? ROLE_LABEL.admin : `${ROLE_LABEL.leader}和${ROLE_LABEL.admin}`;
}

/** How the pages' header names the user's role. */
export function roleLabel(u: User): string {
  if (isAdmin(u)) return ROLE_LABEL.admin;
  if (isLeader(u)) return ROLE_LABEL.leader;
  if (u.departments.length > 0) return `${u.departments.join('、')}${ROLE_LABEL.member}`;
  return '未绑定';
}
