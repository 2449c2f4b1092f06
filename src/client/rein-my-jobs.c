/* rein-my-jobs.c: the jobs I take part in, for My Jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rein-background.h"
#include "rein-client.h"
#include "rein-client-error.h"
#include "rein-my-jobs.h"

/* ---- ReinMyJob ---- */

struct _ReinMyJob
{
  GObject parent_instance;

  ReinJob *job;
  ReinRole role;
  gboolean needs_me;
  ReinRole waiting_for;
  gchar *waiting_text;
  gboolean unsent;
};

G_DEFINE_FINAL_TYPE (ReinMyJob, rein_my_job, G_TYPE_OBJECT)

enum
{
  JOB_PROP_0,
  JOB_PROP_JOB,
  JOB_PROP_JOB_ID,
  JOB_PROP_NAME,
  JOB_PROP_ROLE,
  JOB_PROP_STATE,
  JOB_PROP_NEEDS_ME,
  JOB_PROP_WAITING_FOR,
  JOB_PROP_WAITING_TEXT,
  JOB_PROP_UNSENT,
  N_JOB_PROPS
};

static GParamSpec *job_props[N_JOB_PROPS];

static void
rein_my_job_finalize (GObject *object)
{
  ReinMyJob *self = (ReinMyJob *) object;

  g_clear_object (&self->job);
  g_free (self->waiting_text);

  G_OBJECT_CLASS (rein_my_job_parent_class)->finalize (object);
}

static void
rein_my_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinMyJob *self = (ReinMyJob *) object;

  switch (prop_id)
    {
    case JOB_PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case JOB_PROP_JOB_ID:
      g_value_set_string (value, rein_my_job_get_job_id (self));
      break;
    case JOB_PROP_NAME:
      g_value_set_string (value, rein_my_job_get_name (self));
      break;
    case JOB_PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case JOB_PROP_STATE:
      g_value_set_enum (value, rein_my_job_get_state (self));
      break;
    case JOB_PROP_NEEDS_ME:
      g_value_set_boolean (value, self->needs_me);
      break;
    case JOB_PROP_WAITING_FOR:
      g_value_set_enum (value, self->waiting_for);
      break;
    case JOB_PROP_UNSENT:
      g_value_set_boolean (value, self->unsent);
      break;
    case JOB_PROP_WAITING_TEXT:
      g_value_set_string (value, self->waiting_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_my_job_class_init (ReinMyJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = rein_my_job_finalize;
  object_class->get_property = rein_my_job_get_property;

  job_props[JOB_PROP_JOB] = g_param_spec_object ("job", NULL, NULL, REIN_TYPE_JOB, flags);
  job_props[JOB_PROP_JOB_ID] = g_param_spec_string ("job-id", NULL, NULL, NULL, flags);
  job_props[JOB_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  job_props[JOB_PROP_ROLE] = g_param_spec_enum ("role", NULL, NULL, REIN_TYPE_ROLE,
                                                REIN_ROLE_NONE, flags);
  job_props[JOB_PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, REIN_TYPE_JOB_STATE,
                                                 REIN_JOB_STATE_NONE, flags);
  job_props[JOB_PROP_NEEDS_ME] = g_param_spec_boolean ("needs-me", NULL, NULL, FALSE, flags);
  job_props[JOB_PROP_WAITING_FOR] = g_param_spec_enum ("waiting-for", NULL, NULL,
                                                       REIN_TYPE_ROLE, REIN_ROLE_NONE, flags);
  job_props[JOB_PROP_UNSENT] = g_param_spec_boolean ("unsent", NULL, NULL, FALSE, flags);
  job_props[JOB_PROP_WAITING_TEXT] = g_param_spec_string ("waiting-text", NULL, NULL, NULL,
                                                          flags);
  g_object_class_install_properties (object_class, N_JOB_PROPS, job_props);
}

static void
rein_my_job_init (ReinMyJob *self)
{
}

ReinJob *
rein_my_job_get_job (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), NULL);
  return self->job;
}

const gchar *
rein_my_job_get_job_id (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), NULL);
  return rein_job_get_id (self->job);
}

