/**
 * The Lua scripts the backplane runs: each is one atomic step in Redis, timed by Redis's
 * own clock so that nodes on different machines agree on whose heartbeat is fresh.
 * (Scripts see RESP2 replies: a missing score is `false`, numbers come as strings.)
 */

const now = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Heartbeat: KEYS nodes, inbox; ARGV node, timeoutMs, inboxTtlMs. Stamps this node, keeps
 * its inbox from expiring, forgets nodes dead for ten timeouts, returns the live nodes.
 */
export const heartbeatScript = `${now}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')`;

/**
 * Directed send: KEYS nodes, target inbox; ARGV target, timeoutMs, maxLength, payload,
 * lenient. Appends to the target's inbox only while its heartbeat is fresh (any time when
 * lenient: just after a reconnect, before the nodes have stamped themselves again).
 * Returns 1 when appended, 0 when the target is lost.
 */
export const sendScript = `${now}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ARGV[5] ~= '1' and (not score or tonumber(score) < now - tonumber(ARGV[2])) then
  return 0
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'p', ARGV[4])
return 1`;

/**
 * Group publication: KEYS meta; ARGV channel, epoch candidate, kind, origin, payload.
 * A broadcast ("b") or gap notice ("g") takes the next offset; a sync marker ("s") carries
 * the current one without taking one. A missing meta (new group, or a Redis that lost its
 * data) starts a new epoch, so that subscribers tell a restart from a quiet spell.
 * Publishes `epoch offset kind origin\\npayload`; returns the offset.
 */
export const publishScript = `local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)
end
local offset
if ARGV[3] == 's' then
  offset = tonumber(redis.call('HGET', KEYS[1], 'offset'))
else
  offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
end
redis.call('PUBLISH', ARGV[1], epoch .. ' ' .. offset .. ' ' .. ARGV[3] .. ' ' .. ARGV[4] .. '\\n' .. ARGV[5])
return offset`;

/**
 * Cluster-wide member count: KEYS counts, nodes; ARGV timeoutMs. Sums the counts of live
 * nodes and drops those of nodes the cluster has forgotten.
 */
export const memberCountScript = `${now}
local entries = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #entries, 2 do
  local score = redis.call('ZSCORE', KEYS[2], entries[i])
  if not score then
    redis.call('HDEL', KEYS[1], entries[i])
  elseif tonumber(score) >= now - tonumber(ARGV[1]) then
    total = total + tonumber(entries[i + 1])
  end
end
return total`;
