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

struct _ReinServerInfo
{
  GObject parent_instance;

  gint64 id;
  gchar *url;
  gchar *status;
  gboolean failed;
};

G_DEFINE_FINAL_TYPE (ReinServerInfo, rein_server_info, G_TYPE_OBJECT)

enum
{
  SERVER_PROP_0,
  SERVER_PROP_URL,
  SERVER_PROP_STATUS,
  SERVER_PROP_FAILED,
  SERVER_N_PROPS
};

static GParamSpec *server_props[SERVER_N_PROPS];

static void
rein_server_info_finalize (GObject *object)
{
  ReinServerInfo *self = (ReinServerInfo *) object;

  g_free (self->url);
  g_free (self->status);
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
    case SERVER_PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case SERVER_PROP_FAILED:
      g_value_set_boolean (value, self->failed);
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
  server_props[SERVER_PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  server_props[SERVER_PROP_FAILED] = g_param_spec_boolean ("failed", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, SERVER_N_PROPS, server_props);
}

static void
rein_server_info_init (ReinServerInfo *self)
{
}

static ReinServerInfo *
server_info_new (gint64 id, const gchar *url)
{
  ReinServerInfo *self = g_object_new (REIN_TYPE_SERVER_INFO, NULL);

  self->id = id;
  self->url = g_strdup (url);
  self->status = g_strdup (_("Not synced yet"));
  return self;
}

static void
server_info_set_status (ReinServerInfo *self, const gchar *status, gboolean failed)
{
  if (g_strcmp0 (self->status, status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (status);
      g_object_notify_by_pspec (G_OBJECT (self), server_props[SERVER_PROP_STATUS]);
    }
  if (self->failed != failed)
    {
      self->failed = failed;
      g_object_notify_by_pspec (G_OBJECT (self), server_props[SERVER_PROP_FAILED]);
    }
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

const gchar *
rein_server_info_get_status (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), NULL);
  return self->status;
}

gboolean
rein_server_info_get_failed (ReinServerInfo *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_INFO (self), FALSE);
  return self->failed;
}

/* ---- ReinSession ---- */

struct _ReinSession
{
  GObject parent_instance;

  ReinStore *store;
  GListStore *identities;
  ReinIdentity *active;
  GListStore *servers;

  ReinSync *sync;
  GCancellable *sync_cancellable;
  gboolean syncing;
  gdouble sync_fraction;
  GHashTable *progress; /* url -> done/total packed as two guint16 */
  gint64 last_sync;     /* monotonic-free wall clock, seconds; 0 never */
};

G_DEFINE_FINAL_TYPE (ReinSession, rein_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACTIVE_IDENTITY,
  PROP_SYNCING,
  PROP_SYNC_FRACTION,
  N_PROPS
};

