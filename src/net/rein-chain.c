/* rein-chain.c: a chain backend speaking the Esplora HTTP API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-chain.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "rein-bitcoin.h"
#include "rein-client.h"
#include "rein-http.h"
#include "rein-json.h"

#define DEFAULT_DEADLINE 30
#define MAX_COINS ((gint64) 2100000000000000)
/* The answers Esplora gives are small objects; a list of an address's
 * coins is the largest (Esplora itself refuses more than a few hundred). */
#define MAX_LIST_ANSWER (4 * 1024 * 1024)
#define MAX_SMALL_ANSWER (64 * 1024)
/* A standard transaction is at most 400,000 bytes of weight: hex twice. */
#define MAX_TX_BYTES (400 * 1000)
#define MAX_TX_ANSWER (2 * MAX_TX_BYTES + 2)
#define MAX_JSON_DEPTH 8
#define MAX_ERROR_TEXT 200

struct _ReinChain
{
  GObject parent_instance;

  SoupSession *session;
  gchar *url;
  guint deadline;
};

G_DEFINE_FINAL_TYPE (ReinChain, rein_chain, G_TYPE_OBJECT)

typedef enum
{
  CALL_UTXOS,
  CALL_TX,
  CALL_TX_STATUS,
  CALL_OUTSPENDS,
  CALL_FEES,
  CALL_TIP,
  CALL_BLOCK_HASH,
  CALL_BROADCAST,
} CallKind;

typedef struct
{
  CallKind kind;
  gchar *what;     /* for messages: "the coins of ADDRESS", ... */
  gchar *txid;     /* CALL_TX: asked for; CALL_BROADCAST: computed */
  ReinHttpAnswer *answer;
  GError *refusal; /* CALL_BROADCAST: the backend's refusal, while asking */
} Call;

static void
call_free (Call *call)
{
  g_free (call->what);
  g_free (call->txid);
  g_clear_pointer (&call->answer, rein_http_answer_free);
  g_clear_error (&call->refusal);
  g_free (call);
}

/* ---- networks and small values ---- */

static const gchar *const network_names[] = { "mainnet", "testnet", "signet", "regtest" };

const gchar *
rein_chain_network_to_string (ReinChainNetwork network)
{
  g_return_val_if_fail (network <= REIN_CHAIN_NETWORK_REGTEST, NULL);
  return network_names[network];
}

gboolean
rein_chain_network_from_string (const gchar *text, ReinChainNetwork *out_network)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (network_names); i++)
    if (g_ascii_strcasecmp (text, network_names[i]) == 0)
      {
        *out_network = (ReinChainNetwork) i;
        return TRUE;
      }
  return FALSE;
}

/* The hash of each network's first block, as block explorers show it. */
static const gchar *const genesis_hashes[] = {
  "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
  "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
  "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
  "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
};

const gchar *
rein_chain_network_genesis_hash (ReinChainNetwork network)
{
  g_return_val_if_fail (network <= REIN_CHAIN_NETWORK_REGTEST, NULL);
  return genesis_hashes[network];
}

