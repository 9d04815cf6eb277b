package org.radbridge.server.listener;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The connections a listener holds open, bounded in all and per peer address: a slot is taken when
 * a connection is accepted and given back when its thread is done with it, so one peer cannot take
 * every connection and no peer can make the listener start threads without end.
 */
public final class ConnectionSlots {
  private final int max;
  private final int maxPerPeer;
  private final Map<InetAddress, Integer> byPeer = new HashMap<>();
  private int open;

  public ConnectionSlots(int max, int maxPerPeer) {
    this.max = max;
    this.maxPerPeer = maxPerPeer;
  }

  /** A slot for a connection from {@code peer}, or null when the listener or that peer is at its limit. */
  public synchronized Slot tryTake(InetAddress peer) {
    int ofPeer = byPeer.getOrDefault(peer, 0);
    if (open >= max || ofPeer >= maxPerPeer) {
      return null;
    }
    open++;
    byPeer.put(peer, ofPeer + 1);
    return new Slot(peer);
  }

  /** Why a connection from {@code peer} finds no slot, for the log. */
  public synchronized String whyFull(InetAddress peer) {
    int ofPeer = byPeer.getOrDefault(peer, 0);
    return ofPeer >= maxPerPeer ? ofPeer + " connections from " + peer.getHostAddress() + " open (limit " + maxPerPeer + ")"
        : open + " connections open (limit " + max + ")";
  }

  /** Connections open now. */
  public synchronized int open() {
    return open;
  }

  private synchronized void give(InetAddress peer) {
    open--;
    byPeer.computeIfPresent(peer, (p, n) -> n > 1 ? n - 1 : null);
  }

  /** One open connection's place; closing it again changes nothing. */
  public final class Slot implements AutoCloseable {
    private final InetAddress peer;
    private boolean given;

    private Slot(InetAddress peer) {
      this.peer = peer;
    }

    @Override
    public void close() {
      synchronized (ConnectionSlots.this) {
        if (!given) {
          given = true;
          give(peer);
        }
      }
    }
  }
}
