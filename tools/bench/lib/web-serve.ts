// Child of bench:web: serves the /web pages on an existing database and prints its address; on SIGTERM (or stdin
// closing) it prints {"peakRssMb"} and exits, so the parent can measure the server's memory alone.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app.ts';
import { systemClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { READ_CACHE_TTL_MS } from '../../../src/service.ts';
import { connectStore } from '../../../src/store/database.ts';
import { WebAuth } from '../../../src/web/auth.ts';
import { createWebRouter } from '../../../src/web/routes.ts';
import { loadScoreRules } from '../../../src/bulletin/rules-file.ts';

const [uri, dbName, secret, kind] = process.argv.slice(2) as [string, string, string, 'embedded' | 'external'];

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 1024 / 1024);
}

const logger = createLogger('warn');
// The parent's embedded database is this server's alone once seeded, as in production: same kind, same paths.
const store = await connectStore(uri, dbName, kind, READ_CACHE_TTL_MS);
let base = '';
// The bench signs its own session cookie with the same secret: no WeCom round trip is measured here.
const auth = new WebAuth({ baseUrl: () => base, oauthBase: () => 'http://127.0.0.1:9', corpId: 'bench', agentId: '1', sessionSecret: secret },
  { getUserInfoByCode: async () => ({ userid: null, openid: null }) }, systemClock, logger, store);
const app = createApp({ store, logger, routers: [createWebRouter({ store, clock: systemClock, logger, auth, notifier: { notifyUsers: async () => undefined }, baseUrl: () => base, scoreRules: loadScoreRules('config/考核细则.yaml') })] });
const server = app.listen(0, '127.0.0.1');
await new Promise<void>((r) => server.once('listening', () => r()));
base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
process.stdout.write(`${JSON.stringify({ url: base })}\n`);

const finish = () => {
  process.stdout.write(`${JSON.stringify({ peakRssMb: peakRssMb() })}\n`);
  server.closeAllConnections();
  server.close();
  void store.close().finally(() => process.exit(0));
};
process.once('SIGTERM', finish);
process.stdin.on('close', finish);
process.stdin.resume();
