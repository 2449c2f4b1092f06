/* rein-payout-dialog.c: the review before every signature of a payment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-bitcoin.h"
#include "rein-chain-settings.h"
#include "rein-client-error.h"
#include "rein-password.h"
#include "rein-payout-dialog.h"
#include "rein-job-row.h"

/* The confirmation targets the fee target row offers, in blocks. */
static const guint fee_targets[] = { 1, 3, 6, 144 };

/* A change of the fee or the split rebuilds after this pause. */
#define REBUILD_DELAY_MS 400

struct _ReinPayoutDialog
{
  AdwWindow parent_instance;

  ReinContext *context;   /* NULL for a spend of the own address */
  ReinSession *session;
  ReinStore *store;
  ReinIdentity *identity; /* who the payments are made for */
  ReinJob *job;
  ReinPayoutKind kind;
  gboolean cosigning;
  ReinPayments *payments;
  gint64 fee_cap;             /* the preferences': satoshis a fee may not exceed, 0: none */
  guint custom_target;        /* the preferences' target when the list has no such entry */
  gboolean prefs_loaded;
  GTask *task;                /* the caller's, until the dialog ends */
  GCancellable *cancellable;  /* of the work in progress; cancelled on close */
  GCancellable *caller_cancellable;
  gulong caller_cancelled_id;
  guint rebuild_id;
  gboolean building;          /* don't rebuild on the controls' own updates */
  gboolean signed_some;       /* a co-signer's signature was added */
  gboolean closed;            /* work that ends later has no window to show */
  gchar *error;
  /* a spend of the own address */
  gboolean spending;
  gchar *from_address;
  gchar *to_address;
  ReinChain *chain;
  ReinPayment *spend;
  ReinTx *spend_tx;

  AdwWindowTitle *window_title;
  GtkButton *sign_button;
  GtkStack *stack;
  GtkSpinner *spinner;
  GtkLabel *working_label;
  AdwStatusPage *error_page;
  GtkWidget *retry_button;
  GtkLabel *intro_label;
  GtkWidget *fee_group;
  AdwComboRow *fee_target_row;
  GtkAdjustment *fee_rate_adjustment;
  GtkWidget *split_row;
  GtkAdjustment *split_adjustment;
  GtkBox *payments_box;
  GtkCheckButton *confirm_check;
  GtkWidget *password_group;
  GtkEditable *password_row;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (ReinPayoutDialog, rein_payout_dialog, ADW_TYPE_WINDOW)

static void prepare (ReinPayoutDialog *self);
static void open_payments (ReinPayoutDialog *self);
static void start (ReinPayoutDialog *self);

/* ---- pages ---- */

static void
update_actions (ReinPayoutDialog *self)
{
  const gchar *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean review = g_strcmp0 (page, "review") == 0;
  gboolean something = self->spending
                         ? self->spend != NULL
                         : self->payments != NULL
                             && (!self->cosigning
                                 || rein_payments_get_needs_signature (self->payments)
                                 || rein_payments_get_has_complete (self->payments));

  gtk_widget_set_visible (GTK_WIDGET (self->sign_button), review && something);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payout.sign",
                                 review && something
                                   && gtk_check_button_get_active (self->confirm_check));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payout.retry",
                                 g_strcmp0 (page, "error") == 0);
}

static void
set_page (ReinPayoutDialog *self, const gchar *page)
{
  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "working"));
  update_actions (self);
}

static void
show_working (ReinPayoutDialog *self, const gchar *what)
{
  gtk_label_set_text (self->working_label, what);
  set_page (self, "working");
}

static void
show_error (ReinPayoutDialog *self, const gchar *title, const gchar *description)
{
  g_free (self->error);
  self->error = g_strdup (description);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  set_page (self, "error");
}

/* On the review page, under the payments: what stopped the signature. */
static void
show_review_error (ReinPayoutDialog *self, const gchar *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  set_page (self, "review");
}

/* The error of the client in words a user can act on. */
static const gchar *
error_title (const GError *error)
{
  if (g_error_matches (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNFUNDED))
    return _("The Escrows Are Not Funded Yet");
  if (g_error_matches (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNCONFIRMED))
    return _("Waiting for a Confirmation");
  if (g_error_matches (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_NO_BACKEND))
    return _("No Chain Backend");
  if (error->domain == G_IO_ERROR || error->domain == REIN_NET_ERROR)
    return _("The Chain Backend Cannot Be Reached");
  return _("The Payments Cannot Be Made");
}

/* ---- the end ---- */

/* Ends the caller's task with @payments (NULL: @error) and closes. */
static void
finish (ReinPayoutDialog *self, ReinPayments *payments, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  if (task != NULL)
    {
      if (payments != NULL)
        g_task_return_pointer (task, g_object_ref (payments), g_object_unref);
      else
        g_task_return_error (task, error);
    }
  else
    g_clear_error (&error);
  gtk_window_close (GTK_WINDOW (self));
}

