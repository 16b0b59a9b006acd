/** What a verified delivery's payload means: one or more git events, or nothing Slipway acts on (and why). */
import type { GitEvent } from '../git-event.js';

export type WebhookNormalization =
  | { readonly kind: 'events'; readonly events: readonly GitEvent[] }
  | { readonly kind: 'ignored'; readonly reason: string };

/** What every provider's normalizer receives besides the payload. */
export interface WebhookContext {
  readonly repositoryId: string;
  readonly deliveryKey: string;
  /** The provider's event name from its header (`push`, `Merge Request Hook`, `pullrequest:updated`). */
  readonly eventName: string;
}

export const ignored = (reason: string): WebhookNormalization => ({ kind: 'ignored', reason });
export const eventsOf = (...events: GitEvent[]): WebhookNormalization => ({ kind: 'events', events });
