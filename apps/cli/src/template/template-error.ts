/** Errors of the template engine: a message located at `name:line:column` of the template, as a coded error. */
import { SlipwayError } from '@slipway/contract';

/** A position in a template: 1-based line and column (columns count characters, not bytes). */
export interface TemplatePosition {
  line: number;
  column: number;
}

/** Turns offsets into line:column positions of one template source. */
export interface PositionIndex {
  at(offset: number): TemplatePosition;
}

export function createPositionIndex(source: string): PositionIndex {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i += 1) if (source[i] === '\n') lineStarts.push(i + 1);
  return {
    at(offset) {
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if ((lineStarts[middle] ?? 0) <= offset) low = middle;
        else high = middle - 1;
      }
      return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
    },
  };
}

/**
 * A template that cannot be parsed or evaluated. `isMissingData` marks an evaluation that needs data the catalog
 * does not hold yet (a `key` that does not exist): `template watch` waits for it instead of giving up.
 */
export class TemplateError extends SlipwayError {
  readonly templateName: string;
  readonly position: TemplatePosition;
  readonly isMissingData: boolean;

  constructor(templateName: string, position: TemplatePosition, reason: string, isMissingData = false) {
    super('VALIDATION_FAILED', `${templateName}:${position.line}:${position.column}: ${reason}`, {
      details: { template: templateName, line: position.line, column: position.column, reason },
    });
    this.templateName = templateName;
    this.position = position;
    this.isMissingData = isMissingData;
  }
}

/** Thrown by a template function; the evaluator adds where in the template it was called. */
export class TemplateFunctionError extends Error {
  readonly isMissingData: boolean;

  constructor(message: string, isMissingData = false) {
    super(message);
    this.name = 'TemplateFunctionError';
    this.isMissingData = isMissingData;
  }
}
