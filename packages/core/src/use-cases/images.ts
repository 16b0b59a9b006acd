/**
 * The images Slipway built, and pruning them: an image a retained release runs is kept, so a rollback always finds
 * its image; any other is removed, unless a container still uses it.
 */
import type { ImageView, PruneImagesView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ImageStore, StoredImage } from '../ports/image-store.js';

type ImageDeps = Pick<CoreDeps, 'store' | 'images' | 'logger'>;
type ReleaseUse = ImageView['releases'][number];

/** Image id → the retained releases that run it. */
async function releasesByImage(deps: Pick<CoreDeps, 'store'>): Promise<Map<string, ReleaseUse[]>> {
  const uses = new Map<string, ReleaseUse[]>();
  for (const appEnvironment of await deps.store.appEnvironments.list()) {
    const app = await deps.store.apps.findById(appEnvironment.appId);
    const environment = await deps.store.environments.findById(appEnvironment.environmentId);
    if (!app || !environment) continue;
    for (const release of await deps.store.releases.list(app.id, environment.id)) {
      if (release.image === null) continue;
      const use = { app: app.name, environment: environment.name, number: release.number };
      uses.set(release.image.digest, [...(uses.get(release.image.digest) ?? []), use]);
    }
  }
  return uses;
}

/** slipwayd without a container engine has built no image: an empty store. */
const noImages: ImageStore = { listBuilt: async () => [], remove: async () => 'absent' };

function imageStoreOf(deps: ImageDeps): ImageStore {
  return deps.images ?? noImages;
}

const view = (image: StoredImage, releases: ReleaseUse[]): ImageView => ({
  id: image.id,
  references: image.references,
  sizeBytes: image.sizeBytes,
  createdAt: new Date(image.createdAtMs).toISOString(),
  releases,
});

export async function listImages(deps: ImageDeps): Promise<ImageView[]> {
  const images = await imageStoreOf(deps).listBuilt();
  const uses = await releasesByImage(deps);
  return images.map((image) => view(image, uses.get(image.id) ?? []));
}

export async function pruneImages(deps: ImageDeps): Promise<PruneImagesView> {
  const store = imageStoreOf(deps);
  const uses = await releasesByImage(deps);
  const result: PruneImagesView = { removed: [], kept: 0, inUse: [] };
  for (const image of await store.listBuilt()) {
    if (uses.has(image.id)) {
      result.kept += 1;
      continue;
    }
    const outcome = await store.remove(image.id);
    if (outcome === 'removed') result.removed.push(view(image, []));
    if (outcome === 'in-use') result.inUse.push(view(image, []));
  }
  deps.logger.info({ removed: result.removed.length, kept: result.kept, inUse: result.inUse.length }, 'images pruned');
  return result;
}

/**
 * Removes the image of a deleted release when no release left runs it; a failure is logged, never thrown (the next
 * prune removes it).
 */
export async function releaseImageIfUnused(deps: ImageDeps, digest: string): Promise<void> {
  if (deps.images === undefined) return;
  try {
    if ((await releasesByImage(deps)).has(digest)) return;
    const outcome = await deps.images.remove(digest);
    deps.logger.info({ image: digest, outcome }, 'image of a pruned release removed');
  } catch (error) {
    deps.logger.warn({ image: digest, err: error }, 'image of a pruned release not removed');
  }
}
