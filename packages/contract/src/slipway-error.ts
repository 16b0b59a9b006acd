/** The one error type of Slipway: a stable code, a human message, optional structured details. */
import type { ErrorCode } from './error-code.js';

export interface SlipwayErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.details = options.details;
  }
}

export function isSlipwayError(value: unknown): value is SlipwayError {
  return value instanceof SlipwayError;
}

/** Wire shape of every error body: `{ error: { code, message, details?, requestId } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; requestId: string };
}
