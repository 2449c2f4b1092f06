/* rein-server.c: a Causeway-compatible microhosting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connections come in through a ReinServerDoor (rein-server-door.c), which
 * bounds them before libsoup reads them; one request per connection.
 *
 * Threads: libsoup and every read (/get, /query, /status) run on the main
 * context with a read-only SQLite connection. Writes (/put, /nonce,
 * /request) go to one writer thread with its own connection, which groups
 * whatever is queued into one transaction and one fsync. A put's signature
 * checks run first in GTask's thread pool. Requests that wait are paused
 * and answered from the main context. WAL lets reads run during writes.
 */

#include "config.h"

#include "rein-server.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "rein-bitcoin.h"
#include "rein-rate-limiter.h"
#include "rein-server-chain.h"
#include "rein-server-db.h"
#include "rein-server-door.h"
#include "rein-server-json.h"

/* At most this many queued writes share one commit. */
#define MAX_BATCH 256
#define MAX_PARAM 128
/* get_user's search_input: a SIN, an address, a name or a contact */
#define MAX_USER_SEARCH 256
#define MAX_CONTACT 256
/* Answers at least this large count against the answer memory budget. */
#define LARGE_ANSWER (64 * 1024)
/* On shutdown, how long answers still owed may take to be written. */
#define SHUTDOWN_GRACE_SECONDS 10

/* Bytes of large answers not yet written, shared with the messages that
 * hold them (they may outlive the server). Main context only. */
typedef struct
{
  gsize used;
} AnswerMemory;

/* One answer's part of it, released with its message. */
typedef struct
{
  AnswerMemory *memory; /* owned reference */
  gsize size;
} AnswerShare;

static void
answer_share_free (gpointer data)
{
  AnswerShare *share = data;

  g_assert (share->memory->used >= share->size);
  share->memory->used -= share->size;
  g_rc_box_release (share->memory);
  g_free (share);
}

typedef enum
{
  JOB_PUT,
  JOB_NONCE,
  JOB_REQUEST,
  JOB_GET,
  JOB_QUERY,
  JOB_QUIT,
} JobKind;

/* A write waiting for the writer thread, or (PostgreSQL) a read waiting for
 * a reader thread and a connection of the pool. */
typedef struct
{
  JobKind kind;
  ReinServer *server;      /* owned */
  SoupServerMessage *msg;  /* owned; paused */
  gulong finished_id;
  gulong disconnected_id;
  gboolean finished;       /* the connection went away; main thread only */

  /* request */
  gchar *key;
  gchar *value;
  gsize value_len;
  gchar *owner;
  gchar *nonce;
  gchar *signature;
  gchar *signature_address;
  gchar *delegate;
  gchar *contact;
  gchar *clear;
  gboolean testnet;

  /* checked in a worker thread */
  gboolean signature_ok;
  ReinServerEntry *entry;
  GError *entry_error;

  /* answer, built by the writer */
  guint status;
  gchar *body;

  /* reads: JOB_GET asks for key; JOB_QUERY for owner, testnet and these */
  gchar *name;             /* the query's name */
  gboolean known;          /* one this server answers */
  ReinServerQuery query;
  const gchar *param;      /* points into param_text or "" */
  gchar *param_text;
  gchar **ids;
  guint limit;
  guint offset;
  gint64 since;            /* ids above it only (0: all) */
  gint64 cursor;           /* what the answer says to pass as since next */
  gboolean user_search;    /* get_user: param is its search_input */
  GError *param_error;     /* its parameter is wrong: 400, once the account is checked */
  /* what the database answered: JOB_GET in value, JOB_QUERY in these */
  gboolean has_account;
  GPtrArray *values;
  GError *read_error;
} Job;

struct _ReinServer
{
  GObject parent_instance;

  gchar *database_path;
  SoupServer *soup;
  GMainContext *context;
  ReinServerDb *reader;   /* main thread */
  ReinServerDb *writer;   /* used by the writer thread only */
  /* PostgreSQL: reads run on these threads, each with a connection taken
   * from the pool (a round trip to the database must not stall the main
   * loop); NULL for SQLite, whose reads take microseconds. */
  GThreadPool *read_pool;
  GAsyncQueue *connections; /* of ReinServerDb, the pool */
  guint n_connections;
  GThread *writer_thread;
  GAsyncQueue *queue;     /* of Job */
  guint in_flight;
  guint answering;        /* answers handed to libsoup, not yet written */
  gboolean stopping;
  gboolean disconnected;  /* every connection closed: no message is usable */
  gboolean read_only;     /* a replica: no writer (rein_server_open()) */
  gint64 started_us;

  AnswerMemory *answers;
  gsize max_answer_memory;

  ReinRateLimiter *limiter;
  ReinServerDoor *door;
  gboolean log_requests;
  ReinServerChain *chain; /* the tip for "block_info", or NULL */
  guint port;
  gchar *uri;
};

G_DEFINE_FINAL_TYPE (ReinServer, rein_server, G_TYPE_OBJECT)

/* ---- answers ---- */

static gchar *
json_to_body (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
reply_body (SoupServerMessage *msg, guint status, gchar *body)
{
  soup_server_message_set_status (msg, status, rein_server_status_phrase (status));
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    body, strlen (body));
}

/* {"error": message}: the shape of put's and get's errors. */
static gchar *
error_body (const gchar *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return json_to_body (builder);
}

/* {"result": "error", "message": message}: the shape of query's and
 * request's errors. */
static gchar *
result_error_body (const gchar *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return json_to_body (builder);
}

static gchar *
json_write_raw (gchar *out, const gchar *raw)
{
  gsize len = strlen (raw);

  memcpy (out, raw, len);
  return out + len;
}

/* What a client is told of @error: its message, unless @error answers
 * 500 (a database error, or a foreign domain's): then "@what failed: "
 * and the message are logged, and the client gets REIN_SERVER_INTERNAL_ERROR_MESSAGE. */
static const gchar *
client_message (const GError *error, const gchar *what)
{
  if (rein_server_error_to_status (error) != 500)
    return error->message;
  g_warning ("%s failed: %s", what, error->message);
  return REIN_SERVER_INTERNAL_ERROR_MESSAGE;
}

static void
reply_error (SoupServerMessage *msg, guint status, const gchar *message)
{
  reply_body (msg, status, error_body (message));
}

static void
reply_result_error (SoupServerMessage *msg, guint status, const gchar *message)
{
  reply_body (msg, status, result_error_body (message));
}

/* ---- parameters ---- */

static gboolean
is_alnum_string (const gchar *text)
{
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

/* A query parameter: NULL when absent; sets @error when too long or not
 * UTF-8. */
static const gchar *
get_param (GHashTable *query,
           const gchar *name,
           gsize max_len,
           gboolean required,
           GError **error)
{
  const gchar *value = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  if (value == NULL)
    {
      if (required)
        g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                     "Missing parameter: %s", name);
      return NULL;
    }
  if (strlen (value) > max_len)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                   "Parameter too long: %s", name);
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                   "Parameter is not valid UTF-8: %s", name);
      return NULL;
    }
  if (required && *value == '\0')
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                   "Empty parameter: %s", name);
      return NULL;
    }
  return value;
}

