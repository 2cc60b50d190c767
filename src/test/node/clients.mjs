// Drives one real Node.js Redis client through the proxy's RESP port and checks every reply against
// what Redis itself answers. Exits 0 after "PASS <client>", or 1 with "FAIL <client>: <what>".
//
//   node clients.mjs <ioredis | node-redis-resp2 | node-redis-resp3> <resp port>
import { isDeepStrictEqual, inspect } from 'node:util';
import { Redis } from 'ioredis';
import { createClient, MultiErrorReply, WatchError } from 'redis';

const DEADLINE_MS = 30_000; // each step; a loaded 2-core machine is slow, a hang is still a failure
const SCRIPT_DEADLINE_MS = 150_000;

const [clientName, portText] = process.argv.slice(2);
const port = Number(portText);
let passed = 0;

class Mismatch extends Error {}

function expectEqual(what, actual, expected) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Mismatch(`${what}: expected ${inspect(expected)}, got ${inspect(actual)}`);
  }
  passed++;
}

function expectTrue(what, condition, detail) {
  if (!condition) throw new Mismatch(`${what}: ${detail}`);
  passed++;
}

function within(what, promise, ms = DEADLINE_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Mismatch(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function eventually(what, condition, ms = DEADLINE_MS) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise(resolve => setTimeout(resolve, 25)); // a polling interval, not a synchronisation
  }
  throw new Mismatch(`${what}: not true within ${ms} ms`);
}

function plainObject(reply) {
  return reply instanceof Map ? Object.fromEntries(reply) : Object.fromEntries(Object.entries(reply));
}

function infoField(text, field) {
  const line = String(text).split('\r\n').find(l => l.startsWith(field + ':'));
  return line === undefined ? undefined : line.slice(field.length + 1);
}

// ioredis speaks RESP2; its handshake is an INFO ready check (and CLIENT SETINFO).
async function openIoredis() {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectTimeout: DEADLINE_MS,
    retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => {}); // a failed command rejects its own promise
  await within('ioredis connects', c.connect());
  return {
    raw: c,
    set: (k, v) => c.set(k, v), get: k => c.get(k), incr: k => c.incr(k), append: (k, v) => c.append(k, v),
    expire: (k, s) => c.expire(k, s), ttl: k => c.ttl(k), del: k => c.del(k), rename: (a, b) => c.rename(a, b),
    hset: (k, fields) => c.hset(k, fields), hgetall: async k => plainObject(await c.hgetall(k)),
    lpush: (k, v) => c.lpush(k, v), publish: (ch, m) => c.publish(ch, m),
    info: (...section) => c.info(...section),
    blpop: async (k, seconds) => c.blpop(k, seconds),
    watch: k => c.watch(k),
    pipeline: async commands => (await c.pipeline(commands).exec())
      .map(([error, value]) => (error ? { error: error.message } : { value })),
    batch: async commands => (await c.pipeline(commands).exec())
      .map(([error, value]) => (error ? { error: error.message } : { value })),
    transaction: async commands => {
      const replies = await c.multi(commands).exec();
      return replies === null ? 'aborted' : replies.map(([error, value]) => (error ? { error: error.message } : { value }));
    },
    subscribe: async (channel, onMessage) => {
      c.on('message', (from, message) => { if (from === channel) onMessage(message); });
      await c.subscribe(channel);
    },
    serverInfo: () => c.serverInfo,
    close: () => c.disconnect(),
  };
}

const NODE_REDIS_METHODS = { hset: 'hSet', hgetall: 'hGetAll', lpush: 'lPush' };

