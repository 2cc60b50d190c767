package com.redisproxy;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.Dispatcher;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.apache.pekko.dispatch.MessageDispatcherConfigurator;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;

/**
 * A Pekko dispatcher whose actors run on an executor we own: the CacheActor on the RESP front
 * end's event loop. A RESP read, the cache's answer and the reply's write then happen on one
 * thread in one loop cycle: no thread is woken and no core is switched for a hit, which on a
 * small machine is most of what a hit costs. The actor stays the one owner of the cache; the
 * loop only lends it the thread between its own I/O.
 */
final class ExecutorDispatcher {

  private ExecutorDispatcher() {}

  /** Makes the dispatcher {@code id} (its settings, e.g. throughput, from config) run on {@code executor}. */
  static void register(ActorSystem<?> system, String id, Executor executor) {
    Dispatchers dispatchers = Adapter.toClassic(system).dispatchers();
    Config config = dispatchers.config(id);
    if (!dispatchers.registerConfigurator(id, new OnExecutor(config, dispatchers.prerequisites(), executor))) {
      throw new IllegalStateException("dispatcher " + id + " is in use already");
    }
  }

  private static final class OnExecutor extends MessageDispatcherConfigurator {
    private final MessageDispatcher dispatcher;

    OnExecutor(Config config, DispatcherPrerequisites prerequisites, Executor executor) {
      super(config, prerequisites);
      ExecutorServiceConfigurator lent = new ExecutorServiceConfigurator(config, prerequisites) {
        @Override
        public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
          return () -> new Lent(executor);
        }
      };
      dispatcher = new Dispatcher(this, config.getString("id"), config.getInt("throughput"), Duration.Zero(), lent,
          FiniteDuration.apply(1, TimeUnit.SECONDS));
    }

    @Override
    public MessageDispatcher dispatcher() {
      return dispatcher;
    }
  }

  /** The executor as Pekko wants it; shutting it down is its owner's business, not Pekko's. */
  private static final class Lent extends AbstractExecutorService {
    private final Executor executor;
    private volatile boolean shutdown;

    Lent(Executor executor) {
      this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
      executor.execute(task);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }
}
