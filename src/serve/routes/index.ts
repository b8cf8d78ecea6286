// The route modules the server registers besides its own core routes
// (login, tracks, alerts, sensors, users, tokens, membership, WebSocket).
// Add a module here; its paths join the OpenAPI document.
import type { RouteModule } from './context.ts';
import { policyRoutes } from './policy.ts';
import { historyRoutes } from './history.ts';
import { outputsRoutes } from './outputs.ts';
import { eventsRoutes } from './events.ts';
import { replayRoutes } from './replay.ts';

export type { RouteContext, RouteModule } from './context.ts';

export const ROUTE_MODULES: readonly RouteModule[] = [policyRoutes, historyRoutes, outputsRoutes, eventsRoutes, replayRoutes];