const gchar *
rein_my_job_get_name (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), NULL);
  return rein_job_get_name (self->job);
}

ReinRole
rein_my_job_get_role (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), REIN_ROLE_NONE);
  return self->role;
}

ReinJobState
rein_my_job_get_state (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), REIN_JOB_STATE_NONE);
  return rein_job_get_state (self->job);
}

gboolean
rein_my_job_get_needs_me (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), FALSE);
  return self->needs_me;
}

ReinRole
rein_my_job_get_waiting_for (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), REIN_ROLE_NONE);
  return self->waiting_for;
}

const gchar *
rein_my_job_get_waiting_text (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), NULL);
  return self->waiting_text;
}

/* The name the job's documents give @role (checked against the signer's
 * enrollment when they were validated). */
static const gchar *
name_of (ReinJob *job, ReinRole role)
{
  ReinDocument *posting = rein_job_get_posting (job);
  ReinDocument *offer = rein_job_get_offer (job);
  const gchar *name = NULL;

  if (role == REIN_ROLE_CREATOR && posting != NULL)
    name = rein_document_get_field (posting, REIN_LABEL_JOB_CREATOR);
  else if (role == REIN_ROLE_MEDIATOR && posting != NULL)
    name = rein_document_get_field (posting, REIN_LABEL_MEDIATOR);
  else if (role == REIN_ROLE_WORKER && offer != NULL)
    name = rein_document_get_field (offer, REIN_LABEL_WORKER);
  return name;
}

/* "waiting for Walt to deliver", "waiting for you to award a bid". */
static gchar *
describe_wait (ReinJob *job, ReinRole me, ReinRole waiting_for, ReinActions actions)
{
  const gchar *name = name_of (job, waiting_for);
  gboolean mine = waiting_for == me && waiting_for != REIN_ROLE_NONE
                  && (waiting_for != REIN_ROLE_WORKER || !(actions & REIN_ACTION_BID));

  if (actions & REIN_ACTION_BID)
    return g_strdup (_("waiting for bids"));
  if (actions & REIN_ACTION_OFFER)
    return mine ? g_strdup (_("waiting for you to award a bid"))
                : g_strdup_printf (_("waiting for %s to award a bid"), name ? name : "?");
  if (actions & REIN_ACTION_DELIVER)
    return mine ? g_strdup (_("waiting for you to deliver"))
                : g_strdup_printf (_("waiting for %s to deliver"), name ? name : "?");
  if (actions & REIN_ACTION_ACCEPT)
    return mine ? g_strdup (_("waiting for you to accept or dispute the delivery"))
                : g_strdup_printf (_("waiting for %s to accept the delivery"),
                                   name ? name : "?");
  if (actions & REIN_ACTION_RESOLVE)
    return mine ? g_strdup (_("waiting for you to resolve the dispute"))
                : g_strdup_printf (_("waiting for %s to resolve the dispute"),
                                   name ? name : "?");
  return g_strdup (rein_job_state_describe (rein_job_get_state (job)));
}

gboolean
rein_my_job_get_unsent (ReinMyJob *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOB (self), FALSE);
  return self->unsent;
}

static ReinMyJob *
my_job_new (ReinJob *job, const gchar *own_key)
{
  ReinMyJob *self = g_object_new (REIN_TYPE_MY_JOB, NULL);
  ReinActions waiting_actions = 0;

  self->job = g_object_ref (job);
  self->role = rein_job_get_role (job, own_key);
  self->waiting_for = rein_job_get_waiting_for (job, &waiting_actions);
  /* bidding is not what my own jobs wait for me to do */
  self->needs_me = (rein_job_get_actions (job, own_key) & ~REIN_ACTION_BID) != 0
                   && self->waiting_for == self->role;
  self->waiting_text = describe_wait (job, self->role, self->waiting_for, waiting_actions);
  return self;
}

/* ---- the service ---- */

struct _ReinMyJobs
{
  GObject parent_instance;

