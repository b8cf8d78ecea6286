// What each WebSocket client is sent for its audience's latest frame, in the
// wire version it negotiated. Encoding is done once per audience and frame,
// whatever the number of clients: the v1 JSON text, the v2 delta from the
// previous frame and (on demand) the v2 keyframe.
//
// The coalescing rule: the server offers a client only the latest frame and
// skips it while its socket is congested (nothing queues). A v2 client is
// sent the delta only when the frame it last received is the one just
// before; after a skip, a (re)connect or an audience change it is sent a
// keyframe, so it lands on the latest state in one message.

import type { TrackFrame } from '../core/types.ts';
import { type WireTrack, toWireFrame, toWireTrack } from './wire.ts';
import { FrameEncoder, emptyKeyframe } from './wire-v2.ts';

export type WireVersion = 'v1' | 'v2';

/** Per-client delivery state (the server's Client holds one). */
export interface FeedState {
  readonly version: WireVersion;
  /** Audience key and seq of the last frame this client was sent (v2), null before any. */
  lastKey: string | null;
  lastSeq: number;
}

export const newFeedState = (version: WireVersion): FeedState => ({ version, lastKey: null, lastSeq: -1 });

interface AudienceFeed {
  seq: number;
  frame: TrackFrame;
  wire: WireTrack[] | null;
  json: string | null;
  delta: Uint8Array | null;
  /** Seq the cached delta belongs to. */
  deltaSeq: number;
  readonly enc: FrameEncoder;
}

export interface FanoutStats {
  /** Messages handed out by kind, and their bytes. */
  json: number;
  jsonBytes: number;
  keyframes: number;
  keyBytes: number;
  deltas: number;
  deltaBytes: number;
}

export class FrameFanout {
  private readonly feeds = new Map<string, AudienceFeed>();
  readonly stats: FanoutStats = { json: 0, jsonBytes: 0, keyframes: 0, keyBytes: 0, deltas: 0, deltaBytes: 0 };

  /** The audience's new latest frame. Encoding waits until a client asks. */
  publish(key: string, frame: TrackFrame): void {
    const f = this.feeds.get(key);
    if (f) {
      f.seq++;
      f.frame = frame;
      f.wire = null;
      f.json = null;
    } else {
      this.feeds.set(key, { seq: 0, frame, wire: null, json: null, delta: null, deltaSeq: -1, enc: new FrameEncoder() });
    }
  }

  latest(key: string): TrackFrame | undefined {
    return this.feeds.get(key)?.frame;
  }

  /** Forget audiences that no longer exist. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.feeds.keys()]) if (!keys.has(k)) this.feeds.delete(k);
  }

  /**
   * The message carrying audience `key`'s latest frame to this client, or
   * null when there is no frame yet. Call it only when the message will be
   * sent: it records what the client now holds.
   */
  message(c: FeedState, key: string): string | Uint8Array | null {
    const f = this.feeds.get(key);
    if (!f) return null;
    if (c.version === 'v1') {
      f.json ??= JSON.stringify(toWireFrame(f.frame));
      this.stats.json++;
      this.stats.jsonBytes += f.json.length;
      return f.json;
    }
    if (f.enc.seq !== f.seq) {
      f.wire ??= f.frame.tracks.map(toWireTrack);
      // Null unless the encoder held the frame just before (no v2 client took the ones between).
      f.delta = f.enc.next(f.seq, f.frame.timeS, f.wire);
      f.deltaSeq = f.seq;
    }
    const useDelta = c.lastKey === key && c.lastSeq === f.seq - 1 && f.delta !== null && f.deltaSeq === f.seq;
    c.lastKey = key;
    c.lastSeq = f.seq;
    if (useDelta) {
      this.stats.deltas++;
      this.stats.deltaBytes += f.delta!.length;
      return f.delta!;
    }
    const k = f.enc.keyframe();
    this.stats.keyframes++;
    this.stats.keyBytes += k.length;
    return k;
  }

  /** An empty picture for a client whose (new) audience has no frame yet; it is no base for a delta. */
  empty(c: FeedState, timeS: number): string | Uint8Array {
    c.lastKey = null;
    c.lastSeq = -1;
    if (c.version === 'v1') return JSON.stringify(toWireFrame({ kind: 'frame', timeS, tracks: [] }));
    return emptyKeyframe(timeS);
  }
}
