import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createCatalogClient } from '../catalog/catalog-client.js';
import { startCannedApiServer, type CannedApiServer, type CannedRequest } from '../canned-api-server.js';
import { renderCatalogTemplate } from './catalog-template-render.js';
import { parseTemplate } from './template-parser.js';

let server: CannedApiServer;
afterEach(() => server.close());

const b64 = (text: string) => Buffer.from(text).toString('base64');
const entry = (key: string, value: string | null) => ({
  Key: key,
  Value: value === null ? null : b64(value),
  Flags: 0,
  CreateIndex: 3,
  ModifyIndex: 3,
  LockIndex: 0,
});
const instance = (id: string, status: string, tags: string[]) => ({
  Node: { Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, Meta: {} },
  Service: {
    ID: id,
    Service: 'web',
    Tags: tags,
    Address: '',
    Port: 80,
    Meta: { v: id },
    Weights: { Passing: 1, Warning: 1 },
  },
  Checks: [
    { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', ServiceID: '' },
    { CheckID: `service:${id}`, Name: 'check', Status: status, ServiceID: id },
  ],
});

/** A Consul answer: JSON with its index, as the catalog sends it. */
const consul =
  (json: unknown, status = 200) =>
  (_request: CannedRequest, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-consul-index': '7' });
    res.end(status === 404 ? '' : JSON.stringify(json));
  };

async function render(source: string) {
  const client = createCatalogClient({ baseUrl: server.url, token: () => Promise.resolve('tok-secret') });
  return renderCatalogTemplate(parseTemplate('t.tmpl', source), { client, cache: new Map() });
}

describe('the catalog functions of templates', () => {
  it('lists the direct children with ls and every key with tree, keys relative to the prefix', async () => {
    const seen: string[] = [];
    server = await startCannedApiServer({
      'GET /v1/kv/app/': (request, res) => {
        seen.push(`${request.query.toString()} ${String(request.headers['x-consul-token'])}`);
        consul([entry('app/', null), entry('app/a', '1'), entry('app/b/c', '2'), entry('app/b/', null)])(request, res);
      },
    });
    const result = await render(
      '{{ range ls "app" }}{{ .Key }}={{ .Value }};{{ end }}|{{ range tree "/app/" }}{{ .Key }};{{ end }}',
    );
    expect(result).toMatchObject({ isRendered: true, output: 'a=1;|a;b/c;' });
    // One query for both (cached within the render), the token in its header only.
    expect(seen).toEqual(['recurse= tok-secret']);
    expect([...result.dependencies.keys()]).toEqual(['tree:app/']);
  });

  it('keeps the passing instances of a service unless asked for others, and filters by tag', async () => {
    const tags: string[] = [];
    server = await startCannedApiServer({
      'GET /v1/health/service/web': (request, res) => {
        tags.push(request.query.getAll('tag').join(','));
        consul([
          instance('w1', 'passing', ['prod']),
          instance('w2', 'warning', ['prod']),
          instance('w3', 'critical', []),
        ])(request, res);
      },
    });
    const line = '{{ range . }}{{ .ID }}:{{ .Status }}:{{ .Address }}:{{ .Meta.v }} {{ end }}';
    const source = [
      `{{ with service "web" }}${line}{{ end }}`,
      `{{ with service "web" "any" }}${line}{{ end }}`,
      `{{ with service "web" "passing,warning" }}${line}{{ end }}`,
      `{{ service "prod.web" | len }}`,
    ].join('\n');
    const result = await render(source);
    expect(result).toMatchObject({
      isRendered: true,
      output: [
        'w1:passing:10.0.0.1:w1 ',
        'w1:passing:10.0.0.1:w1 w2:warning:10.0.0.1:w2 w3:critical:10.0.0.1:w3 ',
        'w1:passing:10.0.0.1:w1 w2:warning:10.0.0.1:w2 ',
        '1',
      ].join('\n'),
    });
    expect(tags).toEqual(['', 'prod']);
    const wrong = await render('{{ service "web" "healthy" }}');
    expect(wrong.isRendered === false && wrong.error.message).toBe(
      't.tmpl:1:4: service: unknown status "healthy": use any, or passing, warning, critical',
    );
  });

  it('answers keyOrDefault for an absent key and holds key back as missing data', async () => {
    server = await startCannedApiServer({ 'GET /v1/kv/cfg/x': consul(undefined, 404) });
    expect(await render('{{ keyOrDefault "cfg/x" "fallback" }}')).toMatchObject({
      isRendered: true,
      output: 'fallback',
    });
    const missing = await render('{{ key "cfg/x" }}');
    expect(missing.isRendered).toBe(false);
    expect(missing.isRendered === false && missing.error.isMissingData).toBe(true);
    expect([...missing.dependencies.keys()]).toEqual(['key:cfg/x']);
  });
});
