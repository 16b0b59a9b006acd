/**
 * The coded errors of a drain send, in words that name the receiver by its scheme, host and port only (a socket's or
 * a library's message may carry more of the URL, so it is never repeated).
 */
import { SlipwayError } from '@slipway/contract';

/** Scheme, host and port of a drain URL: what an error may name. */
export function receiverOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** Why a send failed, as `LOG_DRAIN_TIMEOUT` when the deadline passed, else `LOG_DRAIN_UNREACHABLE`. */
export function sendFailure(receiver: string, error: unknown, signal: AbortSignal): SlipwayError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const isTimeout = reason instanceof DOMException && reason.name === 'TimeoutError';
    return new SlipwayError(
      'LOG_DRAIN_TIMEOUT',
      isTimeout ? `${receiver} did not take the batch before the deadline` : `the send to ${receiver} was stopped`,
    );
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const words = typeof code === 'string' ? ` (${code})` : '';
  return new SlipwayError('LOG_DRAIN_UNREACHABLE', `${receiver} could not be reached${words}`);
}
