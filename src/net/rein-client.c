/* rein-client.c: the Causeway API of one microhosting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rein-client-private.h"
#include "rein-json.h"

G_DEFINE_QUARK (rein-net-error-quark, rein_net_error)

#define DEFAULT_TIMEOUT 20
#define DEFAULT_DEADLINE 60
#define DEFAULT_MAX_ANSWER (16 * 1024 * 1024)
#define READ_CHUNK (64 * 1024)
#define MAX_CONNS_PER_HOST 6
/* What a bucket in a /request answer may say: its free space (a server
 * may grant more than Causeway's 1 MiB, not more than this) and the length
 * of its creation date. */
#define MAX_BUCKET_BYTES (G_GINT64_CONSTANT (1) << 40)
#define MAX_CREATED 64

struct _ReinClient
{
  GObject parent_instance;

  SoupSession *session;
  gchar *url;
  gsize max_answer;
  guint deadline; /* seconds for a whole call, 0 for none */
};

G_DEFINE_FINAL_TYPE (ReinClient, rein_client, G_TYPE_OBJECT)

typedef ReinClientCallKind CallKind;
#define CALL_REQUEST REIN_CLIENT_CALL_REQUEST
#define CALL_NONCE REIN_CLIENT_CALL_NONCE
#define CALL_PUT REIN_CLIENT_CALL_PUT
#define CALL_GET REIN_CLIENT_CALL_GET
#define CALL_QUERY REIN_CLIENT_CALL_QUERY
#define CALL_STATUS REIN_CLIENT_CALL_STATUS

/* A server answering 429 is asked again this many times, waiting twice
 * as long each time (0.25 s, 0.5 s, ... 4 s). */
#define MAX_RETRIES 5

typedef struct
{
  CallKind kind;
  gchar *method;
  gchar *url;
  GBytes *request_body;
  guint attempts;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *body;
  gsize declared; /* the answer's Content-Length, 0 when it has none */
  gsize capacity; /* bytes @body can hold without growing (at least) */
  gchar *query; /* for CALL_QUERY: the member holding the results */
  gboolean testnet; /* for CALL_PUT: a testnet document */
  gchar *cursor; /* for CALL_QUERY: the answer's "cursor", when a valid one */

  /* Every step of the call runs under this; it is cancelled by the
   * caller's cancellable and by the deadline. */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *deadline_source;
  guint deadline;
  gboolean timed_out;
} Call;

/* Answer buffers of large answers, kept for the next ones: a market's
 * pages are megabytes each, and a buffer fresh from malloc is fresh
 * memory, faulted in page by page by the reads of the main loop (tens of
 * milliseconds for a page of a market). A kept buffer is reused whole.
 * They hold what servers sent, nothing secret. */
#define POOL_MIN_BYTES (256 * 1024)
#define POOL_MAX_BYTES (32 * 1024 * 1024)
#define POOL_MAX_BUFFERS 8

static GMutex pool_lock;
static GPtrArray *pool;  /* of GByteArray, each ->len bytes long: its capacity */
static gsize pool_bytes; /* their sum */

/* A kept buffer of at least @size bytes (the smallest), emptied, with its
 * capacity in @out_capacity; NULL when none is kept. */
static GByteArray *
pool_take (gsize size, gsize *out_capacity)
{
  GByteArray *best = NULL;
  guint best_index = 0;

  g_mutex_lock (&pool_lock);
  for (guint i = 0; pool != NULL && i < pool->len; i++)
    {
      GByteArray *candidate = g_ptr_array_index (pool, i);

      if (candidate->len >= size && (best == NULL || candidate->len < best->len))
        {
          best = candidate;
          best_index = i;
        }
    }
  if (best != NULL)
    {
      g_ptr_array_remove_index_fast (pool, best_index);
      pool_bytes -= best->len;
      *out_capacity = best->len;
      g_byte_array_set_size (best, 0);
    }
  g_mutex_unlock (&pool_lock);
  return best;
}

/* Keeps @body (@capacity bytes long at least) for a next answer, or
 * frees it. */
static void
pool_give (GByteArray *body, gsize capacity)
{
  gboolean kept = FALSE;

  if (capacity >= POOL_MIN_BYTES && capacity <= POOL_MAX_BYTES && capacity <= G_MAXUINT)
    {
      g_mutex_lock (&pool_lock);
      if (pool == NULL)
        pool = g_ptr_array_new ();
      if (pool->len < POOL_MAX_BUFFERS && pool_bytes + capacity <= POOL_MAX_BYTES)
        {
          /* within what it holds already: no allocation */
          g_byte_array_set_size (body, (guint) capacity);
          g_ptr_array_add (pool, body);
          pool_bytes += capacity;
          kept = TRUE;
        }
      g_mutex_unlock (&pool_lock);
    }
  if (!kept)
    g_byte_array_unref (body);
}

