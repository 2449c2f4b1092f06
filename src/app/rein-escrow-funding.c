/* rein-escrow-funding.c: where the money of an awarded job goes, on the
 * job page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "rein-bitcoin.h"
#include "rein-chain-settings.h"
#include "rein-client-error.h"
#include "rein-escrow-funding.h"
#include "rein-settings.h"

/* Pixels a module in a saved PNG. */
#define PNG_SCALE 8
/* The code on screen: at least this wide, quiet zone included. */
#define QR_SIDE 256
#define QUIET_ZONE 4

typedef struct
{
  ReinEscrowKind kind;
  GtkWidget *card;
  GtkLabel *pill;
  GtkLabel *due;
  GtkLabel *due_detail;
  GtkLabel *status;
  GtkWidget *qr_area;
  GtkLabel *paid;
  GtkLabel *address;
  GtkWidget *buttons;
  GtkWidget *request_buttons[2]; /* copy the request, save its code */
  GtkImage *badge_icon;
  GtkLabel *badge;
  GtkLabel *script;
  ReinQr *qr;
  gchar *uri;
} Card;

struct _ReinEscrowFunding
{
  AdwBin parent_instance;

  ReinContext *context;
  ReinMyJob *job;
  ReinEscrowWatch *watch;
  GCancellable *cancellable;
  Card cards[2];
  gchar *advice;

  GtkWidget *advice_box;
  GtkImage *advice_icon;
  GtkLabel *advice_label;
  GtkLabel *error_label;
  GtkLabel *empty_label;
  GtkBox *card_box;
};

G_DEFINE_FINAL_TYPE (ReinEscrowFunding, rein_escrow_funding, ADW_TYPE_BIN)

/* ---- amounts ---- */

static gchar *
format_btc (gint64 satoshis)
{
  g_autofree gchar *btc = rein_amount_format_btc (satoshis);

  /* Translators: an amount in bitcoins, "0.01 BTC" */
  return g_strdup_printf (_("%s BTC"), btc);
}

static gchar *
format_sat (gint64 satoshis)
{
  /* digits grouped as the locale groups them */
  g_autofree gchar *number = g_strdup_printf ("%'" G_GINT64_FORMAT, satoshis);

  /* Translators: an amount in satoshis, "1,000,000 sat" */
  return g_strdup_printf (_("%s sat"), number);
}

/* ---- the QR code: modules as rectangles, dark on light, always ---- */

static void
draw_qr (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  Card *card = user_data;
  GtkWidget *widget = GTK_WIDGET (area);
  gint scale = gtk_widget_get_scale_factor (widget);
  gint modules, side_px, module_px, x0, y0;

  if (card->qr == NULL)
    return;
  modules = (gint) card->qr->size + 2 * QUIET_ZONE;
  /* whole device pixels a module, so every edge falls on a pixel; what is
   * left over is shared around the light square */
  side_px = MIN (width, height) * scale;
  module_px = MAX (side_px / modules, 1);
  x0 = (width * scale - module_px * modules) / 2;
  y0 = (height * scale - module_px * modules) / 2;

  cairo_save (cr);
  cairo_scale (cr, 1.0 / scale, 1.0 / scale);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x0, y0, module_px * modules, module_px * modules);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint y = 0; y < card->qr->size; y++)
    for (guint x = 0; x < card->qr->size; x++)
      if (rein_qr_is_dark (card->qr, x, y))
        cairo_rectangle (cr, x0 + (gint) (x + QUIET_ZONE) * module_px,
                         y0 + (gint) (y + QUIET_ZONE) * module_px, module_px, module_px);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* ---- the cards ---- */

static void
card_clear (Card *card)
{
  g_clear_pointer (&card->qr, rein_qr_free);
  g_clear_pointer (&card->uri, g_free);
  memset (card, 0, sizeof *card);
}

static GtkLabel *
add_label (GtkWidget *box, const gchar *name, const gchar *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_name (label, name);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return GTK_LABEL (label);
}

