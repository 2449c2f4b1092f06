/* test-job.c: complete validation of a job's documents, and the order
 * state machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-legacy-payment.h"
#include "rein-market.h"
#include "rein-test-util.h"

typedef struct
{
  const gchar *name;
  ReinPrivateKey *master;
  ReinPrivateKey *delegate;
  gchar *master_address;
  gchar *delegate_address;
  gchar *pubkey;
  ReinDocument *enrollment;
} Party;

static Party *
party_new (const gchar *name, gboolean mediator)
{
  Party *p = g_new0 (Party, 1);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", name);
  ReinEnrollmentParams params = { 0 };

  p->name = name;
  p->master = rein_private_key_generate (TRUE);
  p->delegate = rein_private_key_generate (TRUE);
  p->master_address = rein_private_key_get_address (p->master, REIN_NETWORK_MAINNET);
  p->delegate_address = rein_private_key_get_address (p->delegate, REIN_NETWORK_MAINNET);
  p->pubkey = rein_private_key_get_public_key_hex (p->delegate);
  params.user = name;
  params.contact = contact;
  params.master_address = p->master_address;
  params.delegate_address = p->delegate_address;
  params.willing_to_mediate = mediator;
  params.delegate_public_key = p->pubkey;
  params.mediator_fee_percent = 1.0;
  text = rein_document_build_enrollment (&params, &error);
  g_assert_no_error (error);
  p->enrollment = rein_document_sign (text, p->master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return p;
}

static void
party_free (Party *p)
{
  rein_private_key_free (p->master);
  rein_private_key_free (p->delegate);
  g_free (p->master_address);
  g_free (p->delegate_address);
  g_free (p->pubkey);
  g_object_unref (p->enrollment);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Party, party_free)

typedef struct
{
  Party *creator, *worker, *mediator, *outsider;
  ReinDirectory *directory;
  GPtrArray *docs;
  gchar *job_id;
} World;

static ReinDocument *
sign_as (Party *p, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  ReinDocument *doc = rein_document_sign (text, NULL, p->delegate, REIN_NETWORK_MAINNET, &error);

  g_assert_no_error (error);
  return doc;
}

static World *
world_new (void)
{
  World *w = g_new0 (World, 1);
  g_autoptr (GError) error = NULL;

  w->creator = party_new ("Carol", FALSE);
  w->worker = party_new ("Walter", FALSE);
  w->mediator = party_new ("Maya", TRUE);
  w->outsider = party_new ("Oscar", FALSE);
  w->directory = rein_directory_new ();
  for (Party **p = (Party *[]){ w->creator, w->worker, w->mediator, w->outsider, NULL }; *p; p++)
    {
      g_assert_true (rein_directory_add (w->directory, (*p)->enrollment, &error));
      g_assert_no_error (error);
    }
  w->docs = g_ptr_array_new_with_free_func (g_object_unref);
  return w;
}

static void
world_free (World *w)
{
  party_free (w->creator);
  party_free (w->worker);
  party_free (w->mediator);
  party_free (w->outsider);
  rein_directory_free (w->directory);
  g_ptr_array_unref (w->docs);
  g_free (w->job_id);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (World, world_free)

static ReinJob *
world_job (World *w)
{
  return rein_job_new (w->job_id, w->docs, w->directory);
}

static ReinDocument *
post_job (World *w)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  ReinJobParams params = {
    .job_name = "Logo for a bakery", .category = "Graphics",
    .description = "A round logo\nwith bread", .creator = w->creator->name,
    .creator_contact = "carol@example.com", .creator_public_key = w->creator->pubkey,
    .creator_master_address = w->creator->master_address,
  };
  ReinDocument *doc;

  g_assert_true (rein_job_params_set_mediator (&params, w->mediator->enrollment, &error));
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  doc = sign_as (w->creator, text);
  w->job_id = g_strdup (rein_document_get_field (doc, "Job ID"));
  g_ptr_array_add (w->docs, doc);
  return doc;
}

static ReinDocument *
bid_on (World *w, ReinDocument *job, Party *worker, const gchar *amount)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  ReinBidParams params = {
    .worker = worker->name, .worker_contact = "w@example.com",
    .worker_master_address = worker->master_address, .worker_public_key = worker->pubkey,
    .description = "I can do it", .bid_amount = amount,
  };
  ReinDocument *doc;

  text = rein_document_build_bid (job, &params, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  doc = sign_as (worker, text);
  g_ptr_array_add (w->docs, doc);
  return doc;
}

static ReinDocument *
add_signed (World *w, Party *p, gchar *text /* owned */)
{
  ReinDocument *doc;

  g_assert_nonnull (text);
  doc = sign_as (p, text);
  g_free (text);
  g_ptr_array_add (w->docs, doc);
  return doc;
}

/* @doc's text with one field's value changed. */
static gchar *
with_field (ReinDocument *doc, const gchar *label, const gchar *value)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  GPtrArray *orig = rein_document_get_fields (doc);
  g_autoptr (GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);
  gboolean found = FALSE;

  for (guint i = 0; i < orig->len; i++)
    {
      ReinField *f = g_ptr_array_index (orig, i);
      ReinField *copy = g_new0 (ReinField, 1);

      copy->label = f->label;
      copy->value = g_strcmp0 (f->label, label) == 0 ? (gchar *) value : f->value;
      found |= g_strcmp0 (f->label, label) == 0;
      g_ptr_array_add (copies, copy);
      g_ptr_array_add (fields, copy);
    }
  g_assert_true (found);
  {
    g_autoptr (GError) error = NULL;
    gchar *text = rein_document_text_build (rein_document_get_title (doc), fields, &error);

    g_assert_no_error (error);
    return text;
  }
}

/* ---- payments out of the escrows ---- */

/* A payment out of one escrow of the job of @creator, @mediator and
 * @worker: one coin of @coin sat in it (a funding transaction made up
 * here), an output of @amounts[i] sat to each @to[i] (NULL-terminated),
 * signed by each of @signers (NULL-terminated). Base64 PSBT. */
static ReinPsbt *
payment_psbt (World *w, gboolean primary, guint64 coin, Party **to, const guint64 *amounts,
              Party **signers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (w->creator->pubkey, w->mediator->pubkey,
                                                   w->worker->pubkey, REIN_NETWORK_MAINNET,
                                                   &error);
  const gchar *script_hex = primary ? escrow->primary_script_hex : escrow->mediator_script_hex;
  g_autofree guint8 *redeem = NULL;
  g_autoptr (GByteArray) p2sh = NULL;
  g_autoptr (ReinTx) funding = rein_tx_new (2, 0);
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  ReinPsbt *psbt;
  guint8 txid[32];
  gsize len = 0;

  g_assert_no_error (error);
  redeem = rein_hex_decode (script_hex, &len, &error);
  p2sh = rein_script_p2sh_from_redeem (redeem, len);
  memset (txid, 0x42, sizeof txid);
  rein_tx_add_input (funding, txid, 0, 0xffffffff);
  rein_tx_add_output (funding, 1000, (const guint8 *) "\x51", 1);
  rein_tx_add_output (funding, coin, p2sh->data, p2sh->len);

  rein_tx_get_txid (funding, txid);
  rein_tx_add_input (tx, txid, 1, 0xffffffff);
  for (guint i = 0; to[i] != NULL; i++)
    g_assert_nonnull (rein_tx_add_output_address (tx, to[i]->delegate_address,
                                                  REIN_NETWORK_MAINNET, amounts[i], &error));
  psbt = rein_psbt_new (tx, &error);
  g_assert_no_error (error);
  g_assert_true (rein_psbt_set_non_witness_utxo (psbt, 0, funding, &error));
  g_assert_true (rein_psbt_set_redeem_script (psbt, 0, redeem, len, &error));
  for (guint i = 0; signers[i] != NULL; i++)
    g_assert_true (rein_psbt_sign_input (psbt, 0, signers[i]->delegate, &error));
  g_assert_no_error (error);
  return psbt;
}

static gchar *
payment (World *w, gboolean primary, Party **to, const guint64 *amounts, Party *signer)
{
  g_autoptr (ReinPsbt) psbt = payment_psbt (w, primary, 100000, to, amounts,
                                            (Party *[]){ signer, NULL });

  return rein_psbt_to_base64 (psbt);
}

/* The payments of an accept: the worker and the mediator are paid. */
static gchar *
accept_of (World *w, ReinDocument *delivery, Party *signer)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *primary = payment (w, TRUE, (Party *[]){ w->worker, NULL },
                                       (const guint64[]){ 99000 }, signer);
  g_autofree gchar *mediator = payment (w, FALSE, (Party *[]){ w->mediator, NULL },
                                        (const guint64[]){ 99000 }, signer);
  gchar *text = rein_document_build_accept (delivery, primary, mediator, &error);

  g_assert_no_error (error);
  return text;
}

static gboolean
has_entry (ReinJob *job, ReinDocument *doc)
{
  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    if (rein_job_get_entry (job, i, NULL, NULL) == doc)
      return TRUE;
  return FALSE;
}

static gboolean
entry_valid (ReinJob *job, ReinDocument *doc, const gchar **reason)
{
  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    {
      gboolean valid;

      if (rein_job_get_entry (job, i, &valid, reason) == doc)
        return valid;
    }
  g_assert_not_reached ();
}

/* One bid spelled many ways is one bid: its armor re-spelled (line ends,
 * a blank line first) verifies, each spelling with a hash of its own, and
 * counted apart they made one bid many. Copies whose signature does not
 * verify stand for nothing, whichever sorts first. */