static void
call_free (Call *call)
{
  if (call->deadline_source != NULL)
    {
      g_source_destroy (call->deadline_source);
      g_source_unref (call->deadline_source);
    }
  if (call->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (call->caller_cancellable, call->caller_handler);
      g_object_unref (call->caller_cancellable);
    }
  g_clear_object (&call->cancellable);
  g_free (call->method);
  g_free (call->url);
  g_clear_pointer (&call->request_body, g_bytes_unref);
  g_clear_object (&call->msg);
  g_clear_object (&call->stream);
  if (call->body != NULL)
    pool_give (g_steal_pointer (&call->body), call->capacity);
  g_free (call->query);
  g_free (call->cursor);
  g_free (call);
}

void
rein_bucket_free (ReinBucket *bucket)
{
  if (bucket == NULL)
    return;
  g_free (bucket->created);
  g_free (bucket);
}

static void
rein_client_finalize (GObject *object)
{
  ReinClient *self = (ReinClient *) object;

  g_clear_object (&self->session);
  g_free (self->url);

  G_OBJECT_CLASS (rein_client_parent_class)->finalize (object);
}

static void
rein_client_class_init (ReinClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_client_finalize;
}

static void
rein_client_init (ReinClient *self)
{
  /* libsoup's default of 2 connections per host would hold back callers
   * that keep a few requests going to one server (sync keeps 4). */
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT,
                                                 "user-agent", "rein-desktop/" PACKAGE_VERSION,
                                                 "max-conns-per-host", MAX_CONNS_PER_HOST,
                                                 NULL);
  self->max_answer = DEFAULT_MAX_ANSWER;
  self->deadline = DEFAULT_DEADLINE;
}

ReinClient *
rein_client_new (const gchar *url, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  ReinClient *self;
  const gchar *scheme;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_query (uri) != NULL
      /* a password in the address would end up in every error message */
      || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                   "“%s” is not an http:// or https:// server address", url);
      return NULL;
    }
  self = g_object_new (REIN_TYPE_CLIENT, NULL);
  self->url = g_str_has_suffix (url, "/") ? g_strdup (url) : g_strconcat (url, "/", NULL);
  return self;
}

const gchar *
rein_client_get_url (ReinClient *self)
{
  g_return_val_if_fail (REIN_IS_CLIENT (self), NULL);
  return self->url;
}

void
rein_client_set_timeout (ReinClient *self, guint seconds)
{
  g_return_if_fail (REIN_IS_CLIENT (self));
  soup_session_set_timeout (self->session, seconds);
}

void
rein_client_set_deadline (ReinClient *self, guint seconds)
{
  g_return_if_fail (REIN_IS_CLIENT (self));
  self->deadline = MIN (seconds, G_MAXUINT / 1000);
}

void
rein_client_set_max_answer (ReinClient *self, gsize bytes)
{
  g_return_if_fail (REIN_IS_CLIENT (self));
  self->max_answer = bytes;
}

gchar *
rein_client_new_key (void)
{
  static const gchar alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  gchar *key = g_malloc (33);
  gsize n = 0;

  /* Rejection sampling keeps every character equally likely. */
  while (n < 32)
    {
      guint8 buf[64];

      rein_random_bytes (buf, sizeof buf);
      for (gsize i = 0; i < sizeof buf && n < 32; i++)
        if (buf[i] < 252)
          key[n++] = alphabet[buf[i] % 36];
    }
  key[32] = '\0';
  return key;
}

/* ---- one HTTP exchange ---- */

static void
return_error (GTask *task, ReinNetError code, const gchar *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
return_error (GTask *task, ReinNetError code, const gchar *fmt, ...)
{
  ReinClient *self = g_task_get_source_object (task);
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_task_return_new_error (task, REIN_NET_ERROR, code, "%s: %s", self->url, what);
}

/* A step of the call was cancelled: by the caller (the error is passed on)
 * or by the deadline. */
static void
return_cancelled (GTask *task, GError *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->timed_out)
    {
      g_clear_error (&error);
      return_error (task, REIN_NET_ERROR_UNREACHABLE, "timed out after %u s", call->deadline);
    }
  else
    g_task_return_error (task, error);
}

