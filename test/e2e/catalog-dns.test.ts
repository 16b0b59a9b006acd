/**
 * The catalog's DNS against a real slipwayd, asked with `dig` over UDP and TCP: services registered through the
 * catalog's HTTP API and a deployed app, answered as Consul answers (A and SRV of healthy instances, targets with
 * their addresses in Additional, tags, RFC 2782 names, the node with its meta), NXDOMAIN with the SOA, answer limits
 * per transport and EDNS0 size, REFUSED outside `consul.` and without anonymous reads, FORMERR and NOTIMP.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless, waitFor } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDnsUdp } from '../../apps/server/src/catalog-dns/ask-dns.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

const hasDig = spawnSync('dig', ['-v'], { stdio: 'ignore' }).status === 0;

interface DigAnswer {
  status: string;
  flags: string[];
  /** Each record's fields: name, TTL, class, type, data… */
  answer: string[][];
  authority: string[][];
  additional: string[][];
}

/** Runs dig against slipwayd's DNS and reads its sections. */
const dig = (port: number, args: readonly string[]): Promise<DigAnswer> =>
  new Promise((resolve, reject) => {
    execFile(
      'dig',
      ['@127.0.0.1', '-p', String(port), '+time=5', '+tries=1', ...args],
      { timeout: 20_000 },
      (error, stdout) => {
        if (error !== null && stdout === '') {
          reject(new Error(`dig ${args.join(' ')} failed: ${error.message}`));
          return;
        }
        const sections: Record<string, string[][]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
        let section: string | undefined;
        for (const line of stdout.split('\n')) {
          const heading = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
          if (heading?.[1] !== undefined) section = heading[1];
          else if (line.trim() === '') section = undefined;
          else if (section !== undefined && !line.startsWith(';')) sections[section]?.push(line.trim().split(/\s+/));
        }
        resolve({
          status: /status: (\w+)/.exec(stdout)?.[1] ?? `no status in: ${stdout}`,
          flags: (/;; flags: ([a-z ]*);/.exec(stdout)?.[1] ?? '').split(' ').filter((flag) => flag !== ''),
          answer: sections.ANSWER ?? [],
          authority: sections.AUTHORITY ?? [],
          additional: sections.ADDITIONAL ?? [],
        });
      },
    );
  });

const dataOf = (records: string[][], type: string) =>
  records.filter((record) => record[3] === type).map((record) => record.slice(4).join(' '));

