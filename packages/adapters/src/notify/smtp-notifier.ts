/**
 * Email through the configured SMTP relay (nodemailer): one connection per message, STARTTLS required or TLS from the
 * first byte (or plain, for a relay on the same host), optional authentication. Every phase (connect, greeting, each
 * reply) is bounded, and the caller's signal ends the send. No message names the password. nodemailer loads with the
 * first message sent, not with every slipwayd.
 */
import { SlipwayError } from '@slipway/contract';
import type { Notifier } from '@slipway/core';

export interface SmtpRelaySettings {
  readonly host: string;
  readonly port: number;
  /**
   * `starttls`: a plain connection that must upgrade with STARTTLS before anything is sent (port 587); `tls`: TLS from
   * the first byte (port 465); `none`: no encryption at all (a relay on localhost only).
   */
  readonly security: 'starttls' | 'tls' | 'none';
  /** The `From:` address. */
  readonly from: string;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** PEM certificates to trust for the relay (a private CA); the system's otherwise. */
  readonly ca?: string | undefined;
  /** Bound of each phase of a send (connect, greeting, each reply); default 10 s. */
  readonly timeoutMs?: number | undefined;
}

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

export function createSmtpNotifier(settings: SmtpRelaySettings): Notifier {
  const relay = `SMTP relay ${settings.host}:${settings.port}`;
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const hide = (text: string): string =>
    settings.password === undefined || settings.password === '' ? text : text.replaceAll(settings.password, '[hidden]');
  return {
    async send(destination, notification, signal) {
      if (destination.kind !== 'email') {
        throw new SlipwayError('INTERNAL', `the email notifier cannot send to a ${destination.kind} target`);
      }
      const { createTransport } = await import('nodemailer');
      const transport = createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.security === 'tls',
        requireTLS: settings.security === 'starttls',
        ignoreTLS: settings.security === 'none',
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
        ...(settings.user === undefined ? {} : { auth: { user: settings.user, pass: settings.password ?? '' } }),
        ...(settings.ca === undefined ? {} : { tls: { ca: settings.ca } }),
      });
      const aborted = new Promise<never>((_resolve, reject) => {
        const onAbort = (): void =>
          reject(
            new SlipwayError('NOTIFICATION_FAILED', `${relay}: the deadline passed before the relay took the mail`),
          );
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        const info = await Promise.race([
          transport.sendMail({
            from: settings.from,
            to: destination.to,
            subject: notification.subject,
            text: notification.text,
            headers: { 'X-Slipway-Event-Id': notification.payload.id, 'X-Slipway-Event': notification.payload.type },
            signal,
          }),
          aborted,
        ]);
        return hide(info.response);
      } catch (error) {
        if (error instanceof SlipwayError) throw error;
        const { code, responseCode, response, message } = (error ?? {}) as SmtpError;
        const reply =
          typeof response === 'string'
            ? `answered ${response}`
            : typeof code === 'string'
              ? `failed (${code}${typeof message === 'string' ? `: ${message}` : ''})`
              : 'failed';
        throw new SlipwayError('NOTIFICATION_FAILED', hide(`${relay} ${reply}`), {
          ...(typeof responseCode === 'number' ? { details: { status: responseCode } } : {}),
        });
      } finally {
        transport.close();
      }
    },
  };
}
