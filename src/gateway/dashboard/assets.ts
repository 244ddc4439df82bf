/**
 * The dashboard's static files: built by `npm run build` into `dist/dashboard/` (the UI compiled
 * by tsc, Preact and uPlot copied from node_modules; see scripts/build-dashboard.mjs) and shipped in
 * the package. Nothing is fetched from the internet: the page loads only these files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

export interface Asset {
  type: string;
  body: Buffer;
}

/** `dist/dashboard` of the aigw package this module belongs to (from src/ in tests, dist/src/ when built). */
export function assetsDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name;
      if (name === 'aigw') return join(dir, 'dist', 'dashboard');
    }
    dir = dirname(dir);
  }
  return null;
}

/** Every file under `dir` by its URL path (`index.html`, `app/main.js`, `vendor/preact.mjs`…), read once. */
export function loadAssets(dir: string | null): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (dir === null || !existsSync(dir)) return out;
  const walk = (sub: string): void => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = join(dir, rel);
      if (statSync(full).isDirectory()) walk(rel);
      else {
        const type = TYPES[extname(name)];
        if (type) out.set(rel, { type, body: readFileSync(full) });
      }
    }
  };
  walk('');
  return out;
}
