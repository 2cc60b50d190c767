// node-redis 5's own client-side cache (RESP3, CLIENT TRACKING) on top of the proxy: a value read
// twice is served from the client's cache the second time, and a write made straight on Redis, one
// made through the proxy, and a FLUSHALL on Redis each reach that cache within a second.
// Exits 0 after "PASS node-redis-csc", or 1 with "FAIL node-redis-csc: <what>".
//
//   node client-side-cache.mjs <proxy's resp port> <redis port>
import { createClient } from 'redis';

const WITHIN_MS = 1_000; // the bound for the near cache
const DEADLINE_MS = 30_000; // a connection or a command on a loaded 2-core machine; a hang is still a failure
const [proxyPort, redisPort] = process.argv.slice(2).map(Number);
let passed = 0;

class Mismatch extends Error {}

function expectEqual(what, actual, expected) {
  if (actual !== expected) throw new Mismatch(`${what}: expected ${expected}, got ${actual}`);
  passed++;
}

async function eventually(what, condition, ms) {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await condition()) {
      passed++;
      return Date.now() - start;
    }
    await new Promise(resolve => setTimeout(resolve, 10)); // a polling interval, not a synchronisation
  }
  throw new Mismatch(`${what}: not true within ${ms} ms`);
}

async function open(port, options = {}) {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: DEADLINE_MS, reconnectStrategy: false },
    ...options });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const clients = [];
try {
  const direct = await open(redisPort);
  const plain = await open(proxyPort);
  const near = await open(proxyPort, { RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0, evictPolicy: 'LRU' } });
  clients.push(direct, plain, near);
  const k = `csc-${process.pid}`;
  await direct.set(k, 'v1');
  expectEqual('GET through the proxy', await near.get(k), 'v1');
  const hitsBefore = near.clientSideCache.stats().hitCount;
  expectEqual('GET again', await near.get(k), 'v1');
  expectEqual('the second GET is a hit of the client\'s own cache', near.clientSideCache.stats().hitCount, hitsBefore + 1);

  await direct.set(k, 'v2');
  const straight = await eventually('a write straight on Redis reaches the client\'s cache', async () => (await near.get(k)) === 'v2', WITHIN_MS);
  await plain.set(k, 'v3');
  const through = await eventually('a write through the proxy reaches the client\'s cache', async () => (await near.get(k)) === 'v3', WITHIN_MS);
  expectEqual('cached again', await near.get(k), 'v3');
  await direct.flushAll();
  const flushed = await eventually('FLUSHALL on Redis empties the client\'s cache', async () => (await near.get(k)) === null, WITHIN_MS);
  console.log(`PASS node-redis-csc: ${passed} checks; seen ${straight} ms after a write on Redis, ${through} ms after one`
    + ` through the proxy, ${flushed} ms after FLUSHALL (polled every 10 ms)`);
  process.exitCode = 0;
} catch (e) {
  console.log(`FAIL node-redis-csc: ${e instanceof Mismatch ? e.message : e.stack}`);
  process.exitCode = 1;
} finally {
  for (const client of clients) client.destroy();
}
