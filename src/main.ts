// Composition root: config → logger → database → app → (scheduler) ; graceful shutdown.
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { systemClock } from './clock.ts';
import { openStore } from './store/database.ts';
import { ensurePlanImported } from './plan-source.ts';
import { createApp } from './app.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const clock = systemClock;
  const store = await openStore({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, logger });
  const stoppers: Array<() => Promise<void>> = [() => store.close()];
  let server: Server | undefined;

  const shutdown = async (reason: string, code = 0) => {
    logger.info({ reason }, 'shutting down');
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    for (const stop of stoppers.reverse()) await stop().catch((err) => logger.error({ err }, 'stop failed'));
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.once('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  await ensurePlanImported(store, config.planFile, clock, logger);
  const app = createApp({ store, logger });
  server = app.listen(config.port, config.host);
  await new Promise<void>((r) => server!.once('listening', () => r()));
  logger.info({ port: config.port, database: store.kind, localMode: config.localMode }, '督办助手 is listening');
}

main().catch((err) => {
  process.stderr.write(`启动失败 (start failed): ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