/* Ends a spend's task with the transaction's ID and closes. */
static void
finish_spend (ReinPayoutDialog *self, const gchar *txid)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  if (task != NULL)
    g_task_return_pointer (task, g_strdup (txid), g_free);
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
close_request_cb (ReinPayoutDialog *self)
{
  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->task);

      /* a co-signer who signed and closed: what was done still counts */
      if (self->cosigning && self->signed_some && self->payments != NULL)
        g_task_return_pointer (task, g_object_ref (self->payments), g_object_unref);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                                 _("Nothing was signed"));
    }
  return FALSE;
}

static gboolean
close_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  /* maybe in the signal of another thread's cancel: close from the main
   * loop */
  g_idle_add_full (G_PRIORITY_DEFAULT, close_cb, g_object_ref (user_data), g_object_unref);
}

/* ---- the review ---- */

static GtkWidget *
add_row (AdwPreferencesGroup *group, const gchar *title, const gchar *subtitle,
         const gchar *icon, const gchar *style)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (icon != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      gtk_widget_set_valign (image, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
    }
  if (style != NULL)
    gtk_widget_add_css_class (row, style);
  adw_preferences_group_add (group, row);
  return row;
}

gchar *
rein_payout_describe_state (ReinPayments *payments, gboolean primary)
{
  const gchar *txid = rein_payments_get_txid (payments, primary);
  gint64 confirmations = rein_payments_get_confirmations (payments, primary);

  switch (rein_payments_get_state (payments, primary))
    {
    case REIN_PAYMENT_STATE_TO_SIGN:
      return g_strdup (_("Your signature completes this payment"));
    case REIN_PAYMENT_STATE_WAITING:
      return g_strdup (primary ? _("Not yours to sign: it waits for a second signature")
                               : _("Not yours to sign: it waits for the mediator"));
    case REIN_PAYMENT_STATE_SIGNED:
      return g_strdup (_("Signed by you: it waits for another signature"));
    case REIN_PAYMENT_STATE_COMPLETE:
      return g_strdup_printf (_("Complete, not sent yet: %s"), txid);
    case REIN_PAYMENT_STATE_BROADCAST:
    case REIN_PAYMENT_STATE_PAID_ELSEWHERE:
      if (confirmations > 0)
        return g_strdup_printf (g_dngettext (NULL, "Paid in %s, %u confirmation",
                                             "Paid in %s, %u confirmations",
                                             (gulong) confirmations),
                                txid, (guint) confirmations);
      return g_strdup_printf (_("Sent in %s, not confirmed yet"), txid);
    case REIN_PAYMENT_STATE_REFUSED:
      return g_strdup_printf (_("Refused: %s"), rein_payments_get_reason (payments, primary));
    case REIN_PAYMENT_STATE_BUILT:
    case REIN_PAYMENT_STATE_NONE:
    default:
      return g_strdup (_("You sign this payment"));
    }
}

/* The rows of one payment under review: where it comes from, what it
 * spends and pays, its fee. */
