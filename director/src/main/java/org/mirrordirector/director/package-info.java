/**
 * The clients' side: the Jetty redirector, mirror selection, the status page and metrics. Built
 * under issue 5.
 */
package org.mirrordirector.director;
