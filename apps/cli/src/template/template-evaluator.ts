/**
 * Renders a parsed template: pipelines feed each command's result to the next as its last argument, `if`/`with`/
 * `range` follow Go's truth, variables live until the `{{ end }}` of the block that declared them. Functions may be
 * asynchronous (the catalog's are); they are called in template order.
 */
import { TemplateError, TemplateFunctionError } from './template-error.js';
import type { ArgNode, BlockNode, CommandNode, ParsedTemplate, PipelineNode, TemplateNode } from './template-parser.js';
import { describeType, fieldOf, isTruthy, printValue, type TemplateValue } from './template-values.js';

/** A function a template can call: positional arguments, a pipeline's input last. */
export type TemplateFunction = (...args: TemplateValue[]) => TemplateValue | Promise<TemplateValue>;

export type TemplateFunctions = Readonly<Record<string, TemplateFunction>>;

/** Bounds that keep a template from running away. */
export interface RenderLimits {
  /** Output beyond this many characters fails the render. */
  maxOutputChars: number;
  /** Range iterations in all, across the whole render. */
  maxIterations: number;
}

export const defaultRenderLimits: RenderLimits = { maxOutputChars: 16 * 1024 * 1024, maxIterations: 1_000_000 };

interface Variable {
  name: string;
  value: TemplateValue;
}

