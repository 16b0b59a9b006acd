/** Makes a shell command replace the shell (`exec`) when that is safe, so the tracked pid is the app's own. */

const startsWithExec = /^\s*exec\s/;
const startsWithAssignment = /^\s*[A-Za-z_][A-Za-z0-9_]*=/;
/** Lists, pipes, subshells, groups, redirections before the command: `exec` would cut them short or misread them. */
const compound = /[;&|()`{}<>\n]|\$\(/;
/** Quoted text is an argument, not syntax: `node -e 'a(); b()'` is still a simple command. */
const quoted = /'[^']*'|"(?:[^"\\$`]|\\.)*"/g;

export function execCommandLine(command: string): string {
  if (startsWithExec.test(command) || startsWithAssignment.test(command) || compound.test(command.replace(quoted, 'q')))
    return command;
  return `exec ${command}`;
}
