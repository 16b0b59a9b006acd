/**
 * The audit log against a real slipwayd: every state-changing request leaves exactly one request record with its
 * outcome (succeeded, failed validation, refused 401/403), security events are recorded, no record holds a password,
 * token or secret value (sentinels), and `slipway audit verify` — the real CLI — passes on the intact chain and
 * fails on a record modified, deleted or reordered in the SQLite file.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecordView } from '@slipway/contract';
import { callApi, createUser, errorCode, loginAs, password, type ApiAnswer } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

const secretValue = `sentinel-secret-${randomBytes(12).toString('hex')}`;
const userPassword = `sentinel-password-${randomBytes(12).toString('hex')}`;

describe('the audit log end to end', () => {
  let slipwayd: SlipwaydHarness;
  let adminToken: string;
  /** Request id → the outcome and error code the audit record of that request must show. */
  const expected = new Map<string, { action: string; outcome: string; errorCode: string | null }>();
  /** Credentials issued during the run: none may appear in an audit record. */
  const issued: string[] = [];

  const call = async (
    request: { method: string; path: string; token?: string | undefined; json?: unknown },
    action: string,
    outcome: 'success' | 'denied' | 'failed',
    code: string | null = null,
  ): Promise<ApiAnswer> => {
    const answer = await callApi(slipwayd, request);
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(errorCode(answer) ?? null, `${request.method} ${request.path}`).toBe(code);
    expected.set(requestId ?? '', { action, outcome, errorCode: code });
    return answer;
  };

  const allRecords = async (): Promise<AuditRecordView[]> => {
    const records: AuditRecordView[] = [];
    let cursor: string | undefined;
    do {
      const page = await slipwayd.api.audit.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      records.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return records;
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    adminToken = (await slipwayd.adminToken()) ?? '';
    issued.push(adminToken);
    await slipwayd.api.projects.create({ name: 'default' });
    await createUser(slipwayd, 'audit-viewer', [{ role: 'viewer', project: 'default' }]);
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('records every state-changing request exactly once, with its outcome, and the security events', async () => {
    const token = adminToken;
    await call({ method: 'POST', path: '/api/v1/apps', token, json: { name: 'audited' } }, 'apps.create', 'success');
    await call(
      { method: 'POST', path: '/api/v1/apps', token, json: { name: 'audited' } },
      'apps.create',
      'failed',
      'APP_ALREADY_EXISTS',
    );
    await call(
      { method: 'POST', path: '/api/v1/apps', token, json: { name: 'Not A Name!' } },
      'apps.create',
      'failed',
      'VALIDATION_FAILED',
    );
    await call(
      { method: 'POST', path: '/api/v1/apps', json: { name: 'x' } },
      'apps.create',
      'denied',
      'UNAUTHENTICATED',
    );
    const viewer = await loginAs(slipwayd, 'audit-viewer');
    issued.push(viewer.accessToken, viewer.refreshToken);
    await call(
      { method: 'DELETE', path: '/api/v1/apps/audited', token: viewer.accessToken },
      'apps.delete',
      'denied',
      'FORBIDDEN',
    );
    await call(
      {
        method: 'PUT',
        path: '/api/v1/apps/audited/secrets/API_KEY?deploy=false',
        token,
        json: { value: secretValue },
      },
      'secrets.set',
      'success',
    );
    await call(
      { method: 'POST', path: '/api/v1/users', token, json: { name: 'audit-new', password: userPassword } },
      'users.create',
      'success',
    );
    await call(
      { method: 'POST', path: '/api/v1/users/audit-new/grants', token, json: { role: 'deployer', project: 'default' } },
      'users.grant',
      'success',
    );
    await call(
      { method: 'POST', path: '/api/v1/auth/login', json: { username: 'audit-new', password: 'wrong password' } },
      'auth.login',
      'denied',
      'UNAUTHENTICATED',
    );
    const login = await call(
      { method: 'POST', path: '/api/v1/auth/login', json: { username: 'audit-new', password: userPassword } },
      'auth.login',
      'success',
    );
    const session = login.body as { accessToken: string; refreshToken: string };
    issued.push(session.accessToken, session.refreshToken);
    const created = await call(
      { method: 'POST', path: '/api/v1/tokens', token: session.accessToken, json: { name: 'audit-ci' } },
      'tokens.create',
      'success',
    );
    const apiToken = created.body as { secret: string; token: { id: string } };
    issued.push(apiToken.secret);
    await call(
      { method: 'DELETE', path: `/api/v1/tokens/${apiToken.token.id}`, token: session.accessToken },
      'tokens.revoke',
      'success',
    );
    await call({ method: 'POST', path: '/api/v1/auth/logout', token: session.accessToken }, 'auth.logout', 'success');
    // Reads leave no record.
    await callApi(slipwayd, { method: 'GET', path: '/api/v1/apps', token });

    const records = await allRecords();
    const requests = records.filter((r) => r.kind === 'request');
    for (const [requestId, want] of expected) {
      const mine = requests.filter((r) => r.requestId === requestId);
      expect(mine, `${want.action} ${requestId}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ action: want.action, outcome: want.outcome, errorCode: want.errorCode });
      expect(mine[0]?.sourceIp).toMatch(/127\.0\.0\.1/);
    }
    // Only state-changing requests: the setup's writes and the ones above; no GET.
    expect(requests.every((r) => r.details['method'] !== 'GET')).toBe(true);
    const denied = requests.find((r) => r.errorCode === 'FORBIDDEN');
    expect(denied).toMatchObject({
      actor: { name: 'audit-viewer', credentialKind: 'session' },
      target: { kind: 'app', id: 'audited' },
    });

    const events = records.filter((r) => r.kind === 'event').map((r) => `${r.action} ${r.outcome}`);
    for (const event of [
      'users.created success',
      'users.role.granted success',
      'secrets.value.set success',
      'auth.login.failed failed',
      'auth.login.succeeded success',
      'tokens.created success',
      'tokens.revoked success',
      'auth.logout success',
    ]) {
      expect(events).toContain(event);
    }
    const secretEvent = records.find((r) => r.action === 'secrets.value.set');
    expect(secretEvent).toMatchObject({ target: { kind: 'secret', id: 'audited/production/API_KEY' } });
    expect(secretEvent?.requestId).toBeTruthy();
  });

  it('holds no password, token, secret value or Authorization header in any record, through the API or the file', async () => {
    const listed = JSON.stringify(await allRecords());
    const db = new SqliteDatabase(join(slipwayd.dataDir, 'slipway.db'), { readonly: true });
    const stored = JSON.stringify(db.prepare('select * from audit_records').all());
    db.close();
    for (const text of [listed, stored]) {
      for (const leaked of [secretValue, userPassword, password, ...issued]) expect(text).not.toContain(leaked);
      expect(text.toLowerCase()).not.toContain('bearer');
      expect(text).not.toContain('slw_');
    }
  });

  it('filters by action and actor through the CLI, as a table and as JSON', async () => {
    const json = await slipwayd.cli(['audit', 'list', '--action', 'auth.*', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const listed = JSON.parse(json.stdout) as { records: AuditRecordView[] };
    expect(listed.records.length).toBeGreaterThan(0);
    expect(listed.records.every((r) => r.action.startsWith('auth.'))).toBe(true);
    const table = await slipwayd.cli(['audit', 'list', '--actor', 'audit-viewer', '--since', '1h']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('apps.delete');
    expect(table.stdout).toContain('denied FORBIDDEN');
  });

  it('lists the most recent records with --limit, in time order, and says older ones match', async () => {
    const every = await slipwayd.cli(['audit', 'list', '--all', '--json']);
    const all = (JSON.parse(every.stdout) as { records: AuditRecordView[] }).records;
    expect(all.length).toBeGreaterThan(5);
    const limited = await slipwayd.cli(['audit', 'list', '--limit', '5', '--json']);
    expect(limited.code, limited.stderr).toBe(0);
    const answer = JSON.parse(limited.stdout) as { records: AuditRecordView[]; hasOlderRecords?: boolean };
    const newest = all.slice(-5).map((r) => r.seq);
    // Records made by the listing itself may follow; the five shown are the newest of those before it.
    expect(answer.records.map((r) => r.seq)).toEqual(newest);
    expect(answer.hasOlderRecords).toBe(true);
    const table = await slipwayd.cli(['audit', 'list', '--limit', '5']);
    expect(table.stdout.trim().split('\n')).toHaveLength(6);
    expect(table.stderr).toContain('older records match');
  });

  it('verifies the intact chain, and finds a modified, a deleted and a reordered record through the real CLI', async () => {
    const intact = await slipwayd.cli(['audit', 'verify']);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/audit log intact: \d+ records verified/);

    const db = new SqliteDatabase(join(slipwayd.dataDir, 'slipway.db'));
    db.pragma('busy_timeout = 5000');
    try {
      type Row = Record<string, unknown> & { seq: number };
      const row = (seq: number): Row => db.prepare('select * from audit_records where seq = ?').get(seq) as Row;
      const restore = (saved: Row): void => {
        db.prepare('delete from audit_records where seq = ?').run(saved.seq);
        const columns = Object.keys(saved);
        db.prepare(
          `insert into audit_records (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
        ).run(saved);
      };
      const broken = async (seq: number, reason: RegExp): Promise<void> => {
        const result = await slipwayd.cli(['audit', 'verify']);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`audit log chain broken at record ${seq}`);
        expect(result.stderr).toMatch(reason);
        const json = await slipwayd.cli(['audit', 'verify', '--json']);
        expect(json.code).toBe(1);
        expect(JSON.parse(json.stdout)).toMatchObject({ isValid: false, brokenAt: { seq } });
      };

      const third = row(3);
      const fourth = row(4);
      db.prepare("update audit_records set outcome = 'success', error_code = null where seq = 3").run();
      db.prepare("update audit_records set action = 'apps.read' where seq = 3").run();
      await broken(3, /content changed/);
      restore(third);

      db.prepare('delete from audit_records where seq = 3').run();
      await broken(4, /sequence gap/);
      restore(third);

      db.prepare('update audit_records set seq = -1 where seq = 3').run();
      db.prepare('update audit_records set seq = 3 where seq = 4').run();
      db.prepare('update audit_records set seq = 4 where seq = -1').run();
      await broken(3, /broken link/);
      restore(third);
      restore(fourth);
    } finally {
      db.close();
    }
    const again = await slipwayd.cli(['audit', 'verify']);
    expect(again.code, again.stderr).toBe(0);
  });
});
