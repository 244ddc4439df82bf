/**
 * The dashboard in a real headless Chromium (Debian's `chromium`; `.ci/run` installs it), driven by
 * playwright-core: the page loads, traffic sent through the gateway shows up live with its tokens and
 * cost, a refused request names the refusing plugin, and the flow lists the plugins in order.
 * Screenshots are kept in test-artifacts/dashboard/ (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/net.js';
import { serveDashboard, type Served } from '../../helpers/serve-dashboard.js';

const CHROMIUM = process.env.AIGW_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const chat = (s: Served, key: string) =>
  request(`${s.proxyUrl}/ai/chat`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: key }, body: JSON.stringify({ messages: [{ role: 'user', content: 'What is 1 + 1?' }] }) });

/** The UI's cost format (ui/format.ts). */
const costText = (v: number): string => (v === 0 ? '$0' : v < 0.01 ? `$${v.toFixed(6)}` : `$${v.toFixed(4)}`);

describe('dashboard in headless Chromium', () => {
  let s: Served;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await serveDashboard();
    profile = mkdtempSync(join(tmpdir(), 'aigw-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    // the page may load only what the gateway serves
    await ctx.route((url) => !url.href.startsWith(s.adminUrl), (r) => {
      errors.push(`request outside the gateway: ${r.request().url()}`);
      return r.abort();
    });
  }, 90_000);

  afterAll(async () => {
    await ctx?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await s?.close();
  });

  it('shows requests live with tokens and cost, and the plugin that refused one', async () => {
    await page.goto(`${s.dashboardUrl}#traffic`);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toBe('live');
    const ok = await chat(s, 'demo-key');
    expect(ok.status).toBe(200);
    const id = String(ok.headers['x-kong-request-id']);
    const usage = ok.json<{ usage: { prompt_tokens: number; completion_tokens: number } }>().usage;
    const refused = await chat(s, 'not-a-key');
    expect(refused.status).toBe(401);

    const row = page.locator(`[data-testid=request-row][data-request-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('cell-tokens').textContent()).toBe(`${usage.prompt_tokens} / ${usage.completion_tokens}`);
    expect(await row.getByTestId('cell-cost').textContent()).toBe(costText((usage.prompt_tokens * 2.5 + usage.completion_tokens * 10) / 1e6));
    expect(await row.getByTestId('cell-model').textContent()).toBe('openai/gpt-4o');
    expect(await row.getByTestId('cell-consumer').textContent()).toBe('demo-app');

    const bad = page.locator(`[data-testid=request-row][data-request-id="${String(refused.headers['x-kong-request-id'])}"]`);
    await bad.waitFor({ timeout: 15_000 });
    expect(await bad.getByTestId('refused-by').textContent()).toContain('refused by key-auth');

    await row.click();
    const detail = page.getByTestId('request-detail');
    await detail.waitFor();
    await expect.poll(() => page.getByTestId('path-taken').textContent()).toContain('key-auth ✓ → rate-limiting ✓ → ai-proxy ✓');
    await expect.poll(() => detail.textContent()).toContain('[masked]');
    await expect.poll(() => page.getByTestId('payload').textContent()).toContain('What is 1 + 1?');
    await shot('traffic');

    await page.getByTestId('filter-text').fill('key-auth');
    await expect.poll(() => page.getByTestId('request-row').count()).toBe(1);
    await page.getByTestId('filter-text').fill('');
  }, 90_000);

  it('draws the flow with the plugins in execution order and live counts', async () => {
    await page.getByTestId('tab-flow').click();
    const route = page.locator('[data-testid=flow-route][data-route="ai-chat"]');
    await route.waitFor();
    const plugins = await route.getByTestId('flow-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-plugin')));
    expect(plugins).toEqual(['key-auth', 'rate-limiting', 'ai-proxy', 'prometheus']);
    await expect.poll(() => route.locator('[data-plugin="key-auth"]').getByTestId('step-refused').textContent(), { timeout: 5000 }).toContain('1 refused');
    expect(await route.locator('[data-testid=flow-target][data-target="openai/gpt-4o"] .count').textContent()).toBe('1');
    await shot('flow');
  }, 90_000);

  it('shows totals, limits and the config', async () => {
    // the rate-limiting counter lives for its minute: count one now, so a slow run crossing a minute still shows it
    expect((await chat(s, 'demo-key')).status).toBe(200);
    await page.getByTestId('tab-totals').click();
    await expect.poll(() => page.getByTestId('kpi-cost').textContent(), { timeout: 10_000 }).toMatch(/^\$0\.0*[1-9]\d*$/);
    // if the minute turns between that request and the page's query, the row is gone (CI hit this in
    // api.test.ts): count again, and the page's next refresh (every 5 s) shows the new minute's row
    const row = page.getByTestId('limits').filter({ hasText: 'consumer demo-app' });
    let shown = await row.waitFor({ timeout: 15_000 }).then(() => true, () => false);
    if (!shown) {
      expect((await chat(s, 'demo-key')).status).toBe(200);
      shown = await row.waitFor({ timeout: 15_000 }).then(() => true, () => false);
    }
    expect(shown, 'the limits table shows the rate-limiting row of consumer demo-app').toBe(true);
    await page.getByTestId('chart').first().waitFor();
    await shot('totals');
    await page.getByTestId('tab-config').click();
    await page.getByTestId('entities').waitFor();
    expect(await page.getByTestId('reload').first().textContent()).toContain('serving');
    await shot('config');
    expect(errors).toEqual([]);
  }, 90_000);
});
