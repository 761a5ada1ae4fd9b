// `db build` and `db serve`: the embedded database on its own, for development and tests — several bot
// instances share it through MONGODB_URI, as they would share a MongoDB replica set in production.
import { join } from 'node:path';
import { acquireDataDirLock } from '../store/data-dir-lock.ts';
import { ensureFerretDbBinary, startEmbeddedServer } from '../store/embedded-server.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';
import { MIGRATE_USAGE, runMigrateCommand } from './backup.ts';

export const DB_USAGE = `db build                      builds (or repairs) the embedded FerretDB now instead of on first use
  db serve --port N [--host H]   runs the embedded database on DATA_DIR alone; bots join it with MONGODB_URI
  ${MIGRATE_USAGE}`;

export async function runDbCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'build') {
    ctx.out(await ensureFerretDbBinary());
    return 0;
  }
  if (sub === 'serve') return serve(rest, ctx);
  if (sub === 'migrate') return runMigrateCommand(rest, ctx);
  throw new CliUsageError(DB_USAGE);
}

async function serve(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliUsageError('db serve --port N   (N: 1–65535)');
  const host = typeof flags.host === 'string' ? flags.host : '127.0.0.1';
  const lock = acquireDataDirLock(ctx.config.dataDir, ctx.clock.now(), (stale) => ctx.logger.warn({ pid: stale.pid }, 'stale DATA_DIR lock taken over'));
  let fatal: Error | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const server = await startEmbeddedServer({
    dataDir: join(ctx.config.dataDir, 'ferretdb'), host, port,
    supervise: {
      onDied: (info) => process.stderr.write(`数据库进程退出 (${info.code ?? info.signal})，正在重启…\n`),
      onRestarted: (info) => process.stderr.write(`数据库已重启（第 ${info.attempt} 次尝试，中断 ${info.downMs} ms）\n`),
      onRestartFailed: (info) => process.stderr.write(`重启失败：${info.error}\n`),
      onGaveUp: (err) => {
        fatal = err;
        wake();
      },
    },
  }).catch((err) => {
    lock.release();
    throw err;
  });
  lock.setUri(server.uri);
  ctx.out(`数据库已启动：${server.uri}  (MONGODB_URI=${server.uri}duban)`);
  process.once('SIGTERM', wake);
  process.once('SIGINT', wake);
  await stopped;
  await server.stop();
  lock.release();
  if (fatal) {
    process.stderr.write(`${(fatal as Error).message}\n`);
    return 1;
  }
  return 0;
}
