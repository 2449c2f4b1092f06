/* rein-job.c: one job's documents, validated together, and its order state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-job.h"
#include "rein-labels.h"
#include "rein-legacy-payment.h"
#include "rein-market-private.h"
#include "rein-payment.h"
#include "rein-person.h"

/* ---- helpers ---- */

static const gchar *
field (ReinDocument *doc, const gchar *label)
{
  const gchar *const *aliases = rein_label_aliases (label);

  if (aliases != NULL)
    return rein_document_get_field_any (doc, aliases);
  return rein_document_get_field (doc, label);
}

/* The directory's index: the hex key id (see rein_key_id_from_string()) of
 * a public key or P2PKH address, or NULL. */
static gchar *
key_id (const gchar *key_or_address)
{
  guint8 hash[20];

  if (!rein_key_id_from_string (key_or_address, hash))
    return NULL;
  return rein_hex_encode (hash, sizeof hash);
}

static gboolean
is_public_key (const gchar *public_key_hex, gsize *out_len)
{
  /* Asked for every key of every bid: rein-key remembers the keys seen. */
  if (!rein_public_key_hex_is_valid (public_key_hex))
    return FALSE;
  if (out_len != NULL)
    *out_len = strlen (public_key_hex) / 2;
  return TRUE;
}

static gboolean
is_compressed_key (const gchar *public_key_hex)
{
  gsize len = 0;

  return is_public_key (public_key_hex, &len) && len == REIN_PUBKEY_COMPRESSED_LEN;
}

/* TRUE when the key field @public_key_hex holds a public key (an address
 * there is not one) and it is the key that signs as @address. */
static gboolean
key_is_signer (const gchar *public_key_hex, const gchar *address)
{
  return is_public_key (public_key_hex, NULL) && rein_same_key (public_key_hex, address);
}

/* Key fields hold public keys and address fields addresses; whether two of
 * them name the same key is rein_same_key()'s to say. */
static gboolean
same_public_key (const gchar *a, const gchar *b)
{
  return is_public_key (a, NULL) && is_public_key (b, NULL) && rein_same_key (a, b);
}

static gboolean
same_address (const gchar *a, const gchar *b)
{
  return !is_public_key (a, NULL) && !is_public_key (b, NULL) && rein_same_key (a, b);
}

/* Escrow addresses are P2SH: the same script hash in either network's form. */
static gboolean
same_script_address (const gchar *a, const gchar *b)
{
  guint8 ha[20], hb[20];
  ReinAddressType ta, tb;

  return a != NULL && b != NULL && rein_address_validate (a, NULL, &ta, ha, NULL)
         && rein_address_validate (b, NULL, &tb, hb, NULL) && ta == REIN_ADDRESS_P2SH
         && tb == REIN_ADDRESS_P2SH && memcmp (ha, hb, sizeof ha) == 0;
}

/* The master address a document gives for its own signer, if any. */
static const gchar *
signer_master (ReinDocument *doc)
{
  switch (rein_document_get_document_type (doc))
    {
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      return field (doc, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS);
    case REIN_DOCUMENT_TYPE_BID:
      return field (doc, REIN_LABEL_WORKER_MASTER_ADDRESS);
    default:
      return NULL;
    }
}

/* ---- the directory of enrollments ---- */

/* Anyone can sign an enrollment naming someone else's delegate: a delegate
 * may be claimed by several masters. All claims are kept; a document that
 * names its signer's master (postings and bids do) is bound to that claim,
 * and a posting's mediator to the master the posting names. */
struct _ReinDirectory
{
  gint ref_count;
  GHashTable *by_delegate; /* key_id() of the delegate -> GPtrArray of ReinDocument */
  GPtrArray *mediators;    /* every verified one willing to mediate */
  GPtrArray *offered;      /* those whose delegate is not contested */
};

ReinDirectory *
rein_directory_new (void)
{
  ReinDirectory *self = g_new0 (ReinDirectory, 1);

  self->ref_count = 1;
  self->by_delegate = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  self->mediators = g_ptr_array_new_with_free_func (g_object_unref);
  self->offered = g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

ReinDirectory *
rein_directory_ref (ReinDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static gpointer
copy_object (gconstpointer object, gpointer user_data)
{
  return g_object_ref ((gpointer) object);
}

ReinDirectory *
rein_directory_copy (ReinDirectory *self)
{
  ReinDirectory *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);

  copy = rein_directory_new ();
  g_hash_table_iter_init (&iter, self->by_delegate);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->by_delegate, g_strdup (key),
                         g_ptr_array_copy (value, copy_object, NULL));
  for (guint i = 0; i < self->mediators->len; i++)
    g_ptr_array_add (copy->mediators, g_object_ref (g_ptr_array_index (self->mediators, i)));
  return copy;
}

void
rein_directory_free (ReinDirectory *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_hash_table_unref (self->by_delegate);
  g_ptr_array_unref (self->mediators);
  g_ptr_array_unref (self->offered);
  g_free (self);
}

gboolean
rein_directory_add (ReinDirectory *self, ReinDocument *enrollment, GError **error)
{
  const gchar *delegate;
  g_autofree gchar *key = NULL;
  GPtrArray *claims;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (REIN_IS_DOCUMENT (enrollment), FALSE);

  if (rein_document_get_document_type (enrollment) != REIN_DOCUMENT_TYPE_ENROLLMENT)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "Not an enrollment");
      return FALSE;
    }
  if (!rein_document_verify (enrollment, error))
    return FALSE;
  if (rein_document_find_repeated_label (enrollment) != NULL)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                   "The enrollment gives “%s” twice: readers could take either",
                   rein_document_find_repeated_label (enrollment));
      return FALSE;
    }
  delegate = field (enrollment, REIN_LABEL_DELEGATE_ADDRESS);
  /* An address: a bare public key does not name a delegate. */
  if (!is_public_key (delegate, NULL))
    key = key_id (delegate);
  if (key == NULL)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "The enrollment names no valid delegate address");
      return FALSE;
    }
  claims = g_hash_table_lookup (self->by_delegate, key);
  for (guint i = 0; claims != NULL && i < claims->len; i++)
    if (same_address (field (g_ptr_array_index (claims, i), REIN_LABEL_MASTER_ADDRESS),
                      field (enrollment, REIN_LABEL_MASTER_ADDRESS)))
      return TRUE;

  /* A mediator's public key must be its delegate's. */
  if (g_strcmp0 (field (enrollment, REIN_LABEL_WILLING_TO_MEDIATE), "True") == 0)
    {
      const gchar *pub = field (enrollment, REIN_LABEL_MEDIATOR_PUBLIC_KEY);

      if (!key_is_signer (pub, delegate))
        {
          g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                               "The mediator's public key is not the delegate's");
          return FALSE;
        }
      g_ptr_array_add (self->mediators, g_object_ref (enrollment));
    }
  if (claims == NULL)
    {
      claims = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->by_delegate, g_steal_pointer (&key), claims);
    }
  g_ptr_array_add (claims, g_object_ref (enrollment));
  return TRUE;
}

