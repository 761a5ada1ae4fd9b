// A short-lived cache for what almost every message reads and almost nothing writes: the plan, its tasks,
// the sender's member record. FerretDB 1.x scans a whole collection for any filter, so reading these on each
// of a burst of messages costs more than the message's own writes. Writers in this process clear it at once;
// another instance's change is seen within the TTL.
export class ReadCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(private readonly ttlMs: number) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const now = performance.now(); // a monotonic interval, not a calendar time: not the clock's business
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    // A mongoose query is a thenable that runs again each time it is awaited: keep the one settled promise.
    const value = Promise.resolve().then(load);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key)); // a failed read is not remembered
    return value;
  }

  /** Bumped by every clear: a reader that derives something bigger from cached data can tell it is out of date. */
  generation = 0;

  clear(): void {
    this.entries.clear();
    this.generation++;
  }
}

/**
 * For what the report path reads on every message but only the chat commands of this process write (a task's 销号
 * decisions and approved 延期, a user's open conversation): through the read cache on the embedded database, whose
 * owner is the only process that runs chat commands, so its writers clear the cache at once; on a shared database
 * another instance may write them at any moment, so they are read every time.
 */
export function readOwnWrites<T>(store: { kind: 'embedded' | 'external'; cache: ReadCache }, key: string, load: () => Promise<T>): Promise<T> {
  return store.kind === 'embedded' ? store.cache.get(key, load) : load();
}
