// Who is looking, and what they may see. Checked on the server for every page and download.
import type { Store } from '../store/database.ts';
import type { MemberDoc } from '../store/models.ts';
import type { Role } from '../domain/vocabulary.ts';

export interface Viewer {
  userid: string;
  name: string;
  roles: Role[];
  departments: string[];
  /** Leaders and admins see everything; a liaison their departments' tasks; unbound: nobody's. */
  scope: 'all' | 'departments' | 'none';
  isAdmin: boolean;
}

export async function loadViewer(store: Store, userid: string): Promise<Viewer> {
  const m = await store.cache.get(`member:${userid}`, () => store.models.Member.findOne({ userid }).lean<MemberDoc>());
  const active = m && m.active !== false ? m : null;
  const roles = active?.roles ?? [];
  const departments = active?.departments ?? [];
  const isAdmin = roles.includes('admin');
  const scope = isAdmin || roles.includes('leader') ? 'all' : departments.length > 0 ? 'departments' : 'none';
  return { userid, name: active?.name || userid, roles, departments, scope, isAdmin };
}

/** May this viewer see a department's tasks? */
export function seesDepartment(v: Viewer, department: string): boolean {
  return v.scope === 'all' || (v.scope === 'departments' && v.departments.includes(department));
}

/** The departments whose rows this viewer may see, or null for all of them. */
export function visibleDepartments(v: Viewer): string[] | null {
  return v.scope === 'all' ? null : v.scope === 'departments' ? v.departments : [];
}

export function roleLabel(v: Viewer): string {
  if (v.isAdmin) return '管理员';
  if (v.roles.includes('leader')) return '领导';
  if (v.scope === 'departments') return `${v.departments.join('、')}联络员`;
  return '未绑定';
}
