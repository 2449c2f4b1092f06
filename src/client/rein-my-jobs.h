/* rein-my-jobs.h: the jobs I take part in, for My Jobs
 *
 * Every job the active identity posted, bid on or works on, or mediates:
 * its own documents and recorded orders name some, the market index the
 * others (jobs whose creator, mediator or bidder is my key). A refresh
 * reads each of them fresh from the servers and validates it (through the
 * market service), records my role and the state as an order, and puts
 * one ReinMyJob per job in the model, in one splice: views bind to their
 * properties. What changed since the last refresh and needs me emits
 * "attention" (for notifications).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market-service.h"

G_BEGIN_DECLS

/* ---- one job, as I see it ---- */

#define REIN_TYPE_MY_JOB (rein_my_job_get_type ())
G_DECLARE_FINAL_TYPE (ReinMyJob, rein_my_job, REIN, MY_JOB, GObject)

/* Properties: "job" (ReinJob), "job-id", "name", "role" (ReinRole),
 * "state" (ReinJobState), "needs-me" (something is mine to do now),
 * "waiting-for" (ReinRole whose turn it is), "waiting-text" ("waiting for
 * Walt to deliver", "waiting for you to award a bid"), "unsent" (a
 * document of mine in it is on no server yet: published while none took
 * it; the next sync sends it). */
ReinJob *rein_my_job_get_job (ReinMyJob *self);
const gchar *rein_my_job_get_job_id (ReinMyJob *self);
const gchar *rein_my_job_get_name (ReinMyJob *self);
ReinRole rein_my_job_get_role (ReinMyJob *self);
ReinJobState rein_my_job_get_state (ReinMyJob *self);
gboolean rein_my_job_get_needs_me (ReinMyJob *self);
ReinRole rein_my_job_get_waiting_for (ReinMyJob *self);
const gchar *rein_my_job_get_waiting_text (ReinMyJob *self);
gboolean rein_my_job_get_unsent (ReinMyJob *self);

/* What a refresh found new that needs me ("attention" signal). */
typedef enum
{
  REIN_MY_JOB_EVENT_BID,         /* a bid on my job */
  REIN_MY_JOB_EVENT_AWARDED,     /* my bid was awarded */
  REIN_MY_JOB_EVENT_DELIVERED,   /* the work on my job was delivered */
  REIN_MY_JOB_EVENT_DISPUTED,    /* a dispute on a job I mediate or work on */
  REIN_MY_JOB_EVENT_RESOLVED,    /* the mediator resolved my job's dispute */
  REIN_MY_JOB_EVENT_ACCEPTED,    /* the creator accepted my work */
} ReinMyJobEvent;

/* ---- the service ---- */

#define REIN_TYPE_MY_JOBS (rein_my_jobs_get_type ())
G_DECLARE_FINAL_TYPE (ReinMyJobs, rein_my_jobs, REIN, MY_JOBS, GObject)

ReinMyJobs *rein_my_jobs_new (ReinStore *store, ReinMarketService *market);

/* The identity whose jobs these are (NULL: none). Setting it empties the
 * model and cancels a refresh. */
void rein_my_jobs_set_identity (ReinMyJobs *self, ReinIdentity *identity);

/* A GListModel of ReinMyJob, by role (posted, working on, mediating),
 * then newest first. */
GListModel *rein_my_jobs_get_jobs (ReinMyJobs *self);
/* "refreshing" property. */
gboolean rein_my_jobs_get_refreshing (ReinMyJobs *self);

/* Reads and validates every job I take part in; emits "attention"
 * (ReinMyJob *job, ReinMyJobEvent event) for what is new since the user
 * was last told and needs me. What was told (the state and the number of
 * bids) is recorded in the order's seen state, in this and later runs;
 * before anything was told, the state the publisher recorded is the
 * reference. Each event is told once: a refresh cancelled by another still
 * tells what it recorded as told, and records nothing more. A job that
 * cannot be read keeps its last row; the error says how many failed.
 * When no server answers, the jobs are built from the store's documents
 * and shown, and the refresh fails with REIN_NET_ERROR_UNREACHABLE. */
void rein_my_jobs_refresh_async (ReinMyJobs *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean rein_my_jobs_refresh_finish (ReinMyJobs *self, GAsyncResult *result, GError **error);

G_END_DECLS