static gboolean
parse_testnet_text (const gchar *text, gboolean *out_testnet)
{
  if (text == NULL || *text == '\0' || g_ascii_strcasecmp (text, "false") == 0
      || strcmp (text, "0") == 0)
    *out_testnet = FALSE;
  else if (g_ascii_strcasecmp (text, "true") == 0 || strcmp (text, "1") == 0)
    *out_testnet = TRUE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_count (const gchar *text, guint64 max, guint64 fallback, guint64 *out)
{
  guint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &value, NULL))
    return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
is_valid_address (const gchar *address)
{
  ReinNetwork network;
  ReinAddressType type;
  guint8 hash[20];

  return address != NULL
         && rein_address_validate (address, &network, &type, hash, NULL);
}

/* ---- jobs ---- */

static void
job_free (Job *job)
{
  if (job->msg != NULL && job->finished_id != 0)
    g_signal_handler_disconnect (job->msg, job->finished_id);
  if (job->msg != NULL && job->disconnected_id != 0)
    g_signal_handler_disconnect (job->msg, job->disconnected_id);
  g_clear_object (&job->msg);
  g_clear_object (&job->server);
  g_free (job->key);
  g_free (job->value);
  g_free (job->owner);
  g_free (job->nonce);
  g_free (job->signature);
  g_free (job->signature_address);
  g_free (job->delegate);
  g_free (job->contact);
  g_free (job->clear);
  g_clear_pointer (&job->entry, rein_server_entry_free);
  g_clear_error (&job->entry_error);
  g_free (job->body);
  g_free (job->name);
  g_free (job->param_text);
  g_strfreev (job->ids);
  g_clear_error (&job->param_error);
  g_clear_pointer (&job->values, g_ptr_array_unref);
  g_clear_error (&job->read_error);
  g_free (job);
}

static void
job_message_finished_cb (SoupServerMessage *msg, gpointer user_data)
{
  Job *job = user_data;

  job->finished = TRUE;
}

/* Pauses @msg until the job answers; notes when its connection goes. */
static void
job_watch_message (Job *job, SoupServerMessage *msg)
{
  job->msg = g_object_ref (msg);
  job->finished_id = g_signal_connect (msg, "finished",
                                       G_CALLBACK (job_message_finished_cb), job);
  job->disconnected_id = g_signal_connect (msg, "disconnected",
                                           G_CALLBACK (job_message_finished_cb), job);
  soup_server_message_pause (msg);
  job->server->in_flight++;
}

static Job *
job_new (ReinServer *self, JobKind kind, SoupServerMessage *msg)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->server = g_object_ref (self);
  if (msg != NULL)
    job_watch_message (job, msg);
  return job;
}

/* An answer was written, or its connection went: shutdown may go on. */
static void
answer_done_cb (SoupServerMessage *msg, gpointer user_data)
{
  ReinServer *self = user_data;

  if (g_object_get_data (G_OBJECT (msg), "rein-answering") == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), "rein-answering", NULL);
  g_assert (self->answering > 0);
  self->answering--;
}

static void read_reply (ReinServer *self, SoupServerMessage *msg, Job *job);
static void read_start (ReinServer *self, SoupServerMessage *msg, Job *job);

/* Main context: answer and forget. */
static gboolean
job_reply_cb (gpointer user_data)
{
  Job *job = user_data;
  ReinServer *self = job->server;

  /* After soup_server_disconnect() a paused message has no connection left
   * to unpause. */
  if (!job->finished && !self->disconnected)
    {
      if (job->kind == JOB_GET || job->kind == JOB_QUERY)
        read_reply (self, job->msg, job);
      else
        reply_body (job->msg, job->status, g_steal_pointer (&job->body));
      g_object_set_data (G_OBJECT (job->msg), "rein-answering", GUINT_TO_POINTER (1));
      self->answering++;
      g_signal_connect_object (job->msg, "finished", G_CALLBACK (answer_done_cb), self, 0);
      g_signal_connect_object (job->msg, "disconnected", G_CALLBACK (answer_done_cb), self, 0);
      soup_server_message_unpause (job->msg);
    }
  g_assert (self->in_flight > 0);
  self->in_flight--;
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
job_set_error (Job *job, const GError *error)
{
  job->status = rein_server_error_to_status (error);
  g_free (job->body);
  if (job->kind == JOB_REQUEST)
    job->body = result_error_body (client_message (error, "Write"));
  else
    job->body = error_body (client_message (error, "Write"));
}

static gboolean
run_put (ReinServerDb *db, Job *job, GError **error)
{
  ReinServerPut put = {
    .key = job->key,
    .owner = job->owner,
    .nonce = job->nonce,
    .signature_address = job->signature_address,
    .signature_ok = job->signature_ok,
    .entry = job->entry,
    .entry_error = job->entry_error,
    .testnet = job->testnet,
  };
  g_autoptr (JsonBuilder) builder = NULL;

  if (!rein_server_db_put (db, &put, error))
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, "success");
  json_builder_end_object (builder);
  job->status = 201;
  job->body = json_to_body (builder);
  return TRUE;
}

static gboolean
run_nonce (ReinServerDb *db, Job *job, GError **error)
{
  g_autofree gchar *nonce = rein_server_db_nonce (db, job->owner, job->clear, error);
  g_autoptr (JsonBuilder) builder = NULL;

  if (nonce == NULL)
    {
      /* The original answers an unknown owner with a bare 500. */
      if (g_error_matches (*error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_USER_NOT_FOUND))
        {
          job->status = 500;
          job->body = error_body ((*error)->message);
          g_clear_error (error);
          return TRUE;
        }
      return FALSE;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "nonce");
  json_builder_add_string_value (builder, nonce);
  json_builder_end_object (builder);
  job->status = 200;
  job->body = json_to_body (builder);
  return TRUE;
}

static gboolean
run_request (ReinServerDb *db, Job *job, GError **error)
{
  g_autoptr (GPtrArray) buckets = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  gboolean granted = FALSE;

  buckets = rein_server_db_request_bucket (db, job->owner, job->delegate, job->contact,
                                           &granted, error);
  if (buckets == NULL)
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, granted ? "success" : "error");
  if (!granted)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, "Maximum free buckets granted");
    }
  json_builder_set_member_name (builder, "buckets");
  json_builder_begin_array (builder);
  for (guint i = 0; i < buckets->len; i++)
    {
      ReinServerBucket *bucket = g_ptr_array_index (buckets, i);
      g_autofree gchar *bytes_free = g_strdup_printf ("%" G_GINT64_FORMAT, bucket->bytes_free);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, bucket->id);
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, bucket->created);
      json_builder_set_member_name (builder, "bytes_free");
      json_builder_add_string_value (builder, bytes_free);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  job->status = 200;
  job->body = json_to_body (builder);
  return TRUE;
}

static gboolean
run_job (ReinServerDb *db, Job *job, GError **error)
{
  switch (job->kind)
    {
    case JOB_PUT:
      return run_put (db, job, error);
    case JOB_NONCE:
      return run_nonce (db, job, error);
    case JOB_REQUEST:
      return run_request (db, job, error);
    case JOB_QUIT:
    default:
      g_assert_not_reached ();
    }
}