gboolean
rein_chain_network_from_genesis_hash (const gchar *hash, ReinChainNetwork *out_network)
{
  for (guint i = 0; hash != NULL && i < G_N_ELEMENTS (genesis_hashes); i++)
    if (g_ascii_strcasecmp (hash, genesis_hashes[i]) == 0)
      {
        *out_network = (ReinChainNetwork) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
rein_chain_network_is_testnet (ReinChainNetwork network)
{
  return network != REIN_CHAIN_NETWORK_MAINNET;
}

void
rein_utxo_free (ReinUtxo *utxo)
{
  if (utxo == NULL)
    return;
  g_free (utxo->txid);
  g_free (utxo);
}

void
rein_tx_status_free (ReinTxStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->block_hash);
  g_free (status);
}

void
rein_outspend_free (ReinOutspend *outspend)
{
  if (outspend == NULL)
    return;
  g_free (outspend->txid);
  g_free (outspend);
}

guint
rein_chain_confirmations (guint32 block_height, guint32 tip_height)
{
  if (block_height == 0 || tip_height < block_height)
    return 0;
  return tip_height - block_height + 1;
}

gboolean
rein_fee_estimates_pick (GArray *estimates, guint target, gint64 *out_sat_per_kvb)
{
  const ReinFeeEstimate *best = NULL;

  if (estimates == NULL || estimates->len == 0)
    return FALSE;
  for (guint i = 0; i < estimates->len; i++)
    {
      const ReinFeeEstimate *e = &g_array_index (estimates, ReinFeeEstimate, i);

      if (e->target <= target)
        best = e;
    }
  if (best == NULL)
    best = &g_array_index (estimates, ReinFeeEstimate, 0);
  *out_sat_per_kvb = best->sat_per_kvb;
  return TRUE;
}

static gboolean
is_txid (const gchar *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const gchar *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

gchar *
rein_chain_txid_of (GBytes *tx)
{
  g_autoptr (ReinTx) parsed = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (tx, &len);

  /* the txid leaves the witness out: a segwit transaction is parsed, not
   * hashed as it came */
  parsed = rein_tx_parse (data, len, TRUE, NULL);
  if (parsed == NULL)
    return NULL;
  return rein_tx_get_txid_hex (parsed);
}
/* ---- the object ---- */

static void
rein_chain_finalize (GObject *object)
{
  ReinChain *self = REIN_CHAIN (object);

  g_clear_object (&self->session);
  g_free (self->url);
  G_OBJECT_CLASS (rein_chain_parent_class)->finalize (object);
}

static void
rein_chain_class_init (ReinChainClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_chain_finalize;
}

static void
rein_chain_init (ReinChain *self)
{
  self->deadline = DEFAULT_DEADLINE;
  /* idle timeout: a backend that stops talking is given up on even
   * before the deadline */
  self->session = soup_session_new_with_options ("timeout", 20, "idle-timeout", 60,
                                                 "max-conns-per-host", 4, NULL);
  soup_session_set_user_agent (self->session, "Rein/" PACKAGE_VERSION);
}

ReinChain *
rein_chain_new (const gchar *url, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  const gchar *scheme;
  ReinChain *self;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                   "“%s” is not the address of an Esplora API "
                   "(expected http:// or https://, like https://blockstream.info/testnet/api/)",
                   url);
      return NULL;
    }

  self = g_object_new (REIN_TYPE_CHAIN, NULL);
  self->url = g_str_has_suffix (url, "/") ? g_strdup (url) : g_strconcat (url, "/", NULL);
  return self;
}

const gchar *
rein_chain_get_url (ReinChain *self)
{
  g_return_val_if_fail (REIN_IS_CHAIN (self), NULL);
  return self->url;
}

void
rein_chain_set_deadline (ReinChain *self, guint seconds)
{
  g_return_if_fail (REIN_IS_CHAIN (self));
  self->deadline = seconds;
}

/* ---- reading answers ---- */

