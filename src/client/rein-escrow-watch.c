/* rein-escrow-watch.c: the funding of a job's escrows, followed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-escrow-watch.h"

#include "rein-chain-settings.h"

struct _ReinEscrowWatch
{
  GObject parent_instance;

  ReinStore *store;
  ReinJob *job;
  gboolean testnet;
  ReinEscrowStatus *status;

  GCancellable *cancellable; /* cancelled when the watch goes */
  ReinChain *chain;          /* the last backend, kept while its URL is the same */
  guint interval;
  guint source_id; /* the next lookup */
  gboolean soon;   /* source_id is an idle: the next lookup is now */
  gboolean refreshing;
  gboolean again; /* asked for while one ran */

  gboolean looked_up;
  gchar *error;
  guint tip_height;
  guint required;
  ReinFunding funding[2];
  gint64 missing[2];
  guint confirmations[2];
  GStrv shared_with; /* names of other jobs on the same escrow addresses */
};

G_DEFINE_FINAL_TYPE (ReinEscrowWatch, rein_escrow_watch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_JOB,
  PROP_TESTNET,
  PROP_INTERVAL,
  PROP_LOOKED_UP,
  PROP_REFRESHING,
  PROP_ERROR,
  PROP_TIP_HEIGHT,
  PROP_CONFIRMATIONS_REQUIRED,
  PROP_PRIMARY_FUNDING,
  PROP_MEDIATOR_FUNDING,
  PROP_PRIMARY_MISSING,
  PROP_MEDIATOR_MISSING,
  PROP_PRIMARY_CONFIRMATIONS,
  PROP_MEDIATOR_CONFIRMATIONS,
  PROP_SAFE_TO_START,
  PROP_SHARED_WITH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_FUNDED,
  SIGNAL_REFRESHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_lookup (ReinEscrowWatch *self);

/* ---- what a lookup found ---- */

/* Whether another job shares the escrow addresses. */
static gboolean
is_shared (ReinEscrowWatch *self)
{
  return self->shared_with != NULL && self->shared_with[0] != NULL;
}

static void
set_refreshing (ReinEscrowWatch *self, gboolean refreshing)
{
  if (self->refreshing == refreshing)
    return;
  self->refreshing = refreshing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

static void
set_error (ReinEscrowWatch *self, const gchar *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_uint (ReinEscrowWatch *self, guint *field, guint value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* Takes @status (looked up) and the confirmations @required now; notifies
 * what changed, then emits "funded" for each escrow that a previous
 * lookup found short and that is funded now. */
static void
apply (ReinEscrowWatch *self, ReinEscrowStatus *status, guint required)
{
  gboolean was_safe = rein_escrow_watch_get_safe_to_start (self);
  gboolean newly_funded[2] = { FALSE, FALSE };
  gboolean first = !self->looked_up;

  g_object_freeze_notify (G_OBJECT (self));
  rein_escrow_status_free (self->status);
  self->status = status;
  set_uint (self, &self->required, required, PROP_CONFIRMATIONS_REQUIRED);
  set_uint (self, &self->tip_height, status->tip_height, PROP_TIP_HEIGHT);
  for (guint k = 0; k < 2; k++)
    {
      const ReinEscrowAccount *account = rein_escrow_status_get_account (status, k);
      ReinFunding funding = rein_escrow_account_get_funding_for (account, required);
      gint64 missing = rein_escrow_account_get_missing (account);

      if (funding != self->funding[k])
        {
          /* (coins on addresses another job shares are not news of this one) */
          newly_funded[k] = !first && funding == REIN_FUNDING_FUNDED && !is_shared (self);
          self->funding[k] = funding;
          g_object_notify_by_pspec (G_OBJECT (self), properties[k == REIN_ESCROW_PRIMARY
                                                                    ? PROP_PRIMARY_FUNDING
                                                                    : PROP_MEDIATOR_FUNDING]);
        }
      if (missing != self->missing[k])
        {
          self->missing[k] = missing;
          g_object_notify_by_pspec (G_OBJECT (self), properties[k == REIN_ESCROW_PRIMARY
                                                                    ? PROP_PRIMARY_MISSING
                                                                    : PROP_MEDIATOR_MISSING]);
        }
      set_uint (self, &self->confirmations[k], account->confirmations,
                k == REIN_ESCROW_PRIMARY ? PROP_PRIMARY_CONFIRMATIONS
                                         : PROP_MEDIATOR_CONFIRMATIONS);
    }
  if (first)
    {
      self->looked_up = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOKED_UP]);
    }
  if (was_safe != rein_escrow_watch_get_safe_to_start (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAFE_TO_START]);
  g_object_thaw_notify (G_OBJECT (self));

  for (guint k = 0; k < 2; k++)
    if (newly_funded[k])
      g_signal_emit (self, signals[SIGNAL_FUNDED], 0, (ReinEscrowKind) k);
}

/* ---- a lookup: the settings in a worker, then the backend ---- */

typedef struct
{
  ReinEscrowWatch *self; /* not owned: valid while cancellable is not cancelled */
  GCancellable *cancellable;
  gchar *url;
  guint required;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->cancellable);
  g_free (lookup->url);
  g_free (lookup);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lookup, lookup_free)

typedef struct
{
  ReinStore *store;
  gboolean testnet;
} SettingsQuery;

static void
settings_query_free (SettingsQuery *query)
{
  g_object_unref (query->store);
  g_free (query);
}

typedef struct
{
  gchar *url;
  guint required;
} Settings;

static void
settings_free (Settings *settings)
{
  g_free (settings->url);
  g_free (settings);
}

/* The backend's URL (checked as rein_chain_settings_open() checks it)
 * and the confirmations required, from the store. */
static void
read_settings_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SettingsQuery *query = task_data;
  g_autoptr (ReinChain) chain = NULL;
  GError *error = NULL;
  Settings *settings;

  chain = rein_chain_settings_open (query->store, query->testnet, &error);
  if (chain == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  settings = g_new0 (Settings, 1);
  settings->url = g_strdup (rein_chain_get_url (chain));
  settings->required = rein_chain_settings_get_confirmations (query->store);
  g_task_return_pointer (task, settings, (GDestroyNotify) settings_free);
}

static gboolean
next_lookup_cb (gpointer user_data)
{
  ReinEscrowWatch *self = user_data;

  self->source_id = 0;
  self->soon = FALSE;
  start_lookup (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (ReinEscrowWatch *self)
{
  g_clear_handle_id (&self->source_id, g_source_remove);
  self->soon = self->again;
  if (self->again)
    {
      self->again = FALSE;
      self->source_id = g_idle_add (next_lookup_cb, self);
    }
  else if (self->interval > 0)
    self->source_id = g_timeout_add_seconds (self->interval, next_lookup_cb, self);
}

/* A lookup ended (@error when it failed): say so, and plan the next. */
static void
lookup_done (ReinEscrowWatch *self, const GError *error)
{
  set_error (self, error != NULL ? error->message : NULL);
  set_refreshing (self, FALSE);
  schedule (self);
  g_signal_emit (self, signals[SIGNAL_REFRESHED], 0);
}

static void
status_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Lookup) lookup = user_data;
  g_autoptr (GError) error = NULL;
  ReinEscrowStatus *status = rein_escrow_status_lookup_finish (result, &error);

  if (g_cancellable_is_cancelled (lookup->cancellable))
    {
      rein_escrow_status_free (status);
      return;
    }
  if (status != NULL)
    apply (lookup->self, status, lookup->required);
  lookup_done (lookup->self, error);
}

static void
settings_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Lookup) lookup = user_data;
  g_autoptr (GError) error = NULL;
  Settings *settings = g_task_propagate_pointer (G_TASK (result), &error);
  ReinEscrowWatch *self = lookup->self;
  GCancellable *cancellable;

  if (g_cancellable_is_cancelled (lookup->cancellable))
    {
      g_clear_pointer (&settings, settings_free);
      return;
    }
  if (settings == NULL)
    {
      lookup_done (self, error);
      return;
    }
  if (self->chain == NULL || g_strcmp0 (rein_chain_get_url (self->chain), settings->url) != 0)
    {
      g_clear_object (&self->chain);
      self->chain = rein_chain_new (settings->url, &error);
    }
  lookup->required = settings->required;
  settings_free (settings);
  if (self->chain == NULL)
    {
      lookup_done (self, error);
      return;
    }
  cancellable = lookup->cancellable;
  rein_escrow_status_lookup_async (self->chain, self->job, self->testnet, cancellable,
                                   status_looked_up_cb, g_steal_pointer (&lookup));
}

