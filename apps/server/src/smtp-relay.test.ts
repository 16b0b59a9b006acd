import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedConfig } from './config.js';
import { smtpRelayOf } from './smtp-relay.js';

const resolved = (argv: string[], env: NodeJS.ProcessEnv = {}): ResolvedConfig => {
  const config = resolveConfig(argv, env, '/srv/app');
  if (config === 'help') throw new Error('expected a configuration');
  return config;
};

describe('slipwayd configuration: the SMTP relay', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-smtp-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has none by default, so email targets fail saying so', async () => {
    expect(resolved([]).smtp).toBeUndefined();
    expect(await smtpRelayOf(resolved([]), 'ignored')).toBeUndefined();
  });

  it('takes the relay from flags over variables, with STARTTLS required and port 587 by default', () => {
    expect(resolved(['--smtp', 'smtp.example.com:587', '--smtp-from', 'slipway@example.com']).smtp).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      from: 'slipway@example.com',
      timeoutMs: 10_000,
    });
    const config = resolved(['--smtp-security', 'tls'], {
      SLIPWAY_SMTP: 'relay.internal:465',
      SLIPWAY_SMTP_FROM: 'ops@example.com',
      SLIPWAY_SMTP_SECURITY: 'none',
      SLIPWAY_SMTP_USER: 'slipway',
    });
    expect(config.smtp).toMatchObject({ host: 'relay.internal', port: 465, security: 'tls', user: 'slipway' });
  });

  it('refuses an unknown security mode and a relay without a From address, naming the key', () => {
    expect(() => resolved(['--smtp', 'smtp.example.com:25', '--smtp-from', 'a@b.c', '--smtp-security', 'ssl'])).toThrow(
      /smtp\.security/,
    );
    expect(() => resolved(['--smtp', 'smtp.example.com:25'])).toThrow(/smtp\.from/);
  });

  it('reads the password from its file (without the final newline) over SLIPWAY_SMTP_PASSWORD', async () => {
    const passwordFile = join(dir, 'smtp-password');
    await writeFile(passwordFile, 'from-the-file\n', { mode: 0o600 });
    const base = ['--smtp', 'smtp.example.com:587', '--smtp-from', 'a@b.c', '--smtp-user', 'slipway'];
    expect(await smtpRelayOf(resolved([...base, '--smtp-password-file', passwordFile]), 'from-env')).toMatchObject({
      user: 'slipway',
      password: 'from-the-file',
    });
    expect(await smtpRelayOf(resolved(base), 'from-env')).toMatchObject({ password: 'from-env' });
  });

  it('fails the start naming an unreadable password file, and refuses a password without a user', async () => {
    const base = ['--smtp', 'smtp.example.com:587', '--smtp-from', 'a@b.c'];
    const missing = join(dir, 'absent');
    await expect(
      smtpRelayOf(resolved([...base, '--smtp-user', 'u', '--smtp-password-file', missing]), undefined),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: `cannot read the SMTP password file ${missing}: ENOENT`,
    });
    await expect(smtpRelayOf(resolved(base), 'a-password')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'smtp: a password is given without smtp.user (--smtp-user)',
    });
  });
});
