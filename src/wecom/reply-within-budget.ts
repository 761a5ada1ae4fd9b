// WeCom waits 5 s for an answer; the reply rides in it only when ready in time, else it goes through the outbox.
export const LATE = Symbol('late');

/** The work's result, or LATE once `ms` have passed (the work goes on; the caller decides what to do with it). */
export async function replyWithinBudget<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  if (ms <= 0) return LATE;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
