// The daily backup into BACKUP_DIR, its retention (7 daily, 4 weekly) and how fresh the newest archive is.
// Decided by the files in the folder, not the database: each machine keeps its own archives, and a database
// that is gone cannot say which backup to restore.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { shanghaiDate, weekKey } from '../domain/period.ts';
import type { Store } from '../store/database.ts';
import { writeBackup } from './archive.ts';

export const RETAIN = { daily: 7, weekly: 4 } as const;
/** A backup older than this is reported (a day and a half: one missed night). */
export const STALE_AFTER_HOURS = 36;
/** The day's backup is taken at the first check after 03:00 in Asia/Shanghai: the quietest hour of a town hall. */
export const BACKUP_HOUR = 3;
const CHECK_EVERY_MS = 60_000;

const DAILY = /^duban-(\d{4}-\d{2}-\d{2})\.tar\.gz$/;

export const dailyBackupName = (day: string) => `duban-${day}.tar.gz`;

export interface BackupStatus {
  /** The newest archive in the folder (any *.tar.gz, a hand-made one too), or null. */
  latest: { file: string; at: Date; ageHours: number } | null;
  stale: boolean;
  /** A short Chinese sentence when something is wrong. */
  problem?: string;
}

export function backupStatus(dir: string, now: Date): BackupStatus {
  let newest: { file: string; at: Date } | null = null;
  for (const file of listArchives(dir)) {
    const at = statSync(join(dir, file)).mtime;
    if (!newest || at > newest.at) newest = { file, at };
  }
  if (!newest) return { latest: null, stale: true, problem: `备份目录 ${dir} 中没有备份` };
  const ageHours = Math.round(((now.getTime() - newest.at.getTime()) / 3_600_000) * 10) / 10;
  const stale = ageHours > STALE_AFTER_HOURS;
  return { latest: { ...newest, ageHours }, stale, ...(stale ? { problem: `最新备份 ${newest.file} 已是 ${Math.floor(ageHours)} 小时前` } : {}) };
}

function listArchives(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.tar.gz') && !f.startsWith('.'));
  } catch {
    return [];
  }
}

/**
 * Daily archives to delete: everything but the newest RETAIN.daily days and the newest archive of each of the
 * newest RETAIN.weekly ISO weeks. Files of other names (hand-made backups) are never touched.
 */
export function archivesToPrune(files: string[]): string[] {
  const days = files.map((f) => DAILY.exec(f)?.[1]).filter((d): d is string => !!d).sort().reverse();
  const keep = new Set(days.slice(0, RETAIN.daily));
  const weeks = new Set<string>();
  for (const day of days) {
    const week = weekKey(new Date(`${day}T12:00:00+08:00`));
    if (weeks.has(week)) continue;
    if (weeks.size >= RETAIN.weekly) break;
    weeks.add(week);
    keep.add(day);
  }
  return days.filter((d) => !keep.has(d)).map(dailyBackupName);
}

export interface DailyBackupDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  dir: string;
}

/** Takes today's archive if it is due and missing, then prunes. Returns the file written, or null. */
export async function backupIfDue(deps: DailyBackupDeps): Promise<string | null> {
  const now = deps.clock.now();
  const shanghaiHour = new Date(now.getTime() + 8 * 3_600_000).getUTCHours();
  const day = shanghaiDate(now);
  const name = dailyBackupName(day);
  if (shanghaiHour < BACKUP_HOUR || listArchives(deps.dir).includes(name)) return null;
  const file = join(deps.dir, name);
  const manifest = await writeBackup(deps.store, file, () => deps.clock.now());
  const documents = manifest.collections.reduce((n, c) => n + c.count, 0);
  deps.logger.info({ file, collections: manifest.collections.length, documents }, 'daily backup written');
  for (const old of archivesToPrune(listArchives(deps.dir))) {
    unlinkSync(join(deps.dir, old));
    deps.logger.info({ file: join(deps.dir, old) }, 'old backup deleted (keeping 7 daily, 4 weekly)');
  }
  return file;
}

/** Checks every minute; one backup at a time, and a failure is logged and tried again at the next check. */
export function startDailyBackups(deps: DailyBackupDeps): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = backupIfDue(deps)
      .catch((err) => deps.logger.error({ err }, 'daily backup failed'))
      .finally(() => (running = null));
  }, CHECK_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
