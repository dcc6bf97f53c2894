/** The tour's service as the test's client calls it (the server declares the same in server.mjs). */
import { defineCallback, defineService, t } from "@svcgen/runtime";

interface JobEvents {
  progress(id: string, percent: number): void;
}
const JobEventsDescriptor = defineCallback<JobEvents>({
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

interface JobService {
  start(name: string, events: JobEvents): Promise<string>;
}
export const JobServiceDescriptor = defineService<JobService>({
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
