/** The container images Slipway built: listed with the releases that need them, and pruned of those no release needs. */
import { z } from 'zod';

export const imageSchema = z.object({
  /** Image id, `sha256:…`. */
  id: z.string(),
  references: z.array(z.string()),
  sizeBytes: z.number().int(),
  createdAt: z.string(),
  /** Retained releases that run it: while one does, prune keeps it. */
  releases: z.array(z.object({ app: z.string(), environment: z.string(), number: z.number().int() })),
});
export type ImageView = z.infer<typeof imageSchema>;

export const listImagesResponseSchema = z.object({ images: z.array(imageSchema) });

export const pruneImagesResponseSchema = z.object({
  /** Images removed: no retained release needs them. */
  removed: z.array(imageSchema),
  /** Images kept because a retained release needs them. */
  kept: z.number().int(),
  /** Images no release needs that a container still uses (left alone; removed by a later prune). */
  inUse: z.array(imageSchema),
});
export type PruneImagesView = z.infer<typeof pruneImagesResponseSchema>;