/* A short, printable excerpt of an error text, or NULL. */
static gchar *
error_excerpt (const ReinHttpAnswer *answer)
{
  g_autofree gchar *text = NULL;
  GString *out;

  if (answer->content_type != NULL && g_ascii_strcasecmp (answer->content_type, "text/plain") != 0
      && g_ascii_strcasecmp (answer->content_type, "application/json") != 0)
    return NULL; /* an HTML page says nothing we could show */
  text = rein_http_answer_dup_text (answer);
  if (text == NULL)
    return NULL;
  g_strstrip (text);
  out = g_string_new (NULL);
  for (const gchar *p = text; *p && out->len < MAX_ERROR_TEXT; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isprint (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_c (out, ' ');
    }
  if (out->len == 0)
    return g_string_free (out, TRUE);
  return g_string_free (out, FALSE);
}

static GError *
status_error (ReinChain *self, Call *call)
{
  g_autofree gchar *excerpt = error_excerpt (call->answer);
  guint status = call->answer->status;
  ReinNetError code;
  const gchar *verdict;

  if (status == 404)
    {
      code = REIN_NET_ERROR_NOT_FOUND;
      verdict = "does not know";
    }
  else if (status == 429)
    {
      code = REIN_NET_ERROR_REFUSED;
      verdict = "is rate-limiting us and refused";
    }
  else if (status >= 400 && status < 500)
    {
      code = REIN_NET_ERROR_REFUSED;
      verdict = "refused";
    }
  else
    {
      code = REIN_NET_ERROR_REFUSED;
      verdict = "failed on";
    }
  if (excerpt != NULL)
    return g_error_new (REIN_NET_ERROR, code, "chain backend %s %s %s (HTTP %u): %s", self->url,
                        verdict, call->what, status, excerpt);
  return g_error_new (REIN_NET_ERROR, code, "chain backend %s %s %s (HTTP %u)", self->url, verdict,
                      call->what, status);
}

static GError *
bad_answer (ReinChain *self, Call *call, const gchar *why)
{
  return g_error_new (REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER,
                      "chain backend %s gave a wrong answer for %s: %s", self->url, call->what,
                      why);
}

static JsonNode *
parse_json (ReinChain *self, Call *call, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  gsize len = 0;
  const gchar *data = g_bytes_get_data (call->answer->body, &len);

  /* bounded in size by the answer's limit, and in depth before json-glib
   * (which recurses) sees it */
  parser = rein_json_parse (data != NULL ? data : "", len, G_MAXSIZE, MAX_JSON_DEPTH, NULL);
  if (parser == NULL || json_parser_get_root (parser) == NULL)
    {
      g_propagate_error (error, bad_answer (self, call, "not the JSON Esplora answers"));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
member_int (JsonObject *obj, const gchar *name, gint64 min, gint64 max, gint64 *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= min && *out <= max;
}

static gboolean
member_bool (JsonObject *obj, const gchar *name, gboolean *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

static const gchar *
member_txid (JsonObject *obj, const gchar *name)
{
  JsonNode *node = json_object_get_member (obj, name);
  const gchar *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (node);
  return is_txid (text) ? text : NULL;
}

/* Esplora's "status" object: {"confirmed": bool, "block_height": n, ...} */
static gboolean
read_status (JsonNode *node, gboolean *confirmed, guint32 *height, const gchar **block_hash)
{
  JsonObject *obj;
  gint64 h = 0;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  obj = json_node_get_object (node);
  if (!member_bool (obj, "confirmed", confirmed))
    return FALSE;
  *height = 0;
  if (block_hash != NULL)
    *block_hash = NULL;
  if (!*confirmed)
    return TRUE;
  if (!member_int (obj, "block_height", 0, G_MAXINT32, &h))
    return FALSE;
  *height = (guint32) h;
  if (block_hash != NULL && (*block_hash = member_txid (obj, "block_hash")) == NULL)
    return FALSE;
  return TRUE;
}

static gpointer
read_utxos (ReinChain *self, Call *call, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (self, call, error);
  g_autoptr (GPtrArray) utxos = NULL;
  g_autoptr (GHashTable) seen = NULL;
  JsonArray *array;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_propagate_error (error, bad_answer (self, call, "not a list of coins"));
      return NULL;
    }
  array = json_node_get_array (root);
  utxos = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr (ReinUtxo) utxo = g_new0 (ReinUtxo, 1);
      JsonObject *obj;
      const gchar *txid;
      gint64 vout = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_propagate_error (error, bad_answer (self, call, "a coin is not an object"));
          return NULL;
        }
      obj = json_node_get_object (node);
      txid = member_txid (obj, "txid");
      if (txid == NULL || !member_int (obj, "vout", 0, G_MAXUINT32, &vout))
        {
          g_propagate_error (error, bad_answer (self, call, "a coin has no valid txid and vout"));
          return NULL;
        }
      if (!member_int (obj, "value", 0, MAX_COINS, &utxo->value))
        {
          g_propagate_error (error, bad_answer (self, call,
                                                "a coin's value is not a whole number of "
                                                "satoshis within 21 million bitcoins"));
          return NULL;
        }
      if (!read_status (json_object_get_member (obj, "status"), &utxo->confirmed,
                        &utxo->block_height, NULL))
        {
          g_propagate_error (error, bad_answer (self, call, "a coin has no valid status"));
          return NULL;
        }
      utxo->txid = g_strdup (txid);
      utxo->vout = (guint32) vout;
      if (!g_hash_table_add (seen, g_strdup_printf ("%s:%u", txid, utxo->vout)))
        {
          g_propagate_error (error, bad_answer (self, call, "a coin is listed twice"));
          return NULL;
        }
      g_ptr_array_add (utxos, g_steal_pointer (&utxo));
    }
  return g_steal_pointer (&utxos);
}

static gpointer
read_tx (ReinChain *self, Call *call, GError **error)
{
  g_autofree gchar *text = rein_http_answer_dup_text (call->answer);
  g_autofree guint8 *raw = NULL;
  g_autofree gchar *txid = NULL;
  g_autoptr (GBytes) tx = NULL;
  gsize len = 0;

  if (text != NULL)
    g_strstrip (text);
  if (text == NULL || (raw = rein_hex_decode (text, &len, NULL)) == NULL || len == 0)
    {
      g_propagate_error (error, bad_answer (self, call, "not a transaction in hex"));
      return NULL;
    }
  tx = g_bytes_new_take (g_steal_pointer (&raw), len);
  txid = rein_chain_txid_of (tx);
  if (txid == NULL)
    {
      g_propagate_error (error, bad_answer (self, call, "not a transaction"));
      return NULL;
    }
  if (strcmp (txid, call->txid) != 0)
    {
      g_propagate_error (error, bad_answer (self, call, "it is another transaction"));
      return NULL;
    }
  return g_steal_pointer (&tx);
}

static gpointer
read_tx_status (ReinChain *self, Call *call, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (self, call, error);
  g_autoptr (ReinTxStatus) status = g_new0 (ReinTxStatus, 1);
  const gchar *hash = NULL;

  if (root == NULL)
    return NULL;
  if (!read_status (root, &status->confirmed, &status->block_height, &hash))
    {
      g_propagate_error (error, bad_answer (self, call, "not a transaction status"));
      return NULL;
    }
  status->block_hash = g_strdup (hash);
  return g_steal_pointer (&status);
}

static gpointer
read_outspends (ReinChain *self, Call *call, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (self, call, error);
  g_autoptr (GPtrArray) outspends = NULL;
  JsonArray *array;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_propagate_error (error, bad_answer (self, call, "not a list of outputs"));
      return NULL;
    }
  array = json_node_get_array (root);
  outspends = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_outspend_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr (ReinOutspend) out = g_new0 (ReinOutspend, 1);
      JsonObject *obj;
      gint64 vin = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || !member_bool (obj = json_node_get_object (node), "spent", &out->spent))
        {
          g_propagate_error (error, bad_answer (self, call, "an output has no spent flag"));
          return NULL;
        }
      if (out->spent)
        {
          const gchar *txid = member_txid (obj, "txid");

          if (txid == NULL || !member_int (obj, "vin", 0, G_MAXUINT32, &vin)
              || !read_status (json_object_get_member (obj, "status"), &out->confirmed,
                               &out->block_height, NULL))
            {
              g_propagate_error (error, bad_answer (self, call,
                                                    "a spent output does not say by what"));
              return NULL;
            }
          out->txid = g_strdup (txid);
          out->vin = (guint32) vin;
        }
      g_ptr_array_add (outspends, g_steal_pointer (&out));
    }
  return g_steal_pointer (&outspends);
}