  ReinStore *store;
  ReinMarketService *market;
  ReinIdentity *identity;
  GListStore *jobs;
  GCancellable *cancellable;      /* of the refresh under way */
  /* Held by a worker while it compares what it read with what the user
   * was told and records it: two refreshes never both tell one event. */
  GMutex seen_lock;
  gboolean refreshing;
};

G_DEFINE_FINAL_TYPE (ReinMyJobs, rein_my_jobs, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_REFRESHING,
  N_PROPS
};

enum
{
  SIGNAL_ATTENTION,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

static void
rein_my_jobs_dispose (GObject *object)
{
  ReinMyJobs *self = (ReinMyJobs *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->market);
  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (rein_my_jobs_parent_class)->dispose (object);
}

static void
rein_my_jobs_finalize (GObject *object)
{
  ReinMyJobs *self = (ReinMyJobs *) object;

  g_mutex_clear (&self->seen_lock);

  G_OBJECT_CLASS (rein_my_jobs_parent_class)->finalize (object);
}

static void
rein_my_jobs_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinMyJobs *self = (ReinMyJobs *) object;

  switch (prop_id)
    {
    case PROP_REFRESHING:
      g_value_set_boolean (value, self->refreshing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_my_jobs_class_init (ReinMyJobsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rein_my_jobs_dispose;
  object_class->finalize = rein_my_jobs_finalize;
  object_class->get_property = rein_my_jobs_get_property;

  props[PROP_REFRESHING] = g_param_spec_boolean ("refreshing", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                                   | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * ReinMyJobs::attention:
   * @job: the ReinMyJob
   * @event: a ReinMyJobEvent
   *
   * A refresh found something new on @job that needs me.
   */
  signals[SIGNAL_ATTENTION] = g_signal_new ("attention", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, REIN_TYPE_MY_JOB, G_TYPE_INT);
}

static void
rein_my_jobs_init (ReinMyJobs *self)
{
  self->jobs = g_list_store_new (REIN_TYPE_MY_JOB);
  g_mutex_init (&self->seen_lock);
}

ReinMyJobs *
rein_my_jobs_new (ReinStore *store, ReinMarketService *market)
{
  ReinMyJobs *self = g_object_new (REIN_TYPE_MY_JOBS, NULL);

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (market), NULL);

  self->store = g_object_ref (store);
  self->market = g_object_ref (market);
  return self;
}

static void
set_refreshing (ReinMyJobs *self, gboolean refreshing)
{
  if (self->refreshing == refreshing)
    return;
  self->refreshing = refreshing;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REFRESHING]);
}

void
rein_my_jobs_set_identity (ReinMyJobs *self, ReinIdentity *identity)
{
  g_return_if_fail (REIN_IS_MY_JOBS (self));

  if (self->identity == identity)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->identity, identity);
  g_list_store_remove_all (self->jobs);
  set_refreshing (self, FALSE);
}

GListModel *
rein_my_jobs_get_jobs (ReinMyJobs *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOBS (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

gboolean
rein_my_jobs_get_refreshing (ReinMyJobs *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOBS (self), FALSE);
  return self->refreshing;
}

/* ---- refreshing ---- */

typedef struct
{
  ReinIdentity *identity;
  gchar *own_key;
  GPtrArray *summaries;    /* ReinJobSummary: the market, as the refresh began */
  GPtrArray *candidates;   /* Candidate: what to read */
  GPtrArray *found;        /* ReinMyJob */
  GPtrArray *events;       /* Event */
  guint n_failed;
  gchar *first_error;
  gchar *unreachable;      /* no server answered: what was shown is the store's */
} Refresh;

typedef struct
{
  gchar *job_id;
  gchar *creator_key; /* NULL when only the ID is known */
} Candidate;

typedef struct
{
  ReinMyJob *job;
  ReinMyJobEvent event;
} Event;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->job_id);
  g_free (c->creator_key);
  g_free (c);
}

static void
event_free (gpointer data)
{
  Event *e = data;

  g_object_unref (e->job);
  g_free (e);
}