static void
test_same_statement (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.05");
  g_autoptr (GPtrArray) copies = g_ptr_array_new ();
  g_autoptr (GPtrArray) bogus = g_ptr_array_new ();
  g_autoptr (ReinJob) job = NULL;
  g_auto (GStrv) lines = g_strsplit (rein_document_get_armored (bid), "\n", -1);
  g_autofree gchar *crlf = g_strjoinv ("\r\n", lines);
  g_autofree gchar *blank_first = g_strconcat ("\n", rein_document_get_armored (bid), NULL);
  const gchar *spellings[] = { crlf, blank_first };
  guint valid = 0;

  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autoptr (GError) error = NULL;
      ReinDocument *copy = rein_document_new_from_armored (spellings[i], -1, &error);

      g_assert_no_error (error);
      g_assert_true (rein_document_verify (copy, NULL));
      g_assert_cmpstr (rein_document_get_hash (copy), !=, rein_document_get_hash (bid));
      g_ptr_array_add (w->docs, copy);
      g_ptr_array_add (copies, copy);
    }
  /* the same text and signer, with the worker's signatures of other texts */
  for (guint i = 0; i < 8; i++)
    {
      g_autofree gchar *other_text = g_strdup_printf ("%s%u", rein_document_get_text (bid), i);
      g_autoptr (ReinDocument) other = sign_as (w->worker, other_text);
      g_autofree gchar *armored = rein_armor_build (rein_document_get_text (bid),
                                                    rein_document_get_signer (bid),
                                                    rein_document_get_signature (other));
      ReinDocument *forged = rein_document_new_from_armored (armored, -1, NULL);

      g_assert_nonnull (forged);
      g_ptr_array_add (w->docs, forged);
      g_ptr_array_add (bogus, forged);
    }

  /* the signer written as its testnet address: the same key */
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *testnet = rein_address_convert (rein_document_get_signer (bid),
                                                      REIN_NETWORK_TESTNET, &error);
    g_autofree gchar *armored = NULL;
    ReinDocument *copy;

    g_assert_no_error (error);
    g_assert_cmpstr (testnet, !=, rein_document_get_signer (bid));
    armored = rein_armor_build (rein_document_get_text (bid), testnet,
                                rein_document_get_signature (bid));
    copy = rein_document_new_from_armored (armored, -1, &error);
    g_assert_no_error (error);
    g_assert_true (rein_document_verify (copy, NULL));
    g_ptr_array_add (w->docs, copy);
    g_ptr_array_add (copies, copy);
  }

  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_BIDS);
  g_assert_cmpuint (rein_job_get_bids (job)->len, ==, 1);
  for (guint i = 0; i < bogus->len; i++)
    {
      const gchar *reason = NULL;

      g_assert_false (entry_valid (job, g_ptr_array_index (bogus, i), &reason));
      g_assert_nonnull (strstr (reason, "does not verify"));
    }
  /* one of the three spellings is the bid, the others repeat it */
  g_ptr_array_add (copies, bid);
  for (guint i = 0; i < copies->len; i++)
    {
      const gchar *reason = NULL;

      if (entry_valid (job, g_ptr_array_index (copies, i), &reason))
        valid++;
      else
        g_assert_nonnull (strstr (reason, "same text signed by the same key"));
    }
  g_assert_cmpuint (valid, ==, 1);
}

/* A document that gives a label twice is read one way here (the first
 * value) and another by python-rein (the last): a job refuses it, and the
 * directory an enrollment that does. */
static void
test_repeated_label (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.05");
  ReinDocument *twice;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinDirectory) directory = rein_directory_new ();
  g_autoptr (ReinDocument) enrollment = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *enrollment_text = NULL;
  const gchar *reason = NULL;

  /* the same worker's bid, the amount given again, larger */
  twice = add_signed (w, w->worker, g_strconcat (rein_document_get_text (bid),
                                                 "\nBid amount (BTC): 20", NULL));
  g_assert_cmpstr (rein_document_find_repeated_label (twice), ==, "Bid amount (BTC)");
  g_assert_null (rein_document_find_repeated_label (bid));
  /* a label and its older spelling are the same label */
  {
    g_autofree gchar *aliased = g_strconcat (rein_document_get_text (posting),
                                             "\nMediator pubkey: ", w->outsider->pubkey, NULL);
    g_autoptr (ReinDocument) doc = sign_as (w->creator, aliased);

    g_assert_cmpstr (rein_document_find_repeated_label (doc), ==, "Mediator pubkey");
  }
  job = world_job (w);
  g_assert_false (entry_valid (job, twice, &reason));
  g_assert_nonnull (strstr (reason, "“Bid amount (BTC)” twice"));
  g_assert_true (entry_valid (job, bid, &reason));
  g_assert_cmpuint (rein_job_get_bids (job)->len, ==, 1);

  /* an enrollment naming a second delegate */
  enrollment_text = g_strconcat (rein_document_get_text (w->outsider->enrollment),
                                 "\nDelegate signing address: ", w->worker->delegate_address,
                                 NULL);
  enrollment = rein_document_sign (enrollment_text, w->outsider->master, NULL,
                                   REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_assert_false (rein_directory_add (directory, enrollment, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
  g_assert_nonnull (strstr (error->message, "twice"));
}

static void
test_happy_flow (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid, *offer, *delivery;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (GError) error = NULL;

  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_POSTED);
  g_assert_cmpstr (rein_job_get_name (job), ==, "Logo for a bakery");
  g_assert_true (rein_job_get_actions (job, w->worker->pubkey) & REIN_ACTION_BID);
  g_assert_false (rein_job_get_actions (job, w->creator->pubkey) & REIN_ACTION_BID);
  g_assert_false (rein_job_get_actions (job, w->mediator->pubkey) & REIN_ACTION_BID);
  {
    g_autofree gchar *why = rein_job_explain_refusal (job, w->creator->pubkey, REIN_ACTION_BID);
    g_assert_cmpstr (why, ==, "You cannot bid on your own job");
  }
  g_clear_object (&job);

  bid = bid_on (w, posting, w->worker, "0.001");
  bid_on (w, posting, w->outsider, "0.07");
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_BIDS);
  g_assert_cmpuint (rein_job_get_bids (job)->len, ==, 2);
  g_assert_cmpint (rein_job_get_role (job, w->worker->pubkey), ==, REIN_ROLE_WORKER);
  g_assert_true (rein_job_get_actions (job, w->creator->pubkey) & REIN_ACTION_OFFER);
  g_assert_false (rein_job_get_actions (job, w->worker->pubkey) & REIN_ACTION_OFFER);
  g_clear_object (&job);

  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET,
                                                                &error));
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_AWARDED);
  g_assert_cmpstr (rein_job_get_worker_key (job), ==, w->worker->pubkey);
  g_assert_true (rein_job_get_offer (job) == offer);
  g_assert_cmpint (rein_job_get_actions (job, w->worker->pubkey), ==,
                   REIN_ACTION_DELIVER | REIN_ACTION_WORKER_DISPUTE);
  /* the losing bidder is nobody now */
  g_assert_cmpint (rein_job_get_role (job, w->outsider->pubkey), ==, REIN_ROLE_NONE);
  g_assert_cmpint (rein_job_get_actions (job, w->outsider->pubkey), ==, 0);
  {
    g_autofree gchar *why = rein_job_explain_refusal (job, w->outsider->pubkey,
                                                      REIN_ACTION_DELIVER);
    g_assert_nonnull (strstr (why, "did not win"));
  }
  g_clear_object (&job);

  delivery = add_signed (w, w->worker,
                         rein_document_build_delivery (offer, "Here it is", &error));
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_DELIVERED);
  g_assert_true (rein_job_get_actions (job, w->creator->pubkey) & REIN_ACTION_ACCEPT);
  g_clear_object (&job);

  add_signed (w, w->creator, accept_of (w, delivery, w->creator));
  job = world_job (w);
  g_assert_no_error (error);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);
  g_assert_cmpstr (rein_job_state_describe (rein_job_get_state (job)), ==,
                   "complete, work accepted");
  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    {
      gboolean valid;
      const gchar *reason;

      rein_job_get_entry (job, i, &valid, &reason);
      if (!valid)
        g_error ("entry %u invalid: %s", i, reason);
    }
  g_assert_cmpuint (rein_job_get_n_entries (job), ==, 6);
}

static void
test_dispute_flow (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.001");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  ReinDocument *offer, *cd, *wd, *bad_resolution;
  g_autofree gchar *text = NULL;

  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET,
                                                                &error));
  cd = add_signed (w, w->creator, rein_document_build_dispute (
                                    offer, REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, "Late", &error));
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_CREATOR_DISPUTE);
  g_assert_true (rein_job_get_actions (job, w->mediator->pubkey) & REIN_ACTION_RESOLVE);
  g_assert_false (rein_job_get_actions (job, w->creator->pubkey) & REIN_ACTION_RESOLVE);
  {
    g_autofree gchar *why = rein_job_explain_refusal (job, w->creator->pubkey,
                                                      REIN_ACTION_RESOLVE);
    g_assert_nonnull (strstr (why, "not it"));
  }
  g_clear_object (&job);

  wd = add_signed (w, w->worker, rein_document_build_dispute (
                                   offer, REIN_DOCUMENT_TYPE_WORKER_DISPUTE, "Not late", &error));
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_WORKER_DISPUTE);
  g_clear_object (&job);

  /* a resolution by the creator does not count */
  {
    g_autofree gchar *primary = payment (w, TRUE, (Party *[]){ w->creator, w->worker, NULL },
                                         (const guint64[]){ 60000, 39000 }, w->mediator);
    g_autofree gchar *mediator = payment (w, FALSE, (Party *[]){ w->mediator, NULL },
                                          (const guint64[]){ 99000 }, w->mediator);

    text = rein_document_build_resolution (cd, "Split 60/40", primary, mediator, &error);
    g_assert_no_error (error);
  }
  bad_resolution = add_signed (w, w->creator, g_strdup (text));
  job = world_job (w);
  {
    const gchar *reason = NULL;

    g_assert_false (entry_valid (job, bad_resolution, &reason));
    g_assert_nonnull (strstr (reason, "mediator"));
  }
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_WORKER_DISPUTE);
  g_clear_object (&job);

  /* python-rein 0.3's acceptance of a resolution: none before it */
  {
    g_autofree gchar *accepting = g_strdup_printf (
        "Rein Accept Resolution\nJob name: Logo for a bakery\nJob ID: %s\n"
        "Primary escrow redeem script: %s\nMediator escrow redeem script: %s",
        w->job_id, rein_document_get_field (offer, REIN_LABEL_PRIMARY_REDEEM_SCRIPT),
        rein_document_get_field (offer, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT));
    ReinDocument *early = add_signed (w, w->worker, g_strdup (accepting));
    ReinDocument *accepted, *outsider;
    const gchar *reason = NULL;

    job = world_job (w);
    g_assert_false (entry_valid (job, early, &reason));
    g_assert_nonnull (strstr (reason, "no resolution"));
    g_clear_object (&job);
    g_ptr_array_remove (w->docs, early);

    add_signed (w, w->mediator, g_strdup (text));
    job = world_job (w);
    g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_RESOLVED);
    g_assert_cmpint (rein_job_get_actions (job, w->mediator->pubkey), ==, 0);
    g_clear_object (&job);

    accepted = add_signed (w, w->worker, g_strdup (accepting));
    outsider = add_signed (w, w->outsider, g_strconcat (accepting, "\nBy: Oscar", NULL));
    job = world_job (w);
    g_assert_true (entry_valid (job, accepted, NULL));
    g_assert_false (entry_valid (job, outsider, &reason));
    g_assert_nonnull (strstr (reason, "creator or the worker"));
    g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_RESOLVED);
  }
  (void) wd;
}

