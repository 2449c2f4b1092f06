/* rein-bid-dialog.c: bid on a job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-bid-dialog.h"

#include "rein-escrow-watch.h"
#include "rein-payout.h"

/* A description longer than this would not fit a document. */
#define MAX_DESCRIPTION 4000

struct _ReinBidDialog
{
  ReinSignDialog parent_instance;

  gint64 satoshis;

  GtkTextView *description_view;
  GtkEditable *amount_row;
  GtkLabel *amount_hint;
};

G_DEFINE_FINAL_TYPE (ReinBidDialog, rein_bid_dialog, REIN_TYPE_SIGN_DIALOG)

static ReinIdentity *
identity (ReinBidDialog *self)
{
  ReinContext *context = rein_sign_dialog_get_context (REIN_SIGN_DIALOG (self));

  return context ? rein_market_service_get_identity (rein_context_get_market (context)) : NULL;
}

/* The least bid, above @satoshis, on which @percent is at least @least
 * (0: none is, not even on all the bitcoin there is). */
static gint64
least_bid_paying (const gchar *percent, gint64 satoshis, gint64 least)
{
  gint64 low = satoshis, high = REIN_MAX_SATOSHIS; /* fee (low) < least <= fee (high) */
  gint64 on_all = 0;

  if (!rein_amount_percent_of (REIN_MAX_SATOSHIS, percent, &on_all, NULL) || on_all < least)
    return 0;
  while (high - low > 1)
    {
      gint64 mid = low + (high - low) / 2;
      gint64 share = 0;

      rein_amount_percent_of (mid, percent, &share, NULL);
      if (share >= least)
        high = mid;
      else
        low = mid;
    }
  return high;
}

/* What the form says, beside the amount, when the mediator's fee on it
 * could not be paid out of its escrow (the review says it at length):
 * NULL when it can, or when the job has no fee. */
static gchar *
fee_note (ReinBidDialog *self)
{
  ReinJob *job = rein_sign_dialog_get_job (REIN_SIGN_DIALOG (self));
  ReinDocument *posting = job != NULL ? rein_job_get_posting (job) : NULL;
  const gchar *percent = posting != NULL ? rein_document_lookup (posting, REIN_LABEL_MEDIATOR_FEE)
                                         : NULL;
  gint64 least = rein_payout_least_payable (FALSE);
  gint64 fee = 0, bid;
  g_autofree gchar *shown = NULL;

  if (percent == NULL || !rein_amount_percent_of (self->satoshis, percent, &fee, NULL)
      || fee >= least || (bid = least_bid_paying (percent, self->satoshis, least)) == 0)
    return NULL;
  shown = rein_sign_dialog_format_amount (bid);
  /* Translators: the amount is "0.000593 BTC (59,300 satoshis)" */
  return g_strdup_printf (_("At this amount the mediator’s fee could not be paid out of its "
                            "escrow: ask for at least %s for it to be."),
                          shown);
}

static gchar *
check (ReinSignDialog *dialog)
{
  ReinBidDialog *self = REIN_BID_DIALOG (dialog);
  g_autofree gchar *description = rein_text_view_dup_text (self->description_view);
  const gchar *amount = gtk_editable_get_text (self->amount_row);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *hint = NULL;
  gchar *problem = NULL;
  gboolean amount_bad = FALSE;

  self->satoshis = 0;
  if (*amount == '\0')
    problem = g_strdup (_("Enter the amount you ask for, in BTC."));
  else if (!rein_amount_parse_btc_typed (amount, &self->satoshis, &error))
    {
      problem = g_strdup (error->message);
      amount_bad = TRUE;
    }
  else if (self->satoshis < rein_payout_least_payable (TRUE))
    {
      g_autofree gchar *least = rein_sign_dialog_format_amount (rein_payout_least_payable (TRUE));

      /* Translators: "0.00000889 BTC (889 satoshis)" */
      problem = g_strdup_printf (_("Ask for at least %s: a smaller amount cannot be paid out "
                                   "of escrow, where the network fee and the smallest payment "
                                   "it allows add up to that much."),
                                 least);
      amount_bad = TRUE;
    }
  else if (*description == '\0')
    problem = g_strdup (_("Describe your offer."));
  else
    problem = rein_sign_dialog_check_length (description, MAX_DESCRIPTION);

  if (self->satoshis > 0)
    {
      g_autofree gchar *sat = g_strdup_printf ("%'" G_GINT64_FORMAT, self->satoshis);
      g_autofree gchar *note = problem == NULL ? fee_note (self) : NULL;

      /* Translators: "1,000,000 satoshis. " and what is wrong, if anything */
      hint = g_strdup_printf (g_dngettext (NULL, "%s satoshi. %s", "%s satoshis. %s",
                                           rein_plural_count (self->satoshis)),
                              sat, problem ? problem : note ? note : "");
    }
  gtk_label_set_text (self->amount_hint, hint ? hint : problem ? problem : "");
  if (amount_bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->amount_row), "error");
  return problem;
}

