/**
 * The Catalog page: the service catalog's services with their instances and checks, and its KV store browsed like
 * folders, viewed and edited with CAS. What it shows and offers is what the user's catalog ACL rules give (the API
 * filters and decides); it follows the catalog live through the `catalog` topic, whose events say its index moved.
 */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { catalogKey } from '../../api/catalog-api.js';
import { useLiveTopic } from '../../live/use-live.js';
import { CatalogServicesSection } from './catalog-services-section.js';
import { KvBrowser } from './kv-browser.js';

export function CatalogPage() {
  const queryClient = useQueryClient();
  const [index, setIndex] = useState<number | undefined>(undefined);
  useLiveTopic('catalog', (event) => {
    if (event.event !== 'catalog') return;
    const data = JSON.parse(event.data) as { index?: number };
    setIndex(data.index);
    void queryClient.invalidateQueries({ queryKey: catalogKey });
  });
  return (
    <section aria-labelledby="catalog-title">
      <div className="page-head">
        <h1 id="catalog-title">Catalog</h1>
        <span className="meta" data-testid="catalog-index">
          {index === undefined ? 'connecting…' : `live at index ${index}`}
        </span>
      </div>
      <CatalogServicesSection />
      <KvBrowser />
    </section>
  );
}