enum
{
  SIGNAL_SYNC_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
rein_session_dispose (GObject *object)
{
  ReinSession *self = (ReinSession *) object;

  if (self->sync_cancellable)
    g_cancellable_cancel (self->sync_cancellable);
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
  object_class->get_property = rein_session_get_property;

  properties[PROP_ACTIVE_IDENTITY] =
    g_param_spec_object ("active-identity", NULL, NULL, REIN_TYPE_IDENTITY, flags);
  properties[PROP_SYNCING] = g_param_spec_boolean ("syncing", NULL, NULL, FALSE, flags);
  properties[PROP_SYNC_FRACTION] = g_param_spec_double ("sync-fraction", NULL, NULL, 0, 1, 0,
                                                        flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ReinSession::sync-finished:
   * @failed: how many servers failed
   * @first_error: (nullable): the first failure, for a toast
   */
  signals[SIGNAL_SYNC_FINISHED] = g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
rein_session_init (ReinSession *self)
{
  self->identities = g_list_store_new (REIN_TYPE_IDENTITY);
  self->servers = g_list_store_new (REIN_TYPE_SERVER_INFO);
  self->progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
reload_identities (ReinSession *self)
{
  g_autoptr (GListModel) list = rein_store_list_identities (self->store, NULL);
  g_autoptr (ReinIdentity) active = rein_store_get_active_identity (self->store, NULL);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  ReinIdentity *new_active = NULL;

  for (guint i = 0; list && i < g_list_model_get_n_items (list); i++)
    {
      ReinIdentity *id = g_list_model_get_item (list, i);

      if (active && rein_identity_get_id (id) == rein_identity_get_id (active))
        new_active = id;
      g_ptr_array_add (items, id);
    }
  g_list_store_splice (self->identities, 0, g_list_model_get_n_items (G_LIST_MODEL (
                         self->identities)), items->pdata, items->len);
  if (g_set_object (&self->active, new_active))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_IDENTITY]);
}

static void
reload_servers (ReinSession *self)
{
  g_autoptr (GArray) ids = NULL;
  g_auto (GStrv) urls = rein_store_list_servers (self->store, &ids, NULL);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; urls && urls[i]; i++)
    {
      ReinServerInfo *existing = NULL;

      /* keep the objects (and their status) of servers already listed */
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); j++)
        {
          g_autoptr (ReinServerInfo) s = g_list_model_get_item (G_LIST_MODEL (self->servers), j);

          if (s->id == g_array_index (ids, gint64, i))
            existing = g_object_ref (s);
        }
      g_ptr_array_add (items, existing ? existing
                                       : server_info_new (g_array_index (ids, gint64, i), urls[i]));
    }
  g_list_store_splice (self->servers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->servers)),
                       items->pdata, items->len);
}

ReinSession *
rein_session_new (ReinStore *store)
{
  ReinSession *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);

  self = g_object_new (REIN_TYPE_SESSION, NULL);
  self->store = g_object_ref (store);
  self->sync = rein_sync_new (store);
  reload_identities (self);
  reload_servers (self);
  return self;
}

ReinStore *
rein_session_get_store (ReinSession *self)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);
  return self->store;
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

void
rein_session_set_active_identity (ReinSession *self, ReinIdentity *identity)
{
  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));

  if (self->active && rein_identity_get_id (self->active) == rein_identity_get_id (identity))
    return;
  rein_store_set_active_identity (self->store, identity, NULL);
  g_set_object (&self->active, identity);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_IDENTITY]);
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

gchar *
rein_session_describe_last_sync (ReinSession *self)
{
  gint64 ago;

  g_return_val_if_fail (REIN_IS_SESSION (self), NULL);

  if (self->last_sync == 0)
    return g_strdup (_("Never synced"));
  ago = (g_get_real_time () / G_USEC_PER_SEC - self->last_sync) / 60;
  if (ago < 1)
    return g_strdup (_("Synced just now"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d minute ago",
                                       "Synced %d minutes ago", ago), (gint) ago);
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
  gchar *master_address, *delegate_wif, *signed_enrollment;
  GFile *file;
} AddData;

static gchar *
secure_strdup (const gchar *s)
{
  gchar *out;

  if (s == NULL)
    return NULL;
  out = gcry_malloc_secure (strlen (s) + 1);
  if (out == NULL)
    g_error ("Out of secure memory");
  strcpy (out, s);
  return out;
}

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
  d->password = secure_strdup (password);
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
      {
        g_autofree gchar *contents = NULL;
        gsize len = 0;
        g_autoptr (GFileInfo) info = g_file_query_info (d->file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
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
        if (!g_file_load_contents (d->file, cancellable, &contents, &len, NULL, &error))
          break;
        identity = rein_store_import_backup (self->store, contents, len, d->password, &error);
        rein_memwipe (contents, len);
        break;
      }
    }
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
  d->phrase = secure_strdup (phrase);
  d->passphrase = passphrase && *passphrase ? secure_strdup (passphrase) : NULL;
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
  d->delegate_wif = secure_strdup (delegate_wif);
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

ReinIdentity *
rein_session_add_identity_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  ReinIdentity *identity;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  identity = g_task_propagate_pointer (G_TASK (result), error);
  /* even when cancelled: the worker may have stored it already */
  reload_identities (self);
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

