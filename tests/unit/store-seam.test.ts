// The store is a port: outside src/store nothing imports mongoose or reaches the models; everything goes through
// the named repositories there. And the layers point one way: src/domain and src/store import nothing above them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

const MONGOOSE = /from\s+'mongoose'|import\(\s*'mongoose'\s*\)|require\(\s*'mongoose'\s*\)/;
const MODELS = /store\.models|\.models\.[A-Z]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** The lines of a file that import mongoose or reach the models. */
function modelLines(file: string): string[] {
  return readFileSync(join(ROOT, file), 'utf8').split('\n').filter((l) => MONGOOSE.test(l) || MODELS.test(l));
}

const outsideStore = [...sourceFiles('src'), ...sourceFiles('handlers')].filter((f) => !f.startsWith('src/store/'));

describe('the store seam', () => {
  it('no file outside src/store imports mongoose or reaches the models', () => {
    const leaking = outsideStore.filter((f) => modelLines(f).length > 0);
    expect(leaking).toEqual([]);
  });

  it('would catch a file that did (the check itself is not blind)', () => {
    expect(MODELS.test('const m = await ctx.store.models.Member.findOne({ userid });')).toBe(true);
    expect(MONGOOSE.test("import { Types } from 'mongoose';")).toBe(true);
    expect(outsideStore.length).toBeGreaterThan(50);
  });
});

/** Leaves everything may use: the clock, the configuration, the logger. */
const FOUNDATION = new Set(['src/clock.ts', 'src/config.ts', 'src/logger.ts']);

function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?(?:from\s+)?'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, join(ROOT, file, '..', s)));
}

describe('the layers', () => {
  it('src/domain imports only src/domain and the foundation', () => {
    const bad = sourceFiles('src/domain').flatMap((f) => relativeImports(f).filter((i) => !i.startsWith('src/domain/') && !FOUNDATION.has(i)).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('src/store imports only src/store, src/domain and the foundation', () => {
    const bad = sourceFiles('src/store').flatMap((f) =>
      relativeImports(f).filter((i) => !i.startsWith('src/store/') && !i.startsWith('src/domain/') && !FOUNDATION.has(i)).map((i) => `${f} → ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('handlers')];
    const edges = new Map(files.map((f) => [f, relativeImports(f)]));
    expect(stronglyConnected(edges).filter((c) => c.length > 1)).toEqual([]);
  });
});

/** Tarjan's strongly connected components: every group of files that import each other, directly or not. */
function stronglyConnected(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        onStack.delete(w);
        group.push(w);
        if (w === v) break;
      }
      out.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}
