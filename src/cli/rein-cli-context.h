/* rein-cli-context.h: what the account and market commands share: the
 * store, the active identity, the password, questions, waiting for
 * asynchronous calls, and reading the market from every server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-client.h"
#include "rein-fetch.h"
#include "rein-market.h"
#include "rein-market-reader.h"
#include "rein-publisher.h"
#include "rein-session.h"
#include "rein-store.h"
#include "rein-sync.h"

#include "rein-cli-form.h"
#include "rein-cli-private.h"

G_BEGIN_DECLS

/* ---- The store and the identity ---- */

/* Opens the store in --data-dir, else $REIN_DATA_DIR, else the default. */
ReinStore *rein_cli_open_store (GError **error);
/* The active identity; an error that says to run "setup" when none. */
ReinIdentity *rein_cli_active_identity (ReinStore *store, GError **error);
ReinNetwork rein_cli_identity_network (ReinIdentity *identity);

/* The password: $REIN_PASSWORD, else --password-file, else asked on the
 * terminal without echo (twice when @confirm, for a new password). */
ReinCliSecret *rein_cli_get_password (gboolean confirm, GError **error);

/* ---- The session ----
 * The client's session (rein-session.h), the one the app uses: adding
 * identities and servers, unlocking, syncing. Its asynchronous calls are
 * waited for with rein_cli_wait(). */

/* A session on @store, once it has read the identities and servers. */
ReinSession *rein_cli_open_session (ReinStore *store);
/* The session's active identity (not a new reference); an error that says
 * to run "setup" when none. */
ReinIdentity *rein_cli_session_identity (ReinSession *session, GError **error);
/* Waits until the session has written what it writes in the background
 * (the choice of active identity), before the program ends. */
void rein_cli_session_settle (ReinSession *session);
/* Asks for the password and opens the active identity's delegate key with
 * it, for one operation (the session does not keep it). */
ReinPrivateKey *rein_cli_unlock_delegate (ReinSession *session, GError **error);

/* ---- Questions ---- */

/* The --defaults form, or an empty one. */
ReinCliForm *rein_cli_load_form (GError **error);
/* TRUE when questions can be asked: standard input and standard error are
 * a terminal. */
gboolean rein_cli_interactive (void);
/* The answer to @label: from @form, else asked on the terminal (@hint, when
 * not NULL, is printed first), else an error that names the label. Free
 * text (@multiline) is read until an empty line. With @fallback, an empty
 * answer gives it. */
gchar *rein_cli_ask (ReinCliForm *form,
                     const gchar *label,
                     const gchar *hint,
                     gboolean multiline,
                     const gchar *fallback,
                     GError **error);
/* Prints @n_items numbered lines of @items (strings) on stderr and asks for
 * one; returns its index, or -1 with an error. */
gint rein_cli_choose (const gchar *what, GPtrArray *items, GError **error);

/* ---- Output ---- */

/* Prints a line on stdout (the caller's output, not an error). */
void rein_cli_print (const gchar *format, ...) G_GNUC_PRINTF (1, 2);
/* Prints "rein-cli: warning: ..." on stderr. */
void rein_cli_warn (const gchar *format, ...) G_GNUC_PRINTF (1, 2);
/* A JsonBuilder helper: a string member, or null. */
void rein_cli_json_string (JsonBuilder *builder, const gchar *name, const gchar *value);

/* ---- Asynchronous calls ---- */

/* A GAsyncReadyCallback that stores a reference to the result in
 * *(GAsyncResult **) @user_data. */
void rein_cli_async_cb (GObject *source, GAsyncResult *result, gpointer user_data);
/* Iterates the main context until *@slot is set. */
void rein_cli_wait (GAsyncResult **slot);

/* ---- Pushing our documents ---- */

/* Syncs the active identity's documents to every server through the
 * session (rein_session_sync_async()). Returns the results (GPtrArray of
 * ReinSyncResult). */
GPtrArray *rein_cli_push (ReinSession *session, const ReinPrivateKey *delegate, GError **error);
/* How many of @results succeeded. */
guint rein_cli_push_count_ok (GPtrArray *results);
void rein_cli_push_to_json (JsonBuilder *builder, GPtrArray *results);

/* ---- Reading the market ---- */

/* The core's ReinMarketReader (rein-market-reader.h), each call run to
 * the end; what went wrong on some servers is kept as warnings, printed by
 * rein_cli_reader_print_warnings(). Calls fail with REIN_CLI_ERROR_NETWORK
 * when no server answered. */
typedef struct _ReinCliReader ReinCliReader;

/* Fails when the store lists no server. */
ReinCliReader *rein_cli_reader_new (ReinStore *store, ReinIdentity *identity, GError **error);
void rein_cli_reader_free (ReinCliReader *reader);

ReinDirectory *rein_cli_reader_get_directory (ReinCliReader *reader);
/* The core's reader, for the client's services that read with it. */
ReinMarketReader *rein_cli_reader_get_market (ReinCliReader *reader);

/* Sends @query (with @params, NULL-terminated name/value pairs) to every
 * server, page by page, and merges the answers (GPtrArray of ReinDocument,
 * parsed, not validated). */
GPtrArray *rein_cli_reader_query (ReinCliReader *reader,
                                  const gchar *query,
                                  const gchar *const *params,
                                  GError **error);

/* The valid mediators' enrollments (GPtrArray of ReinDocument), without
 * our own. */
GPtrArray *rein_cli_reader_load_mediators (ReinCliReader *reader, GError **error);

/* The jobs of the "jobs" and "bids" queries with a valid posting,
 * validated, by job ID (GPtrArray of ReinJob); verdicts and orders are
 * stored. */
GPtrArray *rein_cli_reader_load_open_jobs (ReinCliReader *reader, GError **error);

/* The jobs of @job_ids from the servers and the store, validated, in the
 * order of @job_ids, with only the jobs some document was found for
 * (GPtrArray of ReinJob); verdicts and orders are stored. */
GPtrArray *rein_cli_reader_load_jobs (ReinCliReader *reader,
                                      const gchar *const *job_ids,
                                      GError **error);

/* Prints what went wrong on some servers, as warnings. */
void rein_cli_reader_print_warnings (ReinCliReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinCliReader, rein_cli_reader_free)

G_END_DECLS