void
rein_session_unlock_async (ReinSession *self,
                           const gchar *password,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (password != NULL);

  g_task_set_source_tag (task, rein_session_unlock_async);
  if (self->active == NULL)
    {
      g_task_return_new_error (task, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               _("There is no identity to unlock"));
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "identity", g_object_ref (self->active),
                          g_object_unref);
  g_task_set_task_data (task, add_data_new (ADD_FROM_KEYS, NULL, password),
                        (GDestroyNotify) add_data_free);
  g_task_run_in_thread (task, unlock_thread);
}

ReinPrivateKey *
rein_session_unlock_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- servers ---- */

typedef struct
{
  gint64 server_id;
  gint64 identity_id; /* the identity active when the request was made */
  gchar *url;
  ReinClient *client;
} AddServer;

static void
add_server_free (AddServer *a)
{
  g_free (a->url);
  g_clear_object (&a->client);
  g_free (a);
}

static void
buckets_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinSession *self = g_task_get_source_object (task);
  AddServer *a = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) buckets = rein_client_request_buckets_finish (REIN_CLIENT (source),
                                                                       result, &error);
  gint64 free_bytes = 0;
  g_autofree gchar *size = NULL;

  if (buckets == NULL)
    {
      /* The server stays in the list: it may come back; sync retries. */
      reload_servers (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < buckets->len; i++)
    {
      ReinBucket *b = g_ptr_array_index (buckets, i);

      free_bytes += b->bytes_free;
      g_autoptr (GError) store_error = NULL;

      if (!rein_store_set_bucket (self->store, a->server_id, a->identity_id, b->id, b->bytes_free,
                                  b->created, &store_error))
        {
          reload_servers (self);
          g_task_return_error (task, g_steal_pointer (&store_error));
          return;
        }
    }
  reload_servers (self);
  size = g_format_size (free_bytes);
  g_task_return_pointer (task,
                         g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u bucket, %s free",
                                                       "%u buckets, %s free", buckets->len),
                                          buckets->len, size),
                         g_free);
}

void
rein_session_add_server_async (ReinSession *self,
                               const gchar *url,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *clean = NULL;
  AddServer *a;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (url != NULL);

  g_task_set_source_tag (task, rein_session_add_server_async);
  clean = g_strstrip (g_strdup (url));
  if (!g_str_has_suffix (clean, "/"))
    {
      gchar *with_slash = g_strconcat (clean, "/", NULL);

      g_free (clean);
      clean = with_slash;
    }
  if (self->active == NULL)
    {
      g_task_return_new_error (task, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               _("Create an identity first: servers give storage to identities"));
      return;
    }
  a = g_new0 (AddServer, 1);
  a->url = g_strdup (clean);
  a->identity_id = rein_identity_get_id (self->active);
  g_task_set_task_data (task, a, (GDestroyNotify) add_server_free);
  a->client = rein_client_new (clean, &error);
  if (a->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  a->server_id = rein_store_add_server (self->store, clean, &error);
  if (a->server_id == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rein_client_set_timeout (a->client, 10);
  rein_client_request_buckets_async (a->client, rein_identity_get_master_address (self->active),
                                     rein_identity_get_delegate_address (self->active),
                                     rein_identity_get_contact (self->active), cancellable,
                                     buckets_cb, g_steal_pointer (&task));
}

gchar *
rein_session_add_server_finish (ReinSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
rein_session_remove_server (ReinSession *self, ReinServerInfo *server, GError **error)
{
  g_return_val_if_fail (REIN_IS_SESSION (self), FALSE);
  g_return_val_if_fail (REIN_IS_SERVER_INFO (server), FALSE);

  if (!rein_store_remove_server (self->store, server->id, error))
    return FALSE;
  reload_servers (self);
  return TRUE;
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
      g_autofree gchar *status = g_strdup_printf (_("Syncing: %u of %u documents"), done, total);

      server_info_set_status (server, status, FALSE);
    }
}

static void
sync_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = rein_sync_run_finish (REIN_SYNC (source), result, &error);
  const gchar *first_error = NULL;
  guint failed = 0;

  g_signal_handlers_disconnect_by_func (source, sync_progress_cb, self);
  g_clear_object (&self->sync_cancellable);
  g_hash_table_remove_all (self->progress);
  set_syncing (self, FALSE, 0);

  if (results == NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

      /* no row keeps saying "Syncing" */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (ReinServerInfo) s = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

          server_info_set_status (s, error->message, !g_error_matches (error, G_IO_ERROR,
                                                                       G_IO_ERROR_CANCELLED));
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, MAX (n, 1), error->message);
      return;
    }
  for (guint i = 0; i < results->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (results, i);
      ReinServerInfo *server = find_server (self, r->url);
      g_autofree gchar *status = NULL;

      if (r->error)
        {
          failed++;
          first_error = first_error ? first_error : r->error;
          status = g_strdup (r->error);
        }
      else
        status = g_strdup_printf (_("Holds all %u of our documents (%u sent now)"), r->total,
                                  r->pushed);
      if (server)
        server_info_set_status (server, status, r->error != NULL);
    }
  self->last_sync = g_get_real_time () / G_USEC_PER_SEC;
  g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, failed, first_error);
}

