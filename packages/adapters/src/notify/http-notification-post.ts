/**
 * One POST of a JSON notification under the caller's deadline. Only a 2xx answer counts; redirects are not followed
 * (a receiver that moved must be reconfigured, not guessed). The answer's body is never read into memory — only its
 * status is kept — and no message names more of the URL than its scheme and host.
 */
import { SlipwayError } from '@slipway/contract';

/** Notification bodies are small (a message of at most 1,000 characters plus names); anything larger is a bug. */
export const maxNotificationBodyBytes = 64 * 1024;

/** Resolves with `HTTP <status> <text>` for a 2xx; errors: `NOTIFICATION_FAILED` (details.status when answered). */
export async function postNotification(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<string> {
  const origin = originOf(url);
  if (Buffer.byteLength(body) > maxNotificationBodyBytes) {
    throw new SlipwayError('NOTIFICATION_FAILED', `the notification body exceeds ${maxNotificationBodyBytes} bytes`);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Slipway-Notifications/1', ...headers },
      body,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw new SlipwayError('NOTIFICATION_FAILED', `${origin} did not answer: ${reasonOf(error, signal)}`, {
      cause: error,
    });
  }
  // The answer's body is of no use: it is discarded unread rather than buffered.
  await response.body?.cancel().catch(() => undefined);
  const answer = `HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
  if (response.status >= 200 && response.status < 300) return answer;
  const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
  throw new SlipwayError('NOTIFICATION_FAILED', `${origin} answered ${answer}${redirect}`, {
    details: { status: response.status },
  });
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'the receiver';
  }
}

/** Why a request got no answer, in words and without the URL (fetch's messages may carry it). */
function reasonOf(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof DOMException && reason.name === 'TimeoutError'
      ? 'the deadline passed'
      : 'the send was stopped';
  }
  const cause = (error as { cause?: { code?: unknown; name?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return `connection failed (${cause.code})`;
  if (typeof cause?.name === 'string') return `connection failed (${cause.name})`;
  return 'connection failed';
}
