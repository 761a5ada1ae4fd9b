// "One notice of a kind per member per day" claims (written by chases.ts), deleted once their day has passed.
import type { Store } from './database.ts';

export async function deleteNoticeClaimsBefore(store: Store, before: Date): Promise<number> {
  return (await store.models.NoticeClaim.deleteMany({ at: { $lt: before } })).deletedCount;
}
