// The Node flags slipwayd runs with, wherever it is started from (`npm start`, the benchmarks).
//
// A 4 MiB young-generation semi-space instead of Node's default of up to 16 MiB: slipwayd is a control plane that
// allocates in bursts (start-up, deployments) and then idles, and the pages a large semi-space once touched stay
// resident; this keeps about 12 MiB of idle RSS off, for scavenges that run a little more often.
export const slipwaydNodeFlags = ['--max-semi-space-size=4'];