static void
add_review (ReinPayoutDialog *self, ReinPaymentReview *review, gboolean primary)
{
  ReinPaymentState state = self->payments != NULL
                             ? rein_payments_get_state (self->payments, primary)
                             : REIN_PAYMENT_STATE_BUILT;
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  if (self->spending)
    {
      adw_preferences_group_set_title (group, _("From Your Address"));
      add_row (group, _("Your address"), self->from_address, NULL, NULL);
    }
  else
    {
      g_autofree gchar *due = rein_payments_format_amount (review->due);
      g_autofree gchar *due_text = g_strdup_printf (primary
                                                      ? _("%s is due: the job’s price")
                                                      : _("%s is due: the mediator’s fee"),
                                                    due);

      adw_preferences_group_set_title (group, primary ? _("Primary Escrow")
                                                      : _("Mediator Escrow"));
      adw_preferences_group_set_description (group, due_text);
      add_row (group, _("Escrow address"), review->escrow_address, NULL, NULL);
    }

  if (self->cosigning)
    {
      g_autofree gchar *said = rein_payout_describe_state (self->payments, primary);

      add_row (group, said, NULL,
               state == REIN_PAYMENT_STATE_REFUSED ? "dialog-error-symbolic"
               : state == REIN_PAYMENT_STATE_TO_SIGN ? "document-edit-symbolic"
                                                     : "emblem-ok-symbolic",
               state == REIN_PAYMENT_STATE_REFUSED ? "error" : NULL);
    }

  for (guint i = 0; i < review->inputs->len; i++)
    {
      ReinReviewInput *in = g_ptr_array_index (review->inputs, i);
      g_autofree gchar *amount = in->amount >= 0 ? rein_payments_format_amount (in->amount)
                                                 : g_strdup (_("an unknown amount"));
      g_autofree gchar *title = g_strdup_printf (_("Spends %s"), amount);
      g_autoptr (GString) subtitle = g_string_new (NULL);

      g_string_append_printf (subtitle, "%s:%u", in->txid, in->vout);
      if (in->mined == 1)
        g_string_append_printf (subtitle, " · %s", _("mined"));
      else if (in->mined == 0)
        g_string_append_printf (subtitle, " · %s", _("NOT MINED YET"));
      if (*in->signers != '\0')
        g_string_append_printf (subtitle, " · %s %s", _("signed by"), in->signers);
      add_row (group, title, subtitle->str, "go-previous-symbolic",
               in->mined == 0 ? "warning" : NULL);
    }
  if (!self->spending && review->spent < review->due)
    {
      g_autofree gchar *missing = rein_payments_format_amount (review->due - review->spent);
      g_autofree gchar *text = g_strdup_printf (_("It spends %s less than is due: the rest "
                                                  "would stay unpaid"), missing);

      add_row (group, text, NULL, "dialog-warning-symbolic", "warning");
    }
  if (review->spent > review->due && review->due > 0)
    {
      g_autofree gchar *more = rein_payments_format_amount (review->spent - review->due);
      g_autofree gchar *text = g_strdup_printf (_("It spends %s more than this job put in the "
                                                  "escrow: another job between the same three "
                                                  "people has the same escrow address, and "
                                                  "this pays out its money too"), more);

      add_row (group, text, NULL, "dialog-warning-symbolic", "warning");
    }
  for (guint o = 0; o < review->outputs->len; o++)
    {
      ReinReviewOutput *out = g_ptr_array_index (review->outputs, o);
      g_autofree gchar *amount = rein_payments_format_amount (out->amount);
      g_autofree gchar *who = self->spending
                              ? g_strdup (_("the address you gave"))
                              : out->name != NULL
                                ? g_strdup_printf ("%s, %s",
                                                   rein_payments_describe_role (out->payee),
                                                   out->name)
                                : g_strdup (rein_payments_describe_role (out->payee));
      /* Translators: an output: who is paid, the amount */
      g_autofree gchar *title = g_strdup_printf (_("Pays %s: %s"), who, amount);

      add_row (group, title, out->address != NULL ? out->address : _("a script that is no address"),
               "go-next-symbolic",
               out->payee == REIN_ROLE_NONE && !self->spending ? "error" : NULL);
    }
  if (review->fee >= 0)
    {
      g_autofree gchar *amount = rein_payments_format_amount (review->fee);
      g_autofree gchar *title = g_strdup_printf (_("Fee: %s"), amount);
      /* Translators: the fee rate in sat/vB, the size, the fee's share in % */
      g_autofree gchar *subtitle = g_strdup_printf (_("%u.%u sat/vB for about %u vB · %u.%u%% "
                                                      "of the amount"),
                                                    review->rate_tenths / 10,
                                                    review->rate_tenths % 10, review->vsize,
                                                    review->share_permille / 10,
                                                    review->share_permille % 10);

      add_row (group, title, subtitle, review->fee_warning ? "dialog-warning-symbolic" : NULL,
               review->fee_warning ? "warning" : NULL);
      if (review->fee_warning)
        add_row (group, _("The fee is more than 5% of the amount"),
                 _("A lower fee rate takes longer to confirm"), "dialog-warning-symbolic",
                 "warning");
    }
  else
    add_row (group, _("The fee is unknown"),
             _("An input’s previous transaction is missing"), "dialog-warning-symbolic",
             "warning");
  gtk_box_append (self->payments_box, GTK_WIDGET (group));
}

static void
add_payment (ReinPayoutDialog *self, gboolean primary)
{
  g_autoptr (ReinPaymentReview) review = rein_payments_review (self->payments, primary);

  add_review (self, review, primary);
}

