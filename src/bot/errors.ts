/** An answer meant for the user: the dispatcher replies with its message and nothing is logged as an error. */
export class BotError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = 'BotError';
  }
}