/* Adds @text signed by @signer, checks that it does not count, for a
 * reason that says @why, and takes it away again. */
static void
assert_refused (World *w, Party *signer, gchar *text /* owned */, const gchar *why)
{
  ReinDocument *doc = add_signed (w, signer, text);
  g_autoptr (ReinJob) job = world_job (w);
  const gchar *reason = NULL;

  if (entry_valid (job, doc, &reason))
    g_error ("a payment that should not count counted (%s)", why);
  if (strstr (reason, why) == NULL)
    g_error ("refused for “%s”, not for “%s”", reason, why);
  g_assert_cmpint (rein_job_get_state (job), !=, REIN_JOB_STATE_ACCEPTED);
  g_assert_cmpint (rein_job_get_state (job), !=, REIN_JOB_STATE_RESOLVED);
  g_ptr_array_remove (w->docs, doc);
}

static gchar *
accept_with (ReinDocument *delivery, const gchar *primary, const gchar *mediator)
{
  g_autoptr (GError) error = NULL;
  gchar *text = rein_document_build_accept (delivery, primary, mediator, &error);

  g_assert_no_error (error);
  return text;
}

/* The final transaction of a payment of @amount sat out of 100000 that
 * both @a and @b signed, in hex: what older clients put in a document. */
static gchar *
final_hex_paying (World *w, gboolean primary, Party *to, guint64 amount, Party *a, Party *b)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPsbt) psbt = payment_psbt (w, primary, 100000, (Party *[]){ to, NULL },
                                            (const guint64[]){ amount },
                                            (Party *[]){ a, b, NULL });
  g_autoptr (ReinTx) tx = NULL;

  g_assert_true (rein_psbt_finalize (psbt, &error));
  tx = rein_psbt_extract (psbt, &error);
  g_assert_no_error (error);
  return rein_tx_to_hex (tx);
}

static gchar *
final_hex (World *w, gboolean primary, Party *to, Party *a, Party *b)
{
  return final_hex_paying (w, primary, to, 99000, a, b);
}

/* PROTOCOL.md section 3(c) for accepts and resolutions: the payments they
 * carry must be payments out of this job's escrows to the right people,
 * signed by the writer; an empty one never completes a job. */
static void
test_payments (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.001");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  ReinDocument *offer, *delivery, *cd;
  g_autofree gchar *good_primary = NULL, *good_mediator = NULL, *empty = NULL;
  g_autofree gchar *text = NULL;

  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET,
                                                                &error));
  delivery = add_signed (w, w->worker, rein_document_build_delivery (offer, "Done", &error));
  good_primary = payment (w, TRUE, (Party *[]){ w->worker, NULL }, (const guint64[]){ 99000 },
                          w->creator);
  good_mediator = payment (w, FALSE, (Party *[]){ w->mediator, NULL },
                           (const guint64[]){ 99000 }, w->creator);

  /* an empty PSBT: no inputs, no outputs (what completed jobs before) */
  {
    g_autoptr (ReinTx) nothing = rein_tx_new (2, 0);
    g_autoptr (ReinPsbt) psbt = rein_psbt_new (nothing, &error);

    empty = rein_psbt_to_base64 (psbt);
  }
  assert_refused (w, w->creator, accept_with (delivery, empty, good_mediator), "spends nothing");
  assert_refused (w, w->creator, accept_with (delivery, good_primary, "cHNidP8BAA=="),
                  "neither a PSBT nor a transaction");
  assert_refused (w, w->creator, accept_with (delivery, good_primary, "00"),
                  "not a transaction");
  /* the wrong escrow: each payment spends the other's */
  assert_refused (w, w->creator, accept_with (delivery, good_mediator, good_primary),
                  "does not spend the primary escrow");
  {
    g_autofree gchar *to_outsider = payment (w, TRUE, (Party *[]){ w->outsider, NULL },
                                             (const guint64[]){ 99000 }, w->creator);
    g_autofree gchar *to_creator = payment (w, TRUE, (Party *[]){ w->creator, NULL },
                                            (const guint64[]){ 99000 }, w->creator);
    g_autofree gchar *twice = payment (w, TRUE, (Party *[]){ w->worker, w->worker, NULL },
                                       (const guint64[]){ 49000, 50000 }, w->creator);
    g_autofree gchar *by_worker = payment (w, TRUE, (Party *[]){ w->worker, NULL },
                                           (const guint64[]){ 99000 }, w->worker);
    g_autofree gchar *greedy = payment (w, TRUE, (Party *[]){ w->worker, NULL },
                                        (const guint64[]){ 40000 }, w->creator);
    g_autofree gchar *dust = payment (w, FALSE, (Party *[]){ w->mediator, NULL },
                                      (const guint64[]){ 545 }, w->creator);
    g_autofree gchar *unsigned_payment = NULL;
    g_autofree gchar *outsider_hex = final_hex (w, TRUE, w->outsider, w->creator, w->worker);

    {
      g_autoptr (ReinPsbt) psbt = payment_psbt (w, TRUE, 100000, (Party *[]){ w->worker, NULL },
                                                (const guint64[]){ 99000 },
                                                (Party *[]){ NULL });

      unsigned_payment = rein_psbt_to_base64 (psbt);
    }
    assert_refused (w, w->creator, accept_with (delivery, to_outsider, good_mediator),
                    "pays someone it may not pay (only the worker)");
    /* an accept cannot refund: that is the mediator's to decide */
    assert_refused (w, w->creator, accept_with (delivery, to_creator, good_mediator),
                    "pays someone it may not pay");
    assert_refused (w, w->creator, accept_with (delivery, twice, good_mediator),
                    "pays the worker twice");
    assert_refused (w, w->creator, accept_with (delivery, by_worker, good_mediator),
                    "not signed by the document's writer");
    assert_refused (w, w->creator, accept_with (delivery, unsigned_payment, good_mediator),
                    "not signed by the document's writer");
    assert_refused (w, w->creator, accept_with (delivery, greedy, good_mediator),
                    "more than half");
    /* half of what is due, paid in full: the other half would be lost */
    {
      g_autoptr (ReinPsbt) psbt = payment_psbt (w, TRUE, 50000, (Party *[]){ w->worker, NULL },
                                                (const guint64[]){ 49000 },
                                                (Party *[]){ w->creator, NULL });
      g_autofree gchar *half = rein_psbt_to_base64 (psbt);

      assert_refused (w, w->creator, accept_with (delivery, half, good_mediator),
                      "spends 50000 sat, less than the 100000 sat due");
    }
    /* a signature that is not one, beside the writer's */
    {
      g_autoptr (ReinPsbt) psbt = payment_psbt (w, TRUE, 100000, (Party *[]){ w->worker, NULL },
                                                (const guint64[]){ 99000 },
                                                (Party *[]){ w->creator, NULL });
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, 0);
      ReinPsbtSignature *sig = g_ptr_array_index (sigs, 0);
      g_autoptr (GByteArray) key = g_byte_array_new ();
      g_autofree guint8 *worker_key = NULL;
      g_autofree gchar *forged = NULL;
      gsize len = 0, sig_len = 0;
      const guint8 *sig_bytes = g_bytes_get_data (sig->signature, &sig_len);

      worker_key = rein_hex_decode (w->worker->pubkey, &len, &error);
      g_byte_array_append (key, (const guint8 *) "\x02", 1);
      g_byte_array_append (key, worker_key, len);
      g_assert_true (rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, 0, key->data, key->len,
                                           sig_bytes, sig_len, &error));
      g_assert_no_error (error);
      forged = rein_psbt_to_base64 (psbt);
      assert_refused (w, w->creator, accept_with (delivery, forged, good_mediator),
                      "carries a signature that is not a valid one");
    }
    assert_refused (w, w->creator, accept_with (delivery, good_primary, dust),
                    "below the dust limit");
    assert_refused (w, w->creator, accept_with (delivery, outsider_hex, good_mediator),
                    "pays someone it may not pay");
  }
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_DELIVERED);
  g_clear_object (&job);

  /* raw transaction hex from older clients: checked as far as it can be
   * (the redeem script, the writer's signature, who is paid) */
  {
    g_autofree gchar *primary_hex = final_hex (w, TRUE, w->worker, w->creator, w->worker);
    g_autofree gchar *mediator_hex = final_hex (w, FALSE, w->mediator, w->creator, w->mediator);
    g_autofree gchar *not_creators = final_hex (w, TRUE, w->worker, w->mediator, w->worker);

    /* its inputs' values are not known: what it pays is bounded as
     * python-rein 0.3's payments are (the 100000 sat bid less 50000) */
    g_autofree gchar *too_little = final_hex_paying (w, TRUE, w->worker, 49999, w->creator,
                                                     w->worker);

    assert_refused (w, w->creator, accept_with (delivery, not_creators, mediator_hex),
                    "not signed by the document's writer");
    assert_refused (w, w->creator, accept_with (delivery, too_little, mediator_hex),
                    "the primary payment pays 49999 sat of the 100000 sat due: its fee would "
                    "be more than the 50000 sat allowed");
    add_signed (w, w->creator, accept_with (delivery, primary_hex, mediator_hex));
  }
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);
  g_clear_object (&job);

  /* a resolution: the primary escrow to the creator and/or the worker,
   * the mediator escrow to the mediator, signed by the mediator */
  g_ptr_array_remove_range (w->docs, w->docs->len - 2, 2);
  cd = add_signed (w, w->creator, rein_document_build_dispute (
                                    offer, REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, "Late", &error));
  {
    g_autofree gchar *to_mediator = payment (w, TRUE, (Party *[]){ w->mediator, NULL },
                                             (const guint64[]){ 99000 }, w->mediator);
    g_autofree gchar *split = payment (w, TRUE, (Party *[]){ w->creator, w->worker, NULL },
                                       (const guint64[]){ 50000, 49000 }, w->mediator);
    g_autofree gchar *fee = payment (w, FALSE, (Party *[]){ w->mediator, NULL },
                                     (const guint64[]){ 99000 }, w->mediator);
    g_autofree gchar *fee_to_worker = payment (w, FALSE, (Party *[]){ w->worker, NULL },
                                               (const guint64[]){ 99000 }, w->mediator);

    text = rein_document_build_resolution (cd, "Mine", to_mediator, fee, &error);
    assert_refused (w, w->mediator, g_steal_pointer (&text),
                    "pays someone it may not pay (only the creator and the worker)");
    text = rein_document_build_resolution (cd, "Worker's", split, fee_to_worker, &error);
    assert_refused (w, w->mediator, g_steal_pointer (&text),
                    "output 0 of the mediator payment pays someone it may not pay");
    /* the creator's signature does not make a mediator's payment */
    text = rein_document_build_resolution (cd, "Split", good_primary, fee, &error);
    assert_refused (w, w->mediator, g_steal_pointer (&text), "not signed by the document's writer");
    text = rein_document_build_resolution (cd, "Split", split, fee, &error);
    g_assert_no_error (error);
    add_signed (w, w->mediator, g_steal_pointer (&text));
  }
  job = world_job (w);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_RESOLVED);
}

