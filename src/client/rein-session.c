/* rein-session.c: what the app shows and does, over the client core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>
#include <glib/gi18n.h>

#include "rein-session.h"

#define MAX_BACKUP_FILE (64 * 1024)

/* ---- ReinServerInfo ---- */

G_DEFINE_ENUM_TYPE (ReinServerHealth, rein_server_health,
                    G_DEFINE_ENUM_VALUE (REIN_SERVER_HEALTH_UNKNOWN, "unknown"),
                    G_DEFINE_ENUM_VALUE (REIN_SERVER_HEALTH_OK, "ok"),
                    G_DEFINE_ENUM_VALUE (REIN_SERVER_HEALTH_UNREACHABLE, "unreachable"),
                    G_DEFINE_ENUM_VALUE (REIN_SERVER_HEALTH_ERROR, "error"))

struct _ReinServerInfo
{
  GObject parent_instance;

  gint64 id;
  gchar *url;
  ReinServerHealth health;
  gint latency;          /* ms; -1 unknown */
  gint64 last_sync;      /* seconds; 0 never */
  gint documents_held;   /* -1 unknown */
  gint documents_total;  /* -1 unknown */
  gchar *last_error;
  gboolean syncing;
  guint sync_done;
  guint sync_total;
  gboolean sync_failed; /* the last sync to it, as the store keeps it */
};

G_DEFINE_FINAL_TYPE (ReinServerInfo, rein_server_info, G_TYPE_OBJECT)

enum
{
  SERVER_PROP_0,
  SERVER_PROP_URL,
  SERVER_PROP_HEALTH,
  SERVER_PROP_LATENCY,
  SERVER_PROP_LAST_SYNC,
  SERVER_PROP_DOCUMENTS_HELD,
  SERVER_PROP_DOCUMENTS_TOTAL,
  SERVER_PROP_LAST_ERROR,
  SERVER_PROP_SYNCING,
  SERVER_PROP_SYNC_DONE,
  SERVER_PROP_SYNC_TOTAL,
  SERVER_N_PROPS
};

static GParamSpec *server_props[SERVER_N_PROPS];

static void
rein_server_info_finalize (GObject *object)
{
  ReinServerInfo *self = (ReinServerInfo *) object;

  g_free (self->url);
  g_free (self->last_error);
  G_OBJECT_CLASS (rein_server_info_parent_class)->finalize (object);
}

static void
rein_server_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinServerInfo *self = REIN_SERVER_INFO (object);

  switch (prop_id)
    {
    case SERVER_PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case SERVER_PROP_HEALTH:
      g_value_set_enum (value, self->health);
      break;
    case SERVER_PROP_LATENCY:
      g_value_set_int (value, self->latency);
      break;
    case SERVER_PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case SERVER_PROP_DOCUMENTS_HELD:
      g_value_set_int (value, self->documents_held);
      break;
    case SERVER_PROP_DOCUMENTS_TOTAL:
      g_value_set_int (value, self->documents_total);
      break;
    case SERVER_PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case SERVER_PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    case SERVER_PROP_SYNC_DONE:
      g_value_set_uint (value, self->sync_done);
      break;
    case SERVER_PROP_SYNC_TOTAL:
      g_value_set_uint (value, self->sync_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_server_info_class_init (ReinServerInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = rein_server_info_finalize;
  object_class->get_property = rein_server_info_get_property;
  server_props[SERVER_PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  server_props[SERVER_PROP_HEALTH] =
    g_param_spec_enum ("health", NULL, NULL, REIN_TYPE_SERVER_HEALTH,
                       REIN_SERVER_HEALTH_UNKNOWN, flags);
  server_props[SERVER_PROP_LATENCY] = g_param_spec_int ("latency", NULL, NULL, -1, G_MAXINT, -1,
                                                        flags);
  server_props[SERVER_PROP_LAST_SYNC] = g_param_spec_int64 ("last-sync", NULL, NULL, 0,
                                                            G_MAXINT64, 0, flags);
  server_props[SERVER_PROP_DOCUMENTS_HELD] =
    g_param_spec_int ("documents-held", NULL, NULL, -1, G_MAXINT, -1, flags);
  server_props[SERVER_PROP_DOCUMENTS_TOTAL] =
    g_param_spec_int ("documents-total", NULL, NULL, -1, G_MAXINT, -1, flags);
  server_props[SERVER_PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL,
                                                              flags);
  server_props[SERVER_PROP_SYNCING] = g_param_spec_boolean ("syncing", NULL, NULL, FALSE, flags);
  server_props[SERVER_PROP_SYNC_DONE] = g_param_spec_uint ("sync-done", NULL, NULL, 0, G_MAXUINT,
                                                           0, flags);
  server_props[SERVER_PROP_SYNC_TOTAL] = g_param_spec_uint ("sync-total", NULL, NULL, 0,
                                                            G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, SERVER_N_PROPS, server_props);
}

static void
rein_server_info_init (ReinServerInfo *self)
{
  self->latency = -1;
  self->documents_held = -1;
  self->documents_total = -1;
}

static ReinServerInfo *
server_info_new (gint64 id, const gchar *url)
{
  ReinServerInfo *self = g_object_new (REIN_TYPE_SERVER_INFO, NULL);

  self->id = id;
  self->url = g_strdup (url);
  return self;
}

/* Setters that notify only a real change; callers group them between
 * g_object_freeze_notify() and g_object_thaw_notify(). */
#define SERVER_SET(self, field, prop, value) \
  G_STMT_START \
  { \
    if ((self)->field != (value)) \
      { \
        (self)->field = (value); \
        g_object_notify_by_pspec (G_OBJECT (self), server_props[prop]); \
      } \
  } \
  G_STMT_END

static void
server_info_set_error (ReinServerInfo *self, ReinServerHealth health, const gchar *message)
{
  SERVER_SET (self, health, SERVER_PROP_HEALTH, health);
  if (g_strcmp0 (self->last_error, message) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), server_props[SERVER_PROP_LAST_ERROR]);
    }
}

static void
server_info_set_documents (ReinServerInfo *self, gint held, gint total)
{
  SERVER_SET (self, documents_held, SERVER_PROP_DOCUMENTS_HELD, held);
  SERVER_SET (self, documents_total, SERVER_PROP_DOCUMENTS_TOTAL, total);
}

static void
server_info_set_progress (ReinServerInfo *self, gboolean syncing, guint done, guint total)
{
  SERVER_SET (self, syncing, SERVER_PROP_SYNCING, syncing);
  SERVER_SET (self, sync_done, SERVER_PROP_SYNC_DONE, done);
  SERVER_SET (self, sync_total, SERVER_PROP_SYNC_TOTAL, total);
}

/* The health an error calls for: no answer at all, or an answer that is
 * an error. */
static ReinServerHealth
health_of_error (const GError *error)
{
  return g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE)
           ? REIN_SERVER_HEALTH_UNREACHABLE
           : REIN_SERVER_HEALTH_ERROR;
}

gint64
rein_server_info_get_id (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), 0);
  return self->id;
}

const gchar *
rein_server_info_get_url (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), NULL);
  return self->url;
}

ReinServerHealth
rein_server_info_get_health (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), REIN_SERVER_HEALTH_UNKNOWN);
  return self->health;
}

gint
rein_server_info_get_latency (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), -1);
  return self->latency;
}

gint64
rein_server_info_get_last_sync (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), 0);
  return self->last_sync;
}

gint
rein_server_info_get_documents_held (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), -1);
  return self->documents_held;
}

gint
rein_server_info_get_documents_total (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), -1);
  return self->documents_total;
}

gboolean
rein_server_info_get_sync_failed (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), FALSE);
  return self->sync_failed;
}

const gchar *
rein_server_info_get_last_error (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), NULL);
  return self->last_error;
}

gboolean
rein_server_info_get_syncing (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), FALSE);
  return self->syncing;
}

