package org.radbridge.server.rest;

/** Sees every byte of a request body as it is read; throws (a 4xx) the moment the body breaks its rule. */
interface BodyWatcher {
  void accept(int b);
}
