/** The catalog's check runner: each definition to its probe (HTTP, TCP, gRPC health, script); never rejects. */
import type { CatalogCheckRunner, CheckRunResult } from '@slipway/core';
import { boundOutput, describeError } from './check-output.js';
import { runGrpcCheck } from './grpc-check.js';
import { runHttpCheck } from './http-check.js';
import { runScriptCheck } from './script-check.js';
import { runTcpCheck } from './tcp-check.js';

export function createCatalogCheckRunner(): CatalogCheckRunner {
  return {
    async run(definition, signal): Promise<CheckRunResult> {
      try {
        switch (definition.type) {
          case 'http':
            return await runHttpCheck(definition, signal);
          case 'tcp':
            return await runTcpCheck(definition, signal);
          case 'grpc':
            return await runGrpcCheck(definition, signal);
          case 'script':
            return await runScriptCheck(definition, signal);
        }
      } catch (error) {
        return { status: 'critical', output: boundOutput(`check failed to run: ${describeError(error)}`) };
      }
    },
  };
}
