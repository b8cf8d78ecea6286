// The feeds to partners' own systems (`serve --cat062-out`, `--cot-out`;
// src/app/outputs.ts) and their counters: is each running, what it sent,
// what failed or was dropped. Administrators only: a feed names a partner's
// receiving host and port, which is that partner's business, not its
// operators' (an operator gets 403 SKY_FORBIDDEN). A partner administrator
// sees its own partner's feeds, a coalition administrator every partner's.

import { authed } from '../openapi.ts';
import type { RouteContext, RouteModule } from './context.ts';

const str = { type: 'string' } as const;
const count = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;

export const outputsSchema = {
  type: 'object',
  required: ['outputs'],
  properties: {
    outputs: {
      type: 'array',
      description: 'One entry per configured feed, in the order of the command line; empty when the server runs none (a replay, or no --cat062-out/--cot-out)',
      items: {
        type: 'object',
        required: ['kind', 'partner', 'target', 'running', 'frames', 'messages', 'bytes', 'failed', 'dropped', 'connects'],
        properties: {
          kind: { type: 'string', enum: ['cat062', 'cot'] },
          partner: { ...str, description: 'The receiving partner, whose picture the feed carries' },
          target: { ...str, description: 'HOST:PORT (an IPv6 host in brackets)' },
          running: { type: 'boolean', description: 'False while the partner is suspended or withdrawn' },
          frames: count('Frames sent (CoT: frames written to a connected socket)'),
          messages: count('CAT062: datagrams sent; CoT: events sent'),
          bytes: count('Bytes sent'),
          failed: count('CAT062: datagrams whose send failed; CoT: connection failures'),
          dropped: count('Frames dropped: the feed was behind, or (CoT) not connected'),
          connects: count('CoT: connections made (CAT062: 0)'),
        },
      },
    },
  },
} as const;

const ADMINS = ['partner-admin', 'coalition-admin'] as const;

export const outputsRoutes: RouteModule = {
  paths: {
    '/api/outputs': {
      get: {
        operationId: 'listOutputs',
        summary: "CAT062 and CoT feeds to partners' systems, with their counters over the life of the server: a partner administrator's own partner's, a coalition administrator's every partner's",
        ...authed([...ADMINS], { '200': { description: 'The feeds', content: { 'application/json': { schema: outputsSchema } } } }),
      },
    },
  },

  register(ctx: RouteContext) {
    ctx.app.get('/api/outputs', { schema: { response: { 200: outputsSchema, ...ctx.errs } }, preHandler: ctx.allow(...ADMINS) }, async (req) => {
      const s = ctx.sessionFor(req);
      const all = ctx.opts.outputsOf?.() ?? [];
      return { outputs: s.role === 'coalition-admin' ? all : all.filter((o) => o.partner === s.partnerId) };
    });
  },
};
