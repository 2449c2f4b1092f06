/* market-data.h: a large market written straight into a rein-server
 * database, for the tests and benchmarks that need thousands of jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes into the rein-server database at @path (created) @n_jobs valid
 * job postings with @bids_per_job valid bids each, and the enrollments of
 * their signers: two mediators, and as few creators and workers as the
 * servers' storage limits allow (each holds at most 2000 documents).
 * Signing runs on every core. Job names and descriptions come from a
 * small vocabulary (see market_data_word()), so searches find some jobs.
 * The reader (@reader_master, @reader_delegate) gets an account: servers
 * answer the queries of their account holders only. */
void market_data_write (const gchar *path,
                        guint n_jobs,
                        guint bids_per_job,
                        const gchar *reader_master,
                        const gchar *reader_delegate);

/* The words the job names are made of: market_data_word (i % n). */
const gchar *market_data_word (guint i);

G_END_DECLS
