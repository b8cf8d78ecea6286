import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { InProcessBus } from '../core/bus.ts';
import { isSkyError } from '../core/errors.ts';
import type { Coalition } from '../core/types.ts';
import { Membership } from './membership.ts';
import { startServer } from './server.ts';
import { parseTilesUrl } from './tiles.ts';
import { UserDirectory } from './users.ts';

const coalition: Coalition = {
  partners: [{ id: 'EGY', name: 'Egypt', status: 'member', releases: null }],
  sensors: [],
};

/** The page and the CSP header of a server started with these options. */
async function page(extra: { tiles?: string; demo?: boolean }): Promise<{ html: string; csp: string }> {
  const bus = new InProcessBus();
  const server = await startServer({ host: '127.0.0.1', port: 0, bus, membership: new Membership(coalition), users: new UserDirectory(), ...extra });
  try {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    return { html: await res.text(), csp: res.headers.get('content-security-policy') ?? '' };
  } finally {
    await server.close();
    await bus.close();
  }
}

const directive = (csp: string, name: string): string[] | undefined =>
  csp.split(';').map((d) => d.trim().split(/\s+/)).find((d) => d[0] === name)?.slice(1);

describe('serve --tiles: an operator tile server', () => {
  test('without it: no data-tiles on the page and the self-only CSP', async () => {
    const { html, csp } = await page({});
    assert.match(html, /<body>/);
    assert.doesNotMatch(html, /data-tiles/);
    assert.deepEqual(directive(csp, 'connect-src'), ["'self'"]);
    assert.deepEqual(directive(csp, 'img-src'), ["'self'", 'data:', 'blob:']);
    assert.doesNotMatch(csp, /https?:/);
  });

  test('with it: the template on <body data-tiles>, and exactly its origin added to connect-src and img-src', async () => {
    const tpl = 'https://tiles.example.org:8443/osm/{z}/{x}/{y}.png?key=a1&style=dark';
    const { html, csp } = await page({ tiles: tpl, demo: true });
    // & is written as &amp; in the attribute; the browser's dataset gives the template back.
    assert.match(html, /<body data-demo="1" data-tiles="https:\/\/tiles\.example\.org:8443\/osm\/\{z\}\/\{x\}\/\{y\}\.png\?key=a1&amp;style=dark">/);
    assert.deepEqual(directive(csp, 'connect-src'), ["'self'", 'https://tiles.example.org:8443']);
    assert.deepEqual(directive(csp, 'img-src'), ["'self'", 'data:', 'blob:', 'https://tiles.example.org:8443']);
    // Nowhere else: every other directive is as without --tiles.
    const plain = (await page({})).csp.split('; ');
    const withTiles = csp.split('; ');
    assert.equal(withTiles.length, plain.length);
    const changed = withTiles.filter((d, i) => d !== plain[i]).map((d) => d.split(' ')[0]);
    assert.deepEqual(changed, ['img-src', 'connect-src']);
    assert.equal(csp.match(/https?:\/\//g)?.length, 2);
  });

  test('the template is checked: http(s), {z}{x}{y}, no credentials, placeholders only after the origin', () => {
    assert.deepEqual(parseTilesUrl('http://10.0.0.5/{z}/{x}/{y}.pbf'), { template: 'http://10.0.0.5/{z}/{x}/{y}.pbf', origin: 'http://10.0.0.5' });
    assert.equal(parseTilesUrl('https://t.example/{z}/{x}/{y}.png').origin, 'https://t.example');
    for (const bad of [
      'ftp://t.example/{z}/{x}/{y}.png',
      'https://t.example/{z}/{x}.png',
      'https://t.example/{x}/{y}.png',
      'not a url {z}{x}{y}',
      'https://{z}.t.example/{x}/{y}.png',
      'https://user:pw@t.example/{z}/{x}/{y}.png',
      'https://t.example/{z}/{x}/{y}.png" onload="x',
      'javascript:alert(1)//{z}{x}{y}',
      '',
    ]) {
      assert.throws(() => parseTilesUrl(bad), (e: unknown) => isSkyError(e) && e.code === 'SKY_TILES_URL', bad);
    }
  });

  test('the server refuses a bad template itself (SKY_TILES_URL), not only the CLI', async () => {
    await assert.rejects(page({ tiles: 'https://t.example/tiles.png' }), (e: unknown) => isSkyError(e) && e.code === 'SKY_TILES_URL');
  });

  test('skyfuse serve --tiles with a bad URL exits 2 with SKY_TILES_URL before anything starts', () => {
    const bin = fileURLToPath(new URL('../../bin/skyfuse', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--no-record', '--tiles', 'ftp://tiles.example.org/{z}/{x}/{y}.png'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /SKY_TILES_URL/);
    assert.equal(r.stdout, '', 'no operations room was started');
  });
});