/* The enrollment binding the delegate @key_or_address (its address, or its
 * public key) to @master (any claim when @master is NULL). */
static ReinDocument *
lookup_claim (ReinDirectory *self, const gchar *key_or_address, const gchar *master)
{
  g_autofree gchar *key = key_id (key_or_address);
  GPtrArray *claims = key ? g_hash_table_lookup (self->by_delegate, key) : NULL;

  for (guint i = 0; claims != NULL && i < claims->len; i++)
    {
      ReinDocument *enrollment = g_ptr_array_index (claims, i);

      if (master == NULL || same_address (field (enrollment, REIN_LABEL_MASTER_ADDRESS), master))
        return enrollment;
    }
  return NULL;
}

ReinDocument *
rein_directory_lookup_delegate (ReinDirectory *self, const gchar *address)
{
  g_return_val_if_fail (self != NULL, NULL);

  return lookup_claim (self, address, NULL);
}

ReinDocument *
rein_directory_lookup_public_key (ReinDirectory *self, const gchar *public_key_hex)
{
  g_return_val_if_fail (self != NULL, NULL);

  return lookup_claim (self, public_key_hex, NULL);
}

gboolean
rein_directory_is_contested (ReinDirectory *self, const gchar *key_or_address)
{
  g_autofree gchar *key = NULL;
  GPtrArray *claims;

  g_return_val_if_fail (self != NULL, FALSE);

  key = key_id (key_or_address);
  claims = key ? g_hash_table_lookup (self->by_delegate, key) : NULL;
  /* rein_directory_add() keeps one claim per master */
  return claims != NULL && claims->len > 1;
}

ReinDocument *
rein_directory_lookup_claim (ReinDirectory *self,
                             const gchar *key_or_address,
                             const gchar *master_address)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (master_address == NULL && rein_directory_is_contested (self, key_or_address))
    return NULL;
  return lookup_claim (self, key_or_address, master_address);
}

static gboolean
mediator_is_contested (ReinDirectory *self, ReinDocument *enrollment)
{
  return rein_directory_is_contested (self, field (enrollment, REIN_LABEL_DELEGATE_ADDRESS));
}

GPtrArray *
rein_directory_get_mediators (ReinDirectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  /* A later enrollment can contest a delegate: sort them out on demand. */
  g_ptr_array_set_size (self->offered, 0);
  for (guint i = 0; i < self->mediators->len; i++)
    {
      ReinDocument *enrollment = g_ptr_array_index (self->mediators, i);

      if (!mediator_is_contested (self, enrollment))
        g_ptr_array_add (self->offered, g_object_ref (enrollment));
    }
  return self->offered;
}

GPtrArray *
rein_directory_get_contested_mediators (ReinDirectory *self)
{
  GPtrArray *contested;

  g_return_val_if_fail (self != NULL, NULL);

  contested = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->mediators->len; i++)
    {
      ReinDocument *enrollment = g_ptr_array_index (self->mediators, i);

      if (mediator_is_contested (self, enrollment))
        g_ptr_array_add (contested, g_object_ref (enrollment));
    }
  return contested;
}

/* ---- names ---- */

const gchar *
rein_job_state_describe (ReinJobState state)
{
  switch (state)
    {
    case REIN_JOB_STATE_NONE:
      return "no valid posting";
    case REIN_JOB_STATE_POSTED:
      return "posted";
    case REIN_JOB_STATE_BIDS:
      return "bid(s) submitted";
    case REIN_JOB_STATE_AWARDED:
      return "job awarded";
    case REIN_JOB_STATE_DELIVERED:
      return "deliverables submitted";
    case REIN_JOB_STATE_CREATOR_DISPUTE:
      return "disputed by job creator";
    case REIN_JOB_STATE_WORKER_DISPUTE:
      return "disputed by worker";
    case REIN_JOB_STATE_ACCEPTED:
      return "complete, work accepted";
    case REIN_JOB_STATE_RESOLVED:
      return "complete, dispute resolved";
    }
  return "unknown";
}

const gchar *
rein_job_state_to_name (ReinJobState state)
{
  static const gchar *const names[] = {
    "none", "posted", "bids", "awarded", "delivered", "creatordispute", "workerdispute",
    "accepted", "resolved",
  };

  if ((guint) state < G_N_ELEMENTS (names))
    return names[state];
  return "unknown";
}

const gchar *
rein_role_to_name (ReinRole role)
{
  static const gchar *const names[] = { "none", "creator", "worker", "mediator" };

  if ((guint) role < G_N_ELEMENTS (names))
    return names[role];
  return "unknown";
}

/* ---- the job ---- */

typedef struct
{
  ReinDocument *doc;
  gboolean valid;
  gchar *reason;
} Entry;

struct _ReinJob
{
  GObject parent_instance;

  gchar *id;
  GArray *entries; /* of Entry, flow order */
  ReinDocument *posting;
  GPtrArray *bids;
  ReinDocument *offer;
  ReinDocument *delivery;
  ReinDocument *accept;
  ReinDocument *creator_dispute;
  ReinDocument *worker_dispute;
  ReinDocument *resolution;
  ReinDocument *mediator_enrollment; /* the one the posting names */
  gchar *creator_key;
  gchar *mediator_key;
  gchar *worker_key;
  ReinJobState state;
};

G_DEFINE_FINAL_TYPE (ReinJob, rein_job, G_TYPE_OBJECT)

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_clear_object (&e->doc);
  g_clear_pointer (&e->reason, g_free);
}

static void
rein_job_finalize (GObject *object)
{
  ReinJob *self = (ReinJob *) object;

  g_free (self->id);
  g_array_unref (self->entries);
  g_ptr_array_unref (self->bids);
  g_clear_object (&self->mediator_enrollment);
  g_free (self->creator_key);
  g_free (self->mediator_key);
  g_free (self->worker_key);

  G_OBJECT_CLASS (rein_job_parent_class)->finalize (object);
}

static void
rein_job_class_init (ReinJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_job_finalize;
}

static void
rein_job_init (ReinJob *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
  /* the valid bids point into entries, which own them */
  self->bids = g_ptr_array_new ();
}

static guint
flow_rank (ReinDocumentType type)
{
  switch (type)
    {
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      return 0;
    case REIN_DOCUMENT_TYPE_BID:
      return 1;
    case REIN_DOCUMENT_TYPE_OFFER:
      return 2;
    case REIN_DOCUMENT_TYPE_DELIVERY:
      return 3;
    case REIN_DOCUMENT_TYPE_ACCEPT:
      return 4;
    case REIN_DOCUMENT_TYPE_CREATOR_DISPUTE:
      return 5;
    case REIN_DOCUMENT_TYPE_WORKER_DISPUTE:
      return 6;
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      return 7;
    default:
      return 8;
    }
}

