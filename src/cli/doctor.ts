// `doctor`: every check of a live configuration, ✓/✗ with the fix; exit 1 when any fails.
import { formatResults, runDoctor } from '../doctor/checks.ts';
import { openStore, type Store } from '../store/database.ts';
import type { CliContext } from './runtime.ts';

export const DOCTOR_USAGE = 'doctor                        checks the WeCom configuration, database, backups and web settings (✓/✗ with the fix)';

export async function runDoctorCommand(_argv: string[], ctx: CliContext): Promise<number> {
  let store: Store | null = null;
  let storeError: string | undefined;
  try {
    // Beside a running bot, through its database; never preparing anything (the doctor only looks).
    store = await openStore({ mongodbUri: ctx.config.mongodbUri, dataDir: ctx.config.dataDir, logger: ctx.logger, besideOwner: 'join', startedAt: ctx.clock.now() });
  } catch (err) {
    storeError = (err as Error).message;
  }
  try {
    const results = await runDoctor({ config: ctx.config, store, storeError, clock: ctx.clock });
    for (const line of formatResults(results)) ctx.out(line);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await store?.close();
  }
}
