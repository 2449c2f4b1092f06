/* test-payout.c: paying out of the escrows in the app
 *
 * In-process under Xvfb, against a real rein-server and the test chain
 * backend (tests/net/esplora-server.py, which takes a transaction only if
 * python-bitcoinlib's VerifyScript accepts every input), both on
 * loopback. The creator accepts (or the mediator resolves) through the
 * review dialog; the document goes out through the client publisher (the
 * job page is not there yet); the co-signers review, sign and send through
 * the job page's payout panel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "app-test-util.h"
#include "payout-test-util.h"
#include "chain-fixture.h"
#include "cli-test-util.h"
#include "client-test-util.h"
#include "rein-bitcoin.h"
#include "rein-chain-settings.h"
#include "rein-identity-page.h"
#include "rein-payout-dialog.h"
#include "rein-payout-panel.h"
#include "rein-test-util.h"

#define NARROW 360

typedef struct
{
  TestServer *server;
  TestChain *chain;
  Person mia;   /* mediator */
  Person carol; /* creator */
  Person walt;  /* worker */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = test_server_start (NULL, NULL);
  f->chain = test_chain_start ("mainnet");
  /* every data folder's chain backend */
  g_setenv ("REIN_CHAIN_URL", f->chain->url, TRUE);
  person_init (&f->mia, f->server, "Mia", TRUE);
  person_init (&f->carol, f->server, "Carol", FALSE);
  person_init (&f->walt, f->server, "Walt", FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->mia);
  person_clear (&f->carol);
  person_clear (&f->walt);
  test_server_stop (f->server);
  test_server_free (f->server);
  test_chain_stop (f->chain);
  g_unsetenv ("REIN_CHAIN_URL");
}

/* ---- the job, up to the payouts ---- */

static void
step (Person *p, ReinJob *job, gchar *text /* owned */, GError *build_error)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = NULL;

  g_assert_no_error (build_error);
  g_assert_nonnull (text);
  done = publish (p, job, text, &error);
  g_assert_no_error (error);
  g_free (text);
}

/* A job of Carol's, mediated by Mia, awarded to Walt for @amount, both
 * escrows funded and mined; returns its ID. */
static gchar *
funded_job (Fixture *f, const gchar *name, const gchar *amount)
{
  gchar *job_id = post_job (&f->carol, &f->mia, name, "Design", "A round logo.");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinEscrowStatus) terms = NULL;
  g_autoptr (GError) error = NULL;
  gchar *text;

  place_bid (&f->walt, job_id, amount);
  job = load_job (&f->carol, job_id);
  text = rein_document_build_offer (g_ptr_array_index (rein_job_get_bids (job), 0),
                                    REIN_NETWORK_MAINNET, &error);
  step (&f->carol, job, text, error);
  g_clear_object (&job);

  job = load_job (&f->carol, job_id);
  terms = rein_escrow_status_new (job, FALSE, &error);
  g_assert_no_error (error);
  g_free (test_chain_fund (f->chain, terms->primary.address, terms->primary.due, 0));
  g_free (test_chain_fund (f->chain, terms->mediator.address, terms->mediator.due, 0));
  test_chain_mine (f->chain, 1);
  return job_id;
}

static void
deliver (Fixture *f, const gchar *job_id)
{
  g_autoptr (ReinJob) job = load_job (&f->walt, job_id);
  g_autoptr (GError) error = NULL;
  gchar *text = rein_document_build_delivery (rein_job_get_offer (job), "logo.svg", &error);

  step (&f->walt, job, text, error);
}

/* ---- the dialog ---- */

