// What a route module (src/serve/routes/*.ts) gets from the server: the
// Fastify instance, the options the server was started with, and the
// server's own guards. A module registers its routes through this context
// and documents them in its `paths`, which the server merges into
// /api/openapi.json; so a route never escapes the session check (the
// server's onRequest hook covers every /api/ path) and never goes
// undocumented (src/serve/access.test.ts checks both ways).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlertCenter } from '../../alert/index.ts';
import type { AuditDetails, AuditKind } from '../../coalition/audit.ts';
import type { TrackFrame } from '../../core/types.ts';
import type { Membership } from '../membership.ts';
import type { Role, Session } from '../users.ts';
import type { ServeOptions } from '../server.ts';

export interface RouteContext {
  readonly app: FastifyInstance;
  readonly opts: ServeOptions;
  readonly membership: Membership;
  /** The server's alerts per audience (the ones GET /api/alerts and the WebSocket show). */
  readonly alerts: AlertCenter;
  /** The session of a request that passed the server's check (every /api/ route but the public ones). */
  sessionFor(req: FastifyRequest): Session;
  /** A preHandler that answers 403 SKY_FORBIDDEN unless the session's role is listed. */
  allow(...roles: Role[]): (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /**
   * Append to the audit log; false (with a 503 SKY_AUDIT_WRITE already sent)
   * when the entry could not be made durable, and the request must then not
   * be carried out.
   */
  audited(reply: FastifyReply, kind: AuditKind, actor: { user: string; partner: string } | null, details: AuditDetails): Promise<boolean>;
  /** The latest frame of the audience the session's partner sees now. */
  frameOf(s: Session): TrackFrame | undefined;
  /** Response schemas of 401 and 403 (spread into a route's `response`). */
  readonly errs: Readonly<Record<number, unknown>>;
  readonly log: (line: string) => void;
  readonly now: () => number;
}

export interface RouteModule {
  /** OpenAPI path items of the routes this module registers. */
  readonly paths: Readonly<Record<string, unknown>>;
  register(ctx: RouteContext): void | Promise<void>;
}
