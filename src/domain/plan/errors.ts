// The one error a plan file can fail with; its message is shown to the user as it is.

export type PlanReadErrorCode = 'unsupported_format' | 'too_large' | 'corrupt' | 'empty';

export class PlanReadError extends Error {
  readonly code: PlanReadErrorCode;

  constructor(code: PlanReadErrorCode, message: string) {
    super(message);
    this.name = 'PlanReadError';
    this.code = code;
  }
}
