/* rein-step-dialog.c: the next step of a job I take part in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-chain-settings.h"
#include "rein-legacy-delivery.h"
#include "rein-payout-dialog.h"
#include "rein-step-dialog.h"

/* A text longer than this would not fit a document. */
#define MAX_TEXT 4000

struct _ReinStepDialog
{
  ReinSignDialog parent_instance;

  ReinActions action;
  gchar *job_id;
  gchar *creator_key;
  gchar *bid_hash;
  ReinDocument *bid;       /* the bid to award, once the job is read */
  ReinPayments *payments;  /* an accept's or a resolution's, signed */
  ReinChain *chain;        /* a delivery's, when the escrows are funded */
  ReinLegacyDelivery *legacy; /* a delivery's payments for python-rein 0.3 */

  /* the form */
  GtkWidget *form;
  AdwPreferencesGroup *facts;
  GtkWidget *text_group;
  GtkTextView *text_view;
  GtkWidget *payout_group;
  GtkCheckButton *refund_check;
  GtkCheckButton *award_check;
  GtkCheckButton *split_check;
  GtkWidget *split_row;
  GtkAdjustment *split_adjustment;
  GtkWidget *legacy_group;
  GtkSwitch *legacy_switch;
  gboolean escrows_checked;
};

G_DEFINE_FINAL_TYPE (ReinStepDialog, rein_step_dialog, REIN_TYPE_SIGN_DIALOG)

static ReinIdentity *
identity (ReinStepDialog *self)
{
  ReinContext *context = rein_sign_dialog_get_context (REIN_SIGN_DIALOG (self));

  return context ? rein_market_service_get_identity (rein_context_get_market (context)) : NULL;
}

static ReinNetwork
network (ReinStepDialog *self)
{
  ReinIdentity *me = identity (self);

  return me != NULL && rein_identity_get_testnet (me) ? REIN_NETWORK_TESTNET
                                                       : REIN_NETWORK_MAINNET;
}

static ReinDirectory *
directory (ReinStepDialog *self)
{
  ReinContext *context = rein_sign_dialog_get_context (REIN_SIGN_DIALOG (self));

  return rein_market_service_get_directory (rein_context_get_market (context));
}

static gboolean
has_text (ReinStepDialog *self)
{
  return self->action != REIN_ACTION_OFFER && self->action != REIN_ACTION_ACCEPT;
}

ReinActions
rein_step_dialog_get_action (ReinStepDialog *self)
{
  g_return_val_if_fail (REIN_IS_STEP_DIALOG (self), 0);
  return self->action;
}

/* ---- the form ---- */

static ReinPayoutKind
payout_kind (ReinStepDialog *self)
{
  if (self->action == REIN_ACTION_ACCEPT)
    return REIN_PAYOUT_ACCEPT;
  if (gtk_check_button_get_active (self->refund_check))
    return REIN_PAYOUT_REFUND;
  if (gtk_check_button_get_active (self->award_check))
    return REIN_PAYOUT_AWARD;
  return REIN_PAYOUT_SPLIT;
}

static guint
worker_percent (ReinStepDialog *self)
{
  switch (payout_kind (self))
    {
    case REIN_PAYOUT_REFUND:
      return 0;
    case REIN_PAYOUT_SPLIT:
      return (guint) gtk_adjustment_get_value (self->split_adjustment);
    case REIN_PAYOUT_ACCEPT:
    case REIN_PAYOUT_AWARD:
    default:
      return 100;
    }
}

static gchar *
check (ReinSignDialog *dialog)
{
  ReinStepDialog *self = REIN_STEP_DIALOG (dialog);
  g_autofree gchar *text = NULL;

  gtk_widget_set_visible (self->split_row, self->action == REIN_ACTION_RESOLVE
                                               && payout_kind (self) == REIN_PAYOUT_SPLIT);
  if (!has_text (self))
    return NULL;
  text = rein_text_view_dup_text (self->text_view);
  if (*text == '\0')
    {
      switch (self->action)
        {
        case REIN_ACTION_DELIVER:
          return g_strdup (_("Say what you deliver."));
        case REIN_ACTION_RESOLVE:
          return g_strdup (_("Explain your decision."));
        default:
          return g_strdup (_("Explain the dispute."));
        }
    }
  return rein_sign_dialog_check_length (text, MAX_TEXT);
}

static void
add_fact (AdwPreferencesGroup *group, const gchar *title, const gchar *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL ? value : "?");
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
}

