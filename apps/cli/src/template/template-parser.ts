/** Parses a template's tokens into its tree: text, actions, and `if`/`range`/`with` blocks with their `else` branches. */
import { TemplateError, type PositionIndex } from './template-error.js';
import { lexTemplate, type Token } from './template-lexer.js';

/** An argument of a command: a value, a field chain, a variable, a function name or a parenthesized pipeline. */
export type ArgNode =
  | { type: 'dot'; offset: number }
  | { type: 'field'; offset: number; names: string[] }
  | { type: 'variable'; offset: number; name: string; names: string[] }
  | { type: 'function'; offset: number; name: string }
  | { type: 'string'; offset: number; value: string }
  | { type: 'number'; offset: number; value: number }
  | { type: 'bool'; offset: number; value: boolean }
  | { type: 'nil'; offset: number }
  | { type: 'pipeline'; offset: number; pipeline: PipelineNode; names: string[] };

export interface CommandNode {
  offset: number;
  args: ArgNode[];
}

export interface PipelineNode {
  offset: number;
  /** `$x :=` declares, `$x =` assigns; `range $i, $v :=` declares two. */
  variables: string[];
  isAssignment: boolean;
  commands: CommandNode[];
}

/** `{{ if }}`, `{{ range }}` or `{{ with }}` up to its `{{ end }}`, with its `{{ else }}` branch. */
export interface BlockNode {
  type: 'if' | 'range' | 'with';
  offset: number;
  pipeline: PipelineNode;
  body: TemplateNode[];
  elseBody: TemplateNode[] | undefined;
}

export type TemplateNode =
  { type: 'text'; text: string } | { type: 'action'; offset: number; pipeline: PipelineNode } | BlockNode;

export interface ParsedTemplate {
  name: string;
  nodes: TemplateNode[];
  positions: PositionIndex;
}