static GtkWidget *
add_button (Card *card, const gchar *icon, const gchar *label, const gchar *action)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();
  const gchar *target = card->kind == REIN_ESCROW_PRIMARY ? "primary" : "mediator";

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon);
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);
  gtk_flow_box_append (GTK_FLOW_BOX (card->buttons), button);
  /* the button takes the focus, not the flow box's child around it */
  gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
  return gtk_widget_get_parent (button);
}

/* Hex and addresses wrap anywhere, without the hyphens Pango would put
 * where they break (a reader would copy them by eye). */
static void
no_hyphens (GtkLabel *label)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (label, attrs);
  pango_attr_list_unref (attrs);
}

static void
card_build (ReinEscrowFunding *self, Card *card, ReinEscrowKind kind)
{
  const ReinEscrowStatus *status = rein_escrow_watch_get_status (self->watch);
  const ReinEscrowAccount *account = kind == REIN_ESCROW_PRIMARY ? &status->primary
                                                                 : &status->mediator;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title, *badge_box, *expander, *amounts;
  g_autofree gchar *due = format_btc (account->due);
  g_autofree gchar *due_sat = format_sat (account->due);
  g_autofree gchar *detail = NULL;

  card->kind = kind;
  card->card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_name (card->card, kind == REIN_ESCROW_PRIMARY ? "primary" : "mediator");
  gtk_widget_add_css_class (card->card, "card");
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_box_append (GTK_BOX (card->card), box);

  title = gtk_label_new (kind == REIN_ESCROW_PRIMARY ? _("Primary Escrow") : _("Mediator Escrow"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_LEVEL, 3, -1);
  gtk_box_append (GTK_BOX (header), title);
  card->pill = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (card->pill), "status");
  gtk_widget_set_valign (GTK_WIDGET (card->pill), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (card->pill), "caption-heading");
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (card->pill));
  gtk_box_append (GTK_BOX (box), header);

  amounts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  card->due = add_label (amounts, "due", "title-2");
  gtk_label_set_text (card->due, due);
  gtk_label_set_selectable (card->due, TRUE);
  if (kind == REIN_ESCROW_PRIMARY)
    /* Translators: "1,000,000 sat, the bid amount" */
    detail = g_strdup_printf (_("%s, the bid amount"), due_sat);
  else
    /* Translators: "15,000 sat, the mediator fee of 1.5%" */
    detail = g_strdup_printf (_("%s, the mediator fee of %s"), due_sat, status->mediator_fee);
  card->due_detail = add_label (amounts, "due-detail", "dim-label");
  gtk_label_set_text (card->due_detail, detail);
  gtk_box_append (GTK_BOX (box), amounts);

  card->status = add_label (box, "status-detail", NULL);

  card->qr_area = g_object_new (GTK_TYPE_DRAWING_AREA, "accessible-role", GTK_ACCESSIBLE_ROLE_IMG,
                                NULL);
  gtk_widget_set_name (card->qr_area, "qr");
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (card->qr_area), QR_SIDE);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (card->qr_area), QR_SIDE);
  gtk_widget_set_halign (card->qr_area, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (card->qr_area), draw_qr, card, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (card->qr_area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("QR code of the payment request"), -1);
  gtk_box_append (GTK_BOX (box), card->qr_area);
  card->paid = add_label (box, "paid", "dim-label");
  gtk_label_set_text (card->paid, _("Nothing more is due: do not pay more into this address."));
  gtk_widget_set_visible (GTK_WIDGET (card->paid), FALSE);

  card->address = add_label (box, "address", "monospace");
  gtk_label_set_text (card->address, account->address);
  gtk_label_set_selectable (card->address, TRUE);
  gtk_label_set_wrap_mode (card->address, PANGO_WRAP_CHAR);
  gtk_label_set_xalign (card->address, 0.5);
  gtk_label_set_justify (card->address, GTK_JUSTIFY_CENTER);
  no_hyphens (card->address);

  card->buttons = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (card->buttons), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (card->buttons), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (card->buttons), 3);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (card->buttons), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (card->buttons), 6);
  add_button (card, "edit-copy-symbolic", _("Copy _Address"), "escrow.copy-address");
  card->request_buttons[0] = add_button (card, "edit-copy-symbolic", _("Copy _Request"),
                                         "escrow.copy-uri");
  card->request_buttons[1] = add_button (card, "document-save-symbolic", _("_Save QR Code…"),
                                         "escrow.save-qr");
  gtk_box_append (GTK_BOX (box), card->buttons);

  badge_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  card->badge_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_valign (GTK_WIDGET (card->badge_icon), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (badge_box), GTK_WIDGET (card->badge_icon));
  card->badge = add_label (badge_box, "badge", NULL);
  gtk_widget_set_hexpand (GTK_WIDGET (card->badge), TRUE);
  if (account->document_agrees)
    {
      gtk_image_set_from_icon_name (card->badge_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (card->badge_icon), "success");
      gtk_label_set_text (card->badge, _("The address matches the script made from the job’s "
                                         "three keys."));
    }
  else
    {
      gtk_image_set_from_icon_name (card->badge_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (card->badge_icon), "error");
      gtk_widget_add_css_class (GTK_WIDGET (card->badge), "error");
      gtk_label_set_text (card->badge, _("The job’s offer names another address or script than "
                                         "its keys make. Do not pay into either before the job "
                                         "is checked again."));
    }
  gtk_box_append (GTK_BOX (box), badge_box);

  expander = gtk_expander_new_with_mnemonic (_("Redeem _Script"));
  card->script = GTK_LABEL (gtk_label_new (account->redeem_script_hex));
  gtk_widget_set_name (GTK_WIDGET (card->script), "script");
  gtk_label_set_wrap (card->script, TRUE);
  gtk_label_set_wrap_mode (card->script, PANGO_WRAP_CHAR);
  gtk_label_set_selectable (card->script, TRUE);
  gtk_label_set_xalign (card->script, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (card->script), 6);
  gtk_widget_add_css_class (GTK_WIDGET (card->script), "monospace");
  /* wraps rather than asks for the width of the whole script: two cards
   * fit side by side in a wide window */
  gtk_label_set_max_width_chars (card->script, 40);
  no_hyphens (card->script);
  gtk_expander_set_child (GTK_EXPANDER (expander), GTK_WIDGET (card->script));
  gtk_box_append (GTK_BOX (box), expander);

  gtk_box_append (self->card_box, card->card);
}