static void
test_forgeries (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.05");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinEscrow) other = rein_escrow_new (w->creator->pubkey, w->mediator->pubkey,
                                                  w->outsider->pubkey, REIN_NETWORK_MAINNET,
                                                  NULL);
  ReinDocument *bad_escrow_bid, *bad_script_bid, *stranger_delivery, *no_enrollment;
  ReinDocument *offer;
  const gchar *reason = NULL;
  g_autoptr (Party) ghost = party_new ("Ghost", FALSE);

  /* a bid whose escrow address does not match its keys */
  bad_escrow_bid = add_signed (w, w->outsider,
                               with_field (bid, "Primary escrow address", other->primary_address));
  /* ... signed by the outsider, who is not the worker it names either; so
   * forge one by the worker with a wrong script */
  bad_script_bid = add_signed (w, w->worker, with_field (bid, "Mediator escrow redeem script",
                                                         other->mediator_script_hex));
  /* (offers naming different keys than the bid: see test_forged_offers) */
  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET,
                                                                &error));
  /* a delivery signed by someone who did not win */
  stranger_delivery = add_signed (w, w->outsider,
                                  rein_document_build_delivery (offer, "Mine!", &error));
  /* a document whose signer has no enrollment */
  no_enrollment = sign_as (ghost, rein_document_get_text (bid));
  g_ptr_array_add (w->docs, no_enrollment);

  job = world_job (w);
  g_assert_false (entry_valid (job, bad_escrow_bid, &reason));
  g_assert_false (entry_valid (job, bad_script_bid, &reason));
  g_assert_nonnull (strstr (reason, "mediator escrow script"));
  g_assert_false (entry_valid (job, stranger_delivery, &reason));
  g_assert_nonnull (strstr (reason, "worker who won"));
  g_assert_false (entry_valid (job, no_enrollment, &reason));
  g_assert_nonnull (strstr (reason, "no valid enrollment"));
  g_assert_true (entry_valid (job, offer, &reason));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_AWARDED);

  /* a correctly built bid whose escrow address alone was changed, signed
   * by the right worker */
  {
    g_autoptr (World) w2 = world_new ();
    ReinDocument *p2 = post_job (w2);
    ReinDocument *b2 = bid_on (w2, p2, w2->worker, "0.05");
    g_autoptr (ReinEscrow) e2 = rein_escrow_new (w2->creator->pubkey, w2->mediator->pubkey,
                                                 w2->outsider->pubkey, REIN_NETWORK_MAINNET, NULL);
    ReinDocument *forged;
    g_autoptr (ReinJob) j2 = NULL;

    forged = add_signed (w2, w2->worker, with_field (b2, "Primary escrow address",
                                                     e2->primary_address));
    g_ptr_array_remove (w2->docs, b2);
    j2 = world_job (w2);
    g_assert_false (entry_valid (j2, forged, &reason));
    g_assert_nonnull (strstr (reason, "primary escrow address"));
    g_assert_cmpint (rein_job_get_state (j2), ==, REIN_JOB_STATE_POSTED);
  }
}

/* Offers by the real creator that do not match the bid they award. The
 * good offer is left out of the set: with it, whichever offer hashes first
 * would count and the others fail as "awarded already", hiding the check
 * under test. */
static void
test_forged_offers (void)
{
  static const struct
  {
    const gchar *label;
    const gchar *reason;
  } cases[] = {
    { "Mediator public key", "it names another mediator key than the job posting" },
    /* NULL: not even a document of this job, but of another creator's
     * job under the same ID (which has no posting) */
    { "Job creator public key", NULL },
    { "Worker public key", "it does not award any valid bid (worker key or amount differ)" },
    { "Bid amount (BTC)", "it does not award any valid bid (worker key or amount differ)" },
    { "Primary escrow address", "primary escrow address" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (World) w = world_new ();
      ReinDocument *posting = post_job (w);
      ReinDocument *bid = bid_on (w, posting, w->worker, "0.05");
      g_autoptr (GError) error = NULL;
      g_autofree gchar *good_text = rein_document_build_offer (bid, REIN_NETWORK_MAINNET, &error);
      g_autoptr (ReinDocument) good = NULL;
      g_autoptr (ReinEscrow) other = rein_escrow_new (w->creator->pubkey, w->mediator->pubkey,
                                                      w->outsider->pubkey, REIN_NETWORK_MAINNET,
                                                      NULL);
      g_autoptr (ReinJob) job = NULL;
      ReinDocument *forged;
      const gchar *value;
      const gchar *reason = NULL;

      g_assert_no_error (error);
      good = sign_as (w->creator, good_text);
      if (g_str_equal (cases[i].label, "Bid amount (BTC)"))
        value = "0.5";
      else if (g_str_equal (cases[i].label, "Primary escrow address"))
        value = other->primary_address;
      else
        value = w->outsider->pubkey;
      forged = add_signed (w, w->creator, with_field (good, cases[i].label, value));

      job = world_job (w);
      g_test_message ("offer with another %s", cases[i].label);
      if (cases[i].reason == NULL)
        {
          g_assert_false (has_entry (job, forged));
        }
      else
        {
          g_assert_false (entry_valid (job, forged, &reason));
          g_assert_nonnull (reason);
          g_assert_nonnull (strstr (reason, cases[i].reason));
        }
      /* nothing was awarded */
      g_assert_null (rein_job_get_offer (job));
      g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_BIDS);
      g_clear_object (&job);

      /* the good offer, added now, is taken */
      g_ptr_array_add (w->docs, g_object_ref (good));
      job = world_job (w);
      g_assert_true (entry_valid (job, good, &reason));
      g_assert_true (rein_job_get_offer (job) == good);
      g_assert_true (cases[i].reason == NULL || !entry_valid (job, forged, &reason));
      g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_AWARDED);
    }
}

/* Someone copies a job's ID into a posting of their own: it is another
 * job, and it cannot take the real one over. */
static void
test_copied_job_id (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) ambiguous = NULL;
  g_autoptr (ReinJob) real = NULL;
  g_autoptr (ReinJob) copy = NULL;
  g_auto (GStrv) creators = NULL;
  ReinDocument *copycat;
  const gchar *reason = NULL;

  bid_on (w, posting, w->worker, "0.05");
  {
    ReinJobParams params = {
      .job_name = "Logo for a bakery", .job_id = w->job_id, .category = "Graphics",
      .description = "Mine now", .creator = w->outsider->name,
      .creator_contact = "o@example.com", .creator_public_key = w->outsider->pubkey,
      .creator_master_address = w->outsider->master_address,
    };
    g_autofree gchar *text = NULL;

    g_assert_true (rein_job_params_set_mediator (&params, w->mediator->enrollment, &error));
    text = rein_document_build_job_posting (&params, &error);
    g_assert_no_error (error);
    copycat = add_signed (w, w->outsider, g_steal_pointer (&text));
  }

  creators = rein_job_find_creators (w->job_id, w->docs, w->directory);
  g_assert_cmpuint (g_strv_length (creators), ==, 2);
  g_assert_true (g_strv_contains ((const gchar *const *) creators, w->creator->pubkey));
  g_assert_true (g_strv_contains ((const gchar *const *) creators, w->outsider->pubkey));

  /* by its ID alone the job is ambiguous, whichever posting hashes lower */
  ambiguous = rein_job_new (w->job_id, w->docs, w->directory);
  g_assert_cmpint (rein_job_get_state (ambiguous), ==, REIN_JOB_STATE_NONE);
  g_assert_false (entry_valid (ambiguous, copycat, &reason));
  g_assert_nonnull (strstr (reason, "2 different creators"));

  /* with its creator, each job is whole and apart */
  real = rein_job_new_for_creator (w->job_id, w->creator->pubkey, w->docs, w->directory);
  g_assert_cmpint (rein_job_get_state (real), ==, REIN_JOB_STATE_BIDS);
  g_assert_true (rein_job_get_posting (real) == posting);
  g_assert_cmpint (rein_job_get_role (real, w->creator->pubkey), ==, REIN_ROLE_CREATOR);
  g_assert_true (rein_job_get_actions (real, w->creator->pubkey) & REIN_ACTION_OFFER);
  copy = rein_job_new_for_creator (w->job_id, w->outsider->pubkey, w->docs, w->directory);
  g_assert_cmpint (rein_job_get_state (copy), ==, REIN_JOB_STATE_POSTED);
  g_assert_true (rein_job_get_posting (copy) == copycat);
  g_assert_cmpuint (rein_job_get_bids (copy)->len, ==, 0);
}