/* The server's own words for an error, bounded and on one line. */
static gchar *
server_message (JsonNode *root)
{
  JsonObject *obj;
  const gchar *msg = NULL;
  g_autofree gchar *text = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup ("no explanation");
  obj = json_node_get_object (root);
  for (const gchar *const *m = (const gchar *const[]){ "error", "message", NULL }; *m; m++)
    {
      JsonNode *node = json_object_get_member (obj, *m);

      if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          msg = json_node_get_string (node);
          break;
        }
    }
  if (msg == NULL)
    return g_strdup ("no explanation");
  text = g_utf8_make_valid (msg, MIN (strlen (msg), 200));
  g_strdelimit (text, "\r\n", ' ');
  return g_steal_pointer (&text);
}

static const gchar *
object_string (JsonObject *obj, const gchar *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_nonce (const gchar *nonce)
{
  gsize len = strlen (nonce);

  if (len != 0 && len != 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (nonce[i]))
      return FALSE;
  return TRUE;
}

static void
handle_request (GTask *task, guint status, JsonObject *obj, JsonNode *root)
{
  g_autoptr (GPtrArray) buckets = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_bucket_free);
  JsonNode *node = obj ? json_object_get_member (obj, "buckets") : NULL;
  const gchar *result = object_string (obj, "result");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || status != 200)
    {
      g_autofree gchar *msg = server_message (root);

      return_error (task, REIN_NET_ERROR_REFUSED, "could not register (HTTP %u): %s", status,
                    msg);
      return;
    }
  /* The original server answers "error" when no more free buckets are
   * granted, with the ones the owner has: those are what we want. */
  if (g_strcmp0 (result, "success") != 0 && g_strcmp0 (result, "error") != 0)
    {
      return_error (task, REIN_NET_ERROR_BAD_ANSWER, "unexpected answer to /request");
      return;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array) && i < 1000; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *b;
      ReinBucket *bucket;
      JsonNode *free_node;
      const gchar *created;
      gint64 bytes_free = 0;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      b = json_node_get_object (item);
      bucket = g_new0 (ReinBucket, 1);
      if (json_object_has_member (b, "id"))
        bucket->id = json_object_get_int_member_with_default (b, "id", 0);
      created = object_string (b, "created");
      /* a date ("YYYY-MM-DD HH:MM:SS"), shown as it is: nothing longer */
      if (created != NULL && strlen (created) <= MAX_CREATED && g_utf8_validate (created, -1, NULL))
        bucket->created = g_strdup (created);
      free_node = json_object_get_member (b, "bytes_free");
      /* Causeway sends bytes_free as a string. */
      if (free_node && JSON_NODE_HOLDS_VALUE (free_node))
        bytes_free = json_node_get_value_type (free_node) == G_TYPE_STRING
                       ? g_ascii_strtoll (json_node_get_string (free_node), NULL, 10)
                       : json_node_get_int (free_node);
      /* Bounded, so that the space of all the buckets an answer can hold
       * adds up without overflowing. */
      bucket->bytes_free = CLAMP (bytes_free, 0, MAX_BUCKET_BYTES);
      g_ptr_array_add (buckets, bucket);
    }
  if (buckets->len == 0)
    {
      g_autofree gchar *msg = server_message (root);

      return_error (task, REIN_NET_ERROR_REFUSED, "no storage granted: %s", msg);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&buckets), (GDestroyNotify) g_ptr_array_unref);
}

/* A query's documents, and its answer's "cursor" (or NULL). */
static void
return_query (GTask *task, GPtrArray *docs, const gchar *cursor)
{
  Call *call = g_task_get_task_data (task);
  guint64 value;

  /* Our servers' `since` cursor (src/server/README.md): a number, or
   * nothing. */
  if (cursor != NULL && g_ascii_string_to_unsigned (cursor, 10, 0, G_MAXINT64, &value, NULL))
    call->cursor = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  g_task_return_pointer (task, docs, (GDestroyNotify) g_ptr_array_unref);
}

