/**
 * The cluster: the ZooKeeper registry of nodes, mirrors and snapshots, active/standby leadership
 * and the epoch that fences every shared write. Built under issue 3.
 */
package org.mirrordirector.failover;
