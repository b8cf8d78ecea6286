// CoT over mutual TLS, as a TAK server's streaming port requires: a CA,
// server and client certificates made with openssl for this run only (in a
// temporary directory, never committed). The stand-in TAK server accepts
// only clients whose certificate its CA signed; the events it receives are
// parsed as strict XML. A client certificate from another CA is refused,
// counted as a failure and retried, and never gets an event through.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../src/core/bus.ts';
import { Membership } from '../src/serve/membership.ts';
import { loadScenario } from '../src/sim/index.ts';
import { startOutputs } from '../src/app/outputs.ts';
import { T0, track } from '../src/output/test-frames.ts';
import { makePki, opensslMissing, parseCotStream, tlsListener, until, type Pki } from '../src/output/test-support.ts';

let pki: Pki | undefined;
after(() => pki?.remove());

test('CoT over mutual TLS reaches a TAK-style server that checks our client certificate; a stranger\'s certificate is refused', { skip: opensslMissing, timeout: 60_000 }, async () => {
  pki = makePki();
  const tak = await tlsListener(pki);
  const coalition = loadScenario('small').coalition;
  const bus = new InProcessBus();
  const m = new Membership(coalition);
  const logs: string[] = [];
  const good = startOutputs(bus, m, {
    cot: [{ partner: 'CYP', host: '127.0.0.1', port: tak.port, tls: true }],
    cotTls: { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile },
  }, (l) => logs.push(`good: ${l}`));
  const stranger = startOutputs(bus, m, {
    cot: [{ partner: 'EGY', host: '127.0.0.1', port: tak.port, tls: true }],
    cotTls: { caFile: pki.caFile, certFile: pki.strangerCertFile, keyFile: pki.strangerKeyFile },
    cotReconnectS: 0.05, cotMaxReconnectS: 0.1,
  }, (l) => logs.push(`stranger: ${l}`));
  // No CA given: the server's certificate (from a private CA) is not trusted by the system roots.
  const noCa = startOutputs(bus, m, {
    cot: [{ partner: 'JOR', host: '127.0.0.1', port: tak.port, tls: true }],
    cotTls: { certFile: pki.clientCertFile, keyFile: pki.clientKeyFile },
    cotReconnectS: 0.05, cotMaxReconnectS: 0.1,
  }, (l) => logs.push(`no-ca: ${l}`));
  try {
    await until(() => good.stats()[0]!.connects === 1, 'the TLS handshake');
    await until(() => stranger.stats()[0]!.failed >= 2 && noCa.stats()[0]!.failed >= 2, 'the refused clients to fail twice');
    const key = m.audienceOf('CYP')!.key; // every sensor released to all: one picture for the three partners
    bus.publish('tracks', { kind: 'frame', timeS: T0, audience: key, tracks: [track({ id: 'T7', icao24: '4840d6', latDeg: 34.5, lonDeg: 33.25, altM: 3000, timeS: T0 })] });
    await until(() => tak.text().includes('</event>'), 'the event over TLS');
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await good.close();
    await stranger.close();
    await noCa.close();
    await tak.close();
  }
  const open = tak.connections.filter((c) => c.peerCN !== null);
  assert.deepEqual(open.map((c) => c.peerCN), ['skyfuse-client'], 'only our certificate completed a handshake');
  const events = parseCotStream(tak.text());
  if (events !== null) {
    assert.equal(events.length, 1);
    assert.deepEqual(
      { uid: events[0]!.event['uid'], type: events[0]!.event['type'], time: events[0]!.event['time'], stale: events[0]!.event['stale'], lat: events[0]!.point['lat'], lon: events[0]!.point['lon'], hae: events[0]!.point['hae'] },
      { uid: 'skyfuse.CYP.T7', type: 'a-n-A-C-F', time: '2025-11-23T14:32:10.250Z', stale: '2025-11-23T14:32:25.250Z', lat: '34.5000000', lon: '33.2500000', hae: '3000.0' },
    );
  }
  // TLS 1.3: the stranger's handshake completes on its side before the server refuses its certificate and
  // closes; that counts as a failure (the connection did not stay up), and nothing it wrote was accepted.
  assert.ok(stranger.stats()[0]!.failed >= 2);
  assert.equal(noCa.stats()[0]!.connects, 0);
  // Each refused feed logged its failure once, with its code, however often it retried.
  assert.equal(logs.filter((l) => l.startsWith('stranger:') && l.includes('SKY_OUTPUT_COT')).length, 1, logs.join('\n'));
  assert.match(logs.find((l) => l.startsWith('no-ca:') && l.includes('SKY_OUTPUT_COT'))!, /certificate/i);
});