static void
handle_answer (GTask *task, guint status, JsonNode *root)
{
  Call *call = g_task_get_task_data (task);
  JsonObject *obj = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

  switch (call->kind)
    {
    case CALL_REQUEST:
      handle_request (task, status, obj, root);
      return;

    case CALL_NONCE:
      {
        const gchar *nonce = object_string (obj, "nonce");

        if (status != 200)
          {
            g_autofree gchar *msg = server_message (root);

            return_error (task, REIN_NET_ERROR_REFUSED,
                          "no nonce (HTTP %u; is this identity registered here?): %s", status,
                          msg);
          }
        else if (nonce == NULL || !is_nonce (nonce))
          return_error (task, REIN_NET_ERROR_BAD_ANSWER, "the nonce is malformed");
        else
          g_task_return_pointer (task, g_strdup (nonce), g_free);
        return;
      }

    case CALL_PUT:
      if (status == 201 && g_strcmp0 (object_string (obj, "result"), "success") == 0)
        g_task_return_boolean (task, TRUE);
      else if (status >= 400)
        {
          g_autofree gchar *msg = server_message (root);

          /* The original Causeway checks signatures against mainnet
           * addresses unless it runs in testnet mode: a testnet
           * identity's put, rightly signed, gets a bare "Incorrect
           * signature". */
          if (call->testnet && status == 401 && g_strcmp0 (msg, "Incorrect signature") == 0)
            {
              return_error (task, REIN_NET_ERROR_REFUSED,
                            "this server does not take testnet documents (it answered "
                            "“Incorrect signature” to a testnet document, as an original "
                            "Causeway server on mainnet does)");
              return;
            }
          /* Another client of the same owner cleared the nonce (PROTOCOL.md
           * 6: 401 "Bad nonce"); a fresh one may do. */
          return_error (task,
                        status == 401 && g_strcmp0 (msg, "Bad nonce") == 0
                          ? REIN_NET_ERROR_BAD_NONCE
                          : REIN_NET_ERROR_REFUSED,
                        "refused the document (HTTP %u): %s", status, msg);
        }
      else
        return_error (task, REIN_NET_ERROR_BAD_ANSWER, "unexpected answer to /put (HTTP %u)",
                      status);
      return;

    case CALL_GET:
      {
        const gchar *value = object_string (obj, "value");

        if (status == 404)
          return_error (task, REIN_NET_ERROR_NOT_FOUND, "does not hold this document");
        else if (status != 200 || value == NULL)
          return_error (task, REIN_NET_ERROR_BAD_ANSWER, "unexpected answer to /get (HTTP %u)",
                        status);
        else
          g_task_return_pointer (task, g_strdup (value), g_free);
        return;
      }

    case CALL_STATUS:
      if (status == 200 && obj != NULL)
        g_task_return_boolean (task, TRUE);
      else
        return_error (task, status >= 400 ? REIN_NET_ERROR_REFUSED : REIN_NET_ERROR_BAD_ANSWER,
                      "unexpected answer to /status (HTTP %u)", status);
      return;

    case CALL_QUERY:
      {
        JsonNode *node = obj ? json_object_get_member (obj, call->query) : NULL;
        g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_free);
        JsonArray *array;

        if (g_strcmp0 (object_string (obj, "result"), "success") != 0)
          {
            g_autofree gchar *msg = server_message (root);

            return_error (task, REIN_NET_ERROR_REFUSED, "refused the query: %s", msg);
            return;
          }
        if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
          {
            return_error (task, REIN_NET_ERROR_BAD_ANSWER, "the query answer has no list");
            return;
          }
        array = json_node_get_array (node);
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *item = json_array_get_element (array, i);

            /* python-rein 0.3's queries (get_user_ratings, get_user_name)
             * answer {"key": ..., "value": DOCUMENT} objects. */
            if (JSON_NODE_HOLDS_OBJECT (item))
              item = json_object_get_member (json_node_get_object (item), "value");
            /* Items that are not text are skipped; the caller verifies the
             * rest. */
            if (item != NULL && JSON_NODE_HOLDS_VALUE (item)
                && json_node_get_value_type (item) == G_TYPE_STRING)
              g_ptr_array_add (docs, g_strdup (json_node_get_string (item)));
          }
        return_query (task, g_steal_pointer (&docs), object_string (obj, "cursor"));
        return;
      }
    }
  g_assert_not_reached ();
}

static gboolean retry_cb (gpointer data);

/* Answers at least this large are parsed in a worker: a page of a
 * thousand documents takes the main loop tens of milliseconds. */
#define PARSE_IN_THREAD 65536

/* An answer as read: a page of documents by the fast path, else the
 * tree json-glib made. */
typedef struct
{
  GPtrArray *docs;      /* a successful query's documents (fast path) */
  gchar *cursor;        /* and its "cursor" */
  JsonParser *parser;
} Parsed;

