/* test-legacy-payment.c: paying a python-rein 0.3 counterparty
 *
 * The 0.3 side is tests/client/legacy-payment.py: python-bitcoinlib
 * building and completing the payouts the way python-rein 0.3 does. The
 * people, the server and the chain are real (escrow-test-util.h): the test
 * chain server checks every broadcast transaction with VerifyScript.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "escrow-test-util.h"
#include "legacy-payment-util.h"
#include "rein-chain-settings.h"
#include "rein-legacy-delivery.h"
#include "rein-legacy-payment.h"
#include "rein-payments-private.h"
#include "rein-payments.h"

/* 0.3's fixed fee; the mediator escrow holds enough to pay it */
#define LEGACY_FEE G_GINT64_CONSTANT (100000)
#define MEDIATOR_FUNDS G_GINT64_CONSTANT (250000)

typedef struct
{
  EscrowWorld w;
  ReinChain *chain;
  gchar *job_id;
  ReinEscrowStatus *status; /* the escrows' addresses and scripts */
  gchar *primary_coin;      /* the funding txids */
  gchar *mediator_coin;
} Fixture;

/* ---- the 0.3 side ---- */

static void
add_coin (JsonBuilder *builder, const gchar *name, const gchar *txid, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, txid);
  json_builder_add_int_value (builder, 0);
  json_builder_add_int_value (builder, value);
  json_builder_end_array (builder);
  json_builder_end_array (builder);
}

static gchar *
address_of (Person *p)
{
  return rein_private_key_get_address (p->key, REIN_NETWORK_MAINNET);
}

/* A request for the escrows of the fixture's job. */
static JsonBuilder *
request (Fixture *f, const gchar *op)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "op", op);
  add_string (builder, "primary_redeem", f->status->primary.redeem_script_hex);
  add_string (builder, "mediator_redeem", f->status->mediator.redeem_script_hex);
  add_coin (builder, "primary_coins", f->primary_coin, ESCROW_DUE);
  add_coin (builder, "mediator_coins", f->mediator_coin, MEDIATOR_FUNDS);
  return builder;
}

/* The "fields" of an answer as document lines "\nLabel: value". */
static gchar *
fields_of (JsonObject *answer)
{
  JsonArray *fields = json_object_get_array_member (answer, "fields");
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonArray *pair = json_array_get_array_element (fields, i);

      rein_legacy_add_field (text, json_array_get_string_element (pair, 0),
                             json_array_get_string_element (pair, 1));
    }
  return g_string_free (text, FALSE);
}

/* 0.3's worker delivers: @tamper ("" or what to get wrong) */
static JsonObject *
legacy_delivery (Fixture *f, const gchar *tamper)
{
  g_autoptr (JsonBuilder) builder = request (f, "deliver");
  g_autofree gchar *walt = address_of (&f->w.walt);
  g_autofree gchar *mia = address_of (&f->w.mia);

  add_wif (builder, "worker_wif", f->w.walt.key);
  add_string (builder, "worker_address", walt);
  add_string (builder, "mediator_address", mia);
  if (g_strcmp0 (tamper, "address") == 0)
    {
      g_autofree gchar *carol = address_of (&f->w.carol);

      add_string (builder, "pay_to", carol);
    }
  else if (g_strcmp0 (tamper, "amount") == 0)
    {
      /* nearly everything to the fee */
      json_builder_set_member_name (builder, "amount_cut");
      json_builder_add_double_value (builder, 0.0089);
    }
  else if (g_strcmp0 (tamper, "input") == 0)
    {
      /* a coin of Walt's own, not of the escrow */
      g_autofree gchar *walt_coin = test_chain_fund (f->w.chain, walt, 50000, 1);

      add_coin (builder, "extra_coins", walt_coin, 50000);
    }
  else if (g_strcmp0 (tamper, "signature") == 0)
    add_wif (builder, "signing_wif", f->w.carol.key); /* not Walt's key */
  return run_legacy (builder);
}

/* ---- our side ---- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  escrow_world_init (&f->w, 0);
  f->job_id = g_strdup (rein_job_get_id (f->w.job));
  f->chain = rein_chain_new (f->w.chain->url, &error);
  g_assert_no_error (error);
  f->status = rein_escrow_status_new (f->w.job, FALSE, &error);
  g_assert_no_error (error);
  f->primary_coin = test_chain_fund (f->w.chain, f->status->primary.address, ESCROW_DUE, 1);
  f->mediator_coin = test_chain_fund (f->w.chain, f->status->mediator.address, MEDIATOR_FUNDS,
                                      1);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->chain);
  g_clear_pointer (&f->status, rein_escrow_status_free);
  g_free (f->job_id);
  g_free (f->primary_coin);
  g_free (f->mediator_coin);
  escrow_world_clear (&f->w);
}

/* @text, signed and published by @p on the job as @p reads it now. */
static void
publish_step (Fixture *f, Person *p, const gchar *text)
{
  g_autoptr (ReinJob) job = load_job (p, f->job_id);
  g_autoptr (ReinPublication) publication = NULL;
  g_autoptr (GError) error = NULL;

  publication = publish (p, job, text, &error);
  g_assert_no_error (error);
}

/* Walt delivers with 0.3's payment @fields after ours. */
static void
deliver_with (Fixture *f, const gchar *fields)
{
  g_autoptr (ReinJob) job = load_job (&f->w.walt, f->job_id);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *whole = NULL;

  text = rein_document_build_delivery (rein_job_get_document (job, REIN_DOCUMENT_TYPE_OFFER),
                                       "The logo, in SVG", &error);
  g_assert_no_error (error);
  whole = g_strconcat (text, fields, NULL);
  publish_step (f, &f->w.walt, whole);
}

