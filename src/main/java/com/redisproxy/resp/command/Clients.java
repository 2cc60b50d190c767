package com.redisproxy.resp.command;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * The proxy's own client connections, as CLIENT LIST, INFO and KILL see them: the ids CLIENT ID
 * gives, the names CLIENT SETNAME sets, the users AUTH logged in as. Any thread.
 */
public interface Clients {
  /** What a CLIENT KILL or CLIENT LIST filter can ask of a client. */
  record Client(long id, String address, String localAddress, String user) {}

  /** CLIENT LIST's lines of the clients {@code shown} lets through, each ending in a newline. */
  String list(Predicate<Client> shown);

  /** CLIENT INFO's line of client {@code id}. */
  Optional<String> info(long id);

  /** A client of this id is connected (CLIENT TRACKING ... REDIRECT names one). */
  default boolean exists(long id) {
    return info(id).isPresent();
  }

  /**
   * Closes the clients {@code matching} lets through, once what they are owed is written; the
   * client {@code asking} is closed after its own reply. Returns how many.
   */
  int kill(Predicate<Client> matching, long asking);

  /** No clients: for sessions not on a front end (tests). */
  Clients NONE = new Clients() {
    @Override
    public String list(Predicate<Client> shown) {
      return "";
    }

    @Override
    public Optional<String> info(long id) {
      return Optional.empty();
    }

    @Override
    public int kill(Predicate<Client> matching, long asking) {
      return 0;
    }
  };
}
