// One database server per test run: the MongoDB named by MONGODB_URI, or the embedded FerretDB. Several projects
// (integration, drills, browser) name this file; they share one server, started by the first and stopped by the
// last, through a slot on globalThis because vitest loads this module once per project in the same process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedServer } from '../src/store/embedded-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: 'embedded' | 'external';
  }
}

interface Shared {
  users: number;
  started: Promise<{ uri: string; kind: 'embedded' | 'external'; stop(): Promise<void> }>;
}
const SLOT = Symbol.for('duban.test-database');
const slots = globalThis as unknown as { [SLOT]?: Shared };

async function start(): Promise<Awaited<Shared['started']>> {
  const config = loadConfig(process.env, { dotenvPath: null });
  if (config.mongodbUri) return { uri: config.mongodbUri, kind: 'external', stop: async () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'duban-test-db-'));
  const server = await startEmbeddedServer({ dataDir: dir });
  return {
    uri: server.uri,
    kind: 'embedded',
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function setup(project: TestProject) {
  const shared = (slots[SLOT] ??= { users: 0, started: start() });
  shared.users += 1;
  const db = await shared.started;
  project.provide('mongoUri', db.uri);
  project.provide('mongoKind', db.kind);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete slots[SLOT];
    await db.stop();
  };
}