/* The payment request: what is still missing (all that is due before
 * the first lookup), labelled with the job; none when nothing is. */
static void
card_update_request (ReinEscrowFunding *self, Card *card)
{
  const ReinEscrowStatus *status = rein_escrow_watch_get_status (self->watch);
  const ReinEscrowAccount *account = card->kind == REIN_ESCROW_PRIMARY ? &status->primary
                                                                       : &status->mediator;
  gint64 amount = rein_escrow_watch_get_looked_up (self->watch)
                      ? rein_escrow_watch_get_missing (self->watch, card->kind)
                      : account->due;
  const gchar *name = rein_job_get_name (rein_escrow_watch_get_job (self->watch));
  g_autofree gchar *label = NULL;
  g_autofree gchar *uri = NULL;
  g_autoptr (GError) error = NULL;

  if (amount > 0 && account->document_agrees)
    {
      label = card->kind == REIN_ESCROW_PRIMARY
                  ? g_strdup_printf (_("Rein escrow: %s"), name != NULL ? name : "")
                  : g_strdup_printf (_("Rein mediator fee: %s"), name != NULL ? name : "");
      uri = rein_bip21_uri (account->address, amount, label, NULL);
    }
  if (g_strcmp0 (uri, card->uri) == 0)
    return;
  g_clear_pointer (&card->qr, rein_qr_free);
  g_free (card->uri);
  card->uri = g_steal_pointer (&uri);
  if (card->uri != NULL)
    {
      card->qr = rein_qr_encode (card->uri, &error);
      if (card->qr == NULL)
        g_warning ("no QR code of the payment request: %s", error->message);
    }
  gtk_widget_set_visible (card->qr_area, card->qr != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (card->request_buttons); i++)
    gtk_widget_set_visible (card->request_buttons[i], card->qr != NULL);
  /* Copy Address alone takes the whole line */
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (card->buttons), card->qr != NULL ? 3 : 1);
  gtk_widget_set_visible (GTK_WIDGET (card->paid), card->uri == NULL && account->document_agrees);
  gtk_widget_queue_draw (card->qr_area);
}