/* The dialog shows payments other than @data. */
static gboolean
rebuilt (gpointer data)
{
  return dialog_on_review (NULL) && rein_payout_dialog_get_payments (find_dialog ()) != data
         && rein_payout_dialog_get_payments (find_dialog ()) != NULL;
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* Closing @dialog before anything is signed ends its run as cancelled
 * (*@result, then cleared). */
static void
close_cancels_run (GtkWindow *dialog, GAsyncResult **result)
{
  g_autoptr (GError) error = NULL;

  gtk_window_close (dialog);
  app_test_wait_until (has_result, result, "the cancel", 30);
  g_assert_null (rein_payout_dialog_run_finish (*result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (result);
}

/* Light and dark, wide and narrow, of @widget's window. */
static void
screenshots (GtkWidget *widget, const gchar *name, gint wide_width, gint height)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (widget));
  AdwStyleManager *style = adw_style_manager_get_default ();
  const struct
  {
    AdwColorScheme scheme;
    gint width;
    const gchar *suffix;
  } shots[] = {
    { ADW_COLOR_SCHEME_FORCE_LIGHT, wide_width, "wide-light" },
    { ADW_COLOR_SCHEME_FORCE_DARK, wide_width, "wide-dark" },
    { ADW_COLOR_SCHEME_FORCE_LIGHT, NARROW, "narrow-light" },
    { ADW_COLOR_SCHEME_FORCE_DARK, NARROW, "narrow-dark" },
  };

  for (guint s = 0; s < G_N_ELEMENTS (shots); s++)
    {
      g_autofree gchar *file = g_strdup_printf ("%s-%s", name, shots[s].suffix);

      adw_style_manager_set_color_scheme (style, shots[s].scheme);
      gtk_window_set_default_size (window, shots[s].width, height);
      app_test_iterate (400);
      if (shots[s].width == NARROW)
        /* nothing in it is wider than the smallest phone */
        g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, NARROW);
      app_test_screenshot (GTK_WIDGET (window), file);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (window, wide_width, height);
  app_test_iterate (200);
}

/* @p builds and signs the payments of @kind through the dialog (password
 * "pw"); returns them, signed. */
static ReinPayments *
sign_in_dialog (Person *p, ReinJob *job, ReinPayoutKind kind, guint percent, guint new_percent,
                const gchar *screenshot)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  ReinPayoutDialog *dialog;
  ReinPayments *payments;

  market_of (p);
  rein_payout_dialog_run_async (NULL, p->context, job, kind, percent, NULL, wait_cb, &result);
  app_test_wait_until (dialog_shown, NULL, "the payout dialog", 30);
  app_test_wait_until (dialog_on_review, NULL, "the payments to review", 60);
  dialog = find_dialog ();
  if (new_percent != percent)
    {
      /* the mediator moves the slider: the payments are rebuilt */
      ReinPayments *before = rein_payout_dialog_get_payments (dialog);

      g_assert_cmpuint (rein_payments_get_worker_percent (before), ==, percent);
      rein_payout_dialog_set_worker_percent (dialog, new_percent);
      app_test_wait_until (rebuilt, before, "the rebuilt payments", 60);
      dialog = find_dialog ();
      g_assert_cmpuint (rein_payments_get_worker_percent (rein_payout_dialog_get_payments (dialog)),
                        ==, new_percent);
    }
  if (screenshot != NULL)
    screenshots (GTK_WIDGET (dialog), screenshot, 640, 900);
  if (kind == REIN_PAYOUT_ACCEPT)
    {
      /* a fee rate of one's own: rebuilt at 2 sat/vB instead of the
       * estimate (8.3) */
      ReinPayments *before = rein_payout_dialog_get_payments (dialog);
      g_autoptr (ReinPaymentReview) review = rein_payments_review (before, TRUE);

      g_assert_cmpuint (review->rate_tenths, >, 30);
      rein_payout_dialog_set_fee_rate (dialog, 2.0);
      app_test_wait_until (rebuilt, before, "the payments at 2 sat/vB", 60);
      dialog = find_dialog ();
      g_clear_pointer (&review, rein_payment_review_free);
      review = rein_payments_review (rein_payout_dialog_get_payments (dialog), TRUE);
      g_assert_cmpuint (review->rate_tenths, >=, 19);
      g_assert_cmpuint (review->rate_tenths, <=, 21);
      g_assert_cmpint (review->fee + review->paid, ==, review->spent);
    }

  /* nothing is signed before the tick, nor without the password */
  rein_payout_dialog_sign (dialog);
  app_test_iterate (100);
  g_assert_cmpstr (rein_payout_dialog_get_page (dialog), ==, "review");
  g_assert_null (result);
  rein_payout_dialog_set_confirmed (dialog, TRUE);
  rein_payout_dialog_sign (dialog);
  app_test_iterate (100);
  g_assert_nonnull (strstr (rein_payout_dialog_get_error (dialog), "password"));
  rein_payout_dialog_set_password (dialog, "wrong");
  rein_payout_dialog_sign (dialog);
  app_test_wait_until (dialog_on_review, NULL, "the wrong password refused", 30);
  g_assert_null (result);
  rein_payout_dialog_set_password (dialog, "pw");
  rein_payout_dialog_sign (dialog);
  app_test_wait_until (has_result, &result, "the signature", 60);
  payments = rein_payout_dialog_run_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payments);
  for (guint e = 0; e < 2; e++)
    g_assert_cmpint (rein_payments_get_state (payments, e == 0), ==, REIN_PAYMENT_STATE_SIGNED);
  app_test_iterate (100);
  g_assert_null (find_dialog ());
  return payments;
}

static void
record (ReinPayments *payments)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_payments_record_async (payments, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_payments_record_finish (payments, result, &error));
  g_assert_no_error (error);
}

/* ---- the review's rows ---- */

/* The group of payment @primary in the dialog's review. */
static GtkWidget *
review_group (ReinPayoutDialog *dialog, gboolean primary)
{
  GtkWidget *group = gtk_widget_get_first_child (app_test_child (dialog, "payments_box"));

  if (!primary && group != NULL)
    group = gtk_widget_get_next_sibling (group);
  g_assert_nonnull (group);
  return group;
}

/* Payment @primary under review pays all of it, less the fee, to @who
 * ("the worker, Walt") at @address: its row says so in BTC and
 * satoshis; the fee row gives the rate (returned, in tenths of sat/vB)
 * and the fee's share; the warning row is there when @warning. */
static guint
assert_review_rows (ReinPayoutDialog *dialog, gboolean primary, const gchar *who,
                    const gchar *address, gboolean warning)
{
  g_autoptr (ReinPaymentReview) review = rein_payments_review (
      rein_payout_dialog_get_payments (dialog), primary);
  GtkWidget *group = review_group (dialog, primary);
  ReinReviewOutput *out;
  g_autofree gchar *amount = NULL, *sats = NULL, *title = NULL;
  g_autofree gchar *fee = NULL, *fee_title = NULL;
  const gchar *detail, *share;
  guint rate_whole = 0, rate_tenth = 0, vsize = 0, share_whole = 0, share_tenth = 0;
  gdouble expected_share;

  g_assert_cmpuint (review->outputs->len, ==, 1);
  out = g_ptr_array_index (review->outputs, 0);
  g_assert_cmpstr (out->address, ==, address);
  g_assert_cmpint (out->amount + review->fee, ==, review->spent);
  amount = rein_payments_format_amount (out->amount);
  sats = g_strdup_printf (" BTC (%" G_GINT64_FORMAT " sat)", out->amount);
  g_assert_true (g_str_has_suffix (amount, sats));
  title = g_strdup_printf ("Pays %s: %s", who, amount);
  g_assert_cmpstr (app_test_fact_of (group, title), ==, address);

  fee = rein_payments_format_amount (review->fee);
  fee_title = g_strdup_printf ("Fee: %s", fee);
  detail = app_test_fact_of (group, fee_title);
  g_assert_nonnull (detail);
  g_assert_cmpint (sscanf (detail, "%u.%u sat/vB for about %u vB", &rate_whole, &rate_tenth,
                           &vsize), ==, 3);
  g_assert_cmpuint (vsize, >, 100);
  share = strstr (detail, "· ");
  g_assert_nonnull (share);
  g_assert_cmpint (sscanf (share + strlen ("· "), "%u.%u%% of the amount", &share_whole,
                           &share_tenth), ==, 2);
  expected_share = 1000.0 * (gdouble) review->fee / (gdouble) review->spent;
  g_assert_cmpfloat (fabs ((share_whole * 10 + share_tenth) - expected_share), <=, 1.0);
  g_assert_cmpint (app_test_fact_of (group, "The fee is more than 5% of the amount") != NULL,
                   ==, warning);
  g_assert_cmpint (warning, ==, review->fee * 20 > review->spent);
  return rate_whole * 10 + rate_tenth;
}

