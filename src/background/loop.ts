// The one shape of background work (the outbox, the photo queue, inbound recovery, the scheduled jobs): a round
// now and every intervalMs, another one soon after kick(), never two rounds at once, a longer wait after each
// failed round (doubling up to maxBackoffMs, so an unreachable database is not hammered), and stop() waiting for
// the round in progress, so shutdown never cuts work in half.
import type { Logger } from '../logger.ts';

export interface BackgroundLoop {
  /** Runs a round now, then every intervalMs. */
  start(intervalMs: number): void;
  /** Asks for a round soon; kicks while one runs coalesce into one more round. */
  kick(): void;
  /** Stops the timer and waits for the round in progress. */
  stop(): Promise<void>;
}

export interface LoopOptions {
  /** Named in the log line of a failed round. */
  name: string;
  logger: Logger;
  /** Longest wait after failures in a row. Default one minute, or the interval when that is longer. */
  maxBackoffMs?: number;
  /** Logs a failed round; by default an error with the message. */
  onError?: (err: unknown) => void;
}

export function createLoop(round: () => Promise<unknown>, opts: LoopOptions): BackgroundLoop {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  let intervalMs = 0;
  let failures = 0;
  const onError = opts.onError ?? ((err: unknown) => opts.logger.error({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, `${opts.name} round failed`));

  const nextDelay = () => {
    if (failures === 0) return intervalMs;
    const max = Math.max(opts.maxBackoffMs ?? 60_000, intervalMs);
    return Math.min(max, Math.max(intervalMs, 1000) * 2 ** failures);
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      running = round()
        .then(
          () => {
            failures = 0;
          },
          (err: unknown) => {
            failures++;
            onError(err);
          },
        )
        .finally(() => {
          running = null;
          const soon = again;
          again = false;
          schedule(soon ? 0 : nextDelay());
        });
    }, delayMs);
    timer.unref?.(); // background work alone must not keep a CLI process alive
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
