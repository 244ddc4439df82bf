// bench/profile/icu-pages.mjs — which pages of the node binary a process has resident, and within
// ICU's data (the `icudt*_dat` blob node links in, ~33 MiB) which of its items they belong to.
// File-backed pages count in RSS like any other: a bare node has ~0.5 MiB of ICU resident, and one
// `toLocaleString('en-US')` makes V8 open every locale's bundle to list the available locales
// (+5 MiB; bench/README.md "ICU's locale data at start").
//   node bench/profile/icu-pages.mjs <pid> [--top 20]      (as root: /proc/<pid>/pagemap; needs nm, from binutils)
// or, to look at `aigw serve` itself:
//   node bench/profile/icu-pages.mjs --serve examples/quickstart.yaml
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { arg } from '../harness.mjs';

const PAGE = 4096;
const top = arg('top', 20);
const exe = process.execPath;

/** Sections of the node binary: name → {addr, offset, size} (readelf -S). */
function sections() {
  const out = execFileSync('readelf', ['-SW', exe], { encoding: 'utf8' });
  const map = new Map();
  for (const m of out.matchAll(/\]\s+(\.\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/g)) {
    map.set(m[1], { addr: parseInt(m[2], 16), offset: parseInt(m[3], 16), size: parseInt(m[4], 16) });
  }
  return map;
}

/** ICU's common data: its address and size (nm), and its table of contents (name, offset). */
function icu(secs) {
  const line = execFileSync('nm', ['-S', exe], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').find((l) => / icudt\d+_dat$/.test(l));
  if (!line) throw new Error(`no icudt*_dat symbol in ${exe} (a node built without full ICU, or stripped)`);
  const [addr, size] = line.split(' ').map((x) => parseInt(x, 16));
  const ro = secs.get('.rodata');
  const buf = Buffer.alloc(size);
  const fd = openSync(exe, 'r');
  readSync(fd, buf, 0, size, addr - ro.addr + ro.offset);
  closeSync(fd);
  const toc = buf.readUInt16LE(0); // the header's size: the table of contents follows it
  const n = buf.readUInt32LE(toc);
  const items = [];
  for (let i = 0; i < n; i++) {
    const nameAt = toc + buf.readUInt32LE(toc + 4 + 8 * i);
    items.push({ at: toc + buf.readUInt32LE(toc + 8 + 8 * i), name: buf.toString('latin1', nameAt, buf.indexOf(0, nameAt)) });
  }
  items.sort((a, b) => a.at - b.at);
  return { addr, size, items };
}

/** Resident pages of [from, to) in the process (pagemap bit 63). */
function resident(pid, from, to) {
  const first = Math.floor(from / PAGE);
  const count = Math.ceil(to / PAGE) - first;
  const buf = Buffer.alloc(count * 8);
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  readSync(fd, buf, 0, buf.length, first * 8);
  closeSync(fd);
  const pages = [];
  for (let i = 0; i < count; i++) if (buf.readBigUInt64LE(i * 8) >> 63n) pages.push((first + i) * PAGE);
  return pages;
}

export function report(pid) {
  const secs = sections();
  const lines = [];
  for (const name of ['.text', '.rodata']) {
    const s = secs.get(name);
    lines.push(`${name}: ${(resident(pid, s.addr, s.addr + s.size).length * 4).toLocaleString('en-US')} KiB resident of ${Math.round(s.size / 1024).toLocaleString('en-US')}`);
  }
  const data = icu(secs);
  const pages = resident(pid, data.addr, data.addr + data.size);
  const per = new Map();
  let j = 0;
  for (const p of pages) {
    const rel = Math.max(0, p - data.addr);
    while (j + 1 < data.items.length && data.items[j + 1].at <= rel) j++;
    const name = data.items[j].at <= rel ? data.items[j].name : '(header and table of contents)';
    per.set(name, (per.get(name) ?? 0) + 4);
  }
  lines.push(`ICU data: ${(pages.length * 4).toLocaleString('en-US')} KiB resident of ${Math.round(data.size / 1024).toLocaleString('en-US')}, in ${per.size} of ${data.items.length} items; the largest:`);
  for (const [name, kib] of [...per].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${String(kib).padStart(6)} KiB  ${name}`);
  return lines.join('\n');
}

const serveFile = arg('serve', '');
if (serveFile) {
  const cli = new URL('../../dist/bin/aigw.js', import.meta.url).pathname;
  const p = spawn(exe, [cli, 'serve', serveFile, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  for (const s of [p.stdout, p.stderr]) s.on('data', (b) => { out += b; });
  const t0 = Date.now();
  while (!/proxy listening/.test(out)) {
    if (p.exitCode !== null || Date.now() - t0 > 30_000) throw new Error(`aigw serve did not listen:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`aigw serve ${serveFile}, 2 s after listening (RSS ${readFileSync(`/proc/${p.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]} kB):`);
  console.log(report(p.pid));
  p.kill('SIGTERM');
} else {
  const pid = Number(process.argv[2]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('usage: node bench/profile/icu-pages.mjs <pid> | --serve <state file>');
  console.log(report(pid));
}