export async function renderTemplate(
  template: ParsedTemplate,
  functions: TemplateFunctions,
  data: TemplateValue = null,
  limits: RenderLimits = defaultRenderLimits,
): Promise<string> {
  const chunks: string[] = [];
  let outputChars = 0;
  let iterations = 0;
  const variables: Variable[] = [{ name: '', value: data }];

  const fail = (offset: number, reason: string, isMissingData = false): never => {
    throw new TemplateError(template.name, template.positions.at(offset), reason, isMissingData);
  };
  const write = (text: string, offset: number) => {
    outputChars += text.length;
    if (outputChars > limits.maxOutputChars) fail(offset, `output over ${limits.maxOutputChars} characters`);
    chunks.push(text);
  };

  const lookupVariable = (name: string, offset: number): Variable => {
    for (let i = variables.length - 1; i >= 0; i -= 1) {
      const variable = variables[i];
      if (variable?.name === name) return variable;
    }
    return fail(offset, `undefined variable: $${name}`);
  };

  const followFields = (value: TemplateValue, names: readonly string[], offset: number): TemplateValue => {
    let current = value;
    for (const name of names) {
      const found = fieldOf(current, name);
      if ('error' in found) fail(offset, found.error);
      else current = found.value;
    }
    return current;
  };

  const evalArg = async (arg: ArgNode, dot: TemplateValue): Promise<TemplateValue> => {
    switch (arg.type) {
      case 'dot':
        return dot;
      case 'field':
        return followFields(dot, arg.names, arg.offset);
      case 'variable':
        return followFields(lookupVariable(arg.name, arg.offset).value, arg.names, arg.offset);
      case 'function':
        return callFunction(arg.name, [], arg.offset);
      case 'string':
      case 'number':
      case 'bool':
        return arg.value;
      case 'nil':
        return fail(arg.offset, 'nil is not a command');
      case 'pipeline':
        return followFields(await evalPipeline(arg.pipeline, dot), arg.names, arg.offset);
    }
  };

  const callFunction = async (name: string, args: TemplateValue[], offset: number): Promise<TemplateValue> => {
    const fn = Object.hasOwn(functions, name) ? functions[name] : undefined;
    if (fn === undefined) return fail(offset, `function "${name}" not defined`);
    try {
      return await fn(...args);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      if (error instanceof TemplateFunctionError) return fail(offset, `${name}: ${error.message}`, error.isMissingData);
      throw error;
    }
  };

  const evalCommand = async (
    command: CommandNode,
    dot: TemplateValue,
    input: { value: TemplateValue } | undefined,
  ): Promise<TemplateValue> => {
    const [first, ...rest] = command.args;
    if (first === undefined) return fail(command.offset, 'missing value for command');
    if (first.type === 'function') {
      const args: TemplateValue[] = [];
      for (const arg of rest) {
        if (arg.type === 'nil') args.push(null);
        else args.push(await evalArg(arg, dot));
      }
      if (input !== undefined) args.push(input.value);
      return callFunction(first.name, args, first.offset);
    }
    if (rest.length > 0 || input !== undefined) {
      return fail(first.offset, `can't give argument to non-function ${describeArg(first)}`);
    }
    return evalArg(first, dot);
  };

  const evalPipeline = async (pipeline: PipelineNode, dot: TemplateValue): Promise<TemplateValue> => {
    let result: { value: TemplateValue } | undefined;
    for (const command of pipeline.commands) result = { value: await evalCommand(command, dot, result) };
    const value = result?.value;
    if (pipeline.variables.length === 1) {
      const name = pipeline.variables[0] ?? '';
      if (pipeline.isAssignment) lookupVariable(name, pipeline.offset).value = value;
      else variables.push({ name, value });
    }
    return value;
  };

  const walk = async (nodes: readonly TemplateNode[], dot: TemplateValue): Promise<void> => {
    for (const node of nodes) {
      if (node.type === 'text') {
        write(node.text, 0);
        continue;
      }
      if (node.type === 'action') {
        const value = await evalPipeline(node.pipeline, dot);
        if (node.pipeline.variables.length === 0) write(printValue(value), node.offset);
        continue;
      }
      const mark = variables.length;
      if (node.type === 'range') {
        await walkRange(node, dot);
      } else {
        const value = await evalPipeline(node.pipeline, dot);
        if (isTruthy(value)) await walk(node.body, node.type === 'with' ? value : dot);
        else if (node.elseBody !== undefined) await walk(node.elseBody, dot);
      }
      variables.length = mark;
    }
  };

  const walkRange = async (node: BlockNode, dot: TemplateValue): Promise<void> => {
    const { variables: names } = node.pipeline;
    const source = await evalPipeline({ ...node.pipeline, variables: [] }, dot);
    let entries: Array<[TemplateValue, TemplateValue]>;
    if (source === null || source === undefined) entries = [];
    else if (Array.isArray(source)) entries = source.map((item: TemplateValue, i) => [i, item]);
    else if (source instanceof Map) {
      const map = source as ReadonlyMap<string, TemplateValue>;
      entries = [...map.keys()].sort().map((key) => [key, map.get(key)]);
    } else if (typeof source === 'number' && Number.isInteger(source) && source >= 0) {
      entries = Array.from({ length: source }, (_, i) => [i, i]);
    } else return fail(node.offset, `range can't iterate over a ${describeType(source)}`);
    if (entries.length === 0) {
      if (node.elseBody !== undefined) await walk(node.elseBody, dot);
      return;
    }
    for (const [key, item] of entries) {
      iterations += 1;
      if (iterations > limits.maxIterations) fail(node.offset, `over ${limits.maxIterations} range iterations`);
      const mark = variables.length;
      if (names.length === 1) variables.push({ name: names[0] ?? '', value: item });
      if (names.length === 2)
        variables.push({ name: names[0] ?? '', value: key }, { name: names[1] ?? '', value: item });
      await walk(node.body, item);
      variables.length = mark;
    }
  };

  await walk(template.nodes, data);
  return chunks.join('');
}

function describeArg(arg: ArgNode): string {
  switch (arg.type) {
    case 'field':
      return `.${arg.names.join('.')}`;
    case 'variable':
      return `$${[arg.name, ...arg.names].join('.')}`;
    case 'string':
      return JSON.stringify(arg.value);
    case 'number':
    case 'bool':
      return String(arg.value);
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'function':
      return arg.name;
    case 'pipeline':
      return '(…)';
  }
}
