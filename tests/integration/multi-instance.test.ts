// Two bot instances on one `db serve` database (a stand-in for a MongoDB replica set), one killed -9 mid-load:
// every report acknowledged by either is stored exactly once, the survivor finishing what the dead one journalled.
import { afterAll, describe, expect, it } from 'vitest';
import { connectStore } from '../../src/store/database.ts';
import { cleanEnv, freePort, removeTempDirs, reportLoad, startBot, startDbServe, tempDir } from '../helpers/processes.ts';

afterAll(() => removeTempDirs());

/** Real processes on a machine shared with the rest of the suite: generous, as a hung test is still caught. */
const PROCESS_TEST_TIMEOUT_MS = 180_000;

describe('two instances, one database', () => {
  it('stores every acknowledged report once when one instance is killed mid-load', async () => {
    const db = await startDbServe(tempDir('dbserve'), await freePort());
    const uri = `${db.uri}duban`;
    // The first instance imports the plan and the demo roster; the second finds them there.
    const a = await startBot(cleanEnv({ MONGODB_URI: uri, DATA_DIR: tempDir('a') }));
    const b = await startBot(cleanEnv({ MONGODB_URI: uri, DATA_DIR: tempDir('b') }));
    const store = await connectStore(uri, 'duban');
    try {
      let killed: Promise<void> | null = null;
      const sent = await reportLoad({
        count: 160, concurrency: 16, prefix: '97', now: () => new Date(),
        pick: (i) => (i % 2 ? a.url : b.url),
        onSent: (done) => {
          if (done === 60) killed = a.kill9();
        },
      });
      await killed;
      const acked = sent.filter((s) => s.status === 200).map((s) => s.msgId);
      expect(acked.length).toBeGreaterThan(80);
      // The survivor's recovery sweep finishes whatever the dead instance journalled and did not finish.
      const stored = async () => {
        const reports = await store.models.Report.find({ sourceMsgId: { $in: sent.map((s) => s.msgId) } }, { sourceMsgId: 1 }).lean();
        const ids = reports.map((r) => r.sourceMsgId!);
        return { missing: acked.filter((m) => !ids.includes(m)), doubled: ids.filter((m, i) => ids.indexOf(m) !== i) };
      };
      await expect.poll(async () => (await stored()).missing, { timeout: 60_000, interval: 1000 }).toEqual([]);
      expect((await stored()).doubled).toEqual([]);
      expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    } finally {
      await a.kill9();
      await b.kill9();
      await store.close();
      await db.stop();
    }
  }, PROCESS_TEST_TIMEOUT_MS);
});
