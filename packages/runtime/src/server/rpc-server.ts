/**
 * RpcServer: one HTTP port serving REST, JSON-RPC over HTTP, the OpenAPI document and the
 * WebSocket endpoint, all over one Dispatcher. It can listen by itself or live inside an
 * existing node:http server (`attach`, `requestListener`, `handleUpgrade`).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { CallbackDescriptor, ServiceDescriptor } from "../descriptors.js";
import { BodyDeadlines } from "./body-deadlines.js";
import { CallTracker } from "./call-tracker.js";
import type { ClusterGroup } from "./cluster/cluster-group.js";
import { ClusterNode } from "./cluster/cluster-node.js";
import type { CallbackProxy, CallbackRef } from "./context.js";
import { Dispatcher } from "./dispatcher.js";
import { HttpAdapter, pathBelow, type NextHandler } from "./http-adapter.js";
import { metricsRoute } from "./metrics/metrics-route.js";
import { collectStats, type ServerStats } from "./metrics/server-stats.js";
import { MountedRoutes } from "./mounted-routes.js";
import type { HttpEnv } from "./http-env.js";
import { buildOpenApi, type OpenApiInfo } from "./openapi.js";
import {
  resolveServerOptions,
  type ResolvedServerOptions,
  type RpcServerOptions,
} from "./options.js";
import {
  ServiceRegistry,
  type InstanceMode,
  type ServiceBaseClass,
  type ServiceFactory,
  type ServiceImplementation,
} from "./registry.js";
import { WebSocketEndpoint } from "./ws-endpoint.js";

export interface RegisterOptions {
  /** `perCall`: a fresh instance per call; `perConnection`: one per WebSocket connection (HTTP: per request). */
  readonly instance: Exclude<InstanceMode, "shared">;
}

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
}

export interface BoundAddress {
  readonly address: string;
  readonly port: number;
  /** `http://host:port{base}` without a trailing `/` (`ws:` for the socket is `url + "/ws"`). */
  readonly url: string;
}

export class RpcServer {
  readonly options: ResolvedServerOptions;
  readonly dispatcher: Dispatcher;
  readonly #registry = new ServiceRegistry();
  readonly #calls = new CallTracker();
  readonly #http: HttpAdapter;
  /** Routes of optional features: metrics, the inspector. */
  readonly #routes = new MountedRoutes();
  readonly #ws: WebSocketEndpoint;
  readonly #ownServers = new Set<Server>();
  readonly #attached = new Map<Server, Attachment>();
  readonly #bodyDeadlines: BodyDeadlines;
  readonly #node: ClusterNode;
  readonly #startedAt = performance.now();
  /** Open TCP connections of the servers listened on or attached to (see stats()). */
  #tcpConnections = 0;
  readonly #countConnection = (socket: Socket): void => {
    this.#tcpConnections++;
    socket.once("close", () => this.#tcpConnections--);
  };
  #callbackTypes: Map<string, CallbackDescriptor> | undefined;
  #openApi: unknown;
  #closed: Promise<void> | undefined;
  /** Installing the features loaded on demand (the inspector); settles, never rejects. */
  #features: Promise<void> | undefined;