guint
rein_server_info_get_sync_done (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), 0);
  return self->sync_done;
}

guint
rein_server_info_get_sync_total (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), 0);
  return self->sync_total;
}

/* "5 minutes ago", "3 hours ago", "yesterday", then the locale's long
 * date ("4 December 2026"): never "12/04/26", which reads two ways. */
static gchar *
format_time (gint64 when)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (when);
  gint64 ago = g_get_real_time () / G_USEC_PER_SEC - when;

  if (dt == NULL)
    return g_strdup ("?");
  if (ago < 60)
    return g_strdup (_("just now"));
  if (ago < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago",
                                         ago / 60), (gint) (ago / 60));
  if (ago < 24 * 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago",
                                         ago / 3600), (gint) (ago / 3600));
  if (ago < 48 * 3600)
    return g_strdup (_("yesterday"));
  /* TRANSLATORS: a date in full, see g_date_time_format() (%-d: day, %B: month name) */
  return g_date_time_format (dt, _("%-d %B %Y"));
}

gchar *
rein_server_info_describe (ReinServerInfo *self)
{
  g_autoptr (GString) text = NULL;

  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), NULL);

  if (self->syncing)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Syncing: %u of %u document",
                                         "Syncing: %u of %u documents", self->sync_total),
                            self->sync_done, self->sync_total);
  switch (self->health)
    {
    /* in plain words: the server's own, rein_server_info_get_last_error(),
     * are for a tooltip or details */
    case REIN_SERVER_HEALTH_UNREACHABLE:
      return g_strdup (_("Did not answer: it may be offline, or the address is wrong"));
    case REIN_SERVER_HEALTH_ERROR:
      return g_strdup (_("Answered with an error: it did not take our request"));
    case REIN_SERVER_HEALTH_UNKNOWN:
      if (self->last_sync > 0)
        {
          g_autofree gchar *when = format_time (self->last_sync);

          return g_strdup_printf (_("Last synced %s"), when);
        }
      return g_strdup (_("Not synced yet"));
    case REIN_SERVER_HEALTH_OK:
      break;
    }

  text = g_string_new (_("Reachable"));
  if (self->latency >= 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, _("%d ms"), self->latency);
    }
  if (self->documents_held >= 0 && self->documents_total >= 0)
    {
      g_string_append (text, " · ");
      if (self->documents_held == self->documents_total)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "holds our %d document",
                                                   "holds all %d of our documents",
                                                   self->documents_total),
                                self->documents_total);
      else
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                   "holds %d of our %d document",
                                                   "holds %d of our %d documents",
                                                   self->documents_total),
                                self->documents_held, self->documents_total);
    }
  if (self->last_sync > 0)
    {
      g_autofree gchar *formatted = format_time (self->last_sync);

      g_string_append (text, " · ");
      g_string_append_printf (text, _("last synced %s"), formatted);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gchar *
rein_server_url_normalize (const gchar *url)
{
  g_autofree gchar *clean = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  clean = g_strstrip (g_strdup (url));
  if (g_str_has_suffix (clean, "/"))
    return g_steal_pointer (&clean);
  return g_strconcat (clean, "/", NULL);
}

gchar *
rein_buckets_describe (GPtrArray *buckets)
{
  gint64 free_bytes = 0;
  g_autofree gchar *size = NULL;

  g_return_val_if_fail (buckets != NULL, NULL);

  for (guint i = 0; i < buckets->len; i++)
    free_bytes += ((ReinBucket *) g_ptr_array_index (buckets, i))->bytes_free;
  size = g_format_size (free_bytes);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u bucket, %s free",
                                       "%u buckets, %s free", buckets->len),
                          buckets->len, size);
}

/* ---- ReinSession ---- */

struct _ReinSession
{
  GObject parent_instance;

  ReinStore *store;
  GListStore *identities;
  ReinIdentity *active;
  GListStore *servers;
  gboolean loaded;
  gint snapshot_next;   /* atomic: the sequence number of the next snapshot */
  gint snapshot_shown;  /* the newest snapshot applied */
  GQueue waiting;       /* GTasks of servers added before the load */

  /* The choice of active identity is written by workers that may run out
   * of order: each write has a number, and under write_lock a worker only
   * writes if its number is still the newest, so the last choice wins. */
  GMutex write_lock;
  gint active_write_seq; /* atomic */
  guint saving;          /* such writes under way */

  ReinSync *sync;
  GCancellable *sync_cancellable;
  gboolean syncing;
  gdouble sync_fraction;
  GHashTable *progress; /* url -> done/total packed as two guint16 */
  gint64 last_sync;     /* of the active identity: wall clock, seconds; 0 never */
  gint64 servers_last_sync; /* the newest of the servers' records */
  GArray *identity_syncs;   /* IdentitySync, from the store's settings */

  /* The active identity's delegate key once the user unlocked it to keep
   * it open in this session (libgcrypt secure memory; wiped on lock,
   * identity switch and dispose), so that automatic sync can sign. NULL
   * while locked. */
  ReinPrivateKey *key;
  guint auto_sync_interval; /* seconds; 0 off */
  guint auto_sync_source;
};

G_DEFINE_FINAL_TYPE (ReinSession, rein_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACTIVE_IDENTITY,
  PROP_SYNCING,
  PROP_SYNC_FRACTION,
  PROP_LOADED,
  PROP_LAST_SYNC,
  PROP_UNLOCKED,
  PROP_AUTO_SYNC_INTERVAL,
  PROP_SAVING,
  N_PROPS
};

enum
{
  SIGNAL_SYNC_FINISHED,
  SIGNAL_READ_DUE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
forget_key (ReinSession *self)
{
  if (self->key == NULL)
    return;
  g_clear_pointer (&self->key, rein_private_key_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
}

static void
rein_session_dispose (GObject *object)
{
  ReinSession *self = (ReinSession *) object;

  if (self->sync_cancellable)
    g_cancellable_cancel (self->sync_cancellable);
  g_clear_handle_id (&self->auto_sync_source, g_source_remove);
  g_clear_pointer (&self->key, rein_private_key_free);
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->sync);
  g_clear_object (&self->active);
  g_clear_object (&self->identities);
  g_clear_object (&self->servers);
  g_clear_object (&self->store);
  g_clear_pointer (&self->progress, g_hash_table_unref);

  G_OBJECT_CLASS (rein_session_parent_class)->dispose (object);
}

static void
rein_session_finalize (GObject *object)
{
  ReinSession *self = (ReinSession *) object;

  g_clear_pointer (&self->identity_syncs, g_array_unref);
  g_mutex_clear (&self->write_lock);
  G_OBJECT_CLASS (rein_session_parent_class)->finalize (object);
}

static void
rein_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinSession *self = REIN_SESSION (object);

