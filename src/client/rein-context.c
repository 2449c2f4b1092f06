/* rein-context.c: the client services the app and rein-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-context.h"

struct _ReinContext
{
  GObject parent_instance;

  ReinStore *store;
  ReinSession *session;
  ReinPublisher *publisher;
  ReinMarketService *market;
  ReinMyJobs *my_jobs;
  ReinEscrowWatches *escrow_watches;
};

G_DEFINE_FINAL_TYPE (ReinContext, rein_context, G_TYPE_OBJECT)

static void
rein_context_dispose (GObject *object)
{
  ReinContext *self = (ReinContext *) object;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  /* What the services have in flight holds them (a task keeps its source
   * object): their reads end now, not when the last answer comes. */
  if (self->escrow_watches != NULL)
    rein_escrow_watches_set_enabled (self->escrow_watches, FALSE);
  if (self->my_jobs != NULL)
    rein_my_jobs_set_identity (self->my_jobs, NULL);
  if (self->market != NULL)
    rein_market_service_set_identity (self->market, NULL);
  g_clear_object (&self->escrow_watches);
  g_clear_object (&self->my_jobs);
  g_clear_object (&self->market);
  g_clear_object (&self->publisher);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (rein_context_parent_class)->dispose (object);
}

static void
rein_context_class_init (ReinContextClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rein_context_dispose;
}

static void
rein_context_init (ReinContext *self)
{
}

static void
active_identity_changed_cb (ReinSession *session, GParamSpec *pspec, gpointer user_data)
{
  ReinContext *self = user_data;
  ReinIdentity *identity = rein_session_get_active_identity (session);

  rein_market_service_set_identity (self->market, identity);
  rein_my_jobs_set_identity (self->my_jobs, identity);
  rein_escrow_watches_set_testnet (self->escrow_watches,
                                   identity != NULL && rein_identity_get_testnet (identity));
}

ReinContext *
rein_context_new (ReinStore *store)
{
  ReinContext *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);

  self = g_object_new (REIN_TYPE_CONTEXT, NULL);
  self->store = g_object_ref (store);
  self->session = rein_session_new (store);
  self->publisher = rein_publisher_new (store);
  self->market = rein_market_service_new (store);
  self->my_jobs = rein_my_jobs_new (store, self->market);
  self->escrow_watches = rein_escrow_watches_new (store, rein_my_jobs_get_jobs (self->my_jobs));
  g_signal_connect (self->session, "notify::active-identity",
                    G_CALLBACK (active_identity_changed_cb), self);
  active_identity_changed_cb (self->session, NULL, self);
  return self;
}

ReinStore *
rein_context_get_store (ReinContext *self)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (self), NULL);
  return self->store;
}

ReinSession *
rein_context_get_session (ReinContext *self)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (self), NULL);
  return self->session;
}

ReinPublisher *
rein_context_get_publisher (ReinContext *self)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (self), NULL);
  return self->publisher;
}

ReinMyJobs *
rein_context_get_my_jobs (ReinContext *self)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (self), NULL);
  return self->my_jobs;
}

ReinMarketService *
rein_context_get_market (ReinContext *self)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (self), NULL);
  return self->market;
}

ReinEscrowWatches *
rein_context_get_escrow_watches (ReinContext *self)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (self), NULL);
  return self->escrow_watches;
}