static void
show_review (ReinPayoutDialog *self)
{
  GtkWidget *child;
  const gchar *warning = NULL;
  guint percent = 0;
  g_autofree gchar *intro = NULL;

  if (self->payments != NULL)
    {
      warning = rein_payments_get_warning (self->payments);
      percent = rein_payments_get_worker_percent (self->payments);
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->payments_box))) != NULL)
    gtk_box_remove (self->payments_box, child);
  if (self->spending)
    {
      g_autoptr (ReinPaymentReview) review = NULL;

      review = rein_payment_review_new (self->spend->psbt,
                                        rein_identity_get_testnet (self->identity)
                                          ? REIN_NETWORK_TESTNET
                                          : REIN_NETWORK_MAINNET,
                                        self->spend->plan->vsize);
      add_review (self, review, TRUE);
      intro = g_strdup_printf (_("You send everything at your address to %s, less the fee. "
                                 "Check the address before you sign."), self->to_address);
      gtk_label_set_text (self->intro_label, intro);
      gtk_widget_set_visible (self->password_group, !rein_session_get_unlocked (self->session));
      gtk_button_set_label (self->sign_button, _("_Sign"));
      show_review_error (self, NULL);
      return;
    }
  for (guint e = 0; e < 2; e++)
    add_payment (self, e == 0);

  switch (rein_payments_get_kind (self->payments))
    {
    case REIN_PAYOUT_ACCEPT:
      intro = g_strdup (self->cosigning
                          ? _("The creator accepted the delivery: the primary escrow pays the "
                              "worker, the mediator escrow the mediator.")
                          : _("You accept the delivery: the primary escrow pays the worker, "
                              "the mediator escrow the mediator. Check every amount and "
                              "address before you sign."));
      break;
    case REIN_PAYOUT_REFUND:
      intro = g_strdup (self->cosigning
                          ? _("The mediator decided a refund: the primary escrow goes back to "
                              "the creator, the mediator escrow pays the mediator.")
                          : _("You decide a refund: the primary escrow goes back to the "
                              "creator, the mediator escrow pays you."));
      break;
    case REIN_PAYOUT_AWARD:
      intro = g_strdup (self->cosigning
                          ? _("The mediator decided an award: the primary escrow pays the "
                              "worker, the mediator escrow the mediator.")
                          : _("You decide an award: the primary escrow pays the worker, the "
                              "mediator escrow pays you."));
      break;
    case REIN_PAYOUT_SPLIT:
    default:
      intro = g_strdup_printf (self->cosigning
                                 ? _("The mediator decided a split: the worker gets %u%% of the "
                                     "primary escrow, the creator %u%%; the mediator escrow pays "
                                     "the mediator.")
                                 : _("You decide a split: the worker gets %u%% of the primary "
                                     "escrow, the creator %u%%; the mediator escrow pays you."),
                               percent, 100 - percent);
      break;
    }
  if (warning != NULL)
    {
      g_autofree gchar *with = g_strdup_printf ("%s\n\n%s", intro, warning);

      g_free (intro);
      intro = g_steal_pointer (&with);
    }
  gtk_label_set_text (self->intro_label, intro);
  gtk_widget_set_visible (self->password_group,
                          !rein_session_get_unlocked (self->session)
                            && (!self->cosigning
                                || rein_payments_get_needs_signature (self->payments)));
  gtk_button_set_label (self->sign_button,
                        self->cosigning && !rein_payments_get_needs_signature (self->payments)
                          ? _("_Send")
                          : _("_Sign"));
  show_review_error (self, NULL);
}

/* ---- building (the writer) ---- */

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayments) payments = rein_payments_prepare_finish (result, &error);

  if (self->closed)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (payments == NULL)
    {
      show_error (self, error_title (error), error->message);
      return;
    }
  g_set_object (&self->payments, payments);
  show_review (self);
}

static void
spend_prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  ReinPayment *spend = rein_own_spend_prepare_finish (result, &error);

  if (self->closed)
    {
      rein_payment_free (spend);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (spend == NULL)
    {
      show_error (self, error_title (error), error->message);
      return;
    }
  if (self->fee_cap > 0 && spend->plan->fee > self->fee_cap)
    {
      g_autofree gchar *message = NULL;

      /* a plain format: xgettext cannot see through G_GINT64_FORMAT */
      message = g_strdup_printf (_("the fee of %lld sat is above the cap of %lld sat set in "
                                   "Preferences"),
                                 (long long) spend->plan->fee, (long long) self->fee_cap);
      rein_payment_free (spend);
      show_error (self, _("The Payment Cannot Be Made"), message);
      return;
    }
  g_clear_pointer (&self->spend, rein_payment_free);
  self->spend = spend;
  show_review (self);
}

static ReinChain *
open_chain (ReinPayoutDialog *self, GError **error)
{
  ReinChain *chain = rein_chain_settings_open (self->store,
                                               rein_identity_get_testnet (self->identity), error);

  if (chain == NULL)
    g_prefix_error (error, "%s", _("Choose a chain backend in Preferences: "));
  return chain;
}

static void
restart_work (ReinPayoutDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

/* The target the fee row shows, in blocks; 0: none. */
static guint
selected_target (ReinPayoutDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->fee_target_row);

  if (selected < G_N_ELEMENTS (fee_targets))
    return fee_targets[selected];
  if (selected == G_N_ELEMENTS (fee_targets))
    return self->custom_target;
  return 0;
}

/* Shows @blocks in the fee row, as an entry of its own when the list has
 * none for it; nothing is rebuilt. */
static void
select_target (ReinPayoutDialog *self, guint blocks)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fee_targets) && fee_targets[i] != blocks; i++)
    ;
  if (i == G_N_ELEMENTS (fee_targets) && self->custom_target == 0)
    {
      GtkStringList *model = GTK_STRING_LIST (adw_combo_row_get_model (self->fee_target_row));
      g_autofree gchar *label = NULL;

      /* Translators: the fee target chosen in Preferences */
      label = g_strdup_printf (g_dngettext (NULL, "Within %u block (your preference)",
                                            "Within %u blocks (your preference)", blocks),
                               blocks);
      gtk_string_list_append (model, label);
      self->custom_target = blocks;
    }
  self->building = TRUE;
  adw_combo_row_set_selected (self->fee_target_row, i);
  self->building = FALSE;
}