static void
start_lookup (ReinEscrowWatch *self)
{
  g_autoptr (GTask) task = NULL;
  SettingsQuery *query;
  Lookup *lookup;

  g_clear_handle_id (&self->source_id, g_source_remove);
  self->soon = FALSE;
  if (self->refreshing)
    {
      self->again = TRUE;
      return;
    }
  set_refreshing (self, TRUE);
  lookup = g_new0 (Lookup, 1);
  lookup->self = self;
  lookup->cancellable = g_object_ref (self->cancellable);
  query = g_new0 (SettingsQuery, 1);
  query->store = g_object_ref (self->store);
  query->testnet = self->testnet;
  task = g_task_new (NULL, self->cancellable, settings_read_cb, lookup);
  g_task_set_source_tag (task, start_lookup);
  /* the lookup is told whether it was cancelled: the task must not
   * return early with its own error */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, query, (GDestroyNotify) settings_query_free);
  g_task_run_in_thread (task, read_settings_thread);
}

/* ---- the object ---- */

ReinEscrowWatch *
rein_escrow_watch_new (ReinStore *store, ReinJob *job, gboolean testnet, GError **error)
{
  g_autoptr (ReinEscrowWatch) self = NULL;
  ReinEscrowStatus *status;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  g_return_val_if_fail (REIN_IS_JOB (job), NULL);

  status = rein_escrow_status_new (job, testnet, error);
  if (status == NULL)
    return NULL;
  self = g_object_new (REIN_TYPE_ESCROW_WATCH, NULL);
  self->store = g_object_ref (store);
  self->job = g_object_ref (job);
  self->testnet = testnet;
  self->status = status;
  for (guint k = 0; k < 2; k++)
    self->missing[k] = rein_escrow_status_get_account (status, k)->due;
  /* the first lookup from the main loop: the caller connects first */
  self->again = TRUE;
  schedule (self);
  return g_steal_pointer (&self);
}

