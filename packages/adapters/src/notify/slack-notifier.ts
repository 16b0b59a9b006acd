/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, Discord's `/slack` endpoints): `{ text, blocks }`
 * where `text` is the fallback every client shows and `blocks` the formatted message.
 */
import { SlipwayError } from '@slipway/contract';
import type { Notifier, RenderedNotification } from '@slipway/core';
import { postNotification } from './http-notification-post.js';

/** Slack's mrkdwn treats `&`, `<` and `>` as control characters: escaped, a message cannot forge a link or mention. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export interface SlackPayload {
  text: string;
  blocks: Array<
    | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
    | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  >;
}

/** The incoming-webhook body for a notification. */
export function slackPayloadOf(notification: RenderedNotification): SlackPayload {
  const { payload } = notification;
  const release = payload.releaseNumber === null ? '' : ` · release ${payload.releaseNumber}`;
  return {
    text: escapeMrkdwn(`${notification.subject}: ${payload.message}`),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(notification.subject)}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(payload.message) } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: escapeMrkdwn(
              `${[payload.project, payload.app, payload.environment].filter((name) => name !== null).join(' · ')}${release} · ${payload.type} · ${payload.id}`,
            ),
          },
        ],
      },
    ],
  };
}

export function createSlackNotifier(): Notifier {
  return {
    async send(destination, notification, signal) {
      if (destination.kind !== 'slack') {
        throw new SlipwayError('INTERNAL', `the Slack notifier cannot send to a ${destination.kind} target`);
      }
      return postNotification(destination.url, JSON.stringify(slackPayloadOf(notification)), {}, signal);
    },
  };
}
