// One database server per test run: the MongoDB named by MONGODB_URI, or the embedded FerretDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/store/embedded-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: 'embedded' | 'external';
  }
}

let server: EmbeddedServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  const config = loadConfig(process.env, { dotenvPath: null });
  if (config.mongodbUri) {
    project.provide('mongoUri', config.mongodbUri);
    project.provide('mongoKind', 'external');
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'duban-test-db-'));
  server = await startEmbeddedServer({ dataDir: dir });
  project.provide('mongoUri', server.uri);
  project.provide('mongoKind', 'embedded');
}

export async function teardown() {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
