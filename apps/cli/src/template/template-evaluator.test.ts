import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '@slipway/contract';
import { builtinFunctions } from './template-builtins.js';
import { TemplateError, TemplateFunctionError } from './template-error.js';
import { renderTemplate, type TemplateFunctions } from './template-evaluator.js';
import { parseTemplate } from './template-parser.js';
import type { TemplateValue } from './template-values.js';

const services: TemplateValue = [
  { Name: 'api', Address: '10.0.0.1', Port: 8080, Tags: ['production', 'web'], Meta: new Map([['version', '3']]) },
  { Name: 'api', Address: '10.0.0.2', Port: 8081, Tags: ['staging'], Meta: new Map() },
];

const functions: TemplateFunctions = {
  ...builtinFunctions,
  key: (key) => {
    if (key === 'missing') throw new TemplateFunctionError('key "missing" does not exist', true);
    return `value-of-${key as string}`;
  },
  service: () => services,
  slow: async (value) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return value;
  },
};

const render = (source: string, data: TemplateValue = null) =>
  renderTemplate(parseTemplate('t.tmpl', source), functions, data);

async function errorOf(source: string): Promise<TemplateError> {
  try {
    await render(source);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('the template rendered');
}

describe('the template engine', () => {
  it('copies text and prints the result of an action', async () => {
    expect(await render('a {{ key "db/host" }} b')).toBe('a value-of-db/host b');
    expect(await render('no actions at all\n')).toBe('no actions at all\n');
  });

  it('ranges over a list with fields, variables and else', async () => {
    const source = '{{ range $i, $s := service "api" }}{{ $i }}:{{ .Address }}:{{ $s.Port }} {{ end }}';
    expect(await render(source)).toBe('0:10.0.0.1:8080 1:10.0.0.2:8081 ');
    expect(await render('{{ range .Items }}x{{ else }}none{{ end }}', { Items: [] })).toBe('none');
    expect(
      await render('{{ range $k, $v := .M }}{{ $k }}={{ $v }};{{ end }}', {
        M: new Map([
          ['b', 2],
          ['a', 1],
        ]),
      }),
    ).toBe('a=1;b=2;');
  });

  it('branches with if, else if and else, by Go truth', async () => {
    const source = '{{ if eq .N 1 }}one{{ else if gt .N 5 }}many{{ else }}few{{ end }}';
    expect(await render(source, { N: 1 })).toBe('one');
    expect(await render(source, { N: 9 })).toBe('many');
    expect(await render(source, { N: 3 })).toBe('few');
    expect(await render('{{ if "" }}y{{ else }}n{{ end }}{{ if .L }}y{{ else }}n{{ end }}', { L: [] })).toBe('nn');
  });

  it('moves dot with with, and skips its body for an empty value', async () => {
    expect(await render('{{ with .Meta }}{{ .version }}{{ end }}', { Meta: new Map([['version', '7']]) })).toBe('7');
    expect(await render('{{ with .Missing }}x{{ else }}empty{{ end }}', { Missing: null })).toBe('empty');
  });

  it('pipes a value into the last argument of the next function', async () => {
    expect(await render('{{ range service "api" }}{{ .Tags | join "," }}|{{ end }}')).toBe('production,web|staging|');
    expect(await render('{{ key "x" | toUpper | printf "<%s>" }}')).toBe('<VALUE-OF-X>');
    expect(await render('{{ (index (service "api") 0).Port }}')).toBe('8080');
    expect(await render('{{ if service "api" | len | lt 1 }}several{{ end }}')).toBe('several');
    expect(await render('{{ if .Tags | contains "web" }}web{{ end }}', { Tags: ['web'] })).toBe('web');
    expect(await render('{{ slow "a" | slow }}')).toBe('a');
  });

  it('trims whitespace around {{- and -}} only', async () => {
    const source = 'servers:\n{{- range service "api" }}\n  - {{ .Address }}\n{{- end }}\n';
    expect(await render(source)).toBe('servers:\n  - 10.0.0.1\n  - 10.0.0.2\n');
    expect(await render('a  {{- "b" -}}  c')).toBe('abc');
    expect(await render('{{ 3 }} -{{ 4 }}')).toBe('3 -4');
  });

  it('ignores comments and keeps declared variables until the end of their block', async () => {
    expect(await render('{{/* a comment */}}x{{- /* trimmed */ -}} y')).toBe('xy');
    expect(await render('{{ $a := "1" }}{{ if true }}{{ $a = "2" }}{{ $b := "3" }}{{ end }}{{ $a }}')).toBe('2');
    expect(await errorOf('{{ if true }}{{ $b := 3 }}{{ end }}{{ $b }}')).toMatchObject({
      message: 't.tmpl:1:39: undefined variable: $b',
    });
  });

  it('prints maps, lists, missing map keys and nil as Go does', async () => {
    expect(
      await render('{{ .L }} {{ .M }} {{ .M.nope }} {{ .N }}', { L: ['a', 1], M: new Map([['k', 'v']]), N: null }),
    ).toBe('[a 1] map[k:v] <no value> <nil>');
    expect(
      await render('{{ toJSON .M }}', {
        M: new Map<string, TemplateValue>([
          ['b', [1]],
          ['a', 'x'],
        ]),
      }),
    ).toBe('{"a":"x","b":[1]}');
    expect(await render('{{ printf "%05d|%-4s|%q|%.2f" 42 "ab" "c" 3.14159 }}')).toBe('00042|ab  |"c"|3.14');
  });

  it('locates syntax errors at their line and column', async () => {
    expect((await errorOf('line one\n  {{ range .X }}')).message).toBe(
      't.tmpl:2:17: unexpected end of template: missing {{ end }}',
    );
    expect((await errorOf('{{ end }}')).message).toBe('t.tmpl:1:4: unexpected {{ end }}');
    expect((await errorOf('a\nb {{ key "x" ')).message).toBe('t.tmpl:2:3: unclosed action: missing }}');
    expect((await errorOf('{{ "open }}')).message).toBe('t.tmpl:1:4: unterminated quoted string');
    expect((await errorOf('{{ key "a" ) }}')).message).toBe('t.tmpl:1:12: unexpected ")" in operand');
    expect((await errorOf('{{ }}')).message).toBe('t.tmpl:1:4: missing value for command');
    expect((await errorOf('{{ 12abc }}')).message).toMatch(/^t\.tmpl:1:4: bad number syntax/);
  });

  it('locates evaluation errors at the call, as a coded error', async () => {
    const unknown = await errorOf('\n\n   {{ nope "x" }}');
    expect(unknown.message).toBe('t.tmpl:3:7: function "nope" not defined');
    expect(isSlipwayError(unknown) && unknown.code).toBe('VALIDATION_FAILED');
    expect(await render('{{ .Name.Deeper }}')).toBe('<no value>');
    expect((await errorOf('{{ .Name.Deeper }}'.replace('.Name', '"x"'))).message).toMatch(/can't give argument/);
    expect((await errorOf('{{ $x := "s" }}{{ $x.Field }}')).message).toBe(
      "t.tmpl:1:19: can't evaluate field Field in a string",
    );
    expect((await errorOf('{{ range service "api" }}{{ .Prot }}{{ end }}')).message).toBe(
      "t.tmpl:1:29: can't evaluate field Prot (the fields are Name, Address, Port, Tags, Meta)",
    );
    expect((await errorOf('{{ "a" "b" }}')).message).toBe('t.tmpl:1:4: can\'t give argument to non-function "a"');
    expect((await errorOf('{{ range 1.5 }}{{ end }}')).message).toBe("t.tmpl:1:4: range can't iterate over a number");
  });

  it('marks a failure for data the catalog does not hold yet', async () => {
    const missing = await errorOf('x\n{{ key "missing" }}');
    expect(missing.message).toBe('t.tmpl:2:4: key: key "missing" does not exist');
    expect(missing.isMissingData).toBe(true);
    expect((await errorOf('{{ nope }}')).isMissingData).toBe(false);
  });

  it('bounds the output and the iterations of a render', async () => {
    const template = parseTemplate('big.tmpl', '{{ range 100 }}{{ range 100 }}xx{{ end }}{{ end }}');
    await expect(
      renderTemplate(template, functions, null, { maxOutputChars: 1000, maxIterations: 1e6 }),
    ).rejects.toThrow('output over 1000 characters');
    await expect(
      renderTemplate(template, functions, null, { maxOutputChars: 1e6, maxIterations: 500 }),
    ).rejects.toThrow('over 500 range iterations');
  });
});
