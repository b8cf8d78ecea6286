// The REST API's description (OpenAPI 3.1) and the JSON Schemas of its
// bodies. The same schema objects drive fastify's response serialisation, so
// a response can hold only what the document says: a field added to the
// records but not here is dropped on the wire rather than leaked unannounced.

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const strList = { type: 'array', items: str } as const;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Stable error code, e.g. SKY_AUTH_REQUIRED' },
    message: { type: 'string', description: 'What went wrong and what to do' },
  },
} as const;

/** One system track, with the field names of contract section 4 (tracks.jsonl) plus `partners`. */
export const trackSchema = {
  type: 'object',
  required: ['t', 'id', 'status', 'lat', 'lon', 'altM', 'vE', 'vN', 'sigmaM', 'icao24', 'mode3a', 'callsign', 'sensors', 'partners'],
  properties: {
    t: { ...num, description: 'State time, seconds since 1970-01-01 UTC' },
    id: { ...str, description: 'System track id, stable for the track life' },
    status: { type: 'string', enum: ['tentative', 'confirmed', 'coasting'] },
    lat: { ...num, description: 'WGS-84 latitude, degrees' },
    lon: { ...num, description: 'WGS-84 longitude, degrees' },
    altM: { ...nullableNum, description: 'Height above the WGS-84 ellipsoid, metres' },
    vE: { ...num, description: 'Ground velocity east, m/s' },
    vN: { ...num, description: 'Ground velocity north, m/s' },
    sigmaM: { ...num, description: 'Per-axis 1-sigma horizontal uncertainty, metres' },
    icao24: { ...nullableStr, description: 'Mode S address, 6 lowercase hex digits' },
    mode3a: { ...nullableStr, description: 'Mode 3/A code, 4 octal digits' },
    callsign: nullableStr,
    sensors: { ...strList, description: 'Sensors that updated the track in the last period' },
    partners: { ...strList, description: 'Partners owning those sensors' },
  },
} as const;

export const tracksSchema = {
  type: 'object',
  required: ['t', 'tracks'],
  properties: {
    t: { ...nullableNum, description: 'Time of the latest frame (s since epoch, UTC); null before the first' },
    tracks: { type: 'array', items: trackSchema },
  },
} as const;

/** Partners and sensors with the field names of contract section 2 (coalition.json). */
export const coalitionSchema = {
  type: 'object',
  required: ['partners', 'sensors'],
  properties: {
    partners: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'status'],
        properties: { id: str, name: str, status: { type: 'string', enum: ['member', 'suspended', 'withdrawn'] } },
      },
    },
    sensors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'partner', 'kind', 'sac', 'sic', 'lat', 'lon', 'altM', 'rotationS', 'maxRangeM', 'psrMaxRangeM', 'sigmaRangeM', 'sigmaAzimuthDeg'],
        properties: {
          id: str,
          partner: str,
          kind: { type: 'string', enum: ['psr', 'ssr', 'psr+ssr', 'mode-s', 'adsb'] },
          sac: { type: 'integer' },
          sic: { type: 'integer' },
          lat: { ...num, description: 'WGS-84 latitude, degrees' },
          lon: { ...num, description: 'WGS-84 longitude, degrees' },
          altM: num,
          rotationS: nullableNum,
          maxRangeM: num,
          psrMaxRangeM: nullableNum,
          sigmaRangeM: num,
          sigmaAzimuthDeg: nullableNum,
        },
      },
    },
  },
} as const;

export const statusSchema = {
  type: 'object',
  required: ['partner', 'frameTimeS', 'trackCount', 'uptimeS', 'serverTimeS', 'wsClients'],
  properties: {
    partner: { ...str, description: 'The partner whose picture this session sees' },
    frameTimeS: { ...nullableNum, description: "Data time of the latest frame of this partner's picture, s since epoch (UTC)" },
    trackCount: { type: 'integer' },
    uptimeS: num,
    serverTimeS: { ...num, description: 'Wall clock of the server, s since epoch (UTC)' },
    wsClients: { type: 'integer', description: "Open WebSocket connections of this partner's sessions" },
  },
} as const;