static gint
compare_estimates (gconstpointer a, gconstpointer b)
{
  const ReinFeeEstimate *x = a, *y = b;

  return (x->target > y->target) - (x->target < y->target);
}

static gpointer
read_fees (ReinChain *self, Call *call, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (self, call, error);
  g_autoptr (GArray) estimates = NULL;
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *node;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, bad_answer (self, call, "not a table of fee rates"));
      return NULL;
    }
  estimates = g_array_new (FALSE, FALSE, sizeof (ReinFeeEstimate));
  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &name, &node))
    {
      ReinFeeEstimate e;
      guint64 target = 0;
      gdouble rate;

      if (!g_ascii_string_to_unsigned (name, 10, 1, 1008, &target, NULL)
          || !JSON_NODE_HOLDS_VALUE (node))
        {
          g_propagate_error (error, bad_answer (self, call, "a fee target is not a block count"));
          return NULL;
        }
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        rate = (gdouble) json_node_get_int (node);
      else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        rate = json_node_get_double (node);
      else
        rate = -1;
      /* 0.001 sat/vB to 100,000 sat/vB: beyond that it is not a fee rate */
      if (!(rate >= 0.001 && rate <= 100000.0))
        {
          g_propagate_error (error, bad_answer (self, call, "a fee rate is out of range"));
          return NULL;
        }
      e.target = (guint) target;
      /* rounded up, so that a fee from it is never below the estimate */
      e.sat_per_kvb = (gint64) (rate * 1000.0);
      if ((gdouble) e.sat_per_kvb < rate * 1000.0 - 1e-6)
        e.sat_per_kvb++;
      g_array_append_val (estimates, e);
    }
  g_array_sort (estimates, compare_estimates);
  return g_steal_pointer (&estimates);
}