/* "0.01 BTC (1,000,000 satoshis)", from a document's BTC amount */
static gchar *
format_amount (const gchar *btc)
{
  gint64 satoshis = 0;

  if (btc == NULL || !rein_amount_parse_btc (btc, &satoshis, NULL))
    return g_strdup (btc != NULL ? btc : "?");
  return rein_sign_dialog_format_amount (satoshis);
}

static gchar *
format_worker (ReinStepDialog *self, ReinDocument *doc)
{
  return rein_person_format_party (directory (self),
                                   rein_document_lookup (doc, REIN_LABEL_WORKER_PUBLIC_KEY),
                                   rein_document_lookup (doc, REIN_LABEL_WORKER_MASTER_ADDRESS),
                                   rein_document_lookup (doc, REIN_LABEL_WORKER));
}

static gchar *
format_creator (ReinStepDialog *self, ReinJob *job)
{
  ReinDocument *posting = rein_job_get_posting (job);

  return rein_person_format_party (
      directory (self), rein_job_get_creator_key (job),
      rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS),
      rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR));
}

static gchar *
format_mediator (ReinStepDialog *self, ReinJob *job)
{
  ReinDocument *posting = rein_job_get_posting (job);

  return rein_person_format_party (directory (self), rein_job_get_mediator_key (job),
                                   rein_document_lookup (posting,
                                                         REIN_LABEL_MEDIATOR_MASTER_ADDRESS),
                                   rein_document_lookup (posting, REIN_LABEL_MEDIATOR));
}

/* Who is who and what is at stake, above the form and on the review. */
static void
add_job_facts (ReinStepDialog *self, ReinJob *job, AdwPreferencesGroup *group,
               ReinReviewPage *review)
{
  ReinDocument *terms = self->action == REIN_ACTION_OFFER ? self->bid : rein_job_get_offer (job);
  g_autofree gchar *creator = format_creator (self, job);
  g_autofree gchar *mediator = format_mediator (self, job);
  g_autofree gchar *worker = terms ? format_worker (self, terms) : NULL;
  g_autofree gchar *amount = terms ? format_amount (rein_document_lookup (
                                         terms, REIN_LABEL_BID_AMOUNT))
                                   : NULL;
  const gchar *fee = rein_document_lookup (rein_job_get_posting (job), REIN_LABEL_MEDIATOR_FEE);
  struct
  {
    const gchar *title;
    const gchar *value;
  } facts[] = {
    { _("Job creator"), creator },
    { _("Worker"), worker },
    { _("Price"), amount },
    { _("Mediator"), mediator },
    { _("Mediator fee"), fee },
  };

  for (guint i = 0; i < G_N_ELEMENTS (facts); i++)
    {
      if (facts[i].value == NULL)
        continue;
      if (group != NULL)
        add_fact (group, facts[i].title, facts[i].value);
      if (review != NULL)
        rein_review_page_add_fact (review, facts[i].title, facts[i].value);
    }
  if (group == NULL)
    return;
  if (self->action == REIN_ACTION_OFFER && self->bid != NULL)
    add_fact (group, _("Their offer"), rein_document_lookup (self->bid, REIN_LABEL_DESCRIPTION));
  /* what the step answers: the work delivered, the disputes */
  if (self->action != REIN_ACTION_OFFER && self->action != REIN_ACTION_DELIVER)
    {
      struct
      {
        ReinDocumentType type;
        const gchar *label;
        const gchar *title;
      } said[] = {
        { REIN_DOCUMENT_TYPE_DELIVERY, REIN_LABEL_DELIVERABLES, _("Deliverables") },
        { REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, REIN_LABEL_DISPUTE_DETAIL,
          _("The job creator’s dispute") },
        { REIN_DOCUMENT_TYPE_WORKER_DISPUTE, REIN_LABEL_DISPUTE_DETAIL,
          _("The worker’s dispute") },
      };

      for (guint i = 0; i < G_N_ELEMENTS (said); i++)
        {
          ReinDocument *doc = rein_job_get_document (job, said[i].type);

          if (doc != NULL)
            add_fact (group, said[i].title, rein_document_lookup (doc, said[i].label));
        }
    }
}