export function parseTemplate(name: string, source: string): ParsedTemplate {
  const { tokens, positions } = lexTemplate(name, source);
  let index = 0;
  const fail = (offset: number, reason: string): never => {
    throw new TemplateError(name, positions.at(offset), reason);
  };
  const peek = (): Token | undefined => tokens[index];
  const next = (): Token => {
    const token = tokens[index];
    if (token === undefined) return fail(source.length, 'unexpected end of template');
    index += 1;
    return token;
  };
  const expect = (kind: Token['kind'], what: string): Token => {
    const token = next();
    if (token.kind !== kind) fail(token.offset, `expected ${what}, found ${describe(token)}`);
    return token;
  };

  /** Nodes up to an `{{ end }}` or `{{ else }}` (returned as the terminator), or the end of the template. */
  const parseList = (
    isNested: boolean,
  ): { nodes: TemplateNode[]; terminator: 'end' | 'else' | 'else-block' | 'eof'; offset: number } => {
    const nodes: TemplateNode[] = [];
    for (;;) {
      const token = peek();
      if (token === undefined) {
        if (isNested) fail(source.length, 'unexpected end of template: missing {{ end }}');
        return { nodes, terminator: 'eof', offset: source.length };
      }
      if (token.kind === 'text') {
        nodes.push({ type: 'text', text: token.value });
        index += 1;
        continue;
      }
      const open = expect('open', '{{');
      const first = peek();
      if (first?.kind === 'close') fail(first.offset, 'missing value for command');
      if (first?.kind === 'keyword') {
        index += 1;
        if (first.value === 'end' || first.value === 'else') {
          if (!isNested) fail(first.offset, `unexpected {{ ${first.value} }}`);
          if (first.value === 'end') {
            expect('close', '}}');
            return { nodes, terminator: 'end', offset: first.offset };
          }
          const after = peek();
          if (after?.kind === 'keyword' && (after.value === 'if' || after.value === 'with')) {
            // `{{ else if x }}` is `{{ else }}{{ if x }}…{{ end }}` sharing the outer end.
            return { nodes, terminator: 'else-block', offset: first.offset };
          }
          expect('close', '}}');
          return { nodes, terminator: 'else', offset: first.offset };
        }
        nodes.push(parseBlock(first.value as 'if' | 'range' | 'with', first.offset));
        continue;
      }
      const pipeline = parsePipeline(open.offset, 'close');
      expect('close', '}}');
      nodes.push({ type: 'action', offset: open.offset, pipeline });
    }
  };

  const parseBlock = (type: 'if' | 'range' | 'with', offset: number): TemplateNode => {
    const pipeline = parsePipeline(offset, 'close');
    if (pipeline.isAssignment) fail(offset, `{{ ${type} }} cannot assign to an existing variable`);
    if (type !== 'range' && pipeline.variables.length > 1) fail(offset, `{{ ${type} }} declares one variable at most`);
    expect('close', '}}');
    const body = parseList(true);
    let elseBody: TemplateNode[] | undefined;
    if (body.terminator === 'else') {
      const rest = parseList(true);
      if (rest.terminator !== 'end') fail(rest.offset, `expected {{ end }} after {{ else }}`);
      elseBody = rest.nodes;
    } else if (body.terminator === 'else-block') {
      const keyword = next();
      elseBody = [parseBlock(keyword.value as 'if' | 'with', keyword.offset)];
    }
    return { type, offset, pipeline, body: body.nodes, elseBody };
  };

  const parsePipeline = (offset: number, end: 'close' | 'rightParen'): PipelineNode => {
    const variables: string[] = [];
    let isAssignment = false;
    // Look ahead for `$a :=`, `$a =` or `$a, $b :=`.
    const start = index;
    const first = peek();
    if (first?.kind === 'variable') {
      const names = [first.value];
      let cursor = index + 1;
      if (tokens[cursor]?.kind === 'comma' && tokens[cursor + 1]?.kind === 'variable') {
        names.push(tokens[cursor + 1]?.value ?? '');
        cursor += 2;
      }
      const operator = tokens[cursor];
      if (operator?.kind === 'declare' || operator?.kind === 'assign') {
        variables.push(...names);
        isAssignment = operator.kind === 'assign';
        index = cursor + 1;
      } else index = start;
    }
    const commands: CommandNode[] = [];
    for (;;) {
      const command = parseCommand(end);
      commands.push(command);
      const token = peek();
      if (token?.kind === 'pipe') {
        index += 1;
        continue;
      }
      if (token?.kind !== end) fail(token?.offset ?? source.length, `unexpected ${describe(token)} in command`);
      break;
    }
    return { offset, variables, isAssignment, commands };
  };

  const parseCommand = (end: 'close' | 'rightParen'): CommandNode => {
    const args: ArgNode[] = [];
    const offset = peek()?.offset ?? source.length;
    for (;;) {
      const token = peek();
      if (token === undefined || token.kind === end || token.kind === 'pipe') break;
      args.push(parseArg());
    }
    if (args.length === 0) fail(peek()?.offset ?? offset, 'missing value for command');
    return { offset, args };
  };

  const fieldChain = (): string[] => {
    const names: string[] = [];
    while (peek()?.kind === 'field' && peek()?.offset === tokenEnd(tokens[index - 1])) names.push(next().value);
    return names;
  };

  const parseArg = (): ArgNode => {
    const token = next();
    const offset = token.offset;
    switch (token.kind) {
      case 'dot':
        return { type: 'dot', offset };
      case 'field': {
        const names = [token.value, ...fieldChain()];
        return { type: 'field', offset, names };
      }
      case 'variable':
        return { type: 'variable', offset, name: token.value, names: fieldChain() };
      case 'identifier':
        return { type: 'function', offset, name: token.value };
      case 'string':
        return { type: 'string', offset, value: token.value };
      case 'number': {
        const value = Number(token.value);
        if (!Number.isFinite(value)) fail(offset, `bad number syntax: ${token.value}`);
        return { type: 'number', offset, value };
      }
      case 'bool':
        return { type: 'bool', offset, value: token.value === 'true' };
      case 'nil':
        return { type: 'nil', offset };
      case 'leftParen': {
        const pipeline = parsePipeline(offset, 'rightParen');
        expect('rightParen', ')');
        return { type: 'pipeline', offset, pipeline, names: fieldChain() };
      }
      case 'keyword':
        return fail(offset, `unexpected {{ ${token.value} }} inside an action`);
      case 'text':
      case 'open':
      case 'close':
      case 'pipe':
      case 'rightParen':
      case 'declare':
      case 'assign':
      case 'comma':
        return fail(offset, `unexpected ${describe(token)} in operand`);
    }
  };

  const { nodes } = parseList(false);
  return { name, nodes, positions };
}

/** Where a token ends, to tell `$x.Field` (one operand) from `$x .Field` (two). */
function tokenEnd(token: Token | undefined): number {
  if (token === undefined) return -1;
  if (token.kind === 'variable' || token.kind === 'field') return token.offset + 1 + token.value.length;
  if (token.kind === 'rightParen') return token.offset + 1;
  return -1;
}

function describe(token: Token | undefined): string {
  if (token === undefined) return 'end of template';
  if (token.kind === 'close') return '}}';
  if (token.kind === 'open') return '{{';
  if (token.kind === 'string') return `string ${JSON.stringify(token.value)}`;
  if (token.kind === 'text') return 'text';
  return JSON.stringify(token.kind === 'field' ? `.${token.value}` : token.value);
}