static void
parsed_free (Parsed *parsed)
{
  g_clear_pointer (&parsed->docs, g_ptr_array_unref);
  g_free (parsed->cursor);
  g_clear_object (&parsed->parser);
  g_free (parsed);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Parsed, parsed_free)

static Parsed *
parse_body (Call *call, guint status, GError **error)
{
  g_autoptr (Parsed) parsed = g_new0 (Parsed, 1);
  const gchar *data = (const gchar *) call->body->data;
  g_autoptr (GHashTable) strings = NULL;

  /* A page of documents, the bulk of what a refresh reads: json-glib
   * builds a tree of it at about 100 MB/s, the fast path reads it several
   * times faster; anything else (an error, an odd answer) is json-glib's. */
  if (call->kind == CALL_QUERY && status == 200
      && rein_json_scan_list_answer (data, call->body->len, REIN_JSON_MAX_DEPTH, call->query,
                                     &parsed->docs, &strings)
      && g_strcmp0 (g_hash_table_lookup (strings, "result"), "success") == 0)
    {
      parsed->cursor = g_strdup (g_hash_table_lookup (strings, "cursor"));
      return g_steal_pointer (&parsed);
    }
  g_clear_pointer (&parsed->docs, g_ptr_array_unref);
  /* The body is already bounded by max_answer; the depth is what json-glib
   * cannot be trusted with. */
  parsed->parser = rein_json_parse (data, call->body->len, G_MAXSIZE, REIN_JSON_MAX_DEPTH,
                                    error);
  if (parsed->parser == NULL)
    return NULL;
  return g_steal_pointer (&parsed);
}

static void
answer_parsed (GTask *task, guint status, Parsed *parsed, const GError *parse_error)
{
  Call *call = g_task_get_task_data (task);
  JsonNode *root = parsed != NULL && parsed->parser != NULL
                     ? json_parser_get_root (parsed->parser)
                     : NULL;

  if (parsed != NULL && parsed->docs != NULL)
    {
      return_query (task, g_steal_pointer (&parsed->docs), parsed->cursor);
      return;
    }

  if (parse_error != NULL && g_error_matches (parse_error, REIN_JSON_ERROR,
                                              REIN_JSON_ERROR_TOO_DEEP))
    {
      /* hostile rather than merely wrong: said whatever the status */
      return_error (task, REIN_NET_ERROR_BAD_ANSWER, "the answer is refused (HTTP %u): %s",
                    status, parse_error->message);
      return;
    }
  if (root == NULL && status < 400)
    {
      return_error (task, REIN_NET_ERROR_BAD_ANSWER,
                    "the answer is not JSON (HTTP %u; is this a Rein server?)", status);
      return;
    }
  if (status == 429)
    {
      if (call->attempts < MAX_RETRIES && !g_cancellable_is_cancelled (call->cancellable))
        {
          /* the server asks us to slow down: wait and ask again */
          g_autoptr (GSource) wait = g_timeout_source_new (250u << call->attempts);

          g_task_attach_source (task, wait, retry_cb);
          call->attempts++;
          return;
        }
      return_error (task, REIN_NET_ERROR_REFUSED, "too many requests; try again later");
      return;
    }
  handle_answer (task, status, root);
}

static void
parse_thread (GTask *parse, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  Parsed *parsed = parse_body (call, soup_message_get_status (call->msg), &error);

  if (parsed != NULL)
    g_task_return_pointer (parse, parsed, (GDestroyNotify) parsed_free);
  else
    g_task_return_error (parse, error);
}

static void
parsed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Parsed) parsed = g_task_propagate_pointer (G_TASK (result), &error);
  Call *call = g_task_get_task_data (task);

  answer_parsed (task, soup_message_get_status (call->msg), parsed, error);
}

static void
finish_call (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  if (call->body->len >= PARSE_IN_THREAD)
    {
      g_autoptr (GTask) parse = g_task_new (NULL, NULL, parsed_cb, g_object_ref (task));

      g_task_set_source_tag (parse, finish_call);
      g_task_set_task_data (parse, call, NULL);
      g_task_run_in_thread (parse, parse_thread);
    }
  else
    {
      g_autoptr (GError) error = NULL;
      guint status = soup_message_get_status (call->msg);
      g_autoptr (Parsed) parsed = parse_body (call, status, &error);

      answer_parsed (task, status, parsed, error);
    }
}

