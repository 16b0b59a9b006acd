/**
 * Reads the classic builder's output (newline-delimited JSON messages) as it arrives: build log lines as they come,
 * the step being run, the id of the image built, and the error that ended the build.
 */
import { StringDecoder } from 'node:string_decoder';
import { lineContinuesMarker, maxLineLength } from '../runtime/line-splitter.js';

/** A Dockerfile step as the builder announces it: `Step 3/7 : RUN npm ci`. */
export interface DockerfileStep {
  /** `3/7`. */
  step: string;
  /** The instruction as written: `RUN npm ci`. */
  command: string;
}

export interface DockerfileBuildFailure {
  message: string;
  /** The step running when the build failed; undefined when it failed before its first step (a parse error). */
  step: DockerfileStep | undefined;
}

export interface DockerfileBuildOutput {
  /** Feeds a chunk of the engine's response body; complete log lines go to the log at once. */
  push(chunk: Buffer | string): void;
  /** Flushes what is left (a last line without its newline). */
  end(): void;
  /** The step last announced. */
  readonly currentStep: DockerfileStep | undefined;
  /** The image id (`sha256:…`) the engine reported, if it did. */
  readonly imageId: string | undefined;
  /**
   * The short id of the image the last step committed (` ---> 3f2a9c…`): after a failed build, the untagged layer
   * chain this build left, which nothing else may need.
   */
  readonly lastStepImageId: string | undefined;
  /** The first error the engine reported, if any. */
  readonly failure: DockerfileBuildFailure | undefined;
}

interface EngineMessage {
  stream?: unknown;
  status?: unknown;
  id?: unknown;
  aux?: { ID?: unknown };
  error?: unknown;
  errorDetail?: { message?: unknown };
}

const stepPattern = /^Step (\d+\/\d+) : (.*)$/;
// The engine colours a step's stderr with ANSI escapes (`ESC[91m` … `ESC[0m`); the build log is plain text.
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ansiEscapes = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function createDockerfileBuildOutput(log: (line: string) => void): DockerfileBuildOutput {
  const decoder = new StringDecoder('utf8');
  let pending = ''; // bytes of a JSON message not yet terminated by a newline
  let text = ''; // build output text not yet terminated by a newline (the engine splits "Step …" from its "\n")
  let currentStep: DockerfileStep | undefined;
  let imageId: string | undefined;
  let lastStepImageId: string | undefined;
  let failure: DockerfileBuildFailure | undefined;

  function emit(line: string): void {
    const trimmed = line.replace(ansiEscapes, '').trimEnd();
    if (trimmed.trim() === '') return;
    const match = stepPattern.exec(trimmed);
    if (match !== null) currentStep = { step: match[1] ?? '', command: match[2] ?? '' };
    const committed = /^ ---> ([0-9a-f]{12,64})$/.exec(trimmed);
    if (committed !== null) lastStepImageId = committed[1];
    log(trimmed);
  }

  function takeText(chunk: string, flush: boolean): void {
    text += chunk;
    const lines = text.split(/\r?\n|\r/);
    text = flush ? '' : (lines.pop() ?? '');
    for (const line of lines) emit(line);
    // A step printing without a newline is passed on in pieces rather than held: the cap bounds what waits here.
    while (text.length > maxLineLength) {
      emit(text.slice(0, maxLineLength) + lineContinuesMarker);
      text = text.slice(maxLineLength);
    }
  }

  function handle(message: EngineMessage): void {
    if (typeof message.stream === 'string') {
      takeText(message.stream, false);
    } else if (typeof message.status === 'string') {
      // Pull progress of a base image: one line per status change, without the progress bars.
      takeText(`${typeof message.id === 'string' ? `${message.id}: ` : ''}${message.status}\n`, false);
    }
    if (typeof message.aux?.ID === 'string') imageId = message.aux.ID;
    const error =
      typeof message.errorDetail?.message === 'string'
        ? message.errorDetail.message
        : typeof message.error === 'string'
          ? message.error
          : undefined;
    if (error !== undefined && failure === undefined) {
      takeText('', true);
      failure = { message: error, step: currentStep };
      log(`error: ${error}`);
    }
  }

  function handleLine(line: string): void {
    if (line.trim() === '') return;
    let message: EngineMessage;
    try {
      message = JSON.parse(line) as EngineMessage;
    } catch {
      takeText(`${line}\n`, false); // not JSON: an engine or proxy speaking plain text; keep it readable
      return;
    }
    if (message !== null && typeof message === 'object') handle(message);
  }

  return {
    push(chunk) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) handleLine(line);
      // The engine's messages are small; one that grows past the cap is not one of them: it is shown as text.
      if (pending.length > maxLineLength) {
        handleLine(pending);
        pending = '';
      }
    },
    end() {
      handleLine(pending + decoder.end());
      pending = '';
      takeText('', true);
    },
    get currentStep() {
      return currentStep;
    },
    get imageId() {
      return imageId;
    },
    get lastStepImageId() {
      return lastStepImageId;
    },
    get failure() {
      return failure;
    },
  };
}
