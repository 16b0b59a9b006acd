/** Stacks: compose projects as apps of one project, deployed together in dependency order (docs/stacks.md). */
export type * from './stack-records.js';
export type { StackRepository } from '../ports/stack-repository.js';
export type { RepositoryFiles } from '../ports/repository-files.js';
export {
  advanceStackDeployment,
  advanceStackDeployments,
  deployStack,
  rollbackStack,
  type DeployStackOptions,
  type StackCommitSource,
} from './deploy-stack.js';
export {
  getStack,
  listStacks,
  putStack,
  removeStack,
  type PutStackInput,
  type PutStackResult,
  type StackSourceInput,
} from './stacks.js';
export { stackDeploymentView, stackView } from './stack-views.js';