/* Who you bid for and who mediates: the names their keys' enrollments
 * give, with their fingerprints (rein-person.h), not what the posting
 * says. */
static void
add_people (ReinBidDialog *self, ReinReviewPage *review, ReinJob *job)
{
  ReinContext *context = rein_sign_dialog_get_context (REIN_SIGN_DIALOG (self));
  ReinDirectory *directory = rein_market_service_get_directory (rein_context_get_market (context));
  ReinDocument *posting = rein_job_get_posting (job);
  g_autofree gchar *creator = NULL;
  g_autofree gchar *mediator = NULL;

  if (posting == NULL)
    return;
  creator = rein_person_format_party (
      directory, rein_job_get_creator_key (job),
      rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS),
      rein_document_lookup (posting, REIN_LABEL_JOB_CREATOR));
  mediator = rein_person_format_party (
      directory, rein_job_get_mediator_key (job),
      rein_document_lookup (posting, REIN_LABEL_MEDIATOR_MASTER_ADDRESS),
      rein_document_lookup (posting, REIN_LABEL_MEDIATOR));
  rein_review_page_add_fact (review, _("Job creator"), creator);
  rein_review_page_add_fact (review, _("Mediator"), mediator);
}

/* What the mediator's fee comes to on @satoshis, and what the creator
 * pays in all: the creator funds both escrows (PROTOCOL.md section 5). */
static void
add_mediator_fee (ReinReviewPage *review, ReinDocument *posting, gint64 satoshis)
{
  const gchar *percent = rein_document_lookup (posting, REIN_LABEL_MEDIATOR_FEE);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *title = NULL;
  g_autofree gchar *shown = NULL;
  g_autofree gchar *total = NULL;
  g_autofree gchar *stripped = NULL;
  gint64 fee = 0, on_all = 0;
  gint64 least = rein_payout_least_payable (FALSE);

  if (!rein_amount_percent_of (satoshis, percent, &fee, &error))
    {
      /* A posting with a fee that is not one is not valid: not shown in
       * the market, but say it rather than guess. */
      rein_review_page_add_warning (review, _("Mediator’s fee"), error->message);
      return;
    }
  /* as the posting says it, with its % sign ("1.5" is 1.5% too) */
  stripped = g_strstrip (g_strdup (percent != NULL ? percent : ""));
  /* Translators: "Mediator’s fee (1.5%)" */
  title = g_str_has_suffix (stripped, "%") ? g_strdup_printf (_("Mediator’s fee (%s)"), stripped)
                                           : g_strdup_printf (_("Mediator’s fee (%s%%)"), stripped);
  shown = rein_sign_dialog_format_amount (fee);
  rein_review_page_add_fact (review, title, shown);
  total = rein_sign_dialog_format_amount (satoshis + fee);
  rein_review_page_add_fact (review, _("The job creator pays into escrow"), total);
  /* A fee of some percent, too small here to be paid out of its escrow
   * (when the job is accepted as when a dispute is decided): say so, and
   * from what bid on it can be. */
  if (fee < least && rein_amount_percent_of (REIN_MAX_SATOSHIS, percent, &on_all, NULL)
      && on_all > 0)
    {
      g_autofree gchar *needed = rein_sign_dialog_format_amount (least);
      g_autofree gchar *warning = NULL;

      if (on_all >= least)
        {
          g_autofree gchar *bid = rein_sign_dialog_format_amount (
              least_bid_paying (percent, satoshis, least));

          warning = g_strdup_printf (
              /* Translators: the amounts are "0.00000890 BTC (890 satoshis)" */
              _("On this bid the mediator’s fee is %s. Paying it out of its escrow takes at "
                "least %s (the network fee and the smallest payment it allows), so the "
                "mediator could not be paid, neither when the work is accepted nor when a "
                "dispute is decided. Ask for at least %s for the fee to be payable."),
              shown, needed, bid);
        }
      else
        warning = g_strdup_printf (
            _("On this bid the mediator’s fee is %s. Paying it out of its escrow takes at "
              "least %s (the network fee and the smallest payment it allows), so the "
              "mediator could not be paid, neither when the work is accepted nor when a "
              "dispute is decided."),
            shown, needed);
      rein_review_page_add_warning (review, _("Mediator’s fee too small to pay out"), warning);
    }
}

