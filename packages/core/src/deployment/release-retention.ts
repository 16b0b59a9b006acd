/**
 * Keeps the newest N releases (and always the current one and any still running), deleting older ones, their
 * artifacts, and their images when no release left runs them.
 */
import type { CoreDeps } from '../core-deps.js';
import { releaseImageIfUnused } from '../use-cases/images.js';

export async function pruneReleases(
  deps: Pick<CoreDeps, 'store' | 'artifacts' | 'settings' | 'logger' | 'images'>,
  appId: string,
  environmentId: string,
): Promise<number> {
  const appEnvironment = await deps.store.appEnvironments.find(appId, environmentId);
  const releases = await deps.store.releases.list(appId, environmentId);
  const running = new Set((await deps.store.instances.list({ appId, environmentId })).map((i) => i.releaseId));
  const active = await deps.store.deployments.findActive(appId, environmentId);
  const keep = new Set(releases.slice(0, deps.settings.releaseRetention).map((r) => r.id));
  if (appEnvironment?.currentReleaseId) keep.add(appEnvironment.currentReleaseId);
  if (active?.releaseId) keep.add(active.releaseId);
  for (const id of running) keep.add(id);
  const kept = releases.filter((r) => keep.has(r.id));
  const keptDirs = new Set(kept.map((r) => r.artifactDir));
  let pruned = 0;
  for (const release of releases.filter((r) => !keep.has(r.id))) {
    await deps.store.releases.delete(release.id);
    // Config releases share their artifact with the release they came from.
    if (!keptDirs.has(release.artifactDir)) await deps.artifacts.deleteArtifact(release.artifactDir);
    if (release.image !== null) await releaseImageIfUnused(deps, release.image.digest);
    pruned += 1;
  }
  if (pruned > 0) deps.logger.info({ appId, environmentId, pruned }, 'releases pruned');
  return pruned;
}
