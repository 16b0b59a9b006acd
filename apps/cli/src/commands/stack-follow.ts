/** Follows a stack deployment: each service's deployment narrated in deployment order, then the stack's outcome. */
import type { StackDeploymentView } from '@slipway/contract';
import type { CommandRun } from '../cli-context.js';
import { createDeploymentNarrator, followDeployment, reportOutcome } from '../follow-deployment.js';

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

type ServiceState = StackDeploymentView['services'][number];

const isSettled = (service: ServiceState) =>
  service.state === 'succeeded' || service.state === 'failed' || service.state === 'skipped';

/**
 * Narrates the stack deployment until it ends and reports it; true when it succeeded, undefined when the run was
 * interrupted (slipwayd goes on deploying the stack without the CLI).
 */
export async function followStackDeployment(
  run: CommandRun,
  started: StackDeploymentView,
): Promise<StackDeploymentView | undefined> {
  const client = run.client();
  const signal = run.io.signal;
  let current = started;
  const total = current.services.length;
  const followed = new Set<string>();
  const refresh = async () => {
    current = (await client.stacks.deployment(current.stack, current.id)).deployment;
  };
  for (const [index, name] of current.services.map((s) => s.service).entries()) {
    for (;;) {
      const service = current.services.find((s) => s.service === name);
      if (service === undefined) break;
      if (service.deploymentId !== null && !followed.has(name)) {
        followed.add(name);
        if (!run.isJson) {
          run.out.line();
          run.out.line(run.out.style.bold(`[${index + 1}/${total}] ${service.app} (service ${service.service})`));
          run.out.line(
            run.out.style.dim(`deployment ${service.deploymentId} of ${service.app} (${current.environment})`),
          );
        }
        const final = await followDeployment(
          run,
          service.deploymentId,
          run.isJson ? undefined : createDeploymentNarrator(run.out),
        );
        if (final === undefined) return undefined;
        if (!run.isJson) reportOutcome(run.out, final);
        break;
      }
      if (isSettled(service)) {
        if (service.state === 'skipped' && !run.isJson)
          run.out.line(run.out.style.dim(`[${index + 1}/${total}] ${service.app} skipped: ${service.reason ?? ''}`));
        if (service.state === 'failed' && service.deploymentId === null && !run.isJson)
          run.out.line(run.out.style.red(`[${index + 1}/${total}] ${service.app}: ${service.reason ?? 'failed'}`));
        break;
      }
      if (signal?.aborted === true) return undefined;
      await sleep(run.timing.pollIntervalMs, signal);
      await refresh();
    }
    await refresh();
  }
  while (current.state === 'running') {
    if (signal?.aborted === true) return undefined;
    await sleep(run.timing.pollIntervalMs, signal);
    await refresh();
  }
  return current;
}

/** The stack's closing lines; returns whether it succeeded. */
export function reportStackOutcome(run: CommandRun, deployment: StackDeploymentView, verb: string): boolean {
  if (run.isJson) {
    run.out.json({ deployment });
    return deployment.state === 'succeeded';
  }
  const done = deployment.services.filter((s) => s.state === 'succeeded').map((s) => s.app);
  if (deployment.state === 'succeeded') {
    run.out.line();
    run.out.line(run.out.style.green(`${verb} stack ${deployment.stack}: ${done.join(', ')} deployed`));
    return true;
  }
  const failed = deployment.services.filter((s) => s.state === 'failed');
  const skipped = deployment.services.filter((s) => s.state === 'skipped').map((s) => s.app);
  const first = failed[0];
  const why =
    first === undefined
      ? (deployment.reason ?? 'failed')
      : first.deploymentId === null
        ? (first.reason ?? 'failed')
        : `deployment ${first.deploymentId} failed`;
  run.err.line(
    run.err.style.red(
      `stack ${deployment.stack} stopped at service ${first?.service ?? '?'} (app ${first?.app ?? '?'}): ${why}; ` +
        `${done.length === 0 ? 'nothing deployed before it' : `deployed and running: ${done.join(', ')}`}` +
        `${skipped.length === 0 ? '' : `; not deployed: ${skipped.join(', ')}`}`,
    ),
  );
  return false;
}

/** Starts the stack's deployment in slipwayd and follows it to its end. */
export async function deployAndFollow(
  run: CommandRun,
  name: string,
  request: { environment?: string | undefined; ref?: string | undefined; commit?: string | undefined },
  verb: string,
): Promise<void> {
  const body = {
    ...(request.ref === undefined ? {} : { ref: request.ref }),
    ...(request.commit === undefined ? {} : { commit: request.commit }),
  };
  const { deployment } = await run.client().stacks.deploy(name, body, { environment: request.environment });
  await followAndReportStack(run, deployment, verb);
}

export async function followAndReportStack(run: CommandRun, started: StackDeploymentView, verb: string): Promise<void> {
  if (!run.isJson)
    run.out.line(run.out.style.dim(`stack deployment ${started.id} of ${started.stack} (${started.environment})`));
  const final = await followStackDeployment(run, started);
  if (final === undefined) {
    run.err.line(
      `stopped following; stack deployment ${started.id} goes on in slipwayd (slipway stack show ${started.stack})`,
    );
    run.fail(130);
    return;
  }
  if (!reportStackOutcome(run, final, verb)) run.fail();
}