ReinJob *
rein_escrow_watch_get_job (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), NULL);
  return self->job;
}

gboolean
rein_escrow_watch_get_testnet (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), FALSE);
  return self->testnet;
}

const ReinEscrowStatus *
rein_escrow_watch_get_status (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), NULL);
  return self->status;
}

gboolean
rein_escrow_watch_get_looked_up (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), FALSE);
  return self->looked_up;
}

gboolean
rein_escrow_watch_get_refreshing (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), FALSE);
  return self->refreshing;
}

const gchar *
rein_escrow_watch_get_error (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), NULL);
  return self->error;
}

guint
rein_escrow_watch_get_tip_height (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), 0);
  return self->tip_height;
}

guint
rein_escrow_watch_get_confirmations_required (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), 0);
  return self->required;
}

ReinFunding
rein_escrow_watch_get_funding (ReinEscrowWatch *self, ReinEscrowKind kind)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), REIN_FUNDING_UNFUNDED);
  g_return_val_if_fail (kind <= REIN_ESCROW_MEDIATOR, REIN_FUNDING_UNFUNDED);
  return self->funding[kind];
}

gint64
rein_escrow_watch_get_missing (ReinEscrowWatch *self, ReinEscrowKind kind)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), 0);
  g_return_val_if_fail (kind <= REIN_ESCROW_MEDIATOR, 0);
  return self->missing[kind];
}

guint
rein_escrow_watch_get_confirmations (ReinEscrowWatch *self, ReinEscrowKind kind)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), 0);
  g_return_val_if_fail (kind <= REIN_ESCROW_MEDIATOR, 0);
  return self->confirmations[kind];
}

gboolean
rein_escrow_watch_get_safe_to_start (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), FALSE);
  return self->funding[REIN_ESCROW_PRIMARY] == REIN_FUNDING_FUNDED
         && self->funding[REIN_ESCROW_MEDIATOR] == REIN_FUNDING_FUNDED && !is_shared (self);
}

const gchar *const *
rein_escrow_watch_get_shared_with (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), NULL);
  return (const gchar *const *) self->shared_with;
}

