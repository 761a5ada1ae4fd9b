// Which errors mean "the database could not be reached" (it may come back) rather than "the request was wrong".
import mongoose from 'mongoose';

const { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError } = mongoose.mongo;

const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError',
  'MongoTopologyClosedError', 'MongoPoolClearedError', 'MongooseServerSelectionError', 'DatabaseTimeoutError',
]);

export class DatabaseTimeoutError extends Error {
  override name = 'DatabaseTimeoutError';
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError || err instanceof MongoNotConnectedError) return true;
  if (UNAVAILABLE_NAMES.has(err.name)) return true;
  // mongoose buffering: "Operation `x.insertOne()` buffering timed out after 10000ms"
  return /buffering timed out|connection .* closed|ECONNREFUSED|ECONNRESET/i.test(err.message);
}

/** Rejects with DatabaseTimeoutError when `work` takes longer than `ms` (the work itself goes on). */
export function withinMs<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