  switch (prop_id)
    {
    case PROP_ACTIVE_IDENTITY:
      g_value_set_object (value, self->active);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    case PROP_SYNC_FRACTION:
      g_value_set_double (value, self->sync_fraction);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_UNLOCKED:
      g_value_set_boolean (value, self->key != NULL);
      break;
    case PROP_AUTO_SYNC_INTERVAL:
      g_value_set_uint (value, self->auto_sync_interval);
      break;
    case PROP_SAVING:
      g_value_set_boolean (value, self->saving > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_session_set_property (GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
  ReinSession *self = REIN_SESSION (object);

  switch (prop_id)
    {
    case PROP_AUTO_SYNC_INTERVAL:
      rein_session_set_auto_sync_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_session_class_init (ReinSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = rein_session_dispose;
  object_class->finalize = rein_session_finalize;
  object_class->get_property = rein_session_get_property;
  object_class->set_property = rein_session_set_property;

  properties[PROP_ACTIVE_IDENTITY] =
    g_param_spec_object ("active-identity", NULL, NULL, REIN_TYPE_IDENTITY, flags);
  properties[PROP_SYNCING] = g_param_spec_boolean ("syncing", NULL, NULL, FALSE, flags);
  properties[PROP_SYNC_FRACTION] = g_param_spec_double ("sync-fraction", NULL, NULL, 0, 1, 0,
                                                        flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_LAST_SYNC] = g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0,
                                                   flags);
  properties[PROP_UNLOCKED] = g_param_spec_boolean ("unlocked", NULL, NULL, FALSE, flags);
  properties[PROP_AUTO_SYNC_INTERVAL] =
    g_param_spec_uint ("auto-sync-interval", NULL, NULL, 0, G_MAXUINT / 1000, 0,
                       flags | G_PARAM_WRITABLE);
  properties[PROP_SAVING] = g_param_spec_boolean ("saving", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ReinSession::sync-finished:
   * @failed: how many servers failed
   * @first_error: (nullable): the first failure, for a toast
   */
  signals[SIGNAL_SYNC_FINISHED] = g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /**
   * ReinSession::read-due:
   *
   * The automatic sync's timer fired while the keys are locked: nothing is
   * published, but what the servers hold is due to be read again (the
   * market, my jobs). With the keys open "sync-finished" says it.
   */
  signals[SIGNAL_READ_DUE] = g_signal_new ("read-due", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rein_session_init (ReinSession *self)
{
  self->identities = g_list_store_new (REIN_TYPE_IDENTITY);
  self->servers = g_list_store_new (REIN_TYPE_SERVER_INFO);
  self->progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&self->write_lock);
}

/* ---- what the store holds, read in a worker, applied on the UI thread ---- */

typedef struct
{
  gint seq;
  GListModel *identities;
  ReinIdentity *active;
  GStrv urls;
  GArray *ids;        /* gint64, alongside urls */
  GArray *last_syncs; /* gint64 */
  GPtrArray *last_errors;
  GArray *identity_syncs; /* IdentitySync */
} Snapshot;

/* When an identity last synced with at least one server: the servers'
 * own records are shared by every identity. */
typedef struct
{
  gint64 identity_id;
  gint64 when; /* seconds; -1: not recorded (data from before the record) */
} IdentitySync;

#define LAST_SYNC_KEY "last-sync-%" G_GINT64_FORMAT

static void
snapshot_free (Snapshot *snap)
{
  if (snap == NULL)
    return;
  g_clear_object (&snap->identities);
  g_clear_object (&snap->active);
  g_strfreev (snap->urls);
  g_clear_pointer (&snap->ids, g_array_unref);
  g_clear_pointer (&snap->last_syncs, g_array_unref);
  g_clear_pointer (&snap->last_errors, g_ptr_array_unref);
  g_clear_pointer (&snap->identity_syncs, g_array_unref);
  g_free (snap);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

/* In a worker thread: each store call holds the store's lock on its own. */
static Snapshot *
snapshot_take (ReinSession *self)
{
  Snapshot *snap = g_new0 (Snapshot, 1);

  snap->seq = g_atomic_int_add (&self->snapshot_next, 1) + 1;
  snap->identities = rein_store_list_identities (self->store, NULL);
  snap->active = rein_store_get_active_identity (self->store, NULL);
  snap->urls = rein_store_list_servers (self->store, &snap->ids, NULL);
  snap->last_syncs = g_array_new (FALSE, TRUE, sizeof (gint64));
  snap->last_errors = g_ptr_array_new_with_free_func (g_free);
  snap->identity_syncs = g_array_new (FALSE, TRUE, sizeof (IdentitySync));
  for (guint i = 0; snap->identities && i < g_list_model_get_n_items (snap->identities); i++)
    {
      g_autoptr (ReinIdentity) id = g_list_model_get_item (snap->identities, i);
      IdentitySync rec = { rein_identity_get_id (id), -1 };
      g_autofree gchar *key = g_strdup_printf (LAST_SYNC_KEY, rec.identity_id);
      g_autofree gchar *value = rein_store_get_setting (self->store, key);

      if (value)
        rec.when = g_ascii_strtoll (value, NULL, 10);
      g_array_append_val (snap->identity_syncs, rec);
    }
  for (guint i = 0; snap->urls && snap->ids && i < snap->ids->len; i++)
    {
      gint64 last = 0;
      gchar *last_error = NULL;

      rein_store_get_server_sync (self->store, g_array_index (snap->ids, gint64, i), &last,
                                  &last_error);
      g_array_append_val (snap->last_syncs, last);
      g_ptr_array_add (snap->last_errors, last_error);
    }
  return snap;
}

static ReinServerInfo *
server_info_from_store (gint64 id, const gchar *url, gint64 last_sync, const gchar *last_error)
{
  ReinServerInfo *info = server_info_new (id, url);

  info->last_sync = last_sync;
  info->sync_failed = last_error != NULL;
  /* the last sync's error, until this session hears from the server */
  if (last_error != NULL)
    {
      info->health = REIN_SERVER_HEALTH_ERROR;
      info->last_error = g_strdup (last_error);
    }
  return info;
}

static void
apply_identities (ReinSession *self, Snapshot *snap)
{
  GListModel *current = G_LIST_MODEL (self->identities);
  guint n = snap->identities ? g_list_model_get_n_items (snap->identities) : 0;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  ReinIdentity *new_active = NULL;
  gboolean same = n == g_list_model_get_n_items (current);

  for (guint i = 0; i < n; i++)
    {
      ReinIdentity *id = g_list_model_get_item (snap->identities, i);

      if (same)
        {
          g_autoptr (ReinIdentity) old = g_list_model_get_item (current, i);

          same = rein_identity_get_id (old) == rein_identity_get_id (id);
          /* renamed elsewhere (rein-cli) */
          if (same)
            _rein_identity_set_label (old, rein_identity_get_label (id));
        }
      g_ptr_array_add (items, id);
    }
  if (!same)
    g_list_store_splice (self->identities, 0, g_list_model_get_n_items (current), items->pdata,
                         items->len);

  /* The active identity the user chose stays while it exists: the store's
   * choice (written by a worker) may not have landed yet. */
  for (guint i = 0; i < items->len; i++)
    {
      ReinIdentity *id = g_ptr_array_index (items, i);

      if (self->active && rein_identity_get_id (id) == rein_identity_get_id (self->active))
        {
          new_active = self->active;
          break;
        }
    }
  for (guint i = 0; new_active == NULL && i < items->len; i++)
    {
      ReinIdentity *id = g_ptr_array_index (items, i);

      if (snap->active && rein_identity_get_id (id) == rein_identity_get_id (snap->active))
        new_active = id;
    }
  if (new_active != self->active)
    {
      forget_key (self);
      g_set_object (&self->active, new_active);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_IDENTITY]);
    }
}

static void
apply_servers (ReinSession *self, Snapshot *snap)
{
  GListModel *current = G_LIST_MODEL (self->servers);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean same = (snap->ids ? snap->ids->len : 0) == g_list_model_get_n_items (current);
  gint64 last_sync = 0;

  for (guint i = 0; snap->urls && snap->ids && i < snap->ids->len; i++)
    {
      gint64 id = g_array_index (snap->ids, gint64, i);
      gint64 last = g_array_index (snap->last_syncs, gint64, i);
      ReinServerInfo *existing = NULL;

      last_sync = MAX (last_sync, last);
      /* keep the objects (and their status) of servers already listed */
      for (guint j = 0; j < g_list_model_get_n_items (current); j++)
        {
          g_autoptr (ReinServerInfo) s = g_list_model_get_item (current, j);

          if (s->id == id)
            {
              existing = g_object_ref (s);
              same = same && i == j;
              SERVER_SET (s, last_sync, SERVER_PROP_LAST_SYNC, last);
              s->sync_failed = g_ptr_array_index (snap->last_errors, i) != NULL;
            }
        }
      same = same && existing != NULL;
      g_ptr_array_add (items, existing ? existing
                                       : server_info_from_store (id, snap->urls[i], last,
                                                                 g_ptr_array_index (
                                                                   snap->last_errors, i)));
    }
  if (!same)
    g_list_store_splice (self->servers, 0, g_list_model_get_n_items (current), items->pdata,
                         items->len);
  self->servers_last_sync = last_sync;
}

/* The active identity's last sync: its own record; for data from before
 * identities had one, the servers' when it is the only identity (they
 * can only have synced it). */
static void
update_last_sync (ReinSession *self)
{
  gint64 last = 0;
  gboolean recorded = FALSE;

  for (guint i = 0; self->active && self->identity_syncs && i < self->identity_syncs->len; i++)
    {
      IdentitySync *rec = &g_array_index (self->identity_syncs, IdentitySync, i);

      if (rec->identity_id == rein_identity_get_id (self->active) && rec->when >= 0)
        {
          last = rec->when;
          recorded = TRUE;
        }
    }
  if (!recorded && self->active
      && g_list_model_get_n_items (G_LIST_MODEL (self->identities)) == 1)
    last = self->servers_last_sync;
  if (last != self->last_sync)
    {
      self->last_sync = last;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
    }
}

static void add_server_start (ReinSession *self, GTask *task);

/* On the UI thread. Snapshots may finish out of order: an older one than
 * what is shown is dropped. */
static void
snapshot_apply (ReinSession *self, Snapshot *snap)
{
  if (snap == NULL || snap->seq <= self->snapshot_shown)
    return;
  self->snapshot_shown = snap->seq;
  apply_identities (self, snap);
  apply_servers (self, snap);
  g_clear_pointer (&self->identity_syncs, g_array_unref);
  self->identity_syncs = g_array_ref (snap->identity_syncs);
  update_last_sync (self);
  if (!self->loaded)
    {
      GTask *task;

      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
      while ((task = g_queue_pop_head (&self->waiting)))
        add_server_start (self, task);
    }
}

static void
reload_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  IdentitySync *record = task_data;

  /* a sync that went through records when, for its identity */
  if (record)
    {
      g_autofree gchar *key = g_strdup_printf (LAST_SYNC_KEY, record->identity_id);
      g_autofree gchar *value = g_strdup_printf ("%" G_GINT64_FORMAT, record->when);
      g_autoptr (GError) error = NULL;

      if (!rein_store_set_setting (REIN_SESSION (source)->store, key, value, &error))
        g_warning ("Could not record the last sync: %s", error->message);
    }
  g_task_return_pointer (task, snapshot_take (source), (GDestroyNotify) snapshot_free);
}

static void
reload_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Snapshot) snap = g_task_propagate_pointer (G_TASK (result), NULL);

  snapshot_apply (REIN_SESSION (source), snap);
}

/* Reads the identities and servers again, in a worker; @callback gets the
 * snapshot (g_task_propagate_pointer()) to apply. */
static void
reload_recording (ReinSession *self, IdentitySync *record, GAsyncReadyCallback callback,
                  gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, reload_recording);
  g_task_set_task_data (task, record, g_free);
  g_task_run_in_thread (task, reload_thread);
}

static void
reload_then (ReinSession *self, GAsyncReadyCallback callback, gpointer user_data)
{
  reload_recording (self, NULL, callback, user_data);
}

static void
reload (ReinSession *self)
{
  reload_then (self, reload_cb, NULL);
}

ReinSession *
rein_session_new (ReinStore *store)
{
  ReinSession *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);

