// A release-policy change is an input of the chain: the live pipeline
// records it as a 'policy-change' event, the reader hands it back among the
// inputs in recorded order, and the chain applies it (Chain.setReleases), so
// a replay moves partners to the same audiences the live run did.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCoalition, parseReleases } from '../coalition/coalition.ts';
import { Chain, type ChainConfig } from './chain.ts';
import { Recorder, type RecordableEvent } from './recorder.ts';
import { RecordingReader } from './replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-policy-rec-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const coalition = parseCoalition({
  partners: [{ id: 'AAA', name: 'A', status: 'member' }, { id: 'BBB', name: 'B', status: 'member' }],
  sensors: [
    { id: 'AAA-R1', partner: 'AAA', kind: 'mode-s', sac: 10, sic: 1, lat: 31, lon: 33, altM: 100, rotationS: 4, maxRangeM: 150000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'BBB-R1', partner: 'BBB', kind: 'mode-s', sac: 20, sic: 1, lat: 31, lon: 35, altM: 100, rotationS: 5, maxRangeM: 150000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
  ],
});
const config: ChainConfig = { coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' };

test('a recorded policy change comes back as an input in order, and the chain applies it', () => {
  const file = join(dir, 'r.db');
  let t = 1.7e9;
  const rec = new Recorder({ file, session: config, clock: () => t });
  const rules = parseReleases(coalition, 'AAA', { releases: [{ to: ['BBB'], content: 'position' }] });
  rec.recordTick((t += 1));
  rec.recordEvent({ kind: 'policy-change', timeS: (t += 1), partnerId: 'AAA', releases: rules } as RecordableEvent);
  rec.recordPartnerStatus('BBB', 'suspended', (t += 1));
  rec.recordEvent({ kind: 'north-marker', timeS: (t += 1) });
  rec.close();

  const reader = new RecordingReader(file);
  const inputs = [...reader.inputs()];
  reader.close();
  assert.deepEqual(inputs.map((i) => i.kind), ['tick', 'policy-change', 'partner-status'], 'outputs (north markers) are not inputs');
  const pc = inputs[1]!;
  assert.ok(pc.kind === 'policy-change');
  assert.deepEqual(pc.releases, rules);

  const chain = new Chain(config, { onFrame: () => {} });
  assert.equal(chain.fusion!.audienceOf('BBB')!.grants.get('AAA-R1')?.content, 'full');
  chain.setReleases(pc.partnerId, pc.releases);
  assert.equal(chain.fusion!.audienceOf('BBB')!.grants.get('AAA-R1')?.content, 'position');
  chain.setReleases('AAA', []);
  assert.equal(chain.fusion!.audienceOf('BBB')!.grants.has('AAA-R1'), false);
});
