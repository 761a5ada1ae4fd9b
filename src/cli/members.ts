// `members …`: look at the roster, import one, or pull it from the WeCom address book.
import { extname } from 'node:path';
import { formatRosterProblems, importRoster } from '../members/import-roster.ts';
import { listMembers, type MemberView } from '../members/members.ts';
import { syncMembersFromWecom, type ContactsReader } from '../members/sync-from-wecom.ts';
import type { Role } from '../domain/vocabulary.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';

export type { ContactsReader };

export const MEMBERS_USAGE = 'members list [--json] [--all] | members import FILE(.csv|.json) | members sync';

export interface MembersCommandDeps {
  /** The WeCom contacts client; the composition root passes it when WeCom settings exist. */
  contacts?: ContactsReader;
}

export async function runMembersCommand(argv: string[], ctx: CliContext, deps: MembersCommandDeps = {}): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['json', 'all']);
  const [sub, file] = positional;
  switch (sub) {
    case 'list':
      return list(ctx, flags.json === true, flags.all === true);
    case 'import':
      if (!file) throw new CliUsageError(MEMBERS_USAGE);
      return importFile(ctx, file);
    case 'sync':
      return sync(ctx, deps.contacts);
    default:
      throw new CliUsageError(MEMBERS_USAGE);
  }
}

async function list(ctx: CliContext, json: boolean, all: boolean): Promise<number> {
  const members = (await listMembers(await ctx.store())).filter((m) => all || m.active);
  if (json) {
    // A stable shape for scripts: exactly these keys, in this order (plus "active" with --all).
    ctx.out(JSON.stringify(members.map((m) => ({
      userid: m.userid, name: m.name, departments: m.departments, roles: m.roles, ...(all ? { active: m.active } : {}),
    }))));
    return 0;
  }
  if (members.length === 0) {
    ctx.out('还没有成员。可用 members import 导入名单，或 members sync 从企业微信同步。');
    return 0;
  }
  for (const line of renderTable(members)) ctx.out(line);
  ctx.out(`共 ${members.length} 人`);
  return 0;
}

async function importFile(ctx: CliContext, file: string): Promise<number> {
  const r = await importRoster(await ctx.store(), ctx.clock, file, 'cli');
  if (!r.ok) {
    ctx.out(`名单有 ${r.errors.length} 处问题，未导入任何成员：`);
    for (const line of formatRosterProblems(r.errors, extname(file).toLowerCase() === '.json' ? 'json' : 'csv')) ctx.out(`  ${line}`);
    return 1;
  }
  ctx.out(`导入名单：新增 ${r.created.length}，更新 ${r.updated.length}，未变 ${r.unchanged.length}。`);
  return 0;
}

async function sync(ctx: CliContext, contacts: ContactsReader | undefined): Promise<number> {
  if (!contacts) {
    ctx.out('同步通讯录需要企业微信设置（WECOM_CORP_ID、WECOM_SECRET 等）。本地模式下请用 members import 导入名单。');
    return 1;
  }
  const r = await syncMembersFromWecom(await ctx.store(), ctx.clock, contacts, { actor: 'cli' });
  ctx.out(`同步通讯录：新增 ${r.membersCreated} 人，更新 ${r.membersUpdated} 人，停用 ${r.membersDeactivated.length} 人。`);
  for (const m of r.matched) ctx.out(`  ${m.wecomDept} → ${m.department}`);
  if (r.unmatchedWecomDepartments.length) ctx.out(`未对应的企业微信部门：${r.unmatchedWecomDepartments.join('、')}`);
  for (const a of r.ambiguousWecomDepartments) ctx.out(`  ${a.wecomDept} 不明确，可能是：${a.candidates.join('、')}（可给部门加别名）`);
  if (r.membersUnbound.length) ctx.out(`解除绑定：${r.membersUnbound.map((u) => `${u.userid}/${u.department}`).join(' ')}`);
  if (r.membersDeactivated.length) ctx.out(`已停用（通讯录里没有了）：${r.membersDeactivated.join(' ')}`);
  if (r.notInWecom.length) ctx.out(`通讯录里看不到（未改动）：${r.notInWecom.join(' ')}`);
  for (const w of r.warnings) ctx.out(`注意：${w}`);
  return 0;
}

const ROLE_LABELS: Record<Role, string> = { member: '成员', leader: '领导', admin: '管理员' };

function renderTable(members: MemberView[]): string[] {
  const rows = [
    ['账号', '姓名', '部门', '角色', '状态'],
    ...members.map((m) => [
      m.userid,
      m.name || '—',
      m.departments.join('、') || '—',
      m.roles.map((r) => ROLE_LABELS[r]).join('、') || '—',
      [m.active ? '' : '停用', m.demo ? '演示' : ''].filter(Boolean).join('、'),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i]!))));
  return rows.map((r) => r.map((cell, i) => padDisplay(cell, widths[i]!)).join('  ').trimEnd());
}

/** Chinese characters take two columns in a terminal. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function padDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}
