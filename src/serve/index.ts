// Serve: the operations-room edge. It turns the tracker's frames and the
// events on the bus into a REST API (OpenAPI at /api/openapi.json), a
// WebSocket stream and the MapLibre page under web/, all behind the operator
// token. It only reads the bus: it never publishes, never changes a track,
// never logs a credential, and the page it serves loads nothing from outside.
export { startServer, type ServeOptions, type ServerHandle } from './server.ts';
export { buildWeb, type WebAsset, type WebAssets } from './web.ts';
export { generateToken, operatorUrl } from './auth.ts';
export { openApiDocument } from './openapi.ts';
export type { WireEvent, WireMessage, WireTrack } from './wire.ts';