/* Writer thread: one transaction, one fsync, for everything queued. */
static void
run_batch (ReinServer *self, GPtrArray *batch)
{
  g_autoptr (GError) error = NULL;
  g_autofree gboolean *ok = g_new0 (gboolean, batch->len);

  if (rein_server_db_begin (self->writer, &error))
    {
      for (guint i = 0; i < batch->len; i++)
        {
          Job *job = g_ptr_array_index (batch, i);
          g_autoptr (GError) job_error = NULL;

          if (!rein_server_db_savepoint (self->writer, &job_error))
            {
              job_set_error (job, job_error);
              continue;
            }
          ok[i] = run_job (self->writer, job, &job_error);
          if (!ok[i])
            job_set_error (job, job_error);
          rein_server_db_release (self->writer, ok[i]);
        }
      if (!rein_server_db_commit (self->writer, &error))
        rein_server_db_rollback (self->writer);
    }

  for (guint i = 0; i < batch->len; i++)
    {
      Job *job = g_ptr_array_index (batch, i);

      if (error != NULL)
        job_set_error (job, error);
      g_main_context_invoke (self->context, job_reply_cb, job);
    }
}

static gpointer
writer_thread_func (gpointer user_data)
{
  ReinServer *self = user_data;
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  gboolean quit = FALSE;

  while (!quit)
    {
      Job *job = g_async_queue_pop (self->queue);

      do
        {
          if (job->kind == JOB_QUIT)
            {
              quit = TRUE;
              job_free (job);
            }
          else
            g_ptr_array_add (batch, job);
        }
      while (!quit && batch->len < MAX_BATCH
             && (job = g_async_queue_try_pop (self->queue)) != NULL);

      if (batch->len > 0)
        run_batch (self, batch);
      g_ptr_array_set_size (batch, 0);
    }
  return NULL;
}

static void
queue_job (ReinServer *self, Job *job)
{
  g_async_queue_push (self->queue, job);
}

/* ---- /put ---- */

static void
verify_put_thread (GTask *task,
                   gpointer source_object,
                   gpointer task_data,
                   GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr (GString) message = g_string_new (job->key);

  g_string_append_len (message, job->value, job->value_len);
  g_string_append (message, job->signature_address);
  g_string_append (message, job->nonce);
  job->signature_ok = rein_message_verify (job->signature_address, job->signature,
                                           message->str, message->len, NULL);
  job->entry = rein_server_entry_new (job->value, job->value_len, &job->entry_error);
  g_task_return_boolean (task, TRUE);
}

static void
verify_put_cb (GObject *source_object, GAsyncResult *result, gpointer user_data)
{
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);

  /* The task owns nothing: hand the job to the writer. */
  g_task_set_task_data (task, NULL, NULL);
  queue_job (job->server, job);
}

static const gchar *
get_string_member (JsonObject *object, const gchar *name, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                   "Missing or invalid field: %s", name);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_testnet_member (JsonObject *object, gboolean *out_testnet, GError **error)
{
  JsonNode *node = json_object_get_member (object, "testnet");

  *out_testnet = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_BOOLEAN)
        {
          *out_testnet = json_node_get_boolean (node);
          return TRUE;
        }
      if (type == G_TYPE_INT64)
        {
          gint64 value = json_node_get_int (node);

          if (value == 0 || value == 1)
            {
              *out_testnet = value == 1;
              return TRUE;
            }
        }
      if (type == G_TYPE_STRING
          && parse_testnet_text (json_node_get_string (node), out_testnet))
        return TRUE;
    }
  g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                       "Missing or invalid field: testnet");
  return FALSE;
}

/* Whether a JSON text holds a \u0000 escape (json-glib would cut the
 * string there). */
static gboolean
has_escaped_nul (const gchar *body, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    {
      if (body[i] != '\\')
        continue;
      if (body[i + 1] == 'u' && i + 5 < len && memcmp (body + i + 2, "0000", 4) == 0)
        return TRUE;
      i++; /* the escaped character */
    }
  return FALSE;
}

/* Validates the body of a put into @job. */
static gboolean
parse_put (Job *job, const gchar *body, gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *object;
  const gchar *key, *value, *nonce, *signature, *signature_address, *owner;

  if (len == 0)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID, "Empty body");
      return FALSE;
    }
  if (!g_utf8_validate (body, len, NULL) || memchr (body, '\0', len) != NULL)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                           "Body is not valid UTF-8 text");
      return FALSE;
    }
  if (has_escaped_nul (body, len))
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                           "Body holds an escaped NUL character");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, body, len, NULL))
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                           "JSON Decode failed");
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                           "Body is not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);

  if ((key = get_string_member (object, "key", error)) == NULL
      || (value = get_string_member (object, "value", error)) == NULL
      || (nonce = get_string_member (object, "nonce", error)) == NULL
      || (signature = get_string_member (object, "signature", error)) == NULL
      || (signature_address = get_string_member (object, "signature_address", error)) == NULL
      || (owner = get_string_member (object, "owner", error)) == NULL
      || !get_testnet_member (object, &job->testnet, error))
    return FALSE;

  if (*key == '\0' || strlen (key) > 64 || !is_alnum_string (key))
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                           "Invalid key: 1 to 64 letters and digits");
      return FALSE;
    }
  if (strlen (value) > 8192)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_TOO_LARGE,
                           "Value exceeds 8192 bytes");
      return FALSE;
    }
  if (*owner == '\0' || strlen (owner) > MAX_PARAM || strlen (nonce) > MAX_PARAM
      || strlen (signature) > MAX_PARAM || strlen (signature_address) > MAX_PARAM)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                           "Field too long or empty");
      return FALSE;
    }

  job->key = g_strdup (key);
  job->value = g_strdup (value);
  job->value_len = strlen (value);
  job->nonce = g_strdup (nonce);
  job->signature = g_strdup (signature);
  job->signature_address = g_strdup (signature_address);
  job->owner = g_strdup (owner);
  return TRUE;
}

static void
handle_put (ReinServer *self, SoupServerMessage *msg)
{
  GByteArray *body = g_object_get_data (G_OBJECT (msg), "rein-body");
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  Job *job;

  if (body == NULL || GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "rein-overflow")))
    {
      reply_error (msg, 413, "Request body too large");
      return;
    }

  job = job_new (self, JOB_PUT, NULL);
  if (!parse_put (job, (const gchar *) body->data, body->len, &error))
    {
      reply_error (msg, rein_server_error_to_status (error), error->message);
      job_free (job);
      return;
    }

  job_watch_message (job, msg);

  task = g_task_new (NULL, NULL, verify_put_cb, NULL);
  g_task_set_source_tag (task, handle_put);
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, verify_put_thread);
}

/* ---- /nonce, /request ---- */

static void
handle_nonce (ReinServer *self, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  const gchar *address, *clear;
  Job *job;

  if ((address = get_param (query, "address", MAX_PARAM, TRUE, &error)) == NULL
      || ((clear = get_param (query, "clear", MAX_PARAM, FALSE, &error)) == NULL
          && error != NULL))
    {
      reply_error (msg, 400, error->message);
      return;
    }

  job = job_new (self, JOB_NONCE, msg);
  job->owner = g_strdup (address);
  job->clear = g_strdup (clear);
  queue_job (self, job);
}

