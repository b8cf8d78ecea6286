// GET /api/events: what happened in the partner's picture, newest last, for
// a client that was not connected to the WebSocket (or a script that polls).
// Two sources, each filtered as the WebSocket filters them today:
//  - the bus 'events' topic (north markers, bad input, unknown sensors),
//    kept at receipt in a bounded ring per partner: an event about a sensor
//    enters the ring of a partner only while that partner's audience is
//    granted the sensor (the WebSocket's rule in server.ts), so a later
//    change of releases never reveals an earlier event;
//  - the audience's alerts (src/alert: emergencies, unknown aircraft, lost
//    tracks, sensor outages), read from the AlertCenter at request time as
//    'alert-raised' / 'alert-cleared' at the data times the alert carries.
// Membership changes go to every partner for a status change (the coalition
// page shows every partner's status) and to the owning partner only for a
// change of its release rules (its rules are its business: GET /api/releases).
// The rings are per partner, not per audience key, because the key changes
// with release rules and the partner's history must not vanish with it.

import type { SkyEvent } from '../../core/types.ts';
import type { MembershipChange } from '../membership.ts';
import { ALL_ROLES, authed, errorSchema } from '../openapi.ts';
import { type WireAlert, type WireEvent, toWireAlert, toWireEvent } from '../wire.ts';
import type { RouteContext, RouteModule } from './context.ts';

/** Events kept per partner (oldest dropped first). */
export const EVENTS_RING = 1000;

export type ApiEvent =
  | WireEvent
  | { readonly kind: 'membership'; readonly partner: string; readonly from: string; readonly to: string; readonly releasesChanged: boolean; readonly t: number }
  | { readonly kind: 'alert-raised' | 'alert-cleared'; readonly alert: WireAlert; readonly t: number };

/** A bounded ring: push is O(1), the oldest entry falls out when full. */
class Ring<T> {
  private readonly buf: T[] = [];
  private head = 0;
  constructor(private readonly cap: number) {}
  push(v: T): void {
    if (this.buf.length < this.cap) this.buf.push(v);
    else {
      this.buf[this.head] = v;
      this.head = (this.head + 1) % this.cap;
    }
  }
  toArray(): T[] {
    return this.buf.length < this.cap ? [...this.buf] : [...this.buf.slice(this.head), ...this.buf.slice(0, this.head)];
  }
}

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;

const eventSchema = {
  type: 'object',
  required: ['kind', 't'],
  description: 'kind north-marker (sensorId), bad-input (code, message), unknown-sensor (sac, sic), membership (partner, from, to, releasesChanged), alert-raised / alert-cleared (alert, as GET /api/alerts)',
  properties: {
    kind: { type: 'string', enum: ['north-marker', 'bad-input', 'unknown-sensor', 'membership', 'alert-raised', 'alert-cleared'] },
    t: { ...num, description: 'When: s since the epoch (UTC); data time for sensor events and alerts, server time for membership' },
    sensorId: str, code: str, message: str, sac: { type: 'integer' }, sic: { type: 'integer' },
    partner: str, from: str, to: str, releasesChanged: { type: 'boolean' },
    alert: {
      type: 'object',
      additionalProperties: true,
      properties: { id: str, kind: str, severity: str, state: str, t: num, trackId: nullableStr, sensorId: nullableStr, text: str },
    },
  },
} as const;

export const eventsSchema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', description: 'Oldest first, newest last', items: eventSchema } },
} as const;

const querySchema = {
  type: 'object',
  properties: {
    since: { type: 'string', description: 'Only events with t > since (s since the epoch, UTC)' },
    limit: { type: 'string', description: `At most this many (the newest), 1..${EVENTS_RING}; default ${EVENTS_RING}` },
  },
} as const;

const errorRef = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function parseQuery(q: Record<string, string | undefined>): { sinceS: number; limit: number } | { error: string } {
  let sinceS = -Infinity;
  if (q.since !== undefined) {
    const v = q.since.trim() === '' ? NaN : Number(q.since);
    if (!Number.isFinite(v) || v < 0) return { error: `since=${JSON.stringify(q.since)} is not a time: give seconds since the epoch (UTC), e.g. since=1718000000` };
    sinceS = v;
  }
  let limit = EVENTS_RING;
  if (q.limit !== undefined) {
    const v = /^\d{1,7}$/.test(q.limit) ? Number(q.limit) : NaN;
    if (!(v >= 1 && v <= EVENTS_RING)) return { error: `limit=${JSON.stringify(q.limit)} is not a whole number from 1 to ${EVENTS_RING}` };
    limit = v;
  }
  return { sinceS, limit };
}

