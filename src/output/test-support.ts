// Helpers for the output tests (not used by the pipeline): a CoT stream
// parsed by an independent strict XML parser (Python's ElementTree), local
// TCP/TLS listeners that collect what a feed sends, and throwaway
// certificates made with openssl at test time (never committed).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One CoT event as an XML parser read it: the attributes of event, point, detail/track, detail/contact, detail/link. */
export interface ParsedCot {
  readonly event: Record<string, string>;
  readonly point: Record<string, string>;
  readonly track: Record<string, string> | null;
  readonly contact: Record<string, string> | null;
  readonly link: Record<string, string> | null;
  readonly forceDelete: boolean;
  readonly remarks: string | null;
}

/**
 * Parses a stream of back-to-back CoT events strictly (Python's
 * xml.etree.ElementTree: any malformed XML, unescaped character or
 * unbalanced tag fails). Returns null when python3 is missing.
 */
export function parseCotStream(stream: string): ParsedCot[] | null {
  const py = `
import sys, json, xml.etree.ElementTree as E
root = E.fromstring('<root>' + sys.stdin.read() + '</root>')
out = []
for ev in root:
    assert ev.tag == 'event', ev.tag
    a = lambda p: (ev.find(p).attrib if ev.find(p) is not None else None)
    r = ev.find('detail/remarks')
    out.append({'event': ev.attrib, 'point': ev.find('point').attrib, 'track': a('detail/track'), 'contact': a('detail/contact'),
                'link': a('detail/link'), 'forceDelete': ev.find('detail/__forcedelete') is not None,
                'remarks': (r.text or '') if r is not None else None})
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', py], { input: stream, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) return null;
  assert.equal(r.status, 0, `the CoT stream is not well-formed XML: ${r.stderr}`);
  return JSON.parse(r.stdout) as ParsedCot[];
}

export const pythonMissing: string | false =
  spawnSync('python3', ['--version']).error !== undefined ? 'python3 is not installed (the independent XML parser of these tests)' : false;

export const opensslMissing: string | false =
  spawnSync('openssl', ['version']).error !== undefined ? 'openssl is not installed (apt-get install -y openssl): the TLS tests make their certificates with it' : false;

/** What a local CoT listener (a stand-in TAK server) received, per connection. */
export interface Listener {
  readonly port: number;
  readonly connections: { data: string; ended: boolean; peerCN: string | null }[];
  text(): string;
  close(): Promise<void>;
}

function collect(server: Server, secure: boolean, port?: number): Promise<Listener> {
  const connections: Listener['connections'] = [];
  const sockets = new Set<Socket>();
  const onSocket = (s: Socket) => {
    sockets.add(s);
    const peer = secure ? (s as TLSSocket).getPeerCertificate() : null;
    const c = { data: '', ended: false, peerCN: peer && peer.subject ? String(peer.subject.CN) : null };
    connections.push(c);
    s.setEncoding('utf8');
    s.on('data', (d: string) => (c.data += d));
    s.on('error', () => {});
    s.on('close', () => {
      c.ended = true;
      sockets.delete(s);
    });
  };
  server.on(secure ? 'secureConnection' : 'connection', onSocket);
  return new Promise((res) => {
    server.listen(port ?? 0, '127.0.0.1', () => {
      res({
        port: (server.address() as AddressInfo).port,
        connections,
        text: () => connections.map((c) => c.data).join(''),
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}

export function tcpListener(port?: number): Promise<Listener> {
  return collect(createServer(), false, port);
}

/** A TLS listener that, like a TAK server's streaming port, requires a client certificate signed by its CA. */
export function tlsListener(pki: Pki): Promise<Listener> {
  const server = createTlsServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true });
  server.on('tlsClientError', () => {});
  return collect(server, true);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, in a temporary directory. */
export interface Pki {
  readonly dir: string;
  readonly caFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A client certificate from another CA, which the server must refuse. */
  readonly strangerCertFile: string;
  readonly strangerKeyFile: string;
  readonly caCert: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  remove(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-pki-'));
  const ossl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const key = (name: string) => ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const ca = (name: string) => {
    key(name);
    ossl('req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '2', '-out', `${name}.pem`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  };
  const leaf = (name: string, caName: string, ext: string) => {
    key(name);
    ossl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    const extFile = join(dir, `${name}.ext`);
    writeFileSync(extFile, `${ext}\n`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', extFile);
  };
  ca('test-ca');
  ca('other-ca');
  leaf('tak-server', 'test-ca', 'subjectAltName=IP:127.0.0.1');
  leaf('skyfuse-client', 'test-ca', 'extendedKeyUsage=clientAuth');
  leaf('stranger', 'other-ca', 'extendedKeyUsage=clientAuth');
  const f = (n: string) => join(dir, n);
  return {
    dir,
    caFile: f('test-ca.pem'),
    clientCertFile: f('skyfuse-client.pem'),
    clientKeyFile: f('skyfuse-client.key'),
    strangerCertFile: f('stranger.pem'),
    strangerKeyFile: f('stranger.key'),
    caCert: readFileSync(f('test-ca.pem')),
    serverCert: readFileSync(f('tak-server.pem')),
    serverKey: readFileSync(f('tak-server.key')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Great-circle distance on a sphere of the mean earth radius, m: enough to tell coverage apart by tens of km. */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}
