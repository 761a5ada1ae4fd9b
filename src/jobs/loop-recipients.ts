// Who hears about a department's task in the loop's notices: its active liaisons. Leaders are told through their
// own weekly list, as the weekly reminder also leaves them out.
import type { Store } from '../store/database.ts';
import type { MemberDoc } from '../store/models.ts';
import { activeBoundMembers } from '../store/members-repo.ts';

export async function liaisonsByDepartment(store: Store): Promise<{ members: MemberDoc[]; of(department: string): MemberDoc[] }> {
  const members = (await activeBoundMembers(store)).filter((m) => !m.roles.includes('leader') && m.departments.length > 0);
  return { members, of: (department) => members.filter((m) => m.departments.includes(department)) };
}
