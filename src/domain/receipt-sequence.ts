// The order in which messages were received, as a number: "the last report received wins" needs an order finer
// than WeCom's CreateTime (whole seconds) and than a clock reading (two messages in one millisecond).
// Milliseconds × 1000 plus a counter: increasing within a process, and across instances ordered by receipt time.
import type { Clock } from '../clock.ts';

export type ReceiptSequence = () => number;

export function createReceiptSequence(clock: Clock): ReceiptSequence {
  let last = 0;
  return () => {
    last = Math.max(last + 1, clock.now().getTime() * 1000);
    return last;
  };
}

/** Entries recorded before sequences existed are ordered by their time, on the same scale. */
export function sequenceOf(entry: { seq?: number | null; at: Date | string }): number {
  return entry.seq ?? new Date(entry.at).getTime() * 1000;
}
