/* store-fixture.h: the store the server suite runs against
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * REIN_TEST_STORE=postgresql runs the server suite on PostgreSQL: a
 * throwaway cluster (initdb in a temporary directory, a Unix socket there,
 * no TCP) started on first use, one new schema per server, stopped and
 * removed when the test program exits (and killed with it when it aborts).
 * Otherwise each server gets a new SQLite file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TestCluster TestCluster;

/* Whether the suite runs on PostgreSQL (REIN_TEST_STORE=postgresql). */
gboolean test_store_is_postgresql (void);

/* A new, empty database: "rein-server.db" in @directory, or a new database
 * on the test cluster (a postgresql:// URI). */
gchar *test_store_new_database (const gchar *directory);

/* Runs @sql on @database (a SQLite file or a URI) with @param (may be NULL)
 * bound to $1, and returns the first column of each row (NULL for SQL
 * NULL; none for a statement that returns none). For assertions on what
 * was stored, and (PostgreSQL) for changing it behind the server's back. */
GPtrArray *test_store_select (const gchar *database, const gchar *sql, const gchar *param);
/* Runs @sql (statements without rows: DDL, for breaking a database under
 * a running server) on @database, writable, asserting it succeeds. */
void test_store_exec (const gchar *database, const gchar *sql);

/* Starts a cluster of its own (PostgreSQL's binaries in
 * $REIN_TEST_PG_BINDIR): with fsync when @durable (benchmarks), without
 * for tests (a killed rein-server loses nothing either way; only a killed
 * machine would). Runs initdb and postgres as the "postgres" user when
 * started as root. */
TestCluster *test_cluster_start (gboolean durable);
/* A new, empty place on @cluster: a schema of its own in database "rein",
 * as a URI (options=-csearch_path=...). */
gchar *test_cluster_new_database (TestCluster *cluster);
/* A hot standby of @primary: pg_basebackup with its replication settings
 * (-R), started on a socket of its own; read-only, following the primary
 * by streaming. Stop it before the primary. */
TestCluster *test_cluster_start_standby (TestCluster *primary);
/* @database, a URI of test_cluster_new_database() on another cluster, on
 * @cluster's socket instead (the same schema on a standby). */
gchar *test_cluster_same_database (TestCluster *cluster, const gchar *database);
/* Waits (at most 60 s) until @standby has replayed everything @primary
 * wrote so far. */
void test_cluster_wait_replayed (TestCluster *primary, TestCluster *standby);
/* Stops @cluster and removes its directory. */
void test_cluster_stop (TestCluster *cluster);

G_END_DECLS
