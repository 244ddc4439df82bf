/**
 * URL construction shared by providers: `upstream_url` replaces the computed URL entirely, and the
 * deprecated `upstream_path` replaces its path (kong.md §2.1).
 */
import { TranslationError } from '../llm/wire/errors.js';
import type { ProviderContext } from './types.js';

/**
 * `basePath`: for self-hosted providers (vllm, ollama) whose `upstream_url` may name only the server
 * (`http://host:11434`): an `upstream_url` without a path gets this one.
 */
export function resolveEndpoint(ctx: ProviderContext, computed: string | null, provider: string, basePath?: string): URL {
  const override = ctx.options.upstream_url;
  let url: URL;
  if (override !== undefined && override !== '') {
    try {
      url = new URL(override);
    } catch {
      throw new TranslationError(`invalid model.options.upstream_url: ${override}`, 500);
    }
    if (basePath !== undefined && (url.pathname === '/' || url.pathname === '')) url.pathname = basePath;
  } else if (computed === null) {
    throw new TranslationError(`must set 'model.options.upstream_url' for ${provider} provider with route type ${ctx.routeType}`, 500);
  } else {
    url = new URL(computed);
  }
  if (ctx.options.upstream_path !== undefined && ctx.options.upstream_path !== '') url.pathname = ctx.options.upstream_path;
  return url;
}

/** Percent-encodes a model name for use as one path segment. */
export function pathSegment(s: string): string {
  return encodeURIComponent(s);
}

/** Percent-encodes each `/`-separated segment of a model id that names a repository path (`org/model`). */
export function modelPath(s: string): string {
  return s.split('/').map(encodeURIComponent).join('/');
}