static void
refresh_free_rest (gpointer data)
{
  Refresh *r = data;

  g_free (r->own_key);
  g_clear_pointer (&r->summaries, g_ptr_array_unref);
  g_clear_pointer (&r->candidates, g_ptr_array_unref);
  g_clear_pointer (&r->found, g_ptr_array_unref);
  g_clear_pointer (&r->events, g_ptr_array_unref);
  g_free (r->first_error);
  g_free (r->unreachable);
  g_free (r);
}

static void
refresh_free (Refresh *r)
{
  g_clear_object (&r->identity);
  /* The market's summaries, and what came of them: a large market's take
   * the main loop longer than a frame to let go. */
  rein_background_free (r, refresh_free_rest);
}

static void
add_candidate (Refresh *r, GHashTable *seen, const gchar *job_id, const gchar *creator_key)
{
  Candidate *c;

  if (job_id == NULL || g_hash_table_contains (seen, job_id))
    return;
  c = g_new0 (Candidate, 1);
  c->job_id = g_strdup (job_id);
  c->creator_key = g_strdup (creator_key);
  g_hash_table_add (seen, c->job_id);
  g_ptr_array_add (r->candidates, c);
}

/* In a worker: the jobs the market names with my key (as creator,
 * mediator or bidder: key comparisons, too many for the main loop in a
 * large market) and those my documents and orders name. */
static void
read_orders_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinMyJobs *self = source;
  Refresh *r = task_data;
  GError *error = NULL;
  gint64 id = rein_identity_get_id (r->identity);
  g_auto (GStrv) ids = rein_store_list_job_ids (self->store, id, &error);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (ids == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < r->summaries->len; i++)
    {
      ReinJobSummary *s = g_ptr_array_index (r->summaries, i);

      if (rein_same_key (rein_job_summary_get_creator_key (s), r->own_key)
          || rein_same_key (rein_job_summary_get_mediator_key (s), r->own_key)
          || rein_job_summary_has_bidder (s, r->own_key))
        add_candidate (r, seen, rein_job_summary_get_job_id (s),
                       rein_job_summary_get_creator_key (s));
    }
  for (guint i = 0; ids[i] != NULL; i++)
    add_candidate (r, seen, ids[i], NULL);
  g_task_return_boolean (task, TRUE);
}

/* What the user was told about a job: its state name, and after a colon
 * the number of valid bids it had then ("bids:2"); only the state name
 * when the count is not known (an order recorded by the publisher or by
 * an older version). */
#define MAX_SEEN_BIDS 1000000u

static gchar *
seen_state_print (ReinMyJob *job)
{
  return g_strdup_printf ("%s:%u", rein_job_state_to_name (rein_my_job_get_state (job)),
                          rein_job_get_bids (job->job)->len);
}

/* Splits @seen into its state name (a new string) and the count of bids
 * (FALSE in @out_known when it has none, or one that does not parse). */
static gchar *
seen_state_parse (const gchar *seen, guint *out_bids, gboolean *out_known)
{
  const gchar *colon = seen != NULL ? strrchr (seen, ':') : NULL;
  guint64 bids = 0;

  *out_bids = 0;
  *out_known = FALSE;
  if (colon == NULL)
    return g_strdup (seen);
  if (g_ascii_string_to_unsigned (colon + 1, 10, 0, MAX_SEEN_BIDS, &bids, NULL))
    {
      *out_bids = (guint) bids;
      *out_known = TRUE;
    }
  return g_strndup (seen, colon - seen);
}

/* What is new on @job since @seen (what the user was last told, or what
 * was recorded before that; NULL: nothing) that needs me, if anything. */