static ReinPayments *
prepare (Fixture *f, Person *p, ReinPayoutKind kind, guint worker_percent, GError **error)
{
  g_autoptr (ReinJob) job = load_job (p, f->job_id);
  g_autoptr (GAsyncResult) result = NULL;
  ReinPaymentOptions options = { .fee_rate = 2000 };

  rein_payments_prepare_async (p->store, p->identity, f->chain, job, kind, worker_percent,
                               &options, NULL, wait_cb, &result);
  wait_for (&result);
  return rein_payments_prepare_finish (result, error);
}

static ReinPayments *
open_payments (Fixture *f, Person *p)
{
  g_autoptr (ReinJob) job = load_job (p, f->job_id);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  ReinPayments *payments;

  rein_payments_open_async (p->store, p->identity, f->chain, job, 0, NULL, wait_cb, &result);
  wait_for (&result);
  payments = rein_payments_open_finish (result, &error);
  g_assert_no_error (error);
  return payments;
}

static void
sign (ReinPayments *payments, Person *p)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_payments_sign_async (payments, p->key, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_payments_sign_finish (payments, result, &error));
  g_assert_no_error (error);
}

static void
broadcast (ReinPayments *payments)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_payments_broadcast_async (payments, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_payments_broadcast_finish (payments, result, &error));
  g_assert_no_error (error);
}

static void
assert_broadcast (Fixture *f, const gchar *txid)
{
  g_autofree gchar *sent = test_chain_dup_broadcasts (f->w.chain);

  g_assert_nonnull (txid);
  g_assert_nonnull (strstr (sent, txid));
}

/* Sends @hex (a complete transaction) through the test chain, which
 * checks it as a node would; returns its txid, once in the broadcasts. */
static gchar *
broadcast_hex (Fixture *f, const gchar *hex)
{
  g_autofree guint8 *raw = NULL;
  gsize len = 0;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gchar *sent;

  raw = rein_hex_decode (hex, &len, NULL);
  g_assert_nonnull (raw);
  bytes = g_bytes_new (raw, len);
  rein_chain_broadcast_async (f->chain, bytes, NULL, wait_cb, &result);
  wait_for (&result);
  sent = rein_chain_broadcast_finish (f->chain, result, &error);
  g_assert_no_error (error);
  assert_broadcast (f, sent);
  return sent;
}

static void
assert_nothing_broadcast (Fixture *f)
{
  g_autofree gchar *sent = test_chain_dup_broadcasts (f->w.chain);

  g_assert_cmpstr (sent, ==, "[]");
}

/* The value of @label in the document text @text. */
static gchar *
field_in (const gchar *text, const gchar *label)
{
  g_autofree gchar *needle = g_strdup_printf ("\n%s: ", label);
  const gchar *at = strstr (text, needle);
  const gchar *end;

  if (at == NULL)
    return NULL;
  at += strlen (needle);
  end = strchr (at, '\n');
  return end != NULL ? g_strndup (at, (gsize) (end - at)) : g_strdup (at);
}

/* A 0.3 worker delivered; our creator accepts: the payment the worker
 * signed is rebuilt, checked, completed with her signature and sent, and
 * her accept carries 0.3's fields, whose mediator payment a 0.3 mediator
 * completes. */
static void
test_accept_delivery (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) delivered = NULL;
  g_autoptr (JsonObject) completed = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinPaymentReview) review = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;
  g_autofree gchar *walt = address_of (&f->w.walt);
  g_autofree gchar *primary = NULL, *mediator = NULL, *text = NULL, *accept = NULL;
  g_autofree gchar *partial = NULL, *txid_field = NULL;
  ReinReviewOutput *out;

  if (!have_bitcoinlib ())
    return;
  delivered = legacy_delivery (f, "");
  fields = fields_of (delivered);
  deliver_with (f, fields);

  payments = prepare (f, &f->w.carol, REIN_PAYOUT_ACCEPT, 0, &error);
  g_assert_no_error (error);
  /* the review before her signature: what the worker's fields say */
  review = rein_payments_review (payments, TRUE);
  g_assert_cmpuint (review->inputs->len, ==, 1);
  g_assert_cmpint (((ReinReviewInput *) g_ptr_array_index (review->inputs, 0))->amount, ==,
                   ESCROW_DUE);
  g_assert_cmpuint (review->outputs->len, ==, 1);
  out = g_ptr_array_index (review->outputs, 0);
  g_assert_cmpint (out->payee, ==, REIN_ROLE_WORKER);
  g_assert_cmpstr (out->address, ==, walt);
  g_assert_cmpint (out->amount, ==, ESCROW_DUE - LEGACY_FEE);
  g_assert_cmpint (review->fee, ==, LEGACY_FEE);
  g_assert_true (review->fee_warning); /* 10% */
  g_assert_cmpstr (((ReinReviewInput *) g_ptr_array_index (review->inputs, 0))->signers, ==,
                   "worker");

  sign (payments, &f->w.carol);
  /* the worker's signature and hers: complete */
  g_assert_cmpint (rein_payments_get_state (payments, TRUE), ==, REIN_PAYMENT_STATE_COMPLETE);
  g_assert_cmpint (rein_payments_get_state (payments, FALSE), ==, REIN_PAYMENT_STATE_SIGNED);

  job = load_job (&f->w.carol, f->job_id);
  primary = rein_payments_get_base64 (payments, TRUE);
  mediator = rein_payments_get_base64 (payments, FALSE);
  text = rein_document_build_accept (rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY),
                                     primary, mediator, &error);
  g_assert_no_error (error);
  accept = rein_payments_add_legacy_fields (payments, text);
  /* our fields in PROTOCOL order, 0.3's after them */
  g_assert_true (g_str_has_prefix (accept, text));
  txid_field = field_in (accept, REIN_LEGACY_LABEL_PRIMARY_TXID);
  g_assert_cmpstr (txid_field, ==, rein_payments_get_txid (payments, TRUE));
  g_assert_nonnull (strstr (accept, "\nPrimary payment client signature: "));
  partial = field_in (accept, REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE);
  g_assert_nonnull (partial);
  publish_step (f, &f->w.carol, accept);

  broadcast (payments);
  g_assert_cmpint (rein_payments_get_state (payments, TRUE), ==, REIN_PAYMENT_STATE_BROADCAST);
  assert_broadcast (f, txid_field);

  /* a 0.3 mediator completes the mediator payment of her accept */
  builder = request (f, "complete_mediator");
  add_string (builder, "partial_hex", partial);
  add_wif (builder, "mediator_wif", f->w.mia.key);
  completed = run_legacy (builder);
  g_free (broadcast_hex (f, json_object_get_string_member (completed, "hex")));
}