/* Someone enrolls another user's delegate under their own master: the
 * claim is kept apart, and documents naming the real master still bind
 * to the real enrollment. */
static void
test_claimed_delegate (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDirectory) dir = rein_directory_new ();
  g_autoptr (ReinDocument) fake = NULL;
  g_autoptr (ReinJob) job = NULL;
  ReinDocument *posting, *bid, *bad_bid;
  const gchar *reason = NULL;
  ReinEnrollmentParams params = {
    .user = "Not Maya", .contact = "thief@example.com",
    .master_address = w->outsider->master_address,
    .delegate_address = w->mediator->delegate_address, .willing_to_mediate = TRUE,
    .delegate_public_key = w->mediator->pubkey, .mediator_fee_percent = 0.1,
  };
  g_autofree gchar *text = rein_document_build_enrollment (&params, &error);

  g_assert_no_error (error);
  fake = rein_document_sign (text, w->outsider->master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  /* the false claim arrives first */
  g_assert_true (rein_directory_add (dir, fake, &error));
  for (Party **p = (Party *[]){ w->creator, w->worker, w->mediator, w->outsider, NULL }; *p; p++)
    g_assert_true (rein_directory_add (dir, (*p)->enrollment, &error));
  /* Two masters claim Maya's delegate: neither claim is offered as a
   * mediator, both are listed as contested. */
  g_assert_true (rein_directory_is_contested (dir, w->mediator->pubkey));
  g_assert_cmpuint (rein_directory_get_mediators (dir)->len, ==, 0);
  {
    g_autoptr (GPtrArray) contested = rein_directory_get_contested_mediators (dir);

    g_assert_cmpuint (contested->len, ==, 2);
  }
  rein_directory_free (w->directory);
  w->directory = g_steal_pointer (&dir);

  posting = post_job (w);
  bid = bid_on (w, posting, w->worker, "0.05");
  /* a bid claiming someone else's master for the worker's key */
  bad_bid = add_signed (w, w->worker, with_field (bid, "Worker master address",
                                                  w->creator->master_address));
  job = world_job (w);
  g_assert_true (entry_valid (job, posting, &reason));
  g_assert_true (entry_valid (job, bid, &reason));
  g_assert_false (entry_valid (job, bad_bid, &reason));
  g_assert_nonnull (strstr (reason, "master address it gives"));
}

/* A creator whose delegate key is uncompressed: its posting would make
 * every bid's escrow fail, so it does not count, with the reason. */
static void
test_uncompressed_creator (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (FALSE);
  g_autofree gchar *maddr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  g_autofree gchar *daddr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_autofree gchar *pub = rein_private_key_get_public_key_hex (delegate);
  g_autofree gchar *enrollment_text = NULL, *posting_text = NULL;
  g_autoptr (ReinDocument) enrollment = NULL;
  g_autoptr (ReinJob) job = NULL;
  ReinDocument *posting;
  const gchar *reason = NULL;
  ReinEnrollmentParams ep = {
    .user = "Old Wallet", .contact = "o@example.com", .master_address = maddr,
    .delegate_address = daddr,
  };

  enrollment_text = rein_document_build_enrollment (&ep, &error);
  g_assert_no_error (error);
  enrollment = rein_document_sign (enrollment_text, master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_assert_true (rein_directory_add (w->directory, enrollment, &error));

  posting_text = g_strdup_printf ("Rein Job\nJob name: Old\nJob ID: uncompressed00000000\n"
                                  "Category: Test\nDescription: x\nMediator: Maya\n"
                                  "Mediator public key: %s\nJob creator: Old Wallet\n"
                                  "Job creator public key: %s", w->mediator->pubkey, pub);
  posting = rein_document_sign (posting_text, NULL, delegate, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_ptr_array_add (w->docs, posting);
  w->job_id = g_strdup ("uncompressed00000000");
  job = world_job (w);
  g_assert_false (entry_valid (job, posting, &reason));
  g_assert_nonnull (strstr (reason, "compressed"));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_NONE);
}

static void
test_directory (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr (ReinDocument) naming_other = NULL;
  g_autoptr (ReinDirectory) dir = rein_directory_new ();
  ReinEnrollmentParams params = {
    .user = "Mallory", .contact = "m@example.com",
    .master_address = w->outsider->master_address,
    /* names the worker's delegate, not its own */
    .delegate_address = w->worker->delegate_address,
  };

  /* An enrollment naming another delegate binds that address to the
   * signer's master, not the other way round: a document signed by the
   * outsider's own delegate still has no enrollment. */
  text = rein_document_build_enrollment (&params, &error);
  g_assert_no_error (error);
  naming_other = rein_document_sign (text, w->outsider->master, NULL, REIN_NETWORK_MAINNET,
                                     &error);
  g_assert_no_error (error);
  g_assert_true (rein_directory_add (dir, naming_other, &error));
  g_assert_null (rein_directory_lookup_delegate (dir, w->outsider->delegate_address));

  /* a mediator whose public key is not its delegate's is refused (Rein's
   * builder will not write one, so edit a good one and sign it) */
  {
    g_autofree gchar *t = with_field (w->mediator->enrollment, "Mediator public key",
                                      w->worker->pubkey);
    g_autoptr (ReinDocument) d = rein_document_sign (t, w->mediator->master, NULL,
                                                     REIN_NETWORK_MAINNET, &error);

    g_assert_no_error (error);
    g_assert_false (rein_directory_add (dir, d, &error));
    g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
    g_clear_error (&error);
  }
  g_assert_cmpuint (rein_directory_get_mediators (w->directory)->len, ==, 1);
}

/* @address's hash under another version byte. */
static gchar *
address_as (const gchar *address, ReinAddressType type, ReinNetwork network)
{
  guint8 hash[20];

  g_assert_true (rein_address_validate (address, NULL, NULL, hash, NULL));
  return rein_address_from_hash160 (hash, type, network);
}

/* Which spellings of a key count as that key (rein_same_key()): either
 * network's P2PKH address, any hex case or encoding of a public key; never a
 * P2SH address, and key fields must hold keys. */
static void
test_same_key_forms (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPrivateKey) loose = NULL;
  g_autofree gchar *delegate_test = address_as (w->worker->delegate_address,
                                                REIN_ADDRESS_P2PKH, REIN_NETWORK_TESTNET);
  g_autofree gchar *delegate_p2sh = address_as (w->worker->delegate_address,
                                                REIN_ADDRESS_P2SH, REIN_NETWORK_MAINNET);
  g_autofree gchar *master_test = address_as (w->worker->master_address,
                                              REIN_ADDRESS_P2PKH, REIN_NETWORK_TESTNET);
  g_autofree gchar *master_p2sh = address_as (w->worker->master_address,
                                              REIN_ADDRESS_P2SH, REIN_NETWORK_MAINNET);
  g_autofree gchar *upper = g_ascii_strup (w->creator->pubkey, -1);
  g_autofree gchar *uncompressed = NULL;
  ReinDocument *posting, *bid, *testnet_master_bid, *p2sh_master_bid;
  const gchar *reason = NULL;

  /* the directory finds a delegate by either network's address or its key */
  g_assert_true (rein_directory_lookup_delegate (w->directory, delegate_test)
                 == w->worker->enrollment);
  g_assert_true (rein_directory_lookup_public_key (w->directory, w->worker->pubkey)
                 == w->worker->enrollment);
  g_assert_null (rein_directory_lookup_delegate (w->directory, delegate_p2sh));

  /* an enrollment naming a script address as delegate names no key */
  {
    g_autofree gchar *t = with_field (w->outsider->enrollment, "Delegate signing address",
                                      delegate_p2sh);
    g_autoptr (ReinDocument) d = rein_document_sign (t, w->outsider->master, NULL,
                                                     REIN_NETWORK_MAINNET, &error);

    g_assert_no_error (error);
    g_assert_false (rein_directory_add (w->directory, d, &error));
    g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
    g_clear_error (&error);
  }

  posting = post_job (w);
  bid = bid_on (w, posting, w->worker, "0.05");
  testnet_master_bid = add_signed (w, w->worker, with_field (bid, "Worker master address",
                                                             master_test));
  p2sh_master_bid = add_signed (w, w->worker, with_field (bid, "Worker master address",
                                                          master_p2sh));
  job = world_job (w);
  g_assert_true (entry_valid (job, bid, &reason));
  g_assert_true (entry_valid (job, testnet_master_bid, &reason));
  g_assert_false (entry_valid (job, p2sh_master_bid, &reason));
  g_assert_nonnull (strstr (reason, "master address it gives"));

  /* roles: one key in any spelling of a key, but not an address */
  loose = rein_private_key_new_from_bytes (rein_private_key_get_secret (w->creator->delegate),
                                           FALSE, &error);
  g_assert_no_error (error);
  uncompressed = rein_private_key_get_public_key_hex (loose);
  g_assert_cmpint (rein_job_get_role (job, w->creator->pubkey), ==, REIN_ROLE_CREATOR);
  g_assert_cmpint (rein_job_get_role (job, upper), ==, REIN_ROLE_CREATOR);
  g_assert_cmpint (rein_job_get_role (job, uncompressed), ==, REIN_ROLE_CREATOR);
  g_assert_cmpint (rein_job_get_role (job, w->creator->delegate_address), ==, REIN_ROLE_NONE);
  g_assert_cmpint (rein_job_get_role (job, w->worker->pubkey), ==, REIN_ROLE_WORKER);
  g_assert_cmpint (rein_job_get_role (job, "garbage"), ==, REIN_ROLE_NONE);
}

static ReinDocument *
load_vector (const gchar *name)
{
  g_autofree gchar *rel = g_build_filename ("vectors", "signed", name, NULL);
  g_autofree gchar *path = rein_test_shared_path (rel);
  g_autofree gchar *text = NULL;
  g_autoptr (GError) error = NULL;
  ReinDocument *doc;

  if (path == NULL)
    return NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  doc = rein_document_new_from_armored (text, -1, &error);
  g_assert_no_error (error);
  return doc;
}