/* ---- the panel ---- */

typedef struct
{
  GtkWindow *window;
  ReinPayoutPanel *panel;
  ReinMyJob *job;
} Page;

/* @p's My Jobs entry of @job_id, read fresh. */
static ReinMyJob *
my_job_of (Person *p, const gchar *job_id)
{
  ReinMyJobs *service = rein_context_get_my_jobs (p->context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GListModel *jobs;

  refresh (market_of (p));
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_my_jobs_refresh_finish (service, result, &error));
  jobs = rein_my_jobs_get_jobs (service);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_my_job_get_job_id (job), job_id) == 0)
        return g_steal_pointer (&job);
    }
  g_error ("%s is not among the jobs", job_id);
  return NULL;
}

/* @p's payout panel of @job_id, in a window of its own, loaded. */
static void
page_open (Page *page, Person *p, const gchar *job_id)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  page->job = my_job_of (p, job_id);
  page->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (page->window, 720, 480);
  page->panel = REIN_PAYOUT_PANEL (rein_payout_panel_new (p->context));
  gtk_widget_set_margin_top (GTK_WIDGET (page->panel), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (page->panel), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (page->panel), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (page->panel), 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (page->panel));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  adw_window_set_content (ADW_WINDOW (page->window), scroller);
  gtk_window_present (page->window);
  rein_payout_panel_set_job (page->panel, page->job);
  app_test_wait_until (panel_loaded, page->panel, "the payout panel", 60);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->panel)));
  g_assert_nonnull (rein_payout_panel_get_payments (page->panel));
}

static void
page_close (Page *page)
{
  app_test_destroy_window (page->window);
  g_clear_object (&page->job);
  app_test_iterate (50);
}

static void
page_reload (Page *page)
{
  rein_payout_panel_refresh (page->panel);
  app_test_wait_until (panel_loaded, page->panel, "the payout panel", 60);
}

static ReinPaymentState
state_of (Page *page, gboolean primary)
{
  return rein_payments_get_state (rein_payout_panel_get_payments (page->panel), primary);
}

static void
cosign_from_panel (Page *page, gboolean send)
{
  payout_test_cosign (page->panel, send);
}

/* ---- what went to the chain ---- */

static gint64
output_to (const ReinTx *tx, const gchar *address)
{
  g_autoptr (GByteArray) script = rein_script_from_address (address, REIN_NETWORK_MAINNET, NULL);
  gint64 sum = -1;

  g_assert_nonnull (script);
  for (guint o = 0; o < tx->outputs->len; o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);

      if (out->script_pubkey->len == script->len
          && memcmp (out->script_pubkey->data, script->data, script->len) == 0)
        sum = MAX (sum, 0) + (gint64) out->value;
    }
  return sum;
}

/* The transaction of payment @primary was taken by the chain backend
 * (VerifyScript accepted every input) and pays @shares (percent) of what
 * the escrow held to @addresses, less a small fee. */
static void
assert_paid (Fixture *f, ReinPayments *payments, gboolean primary, const gchar *const *addresses,
             const guint *shares)
{
  const gchar *txid = rein_payments_get_txid (payments, primary);
  const ReinEscrowStatus *status = rein_payments_get_status (payments);
  gint64 due = primary ? status->primary.due : status->mediator.due;
  g_autofree gchar *sent = test_chain_dup_broadcasts (f->chain);
  g_autoptr (ReinTx) tx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChain) chain = rein_chain_new (f->chain->url, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) raw = NULL;
  gint64 paid = 0;

  g_assert_cmpint (rein_payments_get_state (payments, primary), ==, REIN_PAYMENT_STATE_BROADCAST);
  g_assert_nonnull (txid);
  if (strstr (sent, txid) == NULL)
    g_error ("%s is not among the transactions the backend accepted: %s", txid, sent);
  /* the transaction as the chain has it */
  rein_chain_get_tx_async (chain, txid, NULL, wait_cb, &result);
  wait_for (&result);
  raw = rein_chain_get_tx_finish (chain, result, &error);
  g_assert_no_error (error);
  tx = rein_tx_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), FALSE, &error);
  g_assert_no_error (error);
  for (guint a = 0; addresses[a] != NULL; a++)
    {
      gint64 got = output_to (tx, addresses[a]);
      gint64 want = due * shares[a] / 100;

      g_assert_cmpint (got, >, 0);
      /* the fee comes out in proportion: a little less than the share */
      g_assert_cmpint (got, <=, want);
      g_assert_cmpint (got, >, want - 5000);
      paid += got;
    }
  g_assert_cmpuint (tx->outputs->len, ==, g_strv_length ((gchar **) addresses));
  /* the rest is the fee: positive and small */
  g_assert_cmpint (due - paid, >, 0);
  g_assert_cmpint (due - paid, <, 10000);
}