/* A 0.3 creator accepted a 0.3 delivery: our worker sends the primary
 * payment (0.3 sends it through a Causeway call rein-server does not
 * have), our mediator co-signs the mediator payment and sends it. */
static void
test_cosign_accept (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) delivered = NULL;
  g_autoptr (JsonObject) accepted = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (ReinPayments) walt = NULL;
  g_autoptr (ReinPayments) mia = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *fields = NULL;
  g_autofree gchar *accept = NULL;
  ReinDocument *delivery;

  if (!have_bitcoinlib ())
    return;
  delivered = legacy_delivery (f, "");
  fields = fields_of (delivered);
  deliver_with (f, fields);

  job = load_job (&f->w.carol, f->job_id);
  delivery = rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY);
  builder = request (f, "accept");
  add_document (builder, "delivery", delivery);
  add_wif (builder, "creator_wif", f->w.carol.key);
  accepted = run_legacy (builder);
  g_free (fields);
  fields = fields_of (accepted);
  /* 0.3's accept: no PSBTs */
  accept = g_strdup_printf ("Rein Accept Delivery\nJob name: %s\nJob ID: %s\n"
                            "Primary escrow redeem script: %s\n"
                            "Mediator escrow redeem script: %s%s",
                            ESCROW_JOB_NAME, f->job_id, f->status->primary.redeem_script_hex,
                            f->status->mediator.redeem_script_hex, fields);
  publish_step (f, &f->w.carol, accept);
  g_clear_object (&job);
  job = load_job (&f->w.walt, f->job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);

  walt = open_payments (f, &f->w.walt);
  g_assert_cmpint (rein_payments_get_state (walt, TRUE), ==, REIN_PAYMENT_STATE_COMPLETE);
  g_assert_cmpstr (rein_payments_get_txid (walt, TRUE), ==,
                   json_object_get_string_member (accepted, "primary_txid"));
  g_assert_cmpstr (rein_payments_get_hex (walt, TRUE), ==,
                   json_object_get_string_member (accepted, "primary_hex"));
  g_assert_cmpint (rein_payments_get_state (walt, FALSE), ==, REIN_PAYMENT_STATE_WAITING);
  broadcast (walt);
  assert_broadcast (f, rein_payments_get_txid (walt, TRUE));

  rein_chain_settings_set_url (f->w.mia.store, REIN_CHAIN_NETWORK_MAINNET, f->w.chain->url, NULL);
  mia = open_payments (f, &f->w.mia);
  g_assert_cmpint (rein_payments_get_state (mia, TRUE), ==, REIN_PAYMENT_STATE_PAID_ELSEWHERE);
  g_assert_cmpint (rein_payments_get_state (mia, FALSE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  sign (mia, &f->w.mia);
  g_assert_cmpint (rein_payments_get_state (mia, FALSE), ==, REIN_PAYMENT_STATE_COMPLETE);
  broadcast (mia);
  assert_broadcast (f, rein_payments_get_txid (mia, FALSE));
}

/* Runs rein-cli in @p's data folder with @input on its standard input;
 * returns its output, failing the test when it fails. */
G_GNUC_NULL_TERMINATED
static gchar *
run_cli (Person *p, const gchar *input, const gchar *first_arg, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) cli = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *err = NULL;
  gchar *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("REIN_CLI"));
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, p->dir);
  va_start (args, first_arg);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                        | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_setenv (launcher, "REIN_PASSWORD", "pw", TRUE);
  cli = g_subprocess_launcher_spawnv (launcher, (const gchar *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (cli))
    g_error ("rein-cli %s failed: %s\n%s", first_arg, out, err);
  return out;
}

/* The same with rein-cli: "rein-cli accept" completes the 0.3 worker's
 * payment, sends it and says so; the accept it publishes carries 0.3's
 * fields. */
static void
test_cli_accept (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) delivered = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *fields = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *txid = NULL;
  const gchar *sent_line = "The payment out of the primary escrow was sent: ";
  const gchar *at;
  ReinDocument *accept;

  if (!have_bitcoinlib ())
    return;
  delivered = legacy_delivery (f, "");
  fields = fields_of (delivered);
  deliver_with (f, fields);

  out = run_cli (&f->w.carol, NULL, "accept", "--jobid", f->job_id, "--yes", NULL);
  at = strstr (out, sent_line);
  if (at == NULL)
    g_error ("rein-cli accept did not send the payment: %s", out);
  txid = g_strndup (at + strlen (sent_line), 64);
  assert_broadcast (f, txid);

  job = load_job (&f->w.walt, f->job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);
  accept = rein_job_get_document (job, REIN_DOCUMENT_TYPE_ACCEPT);
  g_assert_cmpstr (rein_document_get_field (accept, REIN_LEGACY_LABEL_PRIMARY_TXID), ==, txid);
  g_assert_nonnull (rein_document_get_field (accept,
                                             REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE));
}

/* A python-rein 0.3 creator (python3-bitcoinlib) accepts @delivery: it
 * completes the worker's payment, which the test chain takes, with the
 * txid it says. */
