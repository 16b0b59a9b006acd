/**
 * `slipway deploy <app>`: start a deployment from a directory, a git repository, an archive or a ready container
 * image, and follow it to its end.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { SlipwayError } from '@slipway/contract';
import type { ArchiveUpload, CreateDeploymentBody } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { followAndReport } from '../follow-deployment.js';

interface DeployOptions {
  path?: string;
  git?: string;
  archive?: string;
  image?: string;
  repo?: string;
  ref?: string;
  subdir?: string;
  environment?: string;
  follow: boolean;
}

/**
 * `https://host/repo.git#v1.2` → url and ref; the ref is whatever follows the first `#`. A relative local path
 * (`../repo`, `repo`) is resolved against `cwd`, as `--path` is: slipwayd has no notion of the caller's directory.
 */
export function parseGitSource(value: string, cwd: string): CreateDeploymentBody {
  const hash = value.indexOf('#');
  const url = absoluteGitUrl(hash === -1 ? value : value.slice(0, hash), cwd);
  const ref = hash === -1 ? '' : value.slice(hash + 1);
  return ref === '' ? { git: { url } } : { git: { url, ref } };
}

/** Anything that is not a URL (`scheme:`), an scp-like `user@host:path`, or absolute is a path relative to `cwd`. */
function absoluteGitUrl(url: string, cwd: string): string {
  const isUrlOrRemote = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || /^[^/@]+@[^/:]+:/.test(url);
  if (url === '' || url.startsWith('-') || isAbsolute(url) || isUrlOrRemote) return url;
  return resolve(cwd, url);
}

async function openArchive(run: CommandRun, file: string): Promise<ArchiveUpload> {
  const absolute = resolve(run.io.cwd, file);
  const info = await stat(absolute).catch((error: unknown) => {
    throw new SlipwayError(
      'SOURCE_INVALID',
      `cannot read archive ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  });
  if (!info.isFile()) throw new SlipwayError('SOURCE_INVALID', `archive ${file} is not a file`);
  // Streamed, so a large archive is never held in memory.
  const archive = Readable.toWeb(createReadStream(absolute)) as ReadableStream<Uint8Array>;
  return { archive, fileName: basename(absolute) };
}

export function registerDeployCommand(program: Command, ctx: CliContext): void {
  program
    .command('deploy')
    .description('build and roll out a new release of an app, following it to the end')
    .argument('<app>', 'app name')
    .option(
      '--path <dir>',
      'deploy a directory of this machine (slipwayd reads it; resolved against the current directory)',
    )
    .option('--git <url[#ref]>', 'deploy a git repository, at a branch, tag or commit after "#"')
    .option('--repo <repository>', "deploy one of the project's repositories (slipway repos add), through its mirror")
    .option('--ref <ref>', 'with --repo: a branch or full ref (default main, else master)')
    .option('--subdir <dir>', 'with --repo: deploy this directory of the repository instead of its root')
    .option('--archive <file>', 'upload and deploy a .tar.gz archive')
    .option('--image <ref>', 'deploy a container image without a build (name:tag, name@sha256:…, or an image id)')
    .addOption(environmentOption())
    .option('--no-follow', 'return once the deployment is accepted')
    .action(async (app: string, options: DeployOptions, command: Command) => {
      const run = ctx.for(command);
      const given = [options.path, options.git, options.archive, options.image, options.repo].filter(
        (v) => v !== undefined,
      );
      if (given.length !== 1)
        run.usageError(
          'deploy needs exactly one source: --path DIR, --git URL[#REF], --repo REPOSITORY, --archive FILE or --image REF',
        );
      if (options.repo === undefined && (options.ref !== undefined || options.subdir !== undefined))
        run.usageError('--ref and --subdir go with --repo');
      let source: CreateDeploymentBody | ArchiveUpload;
      if (options.path !== undefined) source = { path: resolve(run.io.cwd, options.path) };
      else if (options.image !== undefined) source = { image: options.image };
      else if (options.git !== undefined) source = parseGitSource(options.git, run.io.cwd);
      else if (options.repo !== undefined)
        source = {
          repository: {
            name: options.repo,
            ...(options.ref === undefined ? {} : { ref: options.ref }),
            ...(options.subdir === undefined ? {} : { path: options.subdir }),
          },
        };
      else source = await openArchive(run, options.archive ?? '');
      const started = await run.client().deployments.create(app, source, { environment: options.environment });
      await followAndReport(run, started, options.follow);
    });
}