gboolean
rein_client_read_answer (ReinClient *self,
                         ReinClientCallKind kind,
                         guint status,
                         const guint8 *body,
                         gsize len,
                         GError **error)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (Parsed) parsed = NULL;
  Call *call = g_new0 (Call, 1);

  g_return_val_if_fail (REIN_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (kind < REIN_CLIENT_N_CALLS, FALSE);
  g_return_val_if_fail (status != 429, FALSE);

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  call->kind = kind;
  call->query = g_strdup ("jobs");
  call->body = g_byte_array_sized_new (len);
  g_byte_array_append (call->body, body, len);
  parsed = parse_body (call, status, &parse_error);
  answer_parsed (task, status, parsed, parse_error);
  /* the result is delivered through the task's main context */
  while (!g_task_get_completed (task))
    g_main_context_iteration (g_task_get_context (task), TRUE);
  switch (kind)
    {
    case CALL_PUT:
    case CALL_STATUS:
      return g_task_propagate_boolean (task, error);
    case CALL_NONCE:
    case CALL_GET:
      {
        g_autofree gchar *text = g_task_propagate_pointer (task, error);

        return text != NULL;
      }
    case CALL_REQUEST:
    case CALL_QUERY:
    default:
      {
        g_autoptr (GPtrArray) list = g_task_propagate_pointer (task, error);

        return list != NULL;
      }
    }
}

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Reads the next chunk of the answer straight into the body (no copy),
 * to the declared length when there is one (the buffer was sized for it);
 * the read holds its own reference. */
static void
read_next (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  guint len = call->body->len;
  gsize count = READ_CHUNK;

  /* past the declared length, one byte more: it finds the end without
   * growing (and copying) the buffer, which has room for it */
  if (call->declared > 0)
    count = call->declared > len ? MIN (count, call->declared - len) : 1;
  g_byte_array_set_size (call->body, len + count);
  call->capacity = MAX (call->capacity, len + count);
  call->body->len = len; /* the bytes beyond are the read's */
  g_input_stream_read_async (call->stream, call->body->data + len, count, G_PRIORITY_DEFAULT,
                             call->cancellable, read_cb, g_object_ref (task));
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  ReinClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return_cancelled (task, g_steal_pointer (&error));
      else
        return_error (task, REIN_NET_ERROR_UNREACHABLE, "the answer was cut off: %s",
                      error->message);
      return;
    }
  if (n == 0)
    {
      finish_call (task);
      return;
    }
  if (call->body->len + (gsize) n > self->max_answer)
    {
      return_error (task, REIN_NET_ERROR_BAD_ANSWER, "the answer is larger than %" G_GSIZE_FORMAT
                    " bytes", self->max_answer);
      return;
    }
  call->body->len += n;
  /* more than declared (a server that says less than it sends): the
   * rest in chunks, not a byte a read */
  if (call->declared > 0 && call->body->len > call->declared)
    call->declared = 0;
  read_next (task);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  call->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (call->stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return_cancelled (task, g_steal_pointer (&error));
      else
        return_error (task, REIN_NET_ERROR_UNREACHABLE, "unreachable: %s", error->message);
      return;
    }
  {
    SoupMessageHeaders *headers = soup_message_get_response_headers (call->msg);
    goffset declared = soup_message_headers_get_content_length (headers);
    const gchar *encoding = soup_message_headers_get_one (headers, "Content-Encoding");
    ReinClient *self = g_task_get_source_object (task);

    /* A compressed answer's length is the compressed one: libsoup
     * decodes it, and what we read is longer (read to the end in chunks,
     * bounded by max_answer all the same). */
    if (encoding != NULL && g_ascii_strcasecmp (encoding, "identity") != 0)
      declared = 0;

    if (declared > 0 && (guint64) declared > self->max_answer)
      {
        return_error (task, REIN_NET_ERROR_BAD_ANSWER,
                      "the answer is larger than %" G_GSIZE_FORMAT " bytes", self->max_answer);
        return;
      }
    /* The whole answer in one allocation: a page of a market is megabytes,
     * and growing the buffer by doubling copies it and touches fresh
     * memory in one go, tens of milliseconds of the main loop each time.
     * What is declared only sizes the buffer (bounded above); what is
     * read is still bounded by max_answer. */
    call->declared = declared > 0 ? (gsize) declared : 0;
    if (declared > 0 && call->body->len == 0)
      {
        GByteArray *kept = (gsize) declared + 1 >= POOL_MIN_BYTES
                              ? pool_take ((gsize) declared + 1, &call->capacity)
                              : NULL;

        g_byte_array_unref (call->body);
        if (kept != NULL)
          call->body = kept;
        else
          {
            call->body = g_byte_array_sized_new ((guint) declared + 1);
            call->capacity = (gsize) declared + 1;
          }
      }
  }
  read_next (task);
}