static void
creator_completes (Fixture *f, ReinDocument *delivery)
{
  g_autoptr (JsonBuilder) builder = request (f, "accept");
  g_autoptr (JsonObject) accepted = NULL;
  g_autofree gchar *sent = NULL;

  add_document (builder, "delivery", delivery);
  add_wif (builder, "creator_wif", f->w.carol.key);
  accepted = run_legacy (builder);
  sent = broadcast_hex (f, json_object_get_string_member (accepted, "primary_hex"));
  g_assert_cmpstr (sent, ==, json_object_get_string_member (accepted, "primary_txid"));
}

/* Our worker delivers with rein-cli once the escrows are funded: the
 * delivery carries the payment a python-rein 0.3 creator completes, and
 * VerifyScript and the chain take what it completes. */
static void
test_cli_deliver (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *out = NULL, *form = NULL;
  g_autofree gchar *walt = address_of (&f->w.walt);
  ReinDocument *delivery;
  gint64 amount = 0;

  if (!have_bitcoinlib ())
    return;
  form = g_build_filename (f->w.walt.dir, "deliver.form", NULL);
  g_assert_true (g_file_set_contents (form, "Deliverables: The logo, in SVG\n", -1, NULL));
  out = run_cli (&f->w.walt, NULL, "deliver", "--jobid", f->job_id, "--defaults", form,
                 "--python-rein-payment", NULL);
  /* what it signed is shown */
  g_assert_nonnull (strstr (out, "python-rein 0.3 creator completes"));
  g_assert_nonnull (strstr (out, REIN_LEGACY_LABEL_PRIMARY_AMOUNT ": "));
  job = load_job (&f->w.carol, f->job_id);
  delivery = rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY);
  g_assert_nonnull (delivery);
  g_assert_cmpstr (rein_document_get_field (delivery, REIN_LEGACY_LABEL_PRIMARY_ADDRESS), ==,
                   walt);
  /* the fee is the backend's estimate, not 0.3's fixed one */
  g_assert_true (rein_amount_parse_btc (rein_document_get_field (delivery,
                                                                 REIN_LEGACY_LABEL_PRIMARY_AMOUNT),
                                        &amount, NULL));
  g_assert_cmpint (amount, <, ESCROW_DUE);
  g_assert_cmpint (amount, >, ESCROW_DUE - LEGACY_FEE);
  g_assert_nonnull (rein_document_get_field (delivery, REIN_LEGACY_LABEL_MEDIATOR_INPUTS));

  creator_completes (f, delivery);
}

/* What the app's Deliver does: the 0.3 payments built first, reviewed
 * (who is paid what, the fee within the cap), signed only afterwards
 * with the document; a 0.3 creator completes the payment and the chain
 * (VerifyScript) takes it. */
static void
test_deliver_reviewed (Fixture *f, gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinLegacyDelivery) prepared = NULL;
  g_autoptr (ReinJob) job = load_job (&f->w.walt, f->job_id);
  g_autofree gchar *walt = address_of (&f->w.walt);
  g_autofree gchar *mia = address_of (&f->w.mia);
  g_autofree gchar *signature = NULL;
  ReinDocument *delivery;
  const gint64 cap = 50000;

  if (!have_bitcoinlib ())
    return;
  rein_legacy_delivery_prepare_async (f->chain, job, FALSE, cap, NULL, wait_cb, &result);
  wait_for (&result);
  prepared = rein_legacy_delivery_prepare_finish (result, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (rein_legacy_delivery_get_fields (prepared), "signature"));
  g_assert_cmpint (rein_legacy_delivery_get_fee_cap (prepared), ==, cap);
  for (guint e = 0; e < 2; e++)
    {
      g_autoptr (ReinPaymentReview) review = rein_legacy_delivery_review (prepared, e == 0);
      ReinReviewOutput *out;

      g_assert_cmpuint (review->inputs->len, ==, 1);
      g_assert_cmpint (((ReinReviewInput *) g_ptr_array_index (review->inputs, 0))->amount, ==,
                       e == 0 ? ESCROW_DUE : MEDIATOR_FUNDS);
      g_assert_cmpuint (review->outputs->len, ==, 1);
      out = g_ptr_array_index (review->outputs, 0);
      g_assert_cmpint (out->payee, ==, e == 0 ? REIN_ROLE_WORKER : REIN_ROLE_MEDIATOR);
      g_assert_cmpstr (out->address, ==, e == 0 ? walt : mia);
      g_assert_cmpint (review->fee, >, 0);
      g_assert_cmpint (review->fee, <=, cap);
      g_assert_cmpint (out->amount + review->fee, ==, review->spent);
    }
  signature = rein_legacy_delivery_sign (prepared, f->w.walt.key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (signature, "\n" REIN_LEGACY_LABEL_PRIMARY_SIGNATURE ": "));
  {
    g_autofree gchar *fields = g_strconcat (rein_legacy_delivery_get_fields (prepared),
                                            signature, NULL);

    deliver_with (f, fields);
  }
  g_clear_object (&job);
  job = load_job (&f->w.carol, f->job_id);
  delivery = rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY);
  creator_completes (f, delivery);
}

/* A 0.3 accept whose creator's signatures are not hers does not count:
 * the publisher refuses it, saying why. */