  self = g_object_new (REIN_TYPE_SESSION, NULL);
  self->store = g_object_ref (store);
  self->sync = rein_sync_new (store);
  reload (self);
  return self;
}

ReinStore *
rein_session_get_store (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);
  return self->store;
}

gboolean
rein_session_get_loaded (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), FALSE);
  return self->loaded;
}

GListModel *
rein_session_get_identities (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->identities);
}

ReinIdentity *
rein_session_get_active_identity (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);
  return self->active;
}

static void
set_active_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinSession *self = source;
  g_autoptr (GError) error = NULL;
  gint seq = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "seq"));

  /* a later choice, written already or about to be, wins */
  g_mutex_lock (&self->write_lock);
  if (seq == g_atomic_int_get (&self->active_write_seq)
      && !rein_store_set_active_identity (self->store, task_data, &error))
    g_warning ("Could not remember the active identity: %s", error->message);
  g_mutex_unlock (&self->write_lock);
  g_task_return_boolean (task, TRUE);
}

static void
set_active_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinSession *self = REIN_SESSION (source);

  g_assert (self->saving > 0);
  if (--self->saving == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
}

void
rein_session_set_active_identity (ReinSession *self, ReinIdentity *identity)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));

  if (self->active && rein_identity_get_id (self->active) == rein_identity_get_id (identity))
    return;
  /* the keys of the identity left behind do not stay open */
  forget_key (self);
  g_set_object (&self->active, identity);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_IDENTITY]);
  task = g_task_new (self, NULL, set_active_done_cb, NULL);
  g_task_set_source_tag (task, rein_session_set_active_identity);
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_object_set_data (G_OBJECT (task), "seq",
                     GINT_TO_POINTER (g_atomic_int_add (&self->active_write_seq, 1) + 1));
  update_last_sync (self);
  if (self->saving++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  g_task_run_in_thread (task, set_active_thread);
}

gboolean
rein_session_get_saving (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), FALSE);
  return self->saving > 0;
}

GListModel *
rein_session_get_servers (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->servers);
}

gboolean
rein_session_get_syncing (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), FALSE);
  return self->syncing;
}

gdouble
rein_session_get_sync_fraction (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), 0);
  return self->sync_fraction;
}

gint64
rein_session_get_last_sync (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), 0);
  return self->last_sync;
}

GStrv
rein_session_dup_failed_servers (ReinSession *self, guint *out_total)
{
  GListModel *servers;
  g_autoptr (GStrvBuilder) failed = g_strv_builder_new ();

  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);

  servers = G_LIST_MODEL (self->servers);
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr (ReinServerInfo) server = g_list_model_get_item (servers, i);

      if (server->sync_failed)
        g_strv_builder_add (failed, server->url);
    }
  if (out_total)
    *out_total = g_list_model_get_n_items (servers);
  return g_strv_builder_end (failed);
}

gchar *
rein_session_describe_last_sync (ReinSession *self)
{
  gint64 ago;

  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);

  if (self->last_sync == 0)
    return g_strdup (_("Never synced"));
  /* a partial sync says so, until one goes to every server */
  {
    guint total = 0;
    g_auto (GStrv) failed = rein_session_dup_failed_servers (self, &total);
    guint n = g_strv_length (failed);

    if (n > 0 && n < total)
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced with %u of %u server",
                                           "Synced with %u of %u servers", total),
                              total - n, total);
  }
  ago = MAX (0, g_get_real_time () / G_USEC_PER_SEC - self->last_sync) / 60;
  if (ago < 1)
    return g_strdup (_("Synced just now"));
  if (ago < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d minute ago",
                                         "Synced %d minutes ago", ago), (gint) ago);
  ago /= 60;
  if (ago < 48)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d hour ago",
                                         "Synced %d hours ago", ago), (gint) ago);
  ago /= 24;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d day ago",
                                       "Synced %d days ago", ago), (gint) MIN (ago, G_MAXINT));
}

gboolean
rein_session_get_unlocked (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), FALSE);
  return self->key != NULL;
}

ReinPrivateKey *
rein_session_dup_unlocked_key (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);
  return self->key != NULL ? rein_private_key_copy (self->key) : NULL;
}

void
rein_session_lock (ReinSession *self)
{
  g_return_if_fail (REIN_IS_SESSION (self));
  forget_key (self);
}

/* ---- identities, in worker threads ---- */