static gchar *
build (ReinSignDialog *dialog, ReinReviewPage *review, GError **error)
{
  ReinBidDialog *self = REIN_BID_DIALOG (dialog);
  ReinIdentity *me = identity (self);
  ReinJob *job = rein_sign_dialog_get_job (dialog);
  g_autofree gchar *description = rein_text_view_dup_text (self->description_view);
  g_autofree gchar *amount = rein_amount_format_btc (self->satoshis);
  g_autofree gchar *shown_amount = NULL;
  g_autofree gchar *primary = NULL;
  g_autofree gchar *mediator = NULL;
  ReinBidParams params = { 0 };
  gchar *text;

  if (me == NULL || job == NULL)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("No identity is chosen"));
      return NULL;
    }
  params.worker = rein_identity_get_name (me);
  params.worker_contact = rein_identity_get_contact (me);
  params.worker_master_address = rein_identity_get_master_address (me);
  params.worker_public_key = rein_identity_get_delegate_public_key (me);
  params.description = description;
  params.bid_amount = amount;
  text = rein_document_build_bid (
      rein_job_get_posting (job), &params,
      rein_identity_get_testnet (me) ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET, error);
  if (text == NULL)
    return NULL;
  shown_amount = rein_sign_dialog_format_amount (self->satoshis);
  add_people (self, review, job);
  rein_review_page_add_fact (review, _("You ask for"), shown_amount);
  add_mediator_fee (review, rein_job_get_posting (job), self->satoshis);
  primary = rein_text_field (text, REIN_LABEL_PRIMARY_ESCROW_ADDRESS);
  mediator = rein_text_field (text, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS);
  rein_review_page_add_fact (review, _("Primary escrow (the job’s price)"),
                             primary ? primary : "?");
  rein_review_page_add_fact (review, _("Mediator escrow (the mediator’s fee)"),
                             mediator ? mediator : "?");
  /* The same three people on another job that is not done: the same
   * addresses (rein-escrow-watch.h). */
  {
    ReinContext *context = rein_sign_dialog_get_context (dialog);
    g_auto (GStrv) shared = rein_escrow_find_sharing_address (
        rein_my_jobs_get_jobs (rein_context_get_my_jobs (context)), primary, rein_job_get_id (job),
        rein_identity_get_testnet (me));

    if (shared[0] != NULL)
      {
        g_autofree gchar *names = g_strjoinv (_("”, “"), shared);
        g_autofree gchar *warning = g_strdup_printf (
            g_dngettext (NULL,
                         "These are also the escrow addresses of “%s”: the same three people "
                         "are on both jobs. If this bid is awarded, the coins of both jobs are "
                         "in the same addresses and cannot be told apart, and a payout of "
                         "either spends them all.",
                         "These are also the escrow addresses of “%s”: the same three people "
                         "are on these jobs. If this bid is awarded, the coins of all of them "
                         "are in the same addresses and cannot be told apart, and a payout of "
                         "any spends them all.",
                         g_strv_length (shared)),
            names);

        rein_review_page_add_warning (review, _("Shared escrow"), warning);
      }
  }
  return text;
}