static void
prepare (ReinPayoutDialog *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChain) chain = open_chain (self, &error);
  gdouble rate = gtk_adjustment_get_value (self->fee_rate_adjustment);
  ReinPaymentOptions options = {
    .fee_target = selected_target (self),
    .fee_rate = (gint64) (rate * 1000 + 0.5),
    .fee_cap = self->fee_cap,
  };

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  restart_work (self);
  g_clear_object (&self->payments);
  if (chain == NULL)
    {
      show_error (self, _("No Chain Backend"), error->message);
      return;
    }
  if (options.fee_rate > 0 && options.fee_rate < 1000)
    options.fee_rate = 1000; /* below 1 sat/vB nothing relays it */
  if (self->spending)
    {
      g_clear_pointer (&self->spend, rein_payment_free);
      g_set_object (&self->chain, chain);
      show_working (self, _("Looking up your address and building the payment…"));
      rein_own_spend_prepare_async (chain, self->from_address, self->to_address,
                                    rein_identity_get_testnet (self->identity),
                                    options.fee_target, options.fee_rate, self->cancellable,
                                    spend_prepared_cb, g_object_ref (self));
      return;
    }
  show_working (self, _("Looking up the escrows and building the payments…"));
  rein_payments_prepare_async (self->store, self->identity, chain,
                               self->job, self->kind,
                               (guint) gtk_adjustment_get_value (self->split_adjustment),
                               &options, self->cancellable, prepared_cb, g_object_ref (self));
}

static gboolean
rebuild_cb (gpointer user_data)
{
  ReinPayoutDialog *self = user_data;

  self->rebuild_id = 0;
  prepare (self);
  return G_SOURCE_REMOVE;
}

static void
options_changed_cb (ReinPayoutDialog *self)
{
  if (self->cosigning || self->building)
    return;
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  self->rebuild_id = g_timeout_add (REBUILD_DELAY_MS, rebuild_cb, self);
}

/* ---- the payment policy of the preferences ---- */

static void
prefs_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChainPrefs) prefs = rein_chain_settings_load_finish (result, &error);

  if (self->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (prefs == NULL)
    {
      /* no payment without the cap the user set */
      show_error (self, _("The Preferences Cannot Be Read"), error->message);
      return;
    }
  self->prefs_loaded = TRUE;
  self->fee_cap = prefs->fee_cap;
  if (!self->cosigning)
    select_target (self, prefs->fee_target);
  start (self);
}

/* Reads the fee target and cap in a worker, then builds or opens the
 * payments. */
static void
start (ReinPayoutDialog *self)
{
  if (self->prefs_loaded)
    {
      if (self->cosigning)
        open_payments (self);
      else
        prepare (self);
      return;
    }
  restart_work (self);
  show_working (self, _("Reading your preferences…"));
  rein_chain_settings_load_async (self->store, self->cancellable, prefs_loaded_cb,
                                  g_object_ref (self));
}

/* ---- co-signing ---- */

static void
opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayments) payments = rein_payments_open_finish (result, &error);

  if (self->closed)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (payments == NULL)
    {
      show_error (self, error_title (error), error->message);
      return;
    }
  g_set_object (&self->payments, payments);
  show_review (self);
}

static void
open_payments (ReinPayoutDialog *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChain) chain = open_chain (self, &error);

  restart_work (self);
  g_clear_object (&self->payments);
  if (chain == NULL)
    {
      show_error (self, _("No Chain Backend"), error->message);
      return;
    }
  show_working (self, _("Looking up the escrows and checking the payments…"));
  rein_payments_open_async (self->store, self->identity, chain, self->job, self->fee_cap,
                            self->cancellable, opened_cb, g_object_ref (self));
}

static void
recorded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (self->closed)
    return;
  /* a record that cannot be written loses nothing: the chain has it */
  if (!rein_payments_record_finish (REIN_PAYMENTS (source), result, &error))
    g_warning ("The payments were not recorded: %s", error->message);
  finish (self, self->payments, NULL);
}

static void
record_and_finish (ReinPayoutDialog *self)
{
  show_working (self, _("Keeping a record of the payments…"));
  rein_payments_record_async (self->payments, NULL, recorded_cb, g_object_ref (self));
}

static void
broadcast_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (self->closed)
    return;
  if (!rein_payments_broadcast_finish (REIN_PAYMENTS (source), result, &error))
    {
      /* what was sent is recorded; what was not is said, and kept */
      show_review (self);
      show_review_error (self, error->message);
      rein_payments_record_async (self->payments, NULL, NULL, NULL);
      return;
    }
  record_and_finish (self);
}

static void
send_response_cb (AdwMessageDialog *dialog, const gchar *response, gpointer user_data)
{
  ReinPayoutDialog *self = user_data;

  if (g_strcmp0 (response, "send") != 0)
    {
      /* signed, kept for later: the panel can send it */
      record_and_finish (self);
      return;
    }
  show_working (self, _("Sending the payments…"));
  rein_payments_broadcast_async (self->payments, self->cancellable, broadcast_cb,
                                 g_object_ref (self));
}

