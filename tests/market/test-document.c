/* test-document.c: Rein documents: parse, armor, verify, build
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "rein-market.h"

/* ---- Fixtures ---- */

typedef struct
{
  ReinPrivateKey *master;
  ReinPrivateKey *delegate;
  gchar *master_address;
  gchar *delegate_address;
  gchar *delegate_public_key;
  ReinDocument *enrollment;
} Party;

typedef struct
{
  Party creator;
  Party mediator;
  Party worker;
} Parties;

static ReinPrivateKey *
key_from_byte (guint8 b)
{
  guint8 secret[32];
  ReinPrivateKey *key;

  memset (secret, b, sizeof secret);
  key = rein_private_key_new_from_bytes (secret, TRUE, NULL);
  g_assert_nonnull (key);
  return key;
}

static void
party_init (Party *party,
            const gchar *name,
            guint8 seed,
            gboolean mediator,
            ReinNetwork network)
{
  ReinEnrollmentParams params = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", name);

  party->master = key_from_byte (seed);
  party->delegate = key_from_byte (seed + 1);
  party->master_address = rein_private_key_get_address (party->master, network);
  party->delegate_address = rein_private_key_get_address (party->delegate, network);
  party->delegate_public_key = rein_private_key_get_public_key_hex (party->delegate);

  params.user = name;
  params.contact = contact;
  params.master_address = party->master_address;
  params.delegate_address = party->delegate_address;
  params.willing_to_mediate = mediator;
  params.delegate_public_key = party->delegate_public_key;
  params.mediator_fee_percent = 1.0;
  params.testnet = network == REIN_NETWORK_TESTNET;

  text = rein_document_build_enrollment (&params, &error);
  g_assert_no_error (error);
  party->enrollment = rein_document_sign (text, party->master, party->delegate, network, &error);
  g_assert_no_error (error);
  g_assert_nonnull (party->enrollment);
}

static void
party_clear (Party *party)
{
  g_clear_pointer (&party->master, rein_private_key_free);
  g_clear_pointer (&party->delegate, rein_private_key_free);
  g_clear_pointer (&party->master_address, g_free);
  g_clear_pointer (&party->delegate_address, g_free);
  g_clear_pointer (&party->delegate_public_key, g_free);
  g_clear_object (&party->enrollment);
}

static void
parties_init (Parties *parties,
              ReinNetwork network)
{
  party_init (&parties->creator, "Bob", 0x11, FALSE, network);
  party_init (&parties->mediator, "Alice", 0x21, TRUE, network);
  party_init (&parties->worker, "Charlie", 0x31, FALSE, network);
}

static void
parties_clear (Parties *parties)
{
  party_clear (&parties->creator);
  party_clear (&parties->mediator);
  party_clear (&parties->worker);
}

/* Parses @armored afresh and verifies it. */
static ReinDocument *
reparse (ReinDocument *doc)
{
  g_autoptr(GError) error = NULL;
  ReinDocument *copy;

  copy = rein_document_new_from_armored (rein_document_get_armored (doc), -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpint (rein_document_get_verification (copy), ==, REIN_VERIFICATION_UNCHECKED);
  g_assert_true (rein_document_verify (copy, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rein_document_get_verification (copy), ==, REIN_VERIFICATION_VALID);
  g_assert_cmpstr (rein_document_get_text (copy), ==, rein_document_get_text (doc));
  g_assert_cmpstr (rein_document_get_hash (copy), ==, rein_document_get_hash (doc));
  return copy;
}

static void
assert_labels (ReinDocument *doc,
               const gchar *const *expected)
{
  GPtrArray *fields = rein_document_get_fields (doc);
  guint n = g_strv_length ((gchar **) expected);

  for (guint i = 0; i < MIN (n, fields->len); i++)
    {
      const ReinField *field = g_ptr_array_index (fields, i);

      g_assert_cmpstr (field->label, ==, expected[i]);
    }
  g_assert_cmpuint (fields->len, ==, n);
}

static const gchar *
shared_dir (void)
{
  const gchar *dir = g_getenv ("REIN_SHARED_DIR");

  return dir != NULL ? dir : "../shared";
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *) a, *(const gchar *const *) b);
}

/* The signed vectors as (basename, contents) pairs, or NULL after calling
 * g_test_skip(). */
static GPtrArray *
load_vectors (void)
{
  g_autofree gchar *path = g_build_filename (shared_dir (), "vectors", "signed", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *vectors;
  const gchar *name;

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      g_autofree gchar *msg = g_strdup_printf ("%s is absent: no signed vectors to check", path);
      g_test_skip (msg);
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);
      g_autoptr(GError) error = NULL;
      gchar *contents;
      gsize len;

      g_file_get_contents (file, &contents, &len, &error);
      g_assert_no_error (error);
      g_ptr_array_add (vectors, g_bytes_new_take (contents, len));
    }
  g_assert_cmpuint (vectors->len, >, 0);
  return vectors;
}

/* ---- Shared vectors ---- */

static void
test_vectors_verify (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  guint enrollments = 0;
  guint jobs = 0;
  guint bids = 0;
  guint offers = 0;
  guint unknown = 0;

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (vectors, i);
      gsize len;
      const gchar *data = g_bytes_get_data (bytes, &len);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReinDocument) doc = NULL;
      g_autofree gchar *hash = NULL;

      doc = rein_document_new_from_armored (data, (gssize) len, &error);
      if (doc == NULL)
        {
          /* Not a Rein document (PROTOCOL.md section 2): the market refuses
           * it, verification tools read it as type unknown. */
          g_assert_true (error->domain == REIN_MARKET_ERROR);
          g_clear_error (&error);
          doc = rein_document_new_from_armored_any (data, (gssize) len, &error);
          g_assert_no_error (error);
          g_assert_cmpint (rein_document_get_document_type (doc), ==,
                           REIN_DOCUMENT_TYPE_UNKNOWN);
          for (ReinDocument *inner = rein_document_get_wrapped (doc); inner != NULL;
               inner = rein_document_get_wrapped (inner))
            {
              g_assert_true (rein_document_verify (inner, &error));
              g_assert_no_error (error);
            }
        }
      g_assert_true (rein_document_verify (doc, &error));
      g_assert_no_error (error);
      g_assert_cmpint (rein_document_get_verification (doc), ==, REIN_VERIFICATION_VALID);
      g_assert_null (rein_document_get_verification_error (doc));
      /* the network's documents give each label once (a job refuses one
       * that gives a label twice) */
      g_assert_null (rein_document_find_repeated_label (doc));

      hash = rein_sha256_hex (data, len);
      g_assert_cmpstr (rein_document_get_hash (doc), ==, hash);
      g_assert_cmpmem (rein_document_get_armored (doc), strlen (rein_document_get_armored (doc)),
                       data, len);

      switch (rein_document_get_document_type (doc))
        {
        case REIN_DOCUMENT_TYPE_ENROLLMENT:
          enrollments++;
          g_assert_cmpstr (rein_document_get_field (doc, REIN_LABEL_MASTER_ADDRESS), ==,
                           rein_document_get_signer (doc));
          break;
        case REIN_DOCUMENT_TYPE_JOB_POSTING:
          jobs++;
          break;
        case REIN_DOCUMENT_TYPE_BID:
          bids++;
          break;
        case REIN_DOCUMENT_TYPE_OFFER:
          offers++;
          break;
        case REIN_DOCUMENT_TYPE_UNKNOWN:
          unknown++;
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* ../shared/vectors/README.md */
  g_assert_cmpuint (unknown, ==, 3);
  g_assert_cmpuint (enrollments, ==, 4);
  g_assert_cmpuint (jobs, ==, 3);
  g_assert_cmpuint (bids, ==, 2);
  g_assert_cmpuint (offers, ==, 2);
}

/* Is @pos inside the signed text or the signature line of @data? Those
 * positions cost a signature check per variant, the others are cheap. */
static gboolean
is_expensive_position (const gchar *data,
                       gsize len,
                       gsize pos)
{
  const gchar *sep = g_strstr_len (data, (gssize) len, "\n" REIN_ARMOR_SIGNATURE "\n");
  const gchar *footer = g_strstr_len (data, (gssize) len, "\n" REIN_ARMOR_FOOTER);
  gsize body_start = strlen (REIN_ARMOR_HEADER) + 1;

  g_assert_nonnull (sep);
  g_assert_nonnull (footer);
  if (pos >= body_start && pos < (gsize) (sep - data))
    return TRUE;
  /* the signature line: after the address line, before the footer */
  return pos > (gsize) (sep - data) + strlen (REIN_ARMOR_SIGNATURE) + 1
         && pos < (gsize) (footer - data)
         && memchr (data + pos, '\n', (gsize) (footer - data) - pos) == NULL;
}

static void
check_variant (const gchar *variant,
               gsize len,
               gsize pos,
               guint *n_parse_failures,
               guint *n_verify_failures)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReinDocument) doc = NULL;

  /* _any: a change to a title still has to fail verification, and the
   * untitled and wrapping vectors are read at all. */
  doc = rein_document_new_from_armored_any (variant, (gssize) len, &error);
  if (doc == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == REIN_MARKET_ERROR);
      (*n_parse_failures)++;
      return;
    }

  if (rein_document_verify (doc, &error))
    g_error ("A change at offset %" G_GSIZE_FORMAT " still verifies:\n%.*s", pos,
             (gint) len, variant);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_BAD_SIGNATURE)
                 || g_error_matches (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_WRONG_SIGNER)
                 || g_error_matches (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD));
  g_assert_cmpint (rein_document_get_verification (doc), ==, REIN_VERIFICATION_INVALID);
  (*n_verify_failures)++;
}

static void
test_vectors_mutations (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  guint n_parse_failures = 0;
  guint n_verify_failures = 0;

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      gsize len;
      const gchar *data = g_bytes_get_data (g_ptr_array_index (vectors, i), &len);
      /* Exactly @len bytes, no terminating NUL: ASan sees any over-read. */
      g_autofree gchar *variant = g_malloc (len);
      /* after the footer only blank characters may follow, and they do not
       * change the document */
      gsize footer_end = (gsize) (g_strstr_len (data, (gssize) len, REIN_ARMOR_FOOTER) - data)
                         + strlen (REIN_ARMOR_FOOTER);

      for (gsize pos = 0; pos < len; pos++)
        {
          gchar orig = data[pos];

          memcpy (variant, data, len);
          if (is_expensive_position (data, len, pos))
            {
              /* A handful of different printable characters. */
              const gchar candidates[] = {
                (gchar) (orig ^ 0x01), (gchar) (orig ^ 0x20), ' ', '~', 'A',
                (gchar) (0x20 + (pos * 7 + (guchar) orig) % 95),
              };
              gboolean seen[256] = { FALSE };

              for (guint k = 0; k < G_N_ELEMENTS (candidates); k++)
                {
                  guchar c = (guchar) candidates[k];

                  if (c < 0x20 || c > 0x7e || c == (guchar) orig || seen[c])
                    continue;
                  seen[c] = TRUE;
                  variant[pos] = (gchar) c;
                  check_variant (variant, len, pos, &n_parse_failures, &n_verify_failures);
                }
            }
          else
            {
              /* Every other printable character. */
              for (guchar c = 0x20; c <= 0x7e; c++)
                {
                  if (c == (guchar) orig)
                    continue;
                  variant[pos] = (gchar) c;
                  if (pos >= footer_end && c == ' ')
                    {
                      g_autoptr(ReinDocument) same = NULL;

                      same = rein_document_new_from_armored_any (variant, (gssize) len, NULL);
                      g_assert_true (rein_document_verify (same, NULL));
                      continue;
                    }
                  check_variant (variant, len, pos, &n_parse_failures, &n_verify_failures);
                }
            }
        }
    }

  g_test_message ("%u variants refused by the parser, %u by verification",
                  n_parse_failures, n_verify_failures);
  g_assert_cmpuint (n_verify_failures, >, 0);
  g_assert_cmpuint (n_parse_failures, >, 0);
}

