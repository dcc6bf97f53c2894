/**
 * What the operating system allows the benchmark, read before anything starts: file
 * descriptors per process, source ports per source address, the kernel's tables. What
 * can be raised is raised (the soft fd limit of every child, the conntrack table when it is
 * too small); what cannot is named with the setting to change.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Source ports of the load generators' connections: above the ports development servers
 * tend to listen on, below the kernel's ephemeral range.
 */
const lowestSourcePort = 16384;
const highestSourcePort = 32767;

/** Descriptors a process needs beside its connections (Redis, IPC, stdio, epoll, ...). */
export const reservedFds = 200;

function readProc(path) {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The hard RLIMIT_NOFILE children get (the soft one is raised to it when they start). */
function hardFdLimit() {
  const text = execFileSync("/bin/sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim();
  return text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text);
}

/** Ports the kernel hands out for connections that bind an address but no port. */
function ephemeralPorts() {
  const range = readProc("/proc/sys/net/ipv4/ip_local_port_range");
  if (range === undefined) return { low: 32768, high: 60999, count: 28232 };
  const [low, high] = range.split(/\s+/).map(Number);
  return { low, high, count: high - low + 1 };
}

function readNumber(path) {
  const text = readProc(path);
  return text === undefined ? undefined : Number(text.split(/\s+/)[0]);
}

/**
 * How the connections are laid out on this machine: server processes, generator
 * processes, source addresses. `problems` are reasons the run cannot happen as asked (each
 * says what to change); `notes` say what was adjusted or raised.
 */
export function planRun({ connections, nodes, nodesGiven, generators, generatorsGiven }) {
  const problems = [];
  const notes = [];
  const fdHard = hardFdLimit();
  const usable = fdHard - reservedFds;
  const fdFix =
    "raise the hard limit (as a user with CAP_SYS_RESOURCE: `prlimit --pid $$ --nofile=N:N`, " +
    "systemd LimitNOFILE=, or /etc/security/limits.conf), up to fs.nr_open";

  const perNodeNeed = Math.ceil(connections / nodes) + reservedFds;
  if (fdHard < perNodeNeed) {
    const fitting = Math.ceil(connections / usable);
    if (nodesGiven) {
      problems.push(
        `each of ${nodes} server processes needs ${perNodeNeed} file descriptors, but the hard ` +
          `limit (ulimit -Hn) is ${fdHard}: ${fdFix}, or run with --nodes ${fitting}`,
      );
    } else {
      notes.push(
        `${nodes} server processes would need ${perNodeNeed} file descriptors each, over the hard ` +
          `limit of ${fdHard} (ulimit -Hn, which this user cannot raise: ${fdFix}); running ` +
          `${fitting} server processes instead`,
      );
      nodes = fitting;
    }
  }

  const perGeneratorMax = Math.min(usable, 20_000);
  const neededGenerators = Math.max(2, Math.ceil(connections / perGeneratorMax));
  if (!generatorsGiven) generators = neededGenerators;
  else if (Math.ceil(connections / generators) + reservedFds > fdHard) {
    problems.push(
      `each of ${generators} load generators needs ${Math.ceil(connections / generators) + reservedFds} ` +
        `file descriptors, over the hard limit of ${fdHard}: run with --generators ${neededGenerators}`,
    );
  }

  // Every connection binds its own (source address, port) pair, chosen by the load
  // generator: a port left to the kernel (bind to port 0) is searched for, which gets slow
  // as an address fills up, and comes from the ephemeral range that every other program's
  // outgoing connections draw from (a port bound on any address is skipped there). Below
  // the ephemeral range, neither happens.
  const ports = ephemeralPorts();
  const sourcePorts = { low: lowestSourcePort, high: Math.min(highestSourcePort, ports.low - 1) };
  const perSource = sourcePorts.high - sourcePorts.low + 1;
  if (perSource < 1000) {
    problems.push(
      `the ephemeral port range (net.ipv4.ip_local_port_range ${ports.low}-${ports.high}) leaves ` +
        `no room for source ports from ${lowestSourcePort}: as root, sysctl -w ` +
        `net.ipv4.ip_local_port_range="32768 60999"`,
    );
  }
  const perGenerator = Math.ceil(connections / generators);
  // One address more than the connections need: retries and skipped ports take pairs too.
  const sourcesPerGenerator = Math.ceil(perGenerator / Math.max(1, perSource)) + 1;
  // 127.0.0.0/8 is all loopback; a block of our own per run keeps clear of 127.0.0.1 and of
  // pairs a killed earlier run may have left in TIME_WAIT.
  const block = 10 + (process.pid % 200);
  const sources = Array.from({ length: generators }, (_, g) =>
    Array.from({ length: sourcesPerGenerator }, (_, k) => `127.${block}.${g + 1}.${k + 1}`),
  );

  const fileMax = readNumber("/proc/sys/fs/file-max");
  const fileNr = readNumber("/proc/sys/fs/file-nr");
  const fdsNeeded = 2 * connections + (nodes + generators) * reservedFds;
  if (fileMax !== undefined && fileNr !== undefined && fileMax - fileNr < fdsNeeded) {
    raiseOrReport(
      "/proc/sys/fs/file-max",
      fileNr + fdsNeeded * 1.2,
      `fs.file-max is ${fileMax} with ${fileNr} in use; ${fdsNeeded} more are needed`,
      notes,
      problems,
    );
  }

  // On loopback both ends are one connection-tracking entry (when netfilter tracks them).
  const conntrackMax = readNumber("/proc/sys/net/netfilter/nf_conntrack_max");
  const conntrackCount = readNumber("/proc/sys/net/netfilter/nf_conntrack_count");
  if (conntrackMax !== undefined && conntrackCount !== undefined) {
    const want = conntrackCount + Math.ceil(connections * 1.2);
    if (want > conntrackMax) {
      raiseOrReport(
        "/proc/sys/net/netfilter/nf_conntrack_max",
        want,
        `net.netfilter.nf_conntrack_max is ${conntrackMax} with ${conntrackCount} tracked; ` +
          `${connections} connections need ${want}`,
        notes,
        problems,
      );
    }
  }

  const somaxconn = readNumber("/proc/sys/net/core/somaxconn");
  const memAvailable = meminfo().MemAvailable;
  // Generous: server and client side in Node, and both kernel sockets.
  const memNeeded = connections * 80 * 1024;
  if (memAvailable !== undefined && memAvailable < memNeeded) {
    problems.push(
      `${connections} connections need about ${gib(memNeeded)} of memory (server, load ` +
        `generators and kernel), and ${gib(memAvailable)} is available: run fewer (--connections)`,
    );
  }

  return {
    nodes,
    generators,
    sources,
    perSource,
    sourcePorts,
    problems,
    notes,
    limits: {
      fdHardLimit: Number.isFinite(fdHard) ? fdHard : "unlimited",
      ephemeralPorts: `${ports.low}-${ports.high}`,
      sourcePorts: `${sourcePorts.low}-${sourcePorts.high}`,
      somaxconn,
      conntrackMax: readNumber("/proc/sys/net/netfilter/nf_conntrack_max"),
      fileMax: readNumber("/proc/sys/fs/file-max"),
      nrOpen: readNumber("/proc/sys/fs/nr_open"),
    },
  };
}

/** Raises a kernel setting to `value` (as root), or says why the run cannot go on. */
function raiseOrReport(path, value, why, notes, problems) {
  const setting = path.replace("/proc/sys/", "").replaceAll("/", ".");
  const wanted = Math.ceil(value);
  try {
    writeFileSync(path, String(wanted));
    notes.push(`${why}: raised ${setting} to ${wanted}`);
  } catch (error) {
    problems.push(
      `${why}: cannot raise it (${error.code ?? error.message}); as root: sysctl -w ${setting}=${wanted}`,
    );
  }
}

/** Checks that the first source address can be bound (127.0.0.0/8 routed to lo). */
export async function checkSourceAddress(address) {
  const probe = createServer();
  try {
    await new Promise((resolve, reject) => {
      probe.once("error", reject);
      probe.listen(0, address, resolve);
    });
    return undefined;
  } catch (error) {
    return (
      `cannot bind source address ${address} (${error.code ?? error.message}): the loopback ` +
      `range 127.0.0.0/8 is not routed to lo here; as root: ip addr add 127.0.0.1/8 dev lo`
    );
  } finally {
    probe.close();
  }
}

/** /proc/meminfo in bytes. */
export function meminfo() {
  const text = readProc("/proc/meminfo") ?? "";
  const info = {};
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+)( kB)?/.exec(line);
    if (match) info[match[1]] = Number(match[2]) * (match[3] ? 1024 : 1);
  }
  return info;
}

/** /proc/net/sockstat's TCP line: sockets in use, orphans, TIME_WAIT, buffer pages. */
export function tcpSockstat() {
  const line = (readProc("/proc/net/sockstat") ?? "").split("\n").find((l) => l.startsWith("TCP:"));
  if (line === undefined) return undefined;
  const fields = {};
  const parts = line.slice(4).trim().split(/\s+/);
  for (let i = 0; i + 1 < parts.length; i += 2) fields[parts[i]] = Number(parts[i + 1]);
  return fields;
}

function gib(bytes) {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