typedef enum
{
  ADD_FROM_MNEMONIC,
  ADD_FROM_KEYS,
  ADD_FROM_BACKUP,
} AddKind;

typedef struct
{
  AddKind kind;
  gchar *name, *contact;
  gboolean will_mediate, testnet;
  gdouble fee;
  gchar *phrase;      /* secure memory */
  gchar *passphrase;  /* secure memory */
  gchar *password;    /* secure memory */
  gboolean keep;      /* unlocking: the session keeps the key */
  gchar *master_address, *delegate_wif, *signed_enrollment;
  GFile *file;        /* a backup to read, or: */
  gchar *backup;      /* a backup's text, wiped after use */
  gsize backup_len;
  Snapshot *snap;     /* the store after the worker's change */
} AddData;

static void
add_data_free (AddData *d)
{
  g_free (d->name);
  g_free (d->contact);
  rein_secure_free (d->phrase);
  rein_secure_free (d->passphrase);
  rein_secure_free (d->password);
  g_free (d->master_address);
  if (d->delegate_wif)
    rein_memwipe (d->delegate_wif, strlen (d->delegate_wif));
  rein_secure_free (d->delegate_wif);
  g_free (d->signed_enrollment);
  g_clear_object (&d->file);
  if (d->backup)
    rein_memwipe (d->backup, d->backup_len);
  g_free (d->backup);
  snapshot_free (d->snap);
  g_free (d);
}

static AddData *
add_data_new (AddKind kind, const ReinIdentityParams *params, const gchar *password)
{
  AddData *d = g_new0 (AddData, 1);

  d->kind = kind;
  if (params)
    {
      d->name = g_strdup (params->name);
      d->contact = g_strdup (params->contact);
      d->will_mediate = params->will_mediate;
      d->testnet = params->testnet;
      d->fee = params->mediator_fee_percent;
    }
  d->password = rein_secure_strdup (password);
  return d;
}

static void
add_identity_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinSession *self = source;
  AddData *d = task_data;
  ReinIdentityParams params = {
    .name = d->name, .contact = d->contact, .will_mediate = d->will_mediate,
    .mediator_fee_percent = d->fee, .testnet = d->testnet,
  };
  g_autoptr (GError) error = NULL;
  ReinIdentity *identity = NULL;

  switch (d->kind)
    {
    case ADD_FROM_MNEMONIC:
      identity = rein_store_add_identity_from_mnemonic (self->store, &params, d->phrase,
                                                        d->passphrase, d->password, &error);
      break;
    case ADD_FROM_KEYS:
      identity = rein_store_add_identity_from_keys (self->store, &params, d->master_address,
                                                    d->delegate_wif, d->signed_enrollment,
                                                    d->password, &error);
      break;
    case ADD_FROM_BACKUP:
      if (d->file != NULL)
        {
          g_autoptr (GFileInfo) info = g_file_query_info (d->file,
                                                          G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                          G_FILE_QUERY_INFO_NONE, cancellable,
                                                          &error);

          if (info == NULL)
            break;
          if (g_file_info_get_size (info) > MAX_BACKUP_FILE)
            {
              g_set_error_literal (&error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                                   _("This file is too large to be a Rein backup"));
              break;
            }
          if (!g_file_load_contents (d->file, cancellable, &d->backup, &d->backup_len, NULL,
                                     &error))
            break;
        }
      identity = rein_store_import_backup (self->store, d->backup, d->backup_len, d->password,
                                           &error);
      rein_memwipe (d->backup, d->backup_len);
      break;
    }
  /* even on failure or cancellation: the identity may be stored already */
  d->snap = snapshot_take (self);
  if (identity == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, identity, g_object_unref);
}

static void
run_add (ReinSession *self, AddData *d, GCancellable *cancellable, GAsyncReadyCallback callback,
         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, rein_session_add_identity_finish);
  g_task_set_task_data (task, d, (GDestroyNotify) add_data_free);
  g_task_run_in_thread (task, add_identity_thread);
}

void
rein_session_add_identity_from_mnemonic_async (ReinSession *self,
                                               const ReinIdentityParams *params,
                                               const gchar *phrase,
                                               const gchar *passphrase,
                                               const gchar *password,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data)
{
  AddData *d;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (params != NULL && phrase != NULL && password != NULL);

  d = add_data_new (ADD_FROM_MNEMONIC, params, password);
  d->phrase = rein_secure_strdup (phrase);
  d->passphrase = passphrase && *passphrase ? rein_secure_strdup (passphrase) : NULL;
  run_add (self, d, cancellable, callback, user_data);
}

void
rein_session_add_identity_from_keys_async (ReinSession *self,
                                           const ReinIdentityParams *params,
                                           const gchar *master_address,
                                           const gchar *delegate_wif,
                                           const gchar *signed_enrollment,
                                           const gchar *password,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  AddData *d;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (params != NULL && password != NULL);

  d = add_data_new (ADD_FROM_KEYS, params, password);
  d->master_address = g_strdup (master_address);
  d->delegate_wif = rein_secure_strdup (delegate_wif);
  d->signed_enrollment = g_strdup (signed_enrollment);
  run_add (self, d, cancellable, callback, user_data);
}

void
rein_session_import_backup_async (ReinSession *self,
                                  GFile *file,
                                  const gchar *password,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  AddData *d;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (G_IS_FILE (file) && password != NULL);

  d = add_data_new (ADD_FROM_BACKUP, NULL, password);
  d->file = g_object_ref (file);
  run_add (self, d, cancellable, callback, user_data);
}

void
rein_session_import_backup_bytes_async (ReinSession *self,
                                        GBytes *backup,
                                        const gchar *password,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  AddData *d;
  gsize len = 0;
  const gchar *data;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (backup != NULL && password != NULL);

  d = add_data_new (ADD_FROM_BACKUP, NULL, password);
  data = g_bytes_get_data (backup, &len);
  if (len > MAX_BACKUP_FILE)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, rein_session_add_identity_finish);
      g_task_set_task_data (task, d, (GDestroyNotify) add_data_free);
      g_task_return_new_error (task, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                               _("This file is too large to be a Rein backup"));
      return;
    }
  d->backup = g_malloc (len + 1);
  memcpy (d->backup, data, len);
  d->backup[len] = '\0';
  d->backup_len = len;
  run_add (self, d, cancellable, callback, user_data);
}

ReinIdentity *
rein_session_add_identity_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  ReinIdentity *identity;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  identity = g_task_propagate_pointer (G_TASK (result), error);
  /* even when cancelled: the worker may have stored it already */
  snapshot_apply (self, ((AddData *) g_task_get_task_data (G_TASK (result)))->snap);
  if (identity != NULL)
    rein_session_set_active_identity (self, identity);
  return identity;
}

/* ---- unlocking ---- */

static void
unlock_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinSession *self = source;
  AddData *d = task_data;
  g_autoptr (GError) error = NULL;
  ReinIdentity *identity = g_object_get_data (G_OBJECT (task), "identity");
  ReinPrivateKey *key = rein_store_unlock_delegate_key (self->store, identity, d->password,
                                                        &error);

  if (key == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, key, (GDestroyNotify) rein_private_key_free);
}

/* On the UI thread: when asked to keep it, the session keeps a copy of the
 * key (secure memory) while the identity it opens is still the active one.
 * Otherwise the key goes only to the caller, for one operation. */
static void
unlocked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinSession *self = REIN_SESSION (source);
  g_autoptr (GTask) outer = user_data;
  ReinIdentity *identity = g_object_get_data (G_OBJECT (result), "identity");
  AddData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  ReinPrivateKey *key = g_task_propagate_pointer (G_TASK (result), &error);

  if (key == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  if (d->keep && self->active
      && rein_identity_get_id (self->active) == rein_identity_get_id (identity))
    {
      gboolean was_unlocked = self->key != NULL;

      g_clear_pointer (&self->key, rein_private_key_free);
      self->key = rein_private_key_copy (key);
      if (!was_unlocked)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
    }
  g_task_return_pointer (outer, key, (GDestroyNotify) rein_private_key_free);
}