export const alertSchema = {
  type: 'object',
  required: ['id', 'kind', 'severity', 'state', 't', 'trackId', 'sensorId', 'code', 'lat', 'lon', 'text', 'clearedS', 'clearedWhy', 'ackBy', 'ackS'],
  properties: {
    id: { ...str, description: "Alert id, unique within the partner's picture" },
    kind: { type: 'string', enum: ['emergency', 'unknown-aircraft', 'track-lost', 'sensor-outage'] },
    severity: { type: 'string', enum: ['emergency', 'warning'] },
    state: { type: 'string', enum: ['active', 'acknowledged', 'cleared'], description: "Acknowledged: by this partner (each partner acknowledges for itself)" },
    t: { ...num, description: 'Raised at: data time, s since epoch (UTC)' },
    trackId: { ...nullableStr, description: 'The system track concerned' },
    sensorId: { ...nullableStr, description: 'The sensor concerned (sensor-outage)' },
    code: { ...nullableStr, description: 'Mode 3/A of the track (7500, 7600, 7700 for an emergency)' },
    lat: { ...nullableNum, description: 'Where: the track position or the sensor site, degrees' },
    lon: nullableNum,
    text: str,
    clearedS: { ...nullableNum, description: 'When the condition ended, s since epoch; null while it lasts' },
    clearedWhy: nullableStr,
    ackBy: { ...nullableStr, description: 'Who of this partner acknowledged it' },
    ackS: nullableNum,
  },
} as const;

export const alertsSchema = {
  type: 'object',
  required: ['alerts'],
  properties: { alerts: { type: 'array', items: alertSchema, description: 'Newest first; cleared alerts stay listed 15 min' } },
} as const;

const registrationSchema = {
  type: ['object', 'null'],
  description: "This picture's estimate of the sensor's biases (registration against ADS-B); null: not estimated",
  required: ['state', 'observations', 'jumps', 'rangeOffsetM', 'rangeGainPpm', 'azimuthOffsetDeg', 'timeOffsetS', 'sigmaRangeOffsetM', 'sigmaRangeGainPpm', 'sigmaAzimuthOffsetDeg', 'sigmaTimeOffsetS', 'applied'],
  properties: {
    state: { type: 'string', enum: ['unregistered', 'converging', 'registered'] },
    observations: { type: 'integer' },
    jumps: { type: 'integer' },
    rangeOffsetM: num, rangeGainPpm: num, azimuthOffsetDeg: num, timeOffsetS: num,
    sigmaRangeOffsetM: num, sigmaRangeGainPpm: num, sigmaAzimuthOffsetDeg: num, sigmaTimeOffsetS: num,
    applied: { type: 'boolean', description: 'Some correction is applied to its plots now' },
  },
} as const;

export const sensorsSchema = {
  type: 'object',
  required: ['sensors'],
  properties: {
    sensors: {
      type: 'array',
      description: "The sensors the session's partner is granted (its own included), with their health as its picture sees them",
      items: {
        type: 'object',
        required: ['id', 'partner', 'partnerName', 'kind', 'lat', 'lon', 'maxRangeM', 'psrMaxRangeM', 'rotationS', 'content', 'status', 'lastSeenS', 'registration'],
        properties: {
          id: str, partner: str, partnerName: str,
          kind: { type: 'string', enum: ['psr', 'ssr', 'psr+ssr', 'mode-s', 'adsb'] },
          lat: num, lon: num, maxRangeM: num, psrMaxRangeM: nullableNum, rotationS: nullableNum,
          content: { type: 'string', enum: ['full', 'position'], description: 'What of it is released to this partner' },
          status: { type: 'string', enum: ['ok', 'outage', 'unknown'], description: 'outage: no north marker for > 2.5 rotations' },
          lastSeenS: { ...nullableNum, description: 'Last north marker or last track update naming it, s since epoch' },
          feed: {
            type: ['object', 'null'],
            description: 'What ingest received from it: ASTERIX records, plots, data time of the latest report, arrival of the latest block (s since epoch)',
            properties: { records: num, plots: num, lastDataS: nullableNum, lastArrivalS: nullableNum },
          },
          registration: registrationSchema,
        },
      },
    },
  },
} as const;

const roleSchema = { type: 'string', enum: ['operator', 'partner-admin', 'coalition-admin'] } as const;
const partnerStatusEnum = { type: 'string', enum: ['member', 'suspended', 'withdrawn'] } as const;

export const loginRequestSchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const loginResultSchema = {
  type: 'object',
  required: ['token', 'expiresS', 'user', 'partner', 'partnerName', 'role'],
  properties: {
    token: { ...str, description: 'Session token: send as `Authorization: Bearer <token>`' },
    expiresS: { ...num, description: 'When the session ends, s since epoch (UTC)' },
    user: str,
    partner: str,
    partnerName: str,
    role: roleSchema,
  },
} as const;