void
rein_escrow_watch_set_shared_with (ReinEscrowWatch *self, const gchar *const *names)
{
  static const gchar *const none[] = { NULL };
  gboolean was_safe, was_shared;

  g_return_if_fail (REIN_IS_ESCROW_WATCH (self));

  if (g_strv_equal (self->shared_with != NULL ? (const gchar *const *) self->shared_with : none,
                    names != NULL ? names : none))
    return;
  was_safe = rein_escrow_watch_get_safe_to_start (self);
  was_shared = is_shared (self);
  g_strfreev (self->shared_with);
  self->shared_with = names != NULL && names[0] != NULL ? g_strdupv ((gchar **) names) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARED_WITH]);
  if (was_safe != rein_escrow_watch_get_safe_to_start (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAFE_TO_START]);
  /* what was kept quiet while shared is news now */
  if (was_shared && !is_shared (self) && self->looked_up)
    for (guint k = 0; k < 2; k++)
      if (self->funding[k] == REIN_FUNDING_FUNDED)
        g_signal_emit (self, signals[SIGNAL_FUNDED], 0, (ReinEscrowKind) k);
}

/* Awarded (an offer), in any state since. */
static gboolean
holds_escrow (ReinMyJob *job)
{
  ReinJob *j = rein_my_job_get_job (job);

  return j != NULL && rein_job_get_offer (j) != NULL && rein_my_job_get_job_id (job) != NULL;
}

/* Awarded (an offer) and not paid out yet. */
static gboolean
wants_watch (ReinMyJob *job)
{
  ReinJob *j = rein_my_job_get_job (job);
  ReinJobState state = rein_my_job_get_state (job);

  return j != NULL && rein_job_get_offer (j) != NULL && state != REIN_JOB_STATE_ACCEPTED
         && state != REIN_JOB_STATE_RESOLVED && rein_my_job_get_job_id (job) != NULL;
}

GStrv
rein_escrow_find_sharing_address (GListModel *my_jobs,
                                  const gchar *primary_address,
                                  const gchar *except_job_id,
                                  gboolean testnet)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (my_jobs), NULL);

  n = primary_address != NULL ? g_list_model_get_n_items (my_jobs) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ReinMyJob) other = g_list_model_get_item (my_jobs, i);
      g_autoptr (ReinEscrowStatus) other_terms = NULL;

      /* (a job accepted or resolved may not be paid out yet: its coins may
       * still be there) */
      if (!holds_escrow (other) || g_strcmp0 (rein_my_job_get_job_id (other), except_job_id) == 0)
        continue;
      other_terms = rein_escrow_status_new (rein_my_job_get_job (other), testnet, NULL);
      /* The same address is the same three keys in the same places. */
      if (other_terms != NULL && g_str_equal (other_terms->primary.address, primary_address))
        g_strv_builder_add (names, rein_my_job_get_name (other));
    }
  return g_strv_builder_end (names);
}

GStrv
rein_escrow_find_sharing (GListModel *my_jobs, ReinJob *job, gboolean testnet)
{
  g_autoptr (ReinEscrowStatus) terms = NULL;

  g_return_val_if_fail (G_IS_LIST_MODEL (my_jobs), NULL);
  g_return_val_if_fail (REIN_IS_JOB (job), NULL);

  terms = rein_escrow_status_new (job, testnet, NULL);
  return rein_escrow_find_sharing_address (my_jobs, terms != NULL ? terms->primary.address : NULL,
                                           terms != NULL ? terms->job_id : NULL, testnet);
}

guint
rein_escrow_watch_get_interval (ReinEscrowWatch *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCH (self), 0);
  return self->interval;
}

