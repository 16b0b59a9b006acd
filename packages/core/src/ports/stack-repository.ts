/** The stacks part of the Store port: stacks and their deployments. */
import type { StackDeploymentRecord, StackRecord } from '../stacks/stack-records.js';

export interface StackRepository {
  /** Errors: `STACK_ALREADY_EXISTS` when the name is taken. */
  insert(record: StackRecord): Promise<void>;
  /** Replaces the stored record (matched by id). */
  update(record: StackRecord): Promise<void>;
  findById(id: string): Promise<StackRecord | undefined>;
  findByName(name: string): Promise<StackRecord | undefined>;
  /** Ordered by name. */
  list(): Promise<StackRecord[]>;
  /** The stacks whose compose file is read from this repository, ordered by name. */
  listByRepository(repositoryId: string): Promise<StackRecord[]>;
  /** Removes the stack and its deployments (not its apps); false when there was none. */
  delete(id: string): Promise<boolean>;
  insertDeployment(record: StackDeploymentRecord): Promise<void>;
  /** Replaces the stored deployment (matched by id). */
  updateDeployment(record: StackDeploymentRecord): Promise<void>;
  findDeployment(id: string): Promise<StackDeploymentRecord | undefined>;
  /** The stack's deployments, newest first. */
  listDeployments(stackId: string, limit: number): Promise<StackDeploymentRecord[]>;
  /** Every deployment in state `running`, oldest first. */
  listRunningDeployments(): Promise<StackDeploymentRecord[]>;
}