static void
show_job (ReinStepDialog *self, ReinJob *job)
{
  const gchar *title = NULL, *description = NULL;

  add_job_facts (self, job, self->facts, NULL);
  switch (self->action)
    {
    case REIN_ACTION_OFFER:
      adw_preferences_group_set_description (
          self->facts, _("Awarding this bid makes its worker the job’s worker. You then pay the "
                         "price into the primary escrow and the mediator’s fee into the mediator "
                         "escrow; the worker starts once both are funded."));
      break;
    case REIN_ACTION_DELIVER:
      title = _("Deliverables");
      description = _("What you deliver: links, where the files are, what was done. The job "
                      "creator accepts it, or disputes it.");
      break;
    case REIN_ACTION_ACCEPT:
      adw_preferences_group_set_description (
          self->facts, _("Accepting the delivery pays the worker the price from the primary "
                         "escrow and the mediator their fee from the mediator escrow. You review "
                         "both payments before anything is signed."));
      break;
    case REIN_ACTION_CREATOR_DISPUTE:
    case REIN_ACTION_WORKER_DISPUTE:
      title = _("What Went Wrong");
      description = _("Explain the dispute in as much detail as you can: the mediator decides "
                      "from it.");
      break;
    case REIN_ACTION_RESOLVE:
      title = _("Your Decision");
      description = _("Explain how you decided. The creator and the worker both read it.");
      break;
    default:
      break;
    }
  gtk_widget_set_visible (self->text_group, has_text (self));
  gtk_widget_set_visible (self->payout_group, self->action == REIN_ACTION_RESOLVE);
  if (title != NULL)
    {
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->text_group), title);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->text_group),
                                             description);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
}

/* ---- the payments of an accept or a resolution ---- */

/* What each signed payment pays, on the review of the document that
 * carries them. */
static gchar *format_creator (ReinStepDialog *self, ReinJob *job);
static gchar *format_worker (ReinStepDialog *self, ReinDocument *doc);
static gchar *format_mediator (ReinStepDialog *self, ReinJob *job);

/* Who @role is in @job, by their enrollment and fingerprint. */
static gchar *
format_payee (ReinStepDialog *self, ReinJob *job, ReinRole role)
{
  switch (role)
    {
    case REIN_ROLE_CREATOR:
      return format_creator (self, job);
    case REIN_ROLE_WORKER:
      return rein_job_get_offer (job) != NULL ? format_worker (self, rein_job_get_offer (job))
                                              : NULL;
    case REIN_ROLE_MEDIATOR:
      return format_mediator (self, job);
    case REIN_ROLE_NONE:
    default:
      return NULL;
    }
}

static void
add_payment_facts (ReinStepDialog *self, ReinJob *job, ReinPayments *payments,
                   ReinReviewPage *review)
{
  for (gint primary = 1; primary >= 0; primary--)
    {
      g_autoptr (ReinPaymentReview) r = rein_payments_review (payments, primary);
      g_autoptr (GString) text = g_string_new (NULL);

      if (r == NULL)
        continue;
      for (guint i = 0; i < r->outputs->len; i++)
        {
          ReinReviewOutput *o = g_ptr_array_index (r->outputs, i);
          g_autofree gchar *amount = rein_payments_format_amount (o->amount);
          g_autofree gchar *who = format_payee (self, job, o->payee);

          if (text->len > 0)
            g_string_append (text, "\n");
          /* Translators: "0.05 BTC (5000000 sat) to Walt (Tf746vuNCf), the worker (1Abc…)" */
          g_string_append_printf (text, _("%s to %s, %s (%s)"), amount,
                                  who != NULL ? who : o->name != NULL ? o->name : "?",
                                  rein_payments_describe_role (o->payee),
                                  o->address != NULL ? o->address : "?");
        }
      if (r->fee >= 0)
        {
          g_autofree gchar *fee = rein_payments_format_amount (r->fee);

          g_string_append_printf (text, "\n");
          /* Translators: the fee of a payment */
          g_string_append_printf (text, _("Fee: %s"), fee);
        }
      rein_review_page_add_fact (review,
                                 primary ? _("Payment from the primary escrow (signed)")
                                         : _("Payment from the mediator escrow (signed)"),
                                 text->str);
    }
}

static void
payments_signed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinStepDialog *self = g_task_get_source_object (task);
  GError *error = NULL;
  ReinPayments *payments = rein_payout_dialog_run_finish (result, &error);

  if (payments == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&self->payments);
  self->payments = payments;
  g_task_return_boolean (task, TRUE);
}

/* ---- a delivery a python-rein 0.3 creator can accept ---- */

/* The switch is on, and shown: a chain backend, both escrows funded. */
static gboolean
legacy_wanted (ReinStepDialog *self)
{
  return self->chain != NULL && gtk_widget_get_visible (self->legacy_group)
         && gtk_switch_get_active (self->legacy_switch);
}

static void
legacy_prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinStepDialog *self = g_task_get_source_object (task);
  GError *error = NULL;
  ReinLegacyDelivery *legacy = rein_legacy_delivery_prepare_finish (result, &error);

  if (legacy == NULL)
    {
      g_prefix_error (&error, "%s", _("The payment for a python-rein 0.3 client cannot be "
                                      "built: "));
      g_task_return_error (task, error);
      return;
    }
  g_clear_pointer (&self->legacy, rein_legacy_delivery_unref);
  self->legacy = legacy;
  g_task_return_boolean (task, TRUE);
}