static gint
compare_flow (gconstpointer a, gconstpointer b)
{
  ReinDocument *da = *(ReinDocument **) a;
  ReinDocument *db = *(ReinDocument **) b;
  guint ra = flow_rank (rein_document_get_document_type (da));
  guint rb = flow_rank (rein_document_get_document_type (db));

  if (ra != rb)
    return ra < rb ? -1 : 1;
  /* Same step: a stable, reader-independent order. */
  return strcmp (rein_document_get_hash (da), rein_document_get_hash (db));
}

/* One statement, whatever its spelling: the same text signed by the same
 * key. The armor around it can be spelled many ways that all verify (line
 * ends, blank lines, spaces, the other S of the signature), each with a
 * hash of its own; counted apart, one bid would be many. */
/* The signer's key (its hash160): the same key's address on the other
 * network verifies too, and is the same signer. */
static void
signer_key (ReinDocument *doc, guint8 out[20])
{
  if (!rein_key_id_from_string (rein_document_get_signer (doc), out))
    memset (out, 0, 20); /* (a document that verifies has one) */
}

static guint
statement_hash (gconstpointer doc)
{
  gsize len;
  const gchar *text = _rein_document_get_signed_text ((ReinDocument *) doc, &len);
  guint8 key[20];
  guint hash = 0;

  signer_key ((ReinDocument *) doc, key);
  for (guint i = 0; i < sizeof key; i++)
    hash = hash * 31 + key[i];

  for (gsize i = 0; i < len; i++)
    hash = hash * 31 + (guchar) text[i];
  return hash;
}

static gboolean
statement_equal (gconstpointer a, gconstpointer b)
{
  gsize len_a, len_b;
  const gchar *text_a = _rein_document_get_signed_text ((ReinDocument *) a, &len_a);
  const gchar *text_b = _rein_document_get_signed_text ((ReinDocument *) b, &len_b);

  guint8 key_a[20], key_b[20];

  if (len_a != len_b || memcmp (text_a, text_b, len_a) != 0)
    return FALSE;
  signer_key ((ReinDocument *) a, key_a);
  signer_key ((ReinDocument *) b, key_b);
  return memcmp (key_a, key_b, sizeof key_a) == 0;
}

/* A name a document gives must be the one the enrollment of that key
 * says: the name is what people read, the enrollment is what the key
 * signed ("Job creator: Carol" signed by Eve's key is not Carol's). */
static gchar *
check_declared_name (ReinDocument *doc,
                     const gchar *label,
                     ReinDocument *enrollment,
                     const gchar *whose)
{
  const gchar *declared = field (doc, label);
  const gchar *enrolled = enrollment != NULL ? field (enrollment, REIN_LABEL_USER) : NULL;
  g_autofree gchar *shown_declared = NULL;
  g_autofree gchar *shown_enrolled = NULL;

  if (declared == NULL || g_strcmp0 (declared, enrolled) == 0)
    return NULL;
  shown_declared = rein_person_clean_name (declared);
  shown_enrolled = rein_person_clean_name (enrolled);
  return g_strdup_printf ("it calls %s “%s”, but that key’s enrollment says “%s”", whose,
                          shown_declared, shown_enrolled);
}

/* The name a posting or a bid gives its own signer. */
static gchar *
check_signer_name (ReinDocument *doc, ReinDirectory *directory)
{
  ReinDocument *enrollment = lookup_claim (directory, rein_document_get_signer (doc),
                                           signer_master (doc));

  switch (rein_document_get_document_type (doc))
    {
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      return check_declared_name (doc, REIN_LABEL_JOB_CREATOR, enrollment, "its job creator");
    case REIN_DOCUMENT_TYPE_BID:
      return check_declared_name (doc, REIN_LABEL_WORKER, enrollment, "its worker");
    default:
      return NULL;
    }
}

/* A name a later document repeats must be the one an earlier valid
 * document gave. */
static gchar *
check_repeated_name (ReinDocument *doc, ReinDocument *earlier, const gchar *label)
{
  const gchar *said = field (doc, label);
  const gchar *before = earlier != NULL ? field (earlier, label) : NULL;

  if (said == NULL || before == NULL || g_strcmp0 (said, before) == 0)
    return NULL;
  return g_strdup_printf ("its “%s” is not the one the %s gives", label,
                          rein_document_type_to_name (rein_document_get_document_type (earlier)));
}

/* Checks escrow fields that are present against the scripts these keys
 * make. Absent fields are fine: the reader computes them itself. */
static gchar *
check_escrow (ReinDocument *doc, const gchar *creator, const gchar *mediator, const gchar *worker)
{
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (creator, mediator, worker,
                                                   REIN_NETWORK_MAINNET, NULL);
  const gchar *primary_script = field (doc, REIN_LABEL_PRIMARY_REDEEM_SCRIPT);
  const gchar *mediator_script = field (doc, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT);
  const gchar *primary_address = field (doc, REIN_LABEL_PRIMARY_ESCROW_ADDRESS);
  const gchar *mediator_address = field (doc, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS);

  if (escrow == NULL)
    return g_strdup ("the job's public keys are not valid compressed keys");
  if (primary_script && g_ascii_strcasecmp (primary_script, escrow->primary_script_hex) != 0)
    return g_strdup ("the primary escrow script is not the one the three keys make");
  if (mediator_script && g_ascii_strcasecmp (mediator_script, escrow->mediator_script_hex) != 0)
    return g_strdup ("the mediator escrow script is not the one the three keys make");
  /* Addresses may be in either network's form: compare script hashes. */
  if (primary_address && !same_script_address (primary_address, escrow->primary_address))
    return g_strdup ("the primary escrow address does not match the three keys");
  if (mediator_address && !same_script_address (mediator_address, escrow->mediator_address))
    return g_strdup ("the mediator escrow address does not match the three keys");
  return NULL;
}

/* Keys a later document repeats must be the job's. */
static gchar *
check_keys (ReinJob *self, ReinDocument *doc, const gchar *worker)
{
  const gchar *creator = field (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY);
  const gchar *mediator = field (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);
  const gchar *w = field (doc, REIN_LABEL_WORKER_PUBLIC_KEY);

  if (creator && !same_public_key (creator, self->creator_key))
    return g_strdup ("it names another job creator key than the job posting");
  if (mediator && !same_public_key (mediator, self->mediator_key))
    return g_strdup ("it names another mediator key than the job posting");
  if (w && worker && !same_public_key (w, worker))
    return g_strdup ("it names another worker key than the awarded bid");
  return check_repeated_name (doc, self->posting, REIN_LABEL_JOB_CREATOR);
}