// node-redis: RESP2 by default, RESP3 (HELLO 3 in its handshake) with RESP: 3.
async function openNodeRedis(resp) {
  const options = { socket: { host: '127.0.0.1', port, connectTimeout: DEADLINE_MS, reconnectStrategy: false } };
  if (resp === 3) options.RESP = 3;
  const c = createClient(options);
  c.on('error', () => {});
  await within(`node-redis RESP${resp} connects`, c.connect());
  const replies = (settled, errorIndexes = []) =>
    settled.map((value, i) => (errorIndexes.includes(i) ? { error: value.message } : { value: normalise(value) }));
  const normalise = value => (value instanceof Map || (value && value.constructor === undefined) ? plainObject(value) : value);
  const queue = commands => {
    const multi = c.multi();
    for (const [name, ...args] of commands) multi[NODE_REDIS_METHODS[name] ?? name](...args);
    return multi;
  };
  return {
    raw: c,
    set: (k, v) => c.set(k, v), get: k => c.get(k), incr: k => c.incr(k), append: (k, v) => c.append(k, v),
    expire: (k, s) => c.expire(k, s), ttl: k => c.ttl(k), del: k => c.del(k), rename: (a, b) => c.rename(a, b),
    hset: (k, fields) => c.hSet(k, fields), hgetall: async k => plainObject(await c.hGetAll(k)),
    lpush: (k, v) => c.lPush(k, v), publish: (ch, m) => c.publish(ch, m),
    info: (...section) => c.info(...section),
    blpop: async (k, seconds) => {
      const reply = await c.blPop(k, seconds);
      return reply === null ? null : [reply.key, reply.element];
    },
    watch: k => c.watch(k),
    // execAsPipeline rejects with the first error and drops the other replies: see batch.
    pipeline: async commands => replies(await queue(commands).execAsPipeline()),
    // Commands sent in one tick go out in one write (node-redis pipelines them by itself).
    batch: async commands => (await Promise.allSettled(commands.map(([name, ...args]) =>
      c[NODE_REDIS_METHODS[name] ?? name](...args))))
      .map(s => (s.status === 'fulfilled' ? { value: normalise(s.value) } : { error: s.reason.message })),
    transaction: async commands => {
      try {
        return replies(await queue(commands).exec());
      } catch (e) {
        if (e instanceof WatchError) return 'aborted';
        if (e instanceof MultiErrorReply) return replies(e.replies, e.errorIndexes);
        throw e;
      }
    },
    subscribe: (channel, onMessage) => c.subscribe(channel, message => onMessage(message)),
    serverInfo: () => undefined,
    close: () => c.destroy(),
  };
}

const CLIENTS = {
  ioredis: { open: openIoredis, resp: 2 },
  'node-redis-resp2': { open: () => openNodeRedis(2), resp: 2 },
  'node-redis-resp3': { open: () => openNodeRedis(3), resp: 3 },
};

async function cacheHits(stats) {
  return Number(infoField(await stats.info('proxy'), 'cache_hits'));
}

async function readsItsWrites(c, stats, k) {
  expectEqual('SET', await c.set(k('s'), 'v1'), 'OK');
  expectEqual('GET after SET', await c.get(k('s')), 'v1');
  const hits = await cacheHits(stats);
  expectTrue('INFO proxy has cache_hits', Number.isInteger(hits), `got ${inspect(await stats.info('proxy'))}`);
  expectEqual('repeated GET', await c.get(k('s')), 'v1');
  expectEqual('the repeated GET is a cache hit (cache_hits grows by one)', await cacheHits(stats), hits + 1);
  expectEqual('SET over a cached value', await c.set(k('s'), 'v2'), 'OK');
  expectEqual('GET after the second SET', await c.get(k('s')), 'v2');

  expectEqual('SET a number', await c.set(k('n'), '10'), 'OK');
  expectEqual('GET the number', await c.get(k('n')), '10');
  expectEqual('INCR', await c.incr(k('n')), 11);
  expectEqual('GET after INCR', await c.get(k('n')), '11');

  expectEqual('APPEND', await c.append(k('s'), '+tail'), 7);
  expectEqual('GET after APPEND', await c.get(k('s')), 'v2+tail');

  expectEqual('EXPIRE 100', await c.expire(k('s'), 100), 1);
  const ttl = await c.ttl(k('s'));
  expectTrue('TTL after EXPIRE 100', ttl > 0 && ttl <= 100, `got ${ttl}`);
  expectEqual('EXPIRE 0 (deletes the key)', await c.expire(k('s'), 0), 1);
  expectEqual('GET after EXPIRE 0', await c.get(k('s')), null);

  expectEqual('SET before DEL', await c.set(k('d'), 'doomed'), 'OK');
  expectEqual('GET before DEL', await c.get(k('d')), 'doomed');
  expectEqual('DEL', await c.del(k('d')), 1);
  expectEqual('GET after DEL', await c.get(k('d')), null);

  expectEqual('SET before RENAME', await c.set(k('from'), 'moved'), 'OK');
  expectEqual('GET the source before RENAME', await c.get(k('from')), 'moved');
  expectEqual('GET the target before RENAME', await c.get(k('to')), null);
  expectEqual('RENAME', await c.rename(k('from'), k('to')), 'OK');
  expectEqual('GET the source after RENAME', await c.get(k('from')), null);
  expectEqual('GET the target after RENAME', await c.get(k('to')), 'moved');

  expectEqual('HSET two fields', await c.hset(k('h'), { f1: 'a', f2: 'b' }), 2);
  expectEqual('HGETALL', await c.hgetall(k('h')), { f1: 'a', f2: 'b' });
  expectEqual('HSET an existing field', await c.hset(k('h'), { f1: 'c' }), 0);
  expectEqual('HGETALL after HSET', await c.hgetall(k('h')), { f1: 'c', f2: 'b' });
}