static void
test_old_format_vectors (void)
{
  static const gchar *const files[] = {
    "enrollment-alice-mediator.txt", "enrollment-bob.txt", "enrollment-charlie.txt",
    "job-widget-old-format.txt", "bid-widget-old-format.txt", "job-flyer-old-format.txt",
  };
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (ReinDirectory) dir = rein_directory_new ();
  g_autoptr (ReinJob) widget = NULL;
  g_autoptr (ReinJob) flyer = NULL;
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      ReinDocument *doc = load_vector (files[i]);

      if (doc == NULL)
        return;
      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_ENROLLMENT)
        {
          g_assert_true (rein_directory_add (dir, doc, &error));
          g_assert_no_error (error);
        }
      g_ptr_array_add (docs, doc);
    }
  g_assert_cmpuint (rein_directory_get_mediators (dir)->len, ==, 1);

  /* Bob's widget job, mediated by Alice, with Charlie's bid: old labels,
   * no escrow fields, all valid. */
  widget = rein_job_new ("fyzfrxtrttcv8o04oj53", docs, dir);
  g_assert_cmpint (rein_job_get_state (widget), ==, REIN_JOB_STATE_BIDS);
  g_assert_cmpstr (rein_job_get_name (widget), ==, "A Software Widget");
  g_assert_cmpint (rein_job_get_role (
                       widget, "02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519"),
                   ==, REIN_ROLE_WORKER);
  flyer = rein_job_new ("6g0j1m22lec5btt8b9t7", docs, dir);
  g_assert_cmpint (rein_job_get_state (flyer), ==, REIN_JOB_STATE_POSTED);
  g_assert_cmpuint (rein_job_get_n_entries (flyer), ==, 1);
}

/* Issue 10, item 10: a name is not an identity. Oscar's own enrolled key
 * signs a posting that says "Job creator: Carol": it does not count, and
 * the reason says whose name it gave and whose the key is. The same for a
 * bid's worker, a posting's mediator, and names later documents repeat. */
static void
test_declared_names (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *impostor, *fake_mediator, *bid, *fake_worker, *offer, *renamed_offer;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinJob) oscars = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  const gchar *reason = NULL;
  ReinJobParams params = {
    .job_name = "Logo for a bakery", .category = "Graphics", .description = "Mine",
    .creator = "Carol", .creator_contact = "carol@example.com",
    .creator_public_key = w->outsider->pubkey,
    .creator_master_address = w->outsider->master_address,
  };

  /* Oscar's job, signed and bound to Oscar's enrollment, calls him Carol */
  g_assert_true (rein_job_params_set_mediator (&params, w->mediator->enrollment, &error));
  params.job_id = "oscarsjob00000000000";
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  impostor = add_signed (w, w->outsider, g_steal_pointer (&text));
  oscars = rein_job_new ("oscarsjob00000000000", w->docs, w->directory);
  g_assert_cmpint (rein_job_get_state (oscars), ==, REIN_JOB_STATE_NONE);
  g_assert_false (entry_valid (oscars, impostor, &reason));
  g_assert_cmpstr (reason, ==, "it calls its job creator “Carol”, but that key’s enrollment "
                               "says “Oscar”");

  /* Carol's job naming Maya's key and master, but calling her "Mia" */
  fake_mediator = add_signed (w, w->creator, with_field (posting, "Mediator", "Mia"));
  bid = bid_on (w, posting, w->worker, "0.05");
  /* Walter's bid in Oscar's name */
  fake_worker = add_signed (w, w->worker, with_field (bid, "Worker", "Oscar"));
  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET, NULL));
  job = world_job (w);
  g_assert_true (entry_valid (job, posting, &reason));
  g_assert_false (entry_valid (job, fake_mediator, &reason));
  /* the first valid posting counts; the renamed one is judged on its own */
  g_assert_nonnull (reason);
  g_assert_true (entry_valid (job, bid, &reason));
  g_assert_false (entry_valid (job, fake_worker, &reason));
  g_assert_cmpstr (reason, ==, "it calls its worker “Oscar”, but that key’s enrollment says "
                               "“Walter”");
  g_assert_true (entry_valid (job, offer, &reason));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_AWARDED);

  /* an offer that renames the awarded worker awards nothing */
  g_ptr_array_remove (w->docs, offer);
  renamed_offer = add_signed (w, w->creator, with_field (offer, "Worker", "Oscar"));
  g_clear_object (&job);
  job = world_job (w);
  g_assert_false (entry_valid (job, renamed_offer, &reason));
  g_assert_nonnull (strstr (reason, "Worker"));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_BIDS);
}

/* The mediator's self-declared name in a posting must be its enrollment's:
 * a posting alone, so that the reason is its own. */
static void
test_declared_mediator_name (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *renamed;
  g_autoptr (ReinJob) job = NULL;
  const gchar *reason = NULL;

  renamed = add_signed (w, w->creator, with_field (posting, "Mediator", "Mia"));
  g_ptr_array_remove (w->docs, posting);
  job = world_job (w);
  g_assert_false (entry_valid (job, renamed, &reason));
  g_assert_cmpstr (reason, ==, "it calls its mediator “Mia”, but that key’s enrollment says "
                               "“Maya”");
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_NONE);
}

/* An enrollment signed by Oscar's master saying "User: Maya" with Maya's
 * delegate and key: Maya's delegate is contested, neither "Maya" is
 * offered as a mediator, and without a master no claim is "the" one. */
static void
test_contested_mediator (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) fake = NULL;
  g_autoptr (GPtrArray) contested = NULL;
  GPtrArray *offered;
  ReinEnrollmentParams params = {
    .user = "Maya", .contact = "oscar@example.com",
    .master_address = w->outsider->master_address,
    .delegate_address = w->mediator->delegate_address, .willing_to_mediate = TRUE,
    .delegate_public_key = w->mediator->pubkey, .mediator_fee_percent = 0.1,
  };
  g_autofree gchar *text = rein_document_build_enrollment (&params, &error);

  g_assert_no_error (error);
  offered = rein_directory_get_mediators (w->directory);
  g_assert_cmpuint (offered->len, ==, 1);
  g_assert_false (rein_directory_is_contested (w->directory, w->mediator->pubkey));
  g_assert_true (rein_directory_lookup_claim (w->directory, w->mediator->pubkey, NULL)
                 == w->mediator->enrollment);

  fake = rein_document_sign (text, w->outsider->master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_assert_true (rein_directory_add (w->directory, fake, &error));
  g_assert_true (rein_directory_is_contested (w->directory, w->mediator->pubkey));
  g_assert_true (rein_directory_is_contested (w->directory, w->mediator->delegate_address));
  g_assert_false (rein_directory_is_contested (w->directory, w->creator->pubkey));
  offered = rein_directory_get_mediators (w->directory);
  g_assert_cmpuint (offered->len, ==, 0);
  contested = rein_directory_get_contested_mediators (w->directory);
  g_assert_cmpuint (contested->len, ==, 2);
  g_assert_null (rein_directory_lookup_claim (w->directory, w->mediator->pubkey, NULL));
  g_assert_true (rein_directory_lookup_claim (w->directory, w->mediator->pubkey,
                                              w->mediator->master_address)
                 == w->mediator->enrollment);
  g_assert_true (rein_directory_lookup_claim (w->directory, w->mediator->pubkey,
                                              w->outsider->master_address)
                 == fake);

  /* shown: each claim with its own master's fingerprint, marked; a party
   * given without a master is no one in particular */
  {
    g_autofree gchar *real = rein_person_format_party (w->directory, w->mediator->pubkey,
                                                       w->mediator->master_address, "Maya");
    g_autofree gchar *claimed = rein_person_format_party (w->directory, w->mediator->pubkey,
                                                          w->outsider->master_address, "Maya");
    g_autofree gchar *unbound = rein_person_format_party (w->directory, w->mediator->pubkey,
                                                          NULL, "Maya");
    g_autofree gchar *real_fp = rein_person_fingerprint (w->mediator->master_address);

    g_assert_cmpstr (real, !=, claimed);
    g_assert_true (strstr (real, real_fp) != NULL);
    g_assert_true (g_str_has_suffix (real, REIN_PERSON_CONTESTED_MARK));
    g_assert_true (g_str_has_suffix (claimed, REIN_PERSON_CONTESTED_MARK));
    g_assert_true (strstr (unbound, "(no fingerprint)") != NULL);
    g_assert_true (g_str_has_suffix (unbound, REIN_PERSON_CONTESTED_MARK));
  }
}

/* ---- Ratings (python-rein 0.3) ---- */

/* A completed job of @w (posted, bid, awarded, delivered, accepted). */
static ReinJob *
completed_job (World *w, gboolean complete)
{
  g_autoptr (GError) error = NULL;
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.001");
  ReinDocument *offer = add_signed (w, w->creator,
                                    rein_document_build_offer (bid, REIN_NETWORK_MAINNET, &error));
  ReinDocument *delivery = add_signed (w, w->worker,
                                       rein_document_build_delivery (offer, "Done", &error));

  if (complete)
    add_signed (w, w->creator, accept_of (w, delivery, w->creator));
  g_assert_no_error (error);
  return world_job (w);
}

static gchar *
sin_of (Party *p)
{
  return rein_sin_from_address (p->master_address);
}

/* @rater's rating of @rated on @w's job, signed by @signer. */
static ReinRating *
rate (World *w, Party *signer, Party *rater, Party *rated, guint value)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *rater_sin = sin_of (rater);
  g_autofree gchar *rated_sin = sin_of (rated);
  g_autofree gchar *text = rein_rating_build (value, rated_sin, w->job_id, rater_sin,
                                              "Quick and clear", &error);
  g_autoptr (ReinDocument) doc = NULL;
  ReinRating *rating;

  g_assert_no_error (error);
  doc = sign_as (signer, text);
  rating = rein_rating_new_from_document (doc, &error);
  g_assert_no_error (error);
  return rating;
}