describe(
  'the catalog’s DNS, asked with dig',
  skipUnless({ isAvailable: hasDig, reason: 'dig is not installed (Debian: bind9-dnsutils)' }),
  () => {
    let slipwayd: SlipwaydHarness;
    let appDir: string;
    let token: string;
    const ask = (...args: string[]) => dig(slipwayd.dnsPort, args);

    const register = async (body: Record<string, unknown>) => {
      const response = await fetch(`http://127.0.0.1:${slipwayd.catalogPort}/v1/agent/service/register`, {
        method: 'PUT',
        headers: { 'x-consul-token': token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.text()).toBe(200);
    };
    const ttlCheck = (status: string) => ({ TTL: '10m', Status: status });

    beforeAll(async () => {
      appDir = await mkdtemp(join(tmpdir(), 'slipway-dns-app-'));
      await writeFile(
        join(appDir, 'server.js'),
        "require('node:http').createServer((_, res) => res.end('ok')).listen(Number(process.env.PORT));\n",
      );
      await writeFile(join(appDir, 'Procfile'), 'web: node server.js\n');
      slipwayd = await SlipwaydHarness.create();
      await slipwayd.start();
      token = (await slipwayd.adminToken()) ?? '';
      await register({ Name: 'web', ID: 'web-1', Port: 8001, Tags: ['primary', 'v1'], Check: ttlCheck('passing') });
      await register({
        Name: 'web',
        ID: 'web-2',
        Address: '192.0.2.10',
        Port: 8002,
        Tags: ['v1'],
        Weights: { Passing: 5, Warning: 2 },
        Check: ttlCheck('warning'),
      });
      await register({ Name: 'web', ID: 'web-3', Address: '192.0.2.11', Port: 8003, Check: ttlCheck('critical') });
      for (let n = 1; n <= 6; n += 1) {
        await register({ Name: 'many', ID: `many-${n}`, Address: `10.0.0.${n}`, Port: 9000 + n });
      }
    });

    afterAll(async () => {
      await slipwayd.destroy();
      await rm(appDir, { recursive: true, force: true });
    });

    it('answers A with every instance without a critical check, authoritatively, TTL 0', async () => {
      const answer = await ask('web.service.consul', 'A');
      expect(answer.status).toBe('NOERROR');
      expect(answer.flags).toContain('aa');
      expect(dataOf(answer.answer, 'A').sort()).toEqual(['127.0.0.1', '192.0.2.10']);
      expect(answer.answer.map((record) => record[1])).toEqual(['0', '0']);
    });

    it('answers SRV with node and address targets, their A records in Additional, over UDP and TCP', async () => {
      for (const transport of ['+notcp', '+tcp']) {
        const answer = await ask('web.service.dc1.consul', 'SRV', transport);
        expect(dataOf(answer.answer, 'SRV').sort(), transport).toEqual([
          '1 1 8001 e2e.node.dc1.consul.',
          '1 2 8002 c000020a.addr.dc1.consul.',
        ]);
        const additional = answer.additional.filter((record) => record[3] === 'A').map((r) => `${r[0]} ${r[4]}`);
        expect(additional.sort(), transport).toEqual([
          'c000020a.addr.dc1.consul. 192.0.2.10',
          'e2e.node.dc1.consul. 127.0.0.1',
        ]);
      }
      // The .addr. target resolves.
      expect(dataOf((await ask('c000020a.addr.dc1.consul', 'A')).answer, 'A')).toEqual(['192.0.2.10']);
    });

    it('filters by tag, in the RFC 2782 form too, whatever the case', async () => {
      expect(dataOf((await ask('PRIMARY.Web.service.CONSUL')).answer, 'A')).toEqual(['127.0.0.1']);
      expect(dataOf((await ask('_web._v1.service.consul', 'SRV')).answer, 'SRV')).toHaveLength(2);
      expect(dataOf((await ask('_web._tcp.consul', 'SRV')).answer, 'SRV')).toHaveLength(2);
    });

    it('answers NXDOMAIN with the SOA, and NOERROR with the SOA for a type without records', async () => {
      for (const name of ['nope.service.consul', 'canary.web.service.consul', 'web.service.dc9.consul']) {
        const answer = await ask(name, 'A');
        expect(answer.status, name).toBe('NXDOMAIN');
        expect(
          answer.authority.map((record) => record.slice(0, 6).join(' ')),
          name,
        ).toEqual(['consul. 0 IN SOA ns.consul. hostmaster.consul.']);
      }
      const aaaa = await ask('web.service.consul', 'AAAA');
      expect(aaaa.status).toBe('NOERROR');
      expect(aaaa.answer).toEqual([]);
      expect(aaaa.authority.map((record) => record[3])).toEqual(['SOA']);
    });

    it('answers the node with its address', async () => {
      const answer = await ask('e2e.node.consul', 'A');
      expect(dataOf(answer.answer, 'A')).toEqual(['127.0.0.1']);
    });

    it('sends three answers over UDP without EDNS0, what fits with EDNS0, and all over TCP', async () => {
      expect(dataOf((await ask('many.service.consul', 'SRV', '+noedns')).answer, 'SRV')).toHaveLength(3);
      expect(dataOf((await ask('many.service.consul', 'SRV', '+bufsize=4096')).answer, 'SRV')).toHaveLength(6);
      expect(dataOf((await ask('many.service.consul', 'SRV', '+tcp')).answer, 'SRV')).toHaveLength(6);
      expect(dataOf((await ask('many.service.consul', 'A', '+noedns')).answer, 'A')).toHaveLength(3);
    });

    it('answers a deployed app’s instance once it is healthy', async () => {
      expect((await slipwayd.cli(['apps', 'create', 'dnsapp'])).code).toBe(0);
      const deployed = await slipwayd.cli(['deploy', 'dnsapp', '--path', appDir]);
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
      const srv = await waitFor(
        async () => {
          const answer = await ask('dnsapp.service.consul', 'SRV');
          expect(answer.status).toBe('NOERROR');
          return answer;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const [priority, , port, target] = dataOf(srv.answer, 'SRV')[0]?.split(' ') ?? [];
      expect([priority, target]).toEqual(['1', 'e2e.node.dc1.consul.']);
      const body = await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
      expect(body).toBe('ok');
    });

    it('counts the queries it answers in the catalog’s metrics, by transport, kind and rcode', async () => {
      const countOf = async (labels: string) => {
        const response = await fetch(`http://127.0.0.1:${slipwayd.catalogPort}/v1/agent/metrics?format=prometheus`, {
          headers: { 'x-consul-token': token },
        });
        const text = await response.text();
        const line = text
          .split('\n')
          .find((candidate) => candidate.startsWith(`slipway_catalog_dns_queries_total{${labels}}`));
        return Number(line?.split(' ').at(-1) ?? '0');
      };
      const labels = 'transport="tcp",kind="node",rcode="NXDOMAIN"';
      const before = await countOf(labels);
      await ask('counted.node.consul', 'A', '+tcp');
      await ask('counted.node.consul', 'A', '+tcp');
      expect(await countOf(labels)).toBe(before + 2);
    });

    it('refuses names outside consul., and answers NOTIMP to another opcode and FORMERR to a malformed query', async () => {
      expect((await ask('example.com', 'A')).status).toBe('REFUSED');
      expect((await ask('consul', 'SOA', '+opcode=2')).status).toBe('NOTIMP');
      const malformed = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x06, 0x63]);
      const response = await sendDnsUdp(slipwayd.dnsPort, malformed);
      expect(response?.readUInt16BE(0)).toBe(0xabcd);
      expect((response?.readUInt16BE(2) ?? 0) & 0xf).toBe(1);
    });
  },
);

describe(
  'the catalog’s DNS without anonymous reads',
  skipUnless({ isAvailable: hasDig, reason: 'dig is not installed (Debian: bind9-dnsutils)' }),
  () => {
    let slipwayd: SlipwaydHarness;

    beforeAll(async () => {
      slipwayd = await SlipwaydHarness.create();
      await slipwayd.start({ args: ['--catalog-anonymous-read', 'none'] });
    });

    afterAll(async () => {
      await slipwayd.destroy();
    });

    it('refuses every query', async () => {
      expect((await dig(slipwayd.dnsPort, ['consul.service.consul', 'SRV'])).status).toBe('REFUSED');
      expect((await dig(slipwayd.dnsPort, ['e2e.node.consul', 'A', '+tcp'])).status).toBe('REFUSED');
    });
  },
);