static void
card_update (ReinEscrowFunding *self, Card *card)
{
  ReinEscrowWatch *watch = self->watch;
  ReinFunding funding = rein_escrow_watch_get_funding (watch, card->kind);
  guint confirmations = rein_escrow_watch_get_confirmations (watch, card->kind);
  guint required = rein_escrow_watch_get_confirmations_required (watch);
  const gchar *pill;
  const gchar *pill_class;
  g_autofree gchar *text = NULL;

  card_update_request (self, card);
  if (!rein_escrow_watch_get_looked_up (watch))
    {
      pill = rein_escrow_watch_get_error (watch) != NULL ? _("Unknown") : _("Checking…");
      pill_class = "dim-label";
      text = g_strdup (rein_escrow_watch_get_error (watch) != NULL
                           ? _("The chain backend could not be asked how much is there.")
                           : _("Asking the chain backend how much is there…"));
    }
  else
    switch (funding)
      {
      case REIN_FUNDING_UNFUNDED:
        pill = _("Unfunded");
        pill_class = "dim-label";
        text = g_strdup (_("Nothing has been paid in yet."));
        break;
      case REIN_FUNDING_PARTLY:
        {
          gint64 missing = rein_escrow_watch_get_missing (watch, card->kind);
          g_autofree gchar *btc = format_btc (missing);
          g_autofree gchar *sat = format_sat (missing);

          pill = _("Partly funded");
          pill_class = "warning";
          /* Translators: "0.006 BTC (600,000 sat) missing" */
          text = g_strdup_printf (_("%s (%s) missing"), btc, sat);
        }
        break;
      case REIN_FUNDING_UNCONFIRMED:
        pill = _("Funded, unconfirmed");
        pill_class = "warning";
        /* Translators: "1 of 3 confirmations" */
        text = g_strdup_printf (g_dngettext (NULL, "Funded: %u of %u confirmation",
                                             "Funded: %u of %u confirmations", required),
                                confirmations, required);
        break;
      case REIN_FUNDING_FUNDED:
      default:
        pill = _("Funded");
        pill_class = "success";
        text = g_strdup_printf (g_dngettext (NULL, "Funded, %u confirmation",
                                             "Funded, %u confirmations", confirmations),
                                confirmations);
        break;
      }
  /* what is there may be another job's (update_advice() says so) */
  if (rein_escrow_watch_get_looked_up (watch) && funding != REIN_FUNDING_UNFUNDED
      && rein_escrow_watch_get_shared_with (watch) != NULL
      && rein_escrow_watch_get_shared_with (watch)[0] != NULL)
    {
      pill = _("Shared");
      pill_class = "warning";
    }
  gtk_label_set_text (card->pill, pill);
  gtk_widget_remove_css_class (GTK_WIDGET (card->pill), "dim-label");
  gtk_widget_remove_css_class (GTK_WIDGET (card->pill), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (card->pill), "success");
  gtk_widget_add_css_class (GTK_WIDGET (card->pill), pill_class);
  gtk_label_set_text (card->status, text);
}

/* ---- what the user is told ---- */