static void
publish_accept (Person *carol, ReinJob *job, ReinPayments *payments)
{
  g_autofree gchar *primary = rein_payments_get_base64 (payments, TRUE);
  g_autofree gchar *mediator = rein_payments_get_base64 (payments, FALSE);
  g_autoptr (GError) error = NULL;
  gchar *text = rein_document_build_accept (rein_job_get_document (job,
                                                                   REIN_DOCUMENT_TYPE_DELIVERY),
                                            primary, mediator, &error);

  step (carol, job, text, error);
}

/* Carol's accept of @job at 2 sat/vB, built and signed by the client
 * (not the dialog) and published. */
static ReinPayments *
accept_by_client (Fixture *f, ReinChain *chain, ReinJob *job)
{
  ReinPaymentOptions options = { .fee_rate = 2000 };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  ReinPayments *payments;

  rein_payments_prepare_async (f->carol.store, f->carol.identity, chain, job, REIN_PAYOUT_ACCEPT,
                               0, &options, NULL, wait_cb, &result);
  wait_for (&result);
  payments = rein_payments_prepare_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  rein_payments_sign_async (payments, f->carol.key, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_payments_sign_finish (payments, result, &error));
  publish_accept (&f->carol, job, payments);
  return payments;
}

/* ---- tests ---- */

/* Carol accepts through the dialog; Walt completes the primary payment
 * from his panel, Mia the mediator's from hers; then both are paid. */
