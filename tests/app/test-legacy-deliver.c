/* test-legacy-deliver.c: Deliver in the app, for a python-rein 0.3 job
 * creator
 *
 * Walt delivers an awarded job whose escrows are funded on the test chain
 * server. The deliver step offers to also sign the payment a python-rein
 * 0.3 creator completes (off by default): when it is on, the payment is
 * built before the review, the review says what it pays, and it is signed
 * with the document after the password. The 0.3 side
 * (tests/client/legacy-payment.py, python3-bitcoinlib) then completes the
 * payment from the delivery on the server, VerifyScript accepts it, and
 * the chain takes it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>
#include <string.h>

#include "app-test-util.h"
#include "escrow-test-util.h"
#include "legacy-payment-util.h"
#include "rein-chain-settings.h"
#include "rein-legacy-payment.h"
#include "rein-payments.h"
#include "rein-step-dialog.h"

/* more than the mediator's fee, so that its payment's fee fits */
#define MEDIATOR_FUNDS G_GINT64_CONSTANT (250000)

typedef struct
{
  EscrowWorld w;
  gchar *job_id;
  ReinEscrowStatus *status;
  gchar *primary_coin; /* its funding txid */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  escrow_world_init (&f->w, 0);
  f->job_id = g_strdup (rein_job_get_id (f->w.job));
  f->status = rein_escrow_status_new (f->w.job, FALSE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->status, rein_escrow_status_free);
  g_free (f->job_id);
  g_free (f->primary_coin);
  escrow_world_clear (&f->w);
}

static gboolean
checked (gpointer data)
{
  return rein_step_dialog_get_escrows_checked (data);
}

static gboolean
offered (gpointer data)
{
  return rein_step_dialog_get_legacy_offered (data);
}

static gboolean
not_loading (gpointer data)
{
  return g_strcmp0 (rein_sign_dialog_get_page (data), "loading") != 0;
}

/* this dialog's page, not the first one shown */
static gboolean
on_review (gpointer data)
{
  return g_strcmp0 (rein_sign_dialog_get_page (data), "review") == 0
         || rein_sign_dialog_get_failure (data) != NULL;
}

/* Walt's deliver step, on its form, the escrows looked up. */
static ReinStepDialog *
open_deliver (Fixture *f, gint width)
{
  ReinStepDialog *dialog = rein_step_dialog_new (NULL, f->w.walt.context, f->job_id, NULL,
                                                 REIN_ACTION_DELIVER, NULL);

  gtk_window_set_default_size (GTK_WINDOW (dialog), width, 900);
  gtk_window_present (GTK_WINDOW (dialog));
  app_test_wait_until (not_loading, dialog, "the job", 60);
  if (rein_sign_dialog_get_failure (REIN_SIGN_DIALOG (dialog)) != NULL)
    g_error ("the deliver step failed: %s", rein_sign_dialog_get_failure (REIN_SIGN_DIALOG (dialog)));
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (dialog)), ==, "form");
  rein_step_dialog_set_text (dialog, "The logo, in SVG and PNG");
  return dialog;
}

/* Goes from the form to the review, through the prepare step. */
static const gchar *
review (ReinStepDialog *dialog)
{
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.next", NULL);
  app_test_wait_until (on_review, dialog, "the review", 60);
  g_assert_null (rein_sign_dialog_get_failure (REIN_SIGN_DIALOG (dialog)));
  app_test_iterate (100);
  return rein_sign_dialog_get_document (REIN_SIGN_DIALOG (dialog));
}

/* Not offered before both escrows are funded; off by default; when on,
 * reviewed, then signed with the document, and completed by a 0.3
 * creator. */
