// How a reply says that a notice waits: each person gets at most one notice of a kind a day (催办, 退回), so a
// second one that day is held until the next morning, and the sender is told whose and when, by name.
import { formatLocal } from './period.ts';

export function heldLines(held: Array<{ name: string; at: Date }>, kind: string): string[] {
  if (held.length === 0) return [];
  const byTime = new Map<string, string[]>();
  for (const h of held) {
    const when = formatLocal(h.at, 'M月D日 HH:mm');
    byTime.set(when, [...(byTime.get(when) ?? []), h.name]);
  }
  return [...byTime].map(([when, who]) => `${who.join('、')}今天已收到过一条${kind}通知（每人每天最多一条），这条将于${when}送达。`);
}