static void
test_rating_document (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *carol = sin_of (w->creator);
  g_autofree gchar *walter = sin_of (w->worker);
  g_autofree gchar *text = NULL;
  g_autoptr (ReinDocument) doc = NULL;
  g_autoptr (ReinRating) rating = NULL;
  const gchar *job_id = "k3v9x0q2m8z1c7b5n4a6";
  struct
  {
    const gchar *from, *to;
  } bad[] = {
    { "Rating: 4", "Rating: 6" },
    { "Rating: 4", "Rating: -1" },
    { "Rating: 4", "Rating: 4.5" },
    { "Rating: 4", "Rating:  4" },
    { "Job id: k3v9x0q2m8z1c7b5n4a6", "Job id: K3V9X0Q2M8Z1C7B5N4A6" },
    { "Rater msin: ", "Rater msin: x" },
    { "User msin: ", "User msin: 1" },
    { "\nComments: Quick and clear", "" },
  };

  text = rein_rating_build (4, walter, job_id, carol, "Quick and clear", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "Rein Rating\nRating: 4\nUser msin: "));
  g_assert_nonnull (strstr (text, "\nJob id: k3v9x0q2m8z1c7b5n4a6\nRater msin: "));
  g_assert_true (g_str_has_suffix (text, "\nComments: Quick and clear"));
  doc = sign_as (w->creator, text);
  g_assert_cmpint (rein_document_get_document_type (doc), ==, REIN_DOCUMENT_TYPE_RATING);
  rating = rein_rating_new_from_document (doc, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rating->rating, ==, 4);
  g_assert_cmpstr (rating->rated_sin, ==, walter);
  g_assert_cmpstr (rating->rater_sin, ==, carol);
  g_assert_cmpstr (rating->job_id, ==, job_id);
  g_assert_cmpstr (rating->comments, ==, "Quick and clear");

  /* What the builder refuses */
  g_assert_null (rein_rating_build (6, walter, job_id, carol, NULL, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_null (rein_rating_build (5, carol, job_id, carol, NULL, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_null (rein_rating_build (5, walter, job_id, carol, "two\nlines", &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_null (rein_rating_build (5, w->worker->master_address, job_id, carol, NULL, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* What the reader refuses; a rating without comments is fine */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GString) changed = g_string_new (text);
      g_autoptr (ReinDocument) other = NULL;
      g_autoptr (ReinRating) parsed = NULL;

      g_assert_cmpuint (g_string_replace (changed, bad[i].from, bad[i].to, 1), ==, 1);
      other = sign_as (w->creator, changed->str);
      parsed = rein_rating_new_from_document (other, &error);
      if (g_str_equal (bad[i].to, ""))
        {
          g_assert_no_error (error);
          g_assert_cmpstr (parsed->comments, ==, "");
          continue;
        }
      if (parsed != NULL)
        g_error ("a rating with “%s” was taken", bad[i].to);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  /* Not a rating at all */
  g_assert_null (rein_rating_new_from_document (w->creator->enrollment, &error));
  g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE);
}

/* A rating counts when its signer is the rater it names and the job
 * completed between the two; the summary and the trust score. */
static void
test_rating_check (void)
{
  g_autoptr (World) w = world_new ();
  g_autoptr (World) open = world_new ();
  g_autoptr (ReinJob) job = completed_job (w, TRUE);
  g_autoptr (ReinJob) open_job = completed_job (open, FALSE);
  g_autoptr (GPtrArray) counted = NULL;
  g_autofree gchar *walter = sin_of (w->worker);
  g_autofree gchar *carol = sin_of (w->creator);
  g_autofree gchar *maya = sin_of (w->mediator);
  ReinRatingSummary summary;
  GError *error = NULL;
  guint links = 0;
  gdouble trust;
  struct
  {
    ReinRating *rating;
    ReinJob *job;
    const gchar *why; /* NULL: it counts */
    World *world;     /* whose enrollments to check with */
  } cases[] = {
    { rate (w, w->creator, w->creator, w->worker, 4), job, NULL },
    { rate (w, w->mediator, w->mediator, w->worker, 2), job, NULL },
    { rate (w, w->worker, w->worker, w->creator, 5), job, NULL },
    /* Carol again on the same job: the later one stands */
    { rate (w, w->creator, w->creator, w->worker, 3), job, NULL },
    /* Signed by someone else than the rater it names */
    { rate (w, w->outsider, w->creator, w->worker, 0), job, "not the rater" },
    /* Oscar took no part in it */
    { rate (w, w->outsider, w->outsider, w->worker, 0), job, "the rater was not the job's creator, worker or mediator" },
    { rate (w, w->creator, w->creator, w->outsider, 0), job, "the one rated was not the job's creator, worker or mediator" },
    /* A job that did not complete */
    { rate (open, open->creator, open->creator, open->worker, 1), open_job, "did not complete",
      open },
    /* Another job than the one it names */
    { rate (w, w->creator, w->creator, w->worker, 1), open_job, "not found" },
  };

  counted = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_rating_free);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      World *in = cases[i].world != NULL ? cases[i].world : w;
      gboolean counts = rein_rating_check (cases[i].rating, cases[i].job, in->directory, &error);

      if (cases[i].why == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (counts);
          g_ptr_array_add (counted, cases[i].rating);
          continue;
        }
      g_assert_false (counts);
      g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
      if (strstr (error->message, cases[i].why) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].why);
      g_clear_error (&error);
      rein_rating_free (cases[i].rating);
    }

  /* Walter: Carol's last (3) and Maya's 2 */
  rein_rating_summarize (counted, walter, &summary);
  g_assert_cmpuint (summary.count, ==, 2);
  g_assert_cmpfloat_with_epsilon (summary.average, 2.5, 1e-9);
  rein_rating_summarize (counted, carol, &summary);
  g_assert_cmpuint (summary.count, ==, 1);
  g_assert_cmpfloat_with_epsilon (summary.average, 5.0, 1e-9);
  rein_rating_summarize (counted, maya, &summary);
  g_assert_cmpuint (summary.count, ==, 0);

  /* Trust, from my point of view: nobody rated Maya, so Carol has no
   * score for her. Maya never rated Carol, but rated Walter (2), who rated
   * Carol 5: that link counts as far as Maya trusts Walter, 2. */
  g_assert_cmpfloat (rein_rating_trust (counted, carol, maya, &links), <, 0);
  g_assert_cmpuint (links, ==, 0);
  trust = rein_rating_trust (counted, maya, carol, &links);
  g_assert_cmpfloat_with_epsilon (trust, 2.0, 1e-9);
  g_assert_cmpuint (links, ==, 1);
  /* My own rating alone: Walter's 5 for Carol. Carol's 3 for Walter (her
   * earlier 4 replaced); Maya's 2 for him does not count for Carol, who
   * never rated Maya. */
  trust = rein_rating_trust (counted, walter, carol, &links);
  g_assert_cmpfloat_with_epsilon (trust, 5.0, 1e-9);
  g_assert_cmpuint (links, ==, 1);
  trust = rein_rating_trust (counted, carol, walter, &links);
  g_assert_cmpfloat_with_epsilon (trust, 3.0, 1e-9);
  g_assert_cmpuint (links, ==, 1);
  /* My own rating weighs five: Carol rates Maya 0, Walter rated Maya 1
   * and Carol rated Walter 3: (5 * 0 + min (3, 1)) / 6. */
  g_ptr_array_add (counted, rate (w, w->worker, w->worker, w->mediator, 1));
  g_ptr_array_add (counted, rate (w, w->creator, w->creator, w->mediator, 0));
  trust = rein_rating_trust (counted, carol, maya, &links);
  g_assert_cmpfloat_with_epsilon (trust, 1.0 / 6.0, 1e-9);
  g_assert_cmpuint (links, ==, 2);
}

/* ---- python-rein 0.3's plain payment fields ---- */

/* The fields of a 0.3 payment out of one escrow of @w's job: one coin
 * (a made-up txid of bytes @coin), an output of @amounts[i] sat to each
 * @to[i] (NULL-terminated; two: a resolution's worker and creator);
 * "... signature" by @writer and, when @client is given, the creator's
 * part of an accept ("Primary payment client signature", or the mediator
 * payment in hex with hers in it). Built with our own builder, the way
 * 0.3 writes them. */
static gchar *
legacy_fields (World *w, gboolean primary, guint8 coin, Party **to, const guint64 *amounts,
               Party *writer, Party *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (w->creator->pubkey, w->mediator->pubkey,
                                                   w->worker->pubkey, REIN_NETWORK_MAINNET,
                                                   &error);
  g_autoptr (ReinTx) tx = rein_tx_new (REIN_LEGACY_TX_VERSION, 0);
  g_autofree guint8 *redeem = NULL;
  g_autofree gchar *inputs = NULL;
  GString *text = g_string_new (NULL);
  gboolean split = to[1] != NULL;
  guint8 txid[32];
  gsize len = 0;

  g_assert_no_error (error);
  redeem = rein_hex_decode (primary ? escrow->primary_script_hex : escrow->mediator_script_hex,
                            &len, &error);
  g_assert_no_error (error);
  memset (txid, coin, sizeof txid);
  rein_tx_add_input (tx, txid, 0, REIN_LEGACY_SEQUENCE);
  inputs = rein_legacy_format_inputs (tx);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_INPUTS
                                       : REIN_LEGACY_LABEL_MEDIATOR_INPUTS, inputs);
  for (guint o = 0; to[o] != NULL; o++)
    {
      g_autofree gchar *amount = rein_legacy_format_amount (amounts[o]);
      const gchar *amount_label = !primary ? REIN_LEGACY_LABEL_MEDIATOR_AMOUNT
                                  : !split ? REIN_LEGACY_LABEL_PRIMARY_AMOUNT
                                  : o == 0 ? REIN_LEGACY_LABEL_PRIMARY_WORKER_AMOUNT
                                           : REIN_LEGACY_LABEL_PRIMARY_CLIENT_AMOUNT;
      const gchar *address_label = !primary ? REIN_LEGACY_LABEL_MEDIATOR_ADDRESS
                                   : !split ? REIN_LEGACY_LABEL_PRIMARY_ADDRESS
                                   : o == 0 ? REIN_LEGACY_LABEL_PRIMARY_WORKER_ADDRESS
                                            : REIN_LEGACY_LABEL_PRIMARY_CLIENT_ADDRESS;

      g_assert_nonnull (rein_tx_add_output_address (tx, to[o]->delegate_address,
                                                    REIN_NETWORK_MAINNET, amounts[o], &error));
      rein_legacy_add_field (text, amount_label, amount);
      rein_legacy_add_field (text, address_label, to[o]->delegate_address);
    }
  if (writer != NULL)
    {
      g_autoptr (GPtrArray) sigs = rein_legacy_sign (tx, redeem, len, writer->delegate, &error);
      g_autofree gchar *sigs_text = NULL;

      g_assert_no_error (error);
      sigs_text = rein_legacy_format_signatures (sigs);
      rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_SIGNATURE
                                           : REIN_LEGACY_LABEL_MEDIATOR_SIGNATURE, sigs_text);
    }
  if (client != NULL)
    {
      g_autoptr (GPtrArray) sigs = rein_legacy_sign (tx, redeem, len, client->delegate, &error);
      g_autofree gchar *value = NULL;

      g_assert_no_error (error);
      value = primary ? rein_legacy_format_signatures (sigs)
                      : rein_legacy_partial_hex (tx, sigs, redeem, len);
      rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_CLIENT_SIGNATURE
                                           : REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE, value);
    }
  return g_string_free (text, FALSE);
}