static void
test_deliver (Fixture *f, gconstpointer data)
{
  ReinStepDialog *dialog;
  const gchar *document;
  const gchar *fact;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonObject) accepted = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autofree gchar *walt = rein_private_key_get_address (f->w.walt.key, REIN_NETWORK_MAINNET);
  g_autofree gchar *sent = NULL;
  g_autofree gchar *cap = rein_payments_format_amount (60000);
  g_autofree gchar *cap_text = g_strdup_printf ("within your cap of %s", cap);
  ReinDocument *delivery;

  if (!have_bitcoinlib ())
    return;
  g_assert_true (rein_chain_settings_set_fee_cap (f->w.walt.store, 60000, NULL));

  /* the price paid in, not the mediator's fee yet: looked up, and
   * nothing is offered */
  f->primary_coin = test_chain_fund (f->w.chain, f->status->primary.address, ESCROW_DUE, 1);
  dialog = open_deliver (f, 1000);
  app_test_wait_until (checked, dialog, "the escrows", 60);
  app_test_iterate (50);
  g_assert_false (rein_step_dialog_get_legacy_offered (dialog));
  app_test_destroy_window (GTK_WINDOW (dialog));
  app_test_iterate (50);

  g_free (test_chain_fund (f->w.chain, f->status->mediator.address, MEDIATOR_FUNDS, 1));
  /* offered, off: a plain delivery */
  dialog = open_deliver (f, 1000);
  app_test_wait_until (offered, dialog, "the offer of a payment for python-rein 0.3", 60);
  app_test_screenshot (GTK_WIDGET (dialog), "legacy-deliver-form");
  document = review (dialog);
  g_assert_true (g_str_has_prefix (document, "Rein Delivery\n"));
  g_assert_null (strstr (document, REIN_LEGACY_LABEL_PRIMARY_INPUTS));
  app_test_destroy_window (GTK_WINDOW (dialog));
  app_test_iterate (50);

  /* on: built before the review, shown with whom it pays */
  dialog = open_deliver (f, 1000);
  app_test_wait_until (offered, dialog, "the offer of a payment for python-rein 0.3", 60);
  rein_step_dialog_set_legacy_payment (dialog, TRUE);
  document = review (dialog);
  g_assert_true (g_str_has_prefix (document, "Rein Delivery\n"));
  g_assert_nonnull (strstr (document, "\n" REIN_LEGACY_LABEL_PRIMARY_INPUTS ": "));
  g_assert_nonnull (strstr (document, "\n" REIN_LEGACY_LABEL_MEDIATOR_INPUTS ": "));
  /* the signature is made with the document's, after the password */
  g_assert_null (strstr (document, REIN_LEGACY_LABEL_PRIMARY_SIGNATURE));
  fact = app_test_fact_of (GTK_WIDGET (dialog),
                           "Payment for a python-rein 0.3 client, from the primary escrow (you "
                           "sign it with the delivery)");
  g_assert_nonnull (fact);
  g_assert_nonnull (strstr (fact, walt));
  g_assert_nonnull (strstr (fact, "the worker"));
  /* the escrow's coin, and the fee within Walt's cap */
  g_assert_nonnull (strstr (fact, f->primary_coin));
  g_assert_nonnull (strstr (fact, "Fee: "));
  g_assert_nonnull (strstr (fact, cap_text));
  fact = app_test_fact_of (GTK_WIDGET (dialog),
                           "Payment for a python-rein 0.3 client, from the mediator escrow "
                           "(described, not signed)");
  g_assert_nonnull (fact);
  g_assert_nonnull (strstr (fact, "the mediator"));
  app_test_screenshot (GTK_WIDGET (dialog), "legacy-deliver-review");
  {
    /* narrow, in a window of its own: a shown window keeps its size */
    ReinStepDialog *small = open_deliver (f, 360);

    app_test_wait_until (offered, small, "the offer of a payment for python-rein 0.3", 60);
    rein_step_dialog_set_legacy_payment (small, TRUE);
    review (small);
    app_test_screenshot (GTK_WIDGET (small), "legacy-deliver-review-narrow");
    app_test_destroy_window (GTK_WINDOW (small));
    app_test_iterate (50);
  }
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (dialog), "pw");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_STEP_DIALOG, NULL, NULL);

  /* the delivery on the server, as Carol reads it */
  job = load_job (&f->w.carol, f->job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_DELIVERED);
  delivery = rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY);
  g_assert_nonnull (delivery);
  g_assert_cmpstr (rein_document_get_field (delivery, REIN_LEGACY_LABEL_PRIMARY_ADDRESS), ==,
                   walt);
  g_assert_nonnull (rein_document_get_field (delivery, REIN_LEGACY_LABEL_PRIMARY_SIGNATURE));

  /* a 0.3 creator completes it: VerifyScript accepts Walt's signature */
  json_builder_begin_object (builder);
  add_string (builder, "op", "accept");
  add_string (builder, "primary_redeem", f->status->primary.redeem_script_hex);
  add_string (builder, "mediator_redeem", f->status->mediator.redeem_script_hex);
  add_document (builder, "delivery", delivery);
  add_wif (builder, "creator_wif", f->w.carol.key);
  accepted = run_legacy (builder);
  {
    ReinChain *chain = NULL;
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree guint8 *bytes = NULL;
    gsize len = 0;

    chain = rein_chain_new (f->w.chain->url, &error);
    g_assert_no_error (error);
    bytes = rein_hex_decode (json_object_get_string_member (accepted, "primary_hex"), &len,
                             &error);
    g_assert_no_error (error);
    raw = g_bytes_new (bytes, len);
    rein_chain_broadcast_async (chain, raw, NULL, wait_cb, &result);
    wait_for (&result);
    sent = rein_chain_broadcast_finish (chain, result, &error);
    g_assert_no_error (error);
    g_object_unref (chain);
  }
  g_assert_cmpstr (sent, ==, json_object_get_string_member (accepted, "primary_txid"));
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  /* amounts as the C locale writes them */
  setlocale (LC_NUMERIC, "C");

  g_test_add ("/app/legacy-deliver/deliver", Fixture, NULL, fixture_setup, test_deliver,
              fixture_teardown);
  return g_test_run ();
}