/* The last question before money moves. */
static void
ask_to_send (ReinPayoutDialog *self)
{
  g_autoptr (GString) body = g_string_new (_("Once sent, a payment cannot be taken back."));
  GtkWidget *dialog;

  for (guint e = 0; e < 2; e++)
    if (rein_payments_get_state (self->payments, e == 0) == REIN_PAYMENT_STATE_COMPLETE)
      {
        g_autoptr (ReinPaymentReview) review = rein_payments_review (self->payments, e == 0);

        g_string_append_printf (body, "\n\n%s", e == 0 ? _("Primary escrow:")
                                                       : _("Mediator escrow:"));
        for (guint o = 0; o < review->outputs->len; o++)
          {
            ReinReviewOutput *out = g_ptr_array_index (review->outputs, o);
            g_autofree gchar *amount = rein_payments_format_amount (out->amount);

            g_string_append_printf (body, "\n%s: %s", rein_payments_describe_role (out->payee),
                                    amount);
          }
      }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Send the Payments?"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep for Later"),
                                    "send", _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "send");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- a spend of the own address: signed, asked, sent ---- */

static void
spend_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *txid = rein_chain_broadcast_finish (REIN_CHAIN (source), result, &error);

  if (self->closed)
    return;
  if (txid == NULL)
    {
      g_autofree gchar *message = g_strdup_printf (_("The payment was not sent: %s"),
                                                   error->message);

      show_review_error (self, message);
      return;
    }
  finish_spend (self, txid);
}

static void
spend_response_cb (AdwMessageDialog *dialog, const gchar *response, gpointer user_data)
{
  ReinPayoutDialog *self = user_data;
  g_autoptr (GByteArray) raw = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (g_strcmp0 (response, "send") != 0 || self->spend_tx == NULL)
    {
      /* not sent: the signed transaction is not kept */
      g_clear_pointer (&self->spend_tx, rein_tx_free);
      show_review_error (self, _("Nothing was sent."));
      return;
    }
  raw = rein_tx_serialize (self->spend_tx, FALSE);
  bytes = g_bytes_new (raw->data, raw->len);
  show_working (self, _("Sending the payment…"));
  rein_chain_broadcast_async (self->chain, bytes, self->cancellable, spend_sent_cb,
                              g_object_ref (self));
}

static void
spend_signed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  ReinTx *tx = rein_payments_sign_psbt_finish (result, &error);
  g_autofree gchar *amount = NULL;
  g_autofree gchar *body = NULL;
  GtkWidget *dialog;

  if (self->closed)
    {
      g_clear_pointer (&tx, rein_tx_free);
      return;
    }
  if (tx == NULL)
    {
      show_review_error (self, error->message);
      return;
    }
  g_clear_pointer (&self->spend_tx, rein_tx_free);
  self->spend_tx = tx;
  show_review_error (self, NULL);
  amount = rein_payments_format_amount ((gint64) rein_tx_get_output (tx, 0)->value);
  body = g_strdup_printf (_("%s to %s. Once sent, a payment cannot be taken back."), amount,
                          self->to_address);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Send the Payment?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "send", _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (spend_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- signing ---- */

static void
signed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (self->closed)
    return;
  if (!rein_payments_sign_finish (REIN_PAYMENTS (source), result, &error))
    {
      show_review (self);
      show_review_error (self, error->message);
      return;
    }
  if (!self->cosigning)
    {
      finish (self, self->payments, NULL);
      return;
    }
  self->signed_some = TRUE;
  if (rein_payments_get_has_complete (self->payments))
    {
      show_review (self);
      ask_to_send (self);
      return;
    }
  record_and_finish (self);
}

/* Takes nothing: @key is copied by the signing. */
static void
sign_with (ReinPayoutDialog *self, const ReinPrivateKey *key)
{
  ReinSession *session = self->session;

  /* The payments were built for the identity that was active then: another
   * one (a switch while the password was checked) must not sign them. */
  if (rein_session_get_active_identity (session) != self->identity)
    {
      show_review_error (self, _("The identity changed: nothing was signed"));
      return;
    }
  show_working (self, _("Signing…"));
  if (self->spending)
    rein_payments_sign_psbt_async (self->spend->psbt, key, NULL, spend_signed_cb,
                                   g_object_ref (self));
  else
    rein_payments_sign_async (self->payments, key, NULL, signed_cb, g_object_ref (self));
}

static void
unlocked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) key = rein_session_unlock_finish (REIN_SESSION (source), result,
                                                               &error);

  if (self->closed)
    return;
  gtk_editable_set_text (self->password_row, "");
  if (key == NULL)
    {
      show_review_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  sign_with (self, key);
}