export const meSchema = {
  type: 'object',
  required: ['subject', 'kind', 'partner', 'partnerName', 'partnerStatus', 'role', 'expiresS', 'demo'],
  properties: {
    subject: { ...str, description: "The user, the API token's label or the demo session's name" },
    kind: { type: 'string', enum: ['login', 'api', 'demo'] },
    partner: str,
    partnerName: str,
    partnerStatus: partnerStatusEnum,
    role: roleSchema,
    expiresS: { ...nullableNum, description: 'When the session ends (s since epoch, UTC); null: when the server stops' },
    demo: { type: 'boolean', description: 'The server runs with demo accounts' },
    replay: { type: 'boolean', description: 'The server replays a recording (serve --replay): /api/replay controls it' },
  },
} as const;

export const usersSchema = {
  type: 'object',
  required: ['users'],
  properties: {
    users: {
      type: 'array',
      items: { type: 'object', required: ['username', 'partner', 'role'], properties: { username: str, partner: str, role: roleSchema } },
    },
  },
} as const;

export const tokenRequestSchema = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', pattern: '^[A-Za-z0-9._ -]{1,64}$', description: 'What the feed is, for lists and logs' },
    ttlS: { type: 'number', minimum: 60, maximum: 31536000, description: 'Lifetime in seconds (default 90 days)' },
  },
} as const;

export const tokenResultSchema = {
  type: 'object',
  required: ['token', 'id', 'label', 'partner', 'role', 'expiresS'],
  properties: {
    token: { ...str, description: 'Shown once; the server keeps only its digest' },
    id: { ...str, description: 'Public handle, for DELETE /api/tokens/{id}' },
    label: str,
    partner: str,
    role: roleSchema,
    expiresS: num,
  },
} as const;

export const partnerStatusRequestSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: partnerStatusEnum },
} as const;

export const partnerStatusResultSchema = {
  type: 'object',
  required: ['partner', 'from', 'to', 'sessionsEnded'],
  properties: {
    partner: str,
    from: partnerStatusEnum,
    to: partnerStatusEnum,
    sessionsEnded: { type: 'integer', description: "Sessions of the partner ended by a withdrawal" },
  },
} as const;

const wsMessageSchema = {
  description:
    'Server-to-client JSON text messages. `hello` once on connect, then `frame` each tracker period ' +
    '(the latest frame is also sent right after hello) and `events` as they happen; `coalition` when membership ' +
    'changes. Frames carry the picture of the session\'s partner only. Close code 4401: the session ended ' +
    '(logout, expiry); 4403: the partner withdrew. Track fields: ' +
    'st T/C/K (tentative/confirmed/coasting), lat/lon degrees, alt metres above the ellipsoid or null, ' +
    'vE/vN m/s, cs callsign, m3a Mode 3/A, icao Mode S address, sen sensors, par partners.',
  oneOf: [
    { type: 'object', required: ['type', 'protocol', 'serverTimeS'], properties: { type: { const: 'hello' }, protocol: { const: 'skyfuse.v1' }, serverTimeS: num } },
    {
      type: 'object',
      required: ['type', 't', 'tracks'],
      properties: {
        type: { const: 'frame' },
        t: num,
        tracks: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'st', 'lat', 'lon', 'alt', 'vE', 'vN', 'cs', 'm3a', 'icao', 'sen', 'par'],
            properties: {
              id: str, st: { enum: ['T', 'C', 'K'] }, lat: num, lon: num, alt: nullableNum, vE: num, vN: num,
              cs: nullableStr, m3a: nullableStr, icao: nullableStr, sen: strList, par: strList,
            },
          },
        },
      },
    },
    {
      type: 'object',
      required: ['type'],
      description: "Membership changed: the session's picture may now come from other sensors; fetch /api/coalition again",
      properties: { type: { const: 'coalition' } },
    },
    {
      type: 'object',
      required: ['type', 'alerts'],
      description: "Every listed alert of the partner's picture, on connect and whenever one is raised, cleared or acknowledged by this partner",
      properties: { type: { const: 'alerts' }, alerts: { type: 'array', items: { $ref: '#/components/schemas/Alert' } } },
    },
    {
      type: 'object',
      required: ['type', 'events'],
      properties: {
        type: { const: 'events' },
        events: { type: 'array', items: { type: 'object', required: ['kind', 't'], properties: { kind: { enum: ['north-marker', 'bad-input', 'unknown-sensor'] }, t: num } } },
      },
    },
  ],
} as const;