void
rein_session_sync (ReinSession *self, const ReinPrivateKey *delegate_key)
{
  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (delegate_key != NULL);

  if (self->syncing || self->active == NULL)
    return;
  self->sync_cancellable = g_cancellable_new ();
  set_syncing (self, TRUE, 0);
  g_signal_connect (self->sync, "progress", G_CALLBACK (sync_progress_cb), self);
  rein_sync_run_async (self->sync, self->active, delegate_key, self->sync_cancellable,
                       sync_done_cb, g_object_ref (self));
}

void
rein_session_cancel_sync (ReinSession *self)
{
  g_return_if_fail (REIN_IS_SESSION (self));

  if (self->sync_cancellable)
    g_cancellable_cancel (self->sync_cancellable);
}

/* ---- health ---- */

typedef struct
{
  ReinSession *session;
  ReinServerInfo *server;
  gint64 started;
} Check;

static gchar *
describe_server (ReinSession *self, ReinServerInfo *server, gint64 latency_us)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree gchar *last_error = NULL;
  gint64 last_sync = 0;

  g_string_append_printf (text, _("Reachable · %d ms"), (gint) ((latency_us + 500) / 1000));
  rein_store_get_server_sync (self->store, server->id, &last_sync, &last_error);
  if (self->active != NULL)
    {
      guint own = rein_store_count_own_documents (self->store,
                                                  rein_identity_get_id (self->active));
      guint held = rein_store_count_placements (self->store, rein_identity_get_id (self->active),
                                                server->id);

      g_string_append (text, " · ");
      g_string_append_printf (text, _("holds %u of our %u documents"), held, own);
    }
  if (last_sync > 0)
    {
      g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (last_sync);
      g_autofree gchar *formatted = g_date_time_format (when, "%x %X");

      g_string_append (text, " · ");
      g_string_append_printf (text, _("last synced %s"), formatted);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
status_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Check *check = user_data;
  g_autoptr (GError) error = NULL;

  if (rein_client_status_finish (REIN_CLIENT (source), result, &error))
    {
      g_autofree gchar *text = describe_server (check->session, check->server,
                                                g_get_monotonic_time () - check->started);

      server_info_set_status (check->server, text, FALSE);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    server_info_set_status (check->server, error->message, TRUE);
  g_object_unref (check->session);
  g_object_unref (check->server);
  g_free (check);
}

void
rein_session_check_servers (ReinSession *self)
{
  g_return_if_fail (REIN_IS_SESSION (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->servers)); i++)
    {
      g_autoptr (ReinServerInfo) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      g_autoptr (ReinClient) client = rein_client_new (server->url, NULL);
      Check *check;

      /* a sync in progress reports on its own */
      if (client == NULL || self->syncing)
        continue;
      rein_client_set_timeout (client, 10);
      check = g_new0 (Check, 1);
      check->session = g_object_ref (self);
      check->server = g_object_ref (server);
      check->started = g_get_monotonic_time ();
      rein_client_status_async (client, NULL, status_cb, check);
    }
}