static gboolean
find_event (ReinMyJob *job, const gchar *seen, ReinMyJobEvent *out_event)
{
  ReinJobState now = rein_my_job_get_state (job);
  guint n_bids = rein_job_get_bids (job->job)->len;
  guint seen_bids;
  gboolean known;
  g_autofree gchar *before = seen_state_parse (seen, &seen_bids, &known);
  gboolean changed = g_strcmp0 (before, rein_job_state_to_name (now)) != 0;

  switch (job->role)
    {
    case REIN_ROLE_CREATOR:
      if (now == REIN_JOB_STATE_BIDS && (changed || (known && n_bids > seen_bids)))
        *out_event = REIN_MY_JOB_EVENT_BID;
      else if (changed && now == REIN_JOB_STATE_DELIVERED)
        *out_event = REIN_MY_JOB_EVENT_DELIVERED;
      else if (changed && now == REIN_JOB_STATE_WORKER_DISPUTE)
        *out_event = REIN_MY_JOB_EVENT_DISPUTED;
      else if (changed && now == REIN_JOB_STATE_RESOLVED)
        *out_event = REIN_MY_JOB_EVENT_RESOLVED;
      else
        return FALSE;
      return TRUE;
    case REIN_ROLE_WORKER:
      if (changed && now == REIN_JOB_STATE_AWARDED && job->needs_me)
        *out_event = REIN_MY_JOB_EVENT_AWARDED;
      else if (changed && now == REIN_JOB_STATE_CREATOR_DISPUTE)
        *out_event = REIN_MY_JOB_EVENT_DISPUTED;
      else if (changed && now == REIN_JOB_STATE_ACCEPTED)
        *out_event = REIN_MY_JOB_EVENT_ACCEPTED;
      else if (changed && now == REIN_JOB_STATE_RESOLVED)
        *out_event = REIN_MY_JOB_EVENT_RESOLVED;
      else
        return FALSE;
      return TRUE;
    case REIN_ROLE_MEDIATOR:
      if (changed && (now == REIN_JOB_STATE_CREATOR_DISPUTE
                      || now == REIN_JOB_STATE_WORKER_DISPUTE))
        {
          *out_event = REIN_MY_JOB_EVENT_DISPUTED;
          return TRUE;
        }
      return FALSE;
    case REIN_ROLE_NONE:
    default:
      return FALSE;
    }
}

static void
add_event (Refresh *r, ReinMyJob *job, ReinMyJobEvent event)
{
  Event *e = g_new0 (Event, 1);

  e->job = g_object_ref (job);
  e->event = event;
  g_ptr_array_add (r->events, e);
}

/* In a worker: my role and the state of each job read, as orders; and
 * what is new since the user was last told, recorded as told in the same
 * step. Once the refresh is cancelled nothing more is recorded as told
 * (the next refresh tells it); what was recorded is told even so
 * (orders_saved_cb()): every event is told once. */
static void
save_orders_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinMyJobs *self = source;
  Refresh *r = task_data;
  gint64 id = rein_identity_get_id (r->identity);
  g_autoptr (GHashTable) told = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) orders = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) unsent = rein_store_list_unsent_job_ids (self->store, id, &error);

  /* not knowing is not an error to stop for: no mark */
  if (unsent == NULL)
    {
      g_debug ("cannot tell which jobs are not sent: %s", error->message);
      g_clear_error (&error);
    }
  for (guint i = 0; unsent != NULL && i < r->found->len; i++)
    {
      ReinMyJob *job = g_ptr_array_index (r->found, i);

      /* not in the model yet: no one is bound to it */
      job->unsent = g_strv_contains ((const gchar *const *) unsent, rein_my_job_get_job_id (job));
    }

  g_mutex_lock (&self->seen_lock);
  orders = rein_store_list_orders (self->store, id, &error);
  if (orders == NULL)
    {
      g_mutex_unlock (&self->seen_lock);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < orders->len; i++)
    {
      ReinStoredOrder *o = g_ptr_array_index (orders, i);

      /* before My Jobs ever told anything, what the publisher or the
       * market recorded */
      g_hash_table_replace (told, g_strdup (o->job_id),
                            g_strdup (o->seen_state != NULL ? o->seen_state : o->state));
    }
  for (guint i = 0; i < r->found->len; i++)
    {
      ReinMyJob *job = g_ptr_array_index (r->found, i);
      const gchar *job_id = rein_my_job_get_job_id (job);
      const gchar *state = rein_job_state_to_name (rein_my_job_get_state (job));
      g_autofree gchar *seen = seen_state_print (job);
      ReinMyJobEvent event;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (!rein_store_set_order (self->store, job_id, id, rein_role_to_name (job->role), state,
                                 &error)
          || !rein_store_set_order_seen (self->store, job_id, id, seen, &error))
        {
          /* not recorded as told: told next time */
          g_debug ("cannot record the order of %s: %s", job_id, error->message);
          g_clear_error (&error);
          continue;
        }
      if (find_event (job, g_hash_table_lookup (told, job_id), &event))
        add_event (r, job, event);
    }
  g_mutex_unlock (&self->seen_lock);
  g_task_return_boolean (task, TRUE);
}