async function pipelinesKeepOrder(c, k) {
  const mixed = p => [
    ['set', k(p), 'a'], ['get', k(p)], ['append', k(p), 'b'], ['get', k(p)],
    ['incr', k(p + 'n')], ['incr', k(p + 'n')], ['get', k(p + 'n')], ['del', k(p)], ['get', k(p)],
    ['hset', k(p + 'h'), 'f', 'v'], ['hgetall', k(p + 'h')], ['get', k(p + '-missing')],
  ];
  const mixedReplies = [
    { value: 'OK' }, { value: 'a' }, { value: 2 }, { value: 'ab' }, { value: 1 }, { value: 2 }, { value: '2' },
    { value: 1 }, { value: null }, { value: 1 }, { value: { f: 'v' } }, { value: null },
  ];
  expectEqual('a pipeline mixing writes and reads', await c.pipeline(mixed('p')), mixedReplies);
  expectEqual('commands sent in one go, mixing writes and reads', await c.batch(mixed('q')), mixedReplies);
  const withError = await c.batch([
    ['set', k('e'), 'not-a-number'], ['incr', k('e')], ['get', k('e')], ['append', k('e'), '!'], ['get', k('e')],
  ]);
  expectEqual('a Redis error mid-pipeline, the rest in order', withError, [
    { value: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { value: 'not-a-number' },
    { value: 13 }, { value: 'not-a-number!' },
  ]);
}

async function transactions(c, open, k) {
  expectEqual('SET before MULTI', await c.set(k('t'), 'before'), 'OK');
  expectEqual('GET before MULTI (now cached)', await c.get(k('t')), 'before');
  expectEqual('MULTI/EXEC with GETs around a SET', await c.transaction([
    ['get', k('t')], ['set', k('t'), 'after'], ['get', k('t')], ['incr', k('tn')],
  ]), [{ value: 'before' }, { value: 'OK' }, { value: 'after' }, { value: 1 }]);
  expectEqual('GET after EXEC', await c.get(k('t')), 'after');

  const watcher = await open();
  try {
    expectEqual('SET the watched key', await c.set(k('w'), 'v0'), 'OK');
    expectEqual('WATCH', await watcher.watch(k('w')), 'OK');
    expectEqual('GET under WATCH', await watcher.get(k('w')), 'v0');
    expectEqual('another connection writes the watched key', await c.set(k('w'), 'theirs'), 'OK');
    expectEqual('EXEC after the watched key changed', await watcher.transaction([['set', k('w'), 'mine']]), 'aborted');
    expectEqual('GET after the aborted EXEC', await c.get(k('w')), 'theirs');
    expectEqual('WATCH again', await watcher.watch(k('w')), 'OK');
    expectEqual('EXEC with the watched key untouched', await watcher.transaction([['set', k('w'), 'mine']]),
      [{ value: 'OK' }]);
    expectEqual('GET after the EXEC', await c.get(k('w')), 'mine');
  } finally {
    await watcher.close();
  }
}

async function blockingPop(c, stats, open, k) {
  const blocker = await open();
  try {
    const blockedBefore = Number(infoField(await stats.info('clients'), 'blocked_clients'));
    const popped = blocker.blpop(k('list'), 60);
    await eventually('the BLPOP is blocked in Redis', async () =>
      Number(infoField(await stats.info('clients'), 'blocked_clients')) > blockedBefore);
    expectEqual('SET while another client is blocked', await c.set(k('b'), 'served'), 'OK');
    expectEqual('GET while another client is blocked', await c.get(k('b')), 'served');
    expectEqual('LPUSH to the blocked list', await c.lpush(k('list'), 'pushed'), 1);
    expectEqual('BLPOP answers the push', await within('BLPOP', popped), [k('list'), 'pushed']);
  } finally {
    await blocker.close();
  }
}

async function publishSubscribe(c, open, k) {
  const subscriber = await open();
  try {
    const received = [];
    await within('SUBSCRIBE', subscriber.subscribe(k('channel'), message => received.push(message)));
    expectEqual('PUBLISH reaches the one subscriber', await c.publish(k('channel'), 'first'), 1);
    expectEqual('PUBLISH again', await c.publish(k('channel'), 'second'), 1);
    await eventually('both messages arrive', async () => received.length >= 2);
    expectEqual('messages in order', received, ['first', 'second']);
  } finally {
    await subscriber.close();
  }
}

async function info(c, resp) {
  const server = await c.info('server');
  expectTrue('INFO server has its section', String(server).startsWith('# Server'), `got ${inspect(server)}`);
  expectTrue('INFO server has redis_version', /^\d+\.\d+\.\d+$/.test(infoField(server, 'redis_version') ?? ''),
    `got ${inspect(server)}`);
  expectEqual('INFO server redis_mode', infoField(server, 'redis_mode'), 'standalone');
  if (c.serverInfo()) expectEqual('ioredis parsed INFO in its ready check', c.serverInfo().redis_mode, 'standalone');
  if (resp === 2) {
    const all = String(await c.info());
    expectTrue('INFO has Redis\'s sections and the proxy\'s', all.includes('# Server') && all.includes('# Proxy'),
      `got ${all.slice(0, 200)}...`);
  }
}

async function main() {
  const client = CLIENTS[clientName];
  if (!client || !Number.isInteger(port)) {
    console.error('usage: node clients.mjs <' + Object.keys(CLIENTS).join(' | ') + '> <resp port>');
    process.exit(2);
  }
  setTimeout(() => fail(new Mismatch(`the whole run took over ${SCRIPT_DEADLINE_MS} ms`)), SCRIPT_DEADLINE_MS).unref();
  const prefix = `node:${clientName}:${process.pid}:`;
  const k = name => prefix + name;
  const stats = clientName === 'ioredis' ? await openIoredis() : await openNodeRedis(2); // INFO proxy, on RESP2
  const c = await client.open();
  try {
    expectEqual('PING after the handshake', await c.raw.ping(), 'PONG');
    await readsItsWrites(c, stats, k);
    await pipelinesKeepOrder(c, k);
    await transactions(c, client.open, k);
    await blockingPop(c, stats, client.open, k);
    await publishSubscribe(c, client.open, k);
    await info(c, client.resp);
  } finally {
    await c.close();
    await stats.close();
  }
  console.log(`PASS ${clientName}: ${passed} checks`);
  process.exit(0);
}

function fail(error) {
  console.log(`FAIL ${clientName} (after ${passed} passing checks): ${error instanceof Mismatch ? error.message : inspect(error)}`);
  process.exit(1);
}

main().catch(fail);