static void
handle_request (ReinServer *self, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  const gchar *owner, *delegate, *contact;
  Job *job;

  if ((owner = get_param (query, "owner", MAX_PARAM, TRUE, &error)) == NULL
      || (delegate = get_param (query, "delegate", MAX_PARAM, TRUE, &error)) == NULL
      || ((contact = get_param (query, "contact", MAX_CONTACT, FALSE, &error)) == NULL
          && error != NULL))
    {
      reply_result_error (msg, 400, error->message);
      return;
    }
  if (!is_valid_address (owner))
    {
      reply_result_error (msg, 400, "Invalid owner address");
      return;
    }
  if (!is_valid_address (delegate))
    {
      reply_result_error (msg, 400, "Invalid delegate address");
      return;
    }

  job = job_new (self, JOB_REQUEST, msg);
  job->owner = g_strdup (owner);
  job->delegate = g_strdup (delegate);
  job->contact = g_strdup (contact != NULL ? contact : "");
  queue_job (self, job);
}

/* ---- reads ---- */

static void
handle_get (ReinServer *self, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  const gchar *key;
  Job *job;

  key = get_param (query, "key", 64, TRUE, &error);
  if (key == NULL)
    {
      reply_error (msg, 400, error->message);
      return;
    }
  if (!is_alnum_string (key))
    {
      reply_error (msg, 404, "Key not found.");
      return;
    }

  job = job_new (self, JOB_GET, NULL);
  job->key = g_strdup (key);
  read_start (self, msg, job);
}

static void
reply_get (SoupServerMessage *msg, Job *job)
{
  gchar *body, *out;

  if (job->value == NULL)
    {
      reply_error (msg, rein_server_error_to_status (job->read_error),
                   client_message (job->read_error, "Get"));
      return;
    }

  /* The stored value is its JSON literal already. */
  out = body = g_malloc (rein_server_json_string_size (job->key) + strlen (job->value) + 32);
  out = json_write_raw (out, "{\"key\":");
  out = rein_server_json_string_write (out, job->key);
  out = json_write_raw (out, ",\"value\":");
  out = json_write_raw (out, job->value);
  *out++ = '}';
  *out = '\0';
  reply_body (msg, 200, body);
}

static gboolean
is_query_name (const gchar *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 32)
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* Splits "a,b,c" into lowercased ids; NULL with @error when too many. */
static GStrv
split_job_ids (const gchar *text, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", REIN_SERVER_MAX_JOB_IDS + 2);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint count = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree gchar *id = g_ascii_strdown (g_strstrip (parts[i]), -1);

      if (*id == '\0')
        continue;
      if (++count > REIN_SERVER_MAX_JOB_IDS)
        {
          g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                       "Too many job ids (at most %d)", REIN_SERVER_MAX_JOB_IDS);
          return NULL;
        }
      if (strlen (id) > 64)
        {
          g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                               "Job id too long");
          return NULL;
        }
      g_strv_builder_add (builder, id);
    }
  return g_strv_builder_end (builder);
}

/* "A,B,C" -> the addresses' key hashes; every address must be valid. */
static GStrv
split_addresses (const gchar *text, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", REIN_SERVER_MAX_JOB_IDS + 2);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint count = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gchar *address = g_strstrip (parts[i]);
      g_autofree gchar *hash = NULL;

      if (*address == '\0')
        continue;
      if (++count > REIN_SERVER_MAX_JOB_IDS)
        {
          g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                       "Too many addresses (at most %d)", REIN_SERVER_MAX_JOB_IDS);
          return NULL;
        }
      hash = rein_server_address_key_hash (address);
      if (hash == NULL)
        {
          g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_INVALID,
                               "Invalid address in addresses");
          return NULL;
        }
      g_strv_builder_add (builder, hash);
    }
  return g_strv_builder_end (builder);
}

/* Whether @size more bytes of answers may wait for their readers; if so,
 * they count until @msg is gone. */
static gboolean
answer_memory_take (ReinServer *self, SoupServerMessage *msg, gsize size)
{
  AnswerShare *share;

  if (size < LARGE_ANSWER)
    return TRUE;
  if (self->answers->used + size > self->max_answer_memory)
    return FALSE;
  share = g_new0 (AnswerShare, 1);
  share->memory = g_rc_box_acquire (self->answers);
  share->size = size;
  share->memory->used += size;
  g_object_set_data_full (G_OBJECT (msg), "rein-answer-share", share, answer_share_free);
  return TRUE;
}

/* @values are JSON string literals already (escaped once, on put).
 * @cursor (when not negative) is answered as "cursor", the `since` that goes
 * on after this answer (see src/server/README.md). */
static void
reply_query (ReinServer *self,
             SoupServerMessage *msg,
             const gchar *name,
             GPtrArray *values,
             gint64 cursor)
{
  static const gchar head[] = "{\"result\":\"success\",";
  static const gchar middle[] = "],\"block_info\":";
  const gchar *block_info = self->chain != NULL ? rein_server_chain_get_block_info (self->chain)
                                                : NULL;
  gchar cursor_field[48] = "";
  gsize size;
  gchar *body, *out;

  /* python-rein 0.3's post needs a block: the chain tip, when known. */
  if (block_info == NULL)
    block_info = "null";
  if (cursor >= 0)
    g_snprintf (cursor_field, sizeof cursor_field, "\"cursor\":\"%" G_GINT64_FORMAT "\",",
                cursor);
  size = sizeof head + strlen (cursor_field) + rein_server_json_string_size (name) + 2
         + sizeof middle + strlen (block_info) + 2;

  for (guint i = 0; values != NULL && i < values->len; i++)
    size += strlen (g_ptr_array_index (values, i)) + 1;
  /* Clients that do not read keep their answers here: bounded in all. */
  if (!answer_memory_take (self, msg, size))
    {
      reply_result_error (msg, 503, "Server busy: too many large answers are waiting to be "
                                    "read; try again later");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "5");
      return;
    }
  out = body = g_malloc (size);
  out = json_write_raw (out, head);
  out = json_write_raw (out, cursor_field);
  out = rein_server_json_string_write (out, name);
  *out++ = ':';
  *out++ = '[';
  for (guint i = 0; values != NULL && i < values->len; i++)
    {
      if (i > 0)
        *out++ = ',';
      out = json_write_raw (out, g_ptr_array_index (values, i));
    }
  out = json_write_raw (out, middle);
  out = json_write_raw (out, block_info);
  *out++ = '}';
  *out = '\0';
  g_assert ((gsize) (out - body) < size);
  reply_body (msg, 200, body);
}