const errorRef = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } as const;
const unauthorized = { description: 'No valid session: missing, wrong, expired or ended token (SKY_AUTH_REQUIRED)', content: errorRef } as const;
const withdrawn = { description: "The session's partner has withdrawn from the coalition (SKY_PARTNER_WITHDRAWN)", content: errorRef } as const;
const forbidden = { description: "The session's role may not do this (SKY_FORBIDDEN)", content: errorRef } as const;
const badRequest = { description: 'The body does not match the schema (SKY_BAD_REQUEST)', content: errorRef } as const;

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});


const body = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });

/** Who may call a route: every role, or only those listed (x-roles). */
export const ALL_ROLES = ['operator', 'partner-admin', 'coalition-admin'];
/** An operation's `x-roles` and responses, with the 401/403 every authenticated route can answer. */
export const authed = (roles: readonly string[], responses: Record<string, unknown>) => ({
  'x-roles': roles,
  responses: {
    ...responses,
    '401': unauthorized,
    '403': roles.length === ALL_ROLES.length ? withdrawn : { description: `${forbidden.description}, or ${withdrawn.description}`, content: errorRef },
  },
});

/** The document; `extraPaths` are the route modules' (src/serve/routes/). */
export function openApiDocument(version: string, extraPaths: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'skyfuse operations-room API',
      version,
      description:
        'The air picture of the coalition, as released to the partner of the caller. Log in with POST /api/login ' +
        '(or use an API token from POST /api/tokens) and send `Authorization: Bearer <token>` on every other route ' +
        'under /api/ except this document; the WebSocket takes the token as the subprotocol `token.<token>` next ' +
        "to `skyfuse.v1`. A session sees only its partner's picture: tracks fused from the data released to that " +
        'partner, and the sensors it is granted. `x-roles` lists the roles allowed on a route. Angles are WGS-84 ' +
        'degrees, times seconds since 1970-01-01 UTC.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/': {
        get: {
          operationId: 'getPage',
          summary: 'The operations-room web page (login form when there is no session)',
          security: [],
          responses: { '200': { description: 'HTML page', content: { 'text/html': {} } } },
        },
      },
      '/assets/{file}': {
        get: {
          operationId: 'getAsset',
          summary: 'Scripts, styles, the MapLibre worker and country outlines of the page',
          security: [],
          parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The file' }, '404': { description: 'No such asset' } },
        },
      },
      '/favicon.ico': {
        get: { operationId: 'getFavicon', summary: 'No icon', security: [], responses: { '204': { description: 'Empty' } } },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } },
        },
      },
      '/api/login': {
        post: {
          operationId: 'login',
          summary: 'Exchange a username and password for a session token (12 h)',
          security: [],
          requestBody: body('LoginRequest'),
          responses: {
            '200': json('LoginResult', 'The session'),
            '400': badRequest,
            '401': { description: 'Wrong username or password (SKY_LOGIN_FAILED)', content: errorRef },
            '403': withdrawn,
            '429': { description: 'Too many failed attempts for this user; retry after the Retry-After seconds (SKY_LOGIN_THROTTLED)', content: errorRef },
            '503': { description: 'Too many logins at once; retry after the Retry-After seconds (SKY_LOGIN_BUSY)', content: errorRef },
          },
        },
      },
      '/api/logout': {
        post: { operationId: 'logout', summary: 'End the session of the token presented', ...authed(ALL_ROLES, { '204': { description: 'Session ended' } }) },
      },
      '/api/me': {
        get: { operationId: 'getMe', summary: 'Who the session is: subject, partner, role, expiry', ...authed(ALL_ROLES, { '200': json('Me', 'The session') }) },
      },
      '/api/tracks': {
        get: {
          operationId: 'getTracks',
          summary: "All live system tracks of the latest frame of the partner's picture",
          ...authed(ALL_ROLES, { '200': json('Tracks', 'The latest frame') }),
        },
      },
      '/api/coalition': {
        get: {
          operationId: 'getCoalition',
          summary: "Partners and their status; the sensors released to the session's partner, and its own (degrees)",
          ...authed(ALL_ROLES, { '200': json('Coalition', 'The coalition as this partner may see it') }),
        },
      },
      '/api/status': {
        get: {
          operationId: 'getStatus',
          summary: "Data time of the latest frame of the partner's picture, track count, uptime",
          ...authed(ALL_ROLES, { '200': json('Status', 'Server status') }),
        },
      },
      '/api/alerts': {
        get: {
          operationId: 'listAlerts',
          summary: "Alerts of the partner's picture: emergency squawks, new unknown aircraft, lost tracks, sensor outages",
          ...authed(ALL_ROLES, { '200': json('Alerts', 'Newest first') }),
        },
      },
      '/api/alerts/{id}/ack': {
        post: {
          operationId: 'acknowledgeAlert',
          summary: "Acknowledge an alert for the caller's partner (other partners keep their own state)",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          ...authed(['operator', 'partner-admin'], { '200': json('Alert', 'The alert, acknowledged'), '404': { description: "No such alert in the partner's picture (SKY_NOT_FOUND)", content: errorRef } }),
        },
      },
      '/api/sensors': {
        get: {
          operationId: 'listSensors',
          summary: 'The granted sensors with health (last seen, outage) and registration estimates, as this partner\'s picture sees them',
          ...authed(ALL_ROLES, { '200': json('Sensors', 'Granted sensors') }),
        },
      },
      '/api/users': {
        get: {
          operationId: 'listUsers',
          summary: "User accounts: a partner administrator sees its partner's, a coalition administrator everyone's",
          ...authed(['partner-admin', 'coalition-admin'], { '200': json('Users', 'Accounts (never passwords)') }),
        },
      },
      '/api/tokens': {
        post: {
          operationId: 'createApiToken',
          summary: "Create an API token for a machine feed: role operator, the caller's partner",
          requestBody: body('TokenRequest'),
          ...authed(['partner-admin', 'coalition-admin'], { '201': json('TokenResult', 'The token, shown once'), '400': badRequest }),
        },
      },
      '/api/tokens/{id}': {
        delete: {
          operationId: 'revokeApiToken',
          summary: "Revoke an API token of the caller's partner (a coalition administrator: of any partner)",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          ...authed(['partner-admin', 'coalition-admin'], { '204': { description: 'Revoked' }, '404': { description: 'No such API token (SKY_NOT_FOUND)', content: errorRef } }),
        },
      },
      '/api/partners/{id}/status': {
        put: {
          operationId: 'setPartnerStatus',
          summary: "Suspend, resume or withdraw a partner, effective at once; a withdrawal ends the partner's sessions",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body('PartnerStatusRequest'),
          ...authed(['coalition-admin'], { '200': json('PartnerStatusResult', 'The change'), '400': badRequest, '404': { description: 'No such partner (SKY_NOT_FOUND)', content: errorRef } }),
        },
      },
      '/api/ws': {
        get: {
          operationId: 'openTrackStream',
          summary: "WebSocket stream of the partner's frames and events",
          description:
            'Upgrade with `Sec-WebSocket-Protocol: skyfuse.v1, token.<token>`. The server selects `skyfuse.v1` ' +
            'and then pushes the messages described by the WsMessage schema. Without a valid session the upgrade ' +
            'is refused with 401 (403 for a withdrawn partner).',
          security: [],
          'x-roles': ALL_ROLES,
          parameters: [
            { name: 'Sec-WebSocket-Protocol', in: 'header', required: true, schema: { type: 'string' }, example: 'skyfuse.v1, token.<token>' },
          ],
          responses: {
            '101': { description: 'Switching protocols; messages as in WsMessage', content: { 'application/json': { schema: { $ref: '#/components/schemas/WsMessage' } } } },
            '401': unauthorized,
            '403': withdrawn,
          },
        },
      },
      ...extraPaths,
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/login, an API token, or the demo token printed by `skyfuse serve`' } },
      schemas: {
        Error: errorSchema,
        Track: trackSchema,
        Tracks: tracksSchema,
        Coalition: coalitionSchema,
        Status: statusSchema,
        Alert: alertSchema,
        Alerts: alertsSchema,
        Sensors: sensorsSchema,
        LoginRequest: loginRequestSchema,
        LoginResult: loginResultSchema,
        Me: meSchema,
        Users: usersSchema,
        TokenRequest: tokenRequestSchema,
        TokenResult: tokenResultSchema,
        PartnerStatusRequest: partnerStatusRequestSchema,
        PartnerStatusResult: partnerStatusResultSchema,
        WsMessage: wsMessageSchema,
      },
    },
  };
}
