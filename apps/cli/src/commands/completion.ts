/** `slipway completion bash|zsh`: a shell completion script generated from the command tree, so it never lags behind the commands. */
import { Argument } from 'commander';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

/** One node of the command tree as the scripts see it: `slipway/config/set`. */
interface CompletionNode {
  key: string;
  words: string[];
}

export interface CompletionTree {
  nodes: CompletionNode[];
  /** Options followed by a value: complete file names after them. */
  valueOptions: string[];
}

export function collectCompletionTree(root: Command): CompletionTree {
  const nodes: CompletionNode[] = [];
  const valueOptions = new Set<string>();
  // Global options work after a subcommand too; --version does not.
  const globalFlags = root.options.flatMap((o) => (o.long === undefined || o.long === '--version' ? [] : [o.long]));
  const visit = (command: Command, key: string, isRoot: boolean) => {
    const flags = command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
    for (const option of [...command.options, ...root.options]) {
      if (option.required || option.optional)
        for (const flag of [option.long, option.short]) if (flag !== undefined) valueOptions.add(flag);
    }
    const choices = command.registeredArguments.flatMap((a) => a.argChoices ?? []);
    const words = [
      ...command.commands.map((c) => c.name()),
      ...choices,
      ...flags,
      ...(isRoot ? [] : globalFlags),
      '--help',
    ];
    nodes.push({ key, words: [...new Set(words)] });
    for (const sub of command.commands) visit(sub, `${key}/${sub.name()}`, false);
  };
  visit(root, root.name(), true);
  return { nodes, valueOptions: [...valueOptions].sort() };
}

export function renderBashCompletion(tree: CompletionTree, name: string): string {
  const paths = tree.nodes.slice(1).map((n) => n.key);
  return `# ${name} completion for bash. Enable with: source <(${name} completion bash)
_${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" key="${name}" word i
  case "$prev" in
    ${tree.valueOptions.join('|')}) COMPREPLY=(); return 0 ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$key/$word" in
      ${paths.join('|')}) key="$key/$word" ;;
    esac
  done
  local words=""
  case "$key" in
${tree.nodes.map((n) => `    ${n.key}) words="${n.words.join(' ')}" ;;`).join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _${name}_complete ${name}
`;
}

export function renderZshCompletion(tree: CompletionTree, name: string): string {
  const paths = tree.nodes.slice(1).map((n) => n.key);
  return `#compdef ${name}
# ${name} completion for zsh. Enable with: source <(${name} completion zsh)  (after compinit)
_${name}_complete() {
  local key="${name}" word i
  case "\${words[CURRENT-1]}" in
    ${tree.valueOptions.join('|')}) _files; return ;;
  esac
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "$key/$word" in
      ${paths.join('|')}) key="$key/$word" ;;
    esac
  done
  local -a candidates
  case "$key" in
${tree.nodes.map((n) => `    ${n.key}) candidates=(${n.words.join(' ')}) ;;`).join('\n')}
  esac
  compadd -- $candidates
}
compdef _${name}_complete ${name}
`;
}

export function registerCompletionCommand(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script, e.g. `source <(slipway completion bash)`')
    .addArgument(new Argument('<shell>', 'shell to complete in').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh', _options: object, command: Command) => {
      const run = ctx.for(command);
      const tree = collectCompletionTree(program);
      run.io.stdout.write(
        shell === 'bash' ? renderBashCompletion(tree, program.name()) : renderZshCompletion(tree, program.name()),
      );
    });
}