static gpointer
read_txid_answer (ReinChain *self, Call *call, GError **error)
{
  g_autofree gchar *text = rein_http_answer_dup_text (call->answer);

  if (text != NULL)
    g_strstrip (text);
  if (text == NULL || !is_txid (text))
    {
      g_propagate_error (error, bad_answer (self, call, "no transaction ID"));
      return NULL;
    }
  if (strcmp (text, call->txid) != 0)
    {
      g_propagate_error (error, bad_answer (self, call,
                                            "it names another transaction than the one sent"));
      return NULL;
    }
  return g_steal_pointer (&text);
}

static void
read_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinChain *self = source;
  Call *call = task_data;
  GError *error = NULL;
  gpointer value = NULL;
  GDestroyNotify destroy = NULL;

  switch (call->kind)
    {
    case CALL_UTXOS:
      value = read_utxos (self, call, &error);
      destroy = (GDestroyNotify) g_ptr_array_unref;
      break;
    case CALL_TX:
      value = read_tx (self, call, &error);
      destroy = (GDestroyNotify) g_bytes_unref;
      break;
    case CALL_TX_STATUS:
      value = read_tx_status (self, call, &error);
      destroy = (GDestroyNotify) rein_tx_status_free;
      break;
    case CALL_OUTSPENDS:
      value = read_outspends (self, call, &error);
      destroy = (GDestroyNotify) g_ptr_array_unref;
      break;
    case CALL_FEES:
      value = read_fees (self, call, &error);
      destroy = (GDestroyNotify) g_array_unref;
      break;
    case CALL_BROADCAST:
      value = read_txid_answer (self, call, &error);
      destroy = g_free;
      break;
    case CALL_TIP:
    case CALL_BLOCK_HASH:
    default:
      g_assert_not_reached ();
    }
  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, destroy);
}

static gboolean
read_tip (ReinChain *self, Call *call, guint32 *out, GError **error)
{
  g_autofree gchar *text = rein_http_answer_dup_text (call->answer);
  guint64 height = 0;

  if (text != NULL)
    g_strstrip (text);
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &height, NULL))
    {
      g_propagate_error (error, bad_answer (self, call, "not a block height"));
      return FALSE;
    }
  *out = (guint32) height;
  return TRUE;
}

/* After a refused broadcast: the transaction counts as sent when the
 * backend knows it (in the mempool or mined). */
static void
known_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr (ReinHttpAnswer) answer = rein_http_send_finish (result, NULL);
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;
  gboolean confirmed = FALSE;
  guint32 height = 0;

  if (answer != NULL && answer->status == 200)
    {
      gsize len = 0;
      const gchar *data = g_bytes_get_data (answer->body, &len);

      parser = rein_json_parse (data != NULL ? data : "", len, G_MAXSIZE, MAX_JSON_DEPTH, NULL);
      root = parser != NULL ? json_parser_get_root (parser) : NULL;
      if (root != NULL && read_status (root, &confirmed, &height, NULL))
        {
          g_task_return_pointer (task, g_strdup (call->txid), g_free);
          return;
        }
    }
  g_task_return_error (task, g_steal_pointer (&call->refusal));
}

