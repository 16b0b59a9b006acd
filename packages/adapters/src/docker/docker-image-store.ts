/**
 * The image store on a Docker Engine: the images this Slipway built (those carrying its namespace label, which the
 * builder puts on every image it builds), and their removal when no retained release needs them.
 */
import type { ImageStore, StoredImage } from '@slipway/core';
import { engineError, engineStatusOf, namespaceLabel, type DockerEngine } from './docker-engine.js';

export interface DockerImageStoreOptions {
  engine: DockerEngine;
  /** The value of the `slipway.namespace` label on the images this Slipway builds. */
  namespace: string;
}

export function createDockerImageStore(options: DockerImageStoreOptions): ImageStore {
  const { engine, namespace } = options;
  const client = engine.client;

  return {
    async listBuilt(): Promise<StoredImage[]> {
      let images: Awaited<ReturnType<typeof client.listImages>>;
      try {
        images = await client.listImages({ filters: { label: [`${namespaceLabel}=${namespace}`] } });
      } catch (error) {
        throw engineError(error, 'listing images');
      }
      const byId = new Map<string, StoredImage>();
      for (const image of images) {
        const references = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
        const known = byId.get(image.Id);
        if (known !== undefined) {
          known.references = [...new Set([...known.references, ...references])];
          continue;
        }
        byId.set(image.Id, { id: image.Id, references, sizeBytes: image.Size, createdAtMs: image.Created * 1000 });
      }
      return [...byId.values()].sort((a, b) => b.createdAtMs - a.createdAtMs || a.id.localeCompare(b.id));
    },

    async remove(id: string): Promise<'removed' | 'in-use' | 'absent'> {
      let tags: string[];
      try {
        const image = await client.getImage(id).inspect();
        tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
      } catch (error) {
        if (engineStatusOf(error) === 404) return 'absent';
        throw engineError(error, `inspecting image ${id}`);
      }
      // Untagging succeeds even while a container uses the image, so a used image must be found before any tag goes.
      if (await isUsedByContainer(id)) return 'in-use';
      // Removing by id refuses an image with several tags; removing its tags one by one deletes it with the last.
      const names = tags.length <= 1 ? [id] : tags;
      for (const name of names) {
        try {
          await client.getImage(name).remove({ force: false, noprune: false });
        } catch (error) {
          const status = engineStatusOf(error);
          if (status === 409) return 'in-use';
          if (status === 404) continue;
          throw engineError(error, `removing image ${name}`);
        }
      }
      return 'removed';
    },
  };

  /** Whether any container, running or not, runs this image or an image built on it. */
  async function isUsedByContainer(id: string): Promise<boolean> {
    try {
      const containers = await client.listContainers({ all: true, filters: { ancestor: [id] } });
      return containers.length > 0;
    } catch (error) {
      throw engineError(error, `listing the containers of image ${id}`);
    }
  }
}