static void
job_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinBidDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = rein_market_service_load_job_finish (REIN_MARKET_SERVICE (source),
                                                                 result, &error);
  ReinIdentity *me = rein_market_service_get_identity (REIN_MARKET_SERVICE (source));
  g_autofree gchar *refusal = NULL;

  if (job == NULL)
    {
      /* Cancelled because the dialog closed: nothing to show. Cancelled by
       * an identity switch: say so, or the dialog would spin forever. */
      if (g_cancellable_is_cancelled (rein_sign_dialog_get_cancellable (REIN_SIGN_DIALOG (self))))
        ;
      else if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE))
        /* the servers' own words below, smaller */
        rein_sign_dialog_show_error_detail (
            REIN_SIGN_DIALOG (self), _("No Server Sent the Job"),
            _("A bid is made on the job as your servers have it now, and none of them sent "
              "it: they could not be reached, or refused. Check your connection, and your "
              "servers in Preferences, then try again."),
            error->message);
      else
        rein_sign_dialog_show_error (REIN_SIGN_DIALOG (self), _("The Job Could Not Be Read"),
                                     error->message);
      g_object_unref (self);
      return;
    }
  rein_sign_dialog_set_job (REIN_SIGN_DIALOG (self), job);
  /* The job as the servers have it now may have moved on. */
  refusal = me ? rein_job_explain_refusal (job, rein_identity_get_delegate_public_key (me),
                                           REIN_ACTION_BID)
               : g_strdup (_("No identity is chosen"));
  if (refusal != NULL)
    rein_sign_dialog_show_error (REIN_SIGN_DIALOG (self), _("You Cannot Bid on This Job"),
                                 refusal);
  else
    {
      rein_sign_dialog_show_form (REIN_SIGN_DIALOG (self));
      gtk_widget_grab_focus (GTK_WIDGET (self->description_view));
    }
  g_object_unref (self);
}

static gboolean
is_filled (ReinSignDialog *dialog)
{
  ReinBidDialog *self = REIN_BID_DIALOG (dialog);

  return gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (self->description_view)) > 0
         || *gtk_editable_get_text (self->amount_row) != '\0';
}

static void
rein_bid_dialog_class_init (ReinBidDialogClass *klass)
{
  ReinSignDialogClass *sign_class = REIN_SIGN_DIALOG_CLASS (klass);

  sign_class->check = check;
  sign_class->build = build;
  sign_class->what = _("Bid");
  sign_class->is_filled = is_filled;
  sign_class->discard_heading = _("Discard This Bid?");
}

static void
rein_bid_dialog_init (ReinBidDialog *self)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource (
      "/org/reinproject/Rein/rein-bid-form.ui");

  self->description_view = GTK_TEXT_VIEW (gtk_builder_get_object (builder, "description_view"));
  self->amount_row = GTK_EDITABLE (gtk_builder_get_object (builder, "amount_row"));
  self->amount_hint = GTK_LABEL (gtk_builder_get_object (builder, "amount_hint"));
  rein_sign_dialog_set_form (REIN_SIGN_DIALOG (self),
                             GTK_WIDGET (gtk_builder_get_object (builder, "form")));
  gtk_window_set_title (GTK_WINDOW (self), _("Bid on a Job"));
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->description_view), "changed",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);
  g_signal_connect_swapped (self->amount_row, "changed",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);
  g_signal_connect_swapped (self->amount_row, "entry-activated",
                            G_CALLBACK (rein_sign_dialog_next), self);
}

ReinBidDialog *
rein_bid_dialog_new (GtkWindow *parent, ReinContext *context, ReinJobSummary *summary)
{
  ReinBidDialog *self;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (summary), NULL);

  self = g_object_new (REIN_TYPE_BID_DIALOG, "transient-for", parent, NULL);
  rein_sign_dialog_set_context (REIN_SIGN_DIALOG (self), context);
  rein_sign_dialog_set_subtitle (REIN_SIGN_DIALOG (self), rein_job_summary_get_name (summary));
  rein_sign_dialog_set_loading (REIN_SIGN_DIALOG (self),
                                _("Reading the job from your servers…"));
  rein_market_service_load_job_async (rein_context_get_market (context),
                                      rein_job_summary_get_job_id (summary),
                                      rein_job_summary_get_creator_key (summary),
                                      rein_sign_dialog_get_cancellable (REIN_SIGN_DIALOG (self)),
                                      job_loaded_cb, g_object_ref (self));
  return self;
}

void
rein_bid_dialog_set_bid (ReinBidDialog *self, const gchar *description, const gchar *amount_btc)
{
  g_return_if_fail (REIN_IS_BID_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view), description, -1);
  gtk_editable_set_text (self->amount_row, amount_btc);
}

const gchar *
rein_bid_dialog_get_amount_hint (ReinBidDialog *self)
{
  g_return_val_if_fail (REIN_IS_BID_DIALOG (self), NULL);
  return gtk_label_get_text (self->amount_hint);
}