static void
test_tampered_accept (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) delivered = NULL;
  g_autoptr (JsonObject) accepted = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPublication) publication = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;
  g_autofree gchar *accept = NULL;
  JsonArray *pairs;
  const gchar *worker_sigs = NULL;

  if (!have_bitcoinlib ())
    return;
  delivered = legacy_delivery (f, "");
  fields = fields_of (delivered);
  deliver_with (f, fields);
  job = load_job (&f->w.carol, f->job_id);
  builder = request (f, "accept");
  add_document (builder, "delivery", rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY));
  add_wif (builder, "creator_wif", f->w.carol.key);
  accepted = run_legacy (builder);
  /* the worker's signatures given as the creator's */
  pairs = json_object_get_array_member (accepted, "fields");
  for (guint i = 0; i < json_array_get_length (pairs); i++)
    {
      JsonArray *pair = json_array_get_array_element (pairs, i);
      const gchar *label = json_array_get_string_element (pair, 0);

      if (g_str_equal (label, REIN_LEGACY_LABEL_PRIMARY_SIGNATURE))
        worker_sigs = json_array_get_string_element (pair, 1);
      else if (g_str_equal (label, REIN_LEGACY_LABEL_PRIMARY_CLIENT_SIGNATURE))
        {
          g_assert_nonnull (worker_sigs);
          json_array_remove_element (pair, 1);
          json_array_add_string_element (pair, worker_sigs);
        }
    }
  g_free (fields);
  fields = fields_of (accepted);
  accept = g_strdup_printf ("Rein Accept Delivery\nJob name: %s\nJob ID: %s\n"
                            "Primary escrow redeem script: %s\n"
                            "Mediator escrow redeem script: %s%s",
                            ESCROW_JOB_NAME, f->job_id, f->status->primary.redeem_script_hex,
                            f->status->mediator.redeem_script_hex, fields);
  publication = publish (&f->w.carol, job, accept, &error);
  g_assert_null (publication);
  g_assert_nonnull (error);
  if (strstr (error->message, "input 0 of the primary payment is not signed by the document's "
                              "writer") == NULL)
    g_error ("“%s” does not say the creator did not sign", error->message);
  assert_nothing_broadcast (f);
}

/* Carol disputes; @text_of_resolution is published as Mia's. */
static void
dispute (Fixture *f)
{
  g_autoptr (ReinJob) job = load_job (&f->w.carol, f->job_id);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  text = rein_document_build_dispute (rein_job_get_document (job, REIN_DOCUMENT_TYPE_OFFER),
                                      REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, "Two weeks late",
                                      &error);
  g_assert_no_error (error);
  publish_step (f, &f->w.carol, text);
}

/* A 0.3 mediator resolved a dispute with a split: our creator co-signs
 * both payments and sends them. */
