// bench --against REF: REF checked out in a temporary git worktree beside this one, runnable, removed afterwards.
// node_modules: when REF's package-lock.json is byte-identical to this checkout's, REF uses this checkout's
// node_modules through a symlink (same lockfile → same tree, and a minute of `npm ci` saved); otherwise `npm ci`
// runs in the worktree (from npm's cache, offline first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './server-child.ts';

export interface RefWorktree {
  ref: string;
  commit: string;
  subject: string;
  dir: string;
  nodeModules: 'symlinked' | 'npm ci';
  remove(): void;
}

function git(args: string[], cwd = PROJECT_ROOT): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export function createRefWorktree(ref: string, progress: (line: string) => void): RefWorktree {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]).trim();
  const subject = git(['log', '-1', '--format=%s', commit]).trim();
  const dir = join(mkdtempSync(join(tmpdir(), 'duban-bench-ref-')), 'checkout');
  progress(`bench: checking out ${ref} (${commit.slice(0, 7)} ${subject.slice(0, 60)}) in ${dir} …`);
  git(['worktree', 'add', '--detach', '--force', dir, commit]);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      git(['worktree', 'remove', '--force', dir]);
    } catch {
      /* fall through to rm */
    }
    rmSync(join(dir, '..'), { recursive: true, force: true });
    try {
      git(['worktree', 'prune']);
    } catch {
      /* best effort */
    }
  };
  try {
    if (!existsSync(join(dir, 'tools/bench/lib/bot-process.ts'))) {
      throw new Error(`${ref} has no tools/bench/lib/bot-process.ts: too old to be benchmarked side by side`);
    }
    const ours = readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8');
    const theirs = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    let nodeModules: RefWorktree['nodeModules'];
    if (ours === theirs && existsSync(join(PROJECT_ROOT, 'node_modules'))) {
      symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      nodeModules = 'symlinked';
      progress(`bench: ${ref}'s package-lock.json is identical: node_modules symlinked to this checkout's`);
    } else {
      progress(`bench: ${ref}'s package-lock.json differs: npm ci in the worktree …`);
      const r = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 2, 2] });
      if (r.status !== 0) throw new Error(`npm ci in ${dir} failed (exit ${r.status})`);
      nodeModules = 'npm ci';
    }
    return { ref, commit, subject, dir, nodeModules, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** This checkout's commit, with "+changes" when the working tree differs from it. */
export function headDescription(): string {
  const commit = git(['rev-parse', '--short', 'HEAD']).trim();
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).trim() !== '';
  return dirty ? `${commit}+changes` : commit;
}
