// `backup --out FILE`, `restore FILE [--force]` and `db migrate --to MONGODB_URI`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeBackup } from '../backup/archive.ts';
import { copyDatabase } from '../backup/copy.ts';
import { countLines } from '../backup/labels.ts';
import { restoreBackup } from '../backup/restore.ts';
import { connectStore, dbNameFromUri, DEFAULT_DB_NAME, openStore, type Store } from '../store/database.ts';
import { shanghaiDate } from '../domain/period.ts';
import { CliUsageError, parseArgs, type CliContext } from './runtime.ts';

export const BACKUP_USAGE = 'backup [--out FILE]            one .tar.gz of every collection (佐证 files included), with the bot running or not';
export const RESTORE_USAGE = 'restore FILE [--force]        into an empty DATA_DIR or MongoDB (--force: over existing data); stop the bot first';
export const MIGRATE_USAGE = 'db migrate --to MONGODB_URI [--force]   copy the embedded database (DATA_DIR) to MongoDB; stop the bot first';

/** The configured database; beside a running bot on DATA_DIR, through its database ('join') or not at all. */
function openConfigured(ctx: CliContext, besideOwner: 'join' | 'refuse'): Promise<Store> {
  return openStore({ mongodbUri: ctx.config.mongodbUri, dataDir: ctx.config.dataDir, logger: ctx.logger, besideOwner, startedAt: ctx.clock.now() });
}

export async function runBackupCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv);
  if (flags.out === true) throw new CliUsageError(BACKUP_USAGE);
  const out = resolve(typeof flags.out === 'string' ? flags.out : `${ctx.config.backupDir}/duban-manual-${shanghaiDate(ctx.clock.now())}.tar.gz`);
  const store = await openConfigured(ctx, 'join');
  try {
    const manifest = await writeBackup(store, out, () => ctx.clock.now());
    const total = manifest.collections.reduce((n, c) => n + c.count, 0);
    ctx.out(`备份完成：${out}`);
    ctx.out(`共 ${manifest.collections.length} 个集合、${total.toLocaleString('en-US')} 条记录：`);
    for (const line of countLines(manifest.collections)) ctx.out(line);
    ctx.out(`恢复：npm run -s cli -- restore ${out}`);
    return 0;
  } finally {
    await store.close();
  }
}

export async function runRestoreCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['force']);
  const file = positional[0];
  if (!file) throw new CliUsageError(RESTORE_USAGE);
  if (!existsSync(file)) {
    process.stderr.write(`找不到备份文件：${file}\n`);
    return 1;
  }
  // Never into the database of a running bot: it would go on writing while its data is replaced.
  const store = await openConfigured(ctx, 'refuse');
  try {
    const result = await restoreBackup(store, resolve(file), ctx.clock, { force: flags.force === true });
    const total = result.collections.reduce((n, c) => n + c.count, 0);
    ctx.out(`恢复完成（备份时间 ${result.manifest.startedAt}），清单已核对（sha256 与条数）：`);
    for (const line of countLines(result.collections)) ctx.out(line);
    ctx.out(`共 ${total.toLocaleString('en-US')} 条。`);
    if (result.migrated.length) ctx.out(`已升级数据：${result.migrated.join('、')}`);
    ctx.out('启动：npm start');
    return 0;
  } finally {
    await store.close();
  }
}

export async function runMigrateCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { flags } = parseArgs(argv, ['force']);
  const to = typeof flags.to === 'string' ? flags.to : undefined;
  if (!to || !/^mongodb(\+srv)?:\/\//.test(to)) throw new CliUsageError(MIGRATE_USAGE);
  // The source is DATA_DIR's embedded database, whatever MONGODB_URI says; never while a bot runs on it.
  const source = await openStore({ mongodbUri: undefined, dataDir: ctx.config.dataDir, logger: ctx.logger, besideOwner: 'refuse', startedAt: ctx.clock.now() });
  try {
    const target = await connectStore(to, dbNameFromUri(to) ?? DEFAULT_DB_NAME, 'external');
    try {
      const copied = await copyDatabase(source, target, { force: flags.force === true });
      ctx.out('迁移完成，两边条数一致：');
      for (const line of countLines(copied)) ctx.out(line);
      ctx.out('下一步：在 .env 中设置 MONGODB_URI（即 --to 的地址），再 npm start。');
      return 0;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
