package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.net.URI;

/** A HEAD over https, blocking: the answer's status, or why there was none. */
@FunctionalInterface
public interface TlsHead {
  int status(URI url) throws IOException;
}
