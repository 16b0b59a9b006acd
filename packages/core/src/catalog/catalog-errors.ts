/**
 * The catalog's refusals. Each carries the plain text Consul answers and the HTTP status it answers it with
 * (`details.consulStatus`), so the HTTP API answers exactly as Consul would; nothing is written by a refused request.
 */
import { SlipwayError } from '@slipway/contract';

/** The status Consul answers a refusal with: 400 bad input, 404 unknown, 413 too large, 500 what Consul calls an RPC error. */
export type ConsulStatus = 400 | 404 | 413 | 500;

export function catalogRefusal(message: string, consulStatus: ConsulStatus): SlipwayError {
  return new SlipwayError('VALIDATION_FAILED', message, { details: { consulStatus } });
}

/** The Consul status of a catalog refusal, or undefined for any other error. */
export function consulStatusOf(error: unknown): ConsulStatus | undefined {
  if (!(error instanceof SlipwayError) || error.code !== 'VALIDATION_FAILED') return undefined;
  const status = error.details?.['consulStatus'];
  return status === 400 || status === 404 || status === 413 || status === 500 ? status : undefined;
}