static const gchar *
offer_field (ReinEscrowFunding *self, const gchar *label)
{
  ReinJob *job = rein_escrow_watch_get_job (self->watch);
  ReinDocument *offer = rein_job_get_offer (job);
  const gchar *value = offer != NULL ? rein_document_lookup (offer, label) : NULL;

  if (value == NULL && rein_job_get_posting (job) != NULL)
    value = rein_document_lookup (rein_job_get_posting (job), label);
  return value != NULL ? value : "";
}

static void
update_advice (ReinEscrowFunding *self)
{
  guint required = rein_escrow_watch_get_confirmations_required (self->watch);
  gboolean safe = rein_escrow_watch_get_safe_to_start (self->watch);
  const gchar *worker = offer_field (self, REIN_LABEL_WORKER);
  const gchar *creator = offer_field (self, REIN_LABEL_JOB_CREATOR);
  gchar *advice = NULL;

  const gchar *const *shared = rein_escrow_watch_get_shared_with (self->watch);

  /* before the first lookup the settings are not read yet */
  if (required == 0)
    required = REIN_CHAIN_CONFIRMATIONS_DEFAULT;
  if (shared != NULL && shared[0] != NULL)
    {
      g_autofree gchar *names = g_strjoinv (_("”, “"), (gchar **) shared);

      advice = g_strdup_printf (
          g_dngettext (NULL,
                       "These escrow addresses are also those of “%s”: the same three people "
                       "are on both jobs. The coins in them cannot be told apart, and a payout "
                       "of either job spends them all. Do not count on this funding before the "
                       "other job is paid out, and look at what the addresses hold then.",
                       "These escrow addresses are also those of “%s”: the same three people "
                       "are on these jobs. The coins in them cannot be told apart, and a payout "
                       "of any of them spends them all. Do not count on this funding before the "
                       "other jobs are paid out, and look at what the addresses hold then.",
                       g_strv_length ((gchar **) shared)),
          names);
    }
  else switch (rein_my_job_get_role (self->job))
    {
    case REIN_ROLE_CREATOR:
      if (safe)
        advice = g_strdup_printf (_("Both escrows are funded. %s can start the work."), worker);
      else
        advice = g_strdup_printf (
            g_dngettext (NULL,
                         "Fund both escrows: pay what each card asks into its address. %s is "
                         "told to start once both are funded with %u confirmation.",
                         "Fund both escrows: pay what each card asks into its address. %s is "
                         "told to start once both are funded with %u confirmations.",
                         required),
            worker, required);
      break;
    case REIN_ROLE_WORKER:
      if (safe)
        advice = g_strdup_printf (
            g_dngettext (NULL,
                         "Safe to start: both escrows are funded, with at least %u "
                         "confirmation.",
                         "Safe to start: both escrows are funded, with at least %u "
                         "confirmations.",
                         required),
            required);
      else
        advice = g_strdup_printf (
            g_dngettext (NULL,
                         "Wait before you start: %s has not funded both escrows with %u "
                         "confirmation yet.",
                         "Wait before you start: %s has not funded both escrows with %u "
                         "confirmations yet.",
                         required),
            creator, required);
      break;
    case REIN_ROLE_MEDIATOR:
      advice = g_strdup_printf (_("%s funds both escrows; your fee goes into the mediator "
                                  "escrow."),
                                creator);
      break;
    default:
      break;
    }
  g_free (self->advice);
  self->advice = advice;
  gtk_widget_set_visible (self->advice_box, advice != NULL);
  gtk_label_set_text (self->advice_label, advice != NULL ? advice : "");
  gtk_image_set_from_icon_name (self->advice_icon,
                                safe                                ? "emblem-ok-symbolic"
                                : shared != NULL && shared[0] != NULL ? "dialog-warning-symbolic"
                                                                      : "dialog-information-symbolic");
  if (safe)
    gtk_widget_add_css_class (GTK_WIDGET (self->advice_icon), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->advice_icon), "success");
  if (shared != NULL && shared[0] != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->advice_icon), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->advice_icon), "warning");
}