void
rein_session_unlock_async (ReinSession *self,
                           const gchar *password,
                           gboolean keep,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;
  AddData *data;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (password != NULL);

  g_task_set_source_tag (task, rein_session_unlock_async);
  if (self->active == NULL)
    {
      g_task_return_new_error (task, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               _("There is no identity to unlock"));
      return;
    }
  inner = g_task_new (self, cancellable, unlocked_cb, g_steal_pointer (&task));
  g_object_set_data_full (G_OBJECT (inner), "identity", g_object_ref (self->active),
                          g_object_unref);
  data = add_data_new (ADD_FROM_KEYS, NULL, password);
  data->keep = keep;
  g_task_set_task_data (inner, data, (GDestroyNotify) add_data_free);
  g_task_run_in_thread (inner, unlock_thread);
}

ReinPrivateKey *
rein_session_unlock_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- one identity's backup, and deleting it ---- */

static void
export_backup_thread (GTask *task, gpointer source, gpointer task_data,
                      GCancellable *cancellable)
{
  ReinSession *self = source;
  AddData *d = task_data;
  ReinIdentity *identity = g_object_get_data (G_OBJECT (task), "identity");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *json = rein_store_export_backup (self->store, identity, d->password, &error);

  /* the secrets in it stay sealed under the password: the file may be
   * copied anywhere, but it is written for its owner only */
  if (json == NULL
      || !g_file_replace_contents (d->file, json, strlen (json), NULL, FALSE,
                                   G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                   NULL, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
rein_session_export_backup_async (ReinSession *self,
                                  ReinIdentity *identity,
                                  const gchar *password,
                                  GFile *file,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  AddData *data;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (password != NULL && G_IS_FILE (file));

  g_task_set_source_tag (task, rein_session_export_backup_async);
  g_object_set_data_full (G_OBJECT (task), "identity", g_object_ref (identity), g_object_unref);
  data = add_data_new (ADD_FROM_BACKUP, NULL, password);
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);
  g_task_run_in_thread (task, export_backup_thread);
}

gboolean
rein_session_export_backup_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
delete_identity_thread (GTask *task, gpointer source, gpointer task_data,
                        GCancellable *cancellable)
{
  ReinSession *self = source;
  AddData *d = task_data;
  ReinIdentity *identity = g_object_get_data (G_OBJECT (task), "identity");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = g_strdup_printf (LAST_SYNC_KEY, rein_identity_get_id (identity));

  if (!rein_store_delete_identity (self->store, identity, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* an identity made later may get the same id: it has never synced */
  rein_store_set_setting (self->store, key, "0", NULL);
  d->snap = snapshot_take (self);
  g_task_return_boolean (task, TRUE);
}

static void
identity_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  AddData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  snapshot_apply (REIN_SESSION (source), d->snap);
  g_task_return_boolean (outer, TRUE);
}

void
rein_session_delete_identity_async (ReinSession *self,
                                    ReinIdentity *identity,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));

  g_task_set_source_tag (task, rein_session_delete_identity_async);
  if (self->active && rein_identity_get_id (self->active) == rein_identity_get_id (identity))
    forget_key (self);
  inner = g_task_new (self, NULL, identity_deleted_cb, g_steal_pointer (&task));
  g_object_set_data_full (G_OBJECT (inner), "identity", g_object_ref (identity), g_object_unref);
  g_task_set_task_data (inner, add_data_new (ADD_FROM_KEYS, NULL, NULL),
                        (GDestroyNotify) add_data_free);
  g_task_run_in_thread (inner, delete_identity_thread);
}

gboolean
rein_session_delete_identity_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rename_identity_thread (GTask *task, gpointer source, gpointer task_data,
                        GCancellable *cancellable)
{
  ReinSession *self = source;
  ReinIdentity *identity = g_object_get_data (G_OBJECT (task), "identity");
  g_autoptr (GError) error = NULL;

  if (!rein_store_rename_identity (self->store, identity, task_data, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
identity_renamed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  ReinSession *self = REIN_SESSION (source);
  ReinIdentity *renamed = g_object_get_data (G_OBJECT (result), "identity");
  const gchar *label = g_task_get_task_data (G_TASK (result));
  GListModel *list = G_LIST_MODEL (self->identities);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  /* the objects the views show, renamed in place ("label" notifies) */
  _rein_identity_set_label (renamed, label);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (ReinIdentity) identity = g_list_model_get_item (list, i);

      if (rein_identity_get_id (identity) == rein_identity_get_id (renamed))
        _rein_identity_set_label (identity, label);
    }
  if (self->active && rein_identity_get_id (self->active) == rein_identity_get_id (renamed))
    _rein_identity_set_label (self->active, label);
  g_task_return_boolean (outer, TRUE);
}

void
rein_session_rename_identity_async (ReinSession *self,
                                    ReinIdentity *identity,
                                    const gchar *label,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (label != NULL);

  g_task_set_source_tag (task, rein_session_rename_identity_async);
  inner = g_task_new (self, NULL, identity_renamed_cb, g_steal_pointer (&task));
  g_object_set_data_full (G_OBJECT (inner), "identity", g_object_ref (identity), g_object_unref);
  /* as the store keeps it */
  g_task_set_task_data (inner, g_strstrip (g_strdup (label)), g_free);
  g_task_run_in_thread (inner, rename_identity_thread);
}

gboolean
rein_session_rename_identity_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- servers ---- */

typedef struct
{
  ReinAddServerFlags flags;
  gint64 server_id;
  gint64 identity_id; /* the identity active when the request was made */
  gchar *url;
  ReinClient *client;
  GPtrArray *buckets; /* of ReinBucket, once granted */
  Snapshot *snap;
} AddServer;

static void
add_server_free (AddServer *a)
{
  g_free (a->url);
  g_clear_object (&a->client);
  g_clear_pointer (&a->buckets, g_ptr_array_unref);
  snapshot_free (a->snap);
  g_free (a);
}

/* A worker's step of a longer operation: @outer's task data is read and
 * filled by the worker, then @done continues on the UI thread. */
static void
run_step (ReinSession *self, GTask *outer, GTaskThreadFunc func, GAsyncReadyCallback done)
{
  g_autoptr (GTask) inner = g_task_new (self, g_task_get_cancellable (outer), done, outer);

  g_task_set_task_data (inner, g_task_get_task_data (outer), NULL);
  g_task_run_in_thread (inner, func);
}

/* The server's row, once listed (several identities share it). */
static gint64
find_listed_server (ReinStore *store, const gchar *url, GError **error)
{
  g_autoptr (GArray) ids = NULL;
  g_auto (GStrv) urls = rein_store_list_servers (store, &ids, error);

  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    if (g_strcmp0 (urls[i], url) == 0)
      return g_array_index (ids, gint64, i);
  return 0;
}

static void
store_buckets_thread (GTask *task, gpointer source, gpointer task_data,
                      GCancellable *cancellable)
{
  ReinSession *self = source;
  AddServer *a = task_data;
  g_autoptr (GError) error = NULL;

  /* a server new to the list is stored only now that it granted storage */
  if (a->server_id == 0)
    {
      a->server_id = find_listed_server (self->store, a->url, &error);
      if (a->server_id == 0 && error == NULL)
        a->server_id = rein_store_add_server (self->store, a->url, &error);
    }
  for (guint i = 0; i < a->buckets->len && error == NULL; i++)
    {
      ReinBucket *b = g_ptr_array_index (a->buckets, i);

      rein_store_set_bucket (self->store, a->server_id, a->identity_id, b->id, b->bytes_free,
                             b->created, &error);
    }
  snapshot_free (a->snap);
  a->snap = snapshot_take (self);
  if (error)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
buckets_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AddServer *a = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  snapshot_apply (REIN_SESSION (source), a->snap);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (a->buckets), (GDestroyNotify) g_ptr_array_unref);
}

static void
buckets_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinSession *self = g_task_get_source_object (task);
  AddServer *a = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  a->buckets = rein_client_request_buckets_finish (REIN_CLIENT (source), result, &error);
  if (a->buckets == NULL)
    {
      /* A server that never answered was not stored when so asked (see
       * add_server_thread()); else it stays in the list: it may come
       * back, and sync retries. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run_step (self, g_steal_pointer (&task), store_buckets_thread, buckets_stored_cb);
}

static void
add_server_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinSession *self = source;
  AddServer *a = task_data;
  g_autoptr (GError) error = NULL;

  a->server_id = find_listed_server (self->store, a->url, &error);
  /* Unless it is to be forgotten if it does not answer, a new server is
   * listed before it is asked; else only once it granted storage
   * (store_buckets_thread()), so a quit during the wait leaves nothing. */
  if (a->server_id == 0 && error == NULL
      && !((a->flags & REIN_ADD_SERVER_FORGET_UNANSWERED)
           && !(a->flags & REIN_ADD_SERVER_LIST_ONLY)))
    a->server_id = rein_store_add_server (self->store, a->url, &error);
  a->snap = snapshot_take (self);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
server_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinSession *self = REIN_SESSION (source);
  g_autoptr (GTask) task = user_data;
  AddServer *a = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  snapshot_apply (self, a->snap);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (a->flags & REIN_ADD_SERVER_LIST_ONLY)
    {
      g_task_return_pointer (task, g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  rein_client_set_timeout (a->client, 10);
  {
    ReinIdentity *identity = g_object_get_data (G_OBJECT (task), "identity");
    GCancellable *cancellable = g_task_get_cancellable (task);

    rein_client_request_buckets_async (a->client, rein_identity_get_master_address (identity),
                                       rein_identity_get_delegate_address (identity),
                                       rein_identity_get_contact (identity), cancellable,
                                       buckets_cb, g_steal_pointer (&task));
  }
}

void
rein_session_add_server_async (ReinSession *self,
                               const gchar *url,
                               ReinAddServerFlags flags,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  AddServer *a;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (url != NULL);

  g_task_set_source_tag (task, rein_session_add_server_async);
  a = g_new0 (AddServer, 1);
  a->flags = flags;
  a->url = rein_server_url_normalize (url);
  g_task_set_task_data (task, a, (GDestroyNotify) add_server_free);
  /* the servers are for the active identity, known once the store is read */
  if (!self->loaded)
    g_queue_push_tail (&self->waiting, g_steal_pointer (&task));
  else
    add_server_start (self, g_steal_pointer (&task));
}

/* Takes @task. */
static void
add_server_start (ReinSession *self, GTask *task)
{
  AddServer *a = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (self->active == NULL)
    {
      g_task_return_new_error (task, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               _("Create an identity first: servers give storage to identities"));
      g_object_unref (task);
      return;
    }
  a->identity_id = rein_identity_get_id (self->active);
  g_object_set_data_full (G_OBJECT (task), "identity", g_object_ref (self->active),
                          g_object_unref);
  a->client = rein_client_new (a->url, &error);
  if (a->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  run_step (self, task, add_server_thread, server_stored_cb);
}

GPtrArray *
rein_session_add_server_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  ReinServerInfo *server;
  Snapshot *snap; /* the store after the removal */
} RemoveServer;

static void
remove_server_free (RemoveServer *r)
{
  g_clear_object (&r->server);
  snapshot_free (r->snap);
  g_free (r);
}

static void
remove_server_thread (GTask *task, gpointer source, gpointer task_data,
                      GCancellable *cancellable)
{
  ReinSession *self = source;
  RemoveServer *r = task_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = rein_store_remove_server (self->store, rein_server_info_get_id (r->server),
                                          &error);

  r->snap = snapshot_take (self);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
server_removed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RemoveServer *r = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  /* even when cancelled: the worker may have removed it already */
  snapshot_apply (REIN_SESSION (source), r->snap);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
rein_session_remove_server_async (ReinSession *self,
                                  ReinServerInfo *server,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;
  RemoveServer *r;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (REIN_IS_SERVER_INFO (server));

  g_task_set_source_tag (task, rein_session_remove_server_async);
  inner = g_task_new (self, cancellable, server_removed_cb, g_steal_pointer (&task));
  r = g_new0 (RemoveServer, 1);
  r->server = g_object_ref (server);
  g_task_set_task_data (inner, r, (GDestroyNotify) remove_server_free);
  g_task_run_in_thread (inner, remove_server_thread);
}

gboolean
rein_session_remove_server_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- sync ---- */

static ReinServerInfo *
find_server (ReinSession *self, const gchar *url)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr (ReinServerInfo) s = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

      if (g_strcmp0 (s->url, url) == 0)
        return s;
    }
  return NULL;
}

static void
set_syncing (ReinSession *self, gboolean syncing, gdouble fraction)
{
  if (self->syncing != syncing)
    {
      self->syncing = syncing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
    }
  if (self->sync_fraction != fraction)
    {
      self->sync_fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_FRACTION]);
    }
}

