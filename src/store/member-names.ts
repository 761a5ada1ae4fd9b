// People by name: replies and pages never show a userid or an internal key where a name is known.
import type { Store } from './database.ts';

/** userid → name, for the given userids (those without a name, or unknown, are left out). */
export async function memberNames(store: Store, userids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(userids.filter((u) => u && !u.includes(':')))];
  if (wanted.length === 0) return new Map();
  const rows = await store.models.Member.find(wanted.length === 1 ? { userid: wanted[0] } : { userid: { $in: wanted } }, { userid: 1, name: 1 }).lean();
  return new Map(rows.filter((m) => m.name).map((m) => [m.userid, m.name]));
}

/** How an actor reads: a member's name, "系统" for the bot's own work, "命令行" for the CLI, else the userid. */
export function actorName(actor: string, names: ReadonlyMap<string, string>): string {
  if (actor.startsWith('system:')) return '系统';
  if (actor === 'cli' || actor.startsWith('cli:')) return '命令行';
  return names.get(actor) ?? actor;
}