static void
test_vectors_old_labels (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  guint checked = 0;

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      gsize len;
      const gchar *data = g_bytes_get_data (g_ptr_array_index (vectors, i), &len);
      g_autoptr(ReinDocument) doc = rein_document_new_from_armored_any (data, (gssize) len, NULL);

      g_assert_nonnull (doc);
      if (rein_document_get_field (doc, "Mediator pubkey") != NULL)
        {
          /* enrollment-alice-mediator */
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY), ==,
                           "029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005");
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_MEDIATOR_FEE), ==, "1.0%");
          g_assert_null (rein_document_get_field (doc, REIN_LABEL_MEDIATOR_FEE));
          checked++;
        }
      /* job-flyer and job-widget; job-mainnet-theme-song has other labels */
      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_JOB_POSTING
          && rein_document_get_field (doc, "Job creator's name") != NULL)
        {
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_JOB_CREATOR), ==, "Bob");
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_MEDIATOR), ==, "Alice");
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY), ==,
                           "026bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc");
          g_assert_true (rein_job_id_is_valid (rein_document_lookup (doc, REIN_LABEL_JOB_ID)));
          /* the old order is kept */
          g_assert_cmpstr (((ReinField *) g_ptr_array_index (rein_document_get_fields (doc), 0))
                             ->label, ==, "Job creator's name");
          checked++;
        }
      /* bid-widget */
      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_BID
          && g_str_has_prefix (rein_document_lookup (doc, REIN_LABEL_DESCRIPTION), "Hi Bob"))
        {
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_WORKER), ==, "Charlie");
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_WORKER_PUBLIC_KEY), ==,
                           "02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519");
          g_assert_cmpstr (rein_document_lookup (doc, REIN_LABEL_BID_AMOUNT), ==, "0.05");
          g_assert_true (g_str_has_prefix (rein_document_lookup (doc, REIN_LABEL_DESCRIPTION),
                                           "Hi Bob"));
          checked++;
        }
    }

  g_assert_cmpuint (checked, ==, 4);
  g_assert_cmpstr (rein_label_canonical ("Mediation fee"), ==, REIN_LABEL_MEDIATOR_FEE);
  g_assert_cmpstr (rein_label_canonical ("Mediator pubkey"), ==, REIN_LABEL_MEDIATOR_PUBLIC_KEY);
  g_assert_cmpstr (rein_label_canonical ("Job name"), ==, "Job name");
  g_assert_null (rein_label_aliases ("Job name"));
}

static void
test_vectors_crlf (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      gsize len;
      const gchar *data = g_bytes_get_data (g_ptr_array_index (vectors, i), &len);
      g_autoptr(GString) crlf = g_string_new (NULL);
      g_autoptr(ReinDocument) doc = NULL;
      g_autoptr(ReinDocument) orig = NULL;
      g_autoptr(GError) error = NULL;

      for (gsize j = 0; j < len; j++)
        {
          if (data[j] == '\n')
            g_string_append_c (crlf, '\r');
          g_string_append_c (crlf, data[j]);
        }

      doc = rein_document_new_from_armored_any (crlf->str, (gssize) crlf->len, &error);
      g_assert_no_error (error);
      g_assert_true (rein_document_verify (doc, &error));
      g_assert_no_error (error);
      orig = rein_document_new_from_armored_any (data, (gssize) len, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (rein_document_get_text (doc), ==, rein_document_get_text (orig));
      g_assert_null (strchr (rein_document_get_text (doc), '\r'));
    }
}

/* ---- Round trips of every type ---- */

static const gchar *const enrollment_labels[] = {
  "User", "Contact", "Master signing address", "Secure Identity Number",
  "Delegate signing address", "Willing to mediate", NULL
};
static const gchar *const mediator_enrollment_labels[] = {
  "User", "Contact", "Master signing address", "Secure Identity Number",
  "Delegate signing address", "Willing to mediate", "Mediator public key", "Mediator fee", NULL
};
static const gchar *const testnet_mediator_enrollment_labels[] = {
  "User", "Contact", "Master signing address", "Secure Identity Number",
  "Delegate signing address", "Willing to mediate", "Mediator public key", "Mediator fee",
  "Testnet", NULL
};
static const gchar *const job_labels[] = {
  "Job name", "Job ID", "Category", "Description", "Mediator", "Mediator contact",
  "Mediator fee", "Mediator public key", "Mediator master address", "Job creator",
  "Job creator contact", "Job creator public key", "Job creator master address", NULL
};
static const gchar *const bid_labels[] = {
  "Job name", "Worker", "Worker contact", "Worker master address", "Description",
  "Bid amount (BTC)", "Primary escrow address", "Mediator escrow address", "Job ID",
  "Job creator", "Job creator public key", "Mediator public key", "Worker public key",
  "Primary escrow redeem script", "Mediator escrow redeem script", NULL
};
static const gchar *const offer_labels[] = {
  "Job name", "Worker", "Description", "Bid amount (BTC)", "Primary escrow address",
  "Mediator escrow address", "Job ID", "Job creator", "Job creator public key",
  "Mediator public key", "Worker public key", "Primary escrow redeem script",
  "Mediator escrow redeem script", NULL
};
static const gchar *const delivery_labels[] = {
  "Job name", "Job ID", "Deliverables", "Bid amount (BTC)", "Primary escrow address",
  "Mediator escrow address", "Primary escrow redeem script", "Mediator escrow redeem script",
  "Worker public key", "Mediator public key", "Job creator public key", NULL
};
static const gchar *const accept_labels[] = {
  "Job name", "Job ID", "Signed primary payment", "Signed mediator payment",
  "Primary escrow redeem script", "Mediator escrow redeem script", NULL
};
static const gchar *const dispute_labels[] = {
  "Job name", "Job ID", "Dispute detail", "Primary escrow redeem script",
  "Mediator escrow redeem script", NULL
};
static const gchar *const resolution_labels[] = {
  "Job name", "Job ID", "Resolution", "Signed primary payment", "Signed mediator payment", NULL
};

#define PSBT_PRIMARY "cHNidP8BAHECAAAAAQ=="
#define PSBT_MEDIATOR "cHNidP8BAHECAAAAAg=="

static ReinDocument *
sign_checked (const gchar *text,
              Party *party,
              ReinNetwork network,
              ReinDocumentType type,
              const gchar *const *labels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReinDocument) doc = NULL;
  ReinDocument *copy;

  g_assert_nonnull (text);
  doc = rein_document_sign (text, party->master, party->delegate, network, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_document_get_verification (doc), ==, REIN_VERIFICATION_VALID);
  g_assert_cmpint (rein_document_get_document_type (doc), ==, type);
  g_assert_cmpstr (rein_document_get_text (doc), ==, text);
  g_assert_cmpstr (rein_document_get_signer (doc), ==,
                   type == REIN_DOCUMENT_TYPE_ENROLLMENT ? party->master_address
                                                         : party->delegate_address);

  copy = reparse (doc);
  assert_labels (copy, labels);
  return copy;
}

