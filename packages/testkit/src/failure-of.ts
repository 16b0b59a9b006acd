/** The coded error a promise rejects with, for tests that look at its code, message and details. */
import { isSlipwayError, type SlipwayError } from '@slipway/contract';

/** Resolves with the `SlipwayError` the promise rejects with; throws when it resolves or rejects with anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<SlipwayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSlipwayError(error)) throw new Error(`expected a SlipwayError, got ${String(error)}`);
  return error;
}