void
rein_escrow_watch_set_interval (ReinEscrowWatch *self, guint seconds)
{
  g_return_if_fail (REIN_IS_ESCROW_WATCH (self));

  if (self->interval == seconds)
    return;
  self->interval = seconds;
  /* the next lookup after the new interval (unless one is due at once) */
  if (!self->refreshing && !self->soon)
    schedule (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

void
rein_escrow_watch_refresh (ReinEscrowWatch *self)
{
  g_return_if_fail (REIN_IS_ESCROW_WATCH (self));

  start_lookup (self);
}

static void
rein_escrow_watch_dispose (GObject *object)
{
  ReinEscrowWatch *self = REIN_ESCROW_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->source_id, g_source_remove);
  g_clear_object (&self->chain);

  G_OBJECT_CLASS (rein_escrow_watch_parent_class)->dispose (object);
}

static void
rein_escrow_watch_finalize (GObject *object)
{
  ReinEscrowWatch *self = REIN_ESCROW_WATCH (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->job);
  g_clear_pointer (&self->status, rein_escrow_status_free);
  g_free (self->error);
  g_strfreev (self->shared_with);

  G_OBJECT_CLASS (rein_escrow_watch_parent_class)->finalize (object);
}

static void
rein_escrow_watch_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinEscrowWatch *self = REIN_ESCROW_WATCH (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_TESTNET:
      g_value_set_boolean (value, self->testnet);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_LOOKED_UP:
      g_value_set_boolean (value, self->looked_up);
      break;
    case PROP_REFRESHING:
      g_value_set_boolean (value, self->refreshing);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_TIP_HEIGHT:
      g_value_set_uint (value, self->tip_height);
      break;
    case PROP_CONFIRMATIONS_REQUIRED:
      g_value_set_uint (value, self->required);
      break;
    case PROP_PRIMARY_FUNDING:
    case PROP_MEDIATOR_FUNDING:
      g_value_set_enum (value, self->funding[prop_id == PROP_MEDIATOR_FUNDING]);
      break;
    case PROP_PRIMARY_MISSING:
    case PROP_MEDIATOR_MISSING:
      g_value_set_int64 (value, self->missing[prop_id == PROP_MEDIATOR_MISSING]);
      break;
    case PROP_PRIMARY_CONFIRMATIONS:
    case PROP_MEDIATOR_CONFIRMATIONS:
      g_value_set_uint (value, self->confirmations[prop_id == PROP_MEDIATOR_CONFIRMATIONS]);
      break;
    case PROP_SAFE_TO_START:
      g_value_set_boolean (value, rein_escrow_watch_get_safe_to_start (self));
      break;
    case PROP_SHARED_WITH:
      g_value_set_boxed (value, self->shared_with);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_escrow_watch_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  ReinEscrowWatch *self = REIN_ESCROW_WATCH (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      rein_escrow_watch_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_SHARED_WITH:
      rein_escrow_watch_set_shared_with (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_escrow_watch_class_init (ReinEscrowWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = rein_escrow_watch_dispose;
  object_class->finalize = rein_escrow_watch_finalize;
  object_class->get_property = rein_escrow_watch_get_property;
  object_class->set_property = rein_escrow_watch_set_property;

  properties[PROP_JOB] = g_param_spec_object ("job", NULL, NULL, REIN_TYPE_JOB, ro);
  properties[PROP_TESTNET] = g_param_spec_boolean ("testnet", NULL, NULL, FALSE, ro);
  properties[PROP_INTERVAL] =
      g_param_spec_uint ("interval", NULL, NULL, 0, 24 * 3600, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOOKED_UP] = g_param_spec_boolean ("looked-up", NULL, NULL, FALSE, ro);
  properties[PROP_REFRESHING] = g_param_spec_boolean ("refreshing", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  properties[PROP_TIP_HEIGHT] = g_param_spec_uint ("tip-height", NULL, NULL, 0, G_MAXUINT32, 0,
                                                   ro);
  properties[PROP_CONFIRMATIONS_REQUIRED] =
      g_param_spec_uint ("confirmations-required", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_PRIMARY_FUNDING] = g_param_spec_enum ("primary-funding", NULL, NULL,
                                                        REIN_TYPE_FUNDING,
                                                        REIN_FUNDING_UNFUNDED, ro);
  properties[PROP_MEDIATOR_FUNDING] = g_param_spec_enum ("mediator-funding", NULL, NULL,
                                                         REIN_TYPE_FUNDING,
                                                         REIN_FUNDING_UNFUNDED, ro);
  properties[PROP_PRIMARY_MISSING] = g_param_spec_int64 ("primary-missing", NULL, NULL, 0,
                                                         G_MAXINT64, 0, ro);
  properties[PROP_MEDIATOR_MISSING] = g_param_spec_int64 ("mediator-missing", NULL, NULL, 0,
                                                          G_MAXINT64, 0, ro);
  properties[PROP_PRIMARY_CONFIRMATIONS] =
      g_param_spec_uint ("primary-confirmations", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MEDIATOR_CONFIRMATIONS] =
      g_param_spec_uint ("mediator-confirmations", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_SAFE_TO_START] = g_param_spec_boolean ("safe-to-start", NULL, NULL, FALSE, ro);
  properties[PROP_SHARED_WITH] =
      g_param_spec_boxed ("shared-with", NULL, NULL, G_TYPE_STRV,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* "funded" (ReinEscrowKind): an escrow became funded, with the
   * confirmations required */
  signals[SIGNAL_FUNDED] = g_signal_new ("funded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         REIN_TYPE_ESCROW_KIND);
  /* a lookup ended, whether it worked or not ("error" says) */
  signals[SIGNAL_REFRESHED] = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            0);
}

static void
rein_escrow_watch_init (ReinEscrowWatch *self)
{
  self->cancellable = g_cancellable_new ();
  self->interval = REIN_ESCROW_WATCH_INTERVAL_DEFAULT;
}

/* ---- the watches of all my awarded jobs ---- */

typedef struct
{
  ReinEscrowWatches *owner; /* not owned */
  ReinEscrowWatch *watch;
  ReinMyJob *job; /* the newest row of the job, for its name */
} Watched;

struct _ReinEscrowWatches
{
  GObject parent_instance;

  ReinStore *store;
  GListModel *jobs;
  gboolean testnet;
  gboolean enabled;
  guint interval;
  GHashTable *watched; /* job ID -> Watched */
  GHashTable *funded;  /* job IDs found funded: not watched again */
};

G_DEFINE_FINAL_TYPE (ReinEscrowWatches, rein_escrow_watches, G_TYPE_OBJECT)

enum
{
  WATCHES_SIGNAL_FUNDED,
  N_WATCHES_SIGNALS
};

static guint watches_signals[N_WATCHES_SIGNALS];

static gboolean
release_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
watched_free (Watched *watched)
{
  g_signal_handlers_disconnect_by_data (watched->watch, watched);
  /* maybe in the watch's own signal: it goes from the main loop */
  g_idle_add_full (G_PRIORITY_DEFAULT, release_cb, watched->watch, g_object_unref);
  g_object_unref (watched->job);
  g_free (watched);
}

static void
watched_funded_cb (ReinEscrowWatch *watch, ReinEscrowKind kind, Watched *watched)
{
  g_autoptr (ReinMyJob) job = g_object_ref (watched->job);

  g_signal_emit (watched->owner, watches_signals[WATCHES_SIGNAL_FUNDED], 0, job, kind);
}

/* Both escrows funded: nothing more to tell of this job. */
static void
watched_refreshed_cb (ReinEscrowWatch *watch, Watched *watched)
{
  ReinEscrowWatches *self = watched->owner;
  const gchar *job_id;

  if (!rein_escrow_watch_get_looked_up (watch) || !rein_escrow_watch_get_safe_to_start (watch))
    return;
  job_id = rein_my_job_get_job_id (watched->job);
  g_hash_table_add (self->funded, g_strdup (job_id));
  g_hash_table_remove (self->watched, job_id);
}


/* The watches the list calls for now. */
static void
sync_watches (ReinEscrowWatches *self)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;
  guint n = self->enabled ? g_list_model_get_n_items (self->jobs) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (self->jobs, i);
      const gchar *job_id = rein_my_job_get_job_id (job);
      Watched *watched;
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) shared = NULL;
      ReinEscrowWatch *watch;

      if (!wants_watch (job) || g_hash_table_contains (self->funded, job_id))
        continue;
      g_hash_table_add (wanted, (gpointer) job_id);
      watched = g_hash_table_lookup (self->watched, job_id);
      shared = rein_escrow_find_sharing (self->jobs, rein_my_job_get_job (job), self->testnet);
      if (watched != NULL)
        {
          g_set_object (&watched->job, job);
          rein_escrow_watch_set_shared_with (watched->watch, (const gchar *const *) shared);
          continue;
        }
      watch = rein_escrow_watch_new (self->store, rein_my_job_get_job (job), self->testnet,
                                     &error);
      if (watch == NULL)
        {
          g_debug ("The escrows of %s are not watched: %s", job_id, error->message);
          continue;
        }
      rein_escrow_watch_set_shared_with (watch, (const gchar *const *) shared);
      rein_escrow_watch_set_interval (watch, self->interval);
      watched = g_new0 (Watched, 1);
      watched->owner = self;
      watched->watch = watch;
      watched->job = g_object_ref (job);
      g_signal_connect (watch, "funded", G_CALLBACK (watched_funded_cb), watched);
      g_signal_connect (watch, "refreshed", G_CALLBACK (watched_refreshed_cb), watched);
      g_hash_table_insert (self->watched, g_strdup (job_id), watched);
    }
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);
}

static void
jobs_changed_cb (ReinEscrowWatches *self)
{
  sync_watches (self);
}

ReinEscrowWatches *
rein_escrow_watches_new (ReinStore *store, GListModel *jobs)
{
  ReinEscrowWatches *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (jobs), NULL);

  self = g_object_new (REIN_TYPE_ESCROW_WATCHES, NULL);
  self->store = g_object_ref (store);
  self->jobs = g_object_ref (jobs);
  g_signal_connect_swapped (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self);
  return self;
}

void
rein_escrow_watches_set_testnet (ReinEscrowWatches *self, gboolean testnet)
{
  g_return_if_fail (REIN_IS_ESCROW_WATCHES (self));

  if (self->testnet == !!testnet)
    return;
  self->testnet = !!testnet;
  g_hash_table_remove_all (self->watched);
  g_hash_table_remove_all (self->funded);
  sync_watches (self);
}

gboolean
rein_escrow_watches_get_enabled (ReinEscrowWatches *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_WATCHES (self), FALSE);
  return self->enabled;
}