static gchar *
check_posting (ReinJob *self, ReinDocument *doc, ReinDirectory *directory)
{
  const gchar *creator = field (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY);
  const gchar *mediator = field (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);
  ReinDocument *mediator_enrollment;

  if (self->posting != NULL)
    return g_strdup ("another posting of this job ID counts already");
  /* escrow scripts take compressed keys; and one key in two spellings
   * must not pass for two people */
  if (!is_compressed_key (creator) || !is_compressed_key (mediator))
    return g_strdup ("the job creator's and the mediator's keys must be compressed public keys");
  if (!key_is_signer (creator, rein_document_get_signer (doc)))
    return g_strdup ("it is not signed by the job creator it names");
  if (same_public_key (creator, mediator))
    return g_strdup ("the job creator cannot be the job's mediator");
  mediator_enrollment = lookup_claim (directory, mediator,
                                      field (doc, REIN_LABEL_MEDIATOR_MASTER_ADDRESS));
  if (mediator_enrollment == NULL
      || g_strcmp0 (field (mediator_enrollment, REIN_LABEL_WILLING_TO_MEDIATE), "True") != 0)
    return g_strdup ("its mediator has no enrollment willing to mediate");
  return check_declared_name (doc, REIN_LABEL_MEDIATOR, mediator_enrollment, "its mediator");
}

static gchar *
check_bid (ReinJob *self, ReinDocument *doc)
{
  const gchar *worker = field (doc, REIN_LABEL_WORKER_PUBLIC_KEY);
  gchar *reason;

  if (self->posting == NULL)
    return g_strdup ("there is no valid posting of this job");
  if ((reason = check_keys (self, doc, NULL)) != NULL)
    return reason;
  if (!key_is_signer (worker, rein_document_get_signer (doc)))
    return g_strdup ("it is not signed by the worker it names");
  if (same_public_key (worker, self->creator_key))
    return g_strdup ("the job creator cannot bid on their own job");
  if (same_public_key (worker, self->mediator_key))
    return g_strdup ("the job's mediator cannot bid on it");
  return check_escrow (doc, self->creator_key, self->mediator_key, worker);
}

static gchar *
check_offer (ReinJob *self, ReinDocument *doc, ReinDocument **out_bid)
{
  const gchar *worker = field (doc, REIN_LABEL_WORKER_PUBLIC_KEY);
  gchar *reason;

  if (self->posting == NULL)
    return g_strdup ("there is no valid posting of this job");
  if (self->offer != NULL)
    return g_strdup ("the job was awarded already");
  if (!key_is_signer (self->creator_key, rein_document_get_signer (doc)))
    return g_strdup ("only the job creator can award the job");
  if ((reason = check_keys (self, doc, NULL)) != NULL)
    return reason;
  for (guint i = 0; i < self->bids->len; i++)
    {
      ReinDocument *bid = g_ptr_array_index (self->bids, i);

      if (same_public_key (field (bid, REIN_LABEL_WORKER_PUBLIC_KEY), worker)
          && g_strcmp0 (field (bid, REIN_LABEL_BID_AMOUNT), field (doc, REIN_LABEL_BID_AMOUNT))
               == 0)
        {
          *out_bid = bid;
          if ((reason = check_repeated_name (doc, bid, REIN_LABEL_WORKER)) != NULL)
            return reason;
          return check_escrow (doc, self->creator_key, self->mediator_key, worker);
        }
    }
  return g_strdup ("it does not award any valid bid (worker key or amount differ)");
}

/* ---- payments (PROTOCOL.md section 5) ---- */

/* The document that may name where @role is paid, and @role's key. */
static ReinDocument *
payee_document (ReinJob *self, ReinRole role, const gchar **out_key)
{
  switch (role)
    {
    case REIN_ROLE_CREATOR:
      *out_key = self->creator_key;
      return self->posting;
    case REIN_ROLE_WORKER:
      *out_key = self->worker_key;
      return self->delivery;
    case REIN_ROLE_MEDIATOR:
      *out_key = self->mediator_key;
      return self->mediator_enrollment;
    case REIN_ROLE_NONE:
    default:
      *out_key = NULL;
      return NULL;
    }
}

gchar *
rein_job_get_payout_address (ReinJob *self,
                             ReinRole role,
                             ReinNetwork network,
                             gboolean *out_chosen,
                             GError **error)
{
  const gchar *key = NULL;
  ReinDocument *doc;
  const gchar *chosen;
  const gchar *who = rein_role_to_name (role);
  g_autoptr (GError) local_error = NULL;
  guint8 pubkey[65];
  gsize len = 0;

  g_return_val_if_fail (REIN_IS_JOB (self), NULL);

  doc = payee_document (self, role, &key);
  chosen = doc != NULL ? field (doc, REIN_LABEL_PAYOUT_ADDRESS) : NULL;
  if (out_chosen != NULL)
    *out_chosen = chosen != NULL;
  if (chosen != NULL)
    {
      ReinNetwork found;

      if (!rein_address_validate (chosen, &found, NULL, NULL, &local_error))
        {
          g_autofree gchar *shown = rein_text_excerpt (chosen, 64);

          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                       "the %s's payout address “%s” is not valid: %s", who, shown,
                       local_error->message);
          return NULL;
        }
      if (found != network)
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                       "the %s's payout address %s is not a %s address", who, chosen,
                       network == REIN_NETWORK_TESTNET ? "testnet" : "mainnet");
          return NULL;
        }
      return g_strdup (chosen);
    }
  if (key == NULL || !rein_public_key_parse_hex (key, pubkey, &len, NULL))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "the %s has no valid public key to be paid to", who);
      return NULL;
    }
  return rein_address_from_public_key (pubkey, len, network);
}

ReinDocument *
rein_job_get_mediator_enrollment (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);

  return self->mediator_enrollment;
}

/* The script that pays @role, whichever network the job is on: a payout
 * address may be written in either form. */
static GByteArray *
payee_script (ReinJob *self, ReinRole role, GError **error)
{
  const gchar *key = NULL;
  ReinDocument *doc = payee_document (self, role, &key);
  const gchar *chosen = doc != NULL ? field (doc, REIN_LABEL_PAYOUT_ADDRESS) : NULL;
  ReinAddressType type;
  guint8 hash[20];
  guint8 pubkey[65];
  gsize len = 0;

  if (chosen != NULL)
    {
      if (!rein_address_validate (chosen, NULL, &type, hash, error))
        return NULL;
      return type == REIN_ADDRESS_P2SH ? rein_script_p2sh (hash) : rein_script_p2pkh (hash);
    }
  if (key == NULL || !rein_public_key_parse_hex (key, pubkey, &len, error))
    return NULL;
  rein_hash160 (pubkey, len, hash);
  return rein_script_p2pkh (hash);
}

/* (c) for an accept or a resolution: the payments it carries, one out of
 * each escrow, spend that escrow, pay whom this step may pay, and are
 * signed by the document's writer (rein-payment.h). */
