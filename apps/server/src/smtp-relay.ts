/**
 * The SMTP relay's settings as the email notifier takes them, read once at start: the password from its file or
 * `SLIPWAY_SMTP_PASSWORD` (taken out of the environment by main.ts), the CA bundle from its file. A file that cannot
 * be read fails the start, naming the file and never its content.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SmtpRelaySettings } from '@slipway/adapters';
import { SlipwayError } from '@slipway/contract';
import type { ResolvedConfig } from './config.js';

export async function smtpRelayOf(
  config: Pick<ResolvedConfig, 'smtp'>,
  environmentPassword: string | undefined,
): Promise<SmtpRelaySettings | undefined> {
  const smtp = config.smtp;
  if (smtp === undefined) return undefined;
  const read = async (file: string, what: string): Promise<string> => {
    try {
      return await readFile(resolve(file), 'utf8');
    } catch (error) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `cannot read the SMTP ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
  };
  const password =
    smtp.passwordFile === undefined ? environmentPassword : (await read(smtp.passwordFile, 'password')).trimEnd();
  if (password !== undefined && smtp.user === undefined) {
    throw new SlipwayError('VALIDATION_FAILED', 'smtp: a password is given without smtp.user (--smtp-user)');
  }
  return {
    host: smtp.host,
    port: smtp.port,
    security: smtp.security,
    from: smtp.from,
    user: smtp.user,
    password,
    ca: smtp.caFile === undefined ? undefined : await read(smtp.caFile, 'CA'),
    timeoutMs: smtp.timeoutMs,
  };
}