  constructor(options: RpcServerOptions = {}) {
    this.options = resolveServerOptions(options);
    this.dispatcher = new Dispatcher(this.#registry, this.options);
    this.#bodyDeadlines = new BodyDeadlines(this.options.bodyTimeoutMs);
    const env: HttpEnv = {
      dispatcher: this.dispatcher,
      options: this.options,
      calls: this.#calls,
      body: {
        maxBytes: this.options.limits.maxBodyBytes,
        maxDepth: this.options.limits.maxDepth,
        timeoutMs: this.options.bodyTimeoutMs,
        deadlines: this.#bodyDeadlines,
      },
      routes: this.#routes,
      openApi: () =>
        (this.#openApi ??= buildOpenApi(
          [...this.#registry.registrations()].map((r) => r.descriptor),
          openApiInfo(this.options),
        )),
    };
    this.#http = new HttpAdapter(env);
    if (this.options.metrics !== undefined) {
      this.#routes.mount(
        this.options.metrics.path,
        metricsRoute(this.options.metrics, {
          stats: () => this.stats(),
          clusterSize: (group) => this.#node.clusterSize(group),
        }),
      );
    }
    const nodeId = randomBytes(8).toString("hex");
    this.#ws = new WebSocketEndpoint(this.dispatcher, this.options, nodeId);
    this.#node = new ClusterNode(
      nodeId,
      {
        logger: this.options.logger,
        callbackTimeoutMs: this.options.callbackTimeoutMs,
        maxDepth: this.options.limits.maxDepth,
        localCallback: (connection, callback) =>
          this.#ws.connection(connection)?.callback(callback),
        callbackType: (name) => this.#callbackType(name),
      },
      this.options.backplane,
    );
    // A session resumed on another node is relayed back here, and the other way round.
    this.#ws.sessions.remote = this.#node.relaySessions(this.#ws.sessions);
    // Joining the cluster starts now; listen() and ready() wait for it.
    this.#node.start().catch((error: unknown) => {
      this.options.logger.error("could not join the cluster", { error: (error as Error).message });
    });
    if (this.options.inspector !== undefined) {
      this.#features = this.#installInspector(options.authorize !== undefined).catch(
        (error: unknown) => {
          this.options.logger.error("could not install the inspector", {
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
        },
      );
    }
  }

  /** Loaded only when asked for: a server without the inspector never loads its module. */
  async #installInspector(authorizes: boolean): Promise<void> {
    const { installInspector } = await import("../inspector/index.js");
    installInspector(this.options.inspector!, {
      register: (implementation) => this.register(implementation as ServiceImplementation),
      routes: this.#routes,
      prefix: this.options.prefix,
      stats: () => this.stats(),
      sessions: () => this.#ws.allSessions(),
      authorizes,
    });
  }

  /** This server's id in its cluster (random per process; part of every CallbackRef). */
  get nodeId(): string {
    return this.#node.id;
  }

  /**
   * Resolves once the server has joined its cluster (at once without a backplane) and its
   * optional features (the inspector) are installed. `listen()` waits for it; an app that
   * uses `attach` or `requestListener` should too.
   */
  async ready(): Promise<void> {
    await Promise.all([this.#node.start(), this.#features]);
  }

  /**
   * The cluster-wide group `name` of `descriptor` callbacks: the same name on every node is
   * the same group. A broadcast reaches every member on every node once, in the order this
   * node sent them. Calling it again with the same name returns the same group.
   */
  group<C>(name: string, descriptor: CallbackDescriptor<C>): ClusterGroup<C> {
    return this.#node.group(name, descriptor);
  }

  /**
   * A proxy to the callback `ref` (a `proxy.ref` from this or any other node of the
   * cluster). Its type is found among the registered services' callback parameters unless
   * `descriptor` names it.
   */
  callback<C>(ref: CallbackRef<C>, descriptor?: CallbackDescriptor<C>): CallbackProxy<C> {
    return this.#node.callback(ref, descriptor);
  }

  #callbackType(name: string): CallbackDescriptor | undefined {
    if (this.#callbackTypes === undefined) {
      this.#callbackTypes = new Map();
      for (const { descriptor } of this.#registry.registrations()) {
        for (const method of descriptor.methods.values()) {
          for (const param of method.params) {
            if (param.callback !== undefined) {
              this.#callbackTypes.set(param.callback.name, param.callback);
            }
          }
        }
      }
    }
    return this.#callbackTypes.get(name);
  }

  /** Serves `implementation` (an instance of a generated base class) to every call. */
  register(implementation: ServiceImplementation): this;
  /** Serves `Base`'s service with instances made by `factory`, per call or per connection. */
  register(Base: ServiceBaseClass, factory: ServiceFactory, options: RegisterOptions): this;
  register(
    target: ServiceImplementation | ServiceBaseClass,
    factory?: ServiceFactory,
    options?: RegisterOptions,
  ): this {
    if (factory !== undefined) {
      const descriptor = (target as ServiceBaseClass).descriptor;
      if (descriptor?.kind !== "service")
        throw new TypeError("register(Base, factory): Base has no static service descriptor");
      this.#registry.add({ descriptor, mode: options?.instance ?? "perCall", factory });
      this.dispatcher.metrics.addService(descriptor);
    } else {
      const descriptor = serviceDescriptorOf(target);
      if (descriptor === undefined) {
        throw new TypeError(
          "register(instance): the instance's class has no static service descriptor (extend a generated base class)",
        );
      }
      this.#registry.add({ descriptor, mode: "shared", instance: target });
      this.dispatcher.metrics.addService(descriptor);
    }
    this.#openApi = undefined;
    this.#callbackTypes = undefined;
    return this;
  }

  /** A node:http request listener; requests outside `{base}` go to `next` when given, else 404. */
  readonly requestListener = (
    req: IncomingMessage,
    res: ServerResponse,
    next?: NextHandler,
  ): void => {
    this.#http.handle(req, res, next);
  };

  /**
   * The server's figures now: connections, sessions, callbacks, groups, calls in flight,
   * buffered and unacknowledged bytes, and per-method counts, errors and latency
   * (docs/operations.md). Computed when asked; cheap enough to call every second.
   */
  stats(): ServerStats {
    return collectStats({
      node: this.#node.id,
      startedAt: this.#startedAt,
      metrics: this.dispatcher.metrics,
      sessions: () => this.#ws.allSessions(),
      webSocketConnections: this.#ws.connectionCount,
      detachedBytes: this.#ws.detachedBytes,
      tcpConnections: this.#attached.size > 0 ? this.#tcpConnections : undefined,
      httpCallsInFlight: this.#calls.size,
      remoteCallsPending: this.#node.remoteCallsPending,
      groups: () => this.#node.groups(),
    });
  }

  /**
   * WebSocket figures for metrics and tests: open sockets, sessions kept (attached or
   * detached), and the bytes detached sessions keep for replay.
   */
  get webSocketStats(): { sockets: number; sessions: number; detachedBytes: number } {
    return {
      sockets: this.#ws.connectionCount,
      sessions: this.#ws.sessionCount,
      detachedBytes: this.#ws.detachedBytes,
    };
  }

  /** Upgrades at `{base}/ws` become WebSocket connections; any other path is refused with 404. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathBelow(this.options.prefix, req.url) !== "/ws") {
      refuseUpgrade(socket, "404 Not Found");
    } else if (this.#closed !== undefined) {
      refuseUpgrade(socket, "503 Service Unavailable");
    } else {
      this.#ws.handleUpgrade(req, socket, head);
    }
  };

  /**
   * Serves on an existing server, which must have no other request handler of its own. The
   * server takes this server's `limits.maxConnections` and `headersTimeoutMs` until `close()`.
   */
  attach(server: Server): void {
    const attachment: Attachment = {
      request: this.requestListener as RequestListener,
      upgrade: this.handleUpgrade,
      maxConnections: server.maxConnections,
      headersTimeout: server.headersTimeout,
    };
    server.on("request", attachment.request);
    server.on("upgrade", attachment.upgrade);
    server.on("connection", this.#countConnection);
    server.maxConnections = this.options.limits.maxConnections;
    server.headersTimeout = this.options.headersTimeoutMs;
    this.#attached.set(server, attachment);
  }

  async listen(options: ListenOptions = {}): Promise<BoundAddress> {
    await this.ready();
    const server = createServer({
      // node:http checks header deadlines on this interval (30 s by its default).
      connectionsCheckingInterval: Math.min(1000, Math.max(10, this.options.headersTimeoutMs / 10)),
    });
    this.attach(server);
    this.#ownServers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(":") ? `[${address}]` : address;
    return { address, port, url: `http://${host}:${port}${this.options.prefix}` };
  }

  /**
   * Stops accepting, lets in-flight calls finish (aborting their signals after
   * `closeGraceMs`), ends keep-alive sockets and WebSocket connections; resolves when all is
   * closed. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#http.startClosing();
    const serversClosed = [...this.#ownServers].map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    for (const server of this.#ownServers) server.closeIdleConnections();
    // Calls in flight on either transport get the grace period before any socket closes.
    await Promise.all([this.#drainCalls(), this.#ws.drain(this.options.closeGraceMs)]);
    await this.#ws.close();
    for (const server of this.#ownServers) server.closeAllConnections();
    await Promise.all(serversClosed);
    for (const [server, attachment] of this.#attached) {
      server.off("request", attachment.request);
      server.off("upgrade", attachment.upgrade);
      server.off("connection", this.#countConnection);
      server.maxConnections = attachment.maxConnections;
      server.headersTimeout = attachment.headersTimeout;
    }
    this.#attached.clear();
    this.#bodyDeadlines.stop();
    await this.#node.close();
  }

  async #drainCalls(): Promise<void> {
    if (this.#calls.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeGraceMs);
    });
    await Promise.race([this.#calls.idle(), grace]);
    clearTimeout(timer);
    this.#calls.abortAll();
    await this.#calls.idle();
  }
}

function refuseUpgrade(socket: Duplex, status: string): void {
  const answer = `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
  socket.end(answer, () => socket.destroy());
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** What `attach` added to a server, and the settings it replaced (restored by `close()`). */
interface Attachment {
  readonly request: RequestListener;
  readonly upgrade: UpgradeListener;
  readonly maxConnections: number;
  readonly headersTimeout: number;
}

function openApiInfo(options: ResolvedServerOptions): OpenApiInfo {
  return {
    ...options.openApi,
    base: options.base,
    authenticated: options.authenticate !== undefined,
  };
}

/**
 * The static descriptor of the generated base class `instance` extends. Walks the prototype
 * chain instead of reading `instance.constructor`: an IDL method named `constructor`
 * replaces that property on the implementing class's prototype.
 */
function serviceDescriptorOf(instance: object): ServiceDescriptor<any> | undefined {
  for (
    let proto = Object.getPrototypeOf(instance);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const owner = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as
      Partial<ServiceBaseClass> | undefined;
    if (owner?.descriptor?.kind === "service") return owner.descriptor;
  }
  return undefined;
}