static void
test_cosign_resolution (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) resolved = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (ReinPayments) carol = NULL;
  g_autoptr (ReinPaymentReview) review = NULL;
  g_autofree gchar *fields = NULL;
  g_autofree gchar *resolution = NULL;
  g_autofree gchar *walt = address_of (&f->w.walt);
  g_autofree gchar *carol_address = address_of (&f->w.carol);
  g_autofree gchar *mia = address_of (&f->w.mia);

  if (!have_bitcoinlib ())
    return;
  dispute (f);
  builder = request (f, "resolve");
  add_wif (builder, "mediator_wif", f->w.mia.key);
  add_string (builder, "worker_address", walt);
  add_string (builder, "client_address", carol_address);
  add_string (builder, "mediator_address", mia);
  json_builder_set_member_name (builder, "client_amount");
  json_builder_add_int_value (builder, 300000);
  resolved = run_legacy (builder);
  fields = fields_of (resolved);
  resolution = g_strdup_printf ("Rein Dispute Resolution\nJob name: %s\nJob ID: %s\n"
                                "Resolution: Split, the drafts were good\n"
                                "Primary escrow redeem script: %s\n"
                                "Mediator escrow redeem script: %s%s",
                                ESCROW_JOB_NAME, f->job_id, f->status->primary.redeem_script_hex,
                                f->status->mediator.redeem_script_hex, fields);
  publish_step (f, &f->w.mia, resolution);

  carol = open_payments (f, &f->w.carol);
  g_assert_cmpint (rein_payments_get_kind (carol), ==, REIN_PAYOUT_SPLIT);
  g_assert_cmpint (rein_payments_get_state (carol, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  g_assert_cmpint (rein_payments_get_state (carol, FALSE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  review = rein_payments_review (carol, TRUE);
  g_assert_cmpuint (review->outputs->len, ==, 2);
  /* 0.3's order: the worker's output, then the creator's */
  g_assert_cmpint (((ReinReviewOutput *) g_ptr_array_index (review->outputs, 0))->amount, ==,
                   ESCROW_DUE - LEGACY_FEE - 300000);
  g_assert_cmpint (((ReinReviewOutput *) g_ptr_array_index (review->outputs, 1))->amount, ==,
                   300000);
  g_assert_cmpint (review->fee, ==, LEGACY_FEE);
  sign (carol, &f->w.carol);
  g_assert_cmpint (rein_payments_get_state (carol, TRUE), ==, REIN_PAYMENT_STATE_COMPLETE);
  g_assert_cmpint (rein_payments_get_state (carol, FALSE), ==, REIN_PAYMENT_STATE_COMPLETE);
  broadcast (carol);
  assert_broadcast (f, rein_payments_get_txid (carol, TRUE));
  assert_broadcast (f, rein_payments_get_txid (carol, FALSE));
}

/* Our mediator resolves with a split: her resolution carries 0.3's
 * fields, and a 0.3 worker completes both payments from them. */
static void
test_write_resolution (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinDocument) doc = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonObject) taken = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *primary = NULL, *mediator = NULL, *text = NULL, *resolution = NULL;

  if (!have_bitcoinlib ())
    return;
  dispute (f);
  payments = prepare (f, &f->w.mia, REIN_PAYOUT_SPLIT, 70, &error);
  g_assert_no_error (error);
  sign (payments, &f->w.mia);
  job = load_job (&f->w.mia, f->job_id);
  primary = rein_payments_get_base64 (payments, TRUE);
  mediator = rein_payments_get_base64 (payments, FALSE);
  text = rein_document_build_resolution (rein_job_get_document (job,
                                                                REIN_DOCUMENT_TYPE_CREATOR_DISPUTE),
                                         "Split 70/30", primary, mediator, &error);
  g_assert_no_error (error);
  resolution = rein_payments_add_legacy_fields (payments, text);
  g_assert_true (g_str_has_prefix (resolution, text));
  doc = rein_document_new_signed (resolution, f->w.mia.key, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  publish_step (f, &f->w.mia, resolution);

  builder = request (f, "accept_resolution");
  add_document (builder, "resolution", doc);
  add_wif (builder, "wif", f->w.walt.key);
  json_builder_set_member_name (builder, "is_worker");
  json_builder_add_boolean_value (builder, TRUE);
  taken = run_legacy (builder);
  /* VerifyScript accepted both there; the chain takes them */
  for (guint e = 0; e < 2; e++)
    {
      const gchar *hex = json_object_get_string_member (taken, e == 0 ? "primary_hex"
                                                                      : "mediator_hex");

      g_free (broadcast_hex (f, hex));
    }
}

/* A 0.3 delivery that gets something wrong is refused with the reason,
 * and nothing is sent. */
static void
test_tampered (Fixture *f, gconstpointer data)
{
  const gchar *tamper = data;
  g_autoptr (JsonObject) delivered = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;
  const gchar *expected;

  if (!have_bitcoinlib ())
    return;
  delivered = legacy_delivery (f, tamper);
  fields = fields_of (delivered);
  deliver_with (f, fields);

  payments = prepare (f, &f->w.carol, REIN_PAYOUT_ACCEPT, 0, &error);
  g_assert_null (payments);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
  expected = g_str_equal (tamper, "address") ? "pays someone it may not pay (only the worker)"
             : g_str_equal (tamper, "amount") ? "is more than half"
             : g_str_equal (tamper, "input")
               ? "input 1 of the python-rein payment does not spend the escrow"
             : "carries a signature that is not a valid one of the escrow's keys";
  if (strstr (error->message, expected) == NULL)
    g_error ("%s: “%s” does not say “%s”", tamper, error->message, expected);
  assert_nothing_broadcast (f);
}

/* Signing writes the PSBTs' signatures and the 0.3 ones as one step:
 * when the 0.3 signature fails after the PSBT's, neither is kept, the
 * payments stay to be signed, and signing again does both. */
static void
test_sign_all_or_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *primary = NULL, *mediator = NULL, *fields = NULL;

  deliver_with (f, "");
  payments = prepare (f, &f->w.carol, REIN_PAYOUT_ACCEPT, 0, &error);
  g_assert_no_error (error);
  primary = rein_payments_get_base64 (payments, TRUE);
  mediator = rein_payments_get_base64 (payments, FALSE);

  _rein_payments_set_fail_legacy_signing (payments, TRUE);
  rein_payments_sign_async (payments, f->w.carol.key, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_false (rein_payments_sign_finish (payments, result, &error));
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
  g_clear_error (&error);
  g_clear_object (&result);
  for (guint e = 0; e < 2; e++)
    {
      g_autofree gchar *now = rein_payments_get_base64 (payments, e == 0);

      g_assert_cmpint (rein_payments_get_state (payments, e == 0), ==,
                       REIN_PAYMENT_STATE_BUILT);
      g_assert_cmpstr (now, ==, e == 0 ? primary : mediator);
    }

  _rein_payments_set_fail_legacy_signing (payments, FALSE);
  sign (payments, &f->w.carol);
  for (guint e = 0; e < 2; e++)
    {
      g_autofree gchar *now = rein_payments_get_base64 (payments, e == 0);

      g_assert_cmpint (rein_payments_get_state (payments, e == 0), ==,
                       REIN_PAYMENT_STATE_SIGNED);
      g_assert_cmpstr (now, !=, e == 0 ? primary : mediator);
    }
  fields = rein_payments_dup_legacy_fields (payments);
  g_assert_nonnull (strstr (fields, "\nPrimary payment client signature: "));
  g_assert_nonnull (strstr (fields, "\nMediator payment client signature: "));
}

/* A 0.3 worker's delivery spending @n_extra more coins of the primary
 * escrow, of 20000 sat each. */
static void
deliver_many (Fixture *f, guint n_extra)
{
  g_autoptr (JsonBuilder) builder = request (f, "deliver");
  g_autoptr (JsonObject) delivered = NULL;
  g_autofree gchar *walt = address_of (&f->w.walt);
  g_autofree gchar *mia = address_of (&f->w.mia);
  g_autofree gchar *fields = NULL;

  add_wif (builder, "worker_wif", f->w.walt.key);
  add_string (builder, "worker_address", walt);
  add_string (builder, "mediator_address", mia);
  json_builder_set_member_name (builder, "extra_coins");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_extra; i++)
    {
      g_autofree gchar *coin = test_chain_fund (f->w.chain, f->status->primary.address, 20000,
                                                1);

      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, coin);
      json_builder_add_int_value (builder, 0);
      json_builder_add_int_value (builder, 20000);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  delivered = run_legacy (builder);
  fields = fields_of (delivered);
  deliver_with (f, fields);
}

/* The app's Deliver offers a 0.3 payment only when an accept of it can
 * be made: with 7 coins in the primary escrow the accept would not fit
 * in a document, and 0.3 lists at most 16 coins. Refused when prepared,
 * before anything is signed or delivered: such a delivery would leave the
 * job with no accept at all. */
static void
test_deliver_too_many_coins (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinJob) job = load_job (&f->w.walt, f->job_id);
  const struct
  {
    guint extra;
    const gchar *message;
  } cases[] = {
    { 6, "the accept of such a delivery would not fit in a Rein document" },
    { 10, "the primary escrow holds 17 coins, and a python-rein 0.3 payment lists at most 16" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinLegacyDelivery) prepared = NULL;

      for (guint i = 0; i < cases[c].extra; i++)
        g_free (test_chain_fund (f->w.chain, f->status->primary.address, 20000, 1));
      rein_legacy_delivery_prepare_async (f->chain, job, FALSE, 0, NULL, wait_cb, &result);
      wait_for (&result);
      prepared = rein_legacy_delivery_prepare_finish (result, &error);
      g_assert_null (prepared);
      g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
      if (strstr (error->message, cases[c].message) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[c].message);
    }
  assert_nothing_broadcast (f);
}

