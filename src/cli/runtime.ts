// What a CLI command needs, opened on demand: config, logger, clock, and the database with the plan in it.
import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { prepareDatabase } from '../service.ts';

export class CliUsageError extends Error {}

export interface CliContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  out: (line: string) => void;
  /** Opens the database once, with the plan in it (and in local mode the demo roster). */
  store(): Promise<Store>;
  close(): Promise<void>;
}

export function createCliContext(): CliContext {
  const config = loadConfig();
  // CLI output is for people and scripts: logs stay quiet unless asked for.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  let opened: Promise<Store> | null = null;
  return {
    config,
    logger,
    clock: systemClock,
    out: (line) => process.stdout.write(`${line}\n`),
    store() {
      // Beside a running bot on the same DATA_DIR, through its database (named in the lock file), never a second one.
      opened ??= prepareDatabase(config, logger, systemClock, undefined, { besideOwner: 'join' });
      return opened;
    },
    async close() {
      if (opened) await (await opened).close();
    },
  };
}

/** Splits argv into positionals and --flags (a flag takes the next word as its value unless it is boolean). */
export function parseArgs(argv: string[], booleans: string[] = []) {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) flags[name] = inline;
      else if (booleans.includes(name) || i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) flags[name] = true;
      else flags[name] = argv[++i]!;
    } else positional.push(a);
  }
  return { positional, flags };
}