/* Sends (or sends again) the call's request; takes the reference. */
static void
send_call (GTask *task)
{
  ReinClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  g_clear_object (&call->msg);
  g_clear_object (&call->stream);
  g_byte_array_set_size (call->body, 0);
  if (g_cancellable_is_cancelled (call->cancellable))
    {
      /* cancelled while waiting to ask again */
      return_cancelled (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   "Operation was cancelled"));
      g_object_unref (task);
      return;
    }
  call->msg = soup_message_new (call->method, call->url);
  if (call->msg == NULL)
    {
      return_error (task, REIN_NET_ERROR_INVALID, "cannot make a request to this address");
      g_object_unref (task);
      return;
    }
  if (call->request_body != NULL)
    soup_message_set_request_body_from_bytes (call->msg, "application/json", call->request_body);
  /* libsoup opens a new connection for every POST, in case it is not safe
   * to send again; a put is (the same key, value and nonce store the same
   * thing), so it may use a kept-alive connection like the GETs. */
  if (call->kind == CALL_PUT)
    soup_message_add_flags (call->msg, SOUP_MESSAGE_IDEMPOTENT);
  soup_session_send_async (self->session, call->msg, G_PRIORITY_DEFAULT,
                           call->cancellable, sent_cb, task);
}

/* Runs from a source attached by g_task_attach_source(), which holds its
 * own reference to the task. */
static gboolean
retry_cb (gpointer data)
{
  send_call (g_object_ref (data));
  return G_SOURCE_REMOVE;
}

/* The whole call took too long (a server trickling its answer never trips
 * the session's idle timeout): stop it. */
static gboolean
deadline_cb (gpointer data)
{
  Call *call = data;

  call->timed_out = TRUE;
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

/* Starts a call; @form is a NULL-terminated list of name, value pairs. */
static void
start_call (ReinClient *self,
            CallKind kind,
            const gchar *method,
            const gchar *path,
            const gchar *const *form,
            GBytes *body,
            const gchar *query_member,
            gboolean testnet,
            GCancellable *cancellable,
            GAsyncReadyCallback callback,
            gpointer user_data,
            gpointer source_tag)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GString) url = g_string_new (self->url);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  call->kind = kind;
  call->testnet = testnet;
  call->body = g_byte_array_new ();
  call->query = g_strdup (query_member);

  g_string_append (url, path);
  for (guint i = 0; form && form[i] && form[i + 1]; i += 2)
    {
      g_autofree gchar *name = g_uri_escape_string (form[i], NULL, TRUE);
      g_autofree gchar *value = g_uri_escape_string (form[i + 1], NULL, TRUE);

      g_string_append_printf (url, "%c%s=%s", i == 0 ? '?' : '&', name, value);
    }

  call->method = g_strdup (method);
  call->url = g_strdup (url->str);
  call->request_body = body ? g_bytes_ref (body) : NULL;

  call->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      call->caller_cancellable = g_object_ref (cancellable);
      /* runs at once when already cancelled */
      call->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                    g_object_ref (call->cancellable),
                                                    g_object_unref);
    }
  call->deadline = self->deadline;
  if (call->deadline > 0)
    {
      /* milliseconds: a seconds timeout may fire up to a quarter second
       * early or most of a second late */
      call->deadline_source = g_timeout_source_new (call->deadline * 1000);
      g_source_set_callback (call->deadline_source, deadline_cb, call, NULL);
      g_source_set_static_name (call->deadline_source, "[rein] client call deadline");
      g_source_attach (call->deadline_source, g_task_get_context (task));
    }
  send_call (g_steal_pointer (&task));
}

/* ---- the calls ---- */

void
rein_client_request_buckets_async (ReinClient *self,
                                   const gchar *owner,
                                   const gchar *delegate,
                                   const gchar *contact,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  const gchar *form[] = { "owner", owner, "delegate", delegate, "contact", contact, NULL };

  g_return_if_fail (REIN_IS_CLIENT (self));
  g_return_if_fail (owner != NULL && delegate != NULL && contact != NULL);

  start_call (self, CALL_REQUEST, "GET", "request", form, NULL, NULL, FALSE, cancellable, callback,
              user_data, rein_client_request_buckets_async);
}

