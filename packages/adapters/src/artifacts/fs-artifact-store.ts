/** Release artifacts and deployment workspaces as directories under the data dir. */
import { constants } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { maxManifestBytes, SlipwayError } from '@slipway/contract';
import type { ArtifactStore } from '@slipway/core';
import { readSourceFile } from '../source/source-file.js';
import { manifestTooLarge, parseManifestYaml } from './manifest-yaml.js';

const exists = (path: string): Promise<boolean> =>
  access(path, constants.F_OK).then(
    () => true,
    () => false,
  );

export function createFsArtifactStore(options: { dataDir: string }): ArtifactStore {
  const workRoot = join(options.dataDir, 'work');
  const releaseRoot = join(options.dataDir, 'releases');
  const uploadRoot = join(options.dataDir, 'uploads');
  const workspaceOf = (deploymentId: string): string => join(workRoot, deploymentId);
  const artifactOf = (releaseId: string): string => join(releaseRoot, releaseId);

  return {
    async createWorkspace(deploymentId) {
      const dir = workspaceOf(deploymentId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      return dir;
    },
    uploadPath: (deploymentId) => join(uploadRoot, `${deploymentId}.tar.gz`),
    async promote(deploymentId, releaseId) {
      const target = artifactOf(releaseId);
      if (await exists(target)) return target;
      const workspace = workspaceOf(deploymentId);
      if (!(await exists(workspace)))
        throw new SlipwayError('INTERNAL', `neither the workspace nor the artifact of release ${releaseId} exists`);
      await mkdir(releaseRoot, { recursive: true });
      await rename(workspace, target);
      return target;
    },
    hasArtifact: (releaseId) => exists(artifactOf(releaseId)),
    async deleteArtifact(dir) {
      await rm(dir, { recursive: true, force: true });
    },
    async cleanDeployment(deploymentId) {
      await rm(workspaceOf(deploymentId), { recursive: true, force: true });
      await rm(join(uploadRoot, `${deploymentId}.tar.gz`), { force: true });
    },
    async readManifest(dir) {
      for (const name of ['slipway.yaml', 'slipway.yml']) {
        const text = await readSourceFile(dir, name, { maxBytes: maxManifestBytes, tooLarge: manifestTooLarge });
        if (text !== undefined) return parseManifestYaml(text, name);
      }
      return undefined;
    },
  };
}
