/** Reads a Heroku-style Procfile: one `name: command` line per process type. */
import { processTypeSchema, SlipwayError } from '@slipway/contract';

/**
 * Parses Procfile text. Blank lines and `#` comments are ignored; any other line must be `name: command`
 * with a valid process type name, each name once. Errors: `SOURCE_INVALID` naming the line.
 */
export function parseProcfile(text: string): Record<string, { command: string }> {
  const processes: Record<string, { command: string }> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `Procfile line ${index + 1}`;
    const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(line);
    if (match === null) throw new SlipwayError('SOURCE_INVALID', `${where}: expected "name: command", got "${line}"`);
    const [, name = '', command = ''] = match;
    if (!processTypeSchema.safeParse(name).success) {
      throw new SlipwayError(
        'SOURCE_INVALID',
        `${where}: "${name}" is not a valid process type (lowercase letters, digits, "_" and "-", starting with a letter)`,
      );
    }
    if (command.trim() === '') throw new SlipwayError('SOURCE_INVALID', `${where}: process "${name}" has no command`);
    if (Object.hasOwn(processes, name))
      throw new SlipwayError('SOURCE_INVALID', `${where}: process "${name}" is defined twice`);
    processes[name] = { command: command.trim() };
  }
  return processes;
}
