/** The lease a leased job record stands for, the key every fenced write of its run is checked against. */
import type { JobLease, JobRecord } from './records.js';

export function leaseOf(job: JobRecord): JobLease {
  if (job.leaseOwner === null) throw new Error(`job ${job.id} is not leased`);
  return { jobId: job.id, owner: job.leaseOwner, attempt: job.attempts };
}
