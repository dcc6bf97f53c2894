// The server of README.md's "A ten-line tour", as a user runs it: its own process, the
// built runtime, Node's default rules for unhandled rejections. Prints its URL, then serves.
import { RpcServer, defineCallback, defineService, t } from "@svcgen/runtime";

// What `svcgen generate` emits for the tour's IDL (docs/architecture.md).
const JobEventsDescriptor = defineCallback({
  name: "jobs.JobEvents",
  contractHash: "0".repeat(64),
  methods: [
    {
      name: "progress",
      oneway: true,
      params: [
        { name: "id", schema: t.string },
        { name: "percent", schema: t.float64 },
      ],
    },
  ],
});
const JobServiceDescriptor = defineService({
  name: "jobs.JobService",
  contractHash: "1".repeat(64),
  methods: [
    {
      name: "start",
      params: [
        { name: "name", schema: t.string },
        { name: "events", callback: JobEventsDescriptor },
      ],
      returns: t.string,
    },
  ],
});
class JobServiceBase {
  static descriptor = JobServiceDescriptor;
}

// The tour's implementation, unchanged: nothing awaits the oneway calls.
class Jobs extends JobServiceBase {
  start(name, events) {
    const id = crypto.randomUUID();
    for (let p = 0; p <= 100; p += 25) setTimeout(() => events.progress(id, p), p * 10);
    return id;
  }
}
const server = new RpcServer().register(new Jobs());
const { url } = await server.listen({ port: 0, host: "127.0.0.1" });
console.log(url);
