// Runs a round every intervalMs and soon after kick(); never two rounds at once; stop() waits for the round in
// progress, so shutdown never cuts work in half.
import type { Logger } from '../logger.ts';

export interface Ticker {
  start(intervalMs: number): void;
  kick(): void;
  stop(): Promise<void>;
}

export function createTicker(round: () => Promise<unknown>, logger: Logger, what: string): Ticker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  let intervalMs = 0;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      running = round()
        .then(() => undefined, (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, `${what} round failed`))
        .finally(() => {
          running = null;
          const soon = again;
          again = false;
          schedule(soon ? 0 : intervalMs);
        });
    }, delayMs);
    timer.unref?.();
  };

  return {
    start(ms) {
      intervalMs = ms;
      stopped = false;
      schedule(0);
    },
    kick() {
      if (stopped) return;
      if (running) again = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