/* Signs the payment the reviewed delivery describes, with the document
 * (in the publish flow's thread, with its key). */
static gchar *
complete_legacy (const gchar *text, const ReinPrivateKey *key, gpointer data, GError **error)
{
  g_autofree gchar *signature = rein_legacy_delivery_sign (data, key, error);

  return signature != NULL ? g_strconcat (text, signature, NULL) : NULL;
}

/* What the 0.3 payments do, on the review: each input, the output and
 * whom it pays, the fee and the cap it keeps to. */
static void
add_legacy_facts (ReinStepDialog *self, ReinJob *job, ReinReviewPage *review)
{
  gint64 cap = rein_legacy_delivery_get_fee_cap (self->legacy);

  for (gint primary = 1; primary >= 0; primary--)
    {
      g_autoptr (ReinPaymentReview) r = rein_legacy_delivery_review (self->legacy, primary);
      g_autoptr (GString) text = g_string_new (NULL);
      g_autofree gchar *fee = rein_payments_format_amount (r->fee);
      g_autofree gchar *limit = NULL;

      for (guint i = 0; i < r->inputs->len; i++)
        {
          ReinReviewInput *in = g_ptr_array_index (r->inputs, i);
          g_autofree gchar *amount = rein_payments_format_amount (in->amount);

          /* Translators: a coin spent: "0.01 BTC (1000000 sat) from 4a5e…:0" */
          g_string_append_printf (text, _("%s from %s:%u"), amount, in->txid, in->vout);
          g_string_append_c (text, '\n');
        }
      for (guint o = 0; o < r->outputs->len; o++)
        {
          ReinReviewOutput *out = g_ptr_array_index (r->outputs, o);
          g_autofree gchar *amount = rein_payments_format_amount (out->amount);
          g_autofree gchar *who = format_payee (self, job, out->payee);

          g_string_append_printf (text, _("%s to %s, %s (%s)"), amount,
                                  who != NULL ? who : "?",
                                  rein_payments_describe_role (out->payee),
                                  out->address != NULL ? out->address : "?");
          g_string_append_c (text, '\n');
        }
      if (cap > 0)
        {
          g_autofree gchar *cap_text = rein_payments_format_amount (cap);

          /* Translators: "Fee: 0.0001 BTC (10000 sat), within your cap of …" */
          limit = g_strdup_printf (_("Fee: %s, within your cap of %s"), fee, cap_text);
        }
      else
        /* Translators: "Fee: 0.0001 BTC (10000 sat), at most half of what it spends" */
        limit = g_strdup_printf (_("Fee: %s, at most half of what it spends"), fee);
      g_string_append (text, limit);
      rein_review_page_add_fact (review,
                                 primary
                                   ? _("Payment for a python-rein 0.3 client, from the primary "
                                       "escrow (you sign it with the delivery)")
                                   : _("Payment for a python-rein 0.3 client, from the mediator "
                                       "escrow (described, not signed)"),
                                 text->str);
    }
}

static void
escrows_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinStepDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowStatus) status = rein_escrow_status_lookup_finish (result, &error);

  /* closed: its widgets are gone */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (status == NULL)
    g_debug ("the escrows could not be looked up: %s", error->message);
  self->escrows_checked = TRUE;
  /* offered only when the payment can be built now */
  gtk_widget_set_visible (self->legacy_group,
                          status != NULL
                            && status->primary.confirmed + status->primary.unconfirmed
                                 >= status->primary.due
                            && status->mediator.confirmed + status->mediator.unconfirmed
                                 >= status->mediator.due);
}

/* A worker with a chain backend may also sign the payment a python-rein
 * 0.3 creator completes: offered once the escrows are seen funded. */
static void
look_up_escrows (ReinStepDialog *self, ReinJob *job)
{
  ReinSignDialog *dialog = REIN_SIGN_DIALOG (self);
  ReinIdentity *me = identity (self);
  gboolean testnet = me != NULL && rein_identity_get_testnet (me);

  g_clear_object (&self->chain);
  self->chain = rein_chain_settings_open (rein_context_get_store (
                                            rein_sign_dialog_get_context (dialog)),
                                          testnet, NULL);
  if (self->chain == NULL)
    return;
  rein_escrow_status_lookup_async (self->chain, job, testnet,
                                   rein_sign_dialog_get_cancellable (dialog),
                                   escrows_looked_up_cb, g_object_ref (self));
}