GPtrArray *
rein_client_request_buckets_finish (ReinClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_client_nonce_async (ReinClient *self,
                         const gchar *owner,
                         const gchar *clear,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  const gchar *form[] = { "address", owner, clear ? "clear" : NULL, clear, NULL };

  g_return_if_fail (REIN_IS_CLIENT (self));
  g_return_if_fail (owner != NULL);

  start_call (self, CALL_NONCE, "GET", "nonce", form, NULL, NULL, FALSE, cancellable, callback,
              user_data, rein_client_nonce_async);
}

gchar *
rein_client_nonce_finish (ReinClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_client_put_async (ReinClient *self,
                       const gchar *key,
                       const gchar *value,
                       const gchar *nonce,
                       const ReinPrivateKey *delegate_key,
                       const gchar *owner,
                       gboolean testnet,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree gchar *address = NULL, *message = NULL, *signature = NULL, *json = NULL;
  gsize json_len = 0;

  g_return_if_fail (REIN_IS_CLIENT (self));
  g_return_if_fail (key != NULL && value != NULL && nonce != NULL);
  g_return_if_fail (delegate_key != NULL && owner != NULL);

  /* The address form follows the network: testnet identities sign with
   * their testnet delegate address. */
  address = rein_private_key_get_address (delegate_key,
                                          testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET);
  message = g_strconcat (key, value, address, nonce, NULL);
  signature = rein_message_sign (delegate_key, message, strlen (message), &error);
  if (signature == NULL)
    {
      g_task_report_error (self, callback, user_data, rein_client_put_async,
                           g_steal_pointer (&error));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, value);
  json_builder_set_member_name (builder, "nonce");
  json_builder_add_string_value (builder, nonce);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, signature);
  json_builder_set_member_name (builder, "signature_address");
  json_builder_add_string_value (builder, address);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, owner);
  json_builder_set_member_name (builder, "testnet");
  json_builder_add_boolean_value (builder, testnet);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_len);
  body = g_bytes_new_take (g_steal_pointer (&json), json_len);

  start_call (self, CALL_PUT, "POST", "put", NULL, body, NULL, testnet, cancellable, callback,
              user_data, rein_client_put_async);
}

gboolean
rein_client_put_finish (ReinClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rein_client_get_async (ReinClient *self,
                       const gchar *key,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  const gchar *form[] = { "key", key, NULL };

  g_return_if_fail (REIN_IS_CLIENT (self));
  g_return_if_fail (key != NULL);

  start_call (self, CALL_GET, "GET", "get", form, NULL, NULL, FALSE, cancellable, callback,
              user_data, rein_client_get_async);
}

gchar *
rein_client_get_finish (ReinClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_client_query_async (ReinClient *self,
                         const gchar *owner,
                         const gchar *query,
                         gboolean testnet,
                         const gchar *const *params,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GPtrArray) form = g_ptr_array_new ();

  g_return_if_fail (REIN_IS_CLIENT (self));
  g_return_if_fail (owner != NULL && query != NULL);

  g_ptr_array_add (form, (gpointer) "owner");
  g_ptr_array_add (form, (gpointer) owner);
  g_ptr_array_add (form, (gpointer) "query");
  g_ptr_array_add (form, (gpointer) query);
  g_ptr_array_add (form, (gpointer) "testnet");
  g_ptr_array_add (form, (gpointer) (testnet ? "1" : "0"));
  for (guint i = 0; params && params[i] && params[i + 1]; i += 2)
    {
      g_ptr_array_add (form, (gpointer) params[i]);
      g_ptr_array_add (form, (gpointer) params[i + 1]);
    }
  g_ptr_array_add (form, NULL);

  start_call (self, CALL_QUERY, "GET", "query", (const gchar *const *) form->pdata, NULL,
              query, FALSE, cancellable, callback, user_data, rein_client_query_async);
}

GPtrArray *
rein_client_query_finish (ReinClient *self, GAsyncResult *result, GError **error)
{
  return rein_client_query_finish_full (self, result, NULL, error);
}

GPtrArray *
rein_client_query_finish_full (ReinClient *self,
                               GAsyncResult *result,
                               gchar **out_cursor,
                               GError **error)
{
  Call *call;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  call = g_task_get_task_data (G_TASK (result));
  if (out_cursor != NULL)
    *out_cursor = g_strdup (call->cursor);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_client_status_async (ReinClient *self,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (REIN_IS_CLIENT (self));

  start_call (self, CALL_STATUS, "GET", "status", NULL, NULL, NULL, FALSE, cancellable, callback,
              user_data, rein_client_status_async);
}

gboolean
rein_client_status_finish (ReinClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