static void
handle_query (ReinServer *self, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  const gchar *owner, *name, *testnet_text, *limit_text, *offset_text, *since_text;
  const gchar *param = NULL;
  g_auto (GStrv) job_ids = NULL;
  ReinServerQuery kind = REIN_SERVER_QUERY_MEDIATORS;
  gboolean known, testnet = FALSE;
  gboolean search_input = FALSE;
  guint64 limit, offset, since;
  Job *job;

  if ((owner = get_param (query, "owner", MAX_PARAM, TRUE, &error)) == NULL
      || (name = get_param (query, "query", MAX_PARAM, TRUE, &error)) == NULL
      || ((testnet_text = get_param (query, "testnet", MAX_PARAM, FALSE, &error)) == NULL
          && error != NULL)
      || ((limit_text = get_param (query, "limit", MAX_PARAM, FALSE, &error)) == NULL
          && error != NULL)
      || ((offset_text = get_param (query, "offset", MAX_PARAM, FALSE, &error)) == NULL
          && error != NULL)
      || ((since_text = get_param (query, "since", MAX_PARAM, FALSE, &error)) == NULL
          && error != NULL))
    {
      reply_result_error (msg, 400, error->message);
      return;
    }
  if (!parse_testnet_text (testnet_text, &testnet))
    {
      reply_result_error (msg, 400, "Invalid testnet: use 1, 0, True or False");
      return;
    }
  if (!parse_count (limit_text, REIN_SERVER_MAX_LIMIT, REIN_SERVER_DEFAULT_LIMIT, &limit)
      || limit == 0)
    {
      reply_result_error (msg, 400, "Invalid limit: 1 to 1000");
      return;
    }
  if (!parse_count (offset_text, G_MAXINT32, 0, &offset))
    {
      reply_result_error (msg, 400, "Invalid offset");
      return;
    }
  if (!parse_count (since_text, G_MAXINT64, 0, &since))
    {
      reply_result_error (msg, 400, "Invalid since: a cursor this server answered");
      return;
    }
  known = rein_server_query_from_name (name, &kind);
  /* python-rein 0.3's get_user: by SIN, master or delegate address, name
   * or contact, as the original searches (rein_server_db_find_user()).
   * Without a search_input it finds nothing. */
  if (!known && strcmp (name, "get_user") == 0)
    {
      const gchar *search = g_hash_table_lookup (query, "search_input");

      if (search != NULL && *search != '\0')
        {
          known = TRUE;
          kind = REIN_SERVER_QUERY_ENROLLMENTS;
          search_input = TRUE;
        }
    }
  if (!known && !is_query_name (name))
    {
      reply_result_error (msg, 400, "Unknown query");
      return;
    }

  /* The query's own parameter; a wrong one is answered once the account
   * is checked, as before. */
  if (known)
    {
      switch (kind)
        {
        case REIN_SERVER_QUERY_DELIVERIES:
          param = get_param (query, "job_creator", 130, TRUE, &error);
          break;
        case REIN_SERVER_QUERY_IN_PROCESS:
          param = get_param (query, "worker", 130, TRUE, &error);
          break;
        case REIN_SERVER_QUERY_REVIEW:
          param = get_param (query, "mediator", 130, TRUE, &error);
          break;
        case REIN_SERVER_QUERY_BY_JOB_ID:
        case REIN_SERVER_QUERY_DISPUTE:
          param = get_param (query, "job_ids", REIN_SERVER_MAX_URI, TRUE, &error);
          if (param != NULL)
            job_ids = split_job_ids (param, &error);
          if (job_ids == NULL)
            param = NULL;
          break;
        case REIN_SERVER_QUERY_ENROLLMENTS:
          if (search_input)
            {
              param = get_param (query, "search_input", MAX_USER_SEARCH, TRUE, &error);
              break;
            }
          param = get_param (query, "addresses", REIN_SERVER_MAX_URI, TRUE, &error);
          if (param != NULL)
            job_ids = split_addresses (param, &error);
          if (job_ids == NULL)
            param = NULL;
          break;
        case REIN_SERVER_QUERY_RATINGS_OF:
        case REIN_SERVER_QUERY_RATINGS_BY:
          /* python-rein 0.3: the ratings of "dest", else those by
           * "source" (SINs); given both, those of "dest". */
          kind = REIN_SERVER_QUERY_RATINGS_OF;
          param = get_param (query, "dest", 64, FALSE, &error);
          if (param == NULL && error == NULL)
            {
              kind = REIN_SERVER_QUERY_RATINGS_BY;
              param = get_param (query, "source", 64, FALSE, &error);
            }
          /* Neither: nothing (the original answers ["error"]). */
          if (param == NULL && error == NULL)
            {
              known = FALSE;
              param = "";
            }
          break;
        case REIN_SERVER_QUERY_MEDIATORS:
        case REIN_SERVER_QUERY_JOBS:
        case REIN_SERVER_QUERY_BIDS:
        case REIN_SERVER_QUERY_JOB_DOCUMENTS:
        default:
          param = "";
          break;
        }
    }

  job = job_new (self, JOB_QUERY, NULL);
  job->owner = g_strdup (owner);
  job->name = g_strdup (name);
  job->known = known;
  job->user_search = search_input;
  job->query = kind;
  job->testnet = testnet;
  job->limit = (guint) limit;
  job->offset = (guint) offset;
  job->since = (gint64) since;
  job->ids = g_steal_pointer (&job_ids);
  job->param_text = g_strdup (param);
  job->param = job->param_text != NULL ? job->param_text : "";
  if (known && param == NULL)
    job->param_error = g_steal_pointer (&error);
  read_start (self, msg, job);
}

static void
reply_query_job (ReinServer *self, SoupServerMessage *msg, Job *job)
{
  if (!job->has_account)
    {
      if (job->read_error != NULL)
        reply_result_error (msg, rein_server_error_to_status (job->read_error),
                            client_message (job->read_error, "Query"));
      else
        reply_result_error (msg, 403, "Account required to make queries");
      return;
    }
  /* Queries this server does not know (newer clients' ratings, say) find
   * nothing, as they would on a server without such documents. */
  if (!job->known)
    {
      reply_query (self, msg, job->name, NULL, -1);
      return;
    }
  if (job->param_error != NULL)
    {
      reply_result_error (msg, 400, job->param_error->message);
      return;
    }
  if (job->values == NULL)
    {
      g_warning ("Query failed: %s", job->read_error->message);
      reply_result_error (msg, 500, REIN_SERVER_INTERNAL_ERROR_MESSAGE);
      return;
    }
  reply_query (self, msg, job->name, job->values, job->cursor);
}

/* ---- reads: where they run ---- */

/* The database part of a read, on @db. */
static void
read_run (ReinServerDb *db, Job *job)
{
  if (job->kind == JOB_GET)
    {
      job->value = rein_server_db_get (db, job->key, &job->read_error);
      return;
    }
  job->has_account = rein_server_db_has_account (db, job->owner, &job->read_error);
  if (!job->has_account || !job->known || job->param_error != NULL)
    return;
  if (job->user_search)
    {
      /* at most REIN_SERVER_USER_LIMIT, no paging, as the original */
      job->cursor = -1;
      job->values = rein_server_db_find_user (db, job->testnet, job->param,
                                              MIN (job->limit, REIN_SERVER_USER_LIMIT),
                                              &job->read_error);
      return;
    }
  job->values = rein_server_db_query (db, job->query, job->testnet, job->param,
                                      (const gchar *const *) job->ids,
                                      job->limit, job->offset, job->since, &job->cursor,
                                      &job->read_error);
}