/* A 0.3 accept (no PSBTs): the worker's primary payment of @worker_amount
 * out of coin @coin, signed by the worker and the creator, and the
 * mediator payment of @mediator_amount signed by the creator. */
static gchar *
legacy_accept (World *w, guint8 coin, guint64 worker_amount, guint64 mediator_amount)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (w->creator->pubkey, w->mediator->pubkey,
                                                   w->worker->pubkey, REIN_NETWORK_MAINNET,
                                                   &error);
  g_autofree gchar *primary = legacy_fields (w, TRUE, coin, (Party *[]){ w->worker, NULL },
                                             (const guint64[]){ worker_amount }, w->worker,
                                             w->creator);
  g_autofree gchar *mediator = legacy_fields (w, FALSE, 0x77, (Party *[]){ w->mediator, NULL },
                                              (const guint64[]){ mediator_amount }, NULL,
                                              w->creator);

  g_assert_no_error (error);
  return g_strdup_printf ("Rein Accept Delivery\nJob name: Logo for a bakery\nJob ID: %s\n"
                          "Primary escrow redeem script: %s\n"
                          "Mediator escrow redeem script: %s%s%s",
                          w->job_id, escrow->primary_script_hex, escrow->mediator_script_hex,
                          primary, mediator);
}

/* A 0.3 delivery of @offer: the worker's primary payment of 700000 sat
 * out of coin 0x22, signed, and a mediator payment of @mediator_amount
 * sat described. */
static ReinDocument *
legacy_delivery (World *w, ReinDocument *offer, guint64 mediator_amount)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *primary = legacy_fields (w, TRUE, 0x22, (Party *[]){ w->worker, NULL },
                                             (const guint64[]){ 700000 }, w->worker, NULL);
  g_autofree gchar *mediator = legacy_fields (w, FALSE, 0x77, (Party *[]){ w->mediator, NULL },
                                              (const guint64[]){ mediator_amount }, NULL, NULL);
  g_autofree gchar *plain = rein_document_build_delivery (offer, "Done, 0.3", &error);

  g_assert_no_error (error);
  return add_signed (w, w->worker, g_strconcat (plain, primary, mediator, NULL));
}

/* A python-rein 0.3 accept carries no PSBT whose inputs say what is
 * spent: it counts only when it pays what the worker's 0.3 delivery
 * signed, or, after a delivery without those fields, the bid less a
 * bounded fee. Otherwise "complete, work accepted" would be shown for an
 * accept that pays the worker almost nothing. */
static void
test_legacy_accept (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.01"); /* 1,000,000 sat */
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  ReinDocument *offer, *delivery, *accept;

  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET,
                                                                &error));
  delivery = add_signed (w, w->worker, rein_document_build_delivery (offer, "Done", &error));
  g_assert_no_error (error);

  /* the fee allowed: 0.3's 0.001 BTC, or 5% of what is due, at most half */
  g_assert_cmpuint (rein_legacy_fee_allowance (1000000), ==, 100000);
  g_assert_cmpuint (rein_legacy_fee_allowance (10000000), ==, 500000);
  g_assert_cmpuint (rein_legacy_fee_allowance (10000), ==, 5000);

  /* a delivery without 0.3's fields: the bid (the mediator's 1% of it)
   * less the fee allowed */
  assert_refused (w, w->creator, legacy_accept (w, 0x11, 1000, 10000),
                  "the python-rein primary payment pays 1000 sat of the 1000000 sat due");
  assert_refused (w, w->creator, legacy_accept (w, 0x11, 899999, 10000),
                  "pays 899999 sat of the 1000000 sat due: its fee would be more than the "
                  "100000 sat allowed");
  assert_refused (w, w->creator, legacy_accept (w, 0x11, 900000, 4999),
                  "the python-rein mediator payment pays 4999 sat of the 10000 sat due");
  accept = add_signed (w, w->creator, legacy_accept (w, 0x11, 900000, 5000));
  job = world_job (w);
  g_assert_true (entry_valid (job, accept, NULL));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);
  g_clear_object (&job);
  g_ptr_array_remove (w->docs, accept);
  g_ptr_array_remove (w->docs, delivery);

  /* a 0.3 delivery: the worker signed its payment (its own fee, here far
   * more than the allowance); the accept must complete exactly that */
  delivery = legacy_delivery (w, offer, 9000);
  job = world_job (w);
  g_assert_true (entry_valid (job, delivery, NULL));
  g_clear_object (&job);
  assert_refused (w, w->creator, legacy_accept (w, 0x22, 950000, 9000),
                  "the python-rein primary payment is not the one the delivery's fields "
                  "describe");
  assert_refused (w, w->creator, legacy_accept (w, 0x33, 700000, 9000),
                  "the python-rein primary payment is not the one the delivery's fields "
                  "describe");
  assert_refused (w, w->creator, legacy_accept (w, 0x22, 700000, 9500),
                  "the python-rein mediator payment is not the one the delivery's fields "
                  "describe");
  accept = add_signed (w, w->creator, legacy_accept (w, 0x22, 700000, 9000));
  job = world_job (w);
  g_assert_true (entry_valid (job, accept, NULL));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);
  g_assert_cmpstr (rein_job_state_describe (rein_job_get_state (job)), ==,
                   "complete, work accepted");
  g_clear_object (&job);
  g_ptr_array_remove (w->docs, accept);
  g_ptr_array_remove (w->docs, delivery);

  /* the worker does not sign the mediator payment it describes: an
   * accept that copies one paying the mediator too little is refused */
  delivery = legacy_delivery (w, offer, 4000);
  assert_refused (w, w->creator, legacy_accept (w, 0x22, 700000, 4000),
                  "the python-rein mediator payment pays 4000 sat of the 10000 sat due");
}

/* A python-rein 0.3 resolution (the mediator's split, no PSBTs) is held to
 * the same bound: it may not give away more than a bounded fee of what
 * is due. */
static void
test_legacy_resolution (void)
{
  g_autoptr (World) w = world_new ();
  ReinDocument *posting = post_job (w);
  ReinDocument *bid = bid_on (w, posting, w->worker, "0.01");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (w->creator->pubkey, w->mediator->pubkey,
                                                   w->worker->pubkey, REIN_NETWORK_MAINNET,
                                                   &error);
  ReinDocument *offer, *resolution;
  const guint64 fair[] = { 450000, 450000 }, greedy[] = { 400000, 400000 };
  const guint64 *splits[] = { greedy, fair };

  g_assert_no_error (error);
  offer = add_signed (w, w->creator, rein_document_build_offer (bid, REIN_NETWORK_MAINNET,
                                                                &error));
  add_signed (w, w->creator, rein_document_build_dispute (offer,
                                                          REIN_DOCUMENT_TYPE_CREATOR_DISPUTE,
                                                          "Late", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (splits); i++)
    {
      g_autofree gchar *primary = legacy_fields (w, TRUE, 0x44,
                                                 (Party *[]){ w->worker, w->creator, NULL },
                                                 splits[i], w->mediator, NULL);
      g_autofree gchar *mediator = legacy_fields (w, FALSE, 0x55,
                                                  (Party *[]){ w->mediator, NULL },
                                                  (const guint64[]){ 9000 }, w->mediator, NULL);
      gchar *text = g_strdup_printf ("Rein Dispute Resolution\nJob name: Logo for a bakery\n"
                                     "Job ID: %s\nResolution: Split\n"
                                     "Primary escrow redeem script: %s\n"
                                     "Mediator escrow redeem script: %s%s%s",
                                     w->job_id, escrow->primary_script_hex,
                                     escrow->mediator_script_hex, primary, mediator);

      if (splits[i] == greedy)
        {
          assert_refused (w, w->mediator, text,
                          "the python-rein primary payment pays 800000 sat of the 1000000 sat "
                          "due");
          continue;
        }
      resolution = add_signed (w, w->mediator, text);
      job = world_job (w);
      g_assert_true (entry_valid (job, resolution, NULL));
      g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_RESOLVED);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/market/job/happy-flow", test_happy_flow);
  g_test_add_func ("/market/job/dispute-flow", test_dispute_flow);
  g_test_add_func ("/market/job/payments", test_payments);
  g_test_add_func ("/market/job/legacy-accept", test_legacy_accept);
  g_test_add_func ("/market/job/legacy-resolution", test_legacy_resolution);
  g_test_add_func ("/market/job/forgeries", test_forgeries);
  g_test_add_func ("/market/job/same-statement", test_same_statement);
  g_test_add_func ("/market/job/repeated-label", test_repeated_label);
  g_test_add_func ("/market/job/forged-offers", test_forged_offers);
  g_test_add_func ("/market/job/directory", test_directory);
  g_test_add_func ("/market/job/copied-job-id", test_copied_job_id);
  g_test_add_func ("/market/job/claimed-delegate", test_claimed_delegate);
  g_test_add_func ("/market/job/declared-names", test_declared_names);
  g_test_add_func ("/market/job/declared-mediator-name", test_declared_mediator_name);
  g_test_add_func ("/market/job/contested-mediator", test_contested_mediator);
  g_test_add_func ("/market/job/uncompressed-creator", test_uncompressed_creator);
  g_test_add_func ("/market/job/same-key-forms", test_same_key_forms);
  g_test_add_func ("/market/job/old-format-vectors", test_old_format_vectors);
  g_test_add_func ("/market/rating/document", test_rating_document);
  g_test_add_func ("/market/rating/check", test_rating_check);

  return g_test_run ();
}
