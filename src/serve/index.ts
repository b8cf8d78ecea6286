// Serve: the operations-room edge. It turns each audience's frames and the
// events on the bus into a REST API (OpenAPI at /api/openapi.json), a
// WebSocket stream and the MapLibre page under web/, behind per-partner
// user sessions: a session sees only its partner's picture. It only reads
// the bus: it never publishes, never changes a track, never logs a
// credential, and the page it serves loads nothing from outside.
export { startServer, type ServeOptions, type ServerHandle } from './server.ts';
export { buildWeb, type WebAsset, type WebAssets } from './web.ts';
export { generateToken, operatorUrl } from './auth.ts';
export { Membership, type MembershipChange } from './membership.ts';
export { ROLES, SessionStore, UserDirectory, randomPassword, type Role, type Session, type User } from './users.ts';
export { openApiDocument } from './openapi.ts';
export type { WireEvent, WireMessage, WireTrack } from './wire.ts';
