// Builds the dashboard's static files into dist/dashboard/ (served by `aigw serve` under /dashboard/):
//   app/…            the UI (src/gateway/dashboard/ui/*.tsx), compiled by tsc with its own tsconfig
//   vendor/…         Preact (+ hooks, JSX runtime) and uPlot, copied from node_modules at build time
//   index.html, style.css, vendor/LICENSES.txt
// Bare module specifiers (`preact`, `uplot`…) are rewritten to relative paths, so the page needs no
// import map, no bundler and nothing from the internet; the build fails if one is left.
// Run after tsc: `node scripts/build-dashboard.mjs` (part of `npm run build`).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ui = join(root, 'src', 'gateway', 'dashboard', 'ui');
const out = join(root, 'dist', 'dashboard');
const vendor = join(out, 'vendor');
const require = createRequire(import.meta.url);
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

rmSync(out, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ui, 'tsconfig.json')], { stdio: 'inherit' });

/** Vendored files: [source in the package, file name under vendor/]. */
const preact = pkgDir('preact');
const uplot = pkgDir('uplot');
const FILES = [
  [join(preact, 'dist', 'preact.mjs'), 'preact.mjs'],
  [join(preact, 'hooks', 'dist', 'hooks.mjs'), 'preact-hooks.mjs'],
  [join(preact, 'jsx-runtime', 'dist', 'jsxRuntime.mjs'), 'preact-jsx-runtime.mjs'],
  [join(uplot, 'dist', 'uPlot.esm.js'), 'uplot.mjs'],
  [join(uplot, 'dist', 'uPlot.min.css'), 'uplot.css'],
];
const SPECIFIERS = { preact: 'preact.mjs', 'preact/hooks': 'preact-hooks.mjs', 'preact/jsx-runtime': 'preact-jsx-runtime.mjs', uplot: 'uplot.mjs' };

/** `from "x"` / `import "x"` with a bare specifier → the vendored file, relative to `file`. */
function rewrite(file) {
  const text = readFileSync(file, 'utf8');
  const done = text.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(["'])([a-zA-Z@][\w@/.-]*)\2/g, (m, head, q, spec) => {
    const target = SPECIFIERS[spec];
    if (!target) throw new Error(`${relative(root, file)}: bare import '${spec}' has no vendored file (scripts/build-dashboard.mjs)`);
    let rel = relative(dirname(file), join(vendor, target)).split('\\').join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${head}${q}${rel}${q}`;
  });
  writeFileSync(file, done);
}

for (const [src, name] of FILES) copyFileSync(src, join(vendor, name));
const walk = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
// the app and the Preact files import each other by bare names; uPlot imports nothing
for (const f of [...walk(join(out, 'app')), join(vendor, 'preact-hooks.mjs'), join(vendor, 'preact-jsx-runtime.mjs')]) if (f.endsWith('.js') || f.endsWith('.mjs')) rewrite(f);
for (const f of ['index.html', 'style.css']) copyFileSync(join(ui, f), join(out, f));
const license = (name, dir) => `${name} (${JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version}):\n\n${readFileSync(join(dir, 'LICENSE'), 'utf8')}`;
writeFileSync(join(vendor, 'LICENSES.txt'), `${license('preact', preact)}\n\n${license('uplot', uplot)}`);