/* An accept of a 0.3 delivery must carry 0.3's fields (the worker's and
 * the mediator's only way to read it): whether they fit is said before
 * signing, never found after it. With a few coins they fit and are
 * there; with more, or with 16 (0.3's limit here), nothing is signed. */
static void
test_many_inputs (Fixture *f, gconstpointer data)
{
  guint n_extra = GPOINTER_TO_UINT (data);
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPublication) publication = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *primary = NULL, *mediator = NULL, *text = NULL, *accept = NULL;
  g_autofree gchar *partial = NULL;

  if (!have_bitcoinlib ())
    return;
  deliver_many (f, n_extra);
  payments = prepare (f, &f->w.carol, REIN_PAYOUT_ACCEPT, 0, &error);
  if (n_extra > 3)
    {
      g_assert_null (payments);
      g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
      if (strstr (error->message, "the fields the python-rein 0.3 worker needs would not fit")
          == NULL || strstr (error->message, "Nothing was signed") == NULL)
        g_error ("“%s” does not say the 0.3 fields do not fit", error->message);
      assert_nothing_broadcast (f);
      return;
    }
  g_assert_no_error (error);
  sign (payments, &f->w.carol);
  job = load_job (&f->w.carol, f->job_id);
  primary = rein_payments_get_base64 (payments, TRUE);
  mediator = rein_payments_get_base64 (payments, FALSE);
  text = rein_document_build_accept (rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY),
                                     primary, mediator, &error);
  g_assert_no_error (error);
  accept = rein_payments_add_legacy_fields (payments, text);
  /* all of them, the mediator's payment too */
  g_assert_cmpuint (strlen (accept), <=, REIN_DOCUMENT_MAX_SIZE);
  partial = field_in (accept, REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE);
  g_assert_nonnull (partial);
  g_assert_nonnull (strstr (accept, "\nPrimary payment client signature: "));
  publication = publish (&f->w.carol, job, accept, &error);
  g_assert_no_error (error);
}

/* Malformed fields: a clear error naming the field, never a crash. */
static void
test_parse (void)
{
  static const struct
  {
    const gchar *fields;
    const gchar *message;
  } cases[] = {
    { "\nPrimary payment inputs: nonsense\nPrimary payment amount: 0.1\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
      "input 1 of “Primary payment inputs” is not a txid-vout pair" },
    { "\nPrimary payment inputs: TXID-0\nPrimary payment amount: 1e-3\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
      "“Primary payment amount” is not an amount in BTC" },
    { "\nPrimary payment inputs: TXID-0\nPrimary payment amount: 0.1\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
      "“Primary payment address” is not an address" },
    { "\nPrimary payment inputs: TXID-0\nPrimary payment amount: 0.1",
      "the python-rein payment has no “Primary payment address”" },
    { "\nPrimary payment inputs: TXID-0 TXID-0\nPrimary payment amount: 0.1\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
      "“Primary payment inputs” lists input 2 twice" },
    { "\nPrimary payment inputs: TXID-0\nPrimary payment amount: 0.1\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n"
      "Primary payment signature: 300602010102010101 300602010102010101",
      "“Primary payment signature” has more signatures than the 1 inputs" },
    { "\nPrimary payment inputs: TXID-4294967296\nPrimary payment amount: 0.1\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
      "input 1 of “Primary payment inputs” is not a txid-vout pair" },
    { "\nPrimary payment inputs: TXID-0\nPrimary payment amount: 0.1\n"
      "Primary payment address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n"
      "Primary payment signature: 300602010102010102",
      "signature 1 of “Primary payment signature” does not sign with SIGHASH_ALL" },
  };
  const gchar *txid = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";
  g_autoptr (Identity) walt = identity_new ("Walt");

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_auto (GStrv) parts = g_strsplit (cases[c].fields, "TXID", -1);
      g_autofree gchar *fields = g_strjoinv (txid, parts);
      g_autofree gchar *text = g_strconcat ("Rein Delivery\nJob ID: k3v9x0q2m8z1c7b5n4a6",
                                            fields, NULL);
      g_autofree gchar *armored = identity_sign (walt, text);
      g_autoptr (ReinDocument) doc = rein_document_new_from_armored (armored, -1, NULL);
      g_autoptr (ReinLegacyPayment) payment = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_nonnull (doc);
      payment = rein_legacy_payment_read (doc, TRUE, &error);
      g_assert_null (payment);
      g_assert_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT);
      if (strstr (error->message, cases[c].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", c, error->message, cases[c].message);
      /* and the mediator payment is simply not there */
      g_clear_error (&error);
      g_assert_null (rein_legacy_payment_read (doc, FALSE, &error));
      g_assert_no_error (error);
    }
  {
    /* more inputs than an escrow payment needs (each one a lookup) */
    g_autoptr (GString) text = g_string_new ("Rein Delivery\nPrimary payment inputs:");
    g_autofree gchar *armored = NULL;
    g_autoptr (ReinDocument) doc = NULL;
    g_autoptr (ReinLegacyPayment) payment = NULL;
    g_autoptr (GError) error = NULL;

    for (guint i = 0; i <= REIN_LEGACY_MAX_INPUTS; i++)
      g_string_append_printf (text, " %s-%u", txid, i);
    armored = identity_sign (walt, text->str);
    doc = rein_document_new_from_armored (armored, -1, NULL);
    g_assert_nonnull (doc);
    payment = rein_legacy_payment_read (doc, TRUE, &error);
    g_assert_null (payment);
    g_assert_nonnull (strstr (error->message, "more than 16 inputs"));
  }
}

