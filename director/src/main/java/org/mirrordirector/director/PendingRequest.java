package org.mirrordirector.director;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** One request being answered off the request thread: served from disk, or held. */
record PendingRequest(
    RequestPath path,
    String scheme,
    ClientLocation client,
    Request request,
    Response response,
    Callback callback,
    boolean head) {}