/* An accept or a resolution carries both payments out of the escrows:
 * they are built, reviewed and signed first (rein-payout-dialog.h), and
 * the document then shows what they pay. */
static void
prepare_async (ReinSignDialog *dialog, GCancellable *cancellable, GAsyncReadyCallback callback,
               gpointer user_data)
{
  ReinStepDialog *self = REIN_STEP_DIALOG (dialog);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (self->action == REIN_ACTION_DELIVER && legacy_wanted (self))
    {
      ReinIdentity *me = identity (self);

      g_clear_pointer (&self->legacy, rein_legacy_delivery_unref);
      rein_legacy_delivery_prepare_async (
          self->chain, rein_sign_dialog_get_job (dialog),
          me != NULL && rein_identity_get_testnet (me),
          rein_chain_settings_get_fee_cap (rein_context_get_store (
              rein_sign_dialog_get_context (dialog))),
          cancellable, legacy_prepared_cb, task);
      return;
    }
  if (self->action != REIN_ACTION_ACCEPT && self->action != REIN_ACTION_RESOLVE)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_clear_object (&self->payments);
  rein_payout_dialog_run_async (GTK_WIDGET (self), rein_sign_dialog_get_context (dialog),
                                rein_sign_dialog_get_job (dialog), payout_kind (self),
                                worker_percent (self), cancellable, payments_signed_cb, task);
}

static gboolean
needs_prepare (ReinSignDialog *dialog)
{
  ReinStepDialog *self = REIN_STEP_DIALOG (dialog);

  return self->action == REIN_ACTION_ACCEPT || self->action == REIN_ACTION_RESOLVE
         || (self->action == REIN_ACTION_DELIVER && legacy_wanted (self));
}

static gboolean
prepare_finish (ReinSignDialog *dialog, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
recorded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!rein_payments_record_finish (REIN_PAYMENTS (source), result, &error))
    g_warning ("The signed payments could not be recorded: %s", error->message);
}

/* A python-rein 0.3 worker's payment, complete once accepted, is sent by
 * the creator, as 0.3 does; then kept. */
static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!rein_payments_broadcast_finish (REIN_PAYMENTS (source), result, &error))
    g_warning ("The complete payment was not sent: %s", error->message);
  rein_payments_record_async (REIN_PAYMENTS (source), NULL, recorded_cb, NULL);
}

/* Published: the payments are out with the document; keep a record. */
static void
published_cb (ReinStepDialog *self, const gchar *message)
{
  if (self->payments != NULL && rein_payments_get_has_complete (self->payments))
    rein_payments_broadcast_async (self->payments, NULL, sent_cb, NULL);
  else if (self->payments != NULL)
    rein_payments_record_async (self->payments, NULL, recorded_cb, NULL);
}

/* ---- building the document ---- */