static gint
compare_jobs (gconstpointer a, gconstpointer b)
{
  ReinMyJob *x = *(ReinMyJob **) a;
  ReinMyJob *y = *(ReinMyJob **) b;
  /* posted by me, working on, mediating */
  static const gint rank[] = { [REIN_ROLE_NONE] = 3, [REIN_ROLE_CREATOR] = 0,
                               [REIN_ROLE_WORKER] = 1, [REIN_ROLE_MEDIATOR] = 2 };

  if (rank[x->role] != rank[y->role])
    return rank[x->role] - rank[y->role];
  if (x->needs_me != y->needs_me)
    return x->needs_me ? -1 : 1;
  return g_utf8_collate (rein_my_job_get_name (x) ? rein_my_job_get_name (x) : "",
                         rein_my_job_get_name (y) ? rein_my_job_get_name (y) : "");
}

static void
orders_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinMyJobs *self = g_task_get_source_object (task);
  Refresh *r = g_task_get_task_data (task);
  g_autoptr (GPtrArray) rows = NULL;

  g_autoptr (GError) error = NULL;

  /* What was recorded as told is told, even by a refresh cancelled since
   * (by a newer one, which finds it told); but not once another identity
   * is shown: its window would tell the other's events, and open their
   * jobs as its own. (Its rows say what needs it when it is shown
   * again.) */
  for (guint i = 0;
       self->identity != NULL
       && rein_identity_get_id (self->identity) == rein_identity_get_id (r->identity)
       && i < r->events->len;
       i++)
    {
      Event *e = g_ptr_array_index (r->events, i);

      g_signal_emit (self, signals[SIGNAL_ATTENTION], 0, e->job, (gint) e->event);
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_refreshing (self, FALSE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Jobs that could not be read keep their last row. */
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < r->found->len; i++)
    g_ptr_array_add (rows, g_object_ref (g_ptr_array_index (r->found, i)));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->jobs)); i++)
    {
      g_autoptr (ReinMyJob) old = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      gboolean again = FALSE;

      for (guint j = 0; j < r->found->len && !again; j++)
        again = g_strcmp0 (rein_my_job_get_job_id (g_ptr_array_index (r->found, j)),
                           rein_my_job_get_job_id (old)) == 0;
      if (!again)
        g_ptr_array_add (rows, g_steal_pointer (&old));
    }
  g_ptr_array_sort (rows, compare_jobs);
  g_list_store_splice (self->jobs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->jobs)),
                       rows->pdata, rows->len);
  set_refreshing (self, FALSE);

  if (r->unreachable != NULL)
    g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE,
                             _("No server sent your jobs: they are shown as this computer "
                               "last had them (%s)"),
                             r->unreachable);
  else if (r->n_failed > 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             g_dngettext (NULL, "%u job could not be read: %s",
                                          "%u jobs could not be read: %s", r->n_failed),
                             r->n_failed, r->first_error);
  else
    g_task_return_boolean (task, TRUE);
}

static void save_orders (GTask *task);

/* Takes what was read: the candidates the identity has a part in. */
static void
jobs_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Refresh *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = rein_market_service_load_jobs_finish_full (
      REIN_MARKET_SERVICE (source), result, &r->unreachable, &error);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (jobs == NULL)
    {
      /* none could be read: each is said to have failed */
      r->n_failed = r->candidates->len;
      if (r->first_error == NULL)
        r->first_error = g_strdup (error->message);
    }
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      ReinJob *job = g_ptr_array_index (jobs, i);

      /* a job no server has any more is not an error to show */
      if (job != NULL && rein_job_get_role (job, r->own_key) != REIN_ROLE_NONE)
        g_ptr_array_add (r->found, my_job_new (job, r->own_key));
    }
  save_orders (g_steal_pointer (&task));
}