export const eventsRoutes: RouteModule = {
  paths: {
    '/api/events': {
      get: {
        operationId: 'listEvents',
        summary: "What happened in the session partner's picture, newest last: sensor events of granted sensors (as on the WebSocket), alerts raised and cleared, membership changes",
        parameters: [
          { name: 'since', in: 'query', required: false, schema: num, description: 'Only events with t > since (s since the epoch, UTC)' },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: EVENTS_RING }, description: `At most this many, the newest (default ${EVENTS_RING})` },
        ],
        ...authed([...ALL_ROLES], {
          '200': { description: 'The events', content: { 'application/json': { schema: eventsSchema } } },
          '400': { description: 'since is not a time or limit not 1..1000 (SKY_EVENTS_QUERY)', content: errorRef },
        }),
      },
    },
  },

  register(ctx: RouteContext) {
    const { membership } = ctx;
    const rings = new Map<string, Ring<ApiEvent>>();
    const ringOf = (partnerId: string): Ring<ApiEvent> => {
      let r = rings.get(partnerId);
      if (!r) rings.set(partnerId, (r = new Ring<ApiEvent>(EVENTS_RING)));
      return r;
    };

    const unsubEvents = ctx.opts.bus.subscribe('events', (events: readonly SkyEvent[]) => {
      const wire: { e: WireEvent; sensorId: string | null }[] = [];
      for (const e of events) {
        const w = toWireEvent(e);
        if (w) wire.push({ e: w, sensorId: e.kind === 'north-marker' ? e.sensorId : null });
      }
      if (wire.length === 0) return;
      // The WebSocket's rule: a sensor's events only to partners whose audience is granted it; nothing to a withdrawn partner.
      for (const p of membership.coalition.partners) {
        const a = membership.audienceOf(p.id);
        if (!a) continue;
        for (const w of wire) if (w.sensorId === null || a.grants.has(w.sensorId)) ringOf(p.id).push(w.e);
      }
    });

    const unsubMembership = membership.onChange((ch: MembershipChange) => {
      const releasesChanged = ch.releases !== undefined;
      const e: ApiEvent = { kind: 'membership', partner: ch.partnerId, from: ch.from, to: ch.to, releasesChanged, t: ctx.now() };
      for (const p of membership.coalition.partners) {
        if (releasesChanged && p.id !== ch.partnerId) continue;
        if (!membership.audienceOf(p.id)) continue;
        ringOf(p.id).push(e);
      }
    });

    ctx.app.addHook('onClose', async () => {
      unsubEvents();
      unsubMembership();
    });

    ctx.app.get<{ Querystring: Record<string, string | undefined> }>(
      '/api/events',
      { schema: { querystring: querySchema, response: { 200: eventsSchema, 400: errorSchema, ...ctx.errs } } },
      async (req, reply) => {
        const q = parseQuery(req.query);
        if ('error' in q) return reply.code(400).send({ error: 'SKY_EVENTS_QUERY', message: q.error });
        const s = ctx.sessionFor(req);
        const out: ApiEvent[] = rings.get(s.partnerId)?.toArray() ?? [];
        const a = membership.audienceOf(s.partnerId);
        const alerts = a ? ctx.alerts.of(a.key)?.list(s.partnerId) ?? [] : [];
        for (const al of alerts) {
          const w = toWireAlert(al);
          out.push({ kind: 'alert-raised', alert: w, t: al.timeS });
          if (al.clearedS !== null) out.push({ kind: 'alert-cleared', alert: w, t: al.clearedS });
        }
        // Stable sort: the ring's order (arrival) stands among equal times.
        const sorted = out.filter((e) => e.t > q.sinceS).sort((x, y) => x.t - y.t);
        return { events: sorted.slice(Math.max(0, sorted.length - q.limit)) };
      },
    );
  },
};
