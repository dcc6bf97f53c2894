/**
 * Routes that optional features add below `{base}` (the Prometheus endpoint, the inspector
 * page), at exact paths. The HTTP adapter looks here before REST paths, so a feature never
 * grows the router itself.
 */
import type { RouteHandler } from "./http-adapter.js";

export interface MountedRoute {
  readonly handle: RouteHandler;
  /**
   * Served without `authenticate` (files that hold no data, such as the inspector's page:
   * a browser cannot send credentials of its own when it navigates to it).
   */
  readonly public?: boolean;
}

export class MountedRoutes {
  readonly #routes = new Map<string, MountedRoute>();

  /** `path` below `{base}`, e.g. `/metrics`. Throws when a route is there already. */
  mount(path: string, route: MountedRoute): void {
    if (this.#routes.has(path)) throw new TypeError(`two features want the route ${path}`);
    this.#routes.set(path, route);
  }

  find(path: string): MountedRoute | undefined {
    return this.#routes.get(path);
  }
}