static gchar *
build (ReinSignDialog *dialog, ReinReviewPage *review, GError **error)
{
  ReinStepDialog *self = REIN_STEP_DIALOG (dialog);
  ReinJob *job = rein_sign_dialog_get_job (dialog);
  ReinDocument *base;
  g_autofree gchar *text = NULL;
  gchar *document = NULL;

  if (identity (self) == NULL || job == NULL)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("No identity is chosen"));
      return NULL;
    }
  if (has_text (self))
    text = rein_text_view_dup_text (self->text_view);
  base = rein_job_get_step_base (job, self->action);
  switch (self->action)
    {
    case REIN_ACTION_OFFER:
      document = rein_document_build_offer (self->bid, network (self), error);
      break;
    case REIN_ACTION_DELIVER:
      document = rein_document_build_delivery (base, text, error);
      /* the 0.3 payment's fields after ours; its signature when signed */
      if (document != NULL && legacy_wanted (self) && self->legacy != NULL)
        {
          g_autofree gchar *ours = document;

          gsize size;

          document = g_strconcat (ours, rein_legacy_delivery_get_fields (self->legacy), NULL);
          /* refused now, before the password, rather than once signed */
          size = strlen (document) + rein_legacy_delivery_get_signature_size_max (self->legacy);
          if (size > REIN_DOCUMENT_MAX_SIZE)
            {
              g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("With the python-rein 0.3 payment the delivery would take about "
                             "%u bytes, more than the %d a Rein document may hold: shorten "
                             "the deliverables, or turn the python-rein payment off."),
                           (guint) size, REIN_DOCUMENT_MAX_SIZE);
              g_free (document);
              return NULL;
            }
          rein_sign_dialog_set_completion (dialog, complete_legacy,
                                           rein_legacy_delivery_ref (self->legacy),
                                           (GBoxedCopyFunc) rein_legacy_delivery_ref,
                                           (GDestroyNotify) rein_legacy_delivery_unref);
        }
      else
        rein_sign_dialog_set_completion (dialog, NULL, NULL, NULL, NULL);
      break;
    case REIN_ACTION_CREATOR_DISPUTE:
      document = rein_document_build_dispute (base, REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, text,
                                              error);
      break;
    case REIN_ACTION_WORKER_DISPUTE:
      document = rein_document_build_dispute (base, REIN_DOCUMENT_TYPE_WORKER_DISPUTE, text,
                                              error);
      break;
    case REIN_ACTION_ACCEPT:
    case REIN_ACTION_RESOLVE:
      {
        g_autofree gchar *primary = NULL, *mediator = NULL;

        if (self->payments == NULL)
          {
            g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                                 _("The payments are not signed yet."));
            return NULL;
          }
        primary = rein_payments_get_base64 (self->payments, TRUE);
        mediator = rein_payments_get_base64 (self->payments, FALSE);
        document = self->action == REIN_ACTION_ACCEPT
                     ? rein_document_build_accept (base, primary, mediator, error)
                     : rein_document_build_resolution (base, text, primary, mediator, error);
        /* python-rein 0.3's plain payment fields after ours */
        if (document != NULL)
          {
            g_autofree gchar *ours = document;

            document = rein_payments_add_legacy_fields (self->payments, ours);
          }
      }
      break;
    default:
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("This step cannot be taken here."));
      return NULL;
    }
  if (document == NULL)
    return NULL;
  add_job_facts (self, job, NULL, review);
  if (self->payments != NULL)
    add_payment_facts (self, job, self->payments, review);
  if (self->action == REIN_ACTION_DELIVER && legacy_wanted (self) && self->legacy != NULL)
    add_legacy_facts (self, job, review);
  if (self->action == REIN_ACTION_OFFER)
    {
      g_autofree gchar *primary = rein_text_field (document, REIN_LABEL_PRIMARY_ESCROW_ADDRESS);
      g_autofree gchar *mediator = rein_text_field (document,
                                                    REIN_LABEL_MEDIATOR_ESCROW_ADDRESS);

      rein_review_page_add_fact (review, _("Primary escrow (you pay the price here)"), primary);
      rein_review_page_add_fact (review, _("Mediator escrow (you pay the fee here)"), mediator);
    }
  return document;
}

/* ---- reading the job ---- */

static ReinDocument *
find_bid (ReinJob *job, const gchar *hash)
{
  GPtrArray *bids = rein_job_get_bids (job);

  for (guint i = 0; bids != NULL && hash != NULL && i < bids->len; i++)
    if (g_strcmp0 (rein_document_get_hash (g_ptr_array_index (bids, i)), hash) == 0)
      return g_ptr_array_index (bids, i);
  return NULL;
}

static const gchar *
refusal_title (ReinActions action)
{
  switch (action)
    {
    case REIN_ACTION_OFFER:
      return _("You Cannot Award This Bid");
    case REIN_ACTION_DELIVER:
      return _("You Cannot Deliver");
    case REIN_ACTION_ACCEPT:
      return _("You Cannot Accept the Delivery");
    case REIN_ACTION_RESOLVE:
      return _("You Cannot Resolve This Dispute");
    default:
      return _("You Cannot Dispute This Job");
    }
}

