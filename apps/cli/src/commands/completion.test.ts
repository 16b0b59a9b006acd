import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

async function script(shell: string) {
  const captured = createCapturedIo();
  const code = await createProgram(captured.io).run(['completion', shell]);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/** Sources the script in a real bash and asks it to complete the words typed so far. */
function completeInBash(bashScript: string, typed: string[]): string[] {
  const words = ['slipway', ...typed].map((w) => `'${w}'`).join(' ');
  const probe = `${bashScript}\nCOMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _slipway_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', probe], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('slipway completion', () => {
  it('completes commands, subcommands and flags in a real bash', async () => {
    const { code, stdout } = await script('bash');
    expect(code).toBe(0);
    expect(completeInBash(stdout, [''])).toEqual(
      expect.arrayContaining([
        'apps',
        'deploy',
        'releases',
        'rollback',
        'scale',
        'logs',
        'config',
        'status',
        'validate',
        'completion',
      ]),
    );
    expect(completeInBash(stdout, ['apps', ''])).toEqual(expect.arrayContaining(['create', 'list', 'info', 'delete']));
    expect(completeInBash(stdout, ['deploy', 'web', '--'])).toEqual(
      expect.arrayContaining(['--path', '--git', '--archive', '--no-follow', '--json', '--api']),
    );
    expect(completeInBash(stdout, ['config', 'set', 'web', '--no-'])).toEqual(['--no-deploy', '--no-follow']);
    expect(completeInBash(stdout, ['completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh']));
  });

  it('leaves the value of an option such as --path to file-name completion', async () => {
    const { stdout } = await script('bash');
    expect(completeInBash(stdout, ['deploy', 'web', '--path', ''])).toEqual([]);
  });

  it('prints a zsh script that registers itself with compdef and knows the same commands', async () => {
    const { code, stdout } = await script('zsh');
    expect(code).toBe(0);
    expect(stdout.startsWith('#compdef slipway\n')).toBe(true);
    expect(stdout).toContain('compdef _slipway_complete slipway');
    expect(stdout).toContain('slipway/config) candidates=(list set unset');
  });

  it('exits 2 for a shell it does not support', async () => {
    expect((await script('fish')).code).toBe(2);
  });
});
