// Composition root: config → logger → service (database, WeCom link, outbox, bot, HTTP) → graceful shutdown.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { systemClock } from './clock.ts';
import { startService, type Service } from './service.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  let service: Service | undefined;
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    await service?.stop();
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  service = await startService({
    config, logger, clock: systemClock,
    // The embedded database could not be brought back: exit non-zero so that systemd (or whoever) restarts us.
    onFatal: (err) => void shutdown(`database lost: ${err.message}`, 1),
  });
  logger.info({ url: service.url, database: service.store.kind, localMode: config.localMode }, '督办助手 is listening');
  if (config.localMode) {
    process.stderr.write(
      `\n督办助手已在本地模式启动：${service.url}\n` +
        `  健康检查：curl ${service.url}/healthz\n` +
        `  模拟发消息：npm run -s cli -- say demo-liaison-01 我的任务\n\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`启动失败 (start failed): ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