static void
answer_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinChain *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  call->answer = rein_http_send_finish (result, &error);
  if (call->answer == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, REIN_NET_ERROR, error->code, "chain backend %s: %s",
                                 self->url, error->message);
      return;
    }
  if (call->answer->status != 200 && call->kind == CALL_BROADCAST
      && call->answer->status >= 400 && call->answer->status < 500
      && call->answer->status != 429)
    {
      /* a transaction the other party sent first is refused as known:
       * that is not a failure, so ask whether the backend has it */
      g_autofree gchar *url = g_strdup_printf ("%stx/%s/status", self->url, call->txid);
      GCancellable *cancellable = g_task_get_cancellable (task);

      call->refusal = status_error (self, call);
      rein_http_send_async (self->session, "GET", url, NULL, NULL, MAX_SMALL_ANSWER,
                            self->deadline, cancellable, known_cb, g_steal_pointer (&task));
      return;
    }
  if (call->answer->status != 200)
    {
      g_task_return_error (task, status_error (self, call));
      return;
    }
  if (call->kind == CALL_BLOCK_HASH)
    {
      g_autofree gchar *text = rein_http_answer_dup_text (call->answer);

      if (text != NULL)
        g_strstrip (text);
      if (text == NULL || strlen (text) != 64 || strspn (text, "0123456789abcdef") != 64)
        g_task_return_error (task, bad_answer (self, call, "not a block hash"));
      else
        g_task_return_pointer (task, g_steal_pointer (&text), g_free);
      return;
    }
  if (call->kind == CALL_TIP)
    {
      guint32 height = 0;

      if (read_tip (self, call, &height, &error))
        g_task_return_int (task, height);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* checking a list of coins or hashing a transaction is left to a worker */
  g_task_run_in_thread (task, read_in_thread);
}

static void
start_call (ReinChain *self,
            CallKind kind,
            const gchar *method,
            gchar *path,
            GBytes *body,
            gsize max_answer,
            gchar *what,
            gchar *txid,
            GCancellable *cancellable,
            GAsyncReadyCallback callback,
            gpointer user_data,
            gpointer source_tag)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree gchar *owned_path = path;
  g_autofree gchar *url = g_strconcat (self->url, owned_path, NULL);
  Call *call = g_new0 (Call, 1);

  call->kind = kind;
  call->what = what;
  call->txid = txid;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  rein_http_send_async (self->session, method, url, body, "text/plain", max_answer,
                        self->deadline, cancellable, answer_cb, g_steal_pointer (&task));
}

/* An address or txid goes into the path: only the characters they are made
 * of are accepted, so nothing can reach another endpoint. */
static gboolean
check_path_part (const gchar *text, const gchar *what, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data, gpointer self,
                 gpointer source_tag)
{
  gboolean ok = text != NULL && *text != '\0' && strlen (text) <= 100;

  for (const gchar *p = text; ok && *p; p++)
    ok = g_ascii_isalnum (*p);
  if (!ok)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, source_tag);
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                               "“%s” is not a valid %s", text != NULL ? text : "", what);
    }
  return ok;
}

static gpointer
finish_pointer (ReinChain *self, GAsyncResult *result, gpointer tag, GError **error)
{
  g_return_val_if_fail (REIN_IS_CHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_chain_get_utxos_async (ReinChain *self,
                            const gchar *address,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  if (!check_path_part (address, "address", cancellable, callback, user_data, self,
                        rein_chain_get_utxos_async))
    return;
  start_call (self, CALL_UTXOS, "GET", g_strdup_printf ("address/%s/utxo", address), NULL,
              MAX_LIST_ANSWER, g_strdup_printf ("the coins of %s", address), NULL, cancellable,
              callback, user_data, rein_chain_get_utxos_async);
}

/* The calls about one transaction: GET tx/TXID/SUFFIX. */
static void
start_txid_call (ReinChain *self,
                 CallKind kind,
                 const gchar *txid,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data,
                 gpointer source_tag)
{
  const gchar *suffix = kind == CALL_TX ? "hex" : kind == CALL_TX_STATUS ? "status" : "outspends";
  gsize max = kind == CALL_TX ? MAX_TX_ANSWER : kind == CALL_TX_STATUS ? MAX_SMALL_ANSWER
                                                                       : MAX_LIST_ANSWER;
  const gchar *what = kind == CALL_TX ? "" : kind == CALL_TX_STATUS ? "the status of "
                                                                    : "the outputs of ";

  if (!check_path_part (is_txid (txid) ? txid : NULL, "transaction ID", cancellable, callback,
                        user_data, self, source_tag))
    return;
  /* a transaction's hex is checked against the txid asked for */
  start_call (self, kind, "GET", g_strdup_printf ("tx/%s/%s", txid, suffix), NULL, max,
              g_strdup_printf ("%stransaction %s", what, txid), kind == CALL_TX ? g_strdup (txid) : NULL, cancellable,
              callback, user_data, source_tag);
}

GPtrArray *
rein_chain_get_utxos_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_get_utxos_async, error);
}