static void
sync_progress_cb (ReinSync *sync, const gchar *url, guint done, guint total, ReinSession *self)
{
  ReinServerInfo *server = find_server (self, url);
  GHashTableIter iter;
  gpointer value;
  guint64 all_done = 0, all_total = 0;

  g_hash_table_insert (self->progress, g_strdup (url),
                       GUINT_TO_POINTER ((MIN (done, 0xffff) << 16) | MIN (total, 0xffff)));
  g_hash_table_iter_init (&iter, self->progress);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      all_done += GPOINTER_TO_UINT (value) >> 16;
      all_total += GPOINTER_TO_UINT (value) & 0xffff;
    }
  set_syncing (self, TRUE, all_total ? (gdouble) all_done / all_total : 0);
  if (server)
    {
      g_object_freeze_notify (G_OBJECT (server));
      server_info_set_progress (server, TRUE, done, total);
      g_object_thaw_notify (G_OBJECT (server));
    }
}

typedef struct
{
  GCancellable *caller; /* the caller's cancellable, which cancels the sync */
  gulong cancel_id;
  GPtrArray *results;
} SyncRun;

static void
sync_run_free (SyncRun *run)
{
  if (run->caller)
    g_cancellable_disconnect (run->caller, run->cancel_id);
  g_clear_object (&run->caller);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_free (run);
}

static void
cancel_sync_cb (GCancellable *caller, gpointer data)
{
  g_cancellable_cancel (data);
}

static void reload_then (ReinSession *self, GAsyncReadyCallback callback, gpointer user_data);

