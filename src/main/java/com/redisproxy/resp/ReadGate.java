package com.redisproxy.resp;

import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The first stage of a connection: passes on what the client sends until the connection is idle
 * for too long or shutdown closes it, then completes. Completing (not failing, not cancelling the
 * socket) lets the requests already read be answered; the replies are written and then the
 * connection is closed with a FIN. Until then, bytes still arriving are read and dropped, because
 * TCP with half-close off closes at once when the reading side is cancelled.
 */
final class ReadGate extends GraphStage<FlowShape<ByteString, ByteString>> {
  private static final String IDLE = "idle";

  private final Inlet<ByteString> in = Inlet.create("ReadGate.in");
  private final Outlet<ByteString> out = Outlet.create("ReadGate.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Duration idleTimeout;
  private final ReadGates gates;

  /** @param idleTimeout zero for never; the clock runs only while waiting for the client's bytes */
  ReadGate(Duration idleTimeout, ReadGates gates) {
    this.idleTimeout = idleTimeout;
    this.gates = gates;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private final AsyncCallback<Done> closeCallback = createAsyncCallback(done -> close());
      private final Runnable close = () -> closeCallback.invoke(Done.getInstance());

      {
        // registered while materialising, not in preStart (which runs later, on the stream's own
        // actor), so that a shutdown right after the connection was accepted waits for it too
        gates.opened(close);
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            cancelTimer(IDLE);
            push(out, grab(in));
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
            if (!idleTimeout.isZero()) scheduleOnce(IDLE, idleTimeout);
          }
        });
      }

      @Override
      public void postStop() {
        gates.closed(close);
      }

      @Override
      public void onTimer(Object key) {
        close();
      }

      private void close() {
        if (isClosed(out)) return;
        cancelTimer(IDLE);
        complete(out);
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            grab(in);
            pull(in);
          }
        });
        if (!hasBeenPulled(in) && !isClosed(in)) pull(in);
      }
    };
  }
}