static void
test_accept (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = funded_job (f, "Logo for a bakery", "0.01");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinPayees) payees = NULL;
  g_autoptr (GError) error = NULL;
  Page walt = { 0 }, mia = { 0 };

  deliver (f, job_id);
  job = load_job (&f->carol, job_id);
  payees = rein_payees_new (job, FALSE, &error);
  g_assert_no_error (error);
  payments = sign_in_dialog (&f->carol, job, REIN_PAYOUT_ACCEPT, 0, 0, "payout-review-accept");
  publish_accept (&f->carol, job, payments);
  record (payments);

  /* Walt: his signature completes the primary payment; the mediator's
   * waits for Mia */
  page_open (&walt, &f->walt, job_id);
  g_assert_cmpint (state_of (&walt, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  g_assert_cmpint (state_of (&walt, FALSE), ==, REIN_PAYMENT_STATE_WAITING);
  g_assert_false (rein_payout_panel_get_paid (walt.panel));
  cosign_from_panel (&walt, TRUE);
  g_assert_cmpint (state_of (&walt, TRUE), ==, REIN_PAYMENT_STATE_BROADCAST);
  g_assert_nonnull (strstr (rein_payout_panel_get_state_text (walt.panel, TRUE),
                            rein_payments_get_txid (rein_payout_panel_get_payments (walt.panel),
                                                    TRUE)));
  assert_paid (f, rein_payout_panel_get_payments (walt.panel), TRUE,
               (const gchar *const[]){ payees->worker, NULL }, (const guint[]){ 100 });

  /* Mia: the primary payment is paid; hers to complete */
  page_open (&mia, &f->mia, job_id);
  g_assert_cmpint (state_of (&mia, TRUE), ==, REIN_PAYMENT_STATE_PAID_ELSEWHERE);
  g_assert_cmpint (state_of (&mia, FALSE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  cosign_from_panel (&mia, TRUE);
  g_assert_cmpint (state_of (&mia, FALSE), ==, REIN_PAYMENT_STATE_BROADCAST);
  assert_paid (f, rein_payout_panel_get_payments (mia.panel), FALSE,
               (const gchar *const[]){ payees->mediator, NULL }, (const guint[]){ 100 });
  g_assert_false (rein_payout_panel_get_paid (mia.panel));

  /* mined: paid, for both */
  test_chain_mine (f->chain, 1);
  page_reload (&mia);
  g_assert_true (rein_payout_panel_get_paid (mia.panel));
  g_assert_cmpint (rein_payments_get_confirmations (rein_payout_panel_get_payments (mia.panel),
                                                    FALSE), ==, 1);
  page_reload (&walt);
  g_assert_true (rein_payout_panel_get_paid (walt.panel));
  g_assert_cmpstr (rein_payout_panel_get_summary (walt.panel), ==,
                   "Both payments are made and confirmed.");
  screenshots (GTK_WIDGET (walt.panel), "payout-panel-paid", 720, 480);
  page_close (&walt);
  page_close (&mia);
}

/* Walt disputes; Mia resolves with a split she moves to 70% in the
 * dialog; Carol's signature completes both payments. */
static void
test_resolution_split (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = funded_job (f, "Website copy", "0.02");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinPayees) payees = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *primary = NULL, *mediator = NULL;
  Page carol = { 0 };
  gchar *text;

  job = load_job (&f->walt, job_id);
  text = rein_document_build_dispute (rein_job_get_offer (job), REIN_DOCUMENT_TYPE_WORKER_DISPUTE,
                                      "The brief changed twice.", &error);
  step (&f->walt, job, text, error);
  g_clear_object (&job);

  job = load_job (&f->mia, job_id);
  payees = rein_payees_new (job, FALSE, &error);
  g_assert_no_error (error);
  payments = sign_in_dialog (&f->mia, job, REIN_PAYOUT_SPLIT, 60, 70, "payout-review-split");
  g_assert_cmpint (rein_payments_get_kind (payments), ==, REIN_PAYOUT_SPLIT);
  primary = rein_payments_get_base64 (payments, TRUE);
  mediator = rein_payments_get_base64 (payments, FALSE);
  text = rein_document_build_resolution (rein_job_get_document (job,
                                                                REIN_DOCUMENT_TYPE_WORKER_DISPUTE),
                                         "Late but done: 70% to the worker.", primary, mediator,
                                         &error);
  step (&f->mia, job, text, error);
  record (payments);

  page_open (&carol, &f->carol, job_id);
  g_assert_cmpint (state_of (&carol, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  g_assert_cmpint (state_of (&carol, FALSE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  g_assert_cmpuint (rein_payments_get_worker_percent (rein_payout_panel_get_payments (carol.panel)),
                    ==, 70);
  cosign_from_panel (&carol, TRUE);
  assert_paid (f, rein_payout_panel_get_payments (carol.panel), TRUE,
               (const gchar *const[]){ payees->creator, payees->worker, NULL },
               (const guint[]){ 30, 70 });
  assert_paid (f, rein_payout_panel_get_payments (carol.panel), FALSE,
               (const gchar *const[]){ payees->mediator, NULL }, (const guint[]){ 100 });
  test_chain_mine (f->chain, 2);
  page_reload (&carol);
  g_assert_true (rein_payout_panel_get_paid (carol.panel));
  page_close (&carol);
}

/* Carol accepts (her payments built and signed by the client, without
 * the dialog); a primary payment to someone else, brought to Walt's panel
 * as a file would be, is refused there with the reason: readers never let
 * such an accept count, so a file is how it comes. */
static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = funded_job (f, "Menu design", "0.01");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinPayees) payees = NULL;
  g_autoptr (ReinPayment) wrong = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *wrong_text = NULL;
  g_autofree gchar *other_text = NULL;
  Page walt = { 0 };

  deliver (f, job_id);
  job = load_job (&f->carol, job_id);
  /* the dialog closed before signing: cancelled, nothing signed */
  market_of (&f->carol);
  rein_payout_dialog_run_async (NULL, f->carol.context, job, REIN_PAYOUT_ACCEPT, 0, NULL, wait_cb,
                                &result);
  app_test_wait_until (dialog_on_review, NULL, "the payments to review", 60);
  close_cancels_run (GTK_WINDOW (find_dialog ()), &result);

  chain = rein_chain_new (f->chain->url, &error);
  g_assert_no_error (error);
  payments = accept_by_client (f, chain, job);

  /* the same coins, to Carol instead of Walt, signed by her */
  payees = rein_payees_copy (rein_payments_get_payees (payments));
  g_free (payees->worker);
  payees->worker = g_strdup (payees->creator);
  rein_payment_prepare_async (chain, rein_payments_get_status (payments), TRUE, payees,
                              REIN_PAYOUT_ACCEPT, 0, 6, 2000, 0, NULL, wait_cb, &result);
  wait_for (&result);
  wrong = rein_payment_prepare_finish (result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rein_psbt_get_n_inputs (wrong->psbt); i++)
    g_assert_true (rein_psbt_sign_input (wrong->psbt, i, f->carol.key, NULL));
  wrong_text = rein_psbt_to_base64 (wrong->psbt);
  /* and the mediator escrow's payment, brought as the primary's */
  other_text = rein_payments_get_base64 (payments, FALSE);

  page_open (&walt, &f->walt, job_id);
  g_assert_cmpint (state_of (&walt, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  g_assert_cmpint (state_of (&walt, FALSE), ==, REIN_PAYMENT_STATE_WAITING);
  {
    g_autoptr (GBytes) bytes = g_bytes_new (wrong_text, strlen (wrong_text));
    g_autoptr (GError) import_error = NULL;

    g_assert_false (rein_payout_panel_import (walt.panel, TRUE, bytes, &import_error));
    g_assert_nonnull (import_error);
    g_assert_nonnull (strstr (import_error->message, "output 0 of the primary payment pays "
                                                     "someone it may not pay (only the worker)"));
    /* said in the panel, in words */
    g_assert_nonnull (strstr (rein_payout_panel_get_error (walt.panel),
                              "The PSBT was not taken in: output 0 of the primary payment pays "
                              "someone it may not pay"));
  }
  app_test_screenshot (GTK_WIDGET (walt.window), "payout-panel-refused");
  {
    g_autoptr (GBytes) bytes = g_bytes_new (other_text, strlen (other_text));
    g_autoptr (GError) import_error = NULL;

    g_assert_false (rein_payout_panel_import (walt.panel, TRUE, bytes, &import_error));
    g_assert_nonnull (import_error);
    g_assert_nonnull (strstr (rein_payout_panel_get_error (walt.panel), "primary"));
  }
  {
    g_autoptr (GBytes) bytes = g_bytes_new_static ("not a psbt", 10);

    g_assert_false (rein_payout_panel_import (walt.panel, TRUE, bytes, NULL));
  }
  /* the payment the job carries is untouched: still Walt's to sign */
  g_assert_cmpint (state_of (&walt, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  page_close (&walt);
  /* nothing went to the chain */
  {
    g_autofree gchar *sent = test_chain_dup_broadcasts (f->chain);

    g_assert_cmpstr (sent, ==, "[]");
  }
}

static gboolean
balance_known (gpointer data)
{
  const gchar *subtitle = adw_action_row_get_subtitle (app_test_child (data, "balance_row"));

  return subtitle != NULL && strstr (subtitle, "BTC") != NULL;
}

static gboolean
has_text (gpointer data)
{
  return *(gchar **) data != NULL;
}

static void
spent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  *(gchar **) user_data = rein_payout_dialog_spend_finish (result, &error);
  g_assert_no_error (error);
}

/* Walt's own address: its balance on his identity page, and everything
 * there sent to Carol with the same review. */
static void
test_own_address (Fixture *f, gconstpointer data)
{
  g_autofree gchar *own = rein_address_convert (rein_identity_get_delegate_address (f->walt.identity),
                                                REIN_NETWORK_MAINNET, NULL);
  const gchar *to = rein_identity_get_delegate_address (f->carol.identity);
  g_autofree gchar *txid = NULL;
  g_autoptr (ReinChain) chain = rein_chain_new (f->chain->url, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (ReinTx) tx = NULL;
  g_autoptr (GError) error = NULL;
  ReinIdentityPage *page;
  ReinPayoutDialog *dialog;
  g_autofree gchar *sent = NULL;

  g_free (test_chain_fund (f->chain, own, 30000, 1));
  g_free (test_chain_fund (f->chain, own, 20000, 0));
  market_of (&f->walt);
  page = rein_identity_page_new (NULL, rein_context_get_session (f->walt.context),
                                 f->walt.identity);
  gtk_window_present (GTK_WINDOW (page));
  app_test_wait_until (balance_known, page, "the balance", 60);
  g_assert_cmpstr (adw_action_row_get_subtitle (app_test_child (page, "balance_row")), ==,
                   "0.0003 BTC (30000 sat), and 0.0002 BTC (20000 sat) not confirmed yet");
  app_test_screenshot (GTK_WIDGET (page), "identity-own-address");

  /* a fee cap of 100 sat in the preferences: refused, nothing to sign */
  g_assert_true (rein_chain_settings_set_fee_cap (f->walt.store, 100, &error));
  g_assert_no_error (error);
  rein_payout_dialog_spend_async (GTK_WIDGET (page), rein_context_get_session (f->walt.context),
                                  to, NULL, wait_cb, &result);
  app_test_wait_until (dialog_shown, NULL, "the spend dialog", 30);
  dialog = find_dialog ();
  while (g_strcmp0 (rein_payout_dialog_get_page (dialog), "error") != 0)
    {
      g_assert_cmpstr (rein_payout_dialog_get_page (dialog), !=, "review");
      app_test_iterate (20);
    }
  g_assert_nonnull (strstr (rein_payout_dialog_get_error (dialog),
                            "above the cap of 100 sat set in Preferences"));
  gtk_window_close (GTK_WINDOW (dialog));
  app_test_wait_until (has_result, &result, "the cancel", 30);
  g_assert_null (rein_payout_dialog_spend_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_true (rein_chain_settings_set_fee_cap (f->walt.store, 0, &error));
  g_assert_no_error (error);

  /* the same review, tick and password as a payout; one more question */
  rein_payout_dialog_spend_async (GTK_WIDGET (page), rein_context_get_session (f->walt.context),
                                  to, NULL, spent_cb, &txid);
  app_test_wait_until (dialog_on_review, NULL, "the spend to review", 60);
  dialog = find_dialog ();
  app_test_screenshot (GTK_WIDGET (dialog), "payout-review-own-address");
  rein_payout_dialog_set_confirmed (dialog, TRUE);
  rein_payout_dialog_set_password (dialog, "pw");
  rein_payout_dialog_sign (dialog);
  app_test_wait_until (question_shown, NULL, "the question before sending", 60);
  sent = test_chain_dup_broadcasts (f->chain);
  g_assert_cmpstr (sent, ==, "[]");
  adw_message_dialog_response (find_question (), "send");
  app_test_wait_until (has_text, &txid, "the spend", 60);

  g_clear_pointer (&sent, g_free);
  sent = test_chain_dup_broadcasts (f->chain);
  g_assert_nonnull (strstr (sent, txid));
  rein_chain_get_tx_async (chain, txid, NULL, wait_cb, &result);
  wait_for (&result);
  raw = rein_chain_get_tx_finish (chain, result, &error);
  g_assert_no_error (error);
  tx = rein_tx_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tx->inputs->len, ==, 2);
  g_assert_cmpuint (tx->outputs->len, ==, 1);
  g_assert_cmpint (output_to (tx, to), >, 50000 - 5000);
  g_assert_cmpint (output_to (tx, to), <, 50000);
  app_test_destroy_window (GTK_WINDOW (page));
  app_test_iterate (50);
}

/* The fee target of the preferences is where the review starts (the
 * next block: the test chain's 25 sat/vB); every row says who is paid
 * how much; another target rebuilds at its rate. A fee cap below what the
 * payments need refuses them, with the reason, before anything is
 * signed: for the writer, and for a co-signer, in the dialog and in the
 * panel. */
static void
test_fee_policy (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = funded_job (f, "Shop sign", "0.1");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPayees) payees = NULL;
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sent = NULL;
  ReinPayoutDialog *dialog;
  ReinPayments *before;
  Page walt = { 0 };

  deliver (f, job_id);
  job = load_job (&f->carol, job_id);
  payees = rein_payees_new (job, FALSE, &error);
  g_assert_no_error (error);

  /* the target of the preferences: the next block */
  g_assert_true (rein_chain_settings_set_fee_target (f->carol.store, 1, &error));
  g_assert_no_error (error);
  market_of (&f->carol);
  rein_payout_dialog_run_async (NULL, f->carol.context, job, REIN_PAYOUT_ACCEPT, 0, NULL, wait_cb,
                                &result);
  app_test_wait_until (dialog_on_review, NULL, "the payments to review", 60);
  dialog = find_dialog ();
  g_assert_cmpuint (adw_combo_row_get_selected (app_test_child (dialog, "fee_target_row")), ==, 0);
  /* 25 sat/vB: the mediator's small escrow pays more than 5% in fees */
  {
    guint rate = assert_review_rows (dialog, TRUE, "the worker, Walt", payees->worker, FALSE);

    g_assert_cmpuint (rate, >=, 245);
    g_assert_cmpuint (rate, <=, 255);
    rate = assert_review_rows (dialog, FALSE, "the mediator, Mia", payees->mediator, TRUE);
    g_assert_cmpuint (rate, >=, 245);
    g_assert_cmpuint (rate, <=, 255);
  }
  /* within a day: rebuilt at 1 sat/vB, no warning left */
  before = rein_payout_dialog_get_payments (dialog);
  adw_combo_row_set_selected (app_test_child (dialog, "fee_target_row"), 3);
  app_test_wait_until (rebuilt, before, "the payments for 144 blocks", 60);
  dialog = find_dialog ();
  {
    guint rate = assert_review_rows (dialog, TRUE, "the worker, Walt", payees->worker, FALSE);

    g_assert_cmpuint (rate, >=, 9);
    g_assert_cmpuint (rate, <=, 11);
    rate = assert_review_rows (dialog, FALSE, "the mediator, Mia", payees->mediator, FALSE);
    g_assert_cmpuint (rate, >=, 9);
    g_assert_cmpuint (rate, <=, 11);
  }
  close_cancels_run (GTK_WINDOW (dialog), &result);

  /* a cap of 500 sat: refused with the reason, nothing to sign */
  g_assert_true (rein_chain_settings_set_fee_cap (f->carol.store, 500, &error));
  g_assert_no_error (error);
  rein_payout_dialog_run_async (NULL, f->carol.context, job, REIN_PAYOUT_ACCEPT, 0, NULL, wait_cb,
                                &result);
  app_test_wait_until (dialog_shown, NULL, "the payout dialog", 30);
  dialog = find_dialog ();
  while (g_strcmp0 (rein_payout_dialog_get_page (dialog), "error") != 0)
    {
      g_assert_cmpstr (rein_payout_dialog_get_page (dialog), !=, "review");
      app_test_iterate (20);
    }
  g_assert_nonnull (strstr (rein_payout_dialog_get_error (dialog), "above the cap of 500 sat"));
  g_assert_null (rein_payout_dialog_get_payments (dialog));
  rein_payout_dialog_set_confirmed (dialog, TRUE);
  rein_payout_dialog_set_password (dialog, "pw");
  rein_payout_dialog_sign (dialog);
  app_test_iterate (200);
  g_assert_null (result);
  g_assert_cmpstr (rein_payout_dialog_get_page (dialog), ==, "error");
  app_test_screenshot (GTK_WIDGET (dialog), "payout-fee-cap");
  close_cancels_run (GTK_WINDOW (dialog), &result);

  /* Carol accepts at 2 sat/vB without the dialog; Walt's cap of 100 sat
   * refuses the primary payment where he would sign it */
  chain = rein_chain_new (f->chain->url, &error);
  g_assert_no_error (error);
  payments = accept_by_client (f, chain, job);
  g_assert_true (rein_chain_settings_set_fee_cap (f->walt.store, 100, &error));
  g_assert_no_error (error);
  page_open (&walt, &f->walt, job_id);
  g_assert_cmpint (state_of (&walt, TRUE), ==, REIN_PAYMENT_STATE_REFUSED);
  g_assert_nonnull (strstr (rein_payout_panel_get_state_text (walt.panel, TRUE),
                            "above the cap of 100 sat"));
  g_assert_false (gtk_widget_get_visible (app_test_child (walt.panel, "cosign_button")));
  rein_payout_dialog_cosign_async (NULL, f->walt.context, rein_my_job_get_job (walt.job), NULL,
                                   wait_cb, &result);
  app_test_wait_until (dialog_on_review, NULL, "the payments to co-sign", 60);
  dialog = find_dialog ();
  g_assert_cmpint (rein_payments_get_state (rein_payout_dialog_get_payments (dialog), TRUE), ==,
                   REIN_PAYMENT_STATE_REFUSED);
  g_assert_false (gtk_widget_get_visible (app_test_child (dialog, "sign_button")));
  rein_payout_dialog_set_confirmed (dialog, TRUE);
  rein_payout_dialog_set_password (dialog, "pw");
  rein_payout_dialog_sign (dialog);
  app_test_iterate (200);
  g_assert_null (result);
  g_assert_null (find_question ());
  gtk_window_close (GTK_WINDOW (dialog));
  app_test_wait_until (has_result, &result, "the cancel", 30);
  g_assert_null (rein_payout_dialog_cosign_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  page_close (&walt);
  sent = test_chain_dup_broadcasts (f->chain);
  g_assert_cmpstr (sent, ==, "[]");
}

/* The visible window titled @title. */
static GtkWindow *
window_titled (const gchar *title)
{
  g_autoptr (GList) windows = gtk_window_list_toplevels ();

  for (GList *w = windows; w != NULL; w = w->next)
    if (gtk_widget_get_visible (w->data)
        && g_strcmp0 (gtk_window_get_title (w->data), title) == 0)
      return w->data;
  return NULL;
}

static gboolean
window_shown (gpointer data)
{
  return window_titled (data) != NULL;
}

static gchar *
read_clipboard (GtkWidget *widget)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gchar *text;

  gdk_clipboard_read_text_async (clipboard, NULL, wait_cb, &result);
  wait_for (&result);
  text = gdk_clipboard_read_text_finish (clipboard, result, &error);
  g_assert_no_error (error);
  return text;
}

/* The panel's file functions (behind "Save PSBT…" and "Open Signed
 * PSBT…", whose file choosers give them the file). */
static void
panel_save (Page *page, gboolean primary, GFile *file)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_payout_panel_save_psbt_async (page->panel, primary, file, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_payout_panel_save_psbt_finish (page->panel, result, &error));
  g_assert_no_error (error);
}

static gboolean
panel_open (Page *page, gboolean primary, GFile *file, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_payout_panel_open_psbt_async (page->panel, primary, file, NULL, wait_cb, &result);
  wait_for (&result);
  return rein_payout_panel_open_psbt_finish (page->panel, result, error);
}

/* Carol accepts. Mia (whose signature could complete the primary
 * payment, but who leaves it to Walt) takes it out of her panel in each of the ways offered (the clipboard,
 * the QR code, a .psbt file, which she also opens back); Walt signs the
 * file with rein-cli in his own data folder; Mia opens his signed file:
 * the payment is complete, she sends it, and the test chain (which runs
 * VerifyScript on every input) takes it. */
static void
test_psbt_roundtrip (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = funded_job (f, "Flyer", "0.01");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinPayees) payees = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *base64 = NULL, *copied = NULL, *scanned = NULL, *shot = NULL;
  g_autofree gchar *tmp = NULL, *path = NULL, *signed_path = NULL, *contents = NULL;
  g_autofree gchar *sent = NULL;
  g_autoptr (GBytes) binary = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFile) signed_file = NULL;
  g_autoptr (CliResult) r = NULL;
  const gchar *dir = g_getenv ("REIN_SCREENSHOT_DIR");
  GtkWindow *qr_window;
  GtkWidget *picture;
  gsize len = 0;
  Page mia = { 0 };

  deliver (f, job_id);
  job = load_job (&f->carol, job_id);
  payees = rein_payees_new (job, FALSE, &error);
  g_assert_no_error (error);
  chain = rein_chain_new (f->chain->url, &error);
  g_assert_no_error (error);
  payments = accept_by_client (f, chain, job);
  base64 = rein_payments_get_base64 (payments, TRUE);

  page_open (&mia, &f->mia, job_id);
  g_assert_cmpint (state_of (&mia, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);

  /* copied as base64: what Carol signed */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (mia.panel)), "something else");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (mia.panel), "panel.copy-psbt", "b", TRUE));
  copied = read_clipboard (GTK_WIDGET (mia.panel));
  g_assert_cmpstr (copied, ==, base64);

  /* shown as a QR code: the same base64, read off the screen */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (mia.panel), "panel.show-qr", "b", TRUE));
  app_test_wait_until (window_shown, (gpointer) "Primary Payment", "the QR code", 30);
  qr_window = window_titled ("Primary Payment");
  picture = app_test_find_by_type (GTK_WIDGET (qr_window), GTK_TYPE_PICTURE);
  g_assert_nonnull (picture);
  g_object_unref (app_test_screenshot_in (picture, "payout-qr", "primary"));
  shot = g_strdup_printf ("%s/payout-qr/primary.png", dir != NULL ? dir : "screenshots");
  scanned = zbar_decode (shot);
  g_assert_cmpstr (scanned, ==, base64);
  app_test_destroy_window (qr_window);

  /* saved as a binary .psbt, and opened back: taken, nothing changes */
  tmp = g_dir_make_tmp ("rein-payout-psbt-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmp, "primary.psbt", NULL);
  file = g_file_new_for_path (path);
  panel_save (&mia, TRUE, file);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  binary = rein_psbt_serialize (rein_payments_get_psbt (payments, TRUE));
  g_assert_cmpmem (contents, len, g_bytes_get_data (binary, NULL), g_bytes_get_size (binary));
  g_assert_true (g_str_has_prefix (contents, "psbt\xff"));
  g_assert_true (panel_open (&mia, TRUE, file, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (&mia, TRUE), ==, REIN_PAYMENT_STATE_TO_SIGN);
  g_assert_null (find_question ());

  /* signed elsewhere: Walt's rein-cli, his data folder */
  g_setenv ("REIN_PASSWORD", "pw", TRUE);
  r = cli_run_in (f->walt.dir, "psbt", "sign", path, "--yes", NULL);
  g_unsetenv ("REIN_PASSWORD");
  cli_assert_status (r, 0);
  signed_path = g_build_filename (tmp, "signed.psbt", NULL);
  g_assert_true (g_file_set_contents (signed_path, r->out, -1, &error));
  signed_file = g_file_new_for_path (signed_path);
  g_assert_true (panel_open (&mia, TRUE, signed_file, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (&mia, TRUE), ==, REIN_PAYMENT_STATE_COMPLETE);

  /* complete: asked once, then sent */
  app_test_wait_until (question_shown, NULL, "the question before sending", 30);
  sent = test_chain_dup_broadcasts (f->chain);
  g_assert_cmpstr (sent, ==, "[]");
  adw_message_dialog_response (find_question (), "send");
  for (guint i = 0; i < 3000 && state_of (&mia, TRUE) != REIN_PAYMENT_STATE_BROADCAST; i++)
    app_test_iterate (20);
  g_assert_cmpint (state_of (&mia, TRUE), ==, REIN_PAYMENT_STATE_BROADCAST);
  g_assert_null (rein_payout_panel_get_error (mia.panel));
  assert_paid (f, rein_payout_panel_get_payments (mia.panel), TRUE,
               (const gchar *const[]){ payees->worker, NULL }, (const guint[]){ 100 });
  app_test_wait_until (panel_loaded, mia.panel, "the record of the payment", 60);
  page_close (&mia);
  rein_test_remove_tree (tmp);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);

  g_test_add ("/app/payout/accept", Fixture, NULL, fixture_setup, test_accept,
              fixture_teardown);
  g_test_add ("/app/payout/resolution-split", Fixture, NULL, fixture_setup,
              test_resolution_split, fixture_teardown);
  g_test_add ("/app/payout/refused", Fixture, NULL, fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/app/payout/fee-policy", Fixture, NULL, fixture_setup, test_fee_policy,
              fixture_teardown);
  g_test_add ("/app/payout/psbt-roundtrip", Fixture, NULL, fixture_setup, test_psbt_roundtrip,
              fixture_teardown);
  g_test_add ("/app/payout/own-address", Fixture, NULL, fixture_setup, test_own_address,
              fixture_teardown);
  return g_test_run ();
}