static void
sign_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  ReinPayoutDialog *self = REIN_PAYOUT_DIALOG (widget);
  ReinSession *session = self->session;
  g_autoptr (ReinPrivateKey) key = NULL;
  const gchar *password;

  if ((self->spending ? self->spend == NULL : self->payments == NULL)
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "review") != 0
      || !gtk_check_button_get_active (self->confirm_check))
    return;
  if (self->cosigning && !rein_payments_get_needs_signature (self->payments))
    {
      if (rein_payments_get_has_complete (self->payments))
        ask_to_send (self);
      return;
    }
  key = rein_session_dup_unlocked_key (session);
  if (key != NULL)
    {
      sign_with (self, key);
      return;
    }
  password = gtk_editable_get_text (self->password_row);
  if (password == NULL || *password == '\0')
    {
      show_review_error (self, _("Type your password to sign: your keys are locked."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  show_working (self, _("Opening your keys…"));
  rein_session_unlock_async (session, password, FALSE, self->cancellable, unlocked_cb,
                             g_object_ref (self));
}

static void
retry_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  start (REIN_PAYOUT_DIALOG (widget));
}

/* ---- the class ---- */

static void
rein_payout_dialog_dispose (GObject *object)
{
  ReinPayoutDialog *self = REIN_PAYOUT_DIALOG (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (self->caller_cancellable, self->caller_cancelled_id);
      g_clear_object (&self->caller_cancellable);
    }
  if (self->task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("Nothing was signed"));
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), REIN_TYPE_PAYOUT_DIALOG);
  G_OBJECT_CLASS (rein_payout_dialog_parent_class)->dispose (object);
}

static void
rein_payout_dialog_finalize (GObject *object)
{
  ReinPayoutDialog *self = REIN_PAYOUT_DIALOG (object);

  g_clear_object (&self->context);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->chain);
  g_clear_pointer (&self->spend, rein_payment_free);
  g_clear_pointer (&self->spend_tx, rein_tx_free);
  g_free (self->from_address);
  g_free (self->to_address);
  g_clear_object (&self->identity);
  g_clear_object (&self->job);
  g_clear_object (&self->payments);
  g_clear_object (&self->cancellable);
  g_free (self->error);
  G_OBJECT_CLASS (rein_payout_dialog_parent_class)->finalize (object);
}

static void
rein_payout_dialog_class_init (ReinPayoutDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_payout_dialog_dispose;
  object_class->finalize = rein_payout_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-payout-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, sign_button);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, working_label);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, retry_button);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, fee_group);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, fee_target_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, fee_rate_adjustment);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, split_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, split_adjustment);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, payments_box);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, confirm_check);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, password_group);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutDialog, error_label);

  gtk_widget_class_install_action (widget_class, "payout.sign", NULL, sign_action);
  gtk_widget_class_install_action (widget_class, "payout.retry", NULL, retry_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rein_payout_dialog_init (ReinPayoutDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rein_widget_name_mnemonic_buttons (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  rein_password_row_tidy (ADW_PASSWORD_ENTRY_ROW (self->password_row));
  g_signal_connect_swapped (self->confirm_check, "notify::active",
                            G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->fee_target_row, "notify::selected",
                            G_CALLBACK (options_changed_cb), self);
  g_signal_connect_swapped (self->fee_rate_adjustment, "value-changed",
                            G_CALLBACK (options_changed_cb), self);
  g_signal_connect_swapped (self->split_adjustment, "value-changed",
                            G_CALLBACK (options_changed_cb), self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  /* Enter in the password field signs, as the Sign button does */
  g_signal_connect_swapped (self->password_row, "entry-activated",
                            G_CALLBACK (rein_payout_dialog_sign), self);
}

/* Shared by both ways in; the dialog holds the task until it ends. */
static ReinPayoutDialog *
dialog_new (GtkWidget *parent,
            ReinContext *context,
            ReinSession *session,
            ReinJob *job,
            gboolean cosigning,
            GCancellable *cancellable,
            GAsyncReadyCallback callback,
            gpointer user_data,
            gpointer source_tag)
{
  ReinPayoutDialog *self = g_object_new (REIN_TYPE_PAYOUT_DIALOG, NULL);
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  ReinIdentity *identity;

  if (context != NULL)
    session = rein_context_get_session (context);
  identity = rein_session_get_active_identity (session);
  self->context = context != NULL ? g_object_ref (context) : NULL;
  self->session = g_object_ref (session);
  self->store = g_object_ref (rein_session_get_store (session));
  self->job = job != NULL ? g_object_ref (job) : NULL;
  self->identity = identity != NULL ? g_object_ref (identity) : NULL;
  self->cosigning = cosigning;
  self->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, source_tag);
  /* the user's answer counts, even when the caller cancelled after it */
  g_task_set_check_cancellable (self->task, FALSE);
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      /* no reference: the connection ends in dispose */
      self->caller_cancelled_id = g_cancellable_connect (cancellable,
                                                         G_CALLBACK (caller_cancelled_cb), self,
                                                         NULL);
    }
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));
  return self;
}

