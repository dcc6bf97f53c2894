/**
 * The `inspector` option of RpcServer: registers the Inspector service and mounts the page's
 * files. RpcServer loads this module only when the option is set, so a server without the
 * inspector never loads it.
 */
import type { MountedRoutes } from "../server/mounted-routes.js";
import type { ResolvedInspectorOptions } from "../server/options.js";
import { InspectorService, type InspectedServer } from "./inspector-service.js";
import { pageFiles, sendPageFile } from "./page-files.js";

export interface InspectorHost extends InspectedServer {
  register(implementation: object): unknown;
  readonly routes: MountedRoutes;
  /** `{base}` without its trailing `/` (`""` for the root). */
  readonly prefix: string;
}

export function installInspector(options: ResolvedInspectorOptions, host: InspectorHost): void {
  host.register(new InspectorService(host));
  const pagePath = `${host.prefix}${options.path}`;
  for (const file of pageFiles(pagePath, `${host.prefix}/ws`)) {
    host.routes.mount(`${options.path}${file.below}`, {
      // The files hold no data (that comes over the service, which authorize guards), and a
      // browser cannot send credentials of its own when it opens a page.
      public: true,
      handle: (_env, req, res) => sendPageFile(file, req, res),
    });
  }
}
