import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ensureSelfSignedCertificate, type TlsCertificate } from '../tls/tls-certificate.js';
import { sampleNotification as notification } from '@slipway/testkit';
import { createSmtpNotifier, type SmtpRelaySettings } from './smtp-notifier.js';

interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
  isSecure: boolean;
  user: string | undefined;
}

const password = 'smtp-password-sentinel-71c2';

/** A real SMTP server (the `smtp-server` library) as the relay, keeping each mail it accepts. */
async function startRelay(
  options: Partial<SMTPServerOptions>,
): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: [],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'slipway' && auth.password === password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          isSecure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SMTP notifier', () => {
  let dir: string;
  let certificate: TlsCertificate;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-smtp-'));
    certificate = await ensureSelfSignedCertificate(dir);
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await rm(dir, { recursive: true, force: true });
  });

  const relayOf = async (options: Partial<SMTPServerOptions>) => {
    const relay = await startRelay(options);
    closers.push(() => relay.close());
    return relay;
  };
  const send = (settings: SmtpRelaySettings, timeoutMs = 10_000) =>
    createSmtpNotifier(settings).send(
      { kind: 'email', to: 'ops@example.com' },
      notification,
      AbortSignal.timeout(timeoutMs),
    );

  it('sends the mail through a STARTTLS relay with authentication: subject, body and event headers arrive', async () => {
    const relay = await relayOf({ key: certificate.key, cert: certificate.cert, authMethods: ['PLAIN', 'LOGIN'] });
    const answer = await send({
      host: '127.0.0.1',
      port: relay.port,
      security: 'starttls',
      from: 'slipway@example.com',
      user: 'slipway',
      password,
      ca: certificate.cert,
    });
    expect(answer).toMatch(/^250 /);
    expect(relay.mails).toHaveLength(1);
    const [mail] = relay.mails;
    expect(mail).toMatchObject({
      from: 'slipway@example.com',
      to: ['ops@example.com'],
      isSecure: true,
      user: 'slipway',
    });
    expect(mail?.raw).toContain('Subject: [Slipway] Deployment failed: hello release 4 in production');
    expect(mail?.raw).toMatch(/^X-Slipway-Event-Id: evt_01JTEST\r$/imu);
    expect(mail?.raw).toContain('Deployment dep_01JTEST of hello in production failed in rollout.');
    expect(mail?.raw).not.toContain(password);
  });

  it('sends through a plain relay without authentication when security is none', async () => {
    const relay = await relayOf({ authOptional: true, disabledCommands: ['STARTTLS'] });
    expect(await send({ host: '127.0.0.1', port: relay.port, security: 'none', from: 'slipway@example.com' })).toMatch(
      /^250 /,
    );
    expect(relay.mails[0]).toMatchObject({ isSecure: false, to: ['ops@example.com'] });
  });

  it('refuses to send in clear when STARTTLS is required and the relay does not offer it', async () => {
    const relay = await relayOf({ authOptional: true, disabledCommands: ['STARTTLS'] });
    await expect(
      send({ host: '127.0.0.1', port: relay.port, security: 'starttls', from: 'slipway@example.com' }),
    ).rejects.toMatchObject({
      code: 'NOTIFICATION_FAILED',
    });
    expect(relay.mails).toHaveLength(0);
  });

  it('fails with the relay’s reply in words, never the password, when the credentials are refused', async () => {
    const relay = await relayOf({ key: certificate.key, cert: certificate.cert });
    const wrong = `${password}-wrong`;
    const error: unknown = await send({
      host: '127.0.0.1',
      port: relay.port,
      security: 'starttls',
      from: 'slipway@example.com',
      user: 'slipway',
      password: wrong,
      ca: certificate.cert,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOTIFICATION_FAILED', details: { status: 535 } });
    expect((error as Error).message).toMatch(new RegExp(`^SMTP relay 127\\.0\\.0\\.1:${relay.port} answered 535`));
    expect(JSON.stringify({ message: (error as Error).message })).not.toContain(password);
  });

  it('fails with the reply code when the relay refuses the recipient', async () => {
    const relay = await relayOf({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      },
    });
    const error: unknown = await send({
      host: '127.0.0.1',
      port: relay.port,
      security: 'none',
      from: 'slipway@example.com',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOTIFICATION_FAILED', details: { status: 550 } });
    expect((error as Error).message).toContain('550 Mailbox unavailable');
  });

  it('gives up at the deadline when the relay accepts the connection but never greets', async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as AddressInfo;
    const error: unknown = await send(
      { host: '127.0.0.1', port, security: 'none', from: 'slipway@example.com' },
      300,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NOTIFICATION_FAILED',
      message: `SMTP relay 127.0.0.1:${port}: the deadline passed before the relay took the mail`,
    });
  });
});