void
rein_escrow_watches_set_enabled (ReinEscrowWatches *self, gboolean enabled)
{
  g_return_if_fail (REIN_IS_ESCROW_WATCHES (self));

  if (self->enabled == !!enabled)
    return;
  self->enabled = !!enabled;
  sync_watches (self);
}

void
rein_escrow_watches_set_interval (ReinEscrowWatches *self, guint seconds)
{
  GHashTableIter iter;
  Watched *watched;

  g_return_if_fail (REIN_IS_ESCROW_WATCHES (self));

  self->interval = seconds;
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watched))
    rein_escrow_watch_set_interval (watched->watch, seconds);
}

void
rein_escrow_watches_refresh (ReinEscrowWatches *self)
{
  GHashTableIter iter;
  Watched *watched;

  g_return_if_fail (REIN_IS_ESCROW_WATCHES (self));

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watched))
    rein_escrow_watch_refresh (watched->watch);
}

ReinEscrowWatch *
rein_escrow_watches_get_watch (ReinEscrowWatches *self, const gchar *job_id)
{
  Watched *watched;

  g_return_val_if_fail (REIN_IS_ESCROW_WATCHES (self), NULL);
  g_return_val_if_fail (job_id != NULL, NULL);

  watched = g_hash_table_lookup (self->watched, job_id);
  return watched != NULL ? watched->watch : NULL;
}