/* What we write reads back as the transaction it was made from. */
static void
test_round_trip (void)
{
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  g_autoptr (ReinTx) legacy = NULL;
  g_autoptr (GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr (GString) text = g_string_new ("Rein Delivery\nJob ID: k3v9x0q2m8z1c7b5n4a6");
  g_autoptr (Identity) walt = identity_new ("Walt");
  g_autoptr (ReinDocument) doc = NULL;
  g_autoptr (ReinLegacyPayment) payment = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) script = NULL;
  g_autofree gchar *inputs = NULL, *amount = NULL, *address = NULL, *armored = NULL;
  g_autoptr (GByteArray) a = NULL;
  g_autoptr (GByteArray) b = NULL;

  g_assert_true (rein_tx_add_input_hex (tx, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77a"
                                            "b2127b7afdeda33b", 1, 0, NULL));
  g_assert_true (rein_tx_add_input_hex (tx, "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb"
                                            "44a74b1efd512098", 7, 0, NULL));
  script = rein_script_from_address (walt->delegate_address, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  rein_tx_add_output (tx, 899000, script->data, script->len);
  g_ptr_array_add (outputs, rein_tx_get_output (tx, 0));
  legacy = rein_legacy_tx_new (tx, outputs);
  g_assert_cmpuint (legacy->version, ==, 1);
  g_assert_cmpuint (rein_tx_get_input (legacy, 0)->sequence, ==, 0xffffffff);

  inputs = rein_legacy_format_inputs (legacy);
  g_assert_cmpstr (inputs, ==,
                   "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b-1 "
                   "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098-7");
  amount = rein_legacy_format_amount (899000);
  g_assert_cmpstr (amount, ==, "0.00899000");
  address = rein_legacy_format_address (script, REIN_NETWORK_MAINNET);
  g_assert_cmpstr (address, ==, walt->delegate_address);
  rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_INPUTS, inputs);
  rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_AMOUNT, amount);
  rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_ADDRESS, address);
  armored = identity_sign (walt, text->str);
  doc = rein_document_new_from_armored (armored, -1, &error);
  g_assert_no_error (error);
  payment = rein_legacy_payment_read (doc, TRUE, &error);
  g_assert_no_error (error);
  a = rein_tx_serialize (payment->tx, FALSE);
  b = rein_tx_serialize (legacy, FALSE);
  g_assert_cmpmem (a->data, a->len, b->data, b->len);
  g_assert_cmpuint (payment->signatures->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/legacy-payment/parse", test_parse);
  g_test_add_func ("/client/legacy-payment/round-trip", test_round_trip);
  g_test_add ("/client/legacy-payment/accept-delivery", Fixture, NULL, fixture_set_up,
              test_accept_delivery, fixture_tear_down);
  g_test_add ("/client/legacy-payment/cli-accept", Fixture, NULL, fixture_set_up,
              test_cli_accept, fixture_tear_down);
  g_test_add ("/client/legacy-payment/cli-deliver", Fixture, NULL, fixture_set_up,
              test_cli_deliver, fixture_tear_down);
  g_test_add ("/client/legacy-payment/deliver-reviewed", Fixture, NULL, fixture_set_up,
              test_deliver_reviewed, fixture_tear_down);
  g_test_add ("/client/legacy-payment/cosign-accept", Fixture, NULL, fixture_set_up,
              test_cosign_accept, fixture_tear_down);
  g_test_add ("/client/legacy-payment/cosign-resolution", Fixture, NULL, fixture_set_up,
              test_cosign_resolution, fixture_tear_down);
  g_test_add ("/client/legacy-payment/write-resolution", Fixture, NULL, fixture_set_up,
              test_write_resolution, fixture_tear_down);
  g_test_add ("/client/legacy-payment/sign-all-or-nothing", Fixture, NULL, fixture_set_up,
              test_sign_all_or_nothing, fixture_tear_down);
  g_test_add ("/client/legacy-payment/deliver-too-many-coins", Fixture, NULL, fixture_set_up,
              test_deliver_too_many_coins, fixture_tear_down);
  g_test_add ("/client/legacy-payment/many-inputs/4", Fixture, GUINT_TO_POINTER (3),
              fixture_set_up, test_many_inputs, fixture_tear_down);
  g_test_add ("/client/legacy-payment/many-inputs/7", Fixture, GUINT_TO_POINTER (6),
              fixture_set_up, test_many_inputs, fixture_tear_down);
  g_test_add ("/client/legacy-payment/many-inputs/16", Fixture,
              GUINT_TO_POINTER (REIN_LEGACY_MAX_INPUTS - 1), fixture_set_up, test_many_inputs,
              fixture_tear_down);
  g_test_add ("/client/legacy-payment/tampered/accept", Fixture, NULL, fixture_set_up,
              test_tampered_accept, fixture_tear_down);
  g_test_add ("/client/legacy-payment/tampered/amount", Fixture, "amount", fixture_set_up,
              test_tampered, fixture_tear_down);
  g_test_add ("/client/legacy-payment/tampered/address", Fixture, "address", fixture_set_up,
              test_tampered, fixture_tear_down);
  g_test_add ("/client/legacy-payment/tampered/input", Fixture, "input", fixture_set_up,
              test_tampered, fixture_tear_down);
  g_test_add ("/client/legacy-payment/tampered/signature", Fixture, "signature",
              fixture_set_up, test_tampered, fixture_tear_down);
  return g_test_run ();
}