static void
update (ReinEscrowFunding *self)
{
  const gchar *error;

  if (self->watch == NULL)
    return;
  error = rein_escrow_watch_get_error (self->watch);
  for (guint k = 0; k < 2; k++)
    card_update (self, &self->cards[k]);
  update_advice (self);
  if (error != NULL)
    {
      g_autofree gchar *text = g_strdup_printf (_("Could not check the escrows: %s"), error);

      gtk_label_set_text (self->error_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
}

/* ---- notifications ---- */

void
rein_escrow_funding_notify (GApplication *app, ReinMyJob *job, ReinEscrowKind kind)
{
  g_autoptr (GSettings) settings = rein_settings_new_if_installed ();
  g_autoptr (GNotification) notification = NULL;
  g_autofree gchar *id = NULL;
  const gchar *name = rein_my_job_get_name (job);

  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (REIN_IS_MY_JOB (job));

  if (settings != NULL && !g_settings_get_boolean (settings, "notifications"))
    return;
  if (!g_application_get_is_registered (app) || g_application_get_is_remote (app))
    return;
  notification = g_notification_new (kind == REIN_ESCROW_PRIMARY
                                         ? _("The primary escrow is funded")
                                         : _("The mediator escrow is funded"));
  g_notification_set_body (notification, name != NULL ? name : "");
  /* clicking it opens the job's page */
  g_notification_set_default_action_and_target (notification, "app.show-job", "s",
                                                rein_my_job_get_job_id (job));
  id = g_strdup_printf ("escrow-funded-%s-%s", rein_my_job_get_job_id (job),
                        kind == REIN_ESCROW_PRIMARY ? "primary" : "mediator");
  g_application_send_notification (app, id, notification);
}

static void
watches_funded_cb (ReinEscrowWatches *watches, ReinMyJob *job, ReinEscrowKind kind,
                   GApplication *app)
{
  rein_escrow_funding_notify (app, job, kind);
}

#define NOTIFYING_KEY "rein-escrow-funding-notifies"

void
rein_escrow_funding_notify_all (ReinContext *context, GApplication *app)
{
  ReinEscrowWatches *watches;

  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (G_IS_APPLICATION (app));

  watches = rein_context_get_escrow_watches (context);
  /* once, however many windows show the context */
  if (g_object_get_data (G_OBJECT (watches), NOTIFYING_KEY) == app)
    return;
  g_object_set_data (G_OBJECT (watches), NOTIFYING_KEY, app);
  g_signal_connect_object (watches, "funded", G_CALLBACK (watches_funded_cb), app, 0);
  rein_escrow_watches_set_enabled (watches, TRUE);
}

/* ---- the job ---- */

/* Other jobs of mine on the same escrow addresses (the same three
 * people): the watch stops calling this one safe to start. */
static void
update_shared (ReinEscrowFunding *self)
{
  g_auto (GStrv) shared = NULL;
  GListModel *my_jobs;

  if (self->watch == NULL)
    return;
  my_jobs = rein_my_jobs_get_jobs (rein_context_get_my_jobs (self->context));
  shared = rein_escrow_find_sharing (my_jobs, rein_escrow_watch_get_job (self->watch),
                                     rein_escrow_watch_get_testnet (self->watch));
  rein_escrow_watch_set_shared_with (self->watch, (const gchar *const *) shared);
}

static void
clear_job (ReinEscrowFunding *self)
{
  GtkWidget *child;

  if (self->watch != NULL)
    {
      GListModel *my_jobs = rein_my_jobs_get_jobs (rein_context_get_my_jobs (self->context));

      g_signal_handlers_disconnect_by_data (self->watch, self);
      g_signal_handlers_disconnect_by_func (my_jobs, update_shared, self);
    }
  g_clear_object (&self->watch);
  g_clear_object (&self->job);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->card_box))) != NULL)
    gtk_box_remove (self->card_box, child);
  for (guint k = 0; k < 2; k++)
    card_clear (&self->cards[k]);
  g_clear_pointer (&self->advice, g_free);
  gtk_widget_set_visible (self->advice_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), FALSE);
}

