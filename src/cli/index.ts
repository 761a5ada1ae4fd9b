// CLI entry: `npm run -s cli -- <command> …`. One place catches errors and turns them into an exit code.
import { ConfigError } from '../config.ts';
import { DB_USAGE, runDbCommand } from './db.ts';
import { runPlanCommand, PLAN_USAGE } from './plan.ts';
import { LEDGER_USAGE, runLedgerCommand } from './ledger.ts';
import { BULLETIN_USAGE, runBulletinCommand, runScoresCommand, SCORES_USAGE } from './bulletin.ts';
import { MEMBERS_USAGE, runMembersCommand } from './members.ts';
import { runSayCommand, SAY_USAGE } from './say.ts';
import { runWecomCommand, withWecomClient, WECOM_USAGE } from './wecom.ts';
import { DIGEST_USAGE, REMIND_USAGE, runDigestCommand, runRemindCommand } from './jobs.ts';
import { LOOP_USAGE, runLoopCommand } from './loop.ts';
import { CliUsageError, createCliContext, type CliContext } from './runtime.ts';
import { DOCTOR_USAGE, runDoctorCommand } from './doctor.ts';
import { BACKUP_USAGE, RESTORE_USAGE, runBackupCommand, runRestoreCommand } from './backup.ts';

type Command = (argv: string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, { usage: string; run: Command }> = {
  plan: { usage: PLAN_USAGE, run: runPlanCommand },
  members: {
    usage: MEMBERS_USAGE,
    // Only sync talks to WeCom; in local mode there is no address book to read.
    run: (argv, ctx) =>
      argv[0] === 'sync' && !ctx.config.localMode
        ? withWecomClient(ctx, (client) => runMembersCommand(argv, ctx, { contacts: client }))
        : runMembersCommand(argv, ctx),
  },
  wecom: { usage: WECOM_USAGE, run: runWecomCommand },
  digest: { usage: DIGEST_USAGE, run: runDigestCommand },
  remind: { usage: REMIND_USAGE, run: runRemindCommand },
  loop: { usage: LOOP_USAGE, run: runLoopCommand },
  say: { usage: SAY_USAGE, run: runSayCommand },
  ledger: { usage: LEDGER_USAGE, run: runLedgerCommand },
  bulletin: { usage: BULLETIN_USAGE, run: runBulletinCommand },
  scores: { usage: SCORES_USAGE, run: runScoresCommand },
  db: { usage: DB_USAGE, run: runDbCommand },
  backup: { usage: BACKUP_USAGE, run: runBackupCommand },
  restore: { usage: RESTORE_USAGE, run: runRestoreCommand },
  doctor: { usage: DOCTOR_USAGE, run: runDoctorCommand },
};

function usage(): string {
  return ['用法 (usage): npm run -s cli -- <command>', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`${usage()}\n`);
    return name ? 2 : 0;
  }
  const ctx = createCliContext();
  try {
    return await command.run(rest, ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * Exits once stdout and stderr have handed everything to the OS: writes to a pipe are asynchronous, and a bare
 * process.exit() cut `--json | wc -c` off at the pipe's 64 KB.
 */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (err: unknown) => {
    if (err instanceof CliUsageError) process.stderr.write(`用法 (usage): ${err.message}\n`);
    else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`出错 (error): ${err instanceof Error ? err.message : String(err)}\n`);
    exitAfterFlush(err instanceof CliUsageError ? 2 : 1);
  },
);