void
rein_chain_get_tx_async (ReinChain *self,
                         const gchar *txid,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  start_txid_call (self, CALL_TX, txid, cancellable, callback, user_data, rein_chain_get_tx_async);
}

GBytes *
rein_chain_get_tx_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_get_tx_async, error);
}

void
rein_chain_get_tx_status_async (ReinChain *self,
                                const gchar *txid,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  start_txid_call (self, CALL_TX_STATUS, txid, cancellable, callback, user_data, rein_chain_get_tx_status_async);
}

ReinTxStatus *
rein_chain_get_tx_status_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_get_tx_status_async, error);
}

void
rein_chain_get_outspends_async (ReinChain *self,
                                const gchar *txid,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  start_txid_call (self, CALL_OUTSPENDS, txid, cancellable, callback, user_data, rein_chain_get_outspends_async);
}

GPtrArray *
rein_chain_get_outspends_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_get_outspends_async, error);
}

void
rein_chain_get_fee_estimates_async (ReinChain *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  start_call (self, CALL_FEES, "GET", g_strdup ("fee-estimates"), NULL, MAX_SMALL_ANSWER,
              g_strdup ("the fee estimates"), NULL, cancellable, callback, user_data,
              rein_chain_get_fee_estimates_async);
}

GArray *
rein_chain_get_fee_estimates_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_get_fee_estimates_async, error);
}

void
rein_chain_get_tip_height_async (ReinChain *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  start_call (self, CALL_TIP, "GET", g_strdup ("blocks/tip/height"), NULL, 64,
              g_strdup ("the height of the chain"), NULL, cancellable, callback, user_data,
              rein_chain_get_tip_height_async);
}

gboolean
rein_chain_get_tip_height_finish (ReinChain *self,
                                  GAsyncResult *result,
                                  guint32 *out_height,
                                  GError **error)
{
  GError *local_error = NULL;
  gssize height;

  g_return_val_if_fail (REIN_IS_CHAIN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_chain_get_tip_height_async,
                        FALSE);

  height = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *out_height = (guint32) height;
  return TRUE;
}

void
rein_chain_get_block_hash_async (ReinChain *self,
                                 guint32 height,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (REIN_IS_CHAIN (self));

  start_call (self, CALL_BLOCK_HASH, "GET", g_strdup_printf ("block-height/%u", height), NULL,
              128, g_strdup_printf ("the hash of block %u", height), NULL, cancellable,
              callback, user_data, rein_chain_get_block_hash_async);
}

gchar *
rein_chain_get_block_hash_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_get_block_hash_async, error);
}

void
rein_chain_broadcast_async (ReinChain *self,
                            GBytes *tx,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autofree gchar *hex = NULL;
  g_autoptr (GBytes) body = NULL;
  gchar *txid;
  gsize len;

  g_return_if_fail (REIN_IS_CHAIN (self));
  g_return_if_fail (tx != NULL);

  len = g_bytes_get_size (tx);
  if (len == 0 || len > MAX_TX_BYTES)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, rein_chain_broadcast_async);
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                               "a transaction of %" G_GSIZE_FORMAT " bytes cannot be sent", len);
      return;
    }
  txid = rein_chain_txid_of (tx);
  if (txid == NULL)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, rein_chain_broadcast_async);
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                               "this is not a transaction that can be sent");
      return;
    }
  hex = rein_hex_encode (g_bytes_get_data (tx, NULL), len);
  len = strlen (hex);
  body = g_bytes_new_take (g_steal_pointer (&hex), len);
  start_call (self, CALL_BROADCAST, "POST", g_strdup ("tx"), body, MAX_SMALL_ANSWER,
              g_strdup_printf ("transaction %s", txid), txid, cancellable, callback, user_data,
              rein_chain_broadcast_async);
}

gchar *
rein_chain_broadcast_finish (ReinChain *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, rein_chain_broadcast_async, error);
}