/* Writes the answer of a read that has run. */
static void
read_reply (ReinServer *self, SoupServerMessage *msg, Job *job)
{
  if (job->kind == JOB_GET)
    reply_get (msg, job);
  else
    reply_query_job (self, msg, job);
}

/* A reader thread: a connection from the pool, the read, the answer on the
 * main thread. */
static void
read_thread_func (gpointer data, gpointer user_data)
{
  Job *job = data;
  ReinServer *self = job->server;
  ReinServerDb *db = g_async_queue_pop (self->connections);

  read_run (db, job);
  g_async_queue_push (self->connections, db);
  g_main_context_invoke (self->context, job_reply_cb, job);
}

/* SQLite: at once, on the main thread. PostgreSQL: paused, on a reader
 * thread. */
static void
read_start (ReinServer *self, SoupServerMessage *msg, Job *job)
{
  if (self->read_pool == NULL)
    {
      read_run (self->reader, job);
      read_reply (self, msg, job);
      job_free (job);
      return;
    }
  job_watch_message (job, msg);
  g_thread_pool_push (self->read_pool, job, NULL);
}

static void
handle_status (ReinServer *self, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFile) parent = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autofree gchar *uptime = NULL;
  g_autofree gchar *stored = NULL;
  g_autofree gchar *free_bytes = NULL;
  gint64 count;

  count = rein_server_db_count_keys (self->reader, NULL);
  /* The free space of a PostgreSQL server's disk is not ours to see: "0". */
  if (!rein_server_db_is_uri (self->database_path))
    {
      file = g_file_new_for_path (self->database_path);
      parent = g_file_get_parent (file);
      info = g_file_query_filesystem_info (parent != NULL ? parent : file,
                                           G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
    }
  uptime = g_strdup_printf ("%" G_GINT64_FORMAT,
                            (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC);
  stored = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (count, 0));
  free_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                info != NULL
                                ? g_file_info_get_attribute_uint64 (info,
                                                                    G_FILE_ATTRIBUTE_FILESYSTEM_FREE)
                                : 0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uptime");
  json_builder_add_string_value (builder, uptime);
  json_builder_set_member_name (builder, "stored");
  json_builder_add_string_value (builder, stored);
  json_builder_set_member_name (builder, "free");
  json_builder_add_string_value (builder, free_bytes);
  json_builder_set_member_name (builder, "price");
  json_builder_add_string_value (builder, "0");
  json_builder_end_object (builder);
  reply_body (msg, 200, json_to_body (builder));
}

static void
add_price (JsonBuilder *builder, const gchar *rpc, const gchar *unit_name, const gchar *description)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rpc");
  if (rpc != NULL)
    json_builder_add_string_value (builder, rpc);
  else
    json_builder_add_boolean_value (builder, TRUE); /* TRUE: the default price */
  json_builder_set_member_name (builder, "per-req");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, unit_name);
  json_builder_add_int_value (builder, 0);
  if (description != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, description);
    }
  json_builder_end_object (builder);
}

static void
handle_help (ReinServer *self, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "causeway/1.rein-server-" PACKAGE_VERSION);
  json_builder_set_member_name (builder, "pricing-type");
  json_builder_add_string_value (builder, "per-mb");
  json_builder_set_member_name (builder, "pricing");
  json_builder_begin_array (builder);
  add_price (builder, "request", "per-unit",
             "1 MB hosting, free: up to 4 buckets per owner");
  add_price (builder, "get", "per-mb", NULL);
  add_price (builder, "put", "per-mb", NULL);
  add_price (builder, NULL, "per-mb", NULL);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder,
                                 "This Causeway server provides microhosting services "
                                 "for signed Rein documents.");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  reply_body (msg, 200, json_to_body (builder));
}

/* ---- dispatch ---- */

static void
got_chunk_cb (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  GByteArray *body = g_object_get_data (G_OBJECT (msg), "rein-body");
  gsize size;
  gconstpointer data = g_bytes_get_data (chunk, &size);

  if (body == NULL)
    return;
  if (body->len + size > REIN_SERVER_MAX_BODY)
    {
      /* Keep reading (and dropping) the rest; answer 413 at the end. */
      g_object_set_data (G_OBJECT (msg), "rein-overflow", GUINT_TO_POINTER (1));
      g_byte_array_set_size (body, 0);
      return;
    }
  if (!GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "rein-overflow")))
    g_byte_array_append (body, data, size);
}

/* The body a request announces: its length, -1 for a body of unknown
 * length (chunked), 0 for none; FALSE when the framing is not a plain
 * number. */