static void
job_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinStepDialog) self = user_data;
  ReinSignDialog *dialog = REIN_SIGN_DIALOG (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = rein_market_service_load_job_finish (REIN_MARKET_SERVICE (source),
                                                                 result, &error);
  ReinIdentity *me = identity (self);
  g_autofree gchar *refusal = NULL;

  if (job == NULL)
    {
      if (!g_cancellable_is_cancelled (rein_sign_dialog_get_cancellable (dialog)))
        rein_sign_dialog_show_error (dialog, _("The Job Could Not Be Read"), error->message);
      return;
    }
  rein_sign_dialog_set_job (dialog, job);
  rein_sign_dialog_set_subtitle (dialog, rein_job_get_name (job));
  /* The job as the servers have it now may have moved on. */
  refusal = me != NULL ? rein_job_explain_refusal (job, rein_identity_get_delegate_public_key (me),
                                                   self->action)
                       : g_strdup (_("No identity is chosen"));
  if (refusal == NULL && self->action == REIN_ACTION_OFFER)
    {
      g_set_object (&self->bid, find_bid (job, self->bid_hash));
      if (self->bid == NULL)
        refusal = g_strdup (_("That bid is not among the job’s valid bids any more."));
    }
  if (refusal != NULL)
    {
      rein_sign_dialog_show_error (dialog, refusal_title (self->action), refusal);
      return;
    }
  show_job (self, job);
  if (self->action == REIN_ACTION_DELIVER)
    look_up_escrows (self, job);
  rein_sign_dialog_show_form (dialog);
  if (has_text (self))
    gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

/* ---- the class ---- */

static GtkWidget *
build_form (ReinStepDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *frame, *row, *scale, *spin;

  self->facts = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->facts));

  self->text_group = adw_preferences_group_new ();
  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (self->text_view, FALSE);
  gtk_text_view_set_top_margin (self->text_view, 6);
  gtk_text_view_set_bottom_margin (self->text_view, 6);
  gtk_text_view_set_left_margin (self->text_view, 6);
  gtk_text_view_set_right_margin (self->text_view, 6);
  gtk_widget_set_size_request (GTK_WIDGET (self->text_view), -1, 160);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->text_view));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->text_group), frame);
  gtk_box_append (GTK_BOX (box), self->text_group);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->text_view), "changed",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);

  /* a resolution: where the primary escrow's money goes */
  self->payout_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->payout_group),
                                   _("The Price in Escrow"));
  adw_preferences_group_set_description (
      ADW_PREFERENCES_GROUP (self->payout_group),
      _("Your fee comes from the mediator escrow whatever you decide."));
  self->refund_check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  self->award_check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  self->split_check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_check_button_set_group (self->award_check, self->refund_check);
  gtk_check_button_set_group (self->split_check, self->refund_check);
  gtk_check_button_set_active (self->award_check, TRUE);
  {
    struct
    {
      GtkCheckButton *check;
      const gchar *title;
      const gchar *subtitle;
    } choices[] = {
      { self->award_check, _("_Pay the worker"), _("The worker gets the whole price.") },
      { self->refund_check, _("_Refund the job creator"),
        _("The job creator gets the price back.") },
      { self->split_check, _("_Split it"), _("Each gets the share you choose.") },
    };

    for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
      {
        row = adw_action_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), choices[i].title);
        adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), choices[i].subtitle);
        adw_action_row_add_prefix (ADW_ACTION_ROW (row), GTK_WIDGET (choices[i].check));
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row),
                                               GTK_WIDGET (choices[i].check));
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->payout_group), row);
        g_signal_connect_swapped (choices[i].check, "toggled",
                                  G_CALLBACK (rein_sign_dialog_form_changed), self);
      }
  }
  self->split_adjustment = gtk_adjustment_new (50, 0, 100, 1, 10, 0);
  self->split_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->split_row),
                                 _("Worker’s share (%)"));
  scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, self->split_adjustment);
  gtk_scale_set_digits (GTK_SCALE (scale), 0);
  gtk_widget_set_hexpand (scale, TRUE);
  gtk_widget_set_size_request (scale, 120, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Worker’s share in percent"), -1);
  spin = gtk_spin_button_new (self->split_adjustment, 1, 0);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Worker’s share in percent"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->split_row), scale);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->split_row), spin);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->payout_group), self->split_row);
  gtk_box_append (GTK_BOX (box), self->payout_group);

  /* a delivery: the payment a python-rein 0.3 creator completes */
  self->legacy_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->legacy_group),
                                   _("Payment for python-rein 0.3"));
  self->legacy_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->legacy_switch), GTK_ALIGN_CENTER);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 _("Also sign a payment a python-rein 0.3 client can complete"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("A job creator using python-rein 0.3 can only pay you this "
                                 "way: the primary escrow to you, less the network fee. You "
                                 "see it before anything is signed."));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->legacy_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->legacy_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->legacy_group), row);
  gtk_widget_set_visible (self->legacy_group, FALSE);
  g_signal_connect_swapped (self->legacy_switch, "notify::active",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);
  gtk_box_append (GTK_BOX (box), self->legacy_group);
  return box;
}

static void
rein_step_dialog_dispose (GObject *object)
{
  ReinStepDialog *self = (ReinStepDialog *) object;

  g_clear_object (&self->bid);
  g_clear_object (&self->payments);
  g_clear_object (&self->chain);
  g_clear_pointer (&self->legacy, rein_legacy_delivery_unref);
  G_OBJECT_CLASS (rein_step_dialog_parent_class)->dispose (object);
}

static void
rein_step_dialog_finalize (GObject *object)
{
  ReinStepDialog *self = (ReinStepDialog *) object;

  g_free (self->job_id);
  g_free (self->creator_key);
  g_free (self->bid_hash);
  G_OBJECT_CLASS (rein_step_dialog_parent_class)->finalize (object);
}