void
rein_payout_dialog_run_async (GtkWidget *parent,
                              ReinContext *context,
                              ReinJob *job,
                              ReinPayoutKind kind,
                              guint worker_percent,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  ReinPayoutDialog *self;

  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));
  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (REIN_IS_JOB (job));

  self = dialog_new (parent, context, NULL, job, FALSE, cancellable, callback, user_data,
                     rein_payout_dialog_run_async);
  self->kind = kind;
  self->building = TRUE;
  gtk_adjustment_set_value (self->split_adjustment, MIN (worker_percent, 100));
  self->building = FALSE;
  gtk_widget_set_visible (self->split_row, kind == REIN_PAYOUT_SPLIT);
  gtk_window_set_title (GTK_WINDOW (self), kind == REIN_PAYOUT_ACCEPT
                                             ? _("Accept and Pay Out")
                                             : _("Resolve and Pay Out"));
  gtk_window_present (GTK_WINDOW (self));
  if (self->identity == NULL)
    {
      show_error (self, _("No Identity"), _("Choose an identity first."));
      return;
    }
  start (self);
}

ReinPayments *
rein_payout_dialog_run_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_payout_dialog_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_payout_dialog_cosign_async (GtkWidget *parent,
                                 ReinContext *context,
                                 ReinJob *job,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  ReinPayoutDialog *self;

  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));
  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (REIN_IS_JOB (job));

  self = dialog_new (parent, context, NULL, job, TRUE, cancellable, callback, user_data,
                     rein_payout_dialog_cosign_async);
  gtk_widget_set_visible (self->fee_group, FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _("Review and Co-sign"));
  gtk_window_present (GTK_WINDOW (self));
  if (self->identity == NULL)
    {
      show_error (self, _("No Identity"), _("Choose an identity first."));
      return;
    }
  start (self);
}

ReinPayments *
rein_payout_dialog_cosign_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_payout_dialog_cosign_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rein_payout_dialog_spend_async (GtkWidget *parent,
                                ReinSession *session,
                                const gchar *to_address,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  ReinPayoutDialog *self;

  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));
  g_return_if_fail (REIN_IS_SESSION (session));
  g_return_if_fail (to_address != NULL);

  self = dialog_new (parent, NULL, session, NULL, FALSE, cancellable, callback, user_data,
                     rein_payout_dialog_spend_async);
  self->spending = TRUE;
  self->to_address = g_strstrip (g_strdup (to_address));
  gtk_window_set_title (GTK_WINDOW (self), _("Send From Your Address"));
  gtk_window_present (GTK_WINDOW (self));
  if (self->identity == NULL)
    {
      show_error (self, _("No Identity"), _("Choose an identity first."));
      return;
    }
  self->from_address = rein_address_convert (rein_identity_get_delegate_address (self->identity),
                                             rein_identity_get_testnet (self->identity)
                                               ? REIN_NETWORK_TESTNET
                                               : REIN_NETWORK_MAINNET,
                                             NULL);
  if (self->from_address == NULL)
    self->from_address = g_strdup (rein_identity_get_delegate_address (self->identity));
  start (self);
}

gchar *
rein_payout_dialog_spend_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_payout_dialog_spend_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- for tests ---- */

const gchar *
rein_payout_dialog_get_page (ReinPayoutDialog *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

ReinPayments *
rein_payout_dialog_get_payments (ReinPayoutDialog *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_DIALOG (self), NULL);
  return self->payments;
}

const gchar *
rein_payout_dialog_get_error (ReinPayoutDialog *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_DIALOG (self), NULL);
  return self->error;
}

void
rein_payout_dialog_set_password (ReinPayoutDialog *self, const gchar *password)
{
  g_return_if_fail (REIN_IS_PAYOUT_DIALOG (self));
  gtk_editable_set_text (self->password_row, password != NULL ? password : "");
}

void
rein_payout_dialog_set_confirmed (ReinPayoutDialog *self, gboolean confirmed)
{
  g_return_if_fail (REIN_IS_PAYOUT_DIALOG (self));
  gtk_check_button_set_active (self->confirm_check, confirmed);
}

void
rein_payout_dialog_set_fee_rate (ReinPayoutDialog *self, gdouble sat_per_vb)
{
  g_return_if_fail (REIN_IS_PAYOUT_DIALOG (self));
  gtk_adjustment_set_value (self->fee_rate_adjustment, sat_per_vb);
}

void
rein_payout_dialog_set_worker_percent (ReinPayoutDialog *self, guint percent)
{
  g_return_if_fail (REIN_IS_PAYOUT_DIALOG (self));
  gtk_adjustment_set_value (self->split_adjustment, MIN (percent, 100));
}

void
rein_payout_dialog_sign (ReinPayoutDialog *self)
{
  g_return_if_fail (REIN_IS_PAYOUT_DIALOG (self));
  gtk_widget_activate_action (GTK_WIDGET (self), "payout.sign", NULL);
}
