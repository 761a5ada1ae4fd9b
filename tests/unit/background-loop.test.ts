// The background loop's contract, on fake timers: a round at start and per interval, kicks coalesced, never two
// rounds at once, a longer wait after each failure, and stop() waiting for the round in progress.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLoop } from '../../src/background/loop.ts';
import { createLogger } from '../../src/logger.ts';

const logger = createLogger('silent');

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A round that stays open until released, counting starts and the most ever running at once. */
function gatedRound() {
  let running = 0;
  const state = { starts: 0, maxRunning: 0, release: () => {} };
  const round = () => {
    state.starts++;
    running++;
    state.maxRunning = Math.max(state.maxRunning, running);
    return new Promise<void>((resolve) => {
      state.release = () => {
        running--;
        resolve();
      };
    });
  };
  return { state, round };
}

describe('the background loop', () => {
  it('runs a round at start and then every interval', async () => {
    let rounds = 0;
    const loop = createLoop(async () => void rounds++, { name: 't', logger });
    loop.start(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(rounds).toBe(2);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(rounds).toBe(2);
  });

  it('coalesces kicks during a round into one more round, and never runs two at once', async () => {
    const { state, round } = gatedRound();
    const loop = createLoop(round, { name: 't', logger });
    loop.start(60_000);
    await vi.advanceTimersByTimeAsync(0);
    loop.kick();
    loop.kick();
    loop.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.starts).toBe(1);
    state.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.starts).toBe(2);
    state.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.starts).toBe(2); // no further kick: the next round waits for the interval
    expect(state.maxRunning).toBe(1);
    await loop.stop();
  });

  it('waits longer after each failed round, and the interval again after a good one', async () => {
    const starts: number[] = [];
    let fail = 3;
    const errors: unknown[] = [];
    const loop = createLoop(async () => {
      starts.push(Date.now());
      if (fail-- > 0) throw new Error('database away');
    }, { name: 't', logger, maxBackoffMs: 10_000, onError: (err) => errors.push(err) });
    const t0 = Date.now();
    loop.start(1000);
    await vi.advanceTimersByTimeAsync(30_000);
    const gaps = starts.slice(0, 6).map((t, i, a) => (i === 0 ? t - t0 : t - a[i - 1]!));
    expect(gaps).toEqual([0, 2000, 4000, 8000, 1000, 1000]);
    expect(errors).toHaveLength(3);
    await loop.stop();
  });

  it('stop() waits for the round in progress', async () => {
    const { state, round } = gatedRound();
    const loop = createLoop(round, { name: 't', logger });
    loop.start(1000);
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = loop.stop().then(() => void (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    state.release();
    await stopping;
    expect(stopped).toBe(true);
    loop.kick(); // after stop, nothing runs
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.starts).toBe(1);
  });
});