/* A payment as rein_payment_check_text() reads it: the PSBT (or hex) of
 * "Signed primary/mediator payment", else the transaction python-rein
 * 0.3's plain fields describe, with the signatures they carry. Such a
 * transaction's inputs are not known here, so what it pays is checked
 * first: in an accept of a delivery with 0.3's fields, exactly what the
 * delivery describes; what is due (@rules->min_spent) less a bounded fee
 * unless the worker signed it (the primary payment of such a delivery). */
static gchar *
payment_text (ReinJob *self, ReinDocument *doc, gboolean primary,
              const ReinPaymentRules *rules, GError **error)
{
  const gchar *text = field (doc, primary ? REIN_LABEL_SIGNED_PRIMARY_PAYMENT
                                          : REIN_LABEL_SIGNED_MEDIATOR_PAYMENT);
  g_autoptr (ReinLegacyPayment) legacy = NULL;
  g_autoptr (ReinLegacyPayment) described = NULL;
  gboolean accept = rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_ACCEPT;

  if (text != NULL)
    {
      /* raw transaction hex (older clients): what its inputs hold is not
       * known either, so what it pays is bounded the same way; a PSBT
       * is not hex, and says what it spends */
      g_autofree gchar *trimmed = g_strstrip (g_strdup (text));
      g_autoptr (ReinTx) tx = rein_tx_parse_hex (trimmed, NULL);

      if (tx != NULL && !rein_legacy_check_paid (tx, rules->min_spent, rules->escrow_name, error))
        return NULL;
      return g_strdup (text);
    }
  if (!rein_legacy_payment_present (doc, primary))
    return g_strdup ("");
  legacy = rein_legacy_payment_read (doc, primary, error);
  if (legacy == NULL)
    return NULL;
  if (accept && self->delivery != NULL
      && rein_legacy_payment_present (self->delivery, primary))
    {
      g_autoptr (GError) local_error = NULL;

      described = rein_legacy_payment_read (self->delivery, primary, &local_error);
      if (described == NULL)
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                       "the delivery's python-rein %s payment cannot be read: %s",
                       rules->escrow_name, local_error->message);
          return NULL;
        }
    }
  if (!rein_legacy_payment_check_due (legacy, described, rules->min_spent, rules->escrow_name,
                                      error))
    return NULL;
  /* the worker signs only the primary payment: the mediator payment a
   * delivery describes is held to what is due as well */
  if (described != NULL && !primary
      && !rein_legacy_payment_check_due (legacy, NULL, rules->min_spent, rules->escrow_name,
                                         error))
    return NULL;
  return rein_legacy_payment_to_hex (legacy, rules->redeem_script, rules->redeem_script_len);
}

static gchar *
check_payments (ReinJob *self, ReinDocument *doc, gboolean resolution)
{
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (self->creator_key, self->mediator_key,
                                                   self->worker_key, REIN_NETWORK_MAINNET, NULL);
  g_autoptr (GByteArray) creator = NULL, worker = NULL, mediator = NULL;
  g_autofree guint8 *primary_redeem = NULL, *mediator_redeem = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *signer_key = resolution ? self->mediator_key : self->creator_key;
  guint8 signer[65];
  gsize primary_len = 0, mediator_len = 0, signer_len = 0;
  ReinPaymentPayee primary_payees[2];
  ReinPaymentPayee mediator_payee;
  ReinPaymentRules primary_rules = { 0 }, mediator_rules = { 0 };
  gint64 bid = 0, fee_due = 0;

  if (escrow == NULL || !rein_public_key_parse_hex (signer_key, signer, &signer_len, NULL))
    return g_strdup ("the job's public keys are not valid compressed keys");
  if ((worker = payee_script (self, REIN_ROLE_WORKER, &error)) == NULL
      || (mediator = payee_script (self, REIN_ROLE_MEDIATOR, &error)) == NULL
      || (creator = payee_script (self, REIN_ROLE_CREATOR, &error)) == NULL)
    return g_strdup_printf ("a payout address is not valid: %s", error->message);
  /* what is due: the bid, and the mediator's share of it */
  if (!rein_amount_parse_btc (rein_document_lookup (self->offer, REIN_LABEL_BID_AMOUNT),
                              &bid, NULL)
      || !rein_amount_percent_of (bid, rein_document_lookup (self->posting,
                                                             REIN_LABEL_MEDIATOR_FEE),
                                  &fee_due, NULL))
    return g_strdup ("the job's bid amount or mediator fee is not an amount");
  primary_redeem = rein_hex_decode (escrow->primary_script_hex, &primary_len, NULL);
  mediator_redeem = rein_hex_decode (escrow->mediator_script_hex, &mediator_len, NULL);

  primary_rules.escrow_name = "primary";
  primary_rules.redeem_script = primary_redeem;
  primary_rules.redeem_script_len = primary_len;
  primary_rules.payees = primary_payees;
  primary_rules.signer = signer;
  primary_rules.signer_len = signer_len;
  primary_rules.min_spent = (guint64) bid;
  if (resolution)
    {
      /* refund, award or split: the mediator's choice */
      primary_payees[0] = (ReinPaymentPayee) { "the creator", creator };
      primary_payees[1] = (ReinPaymentPayee) { "the worker", worker };
      primary_rules.n_payees = 2;
    }
  else
    {
      primary_payees[0] = (ReinPaymentPayee) { "the worker", worker };
      primary_rules.n_payees = 1;
    }
  mediator_payee = (ReinPaymentPayee) { "the mediator", mediator };
  mediator_rules = primary_rules;
  mediator_rules.escrow_name = "mediator";
  mediator_rules.redeem_script = mediator_redeem;
  mediator_rules.redeem_script_len = mediator_len;
  mediator_rules.payees = &mediator_payee;
  mediator_rules.n_payees = 1;
  mediator_rules.min_spent = (guint64) fee_due;

  for (guint e = 0; e < 2; e++)
    {
      g_autofree gchar *text = payment_text (self, doc, e == 0,
                                             e == 0 ? &primary_rules : &mediator_rules, &error);

      if (text == NULL
          || !rein_payment_check_text (text, e == 0 ? &primary_rules : &mediator_rules, &error))
        return g_strdup (error->message);
    }
  return NULL;
}

