/** One render of a template from the catalog: the output, or why not, and the catalog queries it made either way. */
import type { CatalogDependency, CatalogTemplateSource } from './catalog-template-functions.js';
import { createCatalogTemplateFunctions } from './catalog-template-functions.js';
import { builtinFunctions } from './template-builtins.js';
import { TemplateError } from './template-error.js';
import { renderTemplate } from './template-evaluator.js';
import type { ParsedTemplate } from './template-parser.js';

export type CatalogRenderResult =
  | { isRendered: true; output: string; dependencies: Map<string, CatalogDependency> }
  | { isRendered: false; error: TemplateError; dependencies: Map<string, CatalogDependency> };

/**
 * Renders `template` with the builtins and the catalog's functions. A template error (a missing key, a field that is
 * not there) is a result, so a watcher can wait for the data; a catalog that cannot be reached still throws.
 */
export async function renderCatalogTemplate(
  template: ParsedTemplate,
  source: CatalogTemplateSource,
): Promise<CatalogRenderResult> {
  const dependencies = new Map<string, CatalogDependency>();
  const functions = { ...builtinFunctions, ...createCatalogTemplateFunctions(source, dependencies) };
  try {
    const output = await renderTemplate(template, functions, null);
    return { isRendered: true, output, dependencies };
  } catch (error) {
    if (error instanceof TemplateError) return { isRendered: false, error, dependencies };
    throw error;
  }
}
