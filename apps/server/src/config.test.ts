import { describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedConfig } from './config.js';

const resolved = (argv: string[], env: NodeJS.ProcessEnv = {}): ResolvedConfig => {
  const config = resolveConfig(argv, env, '/srv/app');
  if (config === 'help') throw new Error('expected a configuration');
  return config;
};

describe('slipwayd configuration: the master key file', () => {
  it('defaults to master.key in the data dir', () => {
    expect(resolved(['--data-dir', 'state']).masterKeyFile).toBe('/srv/app/state/master.key');
  });

  it('takes --master-key-file over SLIPWAY_MASTER_KEY_FILE, each resolved against the working directory', () => {
    expect(resolved([], { SLIPWAY_MASTER_KEY_FILE: '/etc/slipway/key' }).masterKeyFile).toBe('/etc/slipway/key');
    const both = resolved(['--master-key-file', 'keys/master.key'], { SLIPWAY_MASTER_KEY_FILE: '/etc/slipway/key' });
    expect(both.masterKeyFile).toBe('/srv/app/keys/master.key');
  });
});
