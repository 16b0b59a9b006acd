import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-git-credential-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** `slipway git-credential <operation>` with git's request on stdin, the CLI set up for slipwayd at `apiUrl`. */
async function helper(operation: string, request: string, apiUrl = 'https://deploy.example.com') {
  const captured = createCapturedIo({
    cwd: dir,
    // No saved login and no local admin token: the token comes from the environment.
    env: { SLIPWAY_API_URL: apiUrl, SLIPWAY_TOKEN: 'slw_sentinel_token', XDG_CONFIG_HOME: dir, SLIPWAY_DATA_DIR: dir },
    stdin: Readable.from([request]),
  });
  const code = await createProgram(captured.io).run(['git-credential', operation]);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('slipway git-credential', () => {
  it("answers git with the CLI's token as the password for the API URL it is set up for", async () => {
    const answer = await helper('get', 'protocol=https\nhost=deploy.example.com\npath=git/shop.git\n\n');
    expect(answer).toEqual({ code: 0, stdout: 'username=slipway\npassword=slw_sentinel_token\n', stderr: '' });
  });

  it('says nothing about another host, so a helper set for every host never hands the token elsewhere', async () => {
    for (const request of [
      'protocol=https\nhost=github.com\n\n',
      'protocol=http\nhost=deploy.example.com\n\n',
      'protocol=https\nhost=deploy.example.com:8443\n\n',
      'protocol=ssh\nhost=deploy.example.com\n\n',
      '',
    ]) {
      const answer = await helper('get', request);
      expect(answer, request).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });

  it('keeps and forgets nothing on store and erase', async () => {
    const request = 'protocol=https\nhost=deploy.example.com\nusername=slipway\npassword=slw_sentinel_token\n\n';
    expect(await helper('store', request)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await helper('erase', request)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
