/** Release artifacts and deployment workspaces as directories under the data dir. */
import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { renameDirectoryDurably } from '@slipway/atomic-file';
import { maxManifestBytes, SlipwayError } from '@slipway/contract';
import type { ArtifactStore } from '@slipway/core';
import { readSourceFile } from '../source/source-file.js';
import { manifestTooLarge, parseManifestYaml } from './manifest-yaml.js';

const exists = (path: string): Promise<boolean> =>
  access(path, constants.F_OK).then(
    () => true,
    () => false,
  );

const uploadSuffix = '.tar.gz';
/** An upload is written under this suffix and renamed when complete: a crash mid-upload leaves a file that says so. */
export const partialSuffix = '.partial';

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
    uploadPath: (deploymentId) => join(uploadRoot, `${deploymentId}${uploadSuffix}`),
    async promote(deploymentId, releaseId) {
      const target = artifactOf(releaseId);
      if (await exists(target)) return target;
      const workspace = workspaceOf(deploymentId);
      if (!(await exists(workspace)))
        throw new SlipwayError('INTERNAL', `neither the workspace nor the artifact of release ${releaseId} exists`);
      await mkdir(releaseRoot, { recursive: true });
      // A release promoted before a crash must still be whole after it: its records name it as built.
      await renameDirectoryDurably(workspace, target);
      return target;
    },
    hasArtifact: (releaseId) => exists(artifactOf(releaseId)),
    async deleteArtifact(dir) {
      await rm(dir, { recursive: true, force: true });
    },
    async cleanDeployment(deploymentId) {
      await rm(workspaceOf(deploymentId), { recursive: true, force: true });
      await rm(join(uploadRoot, `${deploymentId}${uploadSuffix}`), { force: true });
      await rm(join(uploadRoot, `${deploymentId}${uploadSuffix}${partialSuffix}`), { force: true });
    },
    async pruneUploads(isWanted, modifiedBeforeMs) {
      const names = await readdir(uploadRoot).catch(() => [] as string[]);
      let removed = 0;
      for (const name of names) {
        const path = join(uploadRoot, name);
        const stats = await stat(path).catch(() => undefined);
        if (stats === undefined || stats.mtimeMs >= modifiedBeforeMs) continue;
        const deploymentId = name.endsWith(uploadSuffix) ? name.slice(0, -uploadSuffix.length) : undefined;
        if (deploymentId !== undefined && (await isWanted(deploymentId))) continue;
        await rm(path, { force: true });
        removed += 1;
      }
      return removed;
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
