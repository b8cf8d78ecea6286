// The page's skyfuse.v2 decoder, in a Web Worker: binary frame messages are
// checked and decoded here, off the page's main thread, and each comes back
// as a FramePatch (what changed: typed arrays, transferred) that the page's
// TrackMirror applies to its track objects. At 10,000 tracks decoding a delta
// was about as much main-thread time per update as everything else together.
//
// In: { gen, reset: true } (a new connection: forget everything) or
//     { gen, bytes: ArrayBuffer } (one message, in the order received).
// Out: { gen, patch, decodeMs } or { gen, error: code, message }: after an
// error the decoder holds no base until the next keyframe (the page reconnects).

import { SkyError } from '../../src/core/errors.ts';
import { FrameDecoder, type FramePatch } from '../../src/serve/wire-v2.ts';

export type ToDecoder = { readonly gen: number; readonly reset: true } | { readonly gen: number; readonly bytes: ArrayBuffer };
export type FromDecoder =
  | { readonly gen: number; readonly patch: FramePatch; readonly decodeMs: number }
  | { readonly gen: number; readonly error: string; readonly message: string };

interface WorkerScope {
  onmessage: ((ev: MessageEvent<ToDecoder>) => void) | null;
  postMessage(msg: FromDecoder, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

const decoder = new FrameDecoder();
let gen = -1;

scope.onmessage = (ev) => {
  const m = ev.data;
  if ('reset' in m) {
    decoder.reset();
    gen = m.gen;
    return;
  }
  // Messages of a connection the page has since replaced.
  if (m.gen !== gen) return;
  const t0 = performance.now();
  try {
    const patch = decoder.patch(new Uint8Array(m.bytes));
    scope.postMessage({ gen, patch, decodeMs: performance.now() - t0 }, [patch.values.buffer, patch.removed.buffer, patch.lists.buffer]);
  } catch (err) {
    const code = err instanceof SkyError ? err.code : 'SKY_WIRE_BAD';
    scope.postMessage({ gen, error: code, message: err instanceof Error ? err.message : String(err) });
  }
};
