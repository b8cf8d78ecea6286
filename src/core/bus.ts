// The seam between stages. Ingest publishes plots, the tracker publishes track
// frames, anyone may publish events. The default bus delivers in-process and
// synchronously; a NATS JetStream bus implementing the same interface lets
// ingest, fusion and display run on different sites. Messages are batches
// (arrays) so a networked bus can move thousands of plots per message.

import type { Plot, SkyEvent, TrackFrame } from './types.ts';

export interface BusTopics {
  readonly plots: readonly Plot[];
  readonly tracks: TrackFrame;
  readonly events: readonly SkyEvent[];
}

export type Topic = keyof BusTopics;
export type Handler<K extends Topic> = (msg: BusTopics[K]) => void;

export interface Bus {
  publish<K extends Topic>(topic: K, msg: BusTopics[K]): void;
  /** Returns a function that removes the subscription. */
  subscribe<K extends Topic>(topic: K, handler: Handler<K>): () => void;
  close(): Promise<void>;
}

/**
 * Delivers each message to every subscriber of its topic before publish()
 * returns. A handler that throws is reported to `onHandlerError` and does not
 * stop delivery to the others: one broken consumer never stalls the picture.
 */
export class InProcessBus implements Bus {
  private readonly handlers: { [K in Topic]: Set<Handler<K>> } = {
    plots: new Set(),
    tracks: new Set(),
    events: new Set(),
  };
  private closed = false;

  constructor(private readonly onHandlerError: (topic: Topic, err: unknown) => void = () => {}) {}

  publish<K extends Topic>(topic: K, msg: BusTopics[K]): void {
    if (this.closed) return;
    for (const h of this.handlers[topic] as Set<Handler<K>>) {
      try {
        h(msg);
      } catch (err) {
        this.onHandlerError(topic, err);
      }
    }
  }

  subscribe<K extends Topic>(topic: K, handler: Handler<K>): () => void {
    const set = this.handlers[topic] as Set<Handler<K>>;
    set.add(handler);
    return () => set.delete(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const k of Object.keys(this.handlers) as Topic[]) this.handlers[k].clear();
  }
}