static gboolean
announced_body (SoupServerMessage *msg, gint64 *out_length)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *length = soup_message_headers_get_list (headers, "Content-Length");
  guint64 value;

  *out_length = 0;
  if (soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
    {
      *out_length = -1;
      return TRUE;
    }
  if (length == NULL)
    return TRUE;
  /* Digits only (no sign, space or list), and a length a file could have. */
  if (!g_ascii_string_to_unsigned (length, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out_length = (gint64) value;
  return TRUE;
}

/* Runs once the headers are read, before the body: limits first. */
static void
early_handler (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  ReinServer *self = user_data;
  const gchar *client = soup_server_message_get_remote_host (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *raw_query = g_uri_get_query (uri);
  const gchar *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gint64 length;

  if (client == NULL)
    client = "";
  /* One request per connection: libsoup 3.2 leaves connections it did not
   * accept itself open after the client closes them (CLOSE-WAIT) when they
   * are kept alive, so say so and close after each answer. */
  soup_message_headers_replace (headers, "Connection", "close");

  if (self->stopping)
    {
      reply_error (msg, 503, "Server is shutting down");
      soup_message_headers_replace (headers, "Connection", "close");
      return;
    }
  if (self->limiter != NULL
      && !rein_rate_limiter_take (self->limiter, client, g_get_monotonic_time ()))
    {
      reply_error (msg, 429, "Too many requests");
      soup_message_headers_replace (headers, "Retry-After", "1");
      return;
    }
  if (strlen (path) + (raw_query != NULL ? strlen (raw_query) : 0) > REIN_SERVER_MAX_URI)
    {
      reply_error (msg, 414, "Request URI too long");
      soup_message_headers_replace (headers, "Connection", "close");
      return;
    }

  /* Bodies are refused before they are read, unless they are a put's. */
  if (!announced_body (msg, &length))
    {
      rein_server_door_reject_message (self->door, msg, 400, "Invalid Content-Length");
      return;
    }
  if (strcmp (path, "/put") != 0 || strcmp (method, SOUP_METHOD_POST) != 0)
    {
      if (length == 0)
        return;
      if (strcmp (path, "/put") == 0)
        rein_server_door_reject_message (self->door, msg, 405, "Use POST");
      else if (strcmp (method, SOUP_METHOD_GET) != 0 && strcmp (method, SOUP_METHOD_HEAD) != 0)
        rein_server_door_reject_message (self->door, msg, 405, "Use GET");
      else
        rein_server_door_reject_message (self->door, msg, 413, "This request takes no body");
      return;
    }

  /* Our own bounded accumulation instead of libsoup's unbounded one. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  if (length < 0)
    {
      rein_server_door_reject_message (self->door, msg, 411, "Send the body with a Content-Length");
      return;
    }
  if (length > REIN_SERVER_MAX_BODY)
    {
      /* Answer now rather than wait for a body we would drop. */
      rein_server_door_reject_message (self->door, msg, 413, "Request body too large");
      return;
    }
  g_object_set_data_full (G_OBJECT (msg), "rein-body", g_byte_array_new (),
                          (GDestroyNotify) g_byte_array_unref);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
}

/* ---- a replica ---- */

static gboolean
is_write_path (const gchar *path)
{
  return strcmp (path, "/put") == 0 || strcmp (path, "/nonce") == 0
         || strcmp (path, "/request") == 0;
}

/* In each call's own form of error: /request answers "result", the others
 * "error". No Retry-After: asking again here will not help. */
static void
reply_read_only (SoupServerMessage *msg, const gchar *path)
{
  g_autofree gchar *message =
    g_strdup_printf ("This server is a read-only replica: it answers /get, /query and "
                     "/status; send %s to the primary server", path);

  if (strcmp (path, "/request") == 0)
    reply_result_error (msg, 503, message);
  else
    reply_error (msg, 503, message);
}

gboolean
rein_server_get_read_only (ReinServer *self)
{
  g_return_val_if_fail (REIN_IS_SERVER (self), FALSE);
  return self->read_only;
}

static void
handler (SoupServer *server,
         SoupServerMessage *msg,
         const char *path,
         GHashTable *query,
         gpointer user_data)
{
  ReinServer *self = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  gboolean get = strcmp (method, SOUP_METHOD_GET) == 0 || strcmp (method, SOUP_METHOD_HEAD) == 0;

  if (self->read_only && is_write_path (path))
    {
      reply_read_only (msg, path);
      return;
    }
  if (strcmp (path, "/put") == 0)
    {
      if (strcmp (method, SOUP_METHOD_POST) != 0)
        reply_error (msg, 405, "Use POST");
      else
        handle_put (self, msg);
      return;
    }

  if (!get)
    {
      reply_error (msg, 405, "Use GET");
      return;
    }
  if (strcmp (path, "/get") == 0)
    handle_get (self, msg, query);
  else if (strcmp (path, "/query") == 0)
    handle_query (self, msg, query);
  else if (strcmp (path, "/nonce") == 0)
    handle_nonce (self, msg, query);
  else if (strcmp (path, "/request") == 0)
    handle_request (self, msg, query);
  else if (strcmp (path, "/status") == 0)
    handle_status (self, msg);
  else if (strcmp (path, "/") == 0 || strcmp (path, "/help") == 0)
    handle_help (self, msg);
  else
    reply_error (msg, 404, "Not found");
}

static void
request_read_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  ReinServer *self = user_data;

  if (self->door != NULL)
    rein_server_door_request_read (self->door, msg);
}

static void
request_finished_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  GUri *uri = soup_server_message_get_uri (msg);

  g_message ("%s %s %s %u",
             soup_server_message_get_remote_host (msg),
             soup_server_message_get_method (msg),
             uri != NULL ? g_uri_get_path (uri) : "-",
             soup_server_message_get_status (msg));
}

/* ---- object ---- */

static void
rein_server_dispose (GObject *object)
{
  ReinServer *self = REIN_SERVER (object);

  rein_server_shutdown (self);
  G_OBJECT_CLASS (rein_server_parent_class)->dispose (object);
}

static void
rein_server_finalize (GObject *object)
{
  ReinServer *self = REIN_SERVER (object);
  g_clear_object (&self->door);
  g_clear_pointer (&self->limiter, rein_rate_limiter_free);
  g_clear_pointer (&self->chain, rein_server_chain_free);
  g_clear_pointer (&self->answers, g_rc_box_release);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->database_path);
  g_free (self->uri);
  G_OBJECT_CLASS (rein_server_parent_class)->finalize (object);
}

static void
rein_server_class_init (ReinServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);


  object_class->dispose = rein_server_dispose;
  object_class->finalize = rein_server_finalize;
}

static void
rein_server_init (ReinServer *self)
{
  self->queue = g_async_queue_new ();
  self->context = g_main_context_ref_thread_default ();
  self->limiter = rein_rate_limiter_new (REIN_SERVER_DEFAULT_RATE, REIN_SERVER_DEFAULT_RATE);
  self->started_us = g_get_monotonic_time ();
  self->answers = g_rc_box_new0 (AnswerMemory);
  self->max_answer_memory = REIN_SERVER_DEFAULT_MAX_ANSWER_MEMORY;
}

ReinServer *
rein_server_new (const gchar *database_path, GError **error)
{
  return rein_server_new_full (database_path, TRUE, error);
}

ReinServer *
rein_server_new_full (const gchar *database_path, gboolean check_integrity, GError **error)
{
  return rein_server_open (database_path,
                           check_integrity ? REIN_SERVER_OPEN_CHECK_INTEGRITY
                                           : REIN_SERVER_OPEN_NONE,
                           error);
}

ReinServer *
rein_server_open (const gchar *database_path, ReinServerOpenFlags flags, GError **error)
{
  g_autoptr (ReinServer) self = NULL;

  g_return_val_if_fail (database_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (REIN_TYPE_SERVER, NULL);
  self->database_path = g_strdup (database_path);
  self->read_only = (flags & REIN_SERVER_OPEN_READ_ONLY) != 0;

  /* A PostgreSQL standby (or a read-only role) cannot take the writer's
   * migration lock: ask first, on the connection that becomes the
   * reader. */
  if (!self->read_only && rein_server_db_is_uri (database_path))
    {
      g_autoptr (GError) probe_error = NULL;

      self->reader = rein_server_db_open (database_path, FALSE, error);
      if (self->reader == NULL)
        return NULL;
      if (rein_server_db_is_read_only (self->reader, &probe_error))
        {
          g_autofree gchar *name = rein_server_db_display_name (database_path);

          g_message ("%s only reads (a standby, or a read-only role): serving /get, /query "
                     "and /status only", name);
          self->read_only = TRUE;
        }
      else if (probe_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&probe_error));
          return NULL;
        }
    }

  /* The writer before the reader: it creates the schema the reader
   * expects. A replica has none: its schema comes from the primary. */
  if (!self->read_only)
    {
      self->writer = rein_server_db_open (database_path, TRUE, error);
      if (self->writer == NULL)
        return NULL;
    }
  if (self->reader == NULL)
    self->reader = rein_server_db_open (database_path, FALSE, error);
  if (self->reader == NULL)
    return NULL;
  /* Damaged pages would otherwise show only as 500s for the rows on them;
   * a replica checks at least that the schema is there, and ours. */
  if (((flags & REIN_SERVER_OPEN_CHECK_INTEGRITY)
       || (self->read_only && rein_server_db_is_uri (database_path)))
      && !rein_server_db_quick_check (self->reader, error))
    {
      g_autofree gchar *name = rein_server_db_display_name (database_path);

      g_prefix_error (error, "%s is damaged: ", name);
      g_clear_pointer (&self->writer, rein_server_db_close);
      return NULL;
    }

  if (!self->read_only)
    self->writer_thread = g_thread_new ("rein-server-writer", writer_thread_func, self);

  self->soup = soup_server_new ("server-header", "causeway/1 rein-server/" PACKAGE_VERSION " ",
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler, self, NULL);
  g_signal_connect (self->soup, "request-read", G_CALLBACK (request_read_cb), self);
  self->door = rein_server_door_new (self->soup);
  rein_server_door_set_max_connections (self->door, REIN_SERVER_DEFAULT_MAX_CONNECTIONS);
  rein_server_door_set_rate_limit (self->door, REIN_SERVER_DEFAULT_RATE);

  return g_steal_pointer (&self);
}

