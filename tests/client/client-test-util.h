/* client-test-util.h: people with a data folder of their own, on a real
 * rein-server, for the client and app suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-context.h"
#include "server-fixture.h"

G_BEGIN_DECLS

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity;
  ReinPrivateKey *key;
  ReinContext *context;
} Person;

/* A GAsyncReadyCallback that keeps a reference to the result in
 * *(GAsyncResult **) @user_data; wait_for() runs the main loop until then. */
void wait_cb (GObject *source, GAsyncResult *result, gpointer user_data);
void wait_for (GAsyncResult **slot);

/* A new data folder with one identity (password "pw"; a mediator with a
 * 1.5% fee when @mediator) that knows @server and has synced its
 * enrollment there; and a context on it. */
void person_init (Person *p, TestServer *server, const gchar *name, gboolean mediator);
void person_clear (Person *p);

/* @p's market once the session has chosen the identity and the index is
 * read. */
ReinMarketService *market_of (Person *p);
/* A refresh that must succeed. */
void refresh (ReinMarketService *market);
/* Publishes @text as @p through the context's publisher, with a push. */
ReinPublication *publish (Person *p, ReinJob *job, const gchar *text, GError **error);
/* A job posting of @creator's with @mediator, built (the market refreshed
 * to find the mediator) and not published; its ID in @out_job_id. */
gchar *post_job_text (Person *creator, Person *mediator, const gchar *name,
                      const gchar *category, const gchar *description, gchar **out_job_id);
/* @creator posts a job naming @mediator's enrollment (found by a refresh of
 * @creator's market); returns its ID. */
gchar *post_job (Person *creator, Person *mediator, const gchar *name, const gchar *category,
                 const gchar *description);

/* @job_id read fresh and validated by @p's market (it must exist). */
ReinJob *load_job (Person *p, const gchar *job_id);
/* @worker bids @amount (BTC) on @job_id through the publisher. */
void place_bid (Person *worker, const gchar *job_id, const gchar *amount);

/* Signs @text as @p and puts it on @p's server as it is, without the
 * publisher's validation: how someone with a valid enrollment puts a
 * forged step. */
void put_unchecked (Person *p, const gchar *text);

/* @creator posts a job with @mediator, @worker bids @amount (BTC) and
 * @creator awards that bid; returns the job as @creator reads it then
 * (awarded: its escrow is due). */
ReinJob *award_job (Person *creator, Person *worker, Person *mediator, const gchar *name,
                    const gchar *amount);

/* Mallory, registered on @server but not enrolled, puts a job posting
 * named @name that claims @creator as its creator and @mediator as its
 * mediator, signed with her own key; returns its job ID. No reader may
 * ever show it. */
gchar *put_forged_posting (TestServer *server, Person *creator, Person *mediator,
                           const gchar *name);

G_END_DECLS
