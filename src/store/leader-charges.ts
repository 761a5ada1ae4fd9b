// 分管: which departments each leader is in charge of. Set by an admin, every change audited (留痕).
import type { Clock } from '../clock.ts';
import { memberAuditTarget, record } from './audit.ts';
import type { Store } from './database.ts';
import type { LeaderChargeDoc } from './loop-models.ts';

export async function chargeOf(store: Store, userid: string): Promise<string[]> {
  const { LeaderCharge } = store.models;
  return (await LeaderCharge.findOne({ _id: userid }).lean<LeaderChargeDoc>())?.departments ?? [];
}

export async function allCharges(store: Store): Promise<LeaderChargeDoc[]> {
  const { LeaderCharge } = store.models;
  return (await LeaderCharge.find({}).lean<LeaderChargeDoc[]>()).sort((a, b) => a._id.localeCompare(b._id));
}

/** Replaces the leader's departments; null when nothing changes (same departments in any order). */
export async function setCharge(store: Store, clock: Clock, actor: string, userid: string, departments: string[]): Promise<{ before: string[]; after: string[] } | null> {
  const { LeaderCharge } = store.models;
  const before = await chargeOf(store, userid);
  if (before.length === departments.length && departments.every((d) => before.includes(d))) return null;
  await LeaderCharge.updateOne({ _id: userid }, { $set: { departments, updatedAt: clock.now(), updatedBy: actor } }, { upsert: true });
  await record(store, { at: clock.now(), actor, action: 'member.charge', ...memberAuditTarget(userid), before, after: departments });
  return { before, after: departments };
}
