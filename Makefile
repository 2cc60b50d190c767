# redis-proxy: `make run` to try it, `make test` for everything the project checks.
JAR := target/redis-proxy.jar
MVN := mvn -B -Dstyle.color=never
NODE_CLIENTS := src/test/node/node_modules/.package-lock.json

.PHONY: build run seed test node-clients stop clean bench fuzz soak

build:
	$(MVN) -q package -DskipTests
	@echo "Built $(JAR)"

run: build
	@scripts/run.sh

# Writes seeded_key1..seeded_key100 to REDIS_ADDRESS (default: the local Redis of `make run`).
seed:
	@test -f $(JAR) || $(MVN) -q package -DskipTests
	java -cp $(JAR) com.redisproxy.tools.SeedDemoKeys $${REDIS_ADDRESS:-127.0.0.1:$${LOCAL_REDIS_PORT:-6379}}

test: $(NODE_CLIENTS)
	$(MVN) verify

# The Node.js clients NodeClientsIT drives (ioredis, node-redis, pinned in src/test/node's lock
# file), installed when npm is here and the lock file changed; without them that test is skipped.
$(NODE_CLIENTS): src/test/node/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix src/test/node --no-audit --no-fund --loglevel=error >/dev/null 2>&1 \
	    || echo "npm ci --prefix src/test/node failed; NodeClientsIT will be skipped"; \
	else echo "npm not found; NodeClientsIT will be skipped"; fi

node-clients:
	@rm -f $(NODE_CLIENTS)
	@$(MAKE) --no-print-directory $(NODE_CLIENTS)

stop:
	@scripts/stop.sh

clean: stop
	$(MVN) -q clean

# The proxy beside redis-server, twemproxy and Webdis (needs redis-tools and wrk; nutcracker, webdis
# and gnuplot-nox optional): one table of BENCH_ROUNDS medians, written to bench/results/latest.{md,csv,svg}.
# BENCH_QUICK=1 for a one-round smoke run, BENCH_JVM_OPTS to A/B the proxy's JVM options.
bench: build
	bench/run.sh

# The RESP parser fuzz properties with many more tries than `make test` (FUZZ_TRIES to change).
FUZZ_TRIES ?= 200000
fuzz:
	$(MVN) test -Dtest=RespParserFuzzTest -Djqwik.tries.default=$(FUZZ_TRIES) -Djqwik.edgecases=MIXIN

# Two minutes of mixed load through both front ends while Redis is killed and restarted, then two
# minutes of the staleness checker (writers on Redis, readers through both front ends, the proxy's
# connection to Redis stalled, delayed, reset and closed, Redis restarted), and as long in front of a
# Cluster with one master's connection faulty (SOAK_SECONDS to change each); prints the reports
# (target/soak-report.txt, target/staleness-checker-report.txt, target/staleness-checker-cluster-report.txt).
SOAK_SECONDS ?= 120
soak: build
	$(MVN) -q verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test='SoakIT,StalenessCheckerIT' \
	  -Dsoak.seconds=$(SOAK_SECONDS) -Dchecker.seconds=$(SOAK_SECONDS) -Dchecker.cluster=true
	@cat target/soak-report.txt target/staleness-checker-report.txt target/staleness-checker-cluster-report.txt