/* Checks of the steps after the award. */
static gchar *
check_later (ReinJob *self, ReinDocument *doc)
{
  ReinDocumentType type = rein_document_get_document_type (doc);
  const gchar *signer = rein_document_get_signer (doc);
  gchar *reason;

  if (self->offer == NULL)
    return g_strdup ("the job was not awarded");
  if ((reason = check_keys (self, doc, self->worker_key)) != NULL)
    return reason;
  if ((reason = check_escrow (doc, self->creator_key, self->mediator_key, self->worker_key))
      != NULL)
    return reason;

  switch (type)
    {
    case REIN_DOCUMENT_TYPE_DELIVERY:
      if (self->delivery != NULL)
        return g_strdup ("the work was delivered already");
      if (!key_is_signer (self->worker_key, signer))
        return g_strdup ("only the worker who won the job can deliver");
      return NULL;
    case REIN_DOCUMENT_TYPE_ACCEPT:
      if (self->delivery == NULL)
        return g_strdup ("nothing was delivered");
      if (self->accept != NULL)
        return g_strdup ("the delivery was accepted already");
      if (!key_is_signer (self->creator_key, signer))
        return g_strdup ("only the job creator can accept the delivery");
      return check_payments (self, doc, FALSE);
    case REIN_DOCUMENT_TYPE_CREATOR_DISPUTE:
      if (self->creator_dispute != NULL)
        return g_strdup ("the job creator disputed already");
      if (self->accept != NULL)
        return g_strdup ("the job creator accepted the delivery");
      if (!key_is_signer (self->creator_key, signer))
        return g_strdup ("only the job creator can file this dispute");
      return NULL;
    case REIN_DOCUMENT_TYPE_WORKER_DISPUTE:
      if (self->worker_dispute != NULL)
        return g_strdup ("the worker disputed already");
      if (!key_is_signer (self->worker_key, signer))
        return g_strdup ("only the worker who won the job can file this dispute");
      return NULL;
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      if (self->creator_dispute == NULL && self->worker_dispute == NULL)
        return g_strdup ("there is no dispute to resolve");
      if (self->resolution != NULL)
        return g_strdup ("the dispute was resolved already");
      if (!key_is_signer (self->mediator_key, signer))
        return g_strdup ("only the job's mediator can resolve a dispute");
      return check_payments (self, doc, TRUE);
    case REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION:
      /* python-rein 0.3: the creator or the worker takes the mediator's
       * resolution (and co-signs its payments there); the job stays
       * resolved. */
      if (self->resolution == NULL)
        return g_strdup ("there is no resolution to accept");
      if (!key_is_signer (self->creator_key, signer) && !key_is_signer (self->worker_key, signer))
        return g_strdup ("only the job creator or the worker can accept the resolution");
      return NULL;
    default:
      return g_strdup ("it is not a step of a job");
    }
}

static void
accept_document (ReinJob *self, ReinDocument *doc, ReinDocument *awarded_bid)
{
  switch (rein_document_get_document_type (doc))
    {
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      self->posting = doc;
      self->creator_key = g_ascii_strdown (field (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY), -1);
      self->mediator_key = g_ascii_strdown (field (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY), -1);
      break;
    case REIN_DOCUMENT_TYPE_BID:
      g_ptr_array_add (self->bids, doc);
      break;
    case REIN_DOCUMENT_TYPE_OFFER:
      self->offer = doc;
      self->worker_key = g_ascii_strdown (field (awarded_bid, REIN_LABEL_WORKER_PUBLIC_KEY), -1);
      break;
    case REIN_DOCUMENT_TYPE_DELIVERY:
      self->delivery = doc;
      break;
    case REIN_DOCUMENT_TYPE_ACCEPT:
      self->accept = doc;
      break;
    case REIN_DOCUMENT_TYPE_CREATOR_DISPUTE:
      self->creator_dispute = doc;
      break;
    case REIN_DOCUMENT_TYPE_WORKER_DISPUTE:
      self->worker_dispute = doc;
      break;
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      self->resolution = doc;
      break;
    default:
      break;
    }
}

static ReinJobState
derive_state (ReinJob *self)
{
  if (self->posting == NULL)
    return REIN_JOB_STATE_NONE;
  if (self->resolution)
    return REIN_JOB_STATE_RESOLVED;
  if (self->worker_dispute)
    return REIN_JOB_STATE_WORKER_DISPUTE;
  if (self->creator_dispute)
    return REIN_JOB_STATE_CREATOR_DISPUTE;
  if (self->accept)
    return REIN_JOB_STATE_ACCEPTED;
  if (self->delivery)
    return REIN_JOB_STATE_DELIVERED;
  if (self->offer)
    return REIN_JOB_STATE_AWARDED;
  if (self->bids->len > 0)
    return REIN_JOB_STATE_BIDS;
  return REIN_JOB_STATE_POSTED;
}

/* Signature, enrollment and signer checks of a posting, without the rest
 * of the job: what makes it a candidate for "the" posting. */
static gboolean
posting_is_candidate (ReinDocument *doc, ReinDirectory *directory)
{
  return rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_JOB_POSTING
         && rein_document_verify (doc, NULL)
         && lookup_claim (directory, rein_document_get_signer (doc), signer_master (doc))
                != NULL
         && key_is_signer (field (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY),
                           rein_document_get_signer (doc));
}

GStrv
rein_job_find_creators (const gchar *job_id, GPtrArray *documents, ReinDirectory *directory)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (job_id != NULL && documents != NULL && directory != NULL, NULL);

  for (guint i = 0; i < documents->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (documents, i);
      gboolean known = FALSE;
      g_autofree gchar *key = NULL;

      if (g_strcmp0 (field (doc, REIN_LABEL_JOB_ID), job_id) != 0
          || !posting_is_candidate (doc, directory))
        continue;
      key = g_ascii_strdown (field (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY), -1);
      for (guint j = 0; j < seen->len; j++)
        known |= same_public_key (g_ptr_array_index (seen, j), key);
      if (!known)
        {
          g_strv_builder_add (builder, key);
          g_ptr_array_add (seen, g_steal_pointer (&key));
        }
    }
  return g_strv_builder_end (builder);
}

