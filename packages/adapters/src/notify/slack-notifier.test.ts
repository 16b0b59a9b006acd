import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeHttpNotifier,
  sampleNotification as notification,
  startReceiver,
  type Receiver,
} from '@slipway/testkit';
import { createSlackNotifier, slackPayloadOf } from './slack-notifier.js';

describe('Slack notifier', () => {
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('posts an incoming-webhook payload: a fallback text and blocks, with mrkdwn control characters escaped', async () => {
    const url = `${receiver.url}/services/T000/B000/XXXXXXXX`;
    expect(await createSlackNotifier().send({ kind: 'slack', url }, notification, AbortSignal.timeout(5_000))).toBe(
      'HTTP 200 OK',
    );
    const [request] = receiver.received;
    expect(request?.path).toBe('/services/T000/B000/XXXXXXXX');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '') as unknown;
    expect(body).toEqual(slackPayloadOf(notification));
    expect(body).toEqual({
      text: '[Slipway] Deployment failed: hello release 4 in production: Deployment dep_01JTEST of hello in production failed in rollout: HEALTH_CHECK_FAILED: &lt;no answer&gt; &amp; more',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*[Slipway] Deployment failed: hello release 4 in production*' },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'Deployment dep_01JTEST of hello in production failed in rollout: HEALTH_CHECK_FAILED: &lt;no answer&gt; &amp; more',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: 'default · hello · production · release 4 · deployment.failed · evt_01JTEST' },
          ],
        },
      ],
    });
  });

  it('fails with the status and without the URL’s token when the endpoint refuses', async () => {
    receiver.statuses.push(404);
    const error: unknown = await createSlackNotifier()
      .send(
        { kind: 'slack', url: `${receiver.url}/services/T000/B000/token-sentinel` },
        notification,
        AbortSignal.timeout(5_000),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NOTIFICATION_FAILED',
      message: `${receiver.url} answered HTTP 404 Not Found`,
    });
  });
});

describeHttpNotifier('Slack', { create: createSlackNotifier, destination: (url) => ({ kind: 'slack', url }) });