static void
run_job (ReinNetwork network)
{
  Parties p;
  g_autoptr(GError) error = NULL;
  ReinJobParams job_params = { 0 };
  ReinBidParams bid_params = { 0 };
  g_autoptr(ReinEscrow) escrow = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr(ReinDocument) job = NULL;
  g_autoptr(ReinDocument) bid = NULL;
  g_autoptr(ReinDocument) offer = NULL;
  g_autoptr(ReinDocument) delivery = NULL;
  g_autoptr(ReinDocument) accept = NULL;
  g_autoptr(ReinDocument) cdispute = NULL;
  g_autoptr(ReinDocument) wdispute = NULL;
  g_autoptr(ReinDocument) resolution = NULL;
  g_autoptr(ReinDocument) enrollment = NULL;
  const gchar *deliverables = "Files:\n  logo.svg\n  logo.png\nPath: C:\\logos\\n\\";

  parties_init (&p, network);

  /* enrollments, parsed again */
  enrollment = reparse (p.creator.enrollment);
  assert_labels (enrollment, network == REIN_NETWORK_TESTNET
                               ? (const gchar *const[]) {
                                   "User", "Contact", "Master signing address",
                                   "Secure Identity Number", "Delegate signing address",
                                   "Willing to mediate", "Testnet", NULL }
                               : enrollment_labels);
  g_clear_object (&enrollment);
  enrollment = reparse (p.mediator.enrollment);
  assert_labels (enrollment, network == REIN_NETWORK_TESTNET ? testnet_mediator_enrollment_labels
                                                             : mediator_enrollment_labels);
  g_assert_cmpstr (rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_PUBLIC_KEY), ==,
                   p.mediator.delegate_public_key);
  g_assert_cmpstr (rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_FEE), ==, "1.0%");
  g_assert_cmpstr (rein_document_get_field (enrollment, REIN_LABEL_WILLING_TO_MEDIATE), ==,
                   "True");
  if (network == REIN_NETWORK_TESTNET)
    g_assert_cmpstr (rein_document_get_field (enrollment, REIN_LABEL_TESTNET), ==, "True");
  else
    g_assert_null (rein_document_get_field (enrollment, REIN_LABEL_TESTNET));

  /* job posting */
  job_params.job_name = "Logo for a bakery";
  job_params.category = "Graphics";
  job_params.description = "A logo.\nWith bread, and a \\ backslash.\n\nTwo blank lines above.";
  g_assert_true (rein_job_params_set_mediator (&job_params, p.mediator.enrollment, &error));
  g_assert_no_error (error);
  job_params.creator = "Bob";
  job_params.creator_contact = "bob@example.com";
  job_params.creator_public_key = p.creator.delegate_public_key;
  job_params.creator_master_address = p.creator.master_address;
  text = rein_document_build_job_posting (&job_params, &error);
  g_assert_no_error (error);
  job = sign_checked (text, &p.creator, network, REIN_DOCUMENT_TYPE_JOB_POSTING, job_labels);
  g_clear_pointer (&text, g_free);
  g_assert_true (rein_job_id_is_valid (rein_document_get_field (job, REIN_LABEL_JOB_ID)));
  g_assert_cmpstr (rein_document_get_field (job, REIN_LABEL_DESCRIPTION), ==,
                   job_params.description);
  g_assert_null (strstr (rein_document_get_text (job), "\n\n"));
  g_assert_cmpstr (rein_document_get_field (job, REIN_LABEL_MEDIATOR), ==, "Alice");

  /* bid */
  bid_params.worker = "Charlie";
  bid_params.worker_contact = "charlie@example.com";
  bid_params.worker_master_address = p.worker.master_address;
  bid_params.worker_public_key = p.worker.delegate_public_key;
  bid_params.description = "I can do it.\nIn three days.";
  bid_params.bid_amount = "0.05";
  text = rein_document_build_bid (job, &bid_params, network, &error);
  g_assert_no_error (error);
  bid = sign_checked (text, &p.worker, network, REIN_DOCUMENT_TYPE_BID, bid_labels);
  g_clear_pointer (&text, g_free);
  escrow = rein_escrow_new (p.creator.delegate_public_key, p.mediator.delegate_public_key,
                            p.worker.delegate_public_key, network, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_document_get_field (bid, REIN_LABEL_PRIMARY_ESCROW_ADDRESS), ==,
                   escrow->primary_address);
  g_assert_cmpstr (rein_document_get_field (bid, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS), ==,
                   escrow->mediator_address);
  g_assert_cmpstr (rein_document_get_field (bid, REIN_LABEL_PRIMARY_REDEEM_SCRIPT), ==,
                   escrow->primary_script_hex);
  g_assert_cmpstr (rein_document_get_field (bid, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT), ==,
                   escrow->mediator_script_hex);
  g_assert_cmpstr (rein_document_get_field (bid, REIN_LABEL_JOB_ID), ==,
                   rein_document_get_field (job, REIN_LABEL_JOB_ID));

  /* offer: a copy of the bid's values */
  text = rein_document_build_offer (bid, network, &error);
  g_assert_no_error (error);
  offer = sign_checked (text, &p.creator, network, REIN_DOCUMENT_TYPE_OFFER, offer_labels);
  g_clear_pointer (&text, g_free);
  for (guint i = 0; offer_labels[i] != NULL; i++)
    g_assert_cmpstr (rein_document_get_field (offer, offer_labels[i]), ==,
                     rein_document_get_field (bid, offer_labels[i]));

  /* delivery */
  text = rein_document_build_delivery (offer, deliverables, &error);
  g_assert_no_error (error);
  delivery = sign_checked (text, &p.worker, network, REIN_DOCUMENT_TYPE_DELIVERY,
                           delivery_labels);
  g_clear_pointer (&text, g_free);
  g_assert_cmpstr (rein_document_get_field (delivery, REIN_LABEL_DELIVERABLES), ==,
                   deliverables);
  g_assert_cmpstr (rein_document_get_field (delivery, REIN_LABEL_PRIMARY_ESCROW_ADDRESS), ==,
                   escrow->primary_address);

  /* accept */
  text = rein_document_build_accept (delivery, PSBT_PRIMARY, PSBT_MEDIATOR, &error);
  g_assert_no_error (error);
  accept = sign_checked (text, &p.creator, network, REIN_DOCUMENT_TYPE_ACCEPT, accept_labels);
  g_clear_pointer (&text, g_free);
  g_assert_cmpstr (rein_document_get_field (accept, REIN_LABEL_SIGNED_PRIMARY_PAYMENT), ==,
                   PSBT_PRIMARY);

  /* disputes */
  text = rein_document_build_dispute (delivery, REIN_DOCUMENT_TYPE_CREATOR_DISPUTE,
                                      "The logo has no bread.", &error);
  g_assert_no_error (error);
  cdispute = sign_checked (text, &p.creator, network, REIN_DOCUMENT_TYPE_CREATOR_DISPUTE,
                           dispute_labels);
  g_clear_pointer (&text, g_free);
  text = rein_document_build_dispute (accept, REIN_DOCUMENT_TYPE_WORKER_DISPUTE,
                                      "The payment\ndoes not sign.", &error);
  g_assert_no_error (error);
  wdispute = sign_checked (text, &p.worker, network, REIN_DOCUMENT_TYPE_WORKER_DISPUTE,
                           dispute_labels);
  g_clear_pointer (&text, g_free);
  g_assert_cmpstr (rein_document_get_field (wdispute, REIN_LABEL_DISPUTE_DETAIL), ==,
                   "The payment\ndoes not sign.");

  /* resolution */
  text = rein_document_build_resolution (cdispute, "Split 50/50.\nSorry, both.",
                                         PSBT_PRIMARY, PSBT_MEDIATOR, &error);
  g_assert_no_error (error);
  resolution = sign_checked (text, &p.mediator, network, REIN_DOCUMENT_TYPE_RESOLUTION,
                             resolution_labels);
  g_clear_pointer (&text, g_free);
  g_assert_cmpstr (rein_document_get_field (resolution, REIN_LABEL_RESOLUTION), ==,
                   "Split 50/50.\nSorry, both.");
  g_assert_cmpstr (rein_document_get_field (resolution, REIN_LABEL_JOB_ID), ==,
                   rein_document_get_field (job, REIN_LABEL_JOB_ID));

  parties_clear (&p);
}

static void
test_round_trip_mainnet (void)
{
  run_job (REIN_NETWORK_MAINNET);
}

static void
test_round_trip_testnet (void)
{
  run_job (REIN_NETWORK_TESTNET);
}

/* ---- Steps out of order, bad values ---- */