void
rein_escrow_funding_set_job (ReinEscrowFunding *self, ReinMyJob *job)
{
  ReinIdentity *identity;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (REIN_IS_ESCROW_FUNDING (self));
  g_return_if_fail (job == NULL || REIN_IS_MY_JOB (job));

  if (job == self->job)
    return;
  clear_job (self);
  if (job == NULL)
    return;
  self->job = g_object_ref (job);
  identity = rein_session_get_active_identity (rein_context_get_session (self->context));
  self->watch = rein_escrow_watch_new (rein_context_get_store (self->context),
                                       rein_my_job_get_job (job),
                                       identity != NULL && rein_identity_get_testnet (identity),
                                       &error);
  if (self->watch == NULL)
    {
      gtk_label_set_text (self->empty_label,
                          g_error_matches (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED)
                              ? _("No escrow yet: the creator has not awarded a bid.")
                              : error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->empty_label), TRUE);
      return;
    }
  for (guint k = 0; k < 2; k++)
    card_build (self, &self->cards[k], k);
  g_signal_connect_swapped (self->watch, "notify", G_CALLBACK (update), self);
  g_signal_connect_swapped (rein_my_jobs_get_jobs (rein_context_get_my_jobs (self->context)),
                            "items-changed", G_CALLBACK (update_shared), self);
  update_shared (self);
  update (self);
}

ReinMyJob *
rein_escrow_funding_get_job (ReinEscrowFunding *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_FUNDING (self), NULL);
  return self->job;
}

ReinEscrowWatch *
rein_escrow_funding_get_watch (ReinEscrowFunding *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_FUNDING (self), NULL);
  return self->watch;
}

const gchar *
rein_escrow_funding_get_uri (ReinEscrowFunding *self, ReinEscrowKind kind)
{
  g_return_val_if_fail (REIN_IS_ESCROW_FUNDING (self), NULL);
  g_return_val_if_fail (kind <= REIN_ESCROW_MEDIATOR, NULL);
  return self->cards[kind].uri;
}

GtkWidget *
rein_escrow_funding_get_card (ReinEscrowFunding *self, ReinEscrowKind kind)
{
  g_return_val_if_fail (REIN_IS_ESCROW_FUNDING (self), NULL);
  g_return_val_if_fail (kind <= REIN_ESCROW_MEDIATOR, NULL);
  return self->cards[kind].card;
}

const gchar *
rein_escrow_funding_get_advice (ReinEscrowFunding *self)
{
  g_return_val_if_fail (REIN_IS_ESCROW_FUNDING (self), NULL);
  return self->advice;
}

/* ---- copy and save ---- */

static Card *
card_of_param (ReinEscrowFunding *self, GVariant *param)
{
  const gchar *kind = g_variant_get_string (param, NULL);

  if (self->watch == NULL)
    return NULL;
  return &self->cards[g_str_equal (kind, "mediator") ? REIN_ESCROW_MEDIATOR : REIN_ESCROW_PRIMARY];
}

static void
copy_address_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinEscrowFunding *self = REIN_ESCROW_FUNDING (widget);
  Card *card = card_of_param (self, param);

  if (card != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                            gtk_label_get_text (card->address));
}

static void
copy_uri_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinEscrowFunding *self = REIN_ESCROW_FUNDING (widget);
  Card *card = card_of_param (self, param);

  if (card != NULL && card->uri != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), card->uri);
}