static void
rein_step_dialog_class_init (ReinStepDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ReinSignDialogClass *sign_class = REIN_SIGN_DIALOG_CLASS (klass);

  object_class->dispose = rein_step_dialog_dispose;
  object_class->finalize = rein_step_dialog_finalize;
  sign_class->check = check;
  sign_class->build = build;
  sign_class->prepare_async = prepare_async;
  sign_class->prepare_finish = prepare_finish;
  sign_class->needs_prepare = needs_prepare;
  sign_class->preparing = _("Building the payments…");
  sign_class->what = _("Document");
}

static void
rein_step_dialog_init (ReinStepDialog *self)
{
  self->form = build_form (self);
  rein_sign_dialog_set_form (REIN_SIGN_DIALOG (self), self->form);
  g_signal_connect (self, "published", G_CALLBACK (published_cb), NULL);
}

static const gchar *
published_what (ReinActions action)
{
  switch (action)
    {
    case REIN_ACTION_OFFER:
      return _("Award");
    case REIN_ACTION_DELIVER:
      return _("Delivery");
    case REIN_ACTION_ACCEPT:
      return _("Acceptance");
    case REIN_ACTION_RESOLVE:
      return _("Resolution");
    default:
      return _("Dispute");
    }
}

static const gchar *
window_title (ReinActions action)
{
  switch (action)
    {
    case REIN_ACTION_OFFER:
      return _("Award a Bid");
    case REIN_ACTION_DELIVER:
      return _("Deliver the Work");
    case REIN_ACTION_ACCEPT:
      return _("Accept the Delivery");
    case REIN_ACTION_RESOLVE:
      return _("Resolve the Dispute");
    default:
      return _("Dispute the Job");
    }
}

ReinStepDialog *
rein_step_dialog_new (GtkWindow *parent,
                      ReinContext *context,
                      const gchar *job_id,
                      const gchar *creator_key,
                      ReinActions action,
                      const gchar *bid_hash)
{
  ReinStepDialog *self;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (job_id != NULL, NULL);
  g_return_val_if_fail (action != REIN_ACTION_OFFER || bid_hash != NULL, NULL);

  self = g_object_new (REIN_TYPE_STEP_DIALOG, "transient-for", parent, NULL);
  self->action = action;
  self->job_id = g_strdup (job_id);
  self->creator_key = g_strdup (creator_key);
  self->bid_hash = g_strdup (bid_hash);
  gtk_window_set_title (GTK_WINDOW (self), window_title (action));
  rein_sign_dialog_set_what (REIN_SIGN_DIALOG (self), published_what (action));
  rein_sign_dialog_set_context (REIN_SIGN_DIALOG (self), context);
  rein_sign_dialog_set_loading (REIN_SIGN_DIALOG (self),
                                _("Reading the job from your servers…"));
  rein_market_service_load_job_async (rein_context_get_market (context), job_id, creator_key,
                                      rein_sign_dialog_get_cancellable (REIN_SIGN_DIALOG (self)),
                                      job_loaded_cb, g_object_ref (self));
  return self;
}

void
rein_step_dialog_set_text (ReinStepDialog *self, const gchar *text)
{
  g_return_if_fail (REIN_IS_STEP_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
}

void
rein_step_dialog_set_payout (ReinStepDialog *self, ReinPayoutKind kind, guint worker_percent)
{
  g_return_if_fail (REIN_IS_STEP_DIALOG (self));

  gtk_check_button_set_active (kind == REIN_PAYOUT_REFUND  ? self->refund_check
                               : kind == REIN_PAYOUT_SPLIT ? self->split_check
                                                           : self->award_check,
                               TRUE);
  gtk_adjustment_set_value (self->split_adjustment, MIN (worker_percent, 100));
  rein_sign_dialog_form_changed (REIN_SIGN_DIALOG (self));
}

gboolean
rein_step_dialog_get_legacy_offered (ReinStepDialog *self)
{
  g_return_val_if_fail (REIN_IS_STEP_DIALOG (self), FALSE);
  return gtk_widget_get_visible (self->legacy_group);
}

void
rein_step_dialog_set_legacy_payment (ReinStepDialog *self, gboolean sign)
{
  g_return_if_fail (REIN_IS_STEP_DIALOG (self));
  gtk_switch_set_active (self->legacy_switch, sign);
}

gboolean
rein_step_dialog_get_escrows_checked (ReinStepDialog *self)
{
  g_return_val_if_fail (REIN_IS_STEP_DIALOG (self), FALSE);
  return self->escrows_checked;
}
