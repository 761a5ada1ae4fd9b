// Who may do what: role × resource × action → allowed or not, for every rule in src/access.ts.
import { describe, expect, it } from 'vitest';
import {
  canAdministerPlans, canChase, canReadAudit, canReport, canReview, canSeeDepartment, canSeeDigests, canUploadEvidence,
  canUseCommand, evidenceUnits, userOf, visibleDepartments, type Access, type User,
} from '../../src/access.ts';
import type { Role } from '../../src/domain/vocabulary.ts';
import type { MemberDoc } from '../../src/store/models.ts';

function member(userid: string, roles: Role[], departments: string[], active = true): MemberDoc {
  return { userid, name: `${userid}名`, roles, departments, active } as unknown as MemberDoc;
}

/** The people of the table. The resource department is 经贸办 throughout; 统计站 is "another department". */
const USERS: Record<string, User> = {
  own: userOf('jmb', member('jmb', ['member'], ['经贸办'])),
  other: userOf('tjz', member('tjz', ['member'], ['统计站'])),
  leaderInCharge: userOf('boss', member('boss', ['leader'], []), ['经贸办']),
  leaderNotInCharge: userOf('boss2', member('boss2', ['leader'], []), ['统计站']),
  leaderNoCharge: userOf('boss3', member('boss3', ['leader'], [])),
  admin: userOf('admin', member('admin', ['member', 'admin'], ['党政办'])),
  unbound: userOf('stranger', null),
  noDepartment: userOf('nodept', member('nodept', ['member'], [])),
  // The loader passes a deactivated record as null: its roles and departments no longer count.
  deactivated: userOf('gone', null),
};
type Who = keyof typeof USERS;

const DEPT = '经贸办';
const TASK_UNITS = ['经贸办', '村建办'];

const ACTIONS: Record<string, (u: User) => boolean> = {
  'see 经贸办': (u) => canSeeDepartment(u, DEPT),
  'report for 经贸办': (u) => canReport(u, DEPT),
  'upload 佐证 for 经贸办': (u) => canUploadEvidence(u, TASK_UNITS, DEPT),
  'upload 佐证 for a unit not on the task': (u) => canUploadEvidence(u, TASK_UNITS, '统计站'),
  'chase 经贸办': (u) => canChase(u, DEPT),
  review: canReview,
  'administer plans': canAdministerPlans,
  'read the audit log': canReadAudit,
  'see digests': canSeeDigests,
};

/** Each row: the users allowed; everybody else is refused. */
const ALLOWED: Record<keyof typeof ACTIONS, Who[]> = {
  'see 经贸办': ['own', 'leaderInCharge', 'leaderNotInCharge', 'leaderNoCharge', 'admin'],
  'report for 经贸办': ['own', 'admin'],
  'upload 佐证 for 经贸办': ['own', 'admin'],
  'upload 佐证 for a unit not on the task': [],
  'chase 经贸办': ['leaderInCharge', 'admin'],
  review: ['admin'],
  'administer plans': ['admin'],
  'read the audit log': ['admin'],
  'see digests': ['leaderInCharge', 'leaderNotInCharge', 'leaderNoCharge', 'admin'],
};

const CASES = Object.entries(ACTIONS).flatMap(([action, rule]) =>
  (Object.keys(USERS) as Who[]).map((who) => ({ action, who, rule, allowed: ALLOWED[action]!.includes(who) })),
);

describe('access rules', () => {
  it.each(CASES)('$who: $action → $allowed', ({ who, rule, allowed }) => {
    expect(rule(USERS[who]!)).toBe(allowed);
  });

  const COMMAND_ALLOWED: Record<Access, Who[]> = {
    anyone: Object.keys(USERS) as Who[],
    member: ['own', 'other', 'leaderInCharge', 'leaderNotInCharge', 'leaderNoCharge', 'admin'],
    leader: ['leaderInCharge', 'leaderNotInCharge', 'leaderNoCharge', 'admin'],
    admin: ['admin'],
  };
  const COMMAND_CASES = (Object.keys(COMMAND_ALLOWED) as Access[]).flatMap((access) =>
    (Object.keys(USERS) as Who[]).map((who) => ({ access, who, allowed: COMMAND_ALLOWED[access].includes(who) })),
  );
  it.each(COMMAND_CASES)('$who: a command for $access → $allowed', ({ access, who, allowed }) => {
    expect(canUseCommand(USERS[who]!, access)).toBe(allowed);
  });

  it('lists the departments a user may see, and the units they may upload 佐证 for', () => {
    expect(visibleDepartments(USERS.own!)).toEqual(['经贸办']);
    expect(visibleDepartments(USERS.leaderNoCharge!)).toBeNull();
    expect(visibleDepartments(USERS.admin!)).toBeNull();
    expect(visibleDepartments(USERS.unbound!)).toEqual([]);
    expect(evidenceUnits(USERS.own!, TASK_UNITS)).toEqual(['经贸办']);
    expect(evidenceUnits(USERS.admin!, TASK_UNITS)).toEqual(TASK_UNITS);
    expect(evidenceUnits(USERS.other!, TASK_UNITS)).toEqual([]);
  });

  it('knows a user by name, and a 分管 only for leaders', () => {
    expect(USERS.own!.name).toBe('jmb名');
    expect(USERS.unbound!.name).toBe('stranger');
    expect(userOf('x', member('x', ['member'], ['经贸办']), ['经贸办']).charge).toEqual([]);
  });
});
