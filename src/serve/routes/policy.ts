// Release policy, edited live (issue 9). Each partner decides, for its own
// sensors only, which partners receive their data, where and in what
// content (the coalition file's `releases`, same rules and same checks:
// src/coalition/coalition.ts parseReleases). Sovereignty is enforced here,
// on the server: only an administrator of the owning partner may change its
// rules — a coalition administrator runs membership, not other nations'
// release decisions. A change is audited ('policy-change', before/after)
// before it is applied, then takes effect at once through Membership: every
// audience whose grants change gets a fusion started from scratch
// (src/coalition/fusion.ts), so nothing fused from now-unreleased data
// reaches the partner it was withdrawn from.

import { parseReleases, releasesToJson } from '../../coalition/coalition.ts';
import { isSkyError } from '../../core/errors.ts';
import type { AuditJson } from '../../coalition/audit.ts';
import { ALL_ROLES, authed } from '../openapi.ts';
import type { RouteContext, RouteModule } from './context.ts';

const str = { type: 'string' } as const;
const strList = { type: 'array', items: str } as const;

const ruleSchema = {
  type: 'object',
  required: ['to', 'sensors', 'content', 'withholdInside'],
  properties: {
    to: { ...strList, description: 'Recipient partner ids; "*" for every member' },
    sensors: { type: ['array', 'null'], items: str, description: "The owner's sensor ids; null for all of them" },
    content: { type: 'string', enum: ['full', 'position'], description: '"position" strips identities (Mode S address, Mode 3/A, callsign)' },
    withholdInside: {
      type: 'array',
      description: 'Polygons (rings of [lat, lon] in degrees) inside which plots are withheld',
      items: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    },
  },
} as const;

const rulesSchema = {
  type: ['array', 'null'],
  items: ruleSchema,
  description: 'null: the file says nothing, so everything goes in full to every member; []: nothing is released',
} as const;

export const policiesSchema = {
  type: 'object',
  required: ['partners', 'policies'],
  properties: {
    partners: {
      type: 'array',
      description: 'Every partner of the coalition (possible recipients)',
      items: { type: 'object', required: ['id', 'name', 'status'], properties: { id: str, name: str, status: str } },
    },
    policies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['partner', 'sensors', 'releases'],
        properties: { partner: str, sensors: { ...strList, description: "The partner's own sensors" }, releases: rulesSchema },
      },
    },
  },
} as const;

const putResultSchema = {
  type: 'object',
  required: ['partner', 'before', 'after'],
  properties: { partner: str, before: rulesSchema, after: rulesSchema },
} as const;

const policyErrorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: str, message: str, path: { ...str, description: 'JSON path of the first problem in the body' } },
} as const;

const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });

export const policyRoutes: RouteModule = {
  paths: {
    '/api/releases': {
      get: {
        operationId: 'listReleasePolicies',
        summary: "Release rules: the caller's own partner's (a coalition administrator sees every partner's)",
        ...authed(ALL_ROLES, { '200': json(policiesSchema, 'Policies') }),
      },
    },
    '/api/partners/{id}/releases': {
      put: {
        operationId: 'setReleasePolicy',
        summary: "Replace a partner's release rules, effective at once; only that partner's administrators may (sovereignty)",
        parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['releases'], properties: { releases: rulesSchema } } } } },
        ...authed(['partner-admin'], {
          '200': json(putResultSchema, 'The rules before and after'),
          '400': json(policyErrorSchema, 'The rules are invalid (SKY_POLICY_INVALID, with the JSON path)'),
          '404': json(policyErrorSchema, 'No such partner (SKY_NOT_FOUND)'),
          '409': json(policyErrorSchema, 'This server does not fuse live (a replay): SKY_POLICY_READONLY'),
        }),
      },
    },
  },

  register(ctx: RouteContext) {
    const { app, membership } = ctx;

    app.get('/api/releases', { schema: { response: { 200: policiesSchema, ...ctx.errs } } }, async (req) => {
      const s = ctx.sessionFor(req);
      const c = membership.coalition;
      const mine = s.role === 'coalition-admin' ? c.partners : c.partners.filter((p) => p.id === s.partnerId);
      return {
        partners: c.partners.map((p) => ({ id: p.id, name: p.name, status: p.status })),
        policies: mine.map((p) => ({
          partner: p.id,
          sensors: c.sensors.filter((x) => x.partnerId === p.id).map((x) => x.id),
          releases: releasesToJson(p.releases),
        })),
      };
    });

    app.put<{ Params: { id: string }; Body: unknown }>(
      '/api/partners/:id/releases',
      { schema: { response: { 200: putResultSchema, 400: policyErrorSchema, 404: policyErrorSchema, 409: policyErrorSchema, ...ctx.errs } }, preHandler: ctx.allow('partner-admin') },
      async (req, reply) => {
        const s = ctx.sessionFor(req);
        const target = req.params.id;
        if (target !== s.partnerId) {
          ctx.log(`serve: SKY_FORBIDDEN PUT /api/partners/${target}/releases by ${s.subject} of ${s.partnerId}`);
          return reply.code(403).send({ error: 'SKY_FORBIDDEN', message: `only ${target}'s own administrators set ${target}'s release policy; you administer ${s.partnerId}` });
        }
        const owner = membership.partner(target);
        if (!owner) return reply.code(404).send({ error: 'SKY_NOT_FOUND', message: `no partner ${target}` });
        let rules;
        try {
          rules = parseReleases(membership.coalition, target, req.body);
        } catch (e) {
          if (!isSkyError(e)) throw e;
          return reply.code(400).send({ error: e.code, message: e.message, path: (e as { path?: string }).path ?? '(root)' });
        }
        if (!membership.releasesEditable) {
          return reply.code(409).send({ error: 'SKY_POLICY_READONLY', message: 'this server shows a recording (replay): release rules follow the recording and cannot change here' });
        }
        const before = releasesToJson(owner.releases);
        const after = releasesToJson(rules);
        const details = { partner: target, before: before as AuditJson, after: after as AuditJson };
        if (!(await ctx.audited(reply, 'policy-change', { user: s.subject, partner: s.partnerId }, details))) return reply;
        try {
          membership.setReleases(target, rules);
        } catch (e) {
          // A picture that follows a recording refuses. Membership.releasesEditable, checked above, says so before
          // anything is audited (a replay's does); should a source still refuse here, the log records that it did,
          // so it never holds a change that did not happen.
          if (isSkyError(e) && (e.code === 'SKY_POLICY_READONLY' || e.code === 'SKY_REPLAY_READONLY')) {
            if (!(await ctx.audited(reply, 'policy-change', { user: s.subject, partner: s.partnerId }, { partner: target, refused: e.code }))) return reply;
            return reply.code(409).send({ error: 'SKY_POLICY_READONLY', message: e.message });
          }
          throw e;
        }
        ctx.log(`serve: release policy of ${target} changed by ${s.subject}: ${rules === null ? 'everything to every member' : `${rules.length} rule(s)`}`);
        return { partner: target, before, after };
      },
    );
  },
};