void
rein_server_set_rate_limit (ReinServer *self, guint requests_per_second)
{
  g_return_if_fail (REIN_IS_SERVER (self));

  g_clear_pointer (&self->limiter, rein_rate_limiter_free);
  if (requests_per_second > 0)
    self->limiter = rein_rate_limiter_new (requests_per_second, requests_per_second);
  /* New connections too: a client that opens many and is slow to send its
   * requests is bounded before libsoup sees them. */
  rein_server_door_set_rate_limit (self->door, requests_per_second);
}

void
rein_server_set_max_total_connections (ReinServer *self, guint max_total)
{
  g_return_if_fail (REIN_IS_SERVER (self));
  rein_server_door_set_max_total (self->door, max_total);
}

guint
rein_server_get_max_total_connections (ReinServer *self)
{
  g_return_val_if_fail (REIN_IS_SERVER (self), 0);
  return rein_server_door_get_max_total (self->door);
}

void
rein_server_set_timeouts (ReinServer *self, guint request_timeout, guint idle_timeout)
{
  g_return_if_fail (REIN_IS_SERVER (self));
  rein_server_door_set_timeouts (self->door, request_timeout, idle_timeout);
}

void
rein_server_set_max_answer_memory (ReinServer *self, gsize bytes)
{
  g_return_if_fail (REIN_IS_SERVER (self));
  self->max_answer_memory = bytes;
}

gboolean
rein_server_set_database_connections (ReinServer *self, guint n, GError **error)
{
  g_return_val_if_fail (REIN_IS_SERVER (self), FALSE);
  g_return_val_if_fail (n >= 1 && n <= REIN_SERVER_MAX_DATABASE_CONNECTIONS, FALSE);

  if (!rein_server_db_is_uri (self->database_path))
    return TRUE;
  if (self->connections == NULL)
    self->connections = g_async_queue_new ();
  /* More: open them. Fewer: the pool only grows (set it before
   * rein_server_listen(), which opens the default otherwise). */
  while (self->n_connections < n)
    {
      ReinServerDb *db = rein_server_db_open (self->database_path, FALSE, error);

      if (db == NULL)
        return FALSE;
      g_async_queue_push (self->connections, db);
      self->n_connections++;
    }
  if (self->read_pool == NULL)
    {
      self->read_pool = g_thread_pool_new (read_thread_func, NULL, (gint) n, FALSE, error);
      if (self->read_pool == NULL)
        return FALSE;
    }
  else if (!g_thread_pool_set_max_threads (self->read_pool, (gint) self->n_connections, error))
    return FALSE;
  return TRUE;
}

void
rein_server_set_max_connections (ReinServer *self, guint max_connections)
{
  g_return_if_fail (REIN_IS_SERVER (self));
  rein_server_door_set_max_connections (self->door, max_connections);
}

gboolean
rein_server_set_chain_url (ReinServer *self, const gchar *url, guint interval, GError **error)
{
  ReinServerChain *chain = NULL;

  g_return_val_if_fail (REIN_IS_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (url != NULL && (chain = rein_server_chain_new (url, interval, error)) == NULL)
    return FALSE;
  g_clear_pointer (&self->chain, rein_server_chain_free);
  self->chain = chain;
  return TRUE;
}

void
rein_server_set_log_requests (ReinServer *self, gboolean log_requests)
{
  g_return_if_fail (REIN_IS_SERVER (self));

  if (self->log_requests == log_requests || self->soup == NULL)
    return;
  self->log_requests = log_requests;
  if (log_requests)
    g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  else
    g_signal_handlers_disconnect_by_func (self->soup, request_finished_cb, self);
}

gboolean
rein_server_listen (ReinServer *self, const gchar *address, guint port, GError **error)
{
  g_autoptr (GInetAddress) inet = NULL;

  g_return_val_if_fail (REIN_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->door != NULL, FALSE);

  /* PostgreSQL: the read pool, unless its size was set. */
  if (rein_server_db_is_uri (self->database_path) && self->read_pool == NULL
      && !rein_server_set_database_connections (self, REIN_SERVER_DEFAULT_DATABASE_CONNECTIONS,
                                                error))
    return FALSE;

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Not an IP address: %s", address);
      return FALSE;
    }
  if (!rein_server_door_listen (self->door, inet, port, &self->port, error))
    return FALSE;

  g_free (self->uri);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    self->uri = g_strdup_printf ("http://[%s]:%u/", address, self->port);
  else
    self->uri = g_strdup_printf ("http://%s:%u/", address, self->port);
  return TRUE;
}

gchar *
rein_server_get_uri (ReinServer *self)
{
  g_return_val_if_fail (REIN_IS_SERVER (self), NULL);
  return g_strdup (self->uri);
}

guint
rein_server_get_port (ReinServer *self)
{
  g_return_val_if_fail (REIN_IS_SERVER (self), 0);
  return self->port;
}

static gboolean
shutdown_deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

void
rein_server_shutdown (ReinServer *self)
{
  g_autoptr (GSource) deadline = NULL;
  gboolean expired = FALSE;

  g_return_if_fail (REIN_IS_SERVER (self));

  /* No new connections; requests not yet read are answered 503. */
  self->stopping = TRUE;
  if (self->door != NULL)
    rein_server_door_close (self->door);

  /* Queued writes finish (a put is acknowledged only once durable) and
   * their answers are written before the connections close, within a
   * grace period for clients that do not read them. */
  deadline = g_timeout_source_new_seconds (SHUTDOWN_GRACE_SECONDS);
  g_source_set_callback (deadline, shutdown_deadline_cb, &expired, NULL);
  g_source_attach (deadline, self->context);
  while ((self->in_flight > 0 || self->answering > 0) && !expired)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (deadline);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  self->disconnected = TRUE;

  /* Writes still queued past the grace period finish unanswered, then the
   * writer stops. */
  while (self->in_flight > 0)
    g_main_context_iteration (self->context, TRUE);
  if (self->writer_thread != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      quit->kind = JOB_QUIT;
      queue_job (self, quit);
      g_thread_join (g_steal_pointer (&self->writer_thread));
    }
  if (self->read_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->read_pool), FALSE, TRUE);
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);

  g_clear_object (&self->soup);
  g_clear_pointer (&self->writer, rein_server_db_close);
  g_clear_pointer (&self->reader, rein_server_db_close);
  if (self->connections != NULL)
    {
      ReinServerDb *db;

      while ((db = g_async_queue_try_pop (self->connections)) != NULL)
        rein_server_db_close (db);
      g_clear_pointer (&self->connections, g_async_queue_unref);
    }
}