static void
sync_reloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (Snapshot) snap = g_task_propagate_pointer (G_TASK (result), NULL);

  snapshot_apply (REIN_SESSION (source), snap);
  g_task_return_pointer (task, g_ptr_array_ref (run->results),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
sync_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinSession *self = g_task_get_source_object (task);
  SyncRun *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = rein_sync_run_finish (REIN_SYNC (source), result, &error);
  const gchar *first_error = NULL;
  guint failed = 0;
  IdentitySync *record = NULL;

  g_signal_handlers_disconnect_by_func (source, sync_progress_cb, self);
  g_clear_object (&self->sync_cancellable);
  g_hash_table_remove_all (self->progress);
  set_syncing (self, FALSE, 0);

  if (results == NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      /* no row stays "syncing" */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (ReinServerInfo) s = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

          g_object_freeze_notify (G_OBJECT (s));
          server_info_set_progress (s, FALSE, 0, 0);
          if (!cancelled)
            server_info_set_error (s, REIN_SERVER_HEALTH_ERROR, error->message);
          g_object_thaw_notify (G_OBJECT (s));
        }
      if (!cancelled)
        g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, MAX (n, 1), error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < results->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (results, i);
      ReinServerInfo *server = find_server (self, r->url);

      if (r->error)
        {
          failed++;
          first_error = first_error ? first_error : r->error;
        }
      if (server == NULL)
        continue;
      g_object_freeze_notify (G_OBJECT (server));
      server_info_set_progress (server, FALSE, 0, 0);
      server->sync_failed = r->error != NULL;
      if (r->error)
        server_info_set_error (server,
                               r->unreachable ? REIN_SERVER_HEALTH_UNREACHABLE
                                              : REIN_SERVER_HEALTH_ERROR,
                               r->error);
      else
        {
          server_info_set_error (server, REIN_SERVER_HEALTH_OK, NULL);
          server_info_set_documents (server, (gint) MIN (r->total, G_MAXINT),
                                     (gint) MIN (r->total, G_MAXINT));
          /* what the store recorded comes with the reload below */
          SERVER_SET (server, last_sync, SERVER_PROP_LAST_SYNC,
                      g_get_real_time () / G_USEC_PER_SEC);
        }
      g_object_thaw_notify (G_OBJECT (server));
    }
  if (failed < results->len && self->active)
    {
      IdentitySync rec = { rein_identity_get_id (self->active),
                           g_get_real_time () / G_USEC_PER_SEC };

      record = g_memdup2 (&rec, sizeof rec);
      for (guint i = 0; self->identity_syncs && i < self->identity_syncs->len; i++)
        if (g_array_index (self->identity_syncs, IdentitySync, i).identity_id == rec.identity_id)
          g_array_index (self->identity_syncs, IdentitySync, i).when = rec.when;
      self->last_sync = rec.when;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
    }
  g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, failed, first_error);
  run->results = g_steal_pointer (&results);
  /* the times the sync engine recorded per server, and this identity's */
  reload_recording (self, record, sync_reloaded_cb, g_steal_pointer (&task));
}

void
rein_session_sync_async (ReinSession *self,
                         const ReinPrivateKey *delegate_key,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  SyncRun *run;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (delegate_key != NULL);

  g_task_set_source_tag (task, rein_session_sync_async);
  if (self->syncing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, _("A sync is running"));
      return;
    }
  if (self->active == NULL)
    {
      g_task_return_new_error (task, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               _("There is no identity to sync"));
      return;
    }
  run = g_new0 (SyncRun, 1);
  g_task_set_task_data (task, run, (GDestroyNotify) sync_run_free);
  self->sync_cancellable = g_cancellable_new ();
  if (cancellable)
    {
      run->caller = g_object_ref (cancellable);
      run->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_sync_cb),
                                              g_object_ref (self->sync_cancellable),
                                              g_object_unref);
    }
  set_syncing (self, TRUE, 0);
  g_signal_connect (self->sync, "progress", G_CALLBACK (sync_progress_cb), self);
  rein_sync_run_async (self->sync, self->active, delegate_key, self->sync_cancellable,
                       sync_done_cb, g_steal_pointer (&task));
}

GPtrArray *
rein_session_sync_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_session_sync (ReinSession *self, const ReinPrivateKey *delegate_key)
{
  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (delegate_key != NULL);

  if (self->syncing || self->active == NULL)
    return;
  /* the window hears of the end through "syncing" and "sync-finished" */
  rein_session_sync_async (self, delegate_key, NULL, NULL, NULL);
}

gboolean
rein_session_sync_unlocked (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), FALSE);

  if (self->key == NULL)
    return FALSE;
  rein_session_sync (self, self->key);
  return TRUE;
}

void
rein_session_cancel_sync (ReinSession *self)
{
  g_return_if_fail (REIN_IS_SESSION (self));

  if (self->sync_cancellable)
    g_cancellable_cancel (self->sync_cancellable);
}

/* ---- automatic sync ---- */

static gboolean
auto_sync_cb (gpointer data)
{
  ReinSession *self = data;

  if (self->syncing || self->active == NULL
      || g_list_model_get_n_items (G_LIST_MODEL (self->servers)) == 0)
    return G_SOURCE_CONTINUE;
  /* Publishing signs with the delegate key: without it, only a check. */
  if (!rein_session_sync_unlocked (self))
    {
      rein_session_check_servers (self);
      g_signal_emit (self, signals[SIGNAL_READ_DUE], 0);
    }
  return G_SOURCE_CONTINUE;
}

void
rein_session_set_auto_sync_interval (ReinSession *self, guint seconds)
{
  g_return_if_fail (REIN_IS_SESSION (self));

  seconds = MIN (seconds, G_MAXUINT / 1000);
  g_clear_handle_id (&self->auto_sync_source, g_source_remove);
  if (seconds > 0)
    self->auto_sync_source = g_timeout_add_seconds (seconds, auto_sync_cb, self);
  if (self->auto_sync_interval != seconds)
    {
      self->auto_sync_interval = seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_SYNC_INTERVAL]);
    }
}

guint
rein_session_get_auto_sync_interval (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), 0);
  return self->auto_sync_interval;
}

/* ---- health ---- */

typedef struct
{
  ReinServerInfo *server;
  gint64 identity_id; /* 0: no identity */
  gint64 started;
  gint64 latency;
  gint held, own;     /* -1 without an identity */
  gint64 last_sync;
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->server);
  g_free (check);
}

/* In a worker: the counts and time come from the store. */
static void
count_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinSession *self = source;
  Check *check = task_data;

  rein_store_get_server_sync (self->store, check->server->id, &check->last_sync, NULL);
  check->held = check->own = -1;
  if (check->identity_id != 0)
    {
      check->own = (gint) MIN (rein_store_count_own_documents (self->store, check->identity_id),
                               G_MAXINT);
      check->held = (gint) MIN (rein_store_count_placements (self->store, check->identity_id,
                                                             check->server->id),
                                G_MAXINT);
    }
  g_task_return_boolean (task, TRUE);
}

static void
checked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinServerInfo *server;
  Check *check = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* a sync that started meanwhile reports on its own */
  if (REIN_SESSION (source)->syncing)
    return;
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  server = check->server;
  g_object_freeze_notify (G_OBJECT (server));
  if (ok)
    {
      server_info_set_error (server, REIN_SERVER_HEALTH_OK, NULL);
      SERVER_SET (server, latency, SERVER_PROP_LATENCY,
                  (gint) MIN ((check->latency + 500) / 1000, G_MAXINT));
      SERVER_SET (server, last_sync, SERVER_PROP_LAST_SYNC, check->last_sync);
      server_info_set_documents (server, check->held, check->own);
    }
  else
    server_info_set_error (server, health_of_error (error), error->message);
  g_object_thaw_notify (G_OBJECT (server));
}

static void
status_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (rein_client_status_finish (REIN_CLIENT (source), result, &error))
    {
      check->latency = g_get_monotonic_time () - check->started;
      g_task_run_in_thread (task, count_thread);
    }
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
rein_session_check_servers (ReinSession *self)
{
  g_return_if_fail (REIN_IS_SESSION (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr (ReinServerInfo) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      g_autoptr (ReinClient) client = rein_client_new (server->url, NULL);
      GTask *task;
      Check *check;

      /* a sync in progress reports on its own */
      if (client == NULL || self->syncing)
        continue;
      rein_client_set_timeout (client, 10);
      check = g_new0 (Check, 1);
      check->server = g_object_ref (server);
      check->identity_id = self->active ? rein_identity_get_id (self->active) : 0;
      check->started = g_get_monotonic_time ();
      task = g_task_new (self, NULL, checked_cb, NULL);
      g_task_set_source_tag (task, rein_session_check_servers);
      g_task_set_task_data (task, check, (GDestroyNotify) check_free);
      rein_client_status_async (client, NULL, status_cb, task);
    }
}
