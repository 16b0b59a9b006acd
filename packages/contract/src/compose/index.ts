/** The docker compose vocabulary Slipway maps, shared by the CLI (which reads the files) and slipwayd (which plans stacks). */
export {
  assertNoComposeIssues,
  envFilesOf,
  parseComposeText,
  unsetWarnings,
  type ComposeFile,
  type ComposeIssue,
  type ComposeService,
  type ParsedCompose,
} from './compose-document.js';
export {
  createInterpolationReport,
  parseEnvFile,
  type InterpolationReport,
  type VariableLookup,
} from './compose-interpolation.js';
export { composeDirOf, joinComposePath } from './compose-path.js';
export {
  appNameOf,
  planStack,
  stackNameFrom,
  type ComposeNotice,
  type ManifestInput,
  type PlanStackOptions,
  type StackAppPlan,
  type StackAppSource,
  type StackPlan,
} from './compose-plan.js';