/* Saves the orders found (and compares them with what was told) in a
 * worker. Consumes the caller's reference to @task. */
static void
save_orders (GTask *task)
{
  ReinMyJobs *self = g_task_get_source_object (task);
  Refresh *r = g_task_get_task_data (task);
  GTask *save = g_task_new (self, g_task_get_cancellable (task), orders_saved_cb, task);

  g_task_set_task_data (save, r, NULL);
  g_task_run_in_thread (save, save_orders_thread);
  g_object_unref (save);
}

/* Reads every candidate in one read of the market service: a few queries
 * a server, however many jobs the identity has a part in. Consumes the
 * caller's reference to @task. */
static void
read_jobs (GTask *task)
{
  ReinMyJobs *self = g_task_get_source_object (task);
  Refresh *r = g_task_get_task_data (task);
  g_autoptr (GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) keys = g_strv_builder_new ();
  g_auto (GStrv) id_list = NULL;
  g_auto (GStrv) key_list = NULL;

  for (guint i = 0; i < r->candidates->len; i++)
    {
      Candidate *c = g_ptr_array_index (r->candidates, i);

      /* What a server sent may name a job by something that is no job ID:
       * that one job fails, as its own read did, not the whole read. */
      if (!rein_job_id_is_valid (c->job_id))
        {
          r->n_failed++;
          if (r->first_error == NULL)
            r->first_error = g_strdup_printf (_("“%s” is not a job ID"), c->job_id);
          continue;
        }
      g_strv_builder_add (ids, c->job_id);
      g_strv_builder_add (keys, c->creator_key != NULL ? c->creator_key : "");
    }
  id_list = g_strv_builder_end (ids);
  key_list = g_strv_builder_end (keys);
  if (id_list[0] == NULL)
    {
      save_orders (task);
      return;
    }
  rein_market_service_load_jobs_async (self->market, (const gchar *const *) id_list,
                                       (const gchar *const *) key_list,
                                       g_task_get_cancellable (task), jobs_read_cb, task);
}

static void
orders_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinMyJobs *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_refreshing (self, FALSE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  read_jobs (g_steal_pointer (&task));
}

void
rein_my_jobs_refresh_async (ReinMyJobs *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) orders = NULL;
  GListModel *summaries;
  Refresh *r;

  g_return_if_fail (REIN_IS_MY_JOBS (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_my_jobs_refresh_async);
  if (self->identity == NULL)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                               _("No identity is chosen"));
      return;
    }
  r = g_new0 (Refresh, 1);
  r->identity = g_object_ref (self->identity);
  r->own_key = g_strdup (rein_identity_get_delegate_public_key (self->identity));
  /* summaries do not change once made: the worker may read them. The
   * market's own array when it has one: copying a large market's took
   * the main loop longer than a frame. */
  r->summaries = rein_market_service_dup_rows (self->market);
  if (r->summaries == NULL)
    {
      summaries = rein_market_service_get_jobs (self->market);
      r->summaries = g_ptr_array_new_full (g_list_model_get_n_items (summaries), g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (summaries); i++)
        g_ptr_array_add (r->summaries, g_list_model_get_item (summaries, i));
    }
  r->candidates = g_ptr_array_new_with_free_func (candidate_free);
  r->found = g_ptr_array_new_with_free_func (g_object_unref);
  r->events = g_ptr_array_new_with_free_func (event_free);
  g_task_set_task_data (task, r, (GDestroyNotify) refresh_free);
  set_refreshing (self, TRUE);

  orders = g_task_new (self, self->cancellable, orders_read_cb, g_steal_pointer (&task));
  g_task_set_task_data (orders, r, NULL);
  g_task_run_in_thread (orders, read_orders_thread);
}

gboolean
rein_my_jobs_refresh_finish (ReinMyJobs *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