static void
file_replaced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
rein_escrow_funding_save_qr_async (ReinEscrowFunding *self,
                                   ReinEscrowKind kind,
                                   GFile *file,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GBytes) png = NULL;
  GError *error = NULL;
  Card *card;

  g_return_if_fail (REIN_IS_ESCROW_FUNDING (self));
  g_return_if_fail (kind <= REIN_ESCROW_MEDIATOR);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_escrow_funding_save_qr_async);
  card = &self->cards[kind];
  if (card->qr == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("There is no payment request to save: nothing is due."));
      return;
    }
  png = rein_qr_to_png (card->qr, PNG_SCALE, &error);
  if (png == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_file_replace_contents_bytes_async (file, png, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, file_replaced_cb, g_steal_pointer (&task));
}

gboolean
rein_escrow_funding_save_qr_finish (ReinEscrowFunding *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                            == rein_escrow_funding_save_qr_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinEscrowFunding *self = REIN_ESCROW_FUNDING (source);
  g_autoptr (GError) error = NULL;

  if (!rein_escrow_funding_save_qr_finish (self, result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree gchar *text = g_strdup_printf (_("The QR code was not saved: %s"),
                                                error->message);

      gtk_label_set_text (self->error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
}

typedef struct
{
  ReinEscrowFunding *self;
  ReinEscrowKind kind;
} SaveChoice;

static void
chooser_response_cb (GtkNativeDialog *chooser, gint response, gpointer user_data)
{
  SaveChoice *choice = user_data;
  g_autoptr (ReinEscrowFunding) self = choice->self;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL && self->watch != NULL)
        rein_escrow_funding_save_qr_async (self, choice->kind, file, self->cancellable, saved_cb,
                                           NULL);
    }
  g_free (choice);
  g_object_unref (chooser);
}

static void
save_qr_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinEscrowFunding *self = REIN_ESCROW_FUNDING (widget);
  Card *card = card_of_param (self, param);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree gchar *suggested = NULL;
  SaveChoice *choice;

  if (card == NULL || card->qr == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save the QR Code"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  suggested = g_strdup_printf ("%s-escrow-%s.png",
                               card->kind == REIN_ESCROW_PRIMARY ? "primary" : "mediator",
                               rein_my_job_get_job_id (self->job));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  choice = g_new0 (SaveChoice, 1);
  choice->self = g_object_ref (self);
  choice->kind = card->kind;
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), choice);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- the object ---- */

static void
rein_escrow_funding_dispose (GObject *object)
{
  ReinEscrowFunding *self = REIN_ESCROW_FUNDING (object);

  g_cancellable_cancel (self->cancellable);
  clear_job (self);
  g_clear_object (&self->context);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_ESCROW_FUNDING);

  G_OBJECT_CLASS (rein_escrow_funding_parent_class)->dispose (object);
}

static void
rein_escrow_funding_class_init (ReinEscrowFundingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_escrow_funding_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-escrow-funding.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinEscrowFunding, advice_box);
  gtk_widget_class_bind_template_child (widget_class, ReinEscrowFunding, advice_icon);
  gtk_widget_class_bind_template_child (widget_class, ReinEscrowFunding, advice_label);
  gtk_widget_class_bind_template_child (widget_class, ReinEscrowFunding, error_label);
  gtk_widget_class_bind_template_child (widget_class, ReinEscrowFunding, empty_label);
  gtk_widget_class_bind_template_child (widget_class, ReinEscrowFunding, card_box);
  gtk_widget_class_install_action (widget_class, "escrow.copy-address", "s",
                                   copy_address_action);
  gtk_widget_class_install_action (widget_class, "escrow.copy-uri", "s", copy_uri_action);
  gtk_widget_class_install_action (widget_class, "escrow.save-qr", "s", save_qr_action);
}

static void
rein_escrow_funding_init (ReinEscrowFunding *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
rein_escrow_funding_new (ReinContext *context)
{
  ReinEscrowFunding *self;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);

  self = g_object_new (REIN_TYPE_ESCROW_FUNDING, NULL);
  self->context = g_object_ref (context);
  return GTK_WIDGET (self);
}