static ReinJob *
build_job (const gchar *job_id,
           const gchar *creator_key,
           guint n_creators,
           GPtrArray *documents,
           ReinDirectory *directory)
{
  g_autoptr (GPtrArray) mine = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) statements = g_hash_table_new (statement_hash, statement_equal);
  ReinJob *self;

  self = g_object_new (REIN_TYPE_JOB, NULL);
  self->id = g_strdup (job_id);

  for (guint i = 0; i < documents->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (documents, i);
      ReinDocumentType type = rein_document_get_document_type (doc);
      const gchar *named_creator = field (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY);

      if (type == REIN_DOCUMENT_TYPE_ENROLLMENT || type == REIN_DOCUMENT_TYPE_UNKNOWN
          || g_strcmp0 (field (doc, REIN_LABEL_JOB_ID), job_id) != 0
          || g_hash_table_contains (seen, rein_document_get_hash (doc)))
        continue;
      g_hash_table_add (seen, (gpointer) rein_document_get_hash (doc));
      /* another creator's job under the same ID is not this one */
      if (creator_key != NULL && named_creator != NULL
          && !same_public_key (named_creator, creator_key))
        continue;
      g_ptr_array_add (mine, doc);
    }
  g_ptr_array_sort (mine, compare_flow);

  for (guint i = 0; i < mine->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (mine, i);
      ReinDocument *awarded = NULL;
      g_autoptr (GError) error = NULL;
      Entry entry = { g_object_ref (doc), FALSE, NULL };

      /* (a) the signature, (b) the signer's enrollment */
      if (!rein_document_verify (doc, &error))
        entry.reason = g_strdup_printf ("its signature does not verify: %s", error->message);
      /* Only what verifies is remembered, so that a copy with a bogus
       * signature cannot stand for (and hide) the real one. */
      else if (!g_hash_table_add (statements, doc))
        entry.reason = g_strdup ("it repeats a document read before: the same text signed by "
                                 "the same key");
      else if (rein_document_find_repeated_label (doc) != NULL)
        entry.reason = g_strdup_printf ("it gives “%s” twice: readers could take either",
                                        rein_document_find_repeated_label (doc));
      else if (rein_directory_lookup_delegate (directory, rein_document_get_signer (doc)) == NULL)
        entry.reason = g_strdup ("its signer has no valid enrollment naming it as delegate");
      else if (lookup_claim (directory, rein_document_get_signer (doc), signer_master (doc))
               == NULL)
        entry.reason = g_strdup ("no enrollment binds its signer to the master address it gives");
      else if (n_creators > 1 && rein_document_get_document_type (doc)
                                   == REIN_DOCUMENT_TYPE_JOB_POSTING)
        entry.reason = g_strdup_printf ("%u different creators posted this Job ID: the job is "
                                        "ambiguous until one of them is chosen", n_creators);
      else if ((entry.reason = check_signer_name (doc, directory)) == NULL)
        {
          /* (c) consistency, (d) who may write this step */
          switch (rein_document_get_document_type (doc))
            {
            case REIN_DOCUMENT_TYPE_JOB_POSTING:
              entry.reason = check_posting (self, doc, directory);
              break;
            case REIN_DOCUMENT_TYPE_BID:
              entry.reason = check_bid (self, doc);
              break;
            case REIN_DOCUMENT_TYPE_OFFER:
              entry.reason = check_offer (self, doc, &awarded);
              break;
            default:
              entry.reason = check_later (self, doc);
              break;
            }
        }
      entry.valid = entry.reason == NULL;
      if (entry.valid)
        accept_document (self, doc, awarded);
      if (entry.valid && rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_JOB_POSTING)
        {
          ReinDocument *enrollment = lookup_claim (directory, self->mediator_key,
                                                   field (doc, REIN_LABEL_MEDIATOR_MASTER_ADDRESS));

          g_set_object (&self->mediator_enrollment, enrollment);
        }
      g_array_append_val (self->entries, entry);
    }
  self->state = derive_state (self);
  return self;
}

ReinJob *
rein_job_new_for_creator (const gchar *job_id,
                          const gchar *creator_key,
                          GPtrArray *documents,
                          ReinDirectory *directory)
{
  g_return_val_if_fail (job_id != NULL && documents != NULL && directory != NULL, NULL);

  return build_job (job_id, creator_key, 1, documents, directory);
}

ReinJob *
rein_job_new (const gchar *job_id, GPtrArray *documents, ReinDirectory *directory)
{
  g_auto (GStrv) creators = NULL;
  guint n;

  g_return_val_if_fail (job_id != NULL, NULL);
  g_return_val_if_fail (documents != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  creators = rein_job_find_creators (job_id, documents, directory);
  n = g_strv_length (creators);
  return build_job (job_id, n == 1 ? creators[0] : NULL, n, documents, directory);
}

const gchar *
rein_job_get_id (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->id;
}

const gchar *
rein_job_get_name (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->posting ? field (self->posting, REIN_LABEL_JOB_NAME) : NULL;
}

ReinDocument *
rein_job_get_posting (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->posting;
}

ReinJobState
rein_job_get_state (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), REIN_JOB_STATE_NONE);
  return self->state;
}

const gchar *
rein_job_get_creator_key (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->creator_key;
}

const gchar *
rein_job_get_mediator_key (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->mediator_key;
}

const gchar *
rein_job_get_worker_key (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->worker_key;
}

GPtrArray *
rein_job_get_bids (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->bids;
}

ReinDocument *
rein_job_get_offer (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  return self->offer;
}

ReinDocument *
rein_job_get_step_base (ReinJob *self, ReinActions action)
{
  ReinDocument *base = NULL;

  g_return_val_if_fail (REIN_IS_JOB (self), NULL);

  switch (action)
    {
    case REIN_ACTION_BID:
      return self->posting;
    case REIN_ACTION_DELIVER:
      return self->offer;
    case REIN_ACTION_ACCEPT:
      return self->delivery;
    case REIN_ACTION_WORKER_DISPUTE:
      base = self->accept;
      G_GNUC_FALLTHROUGH;
    case REIN_ACTION_CREATOR_DISPUTE:
      if (base == NULL)
        base = self->delivery;
      return base != NULL ? base : self->offer;
    case REIN_ACTION_RESOLVE:
      return self->worker_dispute != NULL ? self->worker_dispute : self->creator_dispute;
    case REIN_ACTION_OFFER: /* an offer copies the bid it awards */
    default:
      return NULL;
    }
}

ReinDocument *
rein_job_get_document (ReinJob *self, ReinDocumentType type)
{
  g_return_val_if_fail (REIN_IS_JOB (self), NULL);

  switch (type)
    {
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      return self->posting;
    case REIN_DOCUMENT_TYPE_BID:
      return self->bids->len ? g_ptr_array_index (self->bids, self->bids->len - 1) : NULL;
    case REIN_DOCUMENT_TYPE_OFFER:
      return self->offer;
    case REIN_DOCUMENT_TYPE_DELIVERY:
      return self->delivery;
    case REIN_DOCUMENT_TYPE_ACCEPT:
      return self->accept;
    case REIN_DOCUMENT_TYPE_CREATOR_DISPUTE:
      return self->creator_dispute;
    case REIN_DOCUMENT_TYPE_WORKER_DISPUTE:
      return self->worker_dispute;
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      return self->resolution;
    default:
      return NULL;
    }
}

guint
rein_job_get_n_entries (ReinJob *self)
{
  g_return_val_if_fail (REIN_IS_JOB (self), 0);
  return self->entries->len;
}