static void
rein_escrow_watches_dispose (GObject *object)
{
  ReinEscrowWatches *self = REIN_ESCROW_WATCHES (object);

  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
  g_clear_object (&self->jobs);
  if (self->watched != NULL)
    g_hash_table_remove_all (self->watched);

  G_OBJECT_CLASS (rein_escrow_watches_parent_class)->dispose (object);
}

static void
rein_escrow_watches_finalize (GObject *object)
{
  ReinEscrowWatches *self = REIN_ESCROW_WATCHES (object);

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->funded, g_hash_table_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (rein_escrow_watches_parent_class)->finalize (object);
}

static void
rein_escrow_watches_class_init (ReinEscrowWatchesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rein_escrow_watches_dispose;
  object_class->finalize = rein_escrow_watches_finalize;

  /* "funded" (ReinMyJob, ReinEscrowKind): an escrow of a watched job
   * became funded, with the confirmations required */
  watches_signals[WATCHES_SIGNAL_FUNDED] = g_signal_new ("funded", G_TYPE_FROM_CLASS (klass),
                                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                         G_TYPE_NONE, 2, REIN_TYPE_MY_JOB,
                                                         REIN_TYPE_ESCROW_KIND);
}

static void
rein_escrow_watches_init (ReinEscrowWatches *self)
{
  self->interval = REIN_ESCROW_WATCH_INTERVAL_DEFAULT;
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) watched_free);
  self->funded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