static void
test_builder_errors (void)
{
  Parties p;
  g_autoptr(GError) error = NULL;
  ReinEnrollmentParams enrollment = { 0 };
  ReinJobParams job_params = { 0 };
  ReinBidParams bid_params = { 0 };
  g_autofree gchar *text = NULL;
  g_autoptr(ReinDocument) job = NULL;
  g_autoptr(ReinDocument) bid = NULL;
  g_autoptr(ReinDocument) forged = NULL;
  g_autoptr(GString) tampered = NULL;
  gchar *s;

  parties_init (&p, REIN_NETWORK_MAINNET);

  /* enrollment: missing, wrong network, wrong mediator key, bad fee */
  enrollment.user = "Dave";
  enrollment.master_address = p.creator.master_address;
  enrollment.delegate_address = p.creator.delegate_address;
  s = rein_document_build_enrollment (&enrollment, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD);
  g_assert_null (s);
  g_clear_error (&error);

  enrollment.contact = "dave@example.com\nBcc: eve";
  s = rein_document_build_enrollment (&enrollment, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  enrollment.contact = "dave@example.com";
  enrollment.testnet = TRUE;
  s = rein_document_build_enrollment (&enrollment, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  enrollment.testnet = FALSE;
  enrollment.willing_to_mediate = TRUE;
  enrollment.delegate_public_key = p.worker.delegate_public_key;
  enrollment.mediator_fee_percent = 1.5;
  s = rein_document_build_enrollment (&enrollment, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  enrollment.delegate_public_key = p.creator.delegate_public_key;
  enrollment.mediator_fee_percent = 101;
  s = rein_document_build_enrollment (&enrollment, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  enrollment.mediator_fee_percent = 2.5;
  s = rein_document_build_enrollment (&enrollment, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (s, "\nMediator fee: 2.5%"));
  g_free (s);

  /* a non-mediator cannot be picked as mediator */
  g_assert_false (rein_job_params_set_mediator (&job_params, p.creator.enrollment, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* job posting: bad job ID, the creator mediating, a bad key */
  job_params.job_name = "Widget";
  job_params.category = "Software";
  job_params.description = "A widget";
  g_assert_true (rein_job_params_set_mediator (&job_params, p.mediator.enrollment, &error));
  job_params.creator = "Bob";
  job_params.creator_contact = "bob@example.com";
  job_params.creator_public_key = p.mediator.delegate_public_key;
  job_params.creator_master_address = p.creator.master_address;
  job_params.job_id = "ABCDEFGHIJKLMNOPQRST";
  s = rein_document_build_job_posting (&job_params, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  job_params.job_id = "abcdefghij0123456789";
  s = rein_document_build_job_posting (&job_params, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  job_params.creator_public_key = "02zz";
  s = rein_document_build_job_posting (&job_params, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  job_params.creator_public_key = p.creator.delegate_public_key;
  text = rein_document_build_job_posting (&job_params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "\nJob ID: abcdefghij0123456789\n"));
  job = rein_document_sign (text, NULL, p.creator.delegate, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);

  /* steps out of order */
  s = rein_document_build_offer (job, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);
  s = rein_document_build_delivery (job, "x", &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);
  s = rein_document_build_accept (job, PSBT_PRIMARY, PSBT_MEDIATOR, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);
  s = rein_document_build_dispute (job, REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, "x", &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);
  s = rein_document_build_resolution (job, "x", PSBT_PRIMARY, PSBT_MEDIATOR, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);
  s = rein_document_build_bid (p.creator.enrollment, &bid_params, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);

  /* bids: bad amounts, the mediator bidding */
  bid_params.worker = "Charlie";
  bid_params.worker_contact = "charlie@example.com";
  bid_params.worker_master_address = p.worker.master_address;
  bid_params.worker_public_key = p.worker.delegate_public_key;
  bid_params.description = "Sure";
  {
    const gchar *bad[] = { "0", "0.0", "-1", "1e3", "0.123456789", ".5", "5.", "1,5",
                           "21000001", "abc", " 1" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        bid_params.bid_amount = bad[i];
        s = rein_document_build_bid (job, &bid_params, REIN_NETWORK_MAINNET, &error);
        g_assert_null (s);
        g_assert_nonnull (error);
        g_clear_error (&error);
      }
  }
  bid_params.bid_amount = "1.5";
  bid_params.worker_public_key = p.mediator.delegate_public_key;
  s = rein_document_build_bid (job, &bid_params, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  bid_params.worker_public_key = p.worker.delegate_public_key;
  text = rein_document_build_bid (job, &bid_params, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  bid = rein_document_sign (text, NULL, p.worker.delegate, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);

  /* a bid whose escrow does not match its keys cannot be offered */
  {
    g_autofree gchar *primary = g_strconcat ("Primary escrow address: ",
                                             rein_document_get_field (
                                               bid, REIN_LABEL_PRIMARY_ESCROW_ADDRESS), NULL);
    g_autofree gchar *swapped = g_strconcat ("Primary escrow address: ",
                                             rein_document_get_field (
                                               bid, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS), NULL);

    tampered = g_string_new (text);
    g_assert_cmpuint (g_string_replace (tampered, primary, swapped, 0), ==, 1);
    forged = rein_document_sign (tampered->str, NULL, p.worker.delegate, REIN_NETWORK_MAINNET,
                                 &error);
    g_assert_no_error (error);
    s = rein_document_build_offer (forged, REIN_NETWORK_MAINNET, &error);
    g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
    g_assert_null (s);
    g_clear_error (&error);
    g_clear_object (&forged);
  }

  /* an offer on the wrong network does not match the bid's escrow */
  s = rein_document_build_offer (bid, REIN_NETWORK_TESTNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_clear_error (&error);

  /* signing without the key the type needs */
  forged = rein_document_sign (text, p.creator.master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_assert_null (forged);
  g_clear_error (&error);
  forged = rein_document_sign ("Rein Jobs\nA: b", NULL, p.creator.delegate,
                               REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE);
  g_clear_error (&error);

  parties_clear (&p);
}

static void
test_offer_from_old_bid (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  g_autoptr(GError) error = NULL;

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      gsize len;
      const gchar *data = g_bytes_get_data (g_ptr_array_index (vectors, i), &len);
      g_autoptr(ReinDocument) doc = rein_document_new_from_armored (data, (gssize) len, NULL);
      g_autofree gchar *text = NULL;

      /* doc is NULL for the vectors that are not Rein documents */
      if (doc == NULL || rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_BID)
        continue;

      /* The old bid lacks Job name and the mediator key: an offer needs them. */
      text = rein_document_build_offer (doc, REIN_NETWORK_MAINNET, &error);
      g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD);
      g_assert_null (text);
      g_clear_error (&error);
    }
}

/* ---- Fields and escapes ---- */

static void
test_multiline (void)
{
  const gchar *values[] = {
    "",
    "one line",
    "two\nlines",
    "trailing newline\n",
    "\n\nleading newlines",
    "a backslash \\ here",
    "a literal backslash-n: \\n (not a newline)",
    "ends with a backslash \\",
    "\\\\\\n\n\\",
    "windows\r\nline breaks",
    "unicode: ünïcödé 💼\nsecond",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree gchar *escaped = rein_field_escape (values[i]);
      g_autofree gchar *back = rein_field_unescape (escaped);
      g_autoptr(GPtrArray) fields = rein_fields_new ();
      g_autoptr(GPtrArray) parsed = NULL;
      g_autofree gchar *title = NULL;
      g_autofree gchar *text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) expected = g_string_new (values[i]);

      g_string_replace (expected, "\r\n", "\n", 0);
      g_assert_null (strchr (escaped, '\n'));
      g_assert_cmpstr (back, ==, expected->str);

      rein_fields_add (fields, "Job name", "x");
      rein_fields_add (fields, "Description", values[i]);
      rein_fields_add (fields, "Deliverables", values[i]);
      rein_fields_add (fields, "Dispute detail", values[i]);
      rein_fields_add (fields, "Resolution", values[i]);
      text = rein_document_text_build ("Rein Job", fields, &error);
      g_assert_no_error (error);
      g_assert_true (rein_document_text_parse (text, strlen (text), &title, &parsed, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (title, ==, "Rein Job");
      g_assert_cmpuint (parsed->len, ==, 5);
      for (guint j = 1; j < 5; j++)
        g_assert_cmpstr (((ReinField *) g_ptr_array_index (parsed, j))->value, ==,
                         expected->str);
    }

  /* reading is lenient with unknown escapes written by old clients */
  {
    g_autofree gchar *v = rein_field_unescape ("C:\\temp\\x and \\t");

    g_assert_cmpstr (v, ==, "C:\\temp\\x and \\t");
  }

  /* single-line labels keep backslashes as they are */
  {
    g_autoptr(GPtrArray) fields = NULL;
    const gchar *text = "Rein Job\nJob name: a\\nb\nDescription: a\\nb";

    g_assert_true (rein_document_text_parse (text, strlen (text), NULL, &fields, NULL));
    g_assert_cmpstr (rein_fields_lookup (fields, "Job name"), ==, "a\\nb");
    g_assert_cmpstr (rein_fields_lookup (fields, "Description"), ==, "a\nb");
  }

  g_assert_true (rein_field_label_is_multiline ("Description"));
  g_assert_true (rein_field_label_is_multiline ("Deliverables"));
  g_assert_true (rein_field_label_is_multiline ("Dispute detail"));
  g_assert_true (rein_field_label_is_multiline ("Resolution"));
  g_assert_false (rein_field_label_is_multiline ("Job name"));
  g_assert_false (rein_field_label_is_multiline ("description"));
  g_assert_false (rein_field_label_is_multiline (NULL));
}

static void
test_unknown_labels (void)
{
  const gchar *text = "Rein Bid\n"
                      "Zebra: 1\n"
                      "Job name: x\n"
                      "Time: 1500000000\n"
                      "Payment input 0: abcd:0\n"
                      "Job name: second one\n"
                      "Empty: \n"
                      "Stripped:\n"
                      "Colon:in: label: value: more";
  const gchar *expected[][2] = {
    { "Zebra", "1" },
    { "Job name", "x" },
    { "Time", "1500000000" },
    { "Payment input 0", "abcd:0" },
    { "Job name", "second one" },
    { "Empty", "" },
    { "Stripped", "" },
    { "Colon:in", "label: value: more" },
  };
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree gchar *title = NULL;
  g_autofree gchar *rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x42);
  g_autoptr(ReinDocument) doc = NULL;
  g_autoptr(ReinDocument) copy = NULL;

  g_assert_true (rein_document_text_parse (text, strlen (text), &title, &fields, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (title, ==, "Rein Bid");
  g_assert_cmpuint (fields->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < fields->len; i++)
    {
      const ReinField *field = g_ptr_array_index (fields, i);

      g_assert_cmpstr (field->label, ==, expected[i][0]);
      g_assert_cmpstr (field->value, ==, expected[i][1]);
    }
  g_assert_cmpstr (rein_fields_lookup (fields, "Job name"), ==, "x");

  /* rebuilt, only the stripped label changes back to "Label: " */
  rebuilt = rein_document_text_build (title, fields, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GString) want = g_string_new (text);

    g_string_replace (want, "Stripped:\n", "Stripped: \n", 0);
    g_assert_cmpstr (rebuilt, ==, want->str);
  }

  /* signed and read back: all kept, in order */
  doc = rein_document_new_signed (text, key, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  copy = reparse (doc);
  {
    GPtrArray *kept = rein_document_get_fields (copy);

    g_assert_cmpuint (kept->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < kept->len; i++)
      g_assert_cmpstr (((ReinField *) g_ptr_array_index (kept, i))->label, ==, expected[i][0]);
  }
}

/* Category, else python-rein 0.3's Tags, else nothing. */
static void
test_category (void)
{
  const struct
  {
    const gchar *text;
    const gchar *category;
  } cases[] = {
    { "Rein Job\nJob name: x\nCategory: Design", "Design" },
    { "Rein Job\nJob name: x\nTags: logo, design", "logo, design" },
    { "Rein Job\nJob name: x\nTags: logo\nCategory: Design", "Design" },
    { "Rein Job\nJob name: x\nCategory: \nTags: logo", "logo" },
    { "Rein Job\nJob name: x", NULL },
  };
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x42);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReinDocument) doc = rein_document_new_signed (cases[i].text, key,
                                                              REIN_NETWORK_MAINNET, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (rein_document_get_category (doc), ==, cases[i].category);
    }
}

static void
test_text_errors (void)
{
  const struct
  {
    const gchar *text;
    gsize len;
    gint code;
  } bad[] = {
    { "", 0, REIN_MARKET_ERROR_MALFORMED },
    { "Rein Job\n", 9, REIN_MARKET_ERROR_MALFORMED },          /* empty last line */
    { "Rein Job\n\nA: b", 14, REIN_MARKET_ERROR_MALFORMED },   /* empty line */
    { "Rein Job\nno separator", 21, REIN_MARKET_ERROR_MALFORMED },
    { "Rein Job\n: value", 16, REIN_MARKET_ERROR_MALFORMED },  /* empty label */
    { "Rein Job\nA: b\0c", 15, REIN_MARKET_ERROR_MALFORMED },  /* NUL */
    { "Rein Job\nA: \xff", 13, REIN_MARKET_ERROR_MALFORMED },  /* bad UTF-8 */
    { "Rein Job\nA: \xc0\xaf", 14, REIN_MARKET_ERROR_MALFORMED }, /* overlong */
    { "Rein Job\nA: b\rc", 15, REIN_MARKET_ERROR_MALFORMED },  /* lone CR */
    { "Rein Job\nA: b\r", 14, REIN_MARKET_ERROR_MALFORMED },   /* CR at the end */
    { "Rein Job\nA: \x1b[31m", 17, REIN_MARKET_ERROR_MALFORMED }, /* escape */
    { "Rein Job\nA: \x7f", 13, REIN_MARKET_ERROR_MALFORMED },
  };
  g_autoptr(GPtrArray) fields = rein_fields_new ();
  g_autofree gchar *big = NULL;
  g_autoptr(GError) error = NULL;
  gchar *s;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      /* an exact-length copy, so that ASan catches over-reads */
      g_autofree gchar *copy = g_memdup2 (bad[i].text, MAX (bad[i].len, 1));

      g_assert_false (rein_document_text_parse (copy, bad[i].len, NULL, NULL, &error));
      g_assert_error (error, REIN_MARKET_ERROR, bad[i].code);
      g_clear_error (&error);
    }

  /* tabs and CRLF are fine */
  {
    const gchar *ok = "Rein Job\r\nA: b\tc\r\nB: d";
    g_autoptr(GPtrArray) parsed = NULL;

    g_assert_true (rein_document_text_parse (ok, strlen (ok), NULL, &parsed, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (rein_fields_lookup (parsed, "A"), ==, "b\tc");
    g_assert_cmpstr (rein_fields_lookup (parsed, "B"), ==, "d");
  }

  /* building refuses what cannot be read back */
  rein_fields_add (fields, "Job name", "two\nlines");
  s = rein_document_text_build ("Rein Job", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_assert_null (s);
  g_clear_error (&error);
  g_ptr_array_set_size (fields, 0);
  rein_fields_add (fields, "Job: name", "x");
  s = rein_document_text_build ("Rein Job", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_clear_error (&error);
  g_ptr_array_set_size (fields, 0);
  rein_fields_add (fields, "", "x");
  s = rein_document_text_build ("Rein Job", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_clear_error (&error);
  g_ptr_array_set_size (fields, 0);
  s = rein_document_text_build ("Rein\nJob", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_clear_error (&error);
  s = rein_document_text_build ("", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_clear_error (&error);
  rein_fields_add (fields, "Description", "bell \a");
  s = rein_document_text_build ("Rein Job", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_clear_error (&error);

  /* a text over the limit */
  g_ptr_array_set_size (fields, 0);
  big = g_strnfill (REIN_DOCUMENT_MAX_SIZE, 'x');
  rein_fields_add (fields, "Description", big);
  s = rein_document_text_build ("Rein Job", fields, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
  g_clear_error (&error);
}

/* ---- The size limit ---- */

static gchar *
padded_text (gsize len)
{
  const gchar *head = "Rein Job\nJob name: padding\nDescription: ";
  g_autofree gchar *pad = NULL;

  g_assert_cmpuint (len, >, strlen (head));
  pad = g_strnfill (len - strlen (head), 'p');
  return g_strconcat (head, pad, NULL);
}

static gchar *
armor_by_hand (const gchar *text,
               ReinPrivateKey *key)
{
  g_autofree gchar *signature = rein_message_sign (key, text, strlen (text), NULL);
  g_autofree gchar *address = rein_private_key_get_address (key, REIN_NETWORK_MAINNET);

  g_assert_nonnull (signature);
  return rein_armor_build (text, address, signature);
}

static void
test_size_limit (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x55);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *probe_text = padded_text (100);
  g_autofree gchar *probe = armor_by_hand (probe_text, key);
  gsize overhead = strlen (probe) - strlen (probe_text);
  g_autofree gchar *text_at = padded_text (REIN_DOCUMENT_MAX_SIZE - overhead);
  g_autofree gchar *text_over = padded_text (REIN_DOCUMENT_MAX_SIZE - overhead + 1);
  g_autofree gchar *at = armor_by_hand (text_at, key);
  g_autofree gchar *over = armor_by_hand (text_over, key);
  g_autofree gchar *at_nl = NULL;
  g_autoptr(ReinDocument) doc = NULL;
  g_autoptr(ReinDocument) none = NULL;

  g_assert_cmpuint (strlen (at), ==, REIN_DOCUMENT_MAX_SIZE);
  g_assert_cmpuint (strlen (over), ==, REIN_DOCUMENT_MAX_SIZE + 1);

  doc = rein_document_new_from_armored (at, -1, &error);
  g_assert_no_error (error);
  g_assert_true (rein_document_verify (doc, &error));
  g_assert_no_error (error);
  g_clear_object (&doc);

  doc = rein_document_new_from_armored (over, -1, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
  g_assert_null (doc);
  g_clear_error (&error);
  doc = rein_document_new_from_armored (over, (gssize) strlen (over), &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_false (rein_armor_parse (over, strlen (over), NULL, NULL, NULL, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* the trailing newline counts too */
  at_nl = g_strconcat (at, "\n", NULL);
  doc = rein_document_new_from_armored (at_nl, -1, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* signing: at the limit fine, one over refused */
  doc = rein_document_new_signed (text_at, key, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (rein_document_get_armored (doc)), ==, REIN_DOCUMENT_MAX_SIZE);
  g_clear_object (&doc);
  none = rein_document_new_signed (text_over, key, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
  g_assert_null (none);
  g_clear_error (&error);

  /* the text alone: exactly at the limit parses, one over does not */
  {
    g_autofree gchar *t_at = padded_text (REIN_DOCUMENT_MAX_SIZE);
    g_autofree gchar *t_over = padded_text (REIN_DOCUMENT_MAX_SIZE + 1);

    g_assert_true (rein_document_text_parse (t_at, strlen (t_at), NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (rein_document_text_parse (t_over, strlen (t_over), NULL, NULL, &error));
    g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
}

/* ---- Signer rules ---- */

static void
test_wrong_signer (void)
{
  Parties p;
  ReinEnrollmentParams params = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *armored = NULL;
  g_autoptr(ReinDocument) doc = NULL;
  g_autofree gchar *testnet_master = NULL;
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;
  gchar *message = NULL;

  parties_init (&p, REIN_NETWORK_MAINNET);

  params.user = "Bob";
  params.contact = "bob@example.com";
  params.master_address = p.creator.master_address;
  params.delegate_address = p.creator.delegate_address;
  text = rein_document_build_enrollment (&params, &error);
  g_assert_no_error (error);

  /* signed by the delegate: refused when signing... */
  doc = rein_document_new_signed (text, p.creator.delegate, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_WRONG_SIGNER);
  g_assert_null (doc);
  g_clear_error (&error);

  /* ... and when reading */
  armored = armor_by_hand (text, p.creator.delegate);
  doc = rein_document_new_from_armored (armored, -1, &error);
  g_assert_no_error (error);
  g_assert_false (rein_document_verify (doc, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_WRONG_SIGNER);
  g_clear_error (&error);
  g_object_get (doc, "verification", &verification, "verification-error", &message, NULL);
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);
  g_assert_nonnull (message);
  g_assert_cmpstr (message, ==, rein_document_get_verification_error (doc));
  g_free (message);
  /* the cached result gives the same error */
  g_assert_false (rein_document_verify (doc, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_WRONG_SIGNER);
  g_clear_error (&error);
  g_clear_object (&doc);
  g_clear_pointer (&armored, g_free);

  /* a testnet-format master address, signed by its key with a mainnet
   * signer address, is the same signer */
  testnet_master = rein_address_convert (p.creator.master_address, REIN_NETWORK_TESTNET, &error);
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("Rein User Enrollment\nUser: Bob\nContact: b\n"
                          "Master signing address: %s\nDelegate signing address: %s\n"
                          "Willing to mediate: False",
                          testnet_master, p.creator.delegate_address);
  armored = armor_by_hand (text, p.creator.master);
  doc = rein_document_new_from_armored (armored, -1, &error);
  g_assert_no_error (error);
  g_assert_true (rein_document_verify (doc, &error));
  g_assert_no_error (error);
  g_clear_object (&doc);
  g_clear_pointer (&armored, g_free);

  /* an enrollment without a master address */
  g_clear_pointer (&text, g_free);
  text = g_strdup ("Rein User Enrollment\nUser: Bob");
  armored = armor_by_hand (text, p.creator.master);
  doc = rein_document_new_from_armored (armored, -1, &error);
  g_assert_no_error (error);
  g_assert_false (rein_document_verify (doc, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD);
  g_clear_error (&error);
  g_clear_object (&doc);
  g_clear_pointer (&armored, g_free);

  /* other documents are signed by anyone's delegate: only the signature counts here */
  armored = armor_by_hand ("Rein Job\nJob name: x", p.worker.delegate);
  doc = rein_document_new_from_armored (armored, -1, &error);
  g_assert_no_error (error);
  g_assert_true (rein_document_verify (doc, &error));
  g_clear_object (&doc);
  g_clear_pointer (&armored, g_free);

  /* a signature by another key under the claimed address */
  {
    g_autofree gchar *signature = rein_message_sign (p.worker.delegate, "Rein Job\nJob name: x",
                                                     20, NULL);

    armored = rein_armor_build ("Rein Job\nJob name: x", p.creator.delegate_address, signature);
    doc = rein_document_new_from_armored (armored, -1, &error);
    g_assert_no_error (error);
    g_assert_false (rein_document_verify (doc, &error));
    g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_BAD_SIGNATURE);
    g_assert_cmpint (rein_document_get_verification (doc), ==, REIN_VERIFICATION_INVALID);
    g_clear_error (&error);
  }

  parties_clear (&p);
}

/* ---- SIN, job IDs, fees ---- */

static void
test_sin (void)
{
  g_autofree gchar *sin = rein_sin_from_address ("1CptxARjqcfkVwGFSjR82zmPT8YtRMubub");

  g_assert_cmpstr (sin, ==, "Tf746vuNCfP4QMtmrNFeC8ohHPPtasxVt6r");
}

static void
test_job_id (void)
{
  guint counts[36] = { 0 };
  const gchar *alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const guint n = 2000;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n; i++)
    {
      gchar *id = rein_job_id_generate ();

      g_assert_cmpuint (strlen (id), ==, REIN_JOB_ID_LEN);
      g_assert_true (rein_job_id_is_valid (id));
      for (guint j = 0; j < REIN_JOB_ID_LEN; j++)
        {
          const gchar *at = strchr (alphabet, id[j]);

          g_assert_nonnull (at);
          counts[at - alphabet]++;
        }
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }

  /* 40000 characters: each of the 36 expected 1111 times. A bias like
   * "byte % 36" without rejection (7 of 36 characters 1/7 more likely) or a
   * missing character would fall outside these generous bounds. */
  for (guint i = 0; i < 36; i++)
    {
      g_assert_cmpuint (counts[i], >, 950);
      g_assert_cmpuint (counts[i], <, 1270);
    }

  g_assert_false (rein_job_id_is_valid (NULL));
  g_assert_false (rein_job_id_is_valid (""));
  g_assert_false (rein_job_id_is_valid ("abcdefghij012345678"));
  g_assert_false (rein_job_id_is_valid ("abcdefghij01234567890"));
  g_assert_false (rein_job_id_is_valid ("abcdefghij012345678A"));
  g_assert_false (rein_job_id_is_valid ("abcdefghij012345678-"));
  g_assert_true (rein_job_id_is_valid ("fyzfrxtrttcv8o04oj53"));
}

static void
test_fee_format (void)
{
  const struct
  {
    gdouble value;
    const gchar *text;
  } fees[] = {
    { 1.0, "1.0%" }, { 0.5, "0.5%" }, { 2.25, "2.25%" }, { 0, "0.0%" },
    { 100, "100.0%" }, { 0.1, "0.1%" }, { 12.345, "12.345%" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fees); i++)
    {
      g_autofree gchar *s = rein_mediator_fee_format (fees[i].value);

      g_assert_cmpstr (s, ==, fees[i].text);
    }
  g_assert_null (rein_mediator_fee_format (-0.5));
  g_assert_null (rein_mediator_fee_format (100.5));
  g_assert_null (rein_mediator_fee_format (NAN));
}

/* ---- Types ---- */

static void
test_types (void)
{
  const struct
  {
    const gchar *title;
    const gchar *name;
    ReinDocumentType type;
  } types[] = {
    { "Rein User Enrollment", "enrollment", REIN_DOCUMENT_TYPE_ENROLLMENT },
    { "Rein Job", "job_posting", REIN_DOCUMENT_TYPE_JOB_POSTING },
    { "Rein Bid", "bid", REIN_DOCUMENT_TYPE_BID },
    { "Rein Offer", "offer", REIN_DOCUMENT_TYPE_OFFER },
    { "Rein Delivery", "delivery", REIN_DOCUMENT_TYPE_DELIVERY },
    { "Rein Accept Delivery", "accept", REIN_DOCUMENT_TYPE_ACCEPT },
    { "Rein Dispute Delivery", "creatordispute", REIN_DOCUMENT_TYPE_CREATOR_DISPUTE },
    { "Rein Dispute Offer", "workerdispute", REIN_DOCUMENT_TYPE_WORKER_DISPUTE },
    { "Rein Dispute Resolution", "resolution", REIN_DOCUMENT_TYPE_RESOLUTION },
    { "Rein Accept Resolution", "acceptresolution", REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION },
    { "Rein Rating", "rating", REIN_DOCUMENT_TYPE_RATING },
  };
  const gchar *not_titles[] = {
    "", "Rein", "Rein job", "rein job", "Rein Job ", " Rein Job", "Rein Jobs",
    "Rein Dispute", "Rein User Enrollment\n", "Bitcoin",
  };
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x66);
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (REIN_TYPE_DOCUMENT_TYPE);

  g_assert_cmpuint (G_N_ELEMENTS (types), ==, REIN_DOCUMENT_TYPE_LAST);
  g_assert_cmpuint (enum_class->n_values, ==, REIN_DOCUMENT_TYPE_LAST + 1);
  /* python-rein 0.3's other title of an accept */
  g_assert_cmpint (rein_document_type_from_title ("Rein Accept"), ==, REIN_DOCUMENT_TYPE_ACCEPT);
  g_assert_cmpstr (rein_document_type_to_title (REIN_DOCUMENT_TYPE_ACCEPT), ==,
                   "Rein Accept Delivery");

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree gchar *text = g_strconcat (types[i].title, "\nJob name: x", NULL);
      g_autoptr(ReinDocument) doc = NULL;
      g_autoptr(GError) error = NULL;
      ReinDocumentType prop = REIN_DOCUMENT_TYPE_UNKNOWN;
      g_autofree gchar *title = NULL;

      g_assert_cmpint (rein_document_type_from_title (types[i].title), ==, types[i].type);
      g_assert_cmpstr (rein_document_type_to_title (types[i].type), ==, types[i].title);
      g_assert_cmpstr (rein_document_type_to_name (types[i].type), ==, types[i].name);
      g_assert_cmpint (rein_document_type_from_name (types[i].name), ==, types[i].type);
      g_assert_cmpstr (g_enum_get_value (enum_class, (gint) types[i].type)->value_nick, ==,
                       types[i].name);

      /* the same through a signed document */
      if (types[i].type == REIN_DOCUMENT_TYPE_ENROLLMENT)
        {
          g_free (text);
          text = g_strconcat (types[i].title, "\nUser: x", NULL);
        }
      {
        g_autofree gchar *armored = armor_by_hand (text, key);

        doc = rein_document_new_from_armored (armored, -1, &error);
        g_assert_no_error (error);
        g_object_get (doc, "document-type", &prop, "title", &title, NULL);
        g_assert_cmpint (prop, ==, types[i].type);
        g_assert_cmpstr (title, ==, types[i].title);
      }
    }

  for (guint i = 0; i < G_N_ELEMENTS (not_titles); i++)
    {
      g_autofree gchar *text = g_strconcat (not_titles[i], "\nJob name: x", NULL);
      g_autoptr(ReinDocument) doc = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (rein_document_type_from_title (not_titles[i]), ==,
                       REIN_DOCUMENT_TYPE_UNKNOWN);
      if (*not_titles[i] == '\0' || strchr (not_titles[i], '\n') != NULL)
        continue;
      {
        g_autofree gchar *armored = armor_by_hand (text, key);

        doc = rein_document_new_from_armored (armored, -1, &error);
        g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE);
        g_assert_null (doc);
      }
    }

  g_assert_cmpint (rein_document_type_from_title (NULL), ==, REIN_DOCUMENT_TYPE_UNKNOWN);
  g_assert_null (rein_document_type_to_title (REIN_DOCUMENT_TYPE_UNKNOWN));
  g_assert_null (rein_document_type_to_title ((ReinDocumentType) 99));
  g_assert_cmpstr (rein_document_type_to_name (REIN_DOCUMENT_TYPE_UNKNOWN), ==, "unknown");
  g_assert_cmpint (rein_document_type_from_name ("jobposting"), ==, REIN_DOCUMENT_TYPE_UNKNOWN);
  g_assert_cmpint (rein_document_type_from_name (NULL), ==, REIN_DOCUMENT_TYPE_UNKNOWN);
  g_assert_true (G_TYPE_IS_ENUM (REIN_TYPE_VERIFICATION));
}

/* ---- Properties ---- */

static void
notify_cb (GObject *object,
           GParamSpec *pspec,
           gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_properties (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x77);
  g_autofree gchar *armored = armor_by_hand ("Rein Offer\nJob name: x\nDescription: a\\nb\nOdd label: z", key);
  g_autoptr(ReinDocument) doc = rein_document_new_from_armored (armored, -1, NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *armor = NULL;
  g_autofree gchar *signer = NULL;
  g_autofree gchar *hash = NULL;
  g_autofree gchar *signature = NULL;
  g_autofree gchar *expected_signer = rein_private_key_get_address (key, REIN_NETWORK_MAINNET);
  g_autofree gchar *expected_hash = rein_sha256_hex (armored, strlen (armored));
  g_autofree gchar *verification_error = NULL;
  g_autofree gchar *title = NULL;
  g_autoptr(GListModel) fields = NULL;
  g_autoptr(GListModel) fields_again = NULL;
  ReinDocumentType type = REIN_DOCUMENT_TYPE_UNKNOWN;
  ReinVerification verification;
  guint notified = 0;
  const gchar *const expected_fields[][2] = {
    { "Job name", "x" },
    { "Description", "a\nb" },
    { "Odd label", "z" },
  };

  g_assert_nonnull (doc);
  g_object_get (doc,
                "document-type", &type,
                "title", &title,
                "fields", &fields,
                "text", &text,
                "armored", &armor,
                "signer", &signer,
                "hash", &hash,
                "signature", &signature,
                "verification", &verification,
                "verification-error", &verification_error,
                NULL);
  g_assert_cmpint (type, ==, REIN_DOCUMENT_TYPE_OFFER);
  g_assert_cmpstr (title, ==, "Rein Offer");
  g_assert_cmpstr (text, ==, "Rein Offer\nJob name: x\nDescription: a\\nb\nOdd label: z");
  g_assert_cmpstr (armor, ==, armored);

  /* "fields": a list model of label/value objects, in document order,
   * values decoded, unknown labels kept; the same model on every read. */
  g_assert_true (G_IS_LIST_MODEL (fields));
  g_assert_true (g_list_model_get_item_type (fields) == REIN_TYPE_DOCUMENT_FIELD);
  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, G_N_ELEMENTS (expected_fields));
  for (guint i = 0; i < G_N_ELEMENTS (expected_fields); i++)
    {
      g_autoptr(ReinDocumentField) field = g_list_model_get_item (fields, i);
      g_autofree gchar *label = NULL;
      g_autofree gchar *value = NULL;

      g_object_get (field, "label", &label, "value", &value, NULL);
      g_assert_cmpstr (label, ==, expected_fields[i][0]);
      g_assert_cmpstr (value, ==, expected_fields[i][1]);
      g_assert_cmpstr (rein_document_field_get_label (field), ==, expected_fields[i][0]);
      g_assert_cmpstr (rein_document_field_get_value (field), ==, expected_fields[i][1]);
    }
  g_assert_null (g_list_model_get_item (fields, G_N_ELEMENTS (expected_fields)));
  g_object_get (doc, "fields", &fields_again, NULL);
  g_assert_true (fields_again == fields);
  g_assert_true (rein_document_get_field_model (doc) == fields);

  g_assert_cmpstr (signer, ==, expected_signer);
  g_assert_cmpstr (hash, ==, expected_hash);
  g_assert_cmpuint (strlen (signature), ==, 88);
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_UNCHECKED);
  g_assert_null (verification_error);

  g_signal_connect (doc, "notify::verification", G_CALLBACK (notify_cb), &notified);
  g_assert_true (rein_document_verify (doc, NULL));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (rein_document_verify (doc, NULL));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (rein_document_get_verification (doc), ==, REIN_VERIFICATION_VALID);
  g_object_get (doc, "verification", &verification, NULL);
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);

  {
    const gchar *labels[] = { "Nope", "Job name", NULL };

    g_assert_cmpstr (rein_document_get_field_any (doc, labels), ==, "x");
    g_assert_null (rein_document_get_field (doc, "Nope"));
    g_assert_cmpstr (rein_document_lookup (doc, "Job name"), ==, "x");
  }

  /* The document owns its model and frees it with itself; the model holds
   * no reference back. */
  {
    GListModel *model = fields;

    g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
    g_clear_object (&fields_again);
    g_clear_object (&fields);
    g_assert_nonnull (model);
    g_assert_finalize_object (g_steal_pointer (&doc));
    g_assert_null (model);
  }
}

/* ---- Hostile input ---- */

static void
expect_refused (const gchar *data,
                gsize len)
{
  g_autofree gchar *copy = g_memdup2 (data, MAX (len, 1));
  g_autoptr(GError) error = NULL;
  g_autoptr(ReinDocument) doc = rein_document_new_from_armored (copy, (gssize) len, &error);

  g_assert_null (doc);
  g_assert_nonnull (error);
  g_assert_true (error->domain == REIN_MARKET_ERROR);
  g_clear_error (&error);
  /* the armor alone may be fine (e.g. an unknown title), but never a crash */
  if (!rein_armor_parse (copy, len, NULL, NULL, NULL, &error))
    g_assert_nonnull (error);
}

static void
test_garbage (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x99);
  g_autofree gchar *good = armor_by_hand ("Rein Bid\nJob name: x\nBid amount (BTC): 1", key);
  gsize len = strlen (good);
  GRand *rand = g_rand_new_with_seed (20240601);
  const gchar *bad[] = {
    "",
    "\n",
    REIN_ARMOR_HEADER,
    REIN_ARMOR_HEADER "\n",
    REIN_ARMOR_HEADER "\n" REIN_ARMOR_SIGNATURE "\n",
    REIN_ARMOR_HEADER "\nRein Job\n" REIN_ARMOR_SIGNATURE "\n",
    REIN_ARMOR_HEADER "\nRein Job\n" REIN_ARMOR_SIGNATURE "\naddr\nsig\n" REIN_ARMOR_FOOTER,
    REIN_ARMOR_HEADER "\n\n" REIN_ARMOR_SIGNATURE "\n1\n2\n" REIN_ARMOR_FOOTER,
    REIN_ARMOR_FOOTER,
    "-----BEGIN BITCOIN SIGNED MESSAGE-----\r",
  };

  /* every prefix: refused with an error, except the whole text */
  for (gsize i = 0; i < len; i++)
    expect_refused (good, i);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_refused (bad[i], strlen (bad[i]));

  /* trailing junk, doubled footer, a lone carriage return; blank lines and
   * whitespace after the footer are not part of the armor (PROTOCOL.md
   * section 2), see test_blank_lines() */
  {
    const gchar *suffixes[] = { "\nx", ("\n" REIN_ARMOR_FOOTER), "\r", " x", "\n\n-" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree gchar *s = g_strconcat (good, suffixes[i], NULL);

        expect_refused (s, strlen (s));
      }
  }

  /* a NUL anywhere, an invalid byte anywhere */
  for (gsize i = 0; i < len; i++)
    {
      g_autofree gchar *s = g_memdup2 (good, len);

      s[i] = '\0';
      expect_refused (s, len);
      s[i] = (gchar) 0xff;
      expect_refused (s, len);
    }

  /* random bytes, and random bytes inside the armor */
  for (guint i = 0; i < 2000; i++)
    {
      gsize n = (gsize) g_rand_int_range (rand, 0, 300);
      g_autofree gchar *s = g_malloc (n + 1);
      g_autofree gchar *wrapped = NULL;

      for (gsize j = 0; j < n; j++)
        s[j] = (gchar) g_rand_int_range (rand, 0, 256);
      s[n] = '\0';
      expect_refused (s, n);

      /* printable noise between valid armor lines */
      for (gsize j = 0; j < n; j++)
        s[j] = (gchar) g_rand_int_range (rand, 0x20, 0x7f);
      wrapped = g_strdup_printf (REIN_ARMOR_HEADER "\n%s\n" REIN_ARMOR_SIGNATURE "\n%s\n%s\n"
                                 REIN_ARMOR_FOOTER, s, s, s);
      expect_refused (wrapped, strlen (wrapped));
    }

  /* the armor parts */
  {
    g_autofree gchar *text = NULL;
    g_autofree gchar *address = NULL;
    g_autofree gchar *signature = NULL;
    g_autofree gchar *expected_address = rein_private_key_get_address (key,
                                                                        REIN_NETWORK_MAINNET);
    g_autoptr(GError) error = NULL;

    g_assert_true (rein_armor_parse (good, len, &text, &address, &signature, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, "Rein Bid\nJob name: x\nBid amount (BTC): 1");
    g_assert_cmpstr (address, ==, expected_address);
    g_assert_cmpuint (strlen (signature), ==, 88);
  }

  g_rand_free (rand);
}

/* ---- Signed messages without a Rein title ---- */

/* Dash-escapes @armored as RFC 4880 does: "- " in front of every line that
 * starts with a dash. */
static gchar *
escape_rfc4880 (const gchar *armored)
{
  g_auto(GStrv) lines = g_strsplit (armored, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      if (lines[i][0] == '-')
        g_string_append (out, "- ");
      g_string_append (out, lines[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* As old Rein clients did (see review-nested-dash-escaped.txt): the first
 * dash of a "-----" line becomes "- ", other lines stay as they are. */
static gchar *
escape_old (const gchar *armored)
{
  g_auto(GStrv) lines = g_strsplit (armored, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      if (g_str_has_prefix (lines[i], "-----"))
        {
          g_string_append (out, "- ");
          g_string_append (out, lines[i] + 1);
        }
      else
        g_string_append (out, lines[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_untitled (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x61);
  g_autofree gchar *address = rein_private_key_get_address (key, REIN_NETWORK_MAINNET);
  g_autofree gchar *text = g_strdup_printf ("Name/handle: Test Person\n"
                                            "Contact: tester@example.com\n"
                                            "Master signing address: %s", address);
  g_autofree gchar *armored = armor_by_hand (text, key);
  g_autofree gchar *prose = armor_by_hand ("Hello there\nFoo: bar\n\nnot a label line\n"
                                           "Description: two\\nlines", key);
  g_autofree gchar *bad_rein = armor_by_hand ("Rein Job\nJob name: x\nnot a label line", key);
  g_autoptr(ReinDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *fields;

  /* The market, the server and jobs keep refusing it... */
  doc = rein_document_new_from_armored (armored, -1, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE);
  g_assert_null (doc);
  g_clear_error (&error);

  /* ...verification tools read it: the first line is a label line. */
  doc = rein_document_new_from_armored_any (armored, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_document_get_document_type (doc), ==, REIN_DOCUMENT_TYPE_UNKNOWN);
  g_assert_null (rein_document_get_title (doc));
  g_assert_null (rein_document_get_wrapped (doc));
  g_assert_cmpstr (rein_document_get_text (doc), ==, text);
  fields = rein_document_get_fields (doc);
  g_assert_cmpuint (fields->len, ==, 3);
  g_assert_cmpstr (((ReinField *) g_ptr_array_index (fields, 0))->label, ==, "Name/handle");
  g_assert_cmpstr (rein_document_get_field (doc, "Master signing address"), ==, address);
  g_assert_true (rein_document_verify (doc, &error));
  g_assert_no_error (error);
  g_clear_object (&doc);

  /* Lines that are not label lines are only text; the first is the title. */
  doc = rein_document_new_from_armored_any (prose, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_document_get_document_type (doc), ==, REIN_DOCUMENT_TYPE_UNKNOWN);
  g_assert_cmpstr (rein_document_get_title (doc), ==, "Hello there");
  g_assert_cmpuint (rein_document_get_fields (doc)->len, ==, 2);
  g_assert_cmpstr (rein_document_get_field (doc, "Foo"), ==, "bar");
  g_assert_cmpstr (rein_document_get_field (doc, "Description"), ==, "two\nlines");
  g_assert_true (rein_document_verify (doc, &error));
  g_clear_object (&doc);

  /* A Rein title is read as strictly as ever. */
  doc = rein_document_new_from_armored_any (bad_rein, -1, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  g_assert_null (doc);
  g_clear_error (&error);

  /* and an untitled text cannot be signed as a Rein document */
  doc = rein_document_new_signed (text, key, REIN_NETWORK_MAINNET, &error);
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE);
  g_assert_null (doc);
}

/* Wraps @inner (armored) in a message signed by @key, with @before and
 * @after around the escaped lines. */
static gchar *
wrap (const gchar *inner,
      gboolean old_style,
      const gchar *before,
      const gchar *after,
      ReinPrivateKey *key)
{
  g_autofree gchar *escaped = old_style ? escape_old (inner) : escape_rfc4880 (inner);
  g_autofree gchar *text = g_strconcat (before != NULL ? before : "",
                                        before != NULL ? "\n" : "",
                                        escaped,
                                        after != NULL ? "\n" : "",
                                        after != NULL ? after : "",
                                        NULL);

  return armor_by_hand (text, key);
}

static void
assert_wraps (ReinDocument *doc,
              const gchar *inner_armored,
              ReinPrivateKey *inner_key)
{
  g_autofree gchar *inner_address = rein_private_key_get_address (inner_key,
                                                                  REIN_NETWORK_MAINNET);
  ReinDocument *inner = rein_document_get_wrapped (doc);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *hash = rein_sha256_hex (inner_armored, strlen (inner_armored));

  g_assert_nonnull (inner);
  g_assert_cmpstr (rein_document_get_armored (inner), ==, inner_armored);
  g_assert_cmpstr (rein_document_get_hash (inner), ==, hash);
  g_assert_cmpstr (rein_document_get_signer (inner), ==, inner_address);
  g_assert_true (rein_document_verify (inner, &error));
  g_assert_no_error (error);
}

static void
test_wrapped (void)
{
  g_autoptr(ReinPrivateKey) k1 = key_from_byte (0x71);
  g_autoptr(ReinPrivateKey) k2 = key_from_byte (0x72);
  g_autoptr(ReinPrivateKey) k3 = key_from_byte (0x73);
  g_autofree gchar *a1 = rein_private_key_get_address (k1, REIN_NETWORK_MAINNET);
  g_autofree gchar *enrollment_text = g_strdup_printf ("Rein User Enrollment\nUser: Alice\n"
                                                       "Contact: alice@example.com\n"
                                                       "Master signing address: %s", a1);
  g_autofree gchar *inner = armor_by_hand (enrollment_text, k1);

  for (guint old_style = 0; old_style < 2; old_style++)
    {
      g_autofree gchar *once = wrap (inner, old_style, "I vouch for this", "Rating: 5", k2);
      g_autofree gchar *twice = wrap (once, old_style, NULL, NULL, k3);
      g_autoptr(ReinDocument) doc = NULL;
      g_autoptr(GError) error = NULL;
      ReinDocument *middle;

      g_test_message ("%s escaping", old_style ? "old Rein" : "RFC 4880");

      /* Nothing the market reads. */
      doc = rein_document_new_from_armored (once, -1, &error);
      g_assert_null (doc);
      g_assert_nonnull (error);
      g_clear_error (&error);

      /* once: the text around the wrapped message is the outer one's */
      doc = rein_document_new_from_armored_any (once, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rein_document_get_document_type (doc), ==, REIN_DOCUMENT_TYPE_UNKNOWN);
      g_assert_cmpstr (rein_document_get_title (doc), ==, "I vouch for this");
      g_assert_cmpuint (rein_document_get_fields (doc)->len, ==, 1);
      g_assert_cmpstr (rein_document_get_field (doc, "Rating"), ==, "5");
      g_assert_true (rein_document_verify (doc, &error));
      assert_wraps (doc, inner, k1);
      g_assert_cmpint (rein_document_get_document_type (rein_document_get_wrapped (doc)), ==,
                       REIN_DOCUMENT_TYPE_ENROLLMENT);
      g_assert_null (rein_document_get_wrapped (rein_document_get_wrapped (doc)));
      g_clear_object (&doc);

      /* twice */
      doc = rein_document_new_from_armored_any (twice, -1, &error);
      g_assert_no_error (error);
      g_assert_null (rein_document_get_title (doc));
      g_assert_cmpuint (rein_document_get_fields (doc)->len, ==, 0);
      g_assert_true (rein_document_verify (doc, &error));
      assert_wraps (doc, once, k2);
      middle = rein_document_get_wrapped (doc);
      assert_wraps (middle, inner, k1);

      /* a changed byte in the innermost text breaks its signature only */
      {
        g_autofree gchar *forged = g_strdup (inner);
        g_autofree gchar *forged_once = NULL;
        g_autoptr(ReinDocument) forged_doc = NULL;

        *strstr (forged, "Alice") = 'E';
        forged_once = wrap (forged, old_style, NULL, NULL, k2);
        forged_doc = rein_document_new_from_armored_any (forged_once, -1, &error);
        g_assert_no_error (error);
        g_assert_true (rein_document_verify (forged_doc, NULL));
        g_assert_false (rein_document_verify (rein_document_get_wrapped (forged_doc), &error));
        g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_BAD_SIGNATURE);
        g_clear_error (&error);
      }
    }
}

static void
test_wrapped_vectors (void)
{
  g_autofree gchar *dir = g_build_filename (shared_dir (), "vectors", "signed", NULL);
  g_autofree gchar *once_path = g_build_filename (dir, "review-nested-dash-escaped.txt", NULL);
  g_autofree gchar *twice_path = g_build_filename (dir, "review-nested-twice.txt", NULL);
  g_autofree gchar *untitled_path = g_build_filename (dir, "enrollment-untitled-earliest-format.txt",
                                                      NULL);
  g_autofree gchar *once = NULL;
  g_autofree gchar *twice = NULL;
  g_autofree gchar *untitled = NULL;
  g_autofree gchar *once_hash = NULL;
  g_autoptr(ReinDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  ReinDocument *inner;
  gsize once_len;

  if (!g_file_test (once_path, G_FILE_TEST_EXISTS))
    {
      g_autofree gchar *msg = g_strdup_printf ("%s is absent", once_path);

      g_test_skip (msg);
      return;
    }
  g_assert_true (g_file_get_contents (once_path, &once, &once_len, NULL));
  g_assert_true (g_file_get_contents (twice_path, &twice, NULL, NULL));
  g_assert_true (g_file_get_contents (untitled_path, &untitled, NULL, NULL));
  once_hash = rein_sha256_hex (once, once_len);

  doc = rein_document_new_from_armored_any (untitled, -1, &error);
  g_assert_no_error (error);
  g_assert_null (rein_document_get_title (doc));
  g_assert_cmpstr (rein_document_get_field (doc, "Name/handle"), ==, "Test Person");
  g_assert_cmpstr (rein_document_get_field (doc, "Master signing address"), ==,
                   rein_document_get_signer (doc));
  g_assert_true (rein_document_verify (doc, &error));
  g_clear_object (&doc);

  /* The attestation that wraps the old enrollment once. */
  doc = rein_document_new_from_armored_any (once, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_document_get_signer (doc), ==, "1BbgnPQYeXAt39ifLNUWP1RBktpzGLmRZS");
  g_assert_true (rein_document_verify (doc, &error));
  inner = rein_document_get_wrapped (doc);
  g_assert_nonnull (inner);
  g_assert_cmpstr (rein_document_get_signer (inner), ==, "16mT7jrpkjnJBD7a3TM2awyxHub58H6r6Z");
  g_assert_cmpstr (rein_document_get_field (inner, "Name/Handle"), ==, "Knightdk");
  g_assert_true (rein_document_verify (inner, &error));
  g_assert_null (rein_document_get_wrapped (inner));
  g_clear_object (&doc);

  /* Wrapped again: the middle message is exactly the file above. */
  doc = rein_document_new_from_armored_any (twice, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_document_get_signer (doc), ==, "1DVK9Rdi2wcpcfEkep7FSNUui7fzadmxsW");
  g_assert_true (rein_document_verify (doc, &error));
  inner = rein_document_get_wrapped (doc);
  g_assert_cmpstr (rein_document_get_hash (inner), ==, once_hash);
  g_assert_true (rein_document_verify (inner, &error));
  inner = rein_document_get_wrapped (inner);
  g_assert_cmpstr (rein_document_get_signer (inner), ==, "16mT7jrpkjnJBD7a3TM2awyxHub58H6r6Z");
  g_assert_true (rein_document_verify (inner, &error));
  g_assert_no_error (error);
}

static void
test_nesting_limit (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x74);
  g_autofree gchar *armored = armor_by_hand ("Hello: world", key);
  g_autoptr(GError) error = NULL;

  /* The outermost message and REIN_DOCUMENT_MAX_NESTING wrapped ones. */
  for (guint level = 1; level <= REIN_DOCUMENT_MAX_NESTING + 1; level++)
    {
      g_autofree gchar *next = wrap (armored, FALSE, NULL, NULL, key);
      g_autoptr(ReinDocument) doc = NULL;
      guint depth = 0;

      g_free (armored);
      armored = g_steal_pointer (&next);
      g_assert_cmpuint (strlen (armored), <=, REIN_DOCUMENT_MAX_SIZE);

      doc = rein_document_new_from_armored_any (armored, -1, &error);
      if (level > REIN_DOCUMENT_MAX_NESTING)
        {
          g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
          g_assert_null (doc);
          g_clear_error (&error);
          break;
        }
      g_assert_no_error (error);
      for (ReinDocument *d = doc; d != NULL; d = rein_document_get_wrapped (d))
        {
          g_assert_true (rein_document_verify (d, &error));
          depth++;
        }
      g_assert_cmpuint (depth, ==, level + 1);
    }

  /* A wrapped message that does not parse fails its wrapper... */
  {
    g_autofree gchar *inner = armor_by_hand ("Hello: world", key);
    g_autofree gchar *broken = NULL;
    g_autofree gchar *outer = NULL;
    g_autoptr(ReinDocument) doc = NULL;

    /* a signature line that is not base64 */
    broken = g_strdup (inner);
    strstr (broken, REIN_ARMOR_SIGNATURE "\n")[strlen (REIN_ARMOR_SIGNATURE) + 36] = '!';
    outer = wrap (broken, FALSE, NULL, NULL, key);
    doc = rein_document_new_from_armored_any (outer, -1, &error);
    g_assert_null (doc);
    g_assert_nonnull (error);
    g_assert_true (error->domain == REIN_MARKET_ERROR);
    g_clear_error (&error);
  }

  /* ...while escaped armor lines that make no message are only text. */
  {
    g_autofree gchar *outer = armor_by_hand ("- -----BEGIN BITCOIN SIGNED MESSAGE-----\n"
                                             "Hello: world\n"
                                             "- -----END BITCOIN SIGNED MESSAGE-----", key);
    g_autoptr(ReinDocument) doc = rein_document_new_from_armored_any (outer, -1, &error);

    g_assert_no_error (error);
    g_assert_null (rein_document_get_wrapped (doc));
    g_assert_cmpstr (rein_document_get_field (doc, "Hello"), ==, "world");
    g_assert_true (rein_document_verify (doc, &error));
  }
}

/* ---- Blank lines and whitespace around the armor ---- */

static void
test_blank_lines (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x75);
  const gchar *text = "Rein Bid\nJob name: x\nBid amount (BTC): 1";
  g_autofree gchar *good = armor_by_hand (text, key);
  g_auto(GStrv) lines = g_strsplit (good, "\n", -1);
  g_autofree gchar *crlf = g_strjoinv ("\r\n", lines);
  g_autofree gchar *padded_lines = NULL;
  g_autoptr(GPtrArray) variants = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (variants, g_strconcat ("\n\n", good, "\n\n", NULL));
  g_ptr_array_add (variants, g_strconcat (" \t\n", good, " \n\t\n", NULL));
  g_ptr_array_add (variants, g_strconcat (good, "\n", NULL));
  g_ptr_array_add (variants, g_strconcat (good, "   ", NULL));
  g_ptr_array_add (variants, g_strconcat ("\r\n\r\n", crlf, "\r\n\r\n", NULL));
  g_ptr_array_add (variants, g_strconcat (crlf, "\r\n", NULL));
  /* trailing spaces on the armor lines, not on the signed text */
  for (guint i = 0; lines[i] != NULL; i++)
    if (i == 0 || i >= 4)
      {
        gchar *spaced = g_strconcat (lines[i], " \t", NULL);

        g_free (lines[i]);
        lines[i] = spaced;
      }
  padded_lines = g_strjoinv ("\n", lines);
  g_ptr_array_add (variants, g_strdup (padded_lines));

  for (guint i = 0; i < variants->len; i++)
    {
      const gchar *variant = g_ptr_array_index (variants, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReinDocument) doc = rein_document_new_from_armored (variant, -1, &error);
      g_autofree gchar *hash = rein_sha256_hex (variant, strlen (variant));

      g_test_message ("variant %u", i);
      g_assert_no_error (error);
      g_assert_cmpstr (rein_document_get_text (doc), ==, text);
      g_assert_cmpint (rein_document_get_document_type (doc), ==, REIN_DOCUMENT_TYPE_BID);
      g_assert_cmpuint (strlen (rein_document_get_signature (doc)), ==, 88);
      /* the document is what was given */
      g_assert_cmpstr (rein_document_get_hash (doc), ==, hash);
      g_assert_true (rein_document_verify (doc, &error));
      g_assert_no_error (error);
    }

  /* Blank lines inside the signed text are part of it: they change it. */
  {
    g_autofree gchar *moved = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ReinDocument) doc = NULL;

    moved = g_strconcat (REIN_ARMOR_HEADER "\n\n", good + strlen (REIN_ARMOR_HEADER "\n"), NULL);
    doc = rein_document_new_from_armored (moved, -1, &error);
    g_assert_null (doc);
    g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED);
  }
}

typedef struct
{
  ReinDocument *doc;
  GMutex lock;
  GCond cond;
  gboolean go;
} TextRace;

static gpointer
get_text_thread (gpointer data)
{
  TextRace *race = data;

  /* every thread asks at once, as near as it goes */
  g_mutex_lock (&race->lock);
  while (!race->go)
    g_cond_wait (&race->cond, &race->lock);
  g_mutex_unlock (&race->lock);
  return (gpointer) rein_document_get_text (race->doc);
}

/* The signed text is kept as a part of the armored text and copied out
 * when first asked for: the signature checks without it, every thread
 * that asks at once gets the same copy, and a text that had "\r\n"
 * (not a part of the armored text byte for byte) reads as "\n". */
static void
test_text_on_demand (void)
{
  g_autoptr(ReinPrivateKey) key = key_from_byte (0x76);
  const gchar *text = "Rein Bid\nJob name: x\nDescription: two\\nlines\nBid amount (BTC): 1";
  g_autofree gchar *good = armor_by_hand (text, key);
  g_auto(GStrv) lines = g_strsplit (good, "\n", -1);
  g_autofree gchar *crlf = g_strjoinv ("\r\n", lines);
  const gchar *variants[] = { good, crlf };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReinDocument) doc = rein_document_new_from_armored (variants[v], -1, &error);
      GThread *threads[8];
      TextRace race = { doc, { 0 }, { 0 }, FALSE };
      const gchar *first;
      g_autofree gchar *property = NULL;

      g_assert_no_error (error);
      g_assert_true (rein_document_verify (doc, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (rein_document_get_field (doc, "Description"), ==, "two\nlines");
      g_mutex_init (&race.lock);
      g_cond_init (&race.cond);
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        threads[i] = g_thread_new ("text", get_text_thread, &race);
      g_mutex_lock (&race.lock);
      race.go = TRUE;
      g_cond_broadcast (&race.cond);
      g_mutex_unlock (&race.lock);
      first = g_thread_join (threads[0]);
      for (guint i = 1; i < G_N_ELEMENTS (threads); i++)
        g_assert_true (g_thread_join (threads[i]) == first);
      g_assert_true (rein_document_get_text (doc) == first);
      g_mutex_clear (&race.lock);
      g_cond_clear (&race.cond);
      g_assert_cmpstr (first, ==, text);
      g_object_get (doc, "text", &property, NULL);
      g_assert_cmpstr (property, ==, text);
      /* the armored text is untouched */
      g_assert_cmpstr (rein_document_get_armored (doc), ==, variants[v]);
    }
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/market/document/vectors/verify", test_vectors_verify);
  g_test_add_func ("/market/document/vectors/mutations", test_vectors_mutations);
  g_test_add_func ("/market/document/vectors/old-labels", test_vectors_old_labels);
  g_test_add_func ("/market/document/vectors/crlf", test_vectors_crlf);
  g_test_add_func ("/market/document/text-on-demand", test_text_on_demand);
  g_test_add_func ("/market/document/vectors/old-bid-offer", test_offer_from_old_bid);
  g_test_add_func ("/market/document/round-trip/mainnet", test_round_trip_mainnet);
  g_test_add_func ("/market/document/round-trip/testnet", test_round_trip_testnet);
  g_test_add_func ("/market/document/builder-errors", test_builder_errors);
  g_test_add_func ("/market/document/multiline", test_multiline);
  g_test_add_func ("/market/document/unknown-labels", test_unknown_labels);
  g_test_add_func ("/market/document/category", test_category);
  g_test_add_func ("/market/document/text-errors", test_text_errors);
  g_test_add_func ("/market/document/size-limit", test_size_limit);
  g_test_add_func ("/market/document/wrong-signer", test_wrong_signer);
  g_test_add_func ("/market/document/sin", test_sin);
  g_test_add_func ("/market/document/job-id", test_job_id);
  g_test_add_func ("/market/document/fee-format", test_fee_format);
  g_test_add_func ("/market/document/types", test_types);
  g_test_add_func ("/market/document/properties", test_properties);
  g_test_add_func ("/market/document/garbage", test_garbage);
  g_test_add_func ("/market/document/untitled", test_untitled);
  g_test_add_func ("/market/document/wrapped", test_wrapped);
  g_test_add_func ("/market/document/vectors/wrapped", test_wrapped_vectors);
  g_test_add_func ("/market/document/nesting-limit", test_nesting_limit);
  g_test_add_func ("/market/document/blank-lines", test_blank_lines);

  return g_test_run ();
}