ReinDocument *
rein_job_get_entry (ReinJob *self, guint index, gboolean *out_valid, const gchar **out_reason)
{
  Entry *e;

  g_return_val_if_fail (REIN_IS_JOB (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  e = &g_array_index (self->entries, Entry, index);
  if (out_valid)
    *out_valid = e->valid;
  if (out_reason)
    *out_reason = e->reason;
  return e->doc;
}

static gboolean
has_bid_from (ReinJob *self, const gchar *key)
{
  for (guint i = 0; i < self->bids->len; i++)
    if (same_public_key (field (g_ptr_array_index (self->bids, i), REIN_LABEL_WORKER_PUBLIC_KEY),
                         key))
      return TRUE;
  return FALSE;
}

ReinRole
rein_job_get_role (ReinJob *self, const gchar *public_key_hex)
{
  g_return_val_if_fail (REIN_IS_JOB (self), REIN_ROLE_NONE);

  if (public_key_hex == NULL || self->posting == NULL)
    return REIN_ROLE_NONE;
  if (same_public_key (public_key_hex, self->creator_key))
    return REIN_ROLE_CREATOR;
  if (same_public_key (public_key_hex, self->mediator_key))
    return REIN_ROLE_MEDIATOR;
  if (self->worker_key ? same_public_key (public_key_hex, self->worker_key)
                       : has_bid_from (self, public_key_hex))
    return REIN_ROLE_WORKER;
  return REIN_ROLE_NONE;
}

ReinActions
rein_job_get_actions (ReinJob *self, const gchar *public_key_hex)
{
  ReinRole role = rein_job_get_role (self, public_key_hex);
  ReinActions actions = 0;
  gboolean awarded_worker = role == REIN_ROLE_WORKER && self->worker_key != NULL;

  switch (self->state)
    {
    case REIN_JOB_STATE_POSTED:
    case REIN_JOB_STATE_BIDS:
      if (role == REIN_ROLE_NONE || role == REIN_ROLE_WORKER)
        actions |= REIN_ACTION_BID;
      if (role == REIN_ROLE_CREATOR && self->state == REIN_JOB_STATE_BIDS)
        actions |= REIN_ACTION_OFFER;
      break;
    case REIN_JOB_STATE_AWARDED:
      if (awarded_worker)
        actions |= REIN_ACTION_DELIVER | REIN_ACTION_WORKER_DISPUTE;
      if (role == REIN_ROLE_CREATOR)
        actions |= REIN_ACTION_CREATOR_DISPUTE;
      break;
    case REIN_JOB_STATE_DELIVERED:
      if (role == REIN_ROLE_CREATOR)
        actions |= REIN_ACTION_ACCEPT | REIN_ACTION_CREATOR_DISPUTE;
      if (awarded_worker)
        actions |= REIN_ACTION_WORKER_DISPUTE;
      break;
    case REIN_JOB_STATE_ACCEPTED:
      if (awarded_worker)
        actions |= REIN_ACTION_WORKER_DISPUTE;
      break;
    case REIN_JOB_STATE_CREATOR_DISPUTE:
      if (awarded_worker)
        actions |= REIN_ACTION_WORKER_DISPUTE;
      if (role == REIN_ROLE_MEDIATOR)
        actions |= REIN_ACTION_RESOLVE;
      break;
    case REIN_JOB_STATE_WORKER_DISPUTE:
      if (role == REIN_ROLE_CREATOR && self->creator_dispute == NULL && self->accept == NULL)
        actions |= REIN_ACTION_CREATOR_DISPUTE;
      if (role == REIN_ROLE_MEDIATOR)
        actions |= REIN_ACTION_RESOLVE;
      break;
    case REIN_JOB_STATE_NONE:
    case REIN_JOB_STATE_RESOLVED:
      break;
    }
  return actions;
}

ReinRole
rein_job_get_waiting_for (ReinJob *self, ReinActions *out_actions)
{
  ReinActions actions = 0;
  ReinRole role = REIN_ROLE_NONE;

  g_return_val_if_fail (REIN_IS_JOB (self), REIN_ROLE_NONE);

  switch (self->state)
    {
    case REIN_JOB_STATE_POSTED:
      role = REIN_ROLE_WORKER;
      actions = REIN_ACTION_BID;
      break;
    case REIN_JOB_STATE_BIDS:
      role = REIN_ROLE_CREATOR;
      actions = REIN_ACTION_OFFER;
      break;
    case REIN_JOB_STATE_AWARDED:
      role = REIN_ROLE_WORKER;
      actions = REIN_ACTION_DELIVER;
      break;
    case REIN_JOB_STATE_DELIVERED:
      role = REIN_ROLE_CREATOR;
      actions = REIN_ACTION_ACCEPT | REIN_ACTION_CREATOR_DISPUTE;
      break;
    case REIN_JOB_STATE_CREATOR_DISPUTE:
    case REIN_JOB_STATE_WORKER_DISPUTE:
      role = REIN_ROLE_MEDIATOR;
      actions = REIN_ACTION_RESOLVE;
      break;
    case REIN_JOB_STATE_NONE:
    case REIN_JOB_STATE_ACCEPTED:
    case REIN_JOB_STATE_RESOLVED:
    default:
      break;
    }
  if (out_actions != NULL)
    *out_actions = actions;
  return role;
}

gchar *
rein_job_explain_refusal (ReinJob *self, const gchar *public_key_hex, ReinActions action)
{
  ReinRole role = rein_job_get_role (self, public_key_hex);

  g_return_val_if_fail (REIN_IS_JOB (self), NULL);

  if (rein_job_get_actions (self, public_key_hex) & action)
    return NULL;
  if (self->posting == NULL)
    return g_strdup_printf ("Job %s has no valid posting", self->id);

  switch (action)
    {
    case REIN_ACTION_BID:
      if (role == REIN_ROLE_CREATOR)
        return g_strdup ("You cannot bid on your own job");
      if (role == REIN_ROLE_MEDIATOR)
        return g_strdup ("You are this job's mediator: you cannot bid on it");
      break;
    case REIN_ACTION_OFFER:
      if (role != REIN_ROLE_CREATOR)
        return g_strdup ("Only the job's creator can award a bid, and this job is not yours");
      if (self->state == REIN_JOB_STATE_POSTED)
        return g_strdup ("There are no bids to award yet");
      break;
    case REIN_ACTION_DELIVER:
      if (role != REIN_ROLE_WORKER || self->worker_key == NULL)
        return g_strdup ("Only the worker who won the job can deliver, and you did not win it");
      break;
    case REIN_ACTION_ACCEPT:
      if (role != REIN_ROLE_CREATOR)
        return g_strdup ("Only the job's creator can accept the delivery");
      if (self->state != REIN_JOB_STATE_DELIVERED)
        return g_strdup ("There is no delivery to accept");
      break;
    case REIN_ACTION_CREATOR_DISPUTE:
      if (role != REIN_ROLE_CREATOR)
        return g_strdup ("Only the job's creator can file a creator dispute");
      break;
    case REIN_ACTION_WORKER_DISPUTE:
      if (role != REIN_ROLE_WORKER || self->worker_key == NULL)
        return g_strdup ("Only the worker who won the job can file a worker dispute");
      break;
    case REIN_ACTION_RESOLVE:
      if (role != REIN_ROLE_MEDIATOR)
        return g_strdup ("Only the job's mediator can resolve a dispute, and you are not it");
      if (self->state != REIN_JOB_STATE_CREATOR_DISPUTE
          && self->state != REIN_JOB_STATE_WORKER_DISPUTE)
        return g_strdup ("The job is not disputed: there is nothing to resolve");
      break;
    }
  return g_strdup_printf ("Not allowed now: the job is %s",
                          rein_job_state_describe (self->state));
}
