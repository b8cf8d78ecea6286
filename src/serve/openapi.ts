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
  required: ['frameTimeS', 'trackCount', 'uptimeS', 'serverTimeS', 'wsClients'],
  properties: {
    frameTimeS: { ...nullableNum, description: 'Data time of the latest frame, s since epoch (UTC)' },
    trackCount: { type: 'integer' },
    uptimeS: num,
    serverTimeS: { ...num, description: 'Wall clock of the server, s since epoch (UTC)' },
    wsClients: { type: 'integer', description: 'Open WebSocket connections' },
  },
} as const;

const wsMessageSchema = {
  description:
    'Server-to-client JSON text messages. `hello` once on connect, then `frame` each tracker period ' +
    '(the latest frame is also sent right after hello) and `events` as they happen. Track fields: ' +
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
      required: ['type', 'events'],
      properties: {
        type: { const: 'events' },
        events: { type: 'array', items: { type: 'object', required: ['kind', 't'], properties: { kind: { enum: ['north-marker', 'bad-input', 'unknown-sensor'] }, t: num } } },
      },
    },
  ],
} as const;

const unauthorized = {
  description: 'Missing or wrong credentials (error SKY_AUTH_REQUIRED)',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
} as const;

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'skyfuse operations-room API',
      version,
      description:
        'The fused air picture of the coalition. Every route under /api/ except this document requires ' +
        '`Authorization: Bearer <token>`; the WebSocket takes the token as the subprotocol `token.<token>` ' +
        'next to `skyfuse.v1`. Angles are WGS-84 degrees, times seconds since 1970-01-01 UTC.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/': {
        get: {
          operationId: 'getPage',
          summary: 'The operations-room web page',
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
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } },
        },
      },
      '/api/tracks': {
        get: {
          operationId: 'getTracks',
          summary: 'All live system tracks of the latest frame',
          responses: { '200': json('Tracks', 'The latest frame'), '401': unauthorized },
        },
      },
      '/api/coalition': {
        get: {
          operationId: 'getCoalition',
          summary: 'Partners and their sensors (degrees)',
          responses: { '200': json('Coalition', 'The coalition'), '401': unauthorized },
        },
      },
      '/api/status': {
        get: {
          operationId: 'getStatus',
          summary: 'Data time of the latest frame, track count, uptime',
          responses: { '200': json('Status', 'Server status'), '401': unauthorized },
        },
      },
      '/api/ws': {
        get: {
          operationId: 'openTrackStream',
          summary: 'WebSocket stream of frames and events',
          description:
            'Upgrade with `Sec-WebSocket-Protocol: skyfuse.v1, token.<token>`. The server selects `skyfuse.v1` ' +
            'and then pushes the messages described by the WsMessage schema. Without a valid token the upgrade ' +
            'is refused with 401.',
          security: [],
          parameters: [
            { name: 'Sec-WebSocket-Protocol', in: 'header', required: true, schema: { type: 'string' }, example: 'skyfuse.v1, token.<token>' },
          ],
          responses: {
            '101': { description: 'Switching protocols; messages as in WsMessage', content: { 'application/json': { schema: { $ref: '#/components/schemas/WsMessage' } } } },
            '401': unauthorized,
          },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The operator token printed by `skyfuse serve`' } },
      schemas: {
        Error: errorSchema,
        Track: trackSchema,
        Tracks: tracksSchema,
        Coalition: coalitionSchema,
        Status: statusSchema,
        WsMessage: wsMessageSchema,
      },
    },
  };
}
